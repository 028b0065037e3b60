package org.snowcrash.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Camera scenes for the demo model, each naming objects no other scene names, so an answer tells
 * whose request it belongs to: the demo model answers "What do you see?" by naming the objects of
 * the scene in its system prompt. An answer naming another scene's object is mixed with another
 * request's; one naming all of its own and no other is its own.
 *
 * <p>Objects are single COCO words the demo model was trained on, chosen so that none is part of
 * another (no "car" beside "carrot"); each is matched as a whole word, singular or plural.
 */
final class Scenes {

    /** One scene: its system prompt and the objects an answer must name. */
    record Scene(int index, String prompt, List<String> objects) {
    }

    /** A word in its singular and plural forms. */
    private record Word(String singular, String plural) {
        Pattern pattern() {
            return Pattern.compile("\\b(" + Pattern.quote(singular) + "|" + Pattern.quote(plural) + ")\\b");
        }
    }

    private static final List<Word> WORDS = List.of(
            w("dog"), w("cup"), w("person", "people"), w("cat"), w("bottle"), w("chair"), w("horse"), w("bird"),
            w("book"), w("clock"), w("laptop"), w("bicycle"), w("apple"), w("banana"), w("boat"), w("umbrella"),
            w("bus", "buses"), w("truck"), w("cow"), w("elephant"), w("zebra"), w("giraffe"), w("backpack"),
            w("suitcase"), w("kite"), w("skateboard"), w("spoon"), w("bowl"), w("pizza"), w("cake"),
            w("bed"), w("sink"), w("vase"), w("train"), w("airplane"), w("orange"), w("donut"), w("oven"),
            w("toaster"), w("keyboard"), w("remote"), w("frisbee"), w("handbag"), w("bench", "benches"),
            w("sheep", "sheep"), w("refrigerator"), w("microwave"), w("motorcycle"));
    private static final String[] COUNTS = {"a", "two", "three"};
    private static final String[] PLACES = {"on the left", "on the right", "ahead", "nearby", "on the table", "far away"};

    private final List<Scene> scenes;
    private final List<Pattern> patterns;

    private Scenes(List<Scene> scenes) {
        this.scenes = List.copyOf(scenes);
        this.patterns = WORDS.stream().map(Word::pattern).toList();
    }

    /** Every candidate: pairs of words, no word in two scenes. */
    static Scenes candidates() {
        List<Scene> all = new ArrayList<>();
        for (int i = 0; i + 1 < WORDS.size(); i += 2) {
            int n = all.size();
            all.add(new Scene(n, "You are Snowcrash, a small robot. Your camera sees: "
                    + phrase(WORDS.get(i), COUNTS[n % 3]) + " " + PLACES[n % PLACES.length] + ", "
                    + phrase(WORDS.get(i + 1), COUNTS[(n + 1) % 3]) + " " + PLACES[(n + 3) % PLACES.length] + ".",
                    List.of(WORDS.get(i).singular(), WORDS.get(i + 1).singular())));
        }
        return new Scenes(all);
    }

    /** The scenes kept (those the model answers right when asked alone), renumbered. */
    Scenes keep(List<Scene> kept) {
        List<Scene> renumbered = new ArrayList<>();
        for (Scene s : kept) {
            renumbered.add(new Scene(renumbered.size(), s.prompt(), s.objects()));
        }
        return new Scenes(renumbered);
    }

    List<Scene> all() {
        return scenes;
    }

    Scene get(int i) {
        return scenes.get(Math.floorMod(i, scenes.size()));
    }

    int size() {
        return scenes.size();
    }

    /** How an answer relates to a scene. */
    enum Match { OWN, MIXED, OFF_SCENE }

    /**
     * {@link Match#MIXED} when the answer names an object of another scene in use, {@link Match#OWN}
     * when it names all of the scene's and nothing else, otherwise {@link Match#OFF_SCENE} (a
     * different but unmixed answer: a partial list, or an object no request asked about, which
     * only the model can have made up).
     */
    Match match(Scene scene, String answer) {
        java.util.Set<String> inUse = new java.util.HashSet<>();
        scenes.forEach(s -> inUse.addAll(s.objects()));
        return match(scene, answer, inUse);
    }

    /**
     * As {@link #match(Scene, String)}, with only {@code asked} (the objects of the scenes asked on
     * the answer's path to a model) counting as another request's: an object asked only on
     * another path cannot have come from a request on this one, so naming it is the model's slip.
     */
    Match match(Scene scene, String answer, java.util.Set<String> asked) {
        String text = answer.toLowerCase(Locale.ROOT);
        int own = 0;
        boolean other = false;
        for (int i = 0; i < WORDS.size(); i++) {
            if (patterns.get(i).matcher(text).find()) {
                String word = WORDS.get(i).singular();
                if (scene.objects().contains(word)) {
                    own++;
                } else if (asked.contains(word)) {
                    return Match.MIXED;
                } else {
                    other = true;
                }
            }
        }
        return own == scene.objects().size() && !other ? Match.OWN : Match.OFF_SCENE;
    }

    private static String phrase(Word w, String count) {
        if (count.equals("a")) {
            return ("aeiou".indexOf(w.singular().charAt(0)) >= 0 ? "an " : "a ") + w.singular();
        }
        return count + " " + w.plural();
    }

    private static Word w(String singular) {
        return new Word(singular, singular + "s");
    }

    private static Word w(String singular, String plural) {
        return new Word(singular, plural);
    }
}
