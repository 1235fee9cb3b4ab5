package dev.mosaic.resource;

import dev.mosaic.base.TargetPath;
import dev.mosaic.base.Sha256;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Hashing and text detection helpers shared by resource kinds. */
public final class Digests {

    private Digests() {
    }

    public static String sha256(byte[] bytes) {
        return Sha256.hex(bytes);
    }

    public static String sha256(String text) {
        return Sha256.hex(text);
    }

    /**
     * What a target path holds, in one line for a digest of what a change would overwrite: kind
     * and mode, and a file's size and content digest or a link's target.
     */
    public static String onTarget(dev.mosaic.host.Host host, String path, dev.mosaic.host.FileStat st)
            throws java.io.IOException {
        String what = st.kindWord() + " " + Integer.toOctalString(st.mode());
        if (st.isFile()) {
            what += " " + st.size() + " " + host.sha256(TargetPath.of(path));
        } else if (st.isSymlink()) {
            what += " -> " + st.linkTarget();
        }
        return path + "\0" + what + "\n";
    }

    public static MessageDigest newSha256() {
        return Sha256.digest();
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
