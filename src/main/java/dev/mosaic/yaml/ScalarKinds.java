package dev.mosaic.yaml;

import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The implicit YAML type of a scalar (integer, number, boolean, null or string), as YAML 1.1
 * reads it: for the values of a file and for the text a substitution produces, which must read
 * the same as if it had been written out.
 */
final class ScalarKinds {

    private static final Resolver RESOLVER = new Resolver();

    private ScalarKinds() {
    }

    /** YAML 1.1's booleans and nulls: the only plain scalars starting with a letter that are not strings. */
    private static final java.util.Set<String> BOOLEANS = java.util.Set.of("yes", "Yes", "YES", "no", "No", "NO",
            "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF");
    private static final java.util.Set<String> NULLS = java.util.Set.of("null", "Null", "NULL", "~");

    /**
     * The tag SnakeYAML's resolver gives a scalar, without its regular expressions for the plain
     * scalars that start with a letter (ids, kinds, words: most of a playbook), whose only
     * non-string readings are the words above; anything else goes to SnakeYAML.
     */
    static Tag resolve(String text, boolean plain) {
        if (plain && !text.isEmpty() && (Character.isLetter(text.charAt(0)) || text.charAt(0) == '~'
                || text.charAt(0) == '/' || text.charAt(0) == '$' || text.charAt(0) == '_')) {
            return BOOLEANS.contains(text) ? Tag.BOOL : NULLS.contains(text) ? Tag.NULL : Tag.STR;
        }
        return RESOLVER.resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, text, plain);
    }

    static YNode.Scalar.Kind kindOf(Tag tag, boolean plain) {
        if (!plain) {
            return YNode.Scalar.Kind.STRING;
        }
        if (tag.equals(Tag.INT)) {
            return YNode.Scalar.Kind.INTEGER;
        }
        if (tag.equals(Tag.FLOAT)) {
            return YNode.Scalar.Kind.NUMBER;
        }
        if (tag.equals(Tag.BOOL)) {
            return YNode.Scalar.Kind.BOOLEAN;
        }
        if (tag.equals(Tag.NULL)) {
            return YNode.Scalar.Kind.NULL;
        }
        return YNode.Scalar.Kind.STRING;
    }
}
