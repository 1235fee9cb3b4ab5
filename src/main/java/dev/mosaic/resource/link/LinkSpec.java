package dev.mosaic.resource.link;

/** A desired symbolic link at {@code path} pointing to {@code target}. */
public record LinkSpec(String path, String target, boolean present, boolean force) {
}
