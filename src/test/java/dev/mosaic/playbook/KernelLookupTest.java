package dev.mosaic.playbook;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code ${kernel:METAPACKAGE}} in the loader, with the lookup the session would hand it faked. */
class KernelLookupTest {

    @TempDir
    Path tmp;

    /** The metapackages asked, in order. */
    private final List<String> asked = new ArrayList<>();

    private final KernelLookup archive = metapackage -> {
        asked.add(metapackage);
        return switch (metapackage) {
            case "linux-image-amd64" -> "6.1.0-57-amd64";
            case "linux-image-rt-amd64" -> "6.1.0-57-rt-amd64";
            default -> throw new KernelLookup.Failed("apt knows no package " + metapackage + ": run apt-get update");
        };
    };

    private static final String NETBOOT = """
            vars:
              kernel_version: ${kernel:linux-image-amd64}
            resources:
              kernel:
                type: file
                path: /srv/tftp/vmlinuz-${kernel_version}
                content: "linux-image-${kernel_version} from ${kernel:linux-image-amd64}"
              modules-dir:
                type: directory
                path: "/lib/modules/${kernel:linux-image-rt-amd64}"
            """;

    @Test
    void aKernelLookup_isTheReleaseInEveryValue_askedOncePerMetapackage_andKeptForTheLockFile() throws IOException {
        Playbook p = load(NETBOOT, Map.of(), archive);

        assertThat(paths(p)).containsExactly("/srv/tftp/vmlinuz-6.1.0-57-amd64", "/lib/modules/6.1.0-57-rt-amd64");
        assertThat(p.vars()).containsEntry("kernel_version", "6.1.0-57-amd64");
        assertThat(asked).containsExactly("linux-image-amd64", "linux-image-rt-amd64");
        assertThat(p.kernels()).containsExactly(Map.entry("linux-image-amd64", "6.1.0-57-amd64"),
                Map.entry("linux-image-rt-amd64", "6.1.0-57-rt-amd64"));
        // A fact of the archive, not a secret: plans show what is built from it.
        assertThat(p.sensitive()).isEmpty();
    }

    @Test
    void aVariableGivenWithVar_replacesTheLookup_whichIsNeverAsked() throws IOException {
        Playbook p = load("""
                vars:
                  kernel_version: ${kernel:linux-image-amd64}
                resources:
                  kernel:
                    type: file
                    path: /srv/tftp/vmlinuz-${kernel_version}
                    content: ""
                """, Map.of("kernel_version", "6.1.0-56-amd64"), archive);

        assertThat(paths(p)).containsExactly("/srv/tftp/vmlinuz-6.1.0-56-amd64");
        assertThat(asked).isEmpty();
        assertThat(p.kernels()).isEmpty();
    }

    @Test
    void aLookupThatFails_isAnErrorAtEachReference_askedOnce() throws IOException {
        List<String> errors = errors("""
                vars:
                  kernel_version: ${kernel:linux-image-arm64}
                resources:
                  kernel:
                    type: file
                    path: /srv/tftp/vmlinuz-${kernel:linux-image-arm64}
                    content: ${kernel_version}
                """, archive);

        assertThat(errors).containsExactly(
                "site.yml:2:19: error: '${kernel:linux-image-arm64}': apt knows no package linux-image-arm64: run apt-get update",
                "site.yml:6:29: error: '${kernel:linux-image-arm64}': apt knows no package linux-image-arm64: run apt-get update");
        assertThat(asked).containsExactly("linux-image-arm64");
    }

    @Test
    void aLoaderGivenNoLookup_refusesOne_atItsReference() throws IOException {
        List<String> errors = errors(NETBOOT, KernelLookup.NONE);

        assertThat(errors).contains("site.yml:2:19: error: '${kernel:linux-image-amd64}': kernels are not looked up here;"
                + " give the release as a variable instead");
    }

    @Test
    void aModule_looksKernelsUpToo_inADefaultOfItsParams() throws IOException {
        Files.createDirectories(tmp.resolve("modules/node"));
        Files.writeString(tmp.resolve("modules/node/module.yml"), """
                name: node
                params:
                  kernel_version: { type: string, default: "${kernel:linux-image-amd64}" }
                resources:
                  vmlinuz:
                    type: file
                    path: /srv/tftp/vmlinuz-${kernel_version}
                    content: ""
                """);

        Playbook p = load("""
                modules:
                  node: { source: node }
                """, Map.of(), archive);

        assertThat(paths(p)).containsExactly("/srv/tftp/vmlinuz-6.1.0-57-amd64");
        assertThat(p.kernels()).containsExactly(Map.entry("linux-image-amd64", "6.1.0-57-amd64"));
    }

    @Test
    void aReferenceThatIsNoPackageName_isAnInvalidName() throws IOException {
        List<String> errors = errors("""
                resources:
                  kernel:
                    type: file
                    path: /srv/tftp/vmlinuz-${kernel:Linux Image}
                    content: ""
                """, archive);

        assertThat(errors).singleElement().asString().startsWith("site.yml:4:29: error: invalid variable name 'kernel:Linux Image'");
        assertThat(asked).isEmpty();
    }

    private Playbook load(String yaml, Map<String, String> overrides, KernelLookup lookup) throws IOException {
        Path file = tmp.resolve("site.yml");
        Files.writeString(file, yaml);
        return new PlaybookLoader(BuiltinKinds.create()).kernels(lookup).load(file, overrides);
    }

    private List<String> errors(String yaml, KernelLookup lookup) throws IOException {
        UserError e = catchThrowableOfType(() -> load(yaml, Map.of(), lookup), UserError.class);
        assertThat(e).as("expected the playbook to be rejected").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::render).map(s -> s.replace(tmp + "/", "")).toList();
    }

    private static List<String> paths(Playbook p) {
        return p.resources().stream().flatMap(d -> d.bound().paths().produces().stream()).toList();
    }
}
