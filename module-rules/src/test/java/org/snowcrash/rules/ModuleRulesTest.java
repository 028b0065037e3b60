package org.snowcrash.rules;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.snowcrash.agent.internal.RulesFixtureInternal;
import org.snowcrash.api.rulesfixture.ApiReachingOut;
import org.snowcrash.backend.remote.rulesfixture.RemoteUsingDocker;
import org.snowcrash.cli.rulesfixture.CliUsingABackend;
import org.snowcrash.cli.rulesfixture.CliUsingAnotherModulesInternals;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The rules that keep the modules' shape (ARCHITECTURE.md in short; docs/architecture.md, "Rules that keep the shape"), checked
 * on the compiled main classes of every module at once, and each shown to fail on a class that
 * breaks it.
 */
class ModuleRulesTest {

    /** Our modules and the package each one owns. */
    enum Module {
        API("org.snowcrash.api"),
        TOOLS("org.snowcrash.tools"),
        OPENAI_WIRE("org.snowcrash.openai.wire"),
        REGISTRY("org.snowcrash.registry"),
        MACHINE("org.snowcrash.machine"),
        MODELS("org.snowcrash.models"),
        HUB("org.snowcrash.hub"),
        TEST_KIT("org.snowcrash.testkit"),
        DEMO_MODEL("org.snowcrash.demo"),
        AGENT_CORE("org.snowcrash.agent"),
        BACKEND_TCK("org.snowcrash.tck"),
        OPENAI_CLIENT("org.snowcrash.openai"),
        BACKEND_DOCKER("org.snowcrash.backend.docker"),
        BACKEND_LLAMACPP("org.snowcrash.backend.llamacpp"),
        BACKEND_REMOTE("org.snowcrash.backend.remote"),
        LANGCHAIN4J("org.snowcrash.langchain4j"),
        SERVER("org.snowcrash.server"),
        CLI("org.snowcrash.cli"),
        BENCH("org.snowcrash.bench");

        final String pkg;

        Module(String pkg) {
            this.pkg = pkg;
        }

        /** The module a class belongs to, by the longest package that owns it. */
        static Optional<Module> of(JavaClass c) {
            String p = c.getPackageName();
            return Arrays.stream(values()).filter(m -> p.equals(m.pkg) || p.startsWith(m.pkg + "."))
                    .max(Comparator.comparingInt(m -> m.pkg.length()));
        }
    }

    /** Every main class of every module (test classes, fixtures included, are left out). */
    private static final JavaClasses OURS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.snowcrash");

    /**
     * Which module may use which: each module's compile dependencies on ours, from its POM (test
     * scope left out), as docs/architecture.md's table says. A class may use its own module and
     * what these reach transitively; anything else is a layering violation.
     */
    static final java.util.Map<Module, java.util.Set<Module>> DEPENDS_ON = java.util.Map.ofEntries(
            java.util.Map.entry(Module.API, java.util.Set.of()),
            java.util.Map.entry(Module.TOOLS, java.util.Set.of(Module.API)),
            java.util.Map.entry(Module.OPENAI_WIRE, java.util.Set.of(Module.API)),
            java.util.Map.entry(Module.MACHINE, java.util.Set.of(Module.API)),
            java.util.Map.entry(Module.REGISTRY, java.util.Set.of(Module.API)),
            java.util.Map.entry(Module.MODELS, java.util.Set.of(Module.API, Module.MACHINE)),
            java.util.Map.entry(Module.HUB, java.util.Set.of(Module.API, Module.MODELS)),
            java.util.Map.entry(Module.TEST_KIT, java.util.Set.of(Module.API, Module.MODELS)),
            java.util.Map.entry(Module.DEMO_MODEL, java.util.Set.of(Module.API, Module.MODELS)),
            java.util.Map.entry(Module.AGENT_CORE, java.util.Set.of(Module.API, Module.REGISTRY, Module.MODELS, Module.MACHINE, Module.TOOLS)),
            java.util.Map.entry(Module.BACKEND_TCK, java.util.Set.of(Module.API, Module.MODELS, Module.TOOLS, Module.TEST_KIT, Module.DEMO_MODEL)),
            java.util.Map.entry(Module.OPENAI_CLIENT, java.util.Set.of(Module.API, Module.OPENAI_WIRE)),
            java.util.Map.entry(Module.BACKEND_DOCKER, java.util.Set.of(Module.API, Module.MODELS, Module.MACHINE, Module.OPENAI_CLIENT, Module.TOOLS)),
            java.util.Map.entry(Module.BACKEND_LLAMACPP, java.util.Set.of(Module.API, Module.MODELS, Module.TOOLS)),
            java.util.Map.entry(Module.BACKEND_REMOTE, java.util.Set.of(Module.API, Module.OPENAI_CLIENT)),
            java.util.Map.entry(Module.LANGCHAIN4J, java.util.Set.of(Module.API, Module.AGENT_CORE)),
            java.util.Map.entry(Module.SERVER, java.util.Set.of(Module.API, Module.REGISTRY, Module.MODELS, Module.AGENT_CORE, Module.TOOLS,
                    Module.OPENAI_WIRE)),
            java.util.Map.entry(Module.CLI, java.util.Set.of(Module.API, Module.REGISTRY, Module.MODELS, Module.HUB, Module.MACHINE,
                    Module.AGENT_CORE, Module.SERVER, Module.DEMO_MODEL)),
            java.util.Map.entry(Module.BENCH, java.util.Set.of(Module.AGENT_CORE, Module.SERVER, Module.BACKEND_DOCKER,
                    Module.BACKEND_LLAMACPP, Module.LANGCHAIN4J, Module.TEST_KIT, Module.DEMO_MODEL)));

