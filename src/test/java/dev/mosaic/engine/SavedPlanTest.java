package dev.mosaic.engine;

import dev.mosaic.diag.UserError;
import dev.mosaic.graph.Edge;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Command;
import dev.mosaic.resource.Diff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plan file: what is written is read back, and anything else is refused with a clear message. */
class SavedPlanTest {

    private static final byte[] KEY = new byte[32];

    @TempDir
    Path tmp;

    private static final Address MOTD = Address.of("file", "motd");
    private static final Address PATCH = Address.of("patch", "p");

    /** A change of each shape the file must keep: every diff kind, commands, paths, a cause chain, a deferred entry. */
    private static SavedPlan sample() {
        PlannedChange motd = new PlannedChange(MOTD, "file", "message of the day", Action.UPDATE, Cause.DRIFT,
                List.of(new Diff.Field("mode", "0600", "0644"),
                        new Diff.Content("content", new Diff.Blob(5, "aa", null), new Diff.Blob(6, "bb", null))),
                List.of(), PlannedChange.Status.PLANNED, "", new Fingerprint("update", Map.of("content", "5 B sha256:aa"), ""),
                List.of(), List.of("/etc/motd"), List.of(), null);
        PlannedChange build = new PlannedChange(Address.of("build", "k"), "build", "", Action.NOOP, Cause.NONE,
                List.of(new Diff.Tree("tree", List.of("a"), List.of(), List.of("z"))), List.of(PATCH),
                PlannedChange.Status.DEFERRED, "", null, List.of(new Command("make -j2", "/usr/src/k", false, true)),
                List.of("/usr/src/k"), List.of(new PlannedChange.Upstream(PATCH, new Edge(PATCH, Address.of("build", "k"),
                        Edge.Kind.MODIFIES, "modifies /usr/src/k")), new PlannedChange.Upstream(MOTD, null)), null);
        return new SavedPlan("1.2.3", "2024-05-01T10:00:00Z",
                new SavedPlan.Source("/lab/site.yml", "lab", "abc", Map.of("kernel", "6.1"), List.of("/lab/modules"),
                        Map.of("/lab/files/motd", "file sha256:00")),
                new SavedPlan.Target("local (root /tmp/lab)", "vm", "/tmp/lab", "/tmp/lab/var/lib/mosaic"),
                List.of(motd, build));
    }

