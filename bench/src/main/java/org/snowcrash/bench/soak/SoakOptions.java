package org.snowcrash.bench.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a soak run does: how long, how many clients of each kind, each request's timeout, the
 * quiet time between faults, and the llama-server image.
 *
 * @param duration   how long clients send requests (the run's length without set-up and clean-up)
 * @param httpClients clients streaming through {@code serve} (at most 16: with the agents and two
 *                    burst scenes they need no more scenes than the 24 the demo model can tell apart)
 * @param agents     clients asking an {@code Agent} of their own (at most 6)
 * @param timeout    each request's promise: an outcome within this
 * @param interval   quiet time after the service answers again, before the next fault
 * @param image      the llama-server image
 */
record SoakOptions(Duration duration, int httpClients, int agents, Duration timeout, Duration interval, String image) {

    static final String USAGE = "usage: Soak [--minutes M | --seconds S] [--clients N] [--agents N] [--timeout SECONDS]"
            + " [--interval SECONDS] [--image IMAGE]";

    /** The defaults: 10 minutes, 3 HTTP clients, 2 agents, 120 s per request, 5 s of quiet between faults. */
    static SoakOptions defaults() {
        return new SoakOptions(Duration.ofMinutes(10), 3, 2, Duration.ofSeconds(120), Duration.ofSeconds(5),
                System.getenv().getOrDefault("SNOWCRASH_TEST_IMAGE", "snowcrash/llama-server:sid"));
    }

    /**
     * Reads the command line; every problem is reported at once, each naming its option.
     *
     * @throws IllegalArgumentException listing the problems and the usage line
     */
    static SoakOptions parse(String[] args) {
        SoakOptions o = defaults();
        List<String> problems = new ArrayList<>();
        Duration duration = o.duration();
        int clients = o.httpClients();
        int agents = o.agents();
        Duration timeout = o.timeout();
        Duration interval = o.interval();
        String image = o.image();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                problems.add(name + ": needs a value");
                break;
            }
            String v = args[++i];
            switch (name) {
                case "--minutes" -> duration = Duration.ofMillis((long) (number(name, v, 0.1, 24 * 60, problems) * 60_000));
                case "--seconds" -> duration = Duration.ofMillis((long) (number(name, v, 10, 24 * 3600, problems) * 1000));
                case "--clients" -> clients = (int) whole(name, v, 1, 16, problems);
                case "--agents" -> agents = (int) whole(name, v, 0, 6, problems);
                case "--timeout" -> timeout = Duration.ofSeconds(whole(name, v, 30, 3600, problems));
                case "--interval" -> interval = Duration.ofMillis((long) (number(name, v, 0, 600, problems) * 1000));
                case "--image" -> image = v.isBlank() ? image : v;
                default -> problems.add(name + ": unknown option");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems) + "\n" + USAGE);
        }
        return new SoakOptions(duration, clients, agents, timeout, interval, image);
    }

    private static double number(String name, String v, double min, double max, List<String> problems) {
        try {
            double d = Double.parseDouble(v);
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(String.format(Locale.ROOT, "%s: must be a number from %s to %s, got '%s'", name, plain(min), plain(max), v));
        return min;
    }

    private static long whole(String name, String v, long min, long max, List<String> problems) {
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + ": must be a whole number from " + min + " to " + max + ", got '" + v + "'");
        return min;
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
