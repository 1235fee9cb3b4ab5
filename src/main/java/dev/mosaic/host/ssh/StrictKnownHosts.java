package dev.mosaic.host.ssh;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.atomic.AtomicReference;

/**
 * known_hosts checking without any way around it: a key that is not there, or differs from the
 * one there, is refused and remembered as the reason.
 */
final class StrictKnownHosts extends KnownHostsServerKeyVerifier {

    final AtomicReference<String> problem = new AtomicReference<>();
    private final Path file;

    StrictKnownHosts(Path file) {
        super(RejectAllServerKeyVerifier.INSTANCE, file);
        this.file = file;
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
        problem.set("the server's host key (" + KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key)
                + ") is not in " + file + "; Mosaic never accepts an unknown key. Check the fingerprint with the"
                + " server's administrator, then add it (e.g. ssh-keyscan) to that file");
        return false;
    }

    @Override
    public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
                                           PublicKey expected, PublicKey actual) {
        problem.set("HOST KEY CHANGED: " + file + " has " + KeyUtils.getKeyType(expected) + " "
                + KeyUtils.getFingerPrint(expected) + " for this server, which now shows "
                + KeyUtils.getKeyType(actual) + " " + KeyUtils.getFingerPrint(actual)
                + ". Someone may be intercepting the connection, or the server was reinstalled; if the change is"
                + " expected, remove the old entry (ssh-keygen -R) and add the new key");
        return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress remote, PublicKey key) {
        problem.set("the server's host key " + KeyUtils.getFingerPrint(key) + " is marked @revoked in " + file);
    }
}
