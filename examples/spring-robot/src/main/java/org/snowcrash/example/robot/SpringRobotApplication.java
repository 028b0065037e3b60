package org.snowcrash.example.robot;

import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A robot's brain on Snowcrash, as a Spring Boot application: the starter gives it the model (see
 * {@code application.yml}), {@link Brain} talks to it through Spring AI's {@code ChatClient}, and
 * {@link Commands} are the {@code @Tool} methods the model may call.
 *
 * <pre>
 * java -jar snowcrash-example-spring-robot.jar "What do you see?"
 * </pre>
 */
@SpringBootApplication
public class SpringRobotApplication {

    public static void main(String[] args) {
        SpringApplication.run(SpringRobotApplication.class, args);
    }

    /** Answers the words given on the command line, if any, then the application ends. */
    @Bean
    CommandLineRunner answerTheCommandLine(Brain brain) {
        return args -> {
            if (args.length > 0) {
                System.out.println(brain.hear(String.join(" ", args)));
            }
        };
    }
}
