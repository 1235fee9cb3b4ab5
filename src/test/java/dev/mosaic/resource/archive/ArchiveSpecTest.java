package dev.mosaic.resource.archive;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.playbook.SchemaValidator;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The YAML spec: the schema checks shapes, the kind checks meaning, each with a message. */
class ArchiveSpecTest {

    private static final Path BASE = Path.of("/srv/playbooks");

    private static List<String> errors(String yaml) {
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read("site.yaml", yaml, diags);
        new SchemaValidator().validate(root, "resources/archive.schema.json", diags);
        if (!diags.hasErrors()) {
            new ArchiveType().parse(new SpecReader("kernel-src", (YNode.Map) root, diags, BASE));
        }
        return diags.sorted().stream().map(Diagnostic::render).toList();
    }

    @Test
    void theFullExampleParsesWithEveryField() {
        ArchiveSpec spec = ArchiveTestSupport.spec("""
                type: archive
                description: kernel sources
                requires: [usr-src]
                source: https://mirror.example/linux-2.4.22.tar.gz
                mirrors: [https://other.example/linux-2.4.22.tar.gz, files/linux-2.4.22.tar.gz]
                sha256: "sha256:%s"
                dest: /usr/src/
                format: tgz
                strip_components: 1
                creates: /usr/src/linux-2.4.22
                allow_setuid: true
                max_size: 2GiB
                max_ratio: 50.5
                max_entries: 30000
                """.formatted("AB".repeat(32)), BASE);

        assertThat(spec.source()).isEqualTo(new Location("https://mirror.example/linux-2.4.22.tar.gz", true, null));
        assertThat(spec.mirrors()).extracting(Location::written)
                .containsExactly("https://other.example/linux-2.4.22.tar.gz", "files/linux-2.4.22.tar.gz");
        assertThat(spec.mirrors().get(1).network()).isFalse();
        assertThat(spec.sha256()).contains("ab".repeat(32));
        assertThat(spec.dest()).isEqualTo("/usr/src");
        assertThat(spec.format()).isEqualTo(ArchiveFormat.TAR_GZ);
        assertThat(spec.stripComponents()).isEqualTo(1);
        assertThat(spec.creates()).contains("/usr/src/linux-2.4.22");
        assertThat(spec.allowSetuid()).isTrue();
        assertThat(spec.maxSize()).isEqualTo(2L << 30);
        assertThat(spec.maxRatio()).isEqualTo(50.5);
        assertThat(spec.maxEntries()).isEqualTo(30000);
    }

    @Test
    void theMinimalSpecGetsSafeDefaults() {
        ArchiveSpec spec = ArchiveTestSupport.spec("""
                type: archive
                source: files/ltsp.tgz
                dest: /opt/ltsp
                """, BASE);

        assertThat(spec.mirrors()).isEmpty();
        assertThat(spec.sha256()).isEmpty();
        assertThat(spec.format()).isEqualTo(ArchiveFormat.AUTO);
        assertThat(spec.stripComponents()).isZero();
        assertThat(spec.creates()).isEqualTo(Optional.empty());
        assertThat(spec.allowSetuid()).isFalse();
        assertThat(spec.maxSize()).isEqualTo(8L << 30);
        assertThat(spec.maxRatio()).isEqualTo(200);
        assertThat(spec.maxEntries()).isEqualTo(200_000);
    }

    @Test
    void sizesReadBinaryAndDecimalUnits() {
        assertThat(Sizes.parse("8GiB")).isEqualTo(8L << 30);
        assertThat(Sizes.parse("8G")).isEqualTo(8L << 30);
        assertThat(Sizes.parse("500MB")).isEqualTo(500_000_000L);
        assertThat(Sizes.parse("64 KiB")).isEqualTo(65536);
        assertThat(Sizes.parse("1048576")).isEqualTo(1048576);
    }

    @Test
    void anUnknownFieldIsRejectedByTheSchemaWithTheKnownOnes() {
        assertThat(errors("""
                type: archive
                source: x.tgz
                dest: /opt
                strip: 1
                """)).singleElement().asString()
                .contains("unknown field 'strip'").contains("strip_components");
    }

    @Test
    void anUnknownFormatIsRejected() {
        assertThat(errors("""
                type: archive
                source: x.rar
                dest: /opt
                format: rar
                """)).singleElement().asString().contains("format").contains("rar");
    }

    @Test
    void aMalformedSha256IsRejected() {
        assertThat(errors("""
                type: archive
                source: https://example.org/x.tgz
                sha256: abc
                dest: /opt
                """)).singleElement().asString().contains("sha256").contains("abc");
    }

    @Test
    void anUnsupportedUrlSchemeIsRejectedAtItsField() {
        assertThat(errors("""
                type: archive
                source: ftp://ftp.kernel.org/pub/linux-2.4.22.tar.gz
                dest: /usr/src
                """)).containsExactly("site.yaml:2:9: error: resource 'kernel-src', field 'source': unsupported URL"
                + " scheme in 'ftp://ftp.kernel.org/pub/linux-2.4.22.tar.gz'; use http://, https://, file:// or a path");
    }

    @Test
    void stripComponentsMeansNothingForASingleCompressedFile() {
        assertThat(errors("""
                type: archive
                source: openMosix-2.4.22-1.bz2
                dest: /usr/src
                format: bz2
                strip_components: 1
                """)).singleElement().asString().contains("strip_components").contains("one file");
    }

    @Test
    void aRelativeDestIsRejected() {
        assertThat(errors("""
                type: archive
                source: x.tgz
                dest: usr/src
                """)).singleElement().asString().contains("absolute path");
    }

    @Test
    void aBadMaxSizeIsRejected() {
        assertThat(errors("""
                type: archive
                source: x.tgz
                dest: /usr/src
                max_size: lots
                """)).singleElement().asString().contains("max_size");
    }
}
