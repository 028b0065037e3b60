package org.snowcrash.registry;

import org.snowcrash.testkit.fake.FakeBackend;

/** A well-behaved plugin, loaded through a service file in tests: ServiceLoader needs its no-argument constructor. */
public final class GoodBackend extends FakeBackend {
    public GoodBackend() {
        super(FakeBackend.builder("good").priority(5));
    }
}
