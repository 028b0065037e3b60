package org.snowcrash.models.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The {@code hf:} form, the hub settings and the addresses built from them. */
class HubSourceTest {

    @Test
    void parsesOwnerRepoFileAndRevision() {
        HubSource s = HubSource.parse("hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf");
        assertEquals(new HubSource("bartowski", "Llama-3.2-3B-Instruct-GGUF", "Llama-3.2-3B-Instruct-Q4_K_M.gguf", "main"), s);
        assertEquals("hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf@main", s.toString());
        HubSource pinned = HubSource.parse(" hf:o/r/q4/model.gguf@0123abcd ");
        assertEquals("q4/model.gguf", pinned.file());
        assertEquals("model.gguf", pinned.fileName());
        assertEquals("0123abcd", pinned.revision());
        assertEquals(List.of("o", "r", "resolve", "0123abcd", "q4", "model.gguf"), pinned.resolveSegments());
        assertEquals(HubSource.parse("hf:o/r/f.gguf@v1"), HubSource.parse(HubSource.parse("hf:o/r/f.gguf@v1").toString()));
    }

    @Test
    void badFormsAreClearErrors() {
        assertEquals("'https://x/y' is not a hub source: expected hf:<owner>/<repo>/<file>[@<revision>]", error("https://x/y"));
        assertTrue(error("hf:owner/repo").startsWith("'hf:owner/repo' names no file: expected hf:<owner>/<repo>/<file>[@<revision>]"),
                error("hf:owner/repo"));
        assertTrue(error("hf:o/r/f.gguf@").contains("the revision after '@' is empty"));
        assertTrue(error("hf:o/r/../../etc/passwd").contains("must be a path inside the repository"));
        assertTrue(error("hf:o/r/a//b.gguf").contains("must be a path inside the repository"));
        assertTrue(error("hf:o w/r/f.gguf").contains("owner 'o w' must be letters"));
        assertTrue(error("hf:o/r/f.gguf@refs/pr/1").contains("revision 'refs/pr/1' must be a branch, tag or commit"),
                error("hf:o/r/f.gguf@refs/pr/1"));
        assertTrue(error("hf:o/r/dir@x/f.gguf").contains("revision 'x/f.gguf'"), "the last '@' starts the revision");
        assertTrue(error("hf:o/r/f.gguf@bad rev").contains("revision 'bad rev' must be"));
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> HubSource.parse(text)).getMessage();
    }
}
