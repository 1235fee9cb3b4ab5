package dev.mosaic.resource.line;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One line of a file, present or absent. {@code line} is null only for an absent line given by
 * {@code match} alone. When both are given, {@code line} matches {@code match} (checked by parse):
 * that is what makes one apply enough, since the line written is then found again.
 */
public record LineSpec(String path, String line, Optional<String> match, boolean present) {

    /** {@code match} compiled; parse checked that it compiles. Kept as text so that specs compare by value. */
    Optional<Pattern> pattern() {
        return match.map(Pattern::compile);
    }

    /** Permissions of a file this kind creates: a configuration file anyone may read. */
    static final int NEW_FILE_MODE = 0644;

    /** The largest file edited: the whole file is read, shown in the plan's diff and rewritten. */
    static final int MAX_FILE_BYTES = 16 * 1024 * 1024;
}
