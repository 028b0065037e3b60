package org.snowcrash.registry;

/** A plugin whose constructor throws, loaded through a service file in tests. */
public final class ThrowingBackend extends FakeBackend {
    public ThrowingBackend() {
        super("throwing", 1);
        throw new IllegalStateException("constructor exploded");
    }
}
