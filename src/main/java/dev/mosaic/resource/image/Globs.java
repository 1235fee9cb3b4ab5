package dev.mosaic.resource.image;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/** The {@code exclude:} patterns of an image: {@code *} within one name, {@code **} across directories. */
final class Globs {

    private final List<PathMatcher> matchers = new ArrayList<>();

    Globs(List<String> patterns) {
        for (String p : patterns) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + p));
        }
    }

    /** Whether an absolute image path is excluded. */
    boolean matches(String path) {
        Path p = Path.of(path);
        for (PathMatcher m : matchers) {
            if (m.matches(p)) {
                return true;
            }
        }
        return false;
    }
}
