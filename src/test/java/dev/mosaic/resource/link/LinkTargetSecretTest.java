package dev.mosaic.resource.link;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A link's target is a path like any other: stored in history journals and shown by {@code ls -l}
 * to anyone who can list the directory. A secret in it is refused at load, at the field, as in a path.
 */
class LinkTargetSecretTest {

    @TempDir
    Path dir;

    @Test
    void load_secretInALinkTarget_isRefusedAtTheTargetField() throws IOException {
        Files.writeString(dir.resolve("token.txt"), "tok-3f9a\n");
        Path site = dir.resolve("site.yml");
        Files.writeString(site, """
                resources:
                  l: { type: link, path: /etc/current, target: "/srv/${file:token.txt}" }
                """);

        UserError e = catchThrowableOfType(() -> new PlaybookLoader(BuiltinKinds.create()).load(site, Map.of()),
                UserError.class);

        assertThat(e).as("refused").isNotNull();
        String messages = String.join("\n", e.diagnostics().stream().map(Diagnostic::render).toList());
        assertThat(messages).contains("site.yml:2:").contains("target").contains("a sensitive value")
                .contains("must not hold a secret").doesNotContain("tok-3f9a");
    }

    @Test
    void load_plainLinkTarget_isAccepted() throws IOException {
        Path site = dir.resolve("site.yml");
        Files.writeString(site, """
                resources:
                  l: { type: link, path: /etc/current, target: ../srv/release-2 }
                """);

        assertThat(new PlaybookLoader(BuiltinKinds.create()).load(site, Map.of()).resources()).hasSize(1);
    }

    @Test
    void load_aLinkAtTheRootDirectory_isRefusedAtThePathField() throws IOException {
        Path site = dir.resolve("site.yml");
        Files.writeString(site, """
                resources:
                  l: { type: link, path: //, target: srv }
                """);

        UserError e = catchThrowableOfType(() -> new PlaybookLoader(BuiltinKinds.create()).load(site, Map.of()),
                UserError.class);

        assertThat(e).as("refused, never an internal error").isNotNull();
        assertThat(e.diagnostics()).extracting(Diagnostic::render).anyMatch(m -> m.contains("site.yml:2:")
                && m.contains("field 'path': must name a link below the root, not the root directory itself"));
    }
}
