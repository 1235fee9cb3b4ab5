package dev.mosaic.resource.initrd;

import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.TargetPaths;
import dev.mosaic.yaml.YNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reading the entries of an image spec ({@code files}, {@code links}, {@code dirs}…), shared by
 * the {@code initrd} and {@code node_image} kinds: lists of mappings, their fields, octal modes,
 * and paths inside the image, each declared once and never climbing out with {@code ..}.
 */
public final class ImageEntries {

    private ImageEntries() {
    }

    /** The mappings of a list field; anything else there was reported by the schema already. */
    public static List<YNode.Map> maps(SpecReader r, String field) {
        List<YNode.Map> out = new ArrayList<>();
        if (r.raw(field) instanceof YNode.Seq seq) {
            for (YNode item : seq.items()) {
                if (item instanceof YNode.Map m) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    public static String text(YNode.Map m, String key) {
        return m.get(key) instanceof YNode.Scalar s ? s.text() : "";
    }

    public static Optional<String> opt(YNode.Map m, String key) {
        return m.get(key) instanceof YNode.Scalar s && s.kind() != YNode.Scalar.Kind.NULL ? Optional.of(s.text()) : Optional.empty();
    }

    /** A mode of an image entry; a malformed one (the schema's pattern aside) is reported at {@code field}. */
    public static int octal(SpecReader r, String field, String s) {
        if (!s.trim().matches("[0-7]{1,4}")) {
            r.error(field, "expected an octal mode like \"0644\", got '" + s + "'");
            return 0;
        }
        return Integer.parseInt(s.trim(), 8);
    }

    /**
     * A path inside the image, normalised to start with '/'; refused when empty, the image's root,
     * holding {@code ..} (it would name something outside the image) or declared twice.
     */
    public static String imagePath(SpecReader r, String field, String p, Set<String> seen) {
        if (p.isEmpty() || p.indexOf('\0') >= 0 || hasDotDot(p)) {
            r.error(field, "'" + p.replace('\0', '?') + "' is not a path inside the image (no '..', not empty)");
        }
        String norm = TargetPaths.normalize("/" + p);
        if (norm.equals("/")) {
            r.error(field, "the image's root itself cannot be declared");
        } else if (!seen.add(norm)) {
            r.error(field, "'" + norm + "' is declared twice in the image");
        }
        return norm;
    }

    public static boolean hasDotDot(String p) {
        for (String part : p.split("/")) {
            if (part.equals("..")) {
                return true;
            }
        }
        return false;
    }
}
