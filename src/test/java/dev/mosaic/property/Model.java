package dev.mosaic.property;

import java.util.List;

/**
 * What the property tests generate: a playbook as data, before it is written out as YAML. A
 * scenario is a playbook (version 1), some drift made by hand on the target after it was applied,
 * and a second version of the playbook. Each numbered slot holds at most one unit per version, so
 * a slot that keeps its unit keeps its address (an update), one that loses it is a removal, and one
 * that gains it is a creation.
 *
 * <p>References between units (a file inside a directory, a link's target, a build's input, a
 * notify) are slot numbers, resolved against the version being written: what a reference names may
 * be of another kind or absent, and the playbook then simply does without it. That keeps every
 * generated playbook valid and lets jqwik shrink any part of it independently.
 */
final class Model {

    private Model() {
    }

    /** How many slots a playbook has at most; references are taken modulo the actual number. */
    static final int MAX_SLOTS = 6;

    /** One resource (or a small group: a build with its directory, a module call) of a playbook. */
    sealed interface Unit {
        /** A regular file at {@code /srv/fileN}, or inside the directory of slot {@code parent}. */
        record File(String content, String mode, boolean fromSource, int parent, int notifies) implements Unit {
        }

        /** A directory at {@code /srv/dirN}. */
        record Dir(String mode) implements Unit {
        }

        /** A symbolic link at {@code /srv/linkN} to the path of slot {@code target} (or to nothing). */
        record Link(int target, boolean absolute) implements Unit {
        }

        /** A copy of the tree {@code src/copyN} (next to the playbook) to {@code /srv/copyN}. */
        record Copy(List<Entry> tree, boolean purge) implements Unit {
        }

        /** {@code src/archiveN.tar.gz}, built by the test, unpacked into {@code /srv/archiveN}. */
        record Archive(List<Entry> entries) implements Unit {
        }

        /** A build in {@code /srv/buildN} writing {@code out} from the file of slot {@code input} (or a constant). */
        record Build(int input, boolean share) implements Unit {
        }

        /** A call of the module {@code unit} (a directory and a file) with {@code /srv/modN} and these params. */
        record Module(String text, String mode) implements Unit {
        }
    }

    /** A file of a source tree or an archive. */
    record Entry(String path, String content, String mode) {
    }

    /** One slot's unit in each version; null where the version has none. */
    record Slot(Unit v1, Unit v2) {
    }

    /** A hand edit of the target between the two applies, aimed at what slot {@code slot} made in version 1. */
    record Drift(int slot, Edit edit) {
    }

    enum Edit {
        /** The managed path is deleted (a whole tree for a directory). */
        DELETE,
        /** A managed regular file gets other content. */
        REWRITE,
        /** A managed file or directory gets other permission bits. */
        CHMOD,
        /** A stray file appears inside a managed directory. */
        STRAY
    }

    record Scenario(List<Slot> slots, List<Drift> drift) {

        List<Unit> version(int v) {
            return slots.stream().map(s -> v == 1 ? s.v1() : s.v2()).toList();
        }
    }
}
