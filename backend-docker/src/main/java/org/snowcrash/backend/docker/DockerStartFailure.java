package org.snowcrash.backend.docker;

import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.StartFailure;

/**
 * Why the Docker backend could not start a model, in its own terms: what only a container engine
 * can go wrong with. Carried by a {@link BackendStartException} as
 * {@link StartFailure.BackendSpecific} failures; the failures any backend may meet (the server
 * exited while loading, was not ready in time, the engine is down) stay the core
 * {@link StartFailure} cases. None is the user's error in the {@link StartFailure#isUserError()}
 * sense: another backend may well start the model.
 */
public sealed interface DockerStartFailure extends StartFailure.BackendSpecific {

    /**
     * The container image is not present and could not be pulled.
     *
     * @param image  the image reference
     * @param detail why, in the engine's or the policy's words
     */
    record ImageUnavailable(String image, String detail) implements DockerStartFailure {
        /** {@code image_unavailable}. */
        @Override
        public String code() {
            return "image_unavailable";
        }

        @Override
        public String describe() {
            return "image " + image + " is not available: " + detail;
        }
    }

    /**
     * The port the model should listen on is taken.
     *
     * @param port   the port asked for
     * @param detail the engine's or the operating system's words, or empty
     */
    record PortInUse(int port, String detail) implements DockerStartFailure {
        /** {@code port_in_use}. */
        @Override
        public String code() {
            return "port_in_use";
        }

        @Override
        public String describe() {
            return "port " + port + " is already in use" + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /**
     * A container of that name exists and does not belong to this tool; it is left alone.
     *
     * @param containerName the name the model's container would have had
     * @param detail        whose it is and in what state
     */
    record NameConflict(String containerName, String detail) implements DockerStartFailure {
        /** {@code container_name_conflict}. */
        @Override
        public String code() {
            return "container_name_conflict";
        }

        @Override
        public String describe() {
            return "a container named " + containerName + " exists and was left alone (" + detail
                    + "). Remove or rename it, or set model.<id>.container";
        }
    }
}
