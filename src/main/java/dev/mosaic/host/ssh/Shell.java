package dev.mosaic.host.ssh;

import java.util.List;
import java.util.stream.Collectors;

/** POSIX shell quoting: what a remote {@code sh} reads back as exactly the words given. */
final class Shell {

    private Shell() {
    }

    /** One word, single-quoted unless it is made of characters no shell interprets. */
    static String quote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || "/._-+=:,@%".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    static String join(List<String> words) {
        return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }
}
