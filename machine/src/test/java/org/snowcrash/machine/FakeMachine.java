package org.snowcrash.machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import org.snowcrash.api.Settings;

/**
 * A fake machine for detection tests: a directory read as {@code /} and a directory of fake
 * commands used as the {@code PATH}. Fakes of hardware this build machine does not have; the
 * file contents follow the formats the real files have (cited in {@link MachineProbe}).
 */
final class FakeMachine {

    /** {@code /etc/nv_tegra_release} of an Orin on JetPack 6.1 (L4T 36.4.0). */
    static final String R36_4 = "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, DATE: Fri Sep 13 04:36:44 UTC 2024\n"
            + "# KERNEL_VARIANT: oot\nTARGET_USERSPACE_LIB_DIR=nvidia\n";
    /** The same file on JetPack 5.1.1 (L4T 35.3.1). */
    static final String R35_3_1 = "# R35 (release), REVISION: 3.1, GCID: 32827747, BOARD: t186ref, EABI: aarch64, DATE: Sun Mar 19 15:19:21 UTC 2023\n";
    static final String ORIN_MODEL = "NVIDIA Jetson AGX Orin Developer Kit\0";
    /** 30.6 GiB: what an Orin 32 GB reports. */
    static final String ORIN_MEMINFO = "MemTotal:       32036836 kB\nMemFree:        28008000 kB\nMemAvailable:   29000000 kB\n";
    static final String PC_MEMINFO = "MemTotal:       16303508 kB\nMemFree:         1234567 kB\n";

    final Path root;
    final Path bin;

    FakeMachine(Path dir) throws IOException {
        this.root = Files.createDirectories(dir.resolve("root"));
        this.bin = Files.createDirectories(dir.resolve("bin"));
    }

    FakeMachine file(String systemPath, String content) throws IOException {
        Path p = root.resolve(systemPath.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return this;
    }

    /** A fake {@code nvidia-smi}: a shell script that runs {@code body}. */
    FakeMachine command(String name, String body) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return this;
    }

    FakeMachine jetson(String release, String meminfo) throws IOException {
        return file("/etc/nv_tegra_release", release).file("/proc/device-tree/model", ORIN_MODEL).file("/proc/meminfo", meminfo);
    }

    Machine detect() {
        return new MachineProbe(root, java.util.List.of(bin), java.time.Duration.ofSeconds(30)).detect();
    }

    /** Settings pointing detection here, plus {@code more} key-value pairs. */
    Settings settings(String... more) {
        Map<String, String> m = new HashMap<>();
        m.put(MachineSettings.ROOT_KEY, root.toString());
        m.put(MachineSettings.PATH_KEY, bin.toString());
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return Settings.of(m, "test");
    }
}
