package dev.mosaic.resource.template;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.ResourceDecl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What a template sees and renders, checked in-process through the playbook loader. */
class TemplateKindTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private Playbook load(String playbook) throws IOException {
        return new PlaybookLoader(BuiltinKinds.create()).load(write("site.yml", playbook), Map.of());
    }

    private static String rendered(Playbook p, String id) {
        ResourceDecl d = p.byId(id).orElseThrow();
        return new String(((TemplateSpec) d.spec()).file().content().orElseThrow(), StandardCharsets.UTF_8);
    }

    private List<String> errors(String playbook) {
        UserError e = catchThrowableOfType(() -> load(playbook), UserError.class);
        assertThat(e).as("the playbook is refused").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void mappings_iterateInKeyOrder_whateverOrderTheyAreWrittenIn() throws IOException {
        Playbook p = load("""
                vars:
                  macs: { node2: "52:54:00:00:00:02", node1: "52:54:00:00:00:01" }
                resources:
                  ethers:
                    type: template
                    path: /etc/ethers
                    template: "{% for e in macs %}{{ e.value }} {{ e.key }};{% endfor %}"
                """);
        assertThat(rendered(p, "ethers")).isEqualTo("52:54:00:00:00:01 node1;52:54:00:00:00:02 node2;");
    }

    @Test
    void resourceVars_overTheScopesVariables_andPlaybookInterpolationFirst() throws IOException {
        Playbook p = load("""
                vars:
                  domain: lab
                  count: 3
                resources:
                  conf:
                    type: template
                    path: /etc/lab.conf
                    vars: { domain: cluster, prefix: "${domain}-" }
                    template: "{{ prefix }}{{ domain }} {{ count + 1 }} $${HOME}"
                """);
        assertThat(rendered(p, "conf")).isEqualTo("lab-cluster 4 ${HOME}");
        assertThat(p.isSensitive(p.byId("conf").orElseThrow().address())).isFalse();
    }

    @Test
    void aTemplateThatIncludesItself_isAnErrorAtLoad_notACrash() throws IOException {
        write("templates/loop.j2", "x{% include 'loop.j2' %}");
        List<String> errors = errors("""
                resources:
                  conf: { type: template, path: /etc/lab.conf, source: templates/loop.j2 }
                """);
        assertThat(errors).singleElement().asString().contains("includes itself");
    }

    @Test
    void aLoopOverASensitiveString_isReportedWithoutItsValue() {
        List<String> errors = errors("""
                vars:
                  token: tok-3f9a77c2e1
                sensitive: [token]
                resources:
                  conf: { type: template, path: /etc/lab.conf, template: "{% for c in token %}{{ c }}{% endfor %}" }
                """);
        assertThat(errors).singleElement().asString().contains("'for' needs a list or a mapping")
                .doesNotContain("tok-3f9a77c2e1");
    }

    @Test
    void aMissingTemplateFile_isReportedAtTheSourceField() {
        List<String> errors = errors("""
                resources:
                  conf: { type: template, path: /etc/lab.conf, source: templates/none.j2 }
                """);
        assertThat(errors).singleElement().asString().contains("site.yml:2:", "no such template file");
    }

    @Test
    void anUnusedSensitiveVariable_leavesTheTemplateShown_aUsedOneMakesItSensitive() throws IOException {
        Playbook p = load("""
                vars:
                  password: hunter2-is-not-a-password
                  user: admin
                sensitive: [password]
                resources:
                  plain: { type: template, path: /etc/a, template: "{{ user }}" }
                  secret: { type: template, path: /etc/b, template: "{% if password is not empty %}set{% endif %}" }
                """);
        assertThat(p.isSensitive(p.byId("plain").orElseThrow().address())).isFalse();
        assertThat(p.isSensitive(p.byId("secret").orElseThrow().address())).isTrue();
    }

    @Test
    void aModulesTemplate_seesTheModulesParams() throws IOException {
        write("modules/motd/module.yml", """
                name: motd
                params:
                  site: { type: string }
                resources:
                  motd:
                    type: template
                    path: /etc/motd
                    source: motd.j2
                """);
        write("modules/motd/motd.j2", "Welcome to {{ site | upper }}\n");
        Playbook p = load("""
                modules:
                  m: { source: motd, with: { site: lab } }
                resources: {}
                """);
        assertThat(rendered(p, "module.m.template[motd]")).isEqualTo("Welcome to LAB\n");
    }
}