    /** {@code m}, and every module it reaches through {@link #DEPENDS_ON}. */
    static java.util.Set<Module> reachable(Module m) {
        java.util.Set<Module> seen = java.util.EnumSet.of(m);
        java.util.Deque<Module> todo = new java.util.ArrayDeque<>(DEPENDS_ON.get(m));
        while (!todo.isEmpty()) {
            Module next = todo.pop();
            if (seen.add(next)) {
                todo.addAll(DEPENDS_ON.get(next));
            }
        }
        return seen;
    }

    static final ArchRule EACH_MODULE_USES_ONLY_WHAT_IT_DEPENDS_ON = classes()
            .that().resideInAPackage("org.snowcrash..")
            .should(new ArchCondition<JavaClass>("use only its own module and the modules it depends on") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    Optional<Module> own = Module.of(c);
                    if (own.isEmpty()) {
                        return;
                    }
                    java.util.Set<Module> allowed = reachable(own.get());
                    for (Dependency d : c.getDirectDependenciesFromSelf()) {
                        Optional<Module> target = Module.of(d.getTargetClass());
                        if (target.isPresent() && !allowed.contains(target.get())) {
                            events.add(SimpleConditionEvent.violated(d, own.get() + " may not use " + target.get() + ": "
                                    + d.getDescription()));
                        }
                    }
                }
            })
            .because("the layering of docs/architecture.md: a lower module never knows the ones built on it");

    static final ArchRule THE_SPI_USES_THE_JDK_ONLY = classes()
            .that().resideInAPackage("org.snowcrash.api..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.snowcrash.api..", "com.fasterxml.jackson.core..")
            .because("a backend's author gets the SPI and nothing else; jackson-core's streaming parser (no type of it in the"
                    + " SPI) checks that a JsonSchema is one object schema, which is not written by hand");

    static final ArchRule API_DEPENDS_ON_NOTHING_OF_OURS = noClasses()
            .that().resideInAPackage("org.snowcrash.api..")
            .should().dependOnClassesThat(resideInAPackage("org.snowcrash..").and(not(resideInAPackage("org.snowcrash.api.."))))
            .because("api is what every other module speaks and depends on no other module");

    static final ArchRule NO_LIBRARY_OR_FRONT_END_COMPILES_AGAINST_A_BACKEND = noClasses()
            .that().resideInAnyPackage("org.snowcrash.api..", "org.snowcrash.tools..", "org.snowcrash.registry..",
                    "org.snowcrash.machine..", "org.snowcrash.models..", "org.snowcrash.hub..", "org.snowcrash.testkit..", "org.snowcrash.demo..",
                    "org.snowcrash.agent..", "org.snowcrash.tck..", "org.snowcrash.langchain4j..", "org.snowcrash.server..",
                    "org.snowcrash.cli..", "org.snowcrash.openai..")
            .should().dependOnClassesThat().resideInAPackage("org.snowcrash.backend..")
            .because("backends arrive on the classpath as plugins (only the benchmark measures them directly)");

    /** The backend modules: plugins that must not lean on each other (what they share lives in openai-client). */
    private static final java.util.Set<Module> BACKENDS = java.util.EnumSet.of(Module.BACKEND_DOCKER, Module.BACKEND_LLAMACPP,
            Module.BACKEND_REMOTE);

    static final ArchRule NO_BACKEND_DEPENDS_ON_ANOTHER_BACKEND = classes()
            .that().resideInAPackage("org.snowcrash.backend..")
            .should(new ArchCondition<JavaClass>("not depend on another backend module") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    Optional<Module> own = Module.of(c);
                    for (Dependency d : c.getDirectDependenciesFromSelf()) {
                        Optional<Module> target = Module.of(d.getTargetClass());
                        if (target.isPresent() && BACKENDS.contains(target.get()) && !target.equals(own)) {
                            events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                        }
                    }
                }
            })
            .because("each backend is a plugin of its own; code two backends need lives in a shared module (openai-client)");

    static final ArchRule NO_MODULE_REACHES_INTO_ANOTHERS_INTERNALS = classes()
            .that().resideInAPackage("org.snowcrash..")
            .should(new ArchCondition<JavaClass>("not depend on another module's internal package") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    Optional<Module> own = Module.of(c);
                    for (Dependency d : c.getDirectDependenciesFromSelf()) {
                        JavaClass target = d.getTargetClass();
                        boolean internal = ("." + target.getPackageName() + ".").contains(".internal.");
                        if (internal && target.getPackageName().startsWith("org.snowcrash.") && !Module.of(target).equals(own)) {
                            events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                        }
                    }
                }
            });

    @Test
    void theRulesSeeEveryModule() {
        for (Module m : Module.values()) {
            assertTrue(OURS.stream().anyMatch(c -> Module.of(c).equals(Optional.of(m))),
                    "no class of " + m + " was imported: the rules would pass without looking at it");
        }
        // The other way round: a module the enum does not know (a new one) would escape every rule.
        for (JavaClass c : OURS) {
            assertTrue(Module.of(c).isPresent(), c.getName() + " belongs to no module the rules know: add its module");
        }
        assertFalse(OURS.contain(ApiReachingOut.class), "fixtures are not part of the checked classes");
    }

    @Test
    void eachModuleUsesOnlyTheModulesItDependsOn() {
        EACH_MODULE_USES_ONLY_WHAT_IT_DEPENDS_ON.check(OURS);
        for (Module m : Module.values()) {
            assertTrue(DEPENDS_ON.containsKey(m), m + " has no line in the layering table");
        }
    }

    @Test
    void theSpiUsesTheJdkOnly() {
        THE_SPI_USES_THE_JDK_ONLY.check(OURS);
    }

    @Test
    void apiDependsOnNothingOfOurs() {
        API_DEPENDS_ON_NOTHING_OF_OURS.check(OURS);
    }

    @Test
    void agentCoreCliAndTheOtherLibrariesNeverCompileAgainstABackend() {
        NO_LIBRARY_OR_FRONT_END_COMPILES_AGAINST_A_BACKEND.check(OURS);
    }

    @Test
    void noBackendDependsOnAnotherBackend() {
        NO_BACKEND_DEPENDS_ON_ANOTHER_BACKEND.check(OURS);
    }

    @Test
    void noModuleReachesIntoAnotherModulesInternalPackage() {
        NO_MODULE_REACHES_INTO_ANOTHERS_INTERNALS.check(OURS);
    }

    @Test
    void eachRuleFailsOnAClassThatBreaksIt() {
        JavaClasses broken = new ClassFileImporter().importClasses(ApiReachingOut.class, CliUsingABackend.class,
                CliUsingAnotherModulesInternals.class, RulesFixtureInternal.class, RemoteUsingDocker.class);
        assertTrue(API_DEPENDS_ON_NOTHING_OF_OURS.evaluate(broken).hasViolation());
        assertTrue(NO_LIBRARY_OR_FRONT_END_COMPILES_AGAINST_A_BACKEND.evaluate(broken).hasViolation());
        assertTrue(NO_MODULE_REACHES_INTO_ANOTHERS_INTERNALS.evaluate(broken).hasViolation());
        assertTrue(NO_BACKEND_DEPENDS_ON_ANOTHER_BACKEND.evaluate(broken).hasViolation());
        assertTrue(EACH_MODULE_USES_ONLY_WHAT_IT_DEPENDS_ON.evaluate(new ClassFileImporter().importClasses(
                org.snowcrash.tools.rulesfixture.ToolsUsingTheAgent.class)).hasViolation());
        assertTrue(THE_SPI_USES_THE_JDK_ONLY.evaluate(new ClassFileImporter().importClasses(
                org.snowcrash.api.rulesfixture.ApiUsingALibrary.class)).hasViolation());
        // Sharing the client module is what backends are meant to do.
        assertFalse(NO_BACKEND_DEPENDS_ON_ANOTHER_BACKEND.evaluate(new ClassFileImporter().importClasses(
                org.snowcrash.backend.remote.RemoteBackend.class, org.snowcrash.openai.OpenAiClient.class)).hasViolation());
        // A module's own internal package is its own business.
        JavaClasses own = new ClassFileImporter().importClasses(RulesFixtureInternal.class, org.snowcrash.agent.Agent.class);
        assertFalse(NO_MODULE_REACHES_INTO_ANOTHERS_INTERNALS.evaluate(own).hasViolation());
    }
}
