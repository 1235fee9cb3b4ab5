package dev.mosaic.resource.copy;

/**
 * A destination tree mirroring a source tree. {@code source} is an absolute target path or a path
 * relative to the playbook (on the control machine).
 */
public record CopySpec(String source, String dest, boolean purge) {

    boolean sourceOnTarget() {
        return source.startsWith("/");
    }
}
