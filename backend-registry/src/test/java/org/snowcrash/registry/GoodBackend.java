package org.snowcrash.registry;

/** A well-behaved plugin, loaded through a service file in tests. */
public final class GoodBackend extends FakeBackend {
    public GoodBackend() {
        super("good", 5);
    }
}
