package dev.mosaic.playbook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Config digests are recorded in every target's state: the canonical text they hash must stay
 * byte for byte what Jackson wrote before {@link CanonicalJson} replaced it.
 */
class CanonicalJsonTest {

    private static final ObjectMapper JACKSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** How the text was made before: through Jackson's tree, a plain object, and sorted keys. */
    private static String jackson(YNode node) throws Exception {
        return JACKSON.writeValueAsString(JACKSON.treeToValue(SchemaValidator.toJson(node), Object.class));
    }

    private static final String[] SCALARS = {
        "", "a", "0644", "0755", "12", "-7", "+5", "007", "1_000", "0x1F", "0o17", "0b101", "1:20", "3.14", "-0.0",
        "1e10", "1.5e-7", ".5", "6.1", "1e400", ".inf", "-.Inf", ".nan", "true", "yes", "off", "null", "~",
        "9223372036854775808", "123456789012345678901234567890", "x\"y", "back\\slash", "tab\there", "nl\nx",
        "cr\rx", "ff\fx", "bs\bx", "nul\u0000x", "esc\u001bx", "del\u007fx", "caf\u00e9", "\ud83d\ude00", "\u2028",
        "lone\ud800", "/srv/x", "<&>", "'q'", "${x}"
    };

    @Test
    void canonicalText_isWhatJacksonWrote() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 3000; i++) {
            YNode tree = tree(r, 0);
            assertThat(CanonicalJson.of(tree)).as("case %d", i).isEqualTo(jackson(tree));
        }
    }

    private static YNode tree(Random r, int depth) {
        int what = depth > 3 ? 0 : r.nextInt(4);
        SourcePos pos = new SourcePos("x.yml", 1, 1);
        if (what <= 1) {
            String text = SCALARS[r.nextInt(SCALARS.length)];
            boolean plain = r.nextBoolean();
            return new YNode.Scalar(text, YamlReader.resolveKind(text, plain), plain, pos);
        }
        if (what == 2) {
            List<YNode> items = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                items.add(tree(r, depth + 1));
            }
            return new YNode.Seq(items, pos);
        }
        LinkedHashMap<String, YNode.Entry> entries = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            String key = SCALARS[r.nextInt(SCALARS.length)] + (r.nextBoolean() ? "k" : "");
            entries.put(key, new YNode.Entry(key, pos, tree(r, depth + 1)));
        }
        return new YNode.Map(entries, pos);
    }
}
