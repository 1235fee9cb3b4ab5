package dev.mosaic.resource.archive;

import dev.mosaic.resource.ResourceException;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;

/**
 * Reads an archive's entries in order, the same way every time, through Apache Commons Compress
 * (never by running {@code tar}). Both passes of an unpack (check, then write) use it, on the
 * archive itself or on the plain tar {@link NativeDecoder} spooled from it.
 */
final class ArchiveReader {

    private ArchiveReader() {
    }

    enum Kind { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET, OTHER }

    /**
     * One entry as the archive has it.
     *
     * @param mode permission bits ({@code 07777}), or -1 when the archive does not say
     * @param link a symlink's target or a hard link's target entry name; null otherwise
     */
    record RawEntry(String name, Kind kind, int mode, String link) {
    }

    interface Visitor {
        /** Called once per entry; {@code data} is the entry's content (empty for non-files). */
        void entry(RawEntry entry, InputStream data) throws IOException, ResourceException;
    }

    /** The archive's bytes: a stream to read from the start, and a local file when there is one. */
    interface Input {
        InputStream open() throws IOException;

        long size() throws IOException;

        /** A local file with the archive, for formats that need random access (zip); or null. */
        Path file();
    }

    static void read(ArchiveFormat format, Input input, String singleName, Visitor v)
            throws IOException, ResourceException {
        checkMagic(format, input);
        switch (format) {
            case ZIP -> readZip(input, v);
            case DEB -> {
                try (InputStream in = new BufferedInputStream(input.open())) {
                    readDeb(in, v);
                }
            }
            case GZ, BZ2, XZ -> {
                try (InputStream in = decompress(format, new BufferedInputStream(input.open()))) {
                    v.entry(new RawEntry(singleName, Kind.FILE, -1, null), in);
                }
            }
            case TAR, TAR_GZ, TAR_BZ2, TAR_XZ -> {
                try (InputStream in = decompress(format, new BufferedInputStream(input.open()))) {
                    readTar(in, v);
                }
            }
            default -> throw new IllegalArgumentException("format not resolved: " + format);
        }
    }

    private static InputStream decompress(ArchiveFormat format, InputStream in) throws IOException {
        return switch (format) {
            case TAR_GZ, GZ -> new GzipCompressorInputStream(in, true);
            case TAR_BZ2, BZ2 -> new BZip2CompressorInputStream(in, true);
            case TAR_XZ, XZ -> new XZCompressorInputStream(in, true);
            default -> in;
        };
    }

