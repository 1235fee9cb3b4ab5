package dev.mosaic.playbook;

import dev.mosaic.diag.SourcePos;

/** A reference to another resource by id, where it was written ({@code requires}, {@code notify}). */
public record Ref(String id, SourcePos pos) {
}
