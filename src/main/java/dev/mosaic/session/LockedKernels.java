package dev.mosaic.session;

import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Plan;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.state.LockFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernels a playbook's {@code ${kernel:…}} lookups found, against those {@code mosaic.lock}
 * recorded at the last apply. A run follows the archive, never the lock: holding an old release
 * would break the day the archive drops it. The lock is there so that a plan says when the kernel
 * moves, and apply records where it moved to.
 */
final class LockedKernels {

    private LockedKernels() {
    }

    /** The lookups whose release the lock file does not hold, in metapackage order. */
    static List<Plan.KernelMove> moves(Playbook p) {
        if (p.kernels().isEmpty()) {
            return List.of(); // no lock file read for a playbook without lookups
        }
        Map<String, String> locked = read(p);
        List<Plan.KernelMove> moves = new ArrayList<>();
        p.kernels().forEach((metapackage, release) -> {
            if (!release.equals(locked.get(metapackage))) {
                moves.add(new Plan.KernelMove(metapackage, locked.get(metapackage), release));
            }
        });
        return moves;
    }

    /** After an apply that converged: what the lookups found becomes what the lock file holds. */
    static void record(Playbook p) throws IOException {
        if (!p.kernels().isEmpty()) {
            lockFile(p).recordKernels(p.kernels());
        }
    }

    private static Map<String, String> read(Playbook p) {
        try {
            return lockFile(p).kernels();
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }

    private static LockFile lockFile(Playbook p) {
        return new LockFile(p.baseDir().resolve("mosaic.lock"));
    }
}
