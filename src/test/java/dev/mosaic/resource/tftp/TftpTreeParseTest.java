package dev.mosaic.resource.tftp;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What a TFTP tree may name: files inside it, sources that are target paths (no '..'). */
class TftpTreeParseTest {

    @TempDir
    Path dir;

    private List<String> errors(String files) throws IOException {
        Path playbook = dir.resolve("site.yml");
        Files.writeString(playbook, """
                resources:
                  tftp:
                    type: tftp_tree
                    root: /srv/tftp
                    files:
                """ + files);
        UserError e = catchThrowableOfType(() -> new PlaybookLoader(BuiltinKinds.create()).load(playbook, java.util.Map.of()), UserError.class);
        assertThat(e).as("the playbook is refused").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void aSourceWithDotDot_isRefusedAtItsPosition_soTheGraphNeverMissesItsProducer() throws IOException {
        assertThat(errors("      vmlinuz: /boot/../srv/vmlinuz\n"))
                .anyMatch(e -> e.contains("site.yml:6:16") && e.contains("source '/boot/../srv/vmlinuz' may not hold '..'"));
    }

    @Test
    void aFileNameWithDotDot_isRefusedAtItsPosition() throws IOException {
        assertThat(errors("      ../pxelinux.0: /usr/lib/PXELINUX/pxelinux.0\n"))
                .anyMatch(e -> e.contains("site.yml:6:7") && e.contains("invalid file name '../pxelinux.0'"));
    }
}
