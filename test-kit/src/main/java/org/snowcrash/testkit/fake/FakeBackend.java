package org.snowcrash.testkit.fake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.StartFailure;
import org.snowcrash.api.Usage;
import org.snowcrash.testkit.TinyLlama;

/**
 * The one fake backend of the test trees, for the faults no real backend produces on demand: a
 * start that fails or throws, an availability check that throws, a server that dies under a
 * request, a model's choices (tool calls, reasoning) given in advance. Everything else in the
 * tests runs on real parts.
 *
 * <p>Built with {@link #builder(String)}; what it does on {@link #availability} and {@link #start}
 * is its {@link Mode}, which a test may change between starts. Its sessions ({@link FakeSession})
 * answer as its {@link Reply} says and count prompts with its {@link PromptCounter}. It records
 * what happened (starts per model, open sessions, every request) and can hold a model's starts or
 * requests until the test lets them go ({@link Hold}), so tests wait on events, never on time.
 *
 * <p>Thread-safe. Not final only so that a test can register a subclass with a no-argument
 * constructor in a service file (ServiceLoader needs one), or override one method to make it throw.
 */
public class FakeBackend implements LlmBackend {

    /** What the availability check and start do. */
    public enum Mode {
        /** Available; starts a session. */
        WORKS,
        /** Unavailable: "&lt;id&gt; is not installed". */
        UNAVAILABLE,
        /** Not configured: "set backend.&lt;id&gt;.endpoints". */
        NOT_CONFIGURED,
        /** Start fails typed: the server exited with code 1. */
        START_FAILS,
        /** Start throws an {@link IllegalStateException}: a bug in a plugin. */
        START_THROWS_RUNTIME,
        /** Start throws an {@link UnsatisfiedLinkError}: a native library missing. */
        START_THROWS_LINKAGE,
        /** The availability check throws. */
        AVAILABILITY_THROWS,
        /** Start fails because of the user's model file: not a reason to try another backend. */
        USER_ERROR
    }

    /** How a session answers a request nobody scripted. */
    public enum Reply {
        /** {@code "echo "} and the words of the last message, one piece per word. */
        ECHO,
        /** {@code "<model> says: <last message>"}, in one piece. */
        SAYS,
        /** {@code maxTokens} one-token words {@code w0 w1 ...}, finishing by length. */
        WORDS
    }

    private final String id;
    private final int priority;
    private final Set<Capability> capabilities;
    private final Set<String> modelSettings;
    final PromptCounter counter;
    final Reply reply;
    final boolean enforceContext;
    private volatile Mode mode;
    private volatile FakeSession last;

    private final AtomicInteger starts = new AtomicInteger();
    private final Map<String, AtomicInteger> startsByModel = new ConcurrentHashMap<>();
    private final Map<String, ModelSpec> specs = new ConcurrentHashMap<>();
    private final Set<FakeSession> open = ConcurrentHashMap.newKeySet();
    private final List<Set<String>> openAfterStart = new CopyOnWriteArrayList<>();
    private final Map<String, Hold> startHolds = new ConcurrentHashMap<>();
    final Map<String, Hold> requestHolds = new ConcurrentHashMap<>();
    private final Set<String> failingStarts = ConcurrentHashMap.newKeySet();
    final Set<String> dying = ConcurrentHashMap.newKeySet();
    final List<String> closedWhileBusy = new CopyOnWriteArrayList<>();
    final AtomicInteger countCalls = new AtomicInteger();
    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    final List<Usage> usages = new CopyOnWriteArrayList<>();

    /** A backend as the builder describes it. */
    protected FakeBackend(FakeBackendBuilder b) {
        this.id = b.id;
        this.priority = b.priority;
        this.capabilities = Set.copyOf(b.capabilities);
        this.modelSettings = Set.copyOf(b.modelSettings);
        this.counter = b.counter;
        this.reply = b.reply;
        this.enforceContext = b.enforceContext;
        this.mode = b.mode;
    }

    /** A builder for a backend with this id: priority 10, {@link Mode#WORKS}, {@link Reply#ECHO}, one token per character. */
    public static FakeBackendBuilder builder(String id) {
        return new FakeBackendBuilder(id);
    }

