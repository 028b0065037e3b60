package org.snowcrash.bench.soak;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Unix socket in front of the Docker engine's, through which the soak's backends reach the
 * engine ({@code backend.docker.host=unix://<this socket>}); {@link #cut()} closes every
 * connection through it at once, which is what a client sees when the engine restarts (or its
 * socket is recreated): API calls in progress fail, pooled connections are dead, and the attach
 * connections that bind each container's life to its owner break, so the containers end. Unlike
 * restarting dockerd it needs no root and leaves other users' containers alone.
 */
final class EngineProxy implements AutoCloseable {

    private final Path socket;
    private final Path engine;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * @param socket where to listen (a path in a private folder)
     * @param engine the engine's own socket, e.g. {@code /var/run/docker.sock}
     */
    EngineProxy(Path socket, Path engine) throws IOException {
        this.socket = socket;
        this.engine = engine;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.acceptor = new Thread(this::accept, "soak-engine-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The address to give the Docker backend. */
    String host() {
        return "unix://" + socket;
    }

    /** Connections open now (one per pooled API connection, one per running container's attach). */
    int connections() {
        return open.size() / 2;
    }

    /** Closes every connection through the proxy; returns how many there were. New ones are accepted as before. */
    int cut() {
        int n = connections();
        for (SocketChannel c : open) {
            quietly(c);
        }
        return n;
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                SocketChannel upstream;
                try {
                    upstream = SocketChannel.open(UnixDomainSocketAddress.of(engine));
                } catch (IOException e) {
                    quietly(client);
                    continue;
                }
                open.add(client);
                open.add(upstream);
                java.util.concurrent.atomic.AtomicInteger directions = new java.util.concurrent.atomic.AtomicInteger(2);
                pump(client, upstream, directions, "up");
                pump(upstream, client, directions, "down");
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("soak: engine proxy accept failed: " + e);
                }
                return;
            }
        }
    }

    /**
     * Copies one direction. Its end is passed on as a half-close (a client may close its side
     * and still read the answer); the pair is closed when both directions ended, or at once when
     * one fails.
     */
    private void pump(SocketChannel from, SocketChannel to, java.util.concurrent.atomic.AtomicInteger directions,
                      String direction) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput();
                if (directions.decrementAndGet() > 0) {
                    return;
                }
            } catch (IOException e) {
                // cut, or the other side went: close both below
            }
            quietly(from);
            quietly(to);
        }, "soak-engine-proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private void quietly(SocketChannel c) {
        open.remove(c);
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cut();
        Files.deleteIfExists(socket);
    }
}