    /** The entries of a plain tar stream (a native decoder's output). */
    static void readTar(InputStream raw, Visitor v) throws IOException, ResourceException {
        // Commons Compress reads a stream that is no tar at all as a tar without entries: only a
        // header, or the zero blocks that end an empty tar, may start one.
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw);
        in.mark(512);
        byte[] first = in.readNBytes(512);
        in.reset();
        if (first.length > 0 && !isTarHeader(first) && !allZero(first)) {
            throw new ResourceException("the data is not a tar archive (its first block is no tar header"
                    + (family(first) == null ? "" : "; it looks like " + family(first)) + ")");
        }
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            v.entry(new RawEntry(e.getName(), kindOf(e), e.getMode() & 07777,
                    e.isSymbolicLink() || e.isLink() ? e.getLinkName() : null), tar);
        }
    }

    private static Kind kindOf(TarArchiveEntry e) {
        if (e.isSymbolicLink()) {
            return Kind.SYMLINK;
        }
        if (e.isLink()) {
            return Kind.HARDLINK;
        }
        if (e.isCharacterDevice()) {
            return Kind.CHAR_DEVICE;
        }
        if (e.isBlockDevice()) {
            return Kind.BLOCK_DEVICE;
        }
        if (e.isFIFO()) {
            return Kind.FIFO;
        }
        if (e.isDirectory()) {
            return Kind.DIRECTORY;
        }
        byte flag = e.getLinkFlag();
        boolean plain = flag == TarArchiveEntry.LF_NORMAL || flag == TarArchiveEntry.LF_OLDNORM
                || flag == TarArchiveEntry.LF_CONTIG || flag == TarArchiveEntry.LF_GNUTYPE_SPARSE;
        return plain && e.isFile() ? Kind.FILE : Kind.OTHER;
    }

    private static void readZip(Input input, Visitor v) throws IOException, ResourceException {
        Path file = input.file();
        if (file == null) {
            throw new IllegalStateException("zip needs a local file");
        }
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            Enumeration<ZipArchiveEntry> entries = zip.getEntriesInPhysicalOrder();
            while (entries.hasMoreElements()) {
                ZipArchiveEntry e = entries.nextElement();
                int unix = e.getUnixMode();
                int type = unix & 0170000;
                Kind kind;
                if (e.isUnixSymlink()) {
                    kind = Kind.SYMLINK;
                } else if (type == 0020000) {
                    kind = Kind.CHAR_DEVICE;
                } else if (type == 0060000) {
                    kind = Kind.BLOCK_DEVICE;
                } else if (type == 0010000) {
                    kind = Kind.FIFO;
                } else if (type == 0140000) {
                    kind = Kind.SOCKET;
                } else if (e.isDirectory() || type == 0040000) {
                    kind = Kind.DIRECTORY;
                } else {
                    kind = Kind.FILE;
                }
                int mode = unix == 0 ? -1 : unix & 07777;
                if (kind != Kind.DIRECTORY && !zip.canReadEntryData(e)) {
                    throw new ResourceException("zip entry '" + e.getName()
                            + "' is encrypted or uses an unsupported compression method");
                }
                if (kind == Kind.SYMLINK) {
                    String target = readLinkTarget(zip, e);
                    v.entry(new RawEntry(e.getName(), kind, mode, target), InputStream.nullInputStream());
                } else if (kind == Kind.FILE) {
                    try (InputStream in = zip.getInputStream(e)) {
                        v.entry(new RawEntry(e.getName(), kind, mode, null), in);
                    }
                } else {
                    v.entry(new RawEntry(e.getName(), kind, mode, null), InputStream.nullInputStream());
                }
            }
        }
    }

    /** A symlink's target is the entry's content; read at most 4 KiB of it. */
    private static String readLinkTarget(ZipFile zip, ZipArchiveEntry e) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes(Unpacker.MAX_LINK_TARGET + 1);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** A Debian package: an ar archive whose {@code data.tar.*} member holds the files. */
    private static void readDeb(InputStream in, Visitor v) throws IOException, ResourceException {
        ArArchiveInputStream ar = new ArArchiveInputStream(in);
        ArArchiveEntry e = ar.getNextEntry();
        if (e == null || !memberName(e).equals("debian-binary")) {
            throw new ResourceException("not a Debian package: the first member of the ar archive is "
                    + (e == null ? "missing" : "'" + memberName(e) + "'") + ", not 'debian-binary'");
        }
        for (e = ar.getNextEntry(); e != null; e = ar.getNextEntry()) {
            String name = memberName(e);
            if (!name.startsWith("data.tar")) {
                continue;
            }
            InputStream data = switch (name) {
                case "data.tar" -> ar;
                case "data.tar.gz" -> new GzipCompressorInputStream(ar, true);
                case "data.tar.xz" -> new XZCompressorInputStream(ar, true);
                case "data.tar.bz2" -> new BZip2CompressorInputStream(ar, true);
                case "data.tar.lzma" -> new LZMACompressorInputStream(ar);
                case "data.tar.zst" -> throw new ResourceException("the package's files are in data.tar.zst; zstd is"
                        + " not supported (Commons Compress reads it only through a native library, zstd-jni, which"
                        + " Mosaic does not ship); repack the .deb with xz (dpkg-deb -Zxz) or use a tar.xz");
                default -> throw new ResourceException("the package's files are in " + name
                        + ", a compression Mosaic does not know");
            };
            readTar(data, v);
            return;
        }
        throw new ResourceException("not a Debian package: no data.tar member in the ar archive");
    }

    private static String memberName(ArArchiveEntry e) {
        String n = e.getName();
        return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }

    /**
     * The format of an archive that names none: by the source's file name, else by its first bytes
     * (and, when compressed, whether a tar header follows the compression).
     */
    static ArchiveFormat detect(String fileName, Input input) throws IOException, ResourceException {
        ArchiveFormat byName = ArchiveFormat.byName(fileName);
        if (byName != null) {
            return byName;
        }
        byte[] head;
        try (InputStream in = input.open()) {
            head = in.readNBytes(512);
        }
        if (startsWith(head, 0x1f, 0x8b)) {
            return tarInside(input, ArchiveFormat.GZ) ? ArchiveFormat.TAR_GZ : ArchiveFormat.GZ;
        }
        if (startsWith(head, 'B', 'Z', 'h')) {
            return tarInside(input, ArchiveFormat.BZ2) ? ArchiveFormat.TAR_BZ2 : ArchiveFormat.BZ2;
        }
        if (startsWith(head, 0xfd, '7', 'z', 'X', 'Z', 0)) {
            return tarInside(input, ArchiveFormat.XZ) ? ArchiveFormat.TAR_XZ : ArchiveFormat.XZ;
        }
        if (startsWith(head, 'P', 'K', 3, 4) || startsWith(head, 'P', 'K', 5, 6)) {
            return ArchiveFormat.ZIP;
        }
        if (startsWith(head, '!', '<', 'a', 'r', 'c', 'h', '>', '\n')) {
            return ArchiveFormat.DEB;
        }
        if (isTarHeader(head)) {
            return ArchiveFormat.TAR;
        }
        throw new ResourceException("cannot tell the format of '" + fileName + "' from its name or content;"
                + " set format: (tar, tar.gz, tar.bz2, tar.xz, zip, gz, bz2, xz or deb)");
    }

    private static boolean tarInside(Input input, ArchiveFormat compression) {
        try (InputStream in = decompress(compression, new BufferedInputStream(input.open()))) {
            byte[] inner = new byte[512];
            return in.readNBytes(inner, 0, 512) == 512 && isTarHeader(inner);
        } catch (IOException e) {
            return false; // not even one header's worth decompresses: not a tar
        }
    }

    /**
     * Refuses an archive whose first bytes say it is of another kind than {@code format} (a zip
     * declared {@code format: tar} or named {@code .tar.gz}): read as the wrong format it could
     * unpack nothing and pass for an empty archive.
     */
    static void checkMagic(ArchiveFormat format, Input input) throws IOException, ResourceException {
        byte[] head;
        try (InputStream in = input.open()) {
            head = in.readNBytes(512);
        }
        String expected = switch (format) {
            case TAR_GZ, GZ -> "gzip";
            case TAR_BZ2, BZ2 -> "bzip2";
            case TAR_XZ, XZ -> "xz";
            case ZIP -> "zip";
            case DEB -> "Debian package (ar)";
            default -> null; // tar: checked by its first header (readTar)
        };
        String found = family(head);
        if (expected != null && !expected.equals(found)) {
            throw new ResourceException("the archive is read as " + format.word() + " but its first bytes are "
                    + (found == null ? "not " + expected : "those of " + found)
                    + "; fix 'format:' or the source");
        }
        if (format == ArchiveFormat.TAR && found != null && !found.equals("tar")) {
            throw new ResourceException("the archive is read as tar but its first bytes are those of " + found
                    + "; fix 'format:' or the source");
        }
    }

    /** What kind of file {@code head} (its first bytes) starts, by magic numbers; null when none is known. */
    private static String family(byte[] head) {
        if (startsWith(head, 0x1f, 0x8b)) {
            return "gzip";
        }
        if (startsWith(head, 'B', 'Z', 'h')) {
            return "bzip2";
        }
        if (startsWith(head, 0xfd, '7', 'z', 'X', 'Z', 0)) {
            return "xz";
        }
        if (startsWith(head, 'P', 'K', 3, 4) || startsWith(head, 'P', 'K', 5, 6)) {
            return "zip";
        }
        if (startsWith(head, '!', '<', 'a', 'r', 'c', 'h', '>', '\n')) {
            return "Debian package (ar)";
        }
        if (isTarHeader(head)) {
            return "tar";
        }
        return null;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTarHeader(byte[] b) {
        if (b.length < 512) {
            return false;
        }
        try {
            return TarArchiveInputStream.matches(b, b.length) || TarUtils.verifyCheckSum(Arrays.copyOf(b, 512));
        } catch (IllegalArgumentException e) {
            return false; // a checksum field that is no octal number: no tar header
        }
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
