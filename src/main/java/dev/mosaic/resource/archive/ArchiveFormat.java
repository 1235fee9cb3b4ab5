package dev.mosaic.resource.archive;

import java.util.Locale;

/**
 * The archive formats Mosaic unpacks, with the words used for {@code format:}. The three
 * single-file formats ({@link #GZ}, {@link #BZ2}, {@link #XZ}) decompress one file, as
 * {@code bunzip2 openMosix-2.4.22-1.bz2} does; the others hold a tree.
 */
enum ArchiveFormat {
    AUTO("auto"),
    TAR("tar"),
    TAR_GZ("tar.gz"),
    TAR_BZ2("tar.bz2"),
    TAR_XZ("tar.xz"),
    ZIP("zip"),
    GZ("gz"),
    BZ2("bz2"),
    XZ("xz"),
    DEB("deb");

    private final String word;

    ArchiveFormat(String word) {
        this.word = word;
    }

    String word() {
        return word;
    }

    static ArchiveFormat ofWord(String word) {
        if (word.equals("tgz")) {
            return TAR_GZ;
        }
        for (ArchiveFormat f : values()) {
            if (f.word.equals(word)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown archive format: " + word);
    }

    boolean singleFile() {
        return this == GZ || this == BZ2 || this == XZ;
    }

    /** The format a file name announces, or null when the name says nothing. */
    static ArchiveFormat byName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
            return TAR_GZ;
        }
        if (n.endsWith(".tar.bz2") || n.endsWith(".tbz2") || n.endsWith(".tbz")) {
            return TAR_BZ2;
        }
        if (n.endsWith(".tar.xz") || n.endsWith(".txz")) {
            return TAR_XZ;
        }
        if (n.endsWith(".tar")) {
            return TAR;
        }
        if (n.endsWith(".zip")) {
            return ZIP;
        }
        if (n.endsWith(".deb") || n.endsWith(".udeb")) {
            return DEB;
        }
        if (n.endsWith(".gz")) {
            return GZ;
        }
        if (n.endsWith(".bz2")) {
            return BZ2;
        }
        if (n.endsWith(".xz")) {
            return XZ;
        }
        return null;
    }

    /**
     * The name a single compressed file decompresses to: the source's name without its
     * compression suffix ({@code openMosix-2.4.22-1.bz2} → {@code openMosix-2.4.22-1}, and like
     * gzip does, {@code x.tgz} → {@code x.tar}).
     */
    static String decompressedName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        String[][] suffixes = {{".tgz", ".tar"}, {".tbz2", ".tar"}, {".tbz", ".tar"}, {".txz", ".tar"},
            {".gz", ""}, {".bz2", ""}, {".xz", ""}, {".z", ""}};
        for (String[] s : suffixes) {
            if (n.endsWith(s[0]) && n.length() > s[0].length()) {
                return fileName.substring(0, fileName.length() - s[0].length()) + s[1];
            }
        }
        return fileName;
    }
}
