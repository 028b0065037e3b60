package org.snowcrash.bench.soak;

/**
 * The soak-and-chaos run as a command: {@code java -cp 'bench/target/lib/*'
 * org.snowcrash.bench.soak.Soak [--minutes M] [--clients N] [--agents N] ...} (see
 * {@link SoakOptions#USAGE} and {@code docs/reliability.md}). Prints the chaos as it happens on
 * stderr and the report on stdout; exits 0 when every promise was kept, 1 when one was broken, 2
 * on bad options.
 */
public final class Soak {

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        SoakOptions options;
        try {
            options = SoakOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            System.exit(2);
            return;
        }
        SoakReport report = new SoakRun(options, System.err::println).run();
        System.out.print(report.render());
        // Exit explicitly: the JDK's HTTP client and the engine's client keep threads until collected.
        System.exit(report.problems().isEmpty() ? 0 : 1);
    }
}
