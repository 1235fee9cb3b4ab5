package dev.mosaic.resource;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hashing and text detection helpers shared by resource kinds. */
public final class Digests {

    private Digests() {
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Cloned for each digest: cheaper than looking the algorithm up among the providers each time. */
    private static final MessageDigest SHA256;

    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a target path holds, in one line for a digest of what a change would overwrite: kind
     * and mode, and a file's size and content digest or a link's target.
     */
    public static String onTarget(dev.mosaic.host.Host host, String path, dev.mosaic.host.FileStat st)
            throws java.io.IOException {
        String what = st.kindWord() + " " + Integer.toOctalString(st.mode());
        if (st.isFile()) {
            what += " " + st.size() + " " + host.sha256(path);
        } else if (st.isSymlink()) {
            what += " -> " + st.linkTarget();
        }
        return path + "\0" + what + "\n";
    }

    public static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes as text when they are small, valid UTF-8 with no NUL; null otherwise. */
    public static String textOrNull(byte[] bytes) {
        if (bytes.length > Diff.Blob.MAX_TEXT) {
            return null;
        }
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
