package dev.mosaic.resource.archive;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Decompresses a compressed tar (or takes a .deb's file tree out) with the system's own tool,
 * {@code xz}, {@code gzip}, {@code bzip2} or {@code dpkg-deb}, into a plain tar spooled on the
 * control machine, or as a stream ({@link #stream}) for the single pass of a new tree. Java's
 * decoders are several times slower than these (the xz decoder of Commons Compress took two thirds
 * of the CPU of unpacking a kernel source), and the two-pass unpack reads the archive twice (check,
 * then write): decompressing once into a spool pays the decoder once.
 *
 * <p>Only the decompression moves out of Java: every entry of the spool is still read and checked
 * by {@link Unpacker} before anything is written. The spool is bounded (the archive's limits plus
 * the tar framing), so a decompression bomb fills at most that much of the control machine's disk.
 * Whenever the tool is missing, fails, or the bound is reached, there is no spool and the archive
 * is read through Java's decoders, which also give the precise message for a damaged or hostile
 * archive.
 */
final class NativeDecoder {

    private static final int BUFFER = 1 << 20;
    /** Bytes of tar framing per entry, at most: a header block and the padding of the last data block. */
    private static final long FRAMING = 1024;

    private NativeDecoder() {
    }

    /**
     * A plain tar with the content of {@code input}, spooled in {@code spoolDir}; empty when the
     * format has no native tool here or the tool did not deliver. The caller deletes the file.
     *
     * @param maxBytes the most unpacked bytes the archive may have (its max_size and max_ratio)
     * @param maxEntries the most entries it may have
     */
    static Optional<Spool> spool(ArchiveFormat format, ArchiveReader.Input input, Path spoolDir, long maxBytes,
                                 long maxEntries) throws IOException {
        return spool(format, input, spoolDir, maxBytes, maxEntries, false);
    }

    /**
     * As {@link #spool(ArchiveFormat, ArchiveReader.Input, Path, long, long)}; with {@code hash},
     * the archive is fed to the tool by a thread of this process that hashes the same bytes
     * ({@link NativeDigest#hasher}, on the other core): {@link Spool#digest} is the SHA-256 of
     * exactly what the spool was decoded from, which replaces a separate read to verify it.
     */
    static Optional<Spool> spool(ArchiveFormat format, ArchiveReader.Input input, Path spoolDir, long maxBytes,
                                 long maxEntries, boolean hash) throws IOException {
        List<String> argv = hash && format == ArchiveFormat.DEB
                ? new ArrayList<>(List.of("dpkg-deb", "--fsys-tarfile", "/dev/stdin"))
                : command(format, input);
        if (argv.isEmpty() || which(argv.get(0)).isEmpty()) {
            return Optional.empty();
        }
        argv.set(0, which(argv.get(0)).get().toString());
        long bound = saturatedAdd(maxBytes, saturatedMul(maxEntries + 2, FRAMING));
        List<Path> made = new ArrayList<>();
        Path tar = null;
        for (int attempt = 1; tar == null; attempt++) {
            made.clear();
            for (Path d = spoolDir; d != null && !Files.isDirectory(d); d = d.getParent()) {
                made.add(d);
            }
            try {
                Files.createDirectories(spoolDir);
                tar = Files.createTempFile(spoolDir, ".unpack-", ".tar");
            } catch (java.nio.file.NoSuchFileException e) {
                // Another unpack of this run, done with its spool, removed an emptied directory of
                // the path meanwhile (packages of one wave unpack at once): make it again.
                if (attempt == 10) {
                    throw e;
                }
            }
        }
        Spool spool = new Spool(tar, List.copyOf(made), new String[1]);
        boolean ok = false;
        try {
            ok = run(argv, input, spool.tar(), bound, hash ? spool.hashed() : null);
            return ok ? Optional.of(spool) : Optional.empty();
        } finally {
            if (!ok) {
                spool.delete();
            }
        }
    }

    /**
     * A spooled tar and the directories made for it, innermost first: a local archive leaves
     * nothing behind in the cache. {@code hashed} holds the archive's SHA-256 when it was hashed
     * on the way.
     */
    record Spool(Path tar, List<Path> made, String[] hashed) {
        /** The SHA-256 of the archive the spool was decoded from; empty when it was not hashed, or the feed failed. */
        Optional<String> digest() {
            return Optional.ofNullable(hashed[0]);
        }

        void delete() throws IOException {
            Files.deleteIfExists(tar);
            for (Path d : made) {
                try {
                    Files.deleteIfExists(d);
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    return; // another run's spool or the cache's content: kept
                }
            }
        }
    }

    /** A spool directory's name: its process number (at most 18 digits, so it fits a long). */
    private static final java.util.regex.Pattern PID = java.util.regex.Pattern.compile("[0-9]{1,18}");

    /**
     * This process's spool directory under the control machine's cache ({@code unpack-spool/<pid>});
     * the directories of processes that are gone (a killed run) are removed first.
     */
    static Path spoolDir(Path cacheDir) throws IOException {
        Path top = cacheDir.resolve("unpack-spool");
        if (Files.isDirectory(top)) {
            try (var dirs = Files.list(top)) {
                for (Path d : dirs.toList()) {
                    String name = d.getFileName().toString();
                    boolean gone = PID.matcher(name).matches()
                            && Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS) // a link: never listed through
                            && ProcessHandle.of(Long.parseLong(name)).isEmpty();
                    if (gone) {
                        try (var files = Files.list(d)) {
                            for (Path f : files.toList()) {
                                Files.deleteIfExists(f);
                            }
                            Files.deleteIfExists(d);
                        } catch (java.nio.file.NoSuchFileException | java.nio.file.DirectoryNotEmptyException e) {
                            // Another unpack of this run (packages of one wave start at once) is
                            // removing the same leftover: it is gone, or soon will be.
                        }
                    }
                }
            }
        }
        return top.resolve(Long.toString(ProcessHandle.current().pid()));
    }

    /**
     * The archive decompressed by the system's tool as a stream, read as the tool writes it: what
     * the single pass of a new tree reads ({@link Extraction}), where nothing has to be read twice
     * and a 1.3 GB spool would only be written to be read once. The archive is fed to the tool
     * by a thread of this process that hashes it on the way, so {@link Stream#finish} gives the
     * SHA-256 of exactly the bytes unpacked. Empty when the format has no tool here.
     */
    static Optional<Stream> stream(ArchiveFormat format, ArchiveReader.Input input) throws IOException {
        List<String> argv = switch (format) {
            case TAR_XZ, TAR_GZ, TAR_BZ2 -> command(format, input);
            // dpkg-deb reads a package from a pipe as well as from a file
            case DEB -> new ArrayList<>(List.of("dpkg-deb", "--fsys-tarfile", "/dev/stdin"));
            default -> new ArrayList<String>();
        };
        if (argv.isEmpty() || which(argv.get(0)).isEmpty()) {
            return Optional.empty();
        }
        argv.set(0, which(argv.get(0)).get().toString());
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Stream s = new Stream(p, argv.get(0));
        Thread feeder = new Thread(() -> s.feed(input), "unpack-feed");
        feeder.setDaemon(true);
        s.feeder = feeder;
        feeder.start();
        return Optional.of(s);
    }

    /** Whether {@link #stream} knows a tool for the format (one may still be missing here). */
    static boolean streams(ArchiveFormat format) {
        return format == ArchiveFormat.TAR_XZ || format == ArchiveFormat.TAR_GZ || format == ArchiveFormat.TAR_BZ2
                || format == ArchiveFormat.DEB;
    }

    /** A tool decompressing an archive that a thread of this process feeds and hashes. */
    static final class Stream implements AutoCloseable {
        private final Process process;
        private final String tool;
        private final InputStream tar;
        private Thread feeder;
        /** The SHA-256 of the whole archive once fed; null while feeding or when the feed failed. */
        private volatile String digest;

        private Stream(Process process, String tool) {
            this.process = process;
            this.tool = tool;
            this.tar = new java.io.BufferedInputStream(process.getInputStream(), BUFFER);
        }

        private void feed(ArchiveReader.Input input) {
            try (InputStream in = input.open(); OutputStream to = process.getOutputStream();
                 NativeDigest.Hasher md = NativeDigest.hasher()) {
                NativeDigest.copyHashed(in, to, md, new byte[BUFFER]);
                to.close(); // the end of the archive, before the digest is said to be complete
                digest = md.digest();
            } catch (IOException e) {
                process.destroy(); // the tool stopped reading, or the archive could not be read: no digest
            }
        }

        /** The plain tar, as the tool writes it. */
        InputStream tar() {
            return tar;
        }

        /**
         * Reads what the tool still writes after the tar's end, waits for it and for the feed: the
         * SHA-256 of the archive fed whole to a tool that succeeded; empty when the tool failed or
         * did not take the whole archive (then the Java decoders read it and say what is wrong).
         */
        Optional<String> finish() throws IOException {
            tar.transferTo(OutputStream.nullOutputStream());
            try {
                int exit = process.waitFor();
                feeder.join();
                return exit == 0 && digest != null ? Optional.of(digest) : Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while decompressing with " + tool, e);
            }
        }

        /** Stops the tool if it still runs (a refused archive is not read to its end). */
        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (feeder != null) {
                feeder.interrupt();
            }
            try {
                tar.close();
            } catch (IOException e) {
                // the pipe of a stopped tool: nothing left to release
            }
        }
    }

    /** The tool's command line, reading the archive from stdin unless it needs a file (dpkg-deb); empty: none. */
    private static List<String> command(ArchiveFormat format, ArchiveReader.Input input) {
        return new ArrayList<>(switch (format) {
            // -T0: an xz of several blocks (as Debian's are) decompresses on every core
            case TAR_XZ -> List.of("xz", "-dc", "-T0");
            case TAR_GZ -> List.of("gzip", "-dc");
            case TAR_BZ2 -> List.of("bzip2", "-dc");
            case DEB -> input.file() == null ? List.<String>of()
                    : List.of("dpkg-deb", "--fsys-tarfile", input.file().toAbsolutePath().toString());
            default -> List.<String>of();
        });
    }

    private static boolean run(List<String> argv, ArchiveReader.Input input, Path out, long bound, String[] digest)
            throws IOException {
        // The tool writes the spool itself, bounded by the kernel (RLIMIT_FSIZE: a write past it
        // fails and the tool dies of SIGXFSZ), instead of through a pipe that this process reads
        // and copies to the file: 140 MB less to read and write for the linux-source .deb.
        Optional<Path> prlimit = which("prlimit");
        List<String> command = argv;
        if (prlimit.isPresent()) {
            command = new ArrayList<>(List.of(prlimit.get().toString(), "--fsize=" + bound, "--"));
            command.addAll(argv);
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (prlimit.isPresent()) {
            pb.redirectOutput(out.toFile());
        }
        boolean fromFile = input.file() != null && digest == null;
        if (argv.get(0).endsWith("dpkg-deb") && fromFile) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        } else if (fromFile) {
            pb.redirectInput(input.file().toFile());
        }
        Process p = pb.start();
        Thread feeder = null;
        try {
            if (!fromFile) {
                // An archive on the target host, or one hashed on the way: streamed to the tool by a
                // thread of its own, as the tool's output is read here at the same time.
                feeder = new Thread(() -> {
                    try (InputStream in = input.open(); OutputStream to = p.getOutputStream()) {
                        if (digest == null) {
                            in.transferTo(to);
                            return;
                        }
                        try (NativeDigest.Hasher md = NativeDigest.hasher()) {
                            NativeDigest.copyHashed(in, to, md, new byte[BUFFER]);
                            to.close(); // the whole archive went to the tool
                            digest[0] = md.digest();
                        }
                    } catch (IOException e) {
                        p.destroy(); // the tool then fails, and the Java decoders take over
                    }
                }, "unpack-feed");
                feeder.setDaemon(true);
                feeder.start();
            } else {
                p.getOutputStream().close();
            }
            long written = 0;
            if (prlimit.isPresent()) {
                boolean ok = p.waitFor() == 0 && Files.size(out) <= bound;
                if (feeder != null) {
                    feeder.join(); // the digest is complete once the feed is
                }
                return ok;
            }
            try (InputStream from = p.getInputStream(); OutputStream to = Files.newOutputStream(out)) {
                byte[] buf = new byte[BUFFER];
                for (int n; (n = from.read(buf)) != -1; ) {
                    written += n;
                    if (written > bound) {
                        return false; // past the limits: the Java pass refuses it, naming the entry
                    }
                    to.write(buf, 0, n);
                }
            }
            boolean ok = p.waitFor() == 0;
            if (feeder != null) {
                feeder.join(); // the digest is complete once the feed is
            }
            return ok;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decompressing with " + argv.get(0), e);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (feeder != null) {
                feeder.interrupt();
            }
        }
    }

    /** The executable named {@code name} on the PATH, if any. */
    static Optional<Path> which(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedMul(long a, long b) {
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }
}
