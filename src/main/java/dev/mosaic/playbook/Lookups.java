package dev.mosaic.playbook;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YamlReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The values a playbook takes from outside itself: {@code ${env:NAME}}, an environment variable
 * of the process running Mosaic; {@code ${file:PATH}}, a file's text (UTF-8, one trailing newline
 * dropped, as Ansible's file lookup does), the path relative to the file the reference is written
 * in. A missing one is an error at the reference, never an empty string; the {@link Interpolator}
 * keeps what they return as sensitive.
 *
 * <p>{@code ${kernel:METAPACKAGE}} is of another sort: not a secret but a fact about the Debian
 * archive that moves with its point releases, asked through a {@link KernelLookup} once per load
 * ({@link Kernels}) and remembered, so that the run can record it in {@code mosaic.lock}.
 */
final class Lookups {

    /** The largest file {@code ${file:…}} reads. */
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private Lookups() {
    }

    /**
     * The text an {@code env:…} or {@code file:…} reference stands for, or null when there is
     * none (reported at {@code refPos}).
     *
     * @param baseDir where {@code file:} paths are read from; null: not here
     */
    static String text(String name, SourcePos refPos, Path baseDir, Diagnostics diags) {
        return name.startsWith("env:") ? env(name, refPos, diags) : file(name, refPos, baseDir, diags);
    }

    private static String env(String name, SourcePos refPos, Diagnostics diags) {
        String value = System.getenv(name.substring(4));
        if (value == null) {
            diags.error(refPos, "'${" + name + "}': the environment variable " + name.substring(4) + " is not set");
        }
        return value;
    }

    private static String file(String name, SourcePos refPos, Path baseDir, Diagnostics diags) {
        if (baseDir == null) {
            diags.error(refPos, "'${" + name + "}': files cannot be read here");
            return null;
        }
        Path file = baseDir.resolve(name.substring(5));
        if (Files.exists(file) && !Files.isRegularFile(file)) { // a directory, or a device read forever
            diags.error(refPos, "'${" + name + "}': " + file + " is not a regular file");
            return null;
        }
        String value;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) { // read whole, and kept in memory: a key, a certificate, a text
                diags.error(refPos, "'${" + name + "}': " + file + " has " + size + " bytes; a file read by ${file:…}"
                        + " has at most " + MAX_FILE_BYTES + " (16 MiB). Give a bigger file to a file or copy"
                        + " resource as its source instead");
                return null;
            }
            value = YamlReader.text(file.toString(), Files.readAllBytes(file), diags);
        } catch (NoSuchFileException e) {
            diags.error(refPos, "'${" + name + "}': no such file " + file);
            return null;
        } catch (IOException | java.nio.file.InvalidPathException e) {
            diags.error(refPos, "'${" + name + "}': cannot read " + file + ": " + e.getMessage());
            return null;
        }
        if (value == null) {
            return null; // not UTF-8: reported at the file's bad byte
        }
        return value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    }

    /**
     * The {@code ${kernel:…}} lookups of one load, shared by all its scopes: each metapackage is
     * asked once (a failure is reported at each reference), and what was found is kept sorted
     * for {@link Playbook#kernels()}.
     */
    static final class Kernels {
        private final KernelLookup lookup;
        private final java.util.Map<String, String> found = new java.util.TreeMap<>();
        private final java.util.Map<String, String> failed = new java.util.HashMap<>();

        Kernels(KernelLookup lookup) {
            this.lookup = lookup;
        }

        /** The release {@code ${kernel:METAPACKAGE}} stands for, or null (reported at {@code refPos}). */
        String release(String metapackage, SourcePos refPos, Diagnostics diags) {
            String known = found.get(metapackage);
            if (known != null) {
                return known;
            }
            String why = failed.get(metapackage);
            if (why == null) {
                try {
                    String release = lookup.release(metapackage);
                    found.put(metapackage, release);
                    return release;
                } catch (KernelLookup.Failed e) {
                    why = e.getMessage();
                    failed.put(metapackage, why);
                }
            }
            diags.error(refPos, "'${kernel:" + metapackage + "}': " + why);
            return null;
        }

        /** Metapackage → release, for every lookup that succeeded. */
        java.util.Map<String, String> found() {
            return java.util.Map.copyOf(found);
        }
    }
}
