package dev.mosaic.testing;

import dev.mosaic.base.TargetPath;

import java.io.IOException;

/**
 * {@code tp("/x")}: {@link TargetPath#of} for a test's path, without a checked exception in the
 * test's way. A text that is no target path throws the very {@link IOException} {@code of} throws
 * (undeclared), so a test asserting that a hostile path is refused sees the refusal a caller sees.
 */
public final class Tp {

    private Tp() {
    }

    public static TargetPath tp(String path) {
        try {
            return TargetPath.of(path);
        } catch (IOException e) {
            throw Tp.<RuntimeException>undeclared(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E undeclared(Exception e) throws E {
        throw (E) e;
    }
}
