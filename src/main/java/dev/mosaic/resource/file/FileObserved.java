package dev.mosaic.resource.file;

import dev.mosaic.host.FileStat;
import dev.mosaic.resource.Diff;

/**
 * What is at the path, plus what the content should be (read from the source at observe time).
 * {@code current} is null unless the path is a regular file and content is managed.
 */
public record FileObserved(FileStat stat, Diff.Blob current, Diff.Blob desired, int wantUid, int wantGid) {
}
