package dev.mosaic.resource.patch;

import java.util.Optional;

/** A unified diff (inline {@code content} or a {@code source} file) applied in {@code dir} with -p{@code strip}. */
public record PatchSpec(String dir, Optional<String> content, Optional<String> source, int strip, int fuzz) {
}
