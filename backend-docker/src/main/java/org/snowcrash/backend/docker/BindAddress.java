package org.snowcrash.backend.docker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The address a server is published on, and the host a client reaches it at (IPv6 in brackets):
 * on this machine's engine, the bind address (a wildcard meaning loopback); on an engine reached
 * over {@code tcp://}, the engine's own host unless a specific address was bound.
 */
final class BindAddress {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

    private BindAddress() {
    }

    /** Whether {@code address} is a literal IPv4 or IPv6 address (never a name to resolve). */
    static boolean isLiteral(String address) {
        if (IPV4.matcher(address).matches()) {
            return true;
        }
        if (!address.contains(":") || !IPV6.matcher(address).matches()) {
            return false;
        }
        try {
            // A literal is parsed without any lookup.
            InetAddress.getByName(address);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The host part of the server's URL, for an engine at {@code dockerHost} ({@code unix://...},
     * {@code tcp://host:port}) publishing on {@code bindAddress}. A wildcard bind on a {@code tcp://}
     * engine is reached at the engine's host (the server runs there); any specific address is
     * reached as it is.
     */
    static String serverHost(String dockerHost, String bindAddress) {
        if (isWildcard(bindAddress)) {
            return engineHost(dockerHost).map(h -> h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h)
                    .orElse(urlHost(bindAddress));
        }
        return urlHost(bindAddress);
    }

    /** The host of a {@code tcp://} engine address, empty for a local socket or pipe. */
    static java.util.Optional<String> engineHost(String dockerHost) {
        if (!dockerHost.startsWith("tcp://")) {
            return java.util.Optional.empty();
        }
        String rest = dockerHost.substring("tcp://".length());
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end < 0 ? java.util.Optional.empty() : java.util.Optional.of(authority.substring(0, end + 1));
        }
        int colon = authority.lastIndexOf(':');
        String host = colon < 0 ? authority : authority.substring(0, colon);
        return host.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(host);
    }

    /** Whether an engine host is this machine's loopback (a name other than {@code localhost} is not resolved). */
    static boolean isLoopbackHost(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
    }

    /** The host part of a URL for {@code address}: a wildcard becomes loopback, IPv6 gets brackets. */
    static String urlHost(String address) {
        if (address.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (address.equals("::") || address.equals("[::]")) {
            return "[::1]";
        }
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
