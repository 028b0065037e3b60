package org.snowcrash.backend.docker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** The address a server is published on, and the URL a client reaches it at (IPv6 in brackets). */
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
