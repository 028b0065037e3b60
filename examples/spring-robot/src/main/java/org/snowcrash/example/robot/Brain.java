package org.snowcrash.example.robot;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.stereotype.Service;

/** What the robot says to what it hears: one {@code ChatClient} with the scene as the system prompt and the robot's commands as tools. */
@Service
public class Brain {

    /** What the camera sees, put into the prompt the way the robot's detector output is. */
    static final String SCENE = "You are Snowcrash, a small robot. Your camera sees: a person on the left, two cups ahead.";

    /** The scene as a structured answer. */
    public record Scene(String person, int cups) {
    }

    private final ChatClient chat;
    private final Commands commands;

    public Brain(ChatClient.Builder builder, Commands commands) {
        this.chat = builder.defaultSystem(SCENE).build();
        this.commands = commands;
    }

    /** The answer to one sentence; the model may call the robot's commands on the way (Spring AI runs them). */
    public String hear(String sentence) {
        return chat.prompt().user(sentence).tools(commands).call().content();
    }
}
