package dev.mosaic.host.ssh;

import dev.mosaic.base.TargetPath;
import dev.mosaic.base.Sha256;
import dev.mosaic.host.AtomicWriter;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link SshHost}'s file content over SFTP: reads, and atomic writes through a temp file in the
 * same directory, flushed ({@code fsync@openssh.com}) and renamed over the target
 * ({@code posix-rename@openssh.com}): a connection cut mid-write leaves the old file or the new
 * one, never a mix. What a write changes is forgotten by the {@link ProbeCache} and learned again
 * through one {@code lstat}. Thread-safe.
 */
final class SftpFiles {

    private static final int CHUNK = 32 * 1024;

    private final RemoteRoot remote;
    private final ProbeCache cache;
    private final Observer observer;
    /** Directories (target paths) whose leftover temp files this host has removed, or is removing. */
    private final Map<String, Sweep> swept = new ConcurrentHashMap<>();

    SftpFiles(RemoteRoot remote, ProbeCache cache, Observer observer) {
        this.remote = remote;
        this.cache = cache;
        this.observer = observer;
    }

    InputStream open(TargetPath path) throws IOException {
        SshConnection conn = remote.conn();
        SftpClient sftp = conn.sftp();
        conn.count(2);
        try {
            return sftp.read(remote.remote(path.text()));
        } catch (SftpException e) {
            throw remote.sftpError(e, path.text());
        } catch (RuntimeException e) {
            throw remote.failed(path.text(), e);
        }
    }

    void writeAtomic(TargetPath path, InputStream content, int mode) throws IOException {
        String p = path.text();
        cache.forget(p);
        String dest = remote.remote(p);
        String dir = RemoteRoot.parent(dest);
        String tmp = RemoteRoot.tempBeside(dest);
        SshConnection conn = remote.conn();
        SftpClient sftp = conn.sftp();
        if (RemoteRoot.parent(p) != null) {
            sweep(RemoteRoot.parent(p));
        }
        SftpClient.CloseableHandle h;
        try {
            h = openForWrite(sftp, tmp);
        } catch (RuntimeException e) {
            throw remote.failed(path.text(), e);
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw remote.sftpError(e, path.text());
            }
            remote.shell("umask 022 && mkdir -p -- " + Shell.quote(dir));
            try {
                h = openForWrite(sftp, tmp);
            } catch (SftpException again) {
                throw remote.sftpError(again, p);
            }
        }
        boolean done = false;
        try {
            MessageDigest md = Sha256.digest();
            try (SftpClient.CloseableHandle handle = h) {
                byte[] buf = new byte[CHUNK];
                long offset = 0;
                for (int n; (n = content.readNBytes(buf, 0, CHUNK)) > 0; ) {
                    conn.count(1);
                    sftp.write(handle, offset, buf, 0, n);
                    md.update(buf, 0, n);
                    offset += n;
                }
                conn.count(1);
                sftp.setStat(handle, new SftpClient.Attributes().perms(mode & 07777));
                OpenSSHFsyncExtension fsync = sftp.getExtension(OpenSSHFsyncExtension.class);
                if (fsync.isSupported()) {
                    conn.count(1);
                    fsync.fsync(handle);
                }
                conn.count(1);
            }
            rename(sftp, tmp, dest);
            done = true;
            observer.learn(p);
            cache.hashes.put(p, HexFormat.of().formatHex(md.digest()));
        } catch (SftpException e) {
            throw remote.sftpError(e, path.text());
        } catch (IOException | RuntimeException e) {
            if (!conn.isOpen()) {
                throw conn.lost();
            }
            throw e instanceof IOException io ? io : new IOException(path + " on " + remote.name() + ": " + e.getMessage(), e);
        } finally {
            if (!done && conn.isOpen()) {
                try {
                    conn.count(1);
                    sftp.remove(tmp);
                } catch (IOException ignored) {
                    // the temp file may not exist; a later write into this directory removes it
                }
            }
        }
    }

    /**
     * Creates the temp file with {@code SSH_FXF_EXCL} ({@code O_CREAT|O_EXCL} on the server): a
     * new file or failure, never through a symlink someone planted at that name.
     */
    private SftpClient.CloseableHandle openForWrite(SftpClient sftp, String tmp) throws IOException {
        remote.conn().count(1);
        return sftp.open(tmp, EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive));
    }

    /** One directory's removal of leftovers, done once, before this host makes a temp file there. */
    private final class Sweep {
        private boolean done;

        synchronized void ensure(String dir) throws IOException {
            if (done) {
                return;
            }
            SshConnection conn = remote.conn();
            SftpClient sftp = conn.sftp();
            String r = remote.remote(dir);
            List<String> temps = new ArrayList<>();
            try {
                conn.count(1);
                for (SftpClient.DirEntry e : sftp.readDir(r)) {
                    if (AtomicWriter.isTemp(e.getFilename())) {
                        temps.add(e.getFilename());
                    }
                }
                for (String t : temps) {
                    conn.count(1);
                    sftp.remove((r.equals("/") ? "" : r) + "/" + t);
                    cache.gone((dir.equals("/") ? "" : dir) + "/" + t);
                }
            } catch (IOException | RuntimeException e) {
                if (!conn.isOpen()) {
                    throw conn.lost();
                }
                // best effort: a missing directory has none, and a stray temp file harms nobody
            }
            done = true;
        }
    }

    /**
     * Removes the temp files a cut connection left in {@code dir} (their names are random, so no
     * later write reuses them), the first time this host writes there: one listing per directory.
     * Every other write of this host into {@code dir} waits for it, so it never takes a temp file
     * being written.
     */
    private void sweep(String dir) throws IOException {
        swept.computeIfAbsent(dir, d -> new Sweep()).ensure(dir);
    }

    private void rename(SftpClient sftp, String from, String to) throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix.isSupported()) {
            remote.conn().count(1);
            posix.posixRename(from, to);
        } else {
            remote.shell("mv -f -- " + Shell.quote(from) + " " + Shell.quote(to));
        }
    }
}
