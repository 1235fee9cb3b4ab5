package dev.mosaic.playbook;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.UserError;
import dev.mosaic.resource.copy.CopySpec;
import dev.mosaic.resource.file.FileSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every bad input is reported as {@code file:line:col: error: message}, with the exact position
 * and text a user sees. The playbook text is given inline; nothing is read from disk.
 */
class PlaybookLoaderTest {

    private static final Path FILE = Path.of("site.yaml");

    /** Every registered kind, sorted: the list an unknown type is answered with. */
    private static final String KNOWN_TYPES = String.join(", ", BuiltinKinds.create().names());

    private final PlaybookLoader loader = new PlaybookLoader(BuiltinKinds.create());

    private Playbook load(String yaml) {
        return load(yaml, Map.of());
    }

    private Playbook load(String yaml, Map<String, String> overrides) {
        return loader.load(FILE, yaml, overrides);
    }

    private List<String> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    /** The rendered diagnostics of a playbook that must not load. */
    private List<String> errors(String yaml, Map<String, String> overrides) {
        UserError e = catchThrowableOfType(() -> load(yaml, overrides), UserError.class);
        if (e == null) {
            fail("expected the playbook to be rejected:\n" + yaml);
        }
        return e.diagnostics().stream().map(Diagnostic::render).toList();
    }

    // ------------------------------------------------------------------ malformed YAML

