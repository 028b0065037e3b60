package org.snowcrash.backend.remote;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.snowcrash.testkit.Skip;
import org.snowcrash.testkit.docker.Health;
import org.snowcrash.testkit.docker.RequiresLlamaServer;
import org.snowcrash.testkit.docker.Sh;

/**
 * Another host on this machine: a network namespace of its own joined to the host by a veth pair
 * on a private /30 ({@code 10.232.x.y}) that only this test uses, where a real llama-server runs
 * (chrooted into the test image's files, {@link SidRoot}). {@link #cutLink()} pulls the cable on
 * the server's side, as a dropped Wi-Fi does: packets are lost, nothing is refused, and the
 * machine's route to the subnet stays, so nothing ever leaves the machine. {@link #close()} kills the servers and removes the namespace
 * and the veth pair, also from a shutdown hook when a test ends abruptly. Needs root.
 */
public final class NetworkHost implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String namespace;
    private final String hostSide;
    private final String nsSide;
    private final String hostAddress;
    private final String address;
    private final List<Server> servers = new ArrayList<>();
    private final Thread cleanup;
    private boolean closed;

    private NetworkHost(String namespace, String hostSide, String nsSide, String hostAddress, String address) {
        this.namespace = namespace;
        this.hostSide = hostSide;
        this.nsSide = nsSide;
        this.hostAddress = hostAddress;
        this.address = address;
        this.cleanup = new Thread(this::remove);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Why hosts cannot be made here (not root, no iproute2), or empty when they can. */
    public static String problem() {
        if (!Sh.run("id", "-u").output().strip().equals("0")) {
            return "network namespaces need root";
        }
        Sh.Result r = Sh.run("ip", "netns", "list");
        return r.ok() ? "" : "ip netns does not work here: " + r.output().strip();
    }

    /**
     * Skips the calling test loudly when hosts cannot be made here, or fails it when
     * {@code SNOWCRASH_REQUIRE_DOCKER=true} (set by {@code .ci/run}, which runs these tests as root).
     */
    public static void assumeAvailable() {
        String p = problem();
        if (p.isEmpty()) {
            p = RequiresLlamaServer.Condition.problem();
        }
        Skip.unless("no network namespaces", p.isEmpty() ? "" : "other hosts cannot be made: " + p);
    }

    /** A new host on a /30 of its own. */
    public static NetworkHost create() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            byte[] b = new byte[3];
            RANDOM.nextBytes(b);
            String tag = HexFormat.of().formatHex(b).substring(0, 5);
            int third = 1 + (b[0] & 0xff) % 254;
            int fourth = 4 * ((b[1] & 0xff) % 64);
            String net = "10.232." + third + ".";
            // A subnet or name another run of these tests holds right now is skipped.
            if (Sh.run("ip", "-4", "-o", "addr").output().contains(net + (fourth + 1) + "/")
                    || Sh.run("ip", "netns", "list").output().contains("snowcrash-" + tag)) {
                continue;
            }
            NetworkHost h = new NetworkHost("snowcrash-" + tag, "sc" + tag + "h", "sc" + tag + "n",
                    net + (fourth + 1), net + (fourth + 2));
            try {
                h.setUp();
                return h;
            } catch (IOException | RuntimeException e) {
                h.close();
                throw e;
            }
        }
        throw new IOException("no free test subnet in 10.232.0.0/16");
    }

    private void setUp() throws IOException {
        ip("netns", "add", namespace);
        ip("link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
        ip("link", "set", nsSide, "netns", namespace);
        ip("addr", "add", hostAddress + "/30", "dev", hostSide);
        ip("link", "set", hostSide, "up");
        ip("netns", "exec", namespace, "ip", "addr", "add", address + "/30", "dev", nsSide);
        ip("netns", "exec", namespace, "ip", "link", "set", nsSide, "up");
        ip("netns", "exec", namespace, "ip", "link", "set", "lo", "up");
    }

    private static void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Sh.Result r = Sh.run(cmd);
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output().strip());
        }
    }

    /** This host's address, as the client on the machine reaches it. */
    public String address() {
        return address;
    }

    /**
     * Pulls the cable: the namespace's end of the veth pair goes down. The machine's end keeps its
     * address and route (it only loses its carrier), so packets to this host are dropped here,
     * as they are when a robot leaves the Wi-Fi: connections go silent, new ones time out.
     */
    public void cutLink() throws IOException {
        ip("netns", "exec", namespace, "ip", "link", "set", nsSide, "down");
    }

    /**
     * Plugs the cable back in and returns once every server on this host accepts connections
     * again (at most 20 s), so that what a test does next meets a working link.
     */
    public void restoreLink() throws IOException {
        ip("netns", "exec", namespace, "ip", "link", "set", nsSide, "up");
        // While the cable was out the machine's neighbour entry for this host failed; until it
        // expires, a connect gets "No route to host" at once. Flushed, the next packet asks again.
        Sh.run("ip", "neigh", "flush", "dev", hostSide);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (Server s : servers) {
            if (!s.process.isAlive()) {
                continue; // a server the test killed stays dead
            }
            URI u = URI.create(s.url());
            for (;;) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(u.getHost(), u.getPort()), 1000);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException(this + " is not reachable 20 s after its link came back: " + e.getMessage(), e);
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while waiting for " + this, ie);
                    }
                }
            }
        }
    }

    /**
     * Starts a real llama-server on this host, serving {@code model} (copied into the root
     * filesystem) as {@code alias} on {@code port}, and waits until its {@code /health} says 200.
     */
    public Server serve(Path model, String alias, String apiKey, int port, String... more) throws Exception {
        String inRoot = SidRoot.install(model);
        Path log = Files.createTempFile("llama-server-" + namespace + "-", ".log");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "chroot", SidRoot.get().toString(),
                "/usr/bin/llama-server", "--host", address, "--port", String.valueOf(port), "-m", inRoot, "--alias", alias,
                "--metrics", "--api-key", apiKey));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Server s = new Server(p, log, "http://" + address + ":" + port + "/v1");
        servers.add(s);
        s.awaitHealthy();
        return s;
    }

    /** Kills the servers, removes the veth pair and the namespace. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // shutting down already: the hook runs remove() itself
        }
    }

    private void remove() {
        for (Server s : servers) {
            s.close();
        }
        Sh.run("ip", "link", "del", hostSide);
        Sh.run("ip", "netns", "del", namespace);
    }

    @Override
    public String toString() {
        return namespace + " at " + address;
    }

    /** One llama-server on a host; its log counts the generations it started. */
    public static final class Server implements AutoCloseable {
        private final Process process;
        private final Path log;
        private final String url;

        private Server(Process process, Path log, String url) {
            this.process = process;
            this.log = log;
            this.url = url;
        }

        /** The OpenAI base URL, {@code http://10.232.x.y:port/v1}. */
        public String url() {
            return url;
        }

        /** Generations it started ({@code launch_slot_} lines of its log): one per chat request it took. */
        public int generations() throws IOException {
            try (var lines = Files.lines(log)) {
                return (int) lines.filter(l -> l.contains("launch_slot_")).count();
            }
        }

        /** The last lines of its log, for assertion messages. */
        public String logTail(int lines) {
            try (var all = Files.lines(log)) {
                List<String> l = all.toList();
                return String.join("\n", l.subList(Math.max(0, l.size() - lines), l.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        /** Kills the server (SIGKILL): its port refuses connections from then on. */
        public void kill() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // a temp file; nothing else to do
            }
        }

        private void awaitHealthy() throws Exception {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Health.await(http, URI.create(url.substring(0, url.length() - 3) + "/health"), () -> {
                try {
                    return process.isAlive() ? null : "(" + process.exitValue() + "): " + Files.readString(log);
                } catch (IOException e) {
                    return "(" + process.exitValue() + "), no log: " + e;
                }
            }, Duration.ofSeconds(90));
        }
    }
}