    /** A working echo backend with this id and priority, in this mode. */
    public static FakeBackend of(String id, int priority, Mode mode) {
        return builder(id).priority(priority).mode(mode).build();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int defaultPriority() {
        return priority;
    }

    @Override
    public Set<String> modelSettings() {
        return modelSettings;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public Availability availability(BackendContext context) {
        return switch (mode) {
            case UNAVAILABLE -> Availability.unavailable(id + " is not installed");
            case NOT_CONFIGURED -> Availability.notConfigured("set backend." + id + ".endpoints");
            case AVAILABILITY_THROWS -> throw new IllegalStateException(id + " availability blew up");
            default -> Availability.available();
        };
    }

    @Override
    public ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException {
        starts.incrementAndGet();
        startsByModel.computeIfAbsent(spec.id(), k -> new AtomicInteger()).incrementAndGet();
        specs.put(spec.id(), spec);
        Hold h = startHolds.get(spec.id());
        if (h != null) {
            h.pass();
        }
        if (failingStarts.contains(spec.id())) {
            throw new BackendStartException(id, spec.id(), new StartFailure.Exited(1, false, List.of("no luck")));
        }
        switch (mode) {
            case START_FAILS:
                throw new BackendStartException(id, spec.id(), new StartFailure.Exited(1, true, List.of("boom line")));
            case START_THROWS_RUNTIME:
                throw new IllegalStateException(id + " crashed");
            case START_THROWS_LINKAGE:
                throw new UnsatisfiedLinkError(id + " native library missing");
            case USER_ERROR:
                throw new BackendStartException(id, spec.id(), new StartFailure.ModelInvalid(spec.file(), "bad tensor"));
            default:
                FakeSession s = new FakeSession(this, spec);
                open.add(s);
                openAfterStart.add(openModels());
                last = s;
                return s;
        }
    }

    /** What the next availability check and start do. */
    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** The session this backend started last, or null. */
    public FakeSession last() {
        return last;
    }

    /** How often {@link #start} was called, failed starts included. */
    public int starts() {
        return starts.get();
    }

    /** How often {@link #start} was called for this model. */
    public int starts(String model) {
        AtomicInteger n = startsByModel.get(model);
        return n == null ? 0 : n.get();
    }

    /** The spec this model was last started with, or null. */
    public ModelSpec spec(String model) {
        return specs.get(model);
    }

    /** The models whose sessions are open now. */
    public Set<String> openModels() {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        open.forEach(s -> ids.add(s.info().modelId()));
        return ids;
    }

    /** For every successful start, the models whose sessions were open right after it (itself included). */
    public List<Set<String>> openAfterStart() {
        return List.copyOf(openAfterStart);
    }

    /** Models whose session was closed while a request was inside it: a pool must keep this empty. */
    public List<String> closedWhileBusy() {
        return List.copyOf(closedWhileBusy);
    }

    /** Every start of this model fails from now on (typed, exit code 1). */
    public void failStarts(String model) {
        failingStarts.add(model);
    }

    /** Starts of this model work again. */
    public void healStarts(String model) {
        failingStarts.remove(model);
    }

    /** The next request to this model finds the server gone, and its session dead (once). */
    public void dieOnNextRequest(String model) {
        dying.add(model);
    }

    /** Whether the death {@link #dieOnNextRequest} asked for has not happened yet. */
    public boolean stillToDie(String model) {
        return dying.contains(model);
    }

    /** From now on, requests to this model wait inside the session until the hold is released. */
    public Hold holdRequests(String model) {
        Hold h = new Hold();
        requestHolds.put(model, h);
        return h;
    }

    /** Later requests to this model are not held (a test that holds again makes a new hold). */
    public void dropRequestHold(String model) {
        requestHolds.remove(model);
    }

    /** From now on, starts of this model wait inside {@link #start} until the hold is released. */
    public Hold holdStarts(String model) {
        Hold h = new Hold();
        startHolds.put(model, h);
        return h;
    }

    /** How often any of its sessions was asked to count a prompt. */
    public int countCalls() {
        return countCalls.get();
    }

    /** Every request any of its sessions answered (or began to answer), in order. */
    public List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    /** The usage of every answer, in order. */
    public List<Usage> usages() {
        return List.copyOf(usages);
    }

    /**
     * A spec of model {@code m} whose file is a real (tiny) GGUF in {@code dir}, written once, so a
     * model's validation passes before a fake starts it.
     */
    public static ModelSpec spec(Path dir, int contextSize) throws IOException {
        Path file = dir.resolve("m.gguf");
        if (!Files.exists(file)) {
            TinyLlama.demo().write(file);
        }
        return ModelSpec.builder("m", file).contextSize(contextSize).build();
    }

    void closed(FakeSession s, boolean busy) {
        if (busy) {
            closedWhileBusy.add(s.info().modelId());
        }
        open.remove(s);
    }
}
