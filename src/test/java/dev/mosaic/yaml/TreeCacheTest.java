package dev.mosaic.yaml;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TreeCacheTest {

    static final String FILE = "/srv/play.yml";
    static final String TEXT = "name: demo\nresources:\n  a:\n    type: file\n    path: /x\n    mode: \"0644\"\n"
            + "    list: [1, 2.5, true, ~, 'q']\n";

    @TempDir
    Path cache;

    private static YNode parse(String text) {
        Diagnostics d = new Diagnostics();
        YNode n = YamlReader.read(FILE, text, d);
        assertThat(d.sorted()).isEmpty();
        return n;
    }

    private Path entry(String text) {
        return cache.resolve(TreeCache.DIR).resolve(TreeCache.name(FILE, text));
    }

    /** An entry for {@code text} holding {@code tree} instead of what the text parses to. */
    private void plant(String text, YNode tree) throws Exception {
        Path dir = cache.resolve(TreeCache.DIR);
        if (!Files.isDirectory(dir)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.write(entry(text), TreeCache.encode(FILE, text, tree));
    }

    private static YNode.Scalar marker() {
        return new YNode.Scalar("from the cache", YNode.Scalar.Kind.STRING, false, new SourcePos(FILE, 1, 1));
    }

    @Test
    void aFirstReadKeepsTheTreeAndASecondReadGivesTheSameTree() {
        TreeCache c = TreeCache.in(cache);
        Diagnostics d = new Diagnostics();
        YNode first = c.read(FILE, TEXT, d);
        assertThat(first).isEqualTo(parse(TEXT));
        assertThat(entry(TEXT)).isRegularFile();
        YNode second = c.read(FILE, TEXT, d);
        assertThat(second).isEqualTo(first);
        assertThat(((YNode.Map) second).get("resources")).isInstanceOf(YNode.Map.class);
        assertThat(d.sorted()).isEmpty();
    }

    @Test
    void anIntactEntryForTheVeryTextIsWhatIsRead() throws Exception {
        plant(TEXT, marker());
        assertThat(TreeCache.in(cache).read(FILE, TEXT, new Diagnostics())).isEqualTo(marker());
    }

    @Test
    void aChangedTextIsNeverAnsweredFromTheEntryOfAnother() throws Exception {
        String edited = TEXT.replace("/x", "/y"); // same length, same name
        // The worst case: the other text's entry sits under this text's name (a CRC collision).
        Files.createDirectories(cache.resolve(TreeCache.DIR));
        Files.write(entry(edited), TreeCache.encode(FILE, TEXT, marker()));
        YNode read = TreeCache.in(cache).read(FILE, edited, new Diagnostics());
        assertThat(read).isEqualTo(parse(edited));
        // and the same text under another file name is not answered either
        Files.write(cache.resolve(TreeCache.DIR).resolve(TreeCache.name("/other.yml", TEXT)),
                TreeCache.encode(FILE, TEXT, marker()));
        assertThat(TreeCache.in(cache).read("/other.yml", TEXT, new Diagnostics()))
                .isEqualTo(YamlReader.read("/other.yml", TEXT, new Diagnostics()));
    }

    @Test
    void aTamperedOrTruncatedEntryIsIgnoredAndReplaced() throws Exception {
        plant(TEXT, marker());
        byte[] b = Files.readAllBytes(entry(TEXT));
        for (int at : new int[] {0, b.length / 2, b.length - 20, b.length - 1}) {
            byte[] t = b.clone();
            t[at] ^= 0x01;
            Files.write(entry(TEXT), t);
            assertThat(TreeCache.in(cache).read(FILE, TEXT, new Diagnostics())).isEqualTo(parse(TEXT));
            assertThat(TreeCache.decode(Files.readAllBytes(entry(TEXT)), FILE, TEXT)).isEqualTo(parse(TEXT));
        }
        Files.write(entry(TEXT), java.util.Arrays.copyOf(b, b.length / 3));
        assertThat(TreeCache.in(cache).read(FILE, TEXT, new Diagnostics())).isEqualTo(parse(TEXT));
        Files.write(entry(TEXT), new byte[0]);
        assertThat(TreeCache.in(cache).read(FILE, TEXT, new Diagnostics())).isEqualTo(parse(TEXT));
    }

    @Test
    void entriesCopyThePlaybooksText_soTheyAreKeptOnlyInADirectoryNoOneElseMayEnter() throws Exception {
        TreeCache.in(cache).read(FILE, TEXT, new Diagnostics());
        Path dir = cache.resolve(TreeCache.DIR);
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(entry(TEXT)).isRegularFile();

        // A directory others may read (made by hand, or by an older build): nothing is written there.
        String other = TEXT + "# another text\n";
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(TreeCache.in(cache).read(FILE, other, new Diagnostics())).isEqualTo(parse(other));
        assertThat(entry(other)).doesNotExist();
    }

    @Test
    void anEntryOthersMayWriteOrALinkIsIgnored() throws Exception {
        plant(TEXT, marker());
        Files.setPosixFilePermissions(entry(TEXT), PosixFilePermissions.fromString("rw-rw-r--"));
        assertThat(TreeCache.in(cache).read(FILE, TEXT, new Diagnostics())).isEqualTo(parse(TEXT));

        Path elsewhere = cache.resolve("planted");
        Files.write(elsewhere, TreeCache.encode(FILE, TEXT, marker()));
        Files.delete(entry(TEXT));
        Files.createSymbolicLink(entry(TEXT), elsewhere);
        assertThat(TreeCache.in(cache).read(FILE, TEXT, new Diagnostics())).isEqualTo(parse(TEXT));
    }

    @Test
    void aParseWithDiagnosticsIsNotKeptAndSaysThemEveryTime() throws Exception {
        String dup = "a: 1\na: 2\n";
        for (int i = 0; i < 2; i++) {
            Diagnostics d = new Diagnostics();
            TreeCache.in(cache).read(FILE, dup, d);
            assertThat(d.sorted()).singleElement().satisfies(x -> assertThat(x.message()).contains("duplicate key 'a'"));
        }
        String broken = "a: [1, 2\n";
        Diagnostics d = new Diagnostics();
        assertThat(TreeCache.in(cache).read(FILE, broken, d)).isNull();
        assertThat(d.hasErrors()).isTrue();
        assertThat(Files.exists(entry(dup)) || Files.exists(entry(broken))).isFalse();
    }

    @Test
    void nothingIsWrittenWhereTheCacheDirectoryDoesNotExist() {
        Path gone = cache.resolve("missing");
        assertThat(TreeCache.in(gone).read(FILE, TEXT, new Diagnostics())).isEqualTo(parse(TEXT));
        assertThat(gone).doesNotExist();
        assertThat(TreeCache.NONE.read(FILE, TEXT, new Diagnostics())).isEqualTo(parse(TEXT));
    }

    @Test
    void deepAndWideTreesRoundTrip() throws Exception {
        StringBuilder sb = new StringBuilder("root:\n");
        for (int i = 0; i < 300; i++) {
            sb.append("  k").append(i).append(": { n: ").append(i).append(", s: \"é ✓ ").append(i).append("\", l: [x, [y, z]] }\n");
        }
        sb.append("anchor: &a { p: 1 }\nalias: *a\n");
        String text = sb.toString();
        TreeCache c = TreeCache.in(cache);
        YNode parsed = c.read(FILE, text, new Diagnostics());
        assertThat(TreeCache.decode(Files.readAllBytes(entry(text)), FILE, text)).isEqualTo(parsed);
        assertThat(c.read(FILE, text, new Diagnostics())).isEqualTo(parse(text));
        LinkedHashMap<String, YNode.Entry> none = new LinkedHashMap<>();
        YNode empty = new YNode.Map(none, new SourcePos(FILE, 1, 1));
        assertThat(TreeCache.decode(TreeCache.encode(FILE, "{}", empty), FILE, "{}")).isEqualTo(empty);
        try (Stream<Path> s = Files.list(cache.resolve(TreeCache.DIR))) {
            assertThat(s.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
        }
    }
}
