package org.snowcrash.api.rulesfixture;

/** Breaks "the SPI uses the JDK only (and jackson-core's parser)": an api class that uses SLF4J. */
public final class ApiUsingALibrary {
    public Object log() {
        return org.slf4j.LoggerFactory.getLogger(ApiUsingALibrary.class);
    }
}
