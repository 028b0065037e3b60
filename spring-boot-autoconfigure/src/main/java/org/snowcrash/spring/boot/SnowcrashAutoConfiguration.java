package org.snowcrash.spring.boot;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import org.snowcrash.registry.Configuration;
import org.snowcrash.spring.ai.SnowcrashChatModel;
import org.snowcrash.spring.ai.SnowcrashChatOptions;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Gives a Spring application a Snowcrash {@link ChatModel} with no code: the configuration from
 * Spring's {@link Environment} (see {@link EnvironmentSettings}), the model started while the
 * context starts ({@code snowcrash.spring.startup=eager}, the default) or on first use, and
 * closed with the context (containers removed, the in-process model closed, before the close
 * returns). Spring AI's own auto-configuration then makes the {@code ChatClient.Builder}, the
 * tool-calling manager and the observations, as for any Spring AI model.
 *
 * <p>With Actuator on the classpath it adds the {@code snowcrash} health indicator; with
 * Micrometer, the lifecycle metrics ({@link SnowcrashMetrics}). It steps aside when
 * {@code snowcrash.spring.enabled=false}, when {@code spring.ai.model.chat} names another model
 * (Spring AI's convention for choosing among model starters), or when the application defines
 * its own {@link SnowcrashRuntime}.
 */
@AutoConfiguration(afterName = {
        "org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"},
        beforeName = "org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration")
@ConditionalOnProperty(prefix = SnowcrashSpringProperties.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SnowcrashSpringProperties.class)
public class SnowcrashAutoConfiguration {

    /** The name by which {@code spring.ai.model.chat} chooses this model among Spring AI model starters. */
    public static final String MODEL_NAME = "snowcrash";

    /** The events of every model, for health and metrics. */
    @Bean
    @ConditionalOnMissingBean
    public ModelStates snowcrashModelStates() {
        return new ModelStates();
    }

    /** Snowcrash's configuration, read from the environment once, at start. */
    @Bean
    @ConditionalOnMissingBean(name = "snowcrashSettings")
    public Configuration snowcrashSettings(Environment environment) {
        return EnvironmentSettings.read(environment);
    }

    /**
     * The models; started here unless {@code snowcrash.spring.startup=lazy}. A failed start fails
     * the context (see {@link SnowcrashFailureAnalyzer}) and leaves nothing running.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public SnowcrashRuntime snowcrashRuntime(Configuration snowcrashSettings, SnowcrashSpringProperties properties,
                                             ModelStates states) {
        SnowcrashRuntime runtime = SnowcrashRuntime.create(snowcrashSettings, properties, states);
        if (properties.getStartup() == SnowcrashSpringProperties.Startup.EAGER) {
            try {
                runtime.start();
            } catch (RuntimeException e) {
                runtime.close(); // a pool may have started something; the context never sees this bean
                throw e;
            }
        }
        return runtime;
    }

    /** The Spring AI chat model on the runtime. */
    @Bean
    @ConditionalOnMissingBean(SnowcrashChatModel.class)
    @ConditionalOnProperty(name = "spring.ai.model.chat", havingValue = MODEL_NAME, matchIfMissing = true)
    public SnowcrashChatModel snowcrashChatModel(SnowcrashRuntime runtime, SnowcrashSpringProperties properties,
                                                 ObjectProvider<ToolCallingManager> toolCallingManager,
                                                 ObjectProvider<ObservationRegistry> observationRegistry,
                                                 ObjectProvider<ChatModelObservationConvention> observationConvention) {
        SnowcrashSpringProperties.Options o = properties.getOptions();
        SnowcrashChatOptions defaults = SnowcrashChatOptions.builder().model(properties.getModel())
                .maxTokens(o.getMaxTokens()).temperature(o.getTemperature()).seed(o.getSeed())
                .stopSequences(o.getStop().isEmpty() ? null : o.getStop()).build();
        SnowcrashChatModel.Builder b = SnowcrashChatModel.builder().defaultOptions(defaults)
                .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
        if (runtime.pool() != null) {
            b.pool(runtime.pool(), runtime.defaultModel());
        } else {
            b.runningModel(runtime::model);
        }
        toolCallingManager.ifUnique(b::toolCallingManager);
        observationConvention.ifUnique(b::observationConvention);
        return b.build();
    }

    /**
     * Makes {@code ChatClient}'s {@code entity(...)} send the answer's JSON schema to the model
     * (Spring AI's native structured output), so the backend constrains the answer instead of a
     * prompt asking for it. {@code snowcrash.spring.native-structured-output=false} turns it off.
     */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ChatClientBuilderCustomizer.class)
    @ConditionalOnProperty(prefix = SnowcrashSpringProperties.PREFIX, name = "native-structured-output",
            havingValue = "true", matchIfMissing = true)
    static class StructuredOutput {
        @Bean
        ChatClientBuilderCustomizer snowcrashNativeStructuredOutput() {
            return builder -> builder.defaultAdvisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT);
        }
    }

    /** The {@code snowcrash} health indicator, with Actuator's health support on the classpath. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("snowcrash")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "snowcrashHealthIndicator")
        SnowcrashHealthIndicator snowcrashHealthIndicator(SnowcrashRuntime runtime) {
            return new SnowcrashHealthIndicator(runtime);
        }
    }

    /** The lifecycle metrics, with Micrometer on the classpath. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        SnowcrashMetrics snowcrashMetrics(ModelStates states, SnowcrashRuntime runtime) {
            return new SnowcrashMetrics(states, runtime);
        }
    }
}