    @Test
    void write_thenRead_givesTheSamePlan() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        assertThat(SavedPlan.read(f, KEY)).isEqualTo(sample());
        assertThat(SavedPlan.looksLikePlan(f)).isTrue();
    }

    @Test
    void write_thenRead_keepsEveryFieldOfEachEntry_andTheFileIsOfItsSchema() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        SavedPlan back = SavedPlan.read(f, KEY);
        assertThat(back.entries()).containsExactlyElementsOf(sample().entries());
        assertThat(back.plan()).isEqualTo(sample().plan());
        dev.mosaic.testing.JsonSchemas.assertValid("saved-plan.schema.json", Files.readString(f), f.toString());
    }

    @Test
    void entriesOf_keepsTheChangesAndDeferred_asTheFileReadsThemBack() throws Exception {
        PlannedChange noop = new PlannedChange(Address.of("file", "same"), "file", "", Action.NOOP, Cause.NONE,
                List.of(), List.of(), PlannedChange.Status.PLANNED, "");
        // A content diff's text is in memory only: the file keeps its size and digest.
        PlannedChange withText = new PlannedChange(MOTD, "file", "", Action.UPDATE, Cause.DRIFT,
                List.of(new Diff.Content("content", new Diff.Blob(2, "aa", "a\n"), new Diff.Blob(2, "bb", "b\n"))),
                List.of(), PlannedChange.Status.PLANNED, "", new Fingerprint("update", Map.of(), ""));
        Plan plan = new Plan("lab", "local", List.of(noop, withText, sample().entries().get(1)));

        List<PlannedChange> kept = SavedPlan.entriesOf(plan);

        assertThat(kept).extracting(PlannedChange::address).containsExactly(MOTD, Address.of("build", "k"));
        assertThat(((Diff.Content) kept.get(0).diffs().get(0)).after()).isEqualTo(new Diff.Blob(2, "bb", null));
        assertThat(kept.get(1)).isEqualTo(sample().entries().get(1));
        Path f = tmp.resolve("plan.mosaic");
        new SavedPlan("1", "now", sample().playbook(), sample().target(), kept).write(f, KEY);
        assertThat(SavedPlan.read(f, KEY).entries()).isEqualTo(kept);
    }

    @Test
    void read_aPlanOfTheFormerFormat_isRefusedAsking_forANewPlan() throws Exception {
        Path f = tmp.resolve("old.mosaic");
        Files.writeString(f, """
                {
                  "format" : "mosaic-plan",
                  "format_version" : 2,
                  "checksum" : "hmac-sha256:%s",
                  "plan" : { "mosaicVersion" : "1.2.3", "createdAt" : "2024-05-01T10:00:00Z", "entries" : [ ] }
                }
                """.formatted("0".repeat(64)));
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("format version 2").hasMessageContaining("reads version 3")
                .hasMessageContaining("Nothing was touched; make a new plan with 'mosaic plan PLAYBOOK --out " + f + "'");
    }

    @Test
    void read_theSameJsonReformatted_isRefused_forTheChecksumCoversTheBytesAsWritten() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Files.writeString(f, json.writeValueAsString(json.readTree(f.toFile()))); // same content, compact
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("checksum does not match");
    }

    @Test
    void read_aSecondPlanKey_isRefusedAsDamaged() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        String text = Files.readString(f).strip();
        // The checked bytes are the first "plan"; a reader keeping the last would apply other changes.
        Files.writeString(f, text.substring(0, text.length() - 1) + ", \"plan\" : {} }");
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("is damaged or truncated");
    }

    @Test
    void looksLikePlan_byContent_whateverTheName_butNotAPlaybook() throws Exception {
        Path f = tmp.resolve("saved.json");
        sample().write(f, KEY);
        Path yaml = tmp.resolve("site.yml");
        Files.writeString(yaml, "resources: {}\n");
        assertThat(SavedPlan.looksLikePlan(f)).isTrue();
        assertThat(SavedPlan.looksLikePlan(yaml)).isFalse();
    }

    @Test
    void read_truncatedFile_isAClearError() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("is damaged or truncated").hasMessageContaining("make the plan again");
    }

    @Test
    void read_editedContent_failsTheChecksum() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        Files.writeString(f, Files.readString(f).replace("\"update\"", "\"delete\""));
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("checksum does not match");
    }

    @Test
    void read_anActionOrAddressThisMosaicDoesNotKnow_isRefusedAsDamaged() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        String text = Files.readString(f);
        Files.writeString(f, text.replace("\"update\"", "\"explode\""));
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("does not have the expected shape");
        Files.writeString(f, text.replace("\"file[motd]\"", "\"motd\""));
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("does not have the expected shape");
    }

    @Test
    void read_editedContentWithARecomputedPlainChecksum_isRefused() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(f.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("plan").get("entries").get(0).get("change")).put("action", "delete");
        root.put("checksum", "sha256:" + dev.mosaic.resource.Digests.sha256(json.writeValueAsString(root.get("plan"))));
        Files.writeString(f, json.writeValueAsString(root));
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("checksum does not match");
    }

    @Test
    void read_planMadeWithAnotherKey_isRefused() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        byte[] other = new byte[32];
        other[0] = 1;
        sample().write(f, other);
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).isInstanceOf(UserError.class)
                .hasMessageContaining("checksum does not match").hasMessageContaining("another state directory");
    }

    @Test
    void key_isCreatedOnceWithMode0600_andNeverMissingSilently() throws Exception {
        Path state = tmp.resolve("state");
        assertThatThrownBy(() -> SavedPlan.key(state, false)).isInstanceOf(UserError.class)
                .hasMessageContaining("has no plan key");
        byte[] made = SavedPlan.key(state, true);
        assertThat(made).hasSize(32);
        assertThat(SavedPlan.key(state, false)).isEqualTo(made);
        assertThat(SavedPlan.key(state, true)).isEqualTo(made);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve(SavedPlan.KEY_FILE)))).isEqualTo("rw-------");
    }

    @Test
    void read_otherFormatVersion_orNotAPlan_orMissing_isRefused() throws Exception {
        Path f = tmp.resolve("plan.mosaic");
        sample().write(f, KEY);
        Files.writeString(f, Files.readString(f).replace("\"format_version\" : 3", "\"format_version\" : 9"));
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).hasMessageContaining("format version 9");
        Files.writeString(f, "{\"hello\": 1}", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SavedPlan.read(f, KEY)).hasMessageContaining("is not a Mosaic plan file");
        assertThatThrownBy(() -> SavedPlan.read(tmp.resolve("none.mosaic"), KEY)).hasMessageContaining("does not exist");
    }

    @Test
    void fingerprintChanges_sayWhatMoved() {
        Fingerprint planned = new Fingerprint("update", Map.of("mode", "0600", "content", "5 B sha256:aa"), "i1");
        Fingerprint now = new Fingerprint("update", Map.of("mode", "0640", "owner", "root"), "i2");
        assertThat(Fingerprint.changes(planned, now)).containsExactly(
                "content: now matches the playbook (was 5 B sha256:aa at plan time)",
                "mode: 0600 at plan time, now 0640",
                "owner: matched the playbook at plan time, now root",
                "its inputs (source files or trees) changed");
        assertThat(Fingerprint.changes(planned, new Fingerprint("no-op", Map.of(), "i1")))
                .containsExactly("it now matches the playbook already (the plan would update it)");
        assertThat(Fingerprint.changes(planned, planned)).isEmpty();
    }

    @Test
    void write_linkPlantedAtTheOldTempName_neverWrittenThrough() throws Exception {
        dev.mosaic.testing.Canary canary = dev.mosaic.testing.Canary.plant(tmp.resolve("outside"));
        Path shared = java.nio.file.Files.createDirectories(tmp.resolve("shared-tmp"));
        java.nio.file.Files.createSymbolicLink(shared.resolve(".plan.mosaic.tmp"), canary.file());

        sample().write(shared.resolve("plan.mosaic"), KEY);

        assertThat(SavedPlan.read(shared.resolve("plan.mosaic"), KEY)).isEqualTo(sample());
        canary.assertUntouched();
    }

    @Test
    void key_stateDirectoryIsALink_isRefusedAndNothingIsMadeThroughIt() throws Exception {
        dev.mosaic.testing.Canary canary = dev.mosaic.testing.Canary.plant(tmp.resolve("outside"));
        Path state = tmp.resolve("root/var/lib/mosaic");
        java.nio.file.Files.createDirectories(state.getParent());
        java.nio.file.Files.createSymbolicLink(state, canary.subdir());

        assertThatThrownBy(() -> SavedPlan.key(state, true)).isInstanceOf(dev.mosaic.state.StateDirError.class)
                .hasMessageContaining(state.toString());
        canary.assertUntouched();
    }
}
