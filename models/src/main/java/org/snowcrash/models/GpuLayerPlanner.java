package org.snowcrash.models;

import java.util.List;
import java.util.Objects;

/**
 * How many layers to offload to a GPU that has a given amount of memory: the number llama.cpp
 * takes as {@code -ngl}, chosen the way Ollama chooses {@code num_gpu}. A pure function.
 *
 * <p>llama.cpp counts the output layer as one more layer after the repeating ones, and with
 * {@code -ngl k} (k up to the layer count) puts the <em>last</em> k repeating layers on the GPU;
 * {@code -ngl} of the layer count + 1 puts the output layer there too. Offloading anything also
 * puts the compute buffer and the GPU runtime's own memory there. So the memory {@code k} layers
 * take is 0 for k = 0, and otherwise the reserve plus the last k layers' sizes (each its weights
 * and its KV cache), plus the output layer's weights for k = layers + 1. The plan is the largest
 * k whose memory fits the budget; since that memory grows with k, the plan grows with the budget.
 */
public final class GpuLayerPlanner {

    /**
     * What the GPU runtime takes for itself once it is used (CUDA context, cuBLAS workspaces).
     * Not measured here (no GPU): the CUDA context alone is typically 300 to 500 MiB, and Ollama
     * reserves 457 MiB for it; 512 MiB errs on the side of leaving memory free.
     */
    public static final long GPU_RUNTIME_RESERVE = 512L << 20;

    private GpuLayerPlanner() {
    }

    /**
     * A model as the planner sees it.
     *
     * @param layers  bytes of each repeating layer on the GPU (weights and KV cache), in layer order
     * @param output  bytes of the output layer (output norm and projection)
     * @param reserve bytes the GPU needs as soon as one layer is on it (compute buffer and runtime)
     */
    public record Model(List<Long> layers, long output, long reserve) {
        public Model {
            layers = List.copyOf(layers);
            if (output < 0 || reserve < 0 || layers.stream().anyMatch(l -> l < 0)) {
                throw new IllegalArgumentException("sizes must not be negative");
            }
        }

        /** The most layers that can be offloaded: every repeating layer and the output layer. */
        public int allLayers() {
            return layers.size() + 1;
        }
    }

    /**
     * Bytes on the GPU when {@code count} layers are offloaded.
     *
     * @param count 0 to {@link Model#allLayers()}
     */
    public static long bytesOnGpu(Model model, int count) {
        Objects.checkIndex(count, model.allLayers() + 1);
        if (count == 0) {
            return 0;
        }
        int n = model.layers().size();
        long sum = model.reserve();
        for (int i = n - Math.min(count, n); i < n; i++) {
            sum = saturatedAdd(sum, model.layers().get(i));
        }
        return count > n ? saturatedAdd(sum, model.output()) : sum;
    }

    /**
     * The number of layers to offload with {@code budgetBytes} of GPU memory: the largest count
     * whose {@linkplain #bytesOnGpu memory} fits, from 0 (not even one layer fits) to
     * {@link Model#allLayers()} (the whole model fits).
     */
    public static int plan(Model model, long budgetBytes) {
        // The same sums as bytesOnGpu, added up once from the last layer down.
        List<Long> layers = model.layers();
        long used = model.reserve();
        int count = 0;
        for (int i = layers.size() - 1; i >= 0; i--) {
            used = saturatedAdd(used, layers.get(i));
            if (used > budgetBytes) {
                return count;
            }
            count++;
        }
        return saturatedAdd(used, model.output()) <= budgetBytes ? count + 1 : count;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }
}
