package org.snowcrash.registry;

import org.snowcrash.testkit.fake.FakeBackend;

/** A plugin whose constructor throws, loaded through a service file in tests. */
public final class ThrowingBackend extends FakeBackend {
    public ThrowingBackend() {
        super(FakeBackend.builder("throwing").priority(1));
        throw new IllegalStateException("constructor exploded");
    }
}