    @Test
    void badIndentation_isMalformedYaml_atTheUnexpectedColon() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                     path: /etc/motd
                """)).containsExactly(
                "site.yaml:4:10: error: malformed YAML: mapping values are not allowed here; hint: this line is"
                        + " indented deeper than the one before it (column 5); the keys of one mapping start in the same column");
    }

    @Test
    void unclosedQuote_isMalformedYaml_withWhatTheParserWasDoing() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: "/etc/motd
                """)).containsExactly(
                "site.yaml:5:1: error: malformed YAML: found unexpected end of stream (while scanning a quoted scalar);"
                        + " hint: a quote is opened and never closed");
    }

    @Test
    void an_undefined_variable_does_not_hide_the_field_typos_beside_it_nor_adds_errors_of_its_own() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: /etc/${nope}
                    contnet: hi
                    mdoe: "0644"
                """)).containsExactly(
                "site.yaml:4:16: error: undefined variable 'nope'",
                "site.yaml:5:5: error: resource 'motd': unknown field 'contnet' (did you mean 'content'?); known fields:"
                        + " content, description, ensure, group, mode, notify, on_remove, owner, path, requires, source, type",
                "site.yaml:6:5: error: resource 'motd': unknown field 'mdoe' (did you mean 'mode'?); known fields:"
                        + " content, description, ensure, group, mode, notify, on_remove, owner, path, requires, source, type");
    }

    @Test
    void a_duplicate_key_does_not_hide_the_other_errors_of_the_file() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    path: /etc/motd2
                    contnet: hi
                """)).containsExactly(
                "site.yaml:5:5: error: duplicate key 'path' (first defined at site.yaml:4:5)",
                "site.yaml:6:5: error: resource 'motd': unknown field 'contnet' (did you mean 'content'?); known fields:"
                        + " content, description, ensure, group, mode, notify, on_remove, owner, path, requires, source, type");
    }

    @Test
    void topLevelList_isRejected_sayingWhatAPlaybookIs() {
        assertThat(errors("""
                - motd
                """)).containsExactly("site.yaml:1:1: error: a playbook is a mapping with 'resources' and/or 'modules'"
                + " (and optionally 'name' and 'vars'); the file is an array");
    }

    @Test
    void emptyFile_isRejected_atItsStart() {
        assertThat(errors("")).containsExactly("site.yaml:1:1: error: a playbook is a mapping with 'resources' and/or 'modules'"
                + " (and optionally 'name' and 'vars'); the file is empty");
    }

    // ------------------------------------------------------------------ schema

    @Test
    void unknownResourceType_pointsAtTheValue_withSuggestionAndKnownTypes() {
        assertThat(List.of(KNOWN_TYPES.split(", "))).as("sorted names").isSorted().contains("copy", "directory", "file");
        assertThat(errors("""
                resources:
                  tftp:
                    type: directroy
                    path: /srv/tftp
                  motd:
                    type: fiel
                    path: /srv/tftp/motd
                """)).containsExactly(
                "site.yaml:3:11: error: resource 'tftp': unknown type 'directroy'"
                        + " (did you mean 'directory'?); known types: " + KNOWN_TYPES,
                "site.yaml:6:11: error: resource 'motd': unknown type 'fiel'"
                        + " (did you mean 'file'?); known types: " + KNOWN_TYPES);
    }

    @Test
    void unknownResourceType_farFromAnyKind_hasNoSuggestion() {
        assertThat(errors("""
                resources:
                  web:
                    type: nginx
                """)).containsExactly(
                "site.yaml:3:11: error: resource 'web': unknown type 'nginx'; known types: " + KNOWN_TYPES);
    }

    @Test
    void unknownField_pointsAtKey_withSuggestion() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    contnet: hello
                """)).containsExactly("site.yaml:5:5: error: resource 'motd': unknown field 'contnet'"
                + " (did you mean 'content'?); known fields: content, description, ensure, group, mode, notify,"
                + " on_remove, owner, path, requires, source, type");
    }

    @Test
    void onRemove_takesTheWordsAndDefaultOfTheSchema_andAnUnknownWordIsRefusedAtItsPosition() {
        String body = """
                vars:
                  how: keep
                resources:
                  absent: { type: directory, path: /a }
                  kept: { type: directory, path: /b, on_remove: keep }
                  deleted: { type: directory, path: /c, on_remove: delete }
                  referenced: { type: directory, path: /d, on_remove: "${how}" }
                """;
        Map<String, Boolean> keep = new java.util.TreeMap<>();
        load(body).resources().forEach(d -> keep.put(d.id(), d.keepOnRemove()));
        assertThat(keep).containsExactly(Map.entry("absent", false), Map.entry("deleted", false),
                Map.entry("kept", true), Map.entry("referenced", true));
        assertThat(errors("""
                resources:
                  d: { type: directory, path: /a, on_remove: kep }
                """)).containsExactly("site.yaml:2:46: error: resource 'd', field 'on_remove': expected one of delete,"
                + " keep, got 'kep'");
        assertThat(errors("""
                vars:
                  how: kep
                resources:
                  d:
                    type: directory
                    path: /a
                    on_remove: ${how}
                """)).containsExactly("site.yaml:7:16: error: resource 'd', field 'on_remove': expected one of delete,"
                + " keep, got 'kep'");
    }

    @Test
    void unknownTopLevelField_pointsAtKey() {
        assertThat(errors("""
                name: lab
                resource: {}
                """)).containsExactly(
                "site.yaml:1:1: error: a playbook declares 'resources', 'modules' or both; this one has neither",
                "site.yaml:2:1: error: unknown field 'resource' (did you mean 'resources'?);"
                        + " known fields: description, modules, name, resources, sensitive, vars");
    }

    @Test
    void wrongValueType_listWhereBooleanExpected() {
        assertThat(errors("""
                resources:
                  modules:
                    type: copy
                    source: /lib/modules
                    dest: /opt/modules
                    purge: [1]
                """)).containsExactly(
                "site.yaml:6:12: error: resource 'modules', field 'purge': expected boolean, got array");
    }

    @Test
    void wrongValueType_mappingWhereStringExpected() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    content: {a: 1}
                """)).containsExactly(
                "site.yaml:5:14: error: resource 'motd', field 'content': expected string, got object");
    }

    @Test
    void wrongValueType_stringWhereBooleanExpected_quotesTheValue() {
        assertThat(errors("""
                resources:
                  modules:
                    type: copy
                    source: /lib/modules
                    dest: /opt/modules
                    purge: sometimes
                """)).containsExactly("site.yaml:6:12: error: resource 'modules', field 'purge':"
                + " expected boolean, got string 'sometimes'");
    }

    @Test
    void missingRequiredField_namesTheField_atTheResourceId() {
        assertThat(errors("""
                resources:
                  modules:
                    type: copy
                    dest: /opt/modules
                """)).containsExactly("site.yaml:2:3: error: resource 'modules': missing required field 'source'");
    }

    @Test
    void relativePath_whereAbsoluteRequired_pointsAtTheValue() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: etc/motd
                """)).containsExactly(
                "site.yaml:4:11: error: resource 'motd', field 'path': must be an absolute path, got 'etc/motd'");
    }

    @Test
    void invalidMode_isReportedByTheKind_atTheValue() {
        assertThat(errors("""
                resources:
                  tftp:
                    type: directory
                    path: /srv/tftp
                    mode: 999
                """)).containsExactly("site.yaml:5:11: error: resource 'tftp', field 'mode':"
                + " expected an octal mode like \"0644\", got '999'");
    }

    @Test
    void duplicateResourceId_pointsAtTheSecondKey_andNamesTheFirst() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                  motd:
                    type: file
                    path: /etc/issue
                """)).containsExactly(
                "site.yaml:5:3: error: duplicate key 'motd' (first defined at site.yaml:2:3)");
    }

    // ------------------------------------------------------------------ variables

    @Test
    void undefinedVariable_pointsInsideTheScalar_plainAndQuoted() {
        assertThat(errors("""
                vars:
                  kernel: 2.4.22
                resources:
                  modules:
                    type: copy
                    source: /lib/modules/${kernal}
                    dest: "/opt/ltsp/${arch}/lib"
                """)).containsExactly(
                "site.yaml:6:26: error: undefined variable 'kernal' (did you mean 'kernel'?)",
                "site.yaml:7:22: error: undefined variable 'arch'");
    }

    @Test
    void variableCycle_isReportedAtTheClosingReference_withTheWholeChain() {
        assertThat(errors("""
                vars:
                  a: ${b}
                  b: x-${c}
                  c: ${a}
                resources:
                  motd:
                    type: file
                    path: /etc/${a}
                """)).containsExactly("site.yaml:4:6: error: variable 'a' refers to itself: a -> b -> c -> a");
    }

    @Test
    void variableReferringToItself_isACycleOfOne() {
        assertThat(errors("""
                vars:
                  dir: ${dir}/x
                resources:
                  motd:
                    type: file
                    path: ${dir}
                """)).containsExactly("site.yaml:2:8: error: variable 'dir' refers to itself: dir -> dir");
    }

    @Test
    void unterminatedReference_suggestsTheEscape() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    content: cost ${dollars
                """)).containsExactly(
                "site.yaml:5:19: error: unterminated '${' (write '$${' for a literal '${')");
    }

    @Test
    void dollarEscape_leavesALiteralReference() {
        Playbook p = load("""
                vars:
                  name: motd
                resources:
                  motd:
                    type: file
                    path: /etc/$${name}/${name}
                    content: "home is $${HOME}, file is ${name}, price $5"
                """);
        FileSpec spec = (FileSpec) p.byId("motd").orElseThrow().spec();
        assertThat(spec.path()).isEqualTo("/etc/${name}/motd");
        assertThat(new String(spec.content().orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("home is ${HOME}, file is motd, price $5");
    }

    @Test
    void structuredVariable_asAWholeValue_takesTheList() {
        Playbook p = load("""
                vars:
                  before: [lib, tftp]
                resources:
                  lib:
                    type: directory
                    path: /opt/lib
                  tftp:
                    type: directory
                    path: /srv/tftp
                  modules:
                    type: copy
                    source: /lib/modules
                    dest: /opt/modules
                    requires: ${before}
                """);
        assertThat(p.byId("modules").orElseThrow().requires()).extracting(Ref::id).containsExactly("lib", "tftp");
        assertThat(p.vars()).as("only scalar variables are listed").isEmpty();
    }

    @Test
    void structuredVariable_insideLongerText_isAnError() {
        assertThat(errors("""
                vars:
                  dirs: [a, b]
                resources:
                  motd:
                    type: file
                    path: /etc/${dirs}
                """)).containsExactly(
                "site.yaml:6:16: error: variable 'dirs' is a list; only a whole value '${dirs}' can take it");
    }

    @Test
    void unquotedInterpolatedScalar_isRetyped_quotedOneStaysAString() {
        Playbook p = load("""
                vars:
                  head: tr
                  rest: ue
                  flag: true
                resources:
                  whole:
                    type: copy
                    source: /a
                    dest: /whole
                    purge: ${flag}
                  joined:
                    type: copy
                    source: /a
                    dest: /joined
                    purge: ${head}${rest}
                """);
        assertThat(((CopySpec) p.byId("whole").orElseThrow().spec()).purge()).isTrue();
        assertThat(((CopySpec) p.byId("joined").orElseThrow().spec()).purge()).isTrue();

        assertThat(errors("""
                vars:
                  head: tr
                  rest: ue
                  one: 1
                resources:
                  quoted:
                    type: copy
                    source: /a
                    dest: /quoted
                    purge: "${head}${rest}"
                  number:
                    type: copy
                    source: /a
                    dest: /number
                    purge: ${one}
                """)).containsExactly(
                "site.yaml:10:12: error: resource 'quoted', field 'purge': expected boolean, got string 'true'",
                "site.yaml:15:12: error: resource 'number', field 'purge': expected boolean, got integer '1'");
    }

    @Test
    void varOverride_ofAnUnknownVariable_isAnError_withSuggestion() {
        assertThat(errors("""
                vars:
                  kernel: 2.4.22
                resources:
                  motd:
                    type: file
                    path: /etc/${kernel}
                """, Map.of("kernal", "2.6"))).containsExactly(
                "<input>: error: --var kernal: the playbook has no variable 'kernal' (did you mean 'kernel'?)");
    }

    @Test
    void varOverride_changesTheValue_andItsType() {
        String yaml = """
                vars:
                  kernel: 2.4.22
                  purge: false
                resources:
                  modules:
                    type: copy
                    source: /lib/modules/${kernel}
                    dest: /opt/modules/${kernel}
                    purge: ${purge}
                """;
        CopySpec plain = (CopySpec) load(yaml).resources().get(0).spec();
        assertThat(plain).isEqualTo(new CopySpec("/lib/modules/2.4.22", "/opt/modules/2.4.22", false));

        Playbook p = load(yaml, Map.of("kernel", "2.6.32", "purge", "true"));
        assertThat(p.resources().get(0).spec())
                .isEqualTo(new CopySpec("/lib/modules/2.6.32", "/opt/modules/2.6.32", true));
        assertThat(p.vars()).containsExactlyInAnyOrderEntriesOf(Map.of("kernel", "2.6.32", "purge", "true"));
        assertThat(p.resources().get(0).configDigest())
                .as("a changed value is a changed configuration")
                .isNotEqualTo(load(yaml).resources().get(0).configDigest());
    }

    @Test
    void varOverride_withAnUndefinedReference_isReportedAtTheOverride() {
        assertThat(errors("""
                vars:
                  dir: /srv
                resources:
                  motd:
                    type: file
                    path: ${dir}/motd
                """, Map.of("dir", "${nowhere}"))).containsExactly("--var dir: error: undefined variable 'nowhere'");
    }

    // ------------------------------------------------------------------ references

    @Test
    void requires_namingAMissingId_pointsAtTheReference_withSuggestion() {
        assertThat(errors("""
                resources:
                  tftp:
                    type: directory
                    path: /srv/tftp
                  motd:
                    type: file
                    path: /srv/tftp/motd
                    requires: [tfpt]
                """)).containsExactly(
                "site.yaml:8:16: error: resource 'motd', field 'requires': no resource 'tfpt' (did you mean 'tftp'?)");
    }

    @Test
    void missingReference_neverSuggestsTheReferringResourceItself() {
        assertThat(errors("""
                resources:
                  node1:
                    type: file
                    path: /node1
                    requires: [node3]
                  node2:
                    type: file
                    path: /node2
                """)).containsExactly(
                "site.yaml:5:16: error: resource 'node1', field 'requires': no resource 'node3'"
                        + " (did you mean 'node2'?)");
    }

    @Test
    void notify_namingAMissingId_pointsAtTheListItem() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    notify:
                      - nothing-here
                """)).containsExactly(
                "site.yaml:6:9: error: resource 'motd', field 'notify': no resource 'nothing-here'");
    }

    @Test
    void notify_ofANonRefreshableKind_isAnError_pointingToRequires() {
        assertThat(errors("""
                resources:
                  tftp:
                    type: directory
                    path: /srv/tftp
                  motd:
                    type: file
                    path: /etc/motd
                    notify: [tftp]
                """)).containsExactly("site.yaml:8:14: error: resource 'motd' notifies 'tftp',"
                + " but a directory has nothing to refresh; use 'requires' for ordering");
    }

    @Test
    void referencesToItself_areErrors() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    requires: [motd]
                    notify: [motd]
                """)).containsExactly(
                "site.yaml:5:16: error: resource 'motd' requires itself",
                "site.yaml:6:14: error: resource 'motd' notifies itself");
    }

    @Test
    void referenceToAResourceThatFailedToParse_isNotReportedAsMissing() {
        assertThat(errors("""
                resources:
                  tftp:
                    type: directory
                    path: /srv/tftp
                    mode: 999
                  motd:
                    type: file
                    path: /srv/tftp/motd
                    requires: [tftp]
                """)).containsExactly("site.yaml:5:11: error: resource 'tftp', field 'mode':"
                + " expected an octal mode like \"0644\", got '999'");
    }

    // ------------------------------------------------------------------ all at once

    @Test
    void severalErrors_areReportedAtOnce_sortedByPosition() {
        List<String> errors = errors("""
                resources:
                  c:
                    type: link
                  a:
                    type: fille
                    path: /x
                  b:
                    type: file
                    path: relative
                    bogus: 1
                """);
        assertThat(errors).hasSize(4).containsExactly(
                "site.yaml:2:3: error: resource 'c': missing required field 'path'",
                "site.yaml:5:11: error: resource 'a': unknown type 'fille' (did you mean 'file'?);"
                        + " known types: " + KNOWN_TYPES,
                "site.yaml:9:11: error: resource 'b', field 'path': must be an absolute path, got 'relative'",
                "site.yaml:10:5: error: resource 'b': unknown field 'bogus'; known fields: content, description,"
                        + " ensure, group, mode, notify, on_remove, owner, path, requires, source, type");
    }

    @Test
    void severalReferenceErrors_areReportedAtOnce() {
        UserError e = catchThrowableOfType(() -> load("""
                resources:
                  a:
                    type: file
                    path: /a
                    requires: [x, y]
                  b:
                    type: file
                    path: /b
                    notify: [a, z]
                """, Map.of()), UserError.class);
        assertThat(e.diagnostics()).hasSize(4).allMatch(Diagnostic::isError);
        assertThat(e.getMessage()).isEqualTo(String.join("\n",
                "site.yaml:5:16: error: resource 'a', field 'requires': no resource 'x'",
                "site.yaml:5:19: error: resource 'a', field 'requires': no resource 'y'",
                "site.yaml:9:14: error: resource 'b' notifies 'a', but a file has nothing to refresh;"
                        + " use 'requires' for ordering",
                "site.yaml:9:17: error: resource 'b', field 'notify': no resource 'z'"));
    }

    // ------------------------------------------------------------------ a good playbook

    @Test
    void validPlaybook_keepsDeclarationOrder_positions_andResolvedVars() {
        Playbook p = load("""
                name: lab
                vars:
                  root: /srv/tftp
                resources:
                  tftp:
                    type: directory
                    path: ${root}
                    mode: "0755"
                  motd:
                    type: file
                    path: ${root}/motd
                    content: hello
                    requires: [tftp]
                    description: the banner
                """);
        assertThat(p.name()).isEqualTo("lab");
        assertThat(p.vars()).containsExactly(Map.entry("root", "/srv/tftp"));
        assertThat(p.resources()).extracting(d -> d.address().toString()).containsExactly("directory[tftp]", "file[motd]");
        ResourceDecl motd = p.byId("motd").orElseThrow();
        assertThat(motd.pos().toString()).isEqualTo("site.yaml:9:3");
        assertThat(motd.requires()).containsExactly(new Ref("tftp", new SourcePos("site.yaml", 13, 16)));
        assertThat(motd.description()).isEqualTo("the banner");
        assertThat(((FileSpec) motd.spec()).path()).isEqualTo("/srv/tftp/motd");
    }

    @Test
    void configDigest_ignoresEngineFields_butNotKindFields() {
        String base = """
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    content: hello
                """;
        String digest = load(base).resources().get(0).configDigest();
        assertThat(load(base + "    description: the banner\n").resources().get(0).configDigest()).isEqualTo(digest);
        assertThat(load(base.replace("hello", "bye")).resources().get(0).configDigest()).isNotEqualTo(digest);
    }

    @Test
    void references_insideFlowSequencesAndMappings_quoted_areInterpolated() {
        Playbook p = load("""
                vars:
                  kver: 6.1.0-56-amd64
                resources:
                  kernel:
                    type: copy
                    source: /lib/modules/${kver}
                    dest: /opt/ltsp/lib/modules/${kver}
                  tree:
                    type: build
                    dir: /usr/src
                    command: make
                    inputs: ["/usr/src/linux-${kver}", "/boot/config-${kver}"]
                    env: { KVER: "${kver}" }
                """);
        dev.mosaic.resource.build.BuildSpec build = (dev.mosaic.resource.build.BuildSpec) p.byId("tree").orElseThrow().spec();
        assertThat(build.inputs()).containsExactly("/usr/src/linux-6.1.0-56-amd64", "/boot/config-6.1.0-56-amd64");
        assertThat(build.env()).containsEntry("KVER", "6.1.0-56-amd64");
    }

    @Test
    void flowReference_toAnUndefinedVariable_isReportedAtItsColumn() {
        assertThat(errors("""
                resources:
                  tree:
                    type: build
                    dir: /usr/src
                    command: make
                    inputs: ["/usr/src/linux-${kver}"]
                """)).containsExactly("site.yaml:6:30: error: undefined variable 'kver'");
    }

    @Test
    void flowReference_unquoted_isAYamlErrorSayingHowToQuoteIt() {
        assertThat(errors("""
                resources:
                  tree:
                    type: build
                    dir: /usr/src
                    command: make
                    inputs: [/usr/src/linux-${kver}]
                """)).containsExactly("site.yaml:6:29: error: malformed YAML: ${kver} inside [ ] or { } must be quoted,"
                + " since YAML reads its braces as a mapping: quote the whole value, as in [\"/lib/${kver}/x\"] or"
                + " { key: \"${kver}\" } (outside [ ] and { }, no quotes are needed)");
    }

    @Test
    void sensitiveVariables_areKnownByName_notByTheTextTheyAreShownAs() {
        Playbook p = load("""
                sensitive: [password]
                vars:
                  password: hunter2
                  label: "(sensitive)"
                resources: {}
                """);
        assertThat(p.sensitiveVars()).containsExactly("password");
        assertThat(p.vars()).containsEntry("password", "(sensitive)").containsEntry("label", "(sensitive)");
    }
}
