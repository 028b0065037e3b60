package org.snowcrash.server;

import java.util.HashMap;
import java.util.Map;

/** Reads the samples of a Prometheus text exposition: {@code name{labels}} to value (tests only). */
final class PrometheusText {

    private PrometheusText() {
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>() {
            @Override
            public Double get(Object key) {
                Double v = super.get(key);
                if (v == null) {
                    throw new AssertionError("no sample " + key + " in:\n" + text);
                }
                return v;
            }
        };
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }
}
