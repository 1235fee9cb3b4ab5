package dev.mosaic.host;

/**
 * What {@code lstat} says about one path on a host: cheap metadata, never content. {@code mode}
 * holds the permission bits including setuid/setgid/sticky ({@code 07777}).
 */
public record FileStat(Kind kind, long size, long mtimeNanos, long inode, int mode, int uid, int gid,
                       String linkTarget) {

    public enum Kind { ABSENT, FILE, DIRECTORY, SYMLINK, OTHER }

    public static final FileStat ABSENT = new FileStat(Kind.ABSENT, 0, 0, 0, 0, -1, -1, null);

    public boolean exists() {
        return kind != Kind.ABSENT;
    }

    public boolean isFile() {
        return kind == Kind.FILE;
    }

    public boolean isDirectory() {
        return kind == Kind.DIRECTORY;
    }

    public boolean isSymlink() {
        return kind == Kind.SYMLINK;
    }

    /** A word for messages and plans: file, directory, symlink, … */
    public String kindWord() {
        return switch (kind) {
            case ABSENT -> "absent";
            case FILE -> "file";
            case DIRECTORY -> "directory";
            case SYMLINK -> "symlink";
            case OTHER -> "special file";
        };
    }
}
