package dev.mosaic.resource;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A spec bound to its kind: every call reaches the kind with the spec and observation of its own
 * types, and a batch holds one kind only.
 */
class BoundTest {

    @TempDir
    Path tmp;

    /** The fake's spec: a key and the value it should hold. */
    record Want(String key, String value) {
    }

    /** What the fake saw: the value held now, absent when there is none. */
    record Have(Optional<String> value) {
    }

    /** A kind keeping its values in the resource's memory, recording what it was asked. */
    static final class Keys implements ResourceType<Want, Have> {
        private final String kind;
        final List<String> calls = new ArrayList<>();

        Keys(String kind) {
            this.kind = kind;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public String summary() {
            return "values by key, for binding tests";
        }

        @Override
        public Want parse(SpecReader reader) {
            String value = reader.string("value");
            if (value.isEmpty()) {
                reader.error("value", "must not be empty");
                return null;
            }
            return new Want(reader.id(), value);
        }

        @Override
        public Paths paths(Want spec) {
            return Paths.produces("/keys/" + spec.key());
        }

        @Override
        public Have observe(Want spec, Context ctx) throws IOException {
            calls.add("observe " + spec.key());
            return new Have(ctx.memory().get(spec.key()));
        }

        @Override
        public Change diff(Want spec, Have observed) {
            if (observed.value().isEmpty()) {
                return new Change(Action.CREATE, List.of(new Diff.Field("value", null, spec.value())));
            }
            return Change.of(Action.UPDATE, observed.value().get().equals(spec.value()) ? List.of()
                    : List.of(new Diff.Field("value", observed.value().get(), spec.value())));
        }

        @Override
        public void apply(Want spec, Change change, Context ctx) throws IOException {
            calls.add("apply " + spec.key() + " " + change.action().word());
            ctx.memory().put(spec.key(), spec.value());
            ctx.output("set " + spec.key());
        }

        @Override
        public String inputDigest(Want spec, Have observed) {
            return "in:" + spec.key() + "=" + observed.value().orElse("-");
        }

        @Override
        public String overwritesDigest(Want spec, Have observed) {
            return "over:" + observed.value().orElse("-");
        }

        @Override
        public String batchKey(Want spec) {
            return "all";
        }

        @Override
        public void applyBatch(List<Want> specs, List<Change> changes, Context ctx) throws IOException, ResourceException {
            calls.add("batch " + specs.stream().map(Want::key).toList());
            ResourceType.super.applyBatch(specs, changes, ctx);
        }

        @Override
        public List<Command> commands(Want spec) {
            return List.of(new Command("set " + spec.key(), "/", false));
        }

        @Override
        public void refresh(Want spec, Context ctx) {
            calls.add("refresh " + spec.key());
        }

        @Override
        public boolean refreshAfter(Want spec, Change change) {
            return change.action() == Action.UPDATE;
        }

        @Override
        public void prefetch(List<Want> specs, Host host) {
            calls.add("prefetch " + specs.stream().map(Want::key).toList());
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.REFRESHABLE);
        }
    }

    /** A context whose memory is a map, with the output lines kept. */
    private static final class Ctx implements Context {
        final Map<String, String> values = new HashMap<>();
        final List<String> lines = new ArrayList<>();
        private final Host host;

        Ctx(Host host) {
            this.host = host;
        }

        @Override
        public Host host() {
            return host;
        }

        @Override
        public Host control() {
            return host;
        }

        @Override
        public Path baseDir() {
            return Path.of(".");
        }

        @Override
        public void output(String line) {
            lines.add(line);
        }

        @Override
        public Memory memory() {
            return new Memory() {
                @Override
                public Optional<String> get(String key) {
                    return Optional.ofNullable(values.get(key));
                }

                @Override
                public void put(String key, String value) {
                    values.put(key, value);
                }
            };
        }

        @Override
        public Path cacheDir() {
            return Path.of("cache");
        }

        @Override
        public Pins pins() {
            throw new UnsupportedOperationException("no pins in binding tests");
        }
    }

    private Ctx ctx() {
        return new Ctx(new LocalHost(tmp));
    }

    private static SpecReader reader(String id, String yaml, Diagnostics diags) {
        return new SpecReader(id, (YNode.Map) YamlReader.read("test.yaml", yaml, diags), diags, Path.of("."));
    }

    @Test
    void parseBindsTheKindsSpecToTheKind() {
        Keys keys = new Keys("keys");
        Diagnostics diags = new Diagnostics();

        Bound<Want, Have> bound = Bound.parse(keys, reader("motd", "value: hello\n", diags));

        assertThat(diags.hasErrors()).isFalse();
        assertThat(bound.type()).isSameAs(keys);
        assertThat(bound.spec()).isEqualTo(new Want("motd", "hello"));
        assertThat(bound.kind()).isEqualTo("keys");
        assertThat(bound.has(Capability.REFRESHABLE)).isTrue();
    }

    @Test
    void aSpecTheKindRefusesMakesNoBinding() {
        Diagnostics diags = new Diagnostics();

        Bound<Want, Have> bound = Bound.parse(new Keys("keys"), reader("motd", "value: ''\n", diags));

        assertThat(bound).isNull();
        assertThat(diags.hasErrors()).isTrue();
    }

