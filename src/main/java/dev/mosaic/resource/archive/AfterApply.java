package dev.mosaic.resource.archive;

import dev.mosaic.resource.Memory;

import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * What an apply that unpacked a whole archive hands to the observe the engine makes right after
 * it (its verify step), so that the 80,000 entries of a kernel tree are not {@code lstat}ed (and
 * the manifest not parsed) twice in a row.
 *
 * <p>Why this is that observation: {@link Drift#stamp} takes every entry's {@code lstat} after
 * the unpack's last write (the new tree renamed into place and flushed, or the batch's last
 * commit) and judges them by the very rule {@link Drift#compare} applies, content read where the
 * identity is not trusted. A compare a moment later would see other results only if something
 * wrote into the destination in between, and that the verify never excluded: a write just after
 * compare's {@code lstat}s goes as unseen. No resource of the plan writes there meanwhile: whoever
 * reads or modifies what lies in {@code dest} comes after the archive ({@link ArchiveType#paths}).
 *
 * <p>Used once: the first observe after the apply takes it, whatever it finds. It applies only to
 * the same resource's context (the key is its {@link Memory} object, which the engine keeps from
 * the apply to its verify) and only while the manifest in that memory is the very text the apply
 * wrote; otherwise observe compares as always. A repair of drifted entries (which stats only what
 * it rewrote) hands nothing over.
 */
final class AfterApply {

    /** What one apply left: the manifest's text as written, the manifest, compare's verdict. */
    record Observation(String text, Manifest manifest, Drift.Found found) {

        /** Whether the manifest a memory holds now is the one this apply wrote. */
        boolean current(Optional<String> now) {
            return now.isPresent() && now.get().equals(text);
        }
    }

    private static final Map<Memory, Observation> HANDED = Collections.synchronizedMap(new WeakHashMap<>());

    private AfterApply() {
    }

    /** Writes the manifest and keeps, for the next observe in this memory, what the unpack saw. */
    static void write(Manifest manifest, Drift.Found found, Memory memory) throws IOException {
        HANDED.remove(memory);
        String text = manifest.write(memory);
        if (found != null) {
            HANDED.put(memory, new Observation(text, manifest, found));
        }
    }

    /**
     * What an apply just handed over in this memory, taken (once, whatever the caller then does);
     * the caller uses it only when {@link Observation#current} the manifest the memory holds.
     */
    static Optional<Observation> take(Memory memory) {
        return Optional.ofNullable(HANDED.remove(memory));
    }
}
