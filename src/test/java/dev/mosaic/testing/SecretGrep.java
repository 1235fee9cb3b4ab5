package dev.mosaic.testing;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Looks for a secret in every form it could leak in: raw, JSON-escaped, URL-encoded, and base64
 * (at each of the three alignments, so a secret inside a longer encoded text is found too).
 * Secrets used with it should hold characters that the encodings change (a quote, a slash, a
 * space) so each form differs from the raw one.
 *
 * <pre>{@code
 * assertThat(SecretGrep.in(stateDir, "s3cr\"t/ x")).isEmpty();
 * assertThat(SecretGrep.inText(output, secret)).isEmpty();
 * }</pre>
 */
public final class SecretGrep {

    private SecretGrep() {
    }

    /** Every byte form in which {@code secret} would show. */
    public static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        forms.add(jsonEscaped(secret));
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
        byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
        for (int shift = 0; shift < 3; shift++) {
            byte[] padded = new byte[shift + raw.length];
            System.arraycopy(raw, 0, padded, shift, raw.length);
            String b64 = Base64.getEncoder().withoutPadding().encodeToString(padded);
            // Drop the characters that depend on the unknown bytes before and after the secret.
            int from = shift == 0 ? 0 : (shift == 1 ? 2 : 3);
            int keep = ((shift + raw.length) / 3) * 4;
            if (keep - from >= 8) {
                forms.add(b64.substring(from, keep));
            }
        }
        return forms;
    }

    /** The forms of {@code secret} found in {@code text}, with a little context each. */
    public static List<String> inText(String text, String secret) {
        List<String> hits = new ArrayList<>();
        for (String form : forms(secret)) {
            int at = text.indexOf(form);
            if (at >= 0) {
                int from = Math.max(0, at - 40);
                hits.add("'" + form + "' in …" + text.substring(from, Math.min(text.length(), at + form.length() + 40)) + "…");
            }
        }
        return hits;
    }

    /**
     * Every file below {@code dir} (links not followed) whose bytes hold a form of {@code secret},
     * and every path whose name holds one.
     */
    public static List<String> in(Path dir, String secret) throws IOException {
        List<String> hits = new ArrayList<>();
        if (!Files.exists(dir)) {
            return hits;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                for (String hit : inText(file.toString(), secret)) {
                    hits.add(file + ": name holds " + hit);
                }
                if (attrs.isRegularFile()) {
                    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    for (String form : forms(secret)) {
                        String bytes = new String(form.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
                        if (text.contains(bytes)) {
                            hits.add(file + ": holds '" + form + "'");
                        }
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                for (String hit : inText(d.toString(), secret)) {
                    hits.add(d + ": name holds " + hit);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return hits;
    }

    private static String jsonEscaped(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '/' -> b.append("/");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
