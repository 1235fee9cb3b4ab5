package dev.mosaic.host.ssh;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.AtomicWriter;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;

/**
 * Where an {@link SshHost}'s target paths live on the server: the connection, the host's name for
 * messages, and the remote directory that stands for {@code /}. Maps target paths to remote ones
 * and back, turns SFTP and transport failures into messages, and runs Mosaic's own small shell
 * commands. Shared by the parts of the host (observation, SFTP writes, commands); immutable.
 */
final class RemoteRoot {

    private final String name;
    private final SshConnection conn;
    /** Remote prefix: "" for the whole machine, else e.g. {@code /srv/sandbox}. */
    private final String prefix;

    RemoteRoot(String name, SshConnection conn, String root) {
        this.name = name;
        this.conn = conn;
        this.prefix = root.equals("/") ? "" : root.replaceAll("/+$", "");
    }

    String name() {
        return name;
    }

    SshConnection conn() {
        return conn;
    }

    /** Whether a root directory stands for {@code /} (a sandbox), rather than the whole machine. */
    boolean isSandbox() {
        return !prefix.isEmpty();
    }

    /** The remote directory that stands for {@code /}, as commands see it in {@code MOSAIC_ROOT}. */
    String rootDir() {
        return prefix.isEmpty() ? "/" : prefix;
    }

    /**
     * The remote path of a target path, given as the text of a {@link TargetPath} (normalized, no
     * {@code ..}: checked where the path was made, never here again).
     */
    String remote(String norm) {
        if (!norm.startsWith("/")) {
            throw new IllegalArgumentException("bug: a remote path from relative text '" + norm + "'");
        }
        return prefix.isEmpty() ? norm : norm.equals("/") ? prefix : prefix + norm;
    }

    /** Whether a remote path lies at or below the root (a probe may report what a link led to). */
    boolean holds(String remotePath) {
        return prefix.isEmpty() || remotePath.equals(prefix) || remotePath.startsWith(prefix + "/");
    }

    /** The target path of a remote path {@link #holds held} by the root. */
    String target(String remotePath) {
        if (prefix.isEmpty()) {
            return remotePath;
        }
        String t = remotePath.substring(prefix.length());
        return t.isEmpty() ? "/" : t;
    }

    static String parent(String path) {
        if (path.equals("/")) {
            return null;
        }
        int i = path.lastIndexOf('/');
        return i == 0 ? "/" : path.substring(0, i);
    }

    /** A fresh random temp name in the directory of the remote path {@code dest} (see {@link AtomicWriter#tempName}). */
    static String tempBeside(String dest) {
        String dir = parent(dest);
        return (dir.equals("/") ? "" : dir) + "/" + AtomicWriter.tempName(dest.substring(dest.lastIndexOf('/') + 1));
    }

    IOException sftpError(SftpException e, String path) {
        if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
            return new java.nio.file.NoSuchFileException(path);
        }
        if (e.getStatus() == SftpConstants.SSH_FX_PERMISSION_DENIED) {
            return new java.nio.file.AccessDeniedException(path, null, "permission denied on " + name);
        }
        return new IOException(path + " on " + name + ": " + e.getMessage(), e);
    }

    /** A runtime failure of the SSH library while handling {@code path}: the connection lost, or the path's error. */
    IOException failed(String path, RuntimeException e) {
        return conn.isOpen() ? new IOException(path + " on " + name + ": " + e.getMessage(), e) : conn.lost();
    }

    /** Runs a small command of Mosaic's own; its error output becomes the exception's message. */
    void shell(String command) throws IOException {
        SshConnection.Result r = conn.run(command, null);
        if (r.exitCode() != 0) {
            throw new IOException(r.stderr().isEmpty() ? "'" + command + "' failed on " + name : r.stderr() + " (on " + name + ")");
        }
    }
}
