package dev.mosaic.host.ssh;

import dev.mosaic.host.FileStat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The remote half of batched observation: one command that {@code lstat}s many paths (or lists
 * whole trees) with GNU {@code find}, and one that hashes many files with {@code sha256sum}. Paths
 * travel NUL-separated on standard input, so any file name is safe; answers come back
 * NUL-separated, prefixed by the remote clock (for the stat cache's racy-timestamp guard).
 * Needs only what every Debian has: a POSIX shell, findutils and coreutils.
 */
final class Probe {

    private Probe() {
    }

    /** Kind, mode, size, mtime, ctime, inode, uid, gid, then path and link target. */
    private static final String FORMAT = "%y %m %s %T@ %C@ %i %U %G\\0%p\\0%l\\0";

    /** What one probe saw: remote paths to their stat (with a file key for the stat cache). */
    record Seen(long remoteNanos, Map<String, Entry> entries) {
    }

    record Entry(FileStat stat, String fileKey) {
    }

    /**
     * The command for one probe of the paths given NUL-separated on standard input: each path
     * alone, or with everything below it when {@code recursive}.
     */
    static String statCommand(boolean recursive) {
        return "LC_ALL=C; export LC_ALL; command -v find >/dev/null || exit 127; date +%s%N; "
                + "xargs -0 -r sh -c 'exec find -P \"$@\"" + (recursive ? "" : " -maxdepth 0") + " -printf \"" + FORMAT
                + "\"' sh 2>/dev/null; exit 0";
    }

    /**
     * The command for one probe (each path alone) that also hashes, in the same round trip, every
     * regular file among them: the metadata on standard output as {@link #statCommand}'s, the
     * {@code sha256sum -z} lines on standard error ({@link #parseHashLines}). Where standard
     * output cannot be opened again as {@code /dev/fd/N} (a socket), it is {@link #statCommand}'s
     * probe alone, and the hashes are asked later.
     */
    static String statAndHashCommand() {
        return "LC_ALL=C; export LC_ALL; command -v find >/dev/null || exit 127; date +%s%N; "
                + "if (: >/dev/fd/1) 2>/dev/null; then "
                + "xargs -0 -r sh -c 'exec find -P \"$@\" -maxdepth 0 -fprintf /dev/fd/3 \"" + FORMAT
                + "\" -type f -exec sha256sum -z -- {} +' sh 3>&1 1>&2 2>/dev/null; "
                + "else xargs -0 -r sh -c 'exec find -P \"$@\" -maxdepth 0 -printf \"" + FORMAT + "\"' sh 2>/dev/null; fi; exit 0";
    }

    static byte[] nulList(Collection<String> paths) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : paths) {
            out.writeBytes(p.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    static Seen parseStats(byte[] out) throws IOException {
        int nl = indexOf(out, (byte) '\n', 0);
        if (nl < 0) {
            throw new IOException("unexpected answer to a probe (no clock line)");
        }
        long now = parseNanos(new String(out, 0, nl, StandardCharsets.US_ASCII).trim());
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> fields = split(out, nl + 1);
        for (int i = 0; i + 2 < fields.size(); i += 3) {
            String[] meta = fields.get(i).split(" ");
            if (meta.length != 8) {
                throw new IOException("unexpected answer to a probe: " + fields.get(i));
            }
            String path = fields.get(i + 1);
            String link = fields.get(i + 2);
            FileStat.Kind kind = switch (meta[0]) {
                case "f" -> FileStat.Kind.FILE;
                case "d" -> FileStat.Kind.DIRECTORY;
                case "l" -> FileStat.Kind.SYMLINK;
                default -> FileStat.Kind.OTHER;
            };
            long mtime = parseSecondsDotNanos(meta[3]);
            long inode = Long.parseLong(meta[5]);
            FileStat stat = new FileStat(kind, Long.parseLong(meta[2]), mtime, inode,
                    Integer.parseInt(meta[1], 8) & 07777, Integer.parseInt(meta[6]), Integer.parseInt(meta[7]),
                    kind == FileStat.Kind.SYMLINK ? link : null);
            entries.put(path, new Entry(stat, inode + ":" + parseSecondsDotNanos(meta[4])));
        }
        return new Seen(now, entries);
    }

    /** Hashes the files named NUL-separated on standard input. */
    static String hashCommand() {
        return "LC_ALL=C; export LC_ALL; date +%s%N; xargs -0 -r sha256sum -z -- 2>/dev/null; exit 0";
    }

    record Hashes(long remoteNanos, Map<String, String> byPath) {
    }

    static Hashes parseHashes(byte[] out) throws IOException {
        int nl = indexOf(out, (byte) '\n', 0);
        if (nl < 0) {
            throw new IOException("unexpected answer to sha256sum (no clock line)");
        }
        long now = parseNanos(new String(out, 0, nl, StandardCharsets.US_ASCII).trim());
        return new Hashes(now, parseHashLines(out, nl + 1));
    }

    /** {@code sha256sum -z} lines from {@code from} on: remote paths to their hashes. */
    static Map<String, String> parseHashLines(byte[] out, int from) throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String line : split(out, from)) {
            if (line.length() < 67 || line.charAt(64) != ' ') {
                throw new IOException("unexpected answer to sha256sum: " + line);
            }
            hashes.put(line.substring(66), line.substring(0, 64));
        }
        return hashes;
    }

    private static List<String> split(byte[] out, int from) {
        List<String> fields = new ArrayList<>();
        int start = from;
        for (int i = from; i < out.length; i++) {
            if (out[i] == 0) {
                fields.add(new String(out, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return fields;
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static long parseNanos(String s) throws IOException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException("the remote 'date' does not print nanoseconds (GNU coreutils needed): " + s);
        }
    }

    /** {@code 1700000000.1234567890} (find's %T@) to nanoseconds. */
    static long parseSecondsDotNanos(String s) {
        int dot = s.indexOf('.');
        if (dot < 0) {
            return Long.parseLong(s) * 1_000_000_000L;
        }
        String frac = (s.substring(dot + 1) + "000000000").substring(0, 9);
        return Long.parseLong(s.substring(0, dot)) * 1_000_000_000L + Long.parseLong(frac);
    }
}
