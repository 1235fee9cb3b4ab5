package dev.mosaic.cli;

import dev.mosaic.diag.IoProblems;
import dev.mosaic.diag.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The paths given on the command line, checked before anything is read or written, so that a
 * mistyped option is one clear line (naming the option and the path, exit 1) instead of a failure
 * deep inside a run. Only what the option needs is required: a root or state directory that does
 * not exist yet is made by apply, so only one that exists as something else is refused.
 */
final class PathChecks {

    private PathChecks() {
    }

    /** What every command reading a playbook for a target is given: playbook, directories, numbers. */
    static void common(Path playbook, CommonOptions o) {
        if (o.jobs < 1) {
            throw new UserError("--jobs " + o.jobs + ": give at least 1");
        }
        inputFile("playbook", playbook);
        directoryIfExists("--root", o.root);
        directoryIfExists("--state-dir", o.stateDir);
        directoryIfExists("--cache-dir", o.cacheDir);
        for (Path dir : o.moduleDirs) {
            existingDirectory("--modules", dir);
        }
    }

    /** A file to read: it must exist and be a regular file (a directory, a FIFO or a device is refused). */
    static void inputFile(String what, Path file) {
        if (file == null) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new UserError(what + " " + file + " is a directory; name the file");
        }
        if (!Files.exists(file)) {
            throw new UserError(what + " " + file + ": no such file"
                    + (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? " (a symlink to nothing)" : ""));
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError(what + " " + file + " is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new UserError(what + " " + file + ": permission denied");
        }
    }

    /** A directory the run may create: refused only when something else is there, or a parent is a file. */
    static void directoryIfExists(String option, Path dir) {
        if (dir == null) {
            return;
        }
        Path abs = dir.toAbsolutePath().normalize();
        for (Path p = abs; p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new UserError(option + " " + dir + ": " + (p.equals(abs) ? "it is" : p + " is")
                        + " a file, not a directory");
            }
            if (Files.isDirectory(p)) {
                return;
            }
        }
    }

    /** A directory that must already exist. */
    static void existingDirectory(String option, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserError(option + " " + dir + ": " + (Files.exists(dir) ? "not a directory" : "no such directory"));
        }
    }

    /**
     * A file the run will write at its end (a saved plan, a report): refused before the run when it
     * is a directory, or its directory is missing or cannot be written, so that no work is done
     * for a result that could not be kept. Writes nothing (the probe file made in the directory
     * is deleted at once).
     */
    static void outputFile(String option, Path file) {
        if (file == null) {
            return;
        }
        Path abs = file.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) {
            throw new UserError(option + " " + file + " is a directory; name the file to write");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            directoryIfExists(option, dir); // a file where a directory should be says so
            throw new UserError(option + " " + file + ": directory " + dir + " does not exist");
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            throw new UserError(option + " " + file + " exists and is not a regular file");
        }
        try { // root passes every permission check, not every file system (read-only mounts)
            Files.delete(Files.createTempFile(dir, ".mosaic-probe-", ".tmp"));
        } catch (IOException e) {
            throw new UserError(option + " " + file + ": cannot write in " + dir + " (" + IoProblems.reason(e) + ")");
        }
    }
}
