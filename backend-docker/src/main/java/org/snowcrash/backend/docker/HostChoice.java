package org.snowcrash.backend.docker;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

import org.snowcrash.api.Settings;
import org.snowcrash.machine.Evidence;
import org.snowcrash.machine.Machine;
import org.snowcrash.machine.MachineSettings;
import org.snowcrash.machine.ServerImages;

/**
 * What {@code backend.docker.image=auto} and {@code gpu=auto} are decided from: the machine the
 * engine runs on, and the table's choice for it. Detection reads this machine, so it counts only
 * when the engine is local (a unix socket, a named pipe, or TCP to a loopback address); for an
 * engine on another host the machine is taken as unknown ({@link Machine.CpuOnly} saying why),
 * which keeps the CPU image and the rule from before detection (the nvidia runtime when listed).
 * Immutable.
 *
 * @param machine    the engine's machine as far as known
 * @param choice     the table's image, command and kind for it
 * @param imageAuto  whether {@code backend.docker.image} is {@code auto} (unset or written so)
 * @param prefixAuto whether the command prefix came from the table (image auto, {@code command-prefix} unset)
 */
record HostChoice(Machine machine, ServerImages.Choice choice, boolean imageAuto, boolean prefixAuto) {

    HostChoice {
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(choice, "choice");
    }

    /** The word that asks for the table's image. */
    static final String AUTO = "auto";

    static HostChoice resolve(Settings settings, Map<String, String> environment, String engineHost, String rawImage) {
        Machine machine = isLocal(engineHost) ? MachineSettings.machine(settings, environment)
                : new Machine.CpuOnly(OptionalLong.empty(), List.of(new Evidence(DockerSettings.PREFIX + "host",
                "the engine at " + engineHost + " runs on another host, whose hardware this machine cannot read; set "
                        + DockerSettings.PREFIX + "image and " + DockerSettings.PREFIX + "gpu for it")));
        boolean imageAuto = rawImage.trim().equalsIgnoreCase(AUTO);
        boolean prefixAuto = imageAuto && settings.get(DockerSettings.PREFIX + "command-prefix").isEmpty();
        return new HostChoice(machine, ServerImages.forMachine(machine), imageAuto, prefixAuto);
    }

    /** Whether the engine runs on this machine. */
    static boolean isLocal(String engineHost) {
        return BindAddress.engineHost(engineHost).map(BindAddress::isLoopbackHost).orElse(true);
    }
}