    @Test
    void observeDiffApplyRoundTripKeepsTheTypes() throws Exception {
        Keys keys = new Keys("keys");
        Bound<Want, Have> bound = new Bound<>(keys, new Want("motd", "hello"));
        Ctx ctx = ctx();

        Bound.Seen<Want, Have> before = bound.observe(ctx);
        Have have = before.state(); // the kind's own type, no cast
        Change change = before.diff();
        assertThat(have.value()).isEmpty();
        assertThat(change.action()).isEqualTo(Action.CREATE);
        assertThat(before.inputDigest()).isEqualTo("in:motd=-");
        assertThat(before.overwritesDigest()).isEqualTo("over:-");

        bound.apply(change, ctx);
        Bound.Seen<Want, Have> after = bound.observe(ctx);

        assertThat(after.state().value()).contains("hello");
        assertThat(after.diff()).isEqualTo(Change.NOOP);
        assertThat(after.inputDigest()).isEqualTo("in:motd=hello");
        assertThat(after.bound()).isSameAs(bound);
        assertThat(ctx.values).containsExactly(Map.entry("motd", "hello"));
        assertThat(ctx.lines).containsExactly("set motd");
        assertThat(keys.calls).containsExactly("observe motd", "apply motd create", "observe motd");
    }

    @Test
    void aSeenDiffsAgainstTheSpecItWasObservedWith() throws Exception {
        Keys keys = new Keys("keys");
        Ctx ctx = ctx();
        ctx.values.put("motd", "old");

        Bound.Seen<?, ?> seen = new Bound<>(keys, new Want("motd", "new")).observe(ctx);

        assertThat(seen.diff().diffs()).containsExactly(new Diff.Field("value", "old", "new"));
    }

    @Test
    void theSpecOnlyCallsReachTheKindWithItsSpec() throws Exception {
        Keys keys = new Keys("keys");
        Bound<Want, Have> bound = new Bound<>(keys, new Want("motd", "hello"));

        assertThat(bound.paths().produces()).containsExactly("/keys/motd");
        assertThat(bound.commands()).extracting(Command::line).containsExactly("set motd");
        assertThat(bound.batchKey()).isEqualTo("all");
        assertThat(bound.refreshAfter(new Change(Action.UPDATE, List.of()))).isTrue();
        assertThat(bound.refreshAfter(new Change(Action.CREATE, List.of()))).isFalse();
        bound.refresh(ctx());
        assertThat(keys.calls).containsExactly("refresh motd");
    }

    @Test
    void aBatchOfOneKindReachesItInOneCallInOrder() throws Exception {
        Keys keys = new Keys("keys");
        List<Bound<?, ?>> members = List.of(new Bound<>(keys, new Want("b", "2")), new Bound<>(keys, new Want("a", "1")));
        List<Change> changes = new ArrayList<>();
        Ctx ctx = ctx();
        for (Bound<?, ?> m : members) {
            changes.add(m.observe(ctx).diff());
        }
        keys.calls.clear();

        members.get(0).applyBatch(members, changes, ctx);

        assertThat(keys.calls).containsExactly("batch [b, a]", "apply b create", "apply a create");
        assertThat(ctx.values).containsEntry("a", "1").containsEntry("b", "2");
    }

    @Test
    void aBatchMixingKindsIsRefusedBeforeTheKindIsCalled() {
        Keys first = new Keys("keys");
        Keys other = new Keys("other-keys");
        List<Bound<?, ?>> members = List.of(new Bound<>(first, new Want("a", "1")), new Bound<>(other, new Want("b", "2")));
        List<Change> changes = List.of(new Change(Action.CREATE, List.of()), new Change(Action.CREATE, List.of()));
        Ctx ctx = ctx();

        assertThatThrownBy(() -> members.get(0).applyBatch(members, changes, ctx))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a batch of keys resources holds a other-keys");
        assertThatThrownBy(() -> members.get(0).prefetch(members, ctx.host()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(first.calls).isEmpty();
        assertThat(other.calls).isEmpty();
        assertThat(ctx.values).isEmpty();
    }

    @Test
    void twoInstancesOfOneKindClassAreTwoKinds() {
        // The check is by identity: the registry holds one instance per kind name.
        Keys one = new Keys("keys");
        Keys two = new Keys("keys");
        List<Bound<?, ?>> members = List.of(new Bound<>(one, new Want("a", "1")), new Bound<>(two, new Want("b", "2")));

        assertThatThrownBy(() -> members.get(0).prefetch(members, new LocalHost(tmp)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(one.calls).isEmpty();
    }

    @Test
    void prefetchGetsTheSpecsOfAllMembers() throws Exception {
        Keys keys = new Keys("keys");
        List<Bound<?, ?>> members = List.of(new Bound<>(keys, new Want("x", "1")), new Bound<>(keys, new Want("y", "2")));

        members.get(0).prefetch(members, new LocalHost(tmp));

        assertThat(keys.calls).containsExactly("prefetch [x, y]");
    }

    @Test
    void aBindingNeedsBothHalves() {
        assertThatThrownBy(() -> new Bound<>(new Keys("keys"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Bound<Want, Have>(null, new Want("a", "1"))).isInstanceOf(NullPointerException.class);
    }
}
