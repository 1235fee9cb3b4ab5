package dev.mosaic.resource.file;

import java.util.Optional;

/**
 * A desired regular file. Content is managed only when {@code content} or {@code source} is given;
 * mode, owner and group only when given.
 */
public record FileSpec(String path, boolean present, Optional<byte[]> content, Optional<String> source,
                       Optional<Integer> mode, Optional<String> owner, Optional<String> group) {

    static final int DEFAULT_MODE = 0644;

    boolean managesContent() {
        return content.isPresent() || source.isPresent();
    }
}
