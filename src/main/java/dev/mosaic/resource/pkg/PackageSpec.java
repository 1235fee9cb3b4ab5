package dev.mosaic.resource.pkg;

import java.util.List;
import java.util.Optional;

/**
 * A Debian package in one of three states: {@code installed} or {@code absent} on the machine, or
 * {@code unpacked} into {@code dest} (only the {@code paths} prefixes when given).
 */
public record PackageSpec(String name, State state, Optional<String> version, String dest, List<String> paths) {

    public enum State { INSTALLED, ABSENT, UNPACKED }

    /** {@code name} or {@code name=version}, as apt-get takes it. */
    String aptArgument() {
        return version.map(v -> name + "=" + v).orElse(name);
    }

    boolean wanted(String path) {
        return paths.isEmpty() || paths.stream().anyMatch(p -> path.equals(p) || path.startsWith(p.endsWith("/") ? p : p + "/"));
    }
}
