package org.snowcrash.example.robot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The sample application starts as written, with the model in-process, and its brain answers and drives. */
@SpringBootTest(properties = {"snowcrash.spring.backend=llamacpp", "snowcrash.models.dir=target/models"})
class SpringRobotApplicationTest {

    @Autowired
    Brain brain;
    @Autowired
    Commands commands;

    @Test
    void theRobotAnswersWhatItSees() {
        String answer = brain.hear("What do you see?");
        assertFalse(answer.isBlank(), "an answer");
    }

    @Test
    void aSpokenCommandBecomesAToolCall() {
        String answer = brain.hear("Please drive forward three meters");
        assertEquals(List.of("move forward 3.0"), commands.done());
        assertTrue(answer.contains("forward 3 meters"), answer);
    }
}
