package org.snowcrash.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import org.junit.jupiter.api.Test;

/** The planner's promises, for any model sizes and any budget. */
class GpuLayerPlannerTest {

    @Provide
    Arbitrary<GpuLayerPlanner.Model> models() {
        Arbitrary<Long> size = Arbitraries.longs().between(0, 2L << 30);
        return Combinators.combine(size.list().ofMaxSize(80), size, size).as(GpuLayerPlanner.Model::new);
    }

    @Property(tries = 1000)
    void moreBudgetNeverMeansFewerLayers(@ForAll("models") GpuLayerPlanner.Model m,
                                         @ForAll @LongRange(min = -1, max = 200L << 30) long a,
                                         @ForAll @LongRange(min = -1, max = 200L << 30) long b) {
        assertTrue(GpuLayerPlanner.plan(m, Math.min(a, b)) <= GpuLayerPlanner.plan(m, Math.max(a, b)));
    }

    @Property(tries = 1000)
    void thePlannedLayersNeverTakeMoreThanTheBudgetAndOneMoreWould(@ForAll("models") GpuLayerPlanner.Model m,
                                                                  @ForAll @LongRange(min = -1, max = 200L << 30) long budget) {
        int n = GpuLayerPlanner.plan(m, budget);
        assertTrue(n >= 0 && n <= m.allLayers());
        assertTrue(GpuLayerPlanner.bytesOnGpu(m, n) <= Math.max(0, budget), "never over the budget");
        if (n < m.allLayers()) {
            assertTrue(GpuLayerPlanner.bytesOnGpu(m, n + 1) > budget, "the largest count that fits");
        }
    }

    @Property(tries = 500)
    void everyLayerAndTheOutputWhenTheWholeModelFits(@ForAll("models") GpuLayerPlanner.Model m,
                                                     @ForAll @LongRange(min = 0, max = 10L << 30) long spare) {
        long whole = GpuLayerPlanner.bytesOnGpu(m, m.allLayers());
        assertEquals(m.allLayers(), GpuLayerPlanner.plan(m, whole + spare));
    }

    @Property(tries = 500)
    void noneWhenNotEvenOneLayerFits(@ForAll("models") GpuLayerPlanner.Model m, @ForAll @LongRange(min = 1, max = 1L << 30) long shortBy) {
        long one = GpuLayerPlanner.bytesOnGpu(m, 1);
        assertEquals(0, GpuLayerPlanner.plan(m, one - shortBy));
    }

    @Test
    void theLastLayersGoFirstAsLlamaCppOffloadsThem() {
        // llama.cpp's -ngl k puts the last k repeating layers on the GPU.
        GpuLayerPlanner.Model m = new GpuLayerPlanner.Model(List.of(100L, 10L, 10L), 50, 5);
        assertEquals(0, GpuLayerPlanner.plan(m, 14));
        assertEquals(1, GpuLayerPlanner.plan(m, 15));
        assertEquals(2, GpuLayerPlanner.plan(m, 25));
        assertEquals(2, GpuLayerPlanner.plan(m, 124), "the first layer is the big one");
        assertEquals(3, GpuLayerPlanner.plan(m, 125));
        assertEquals(3, GpuLayerPlanner.plan(m, 174));
        assertEquals(4, GpuLayerPlanner.plan(m, 175), "the output layer comes last");
    }
}
