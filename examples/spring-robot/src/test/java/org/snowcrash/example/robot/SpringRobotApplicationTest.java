package org.snowcrash.example.robot;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The sample application starts as written, with the model in-process, and its brain answers. */
@SpringBootTest(properties = {"snowcrash.spring.backend=llamacpp", "snowcrash.models.dir=target/models"})
class SpringRobotApplicationTest {

    @Autowired
    Brain brain;

    @Test
    void theRobotAnswersWhatItSees() {
        String answer = brain.hear("What do you see?");
        assertFalse(answer.isBlank(), "an answer");
    }
}
