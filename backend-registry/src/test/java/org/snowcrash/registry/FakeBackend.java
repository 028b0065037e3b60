package org.snowcrash.registry;

import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.StartFailure;

/** A backend with a given id and priority that never starts anything. */
class FakeBackend implements LlmBackend {
    private final String id;
    private final int priority;

    FakeBackend(String id, int priority) {
        this.id = id;
        this.priority = priority;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int defaultPriority() {
        return priority;
    }

    @Override
    public Availability availability(BackendContext context) {
        return Availability.available();
    }

    @Override
    public ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException {
        throw new BackendStartException(id, spec.id(), new StartFailure.Other("fake"));
    }
}
