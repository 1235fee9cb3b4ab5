package dev.mosaic.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.UserError;
import dev.mosaic.graph.Edge;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.directory.DirectorySpec;
import dev.mosaic.resource.file.FileSpec;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
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
import static org.assertj.core.api.Assertions.fail;

/**
 * Modules: a playbook calls {@code modules/NAME/module.yml} under aliases, passes typed params
 * with {@code with:}, uses outputs as {@code ${module.ALIAS.OUTPUT}}, and gets namespaced
 * resources. Every file lives in a temporary directory; messages are shown relative to it.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ModulesTest {

    /** A module with a param of every type; the line numbers matter to the messages below. */
    static final String LAB_FILES = """
            name: lab-files
            description: PXE entries for a netboot lab
            params:
              tftp_root: { type: string, default: /srv/tftp, description: the TFTP root }
              kernel: { type: string, description: kernel file name in the TFTP root }
              max_topology: { type: integer, min: 2, max: 10, default: 4 }
              mode: { type: string, enum: [classic, modern], default: modern }
              nodes: { type: list, default: [] }
              ratio: { type: number, default: 0.5 }
              verbose: { type: boolean, default: false }
              extra: { type: map, default: {} }
              secret: { type: string, sensitive: true, default: "" }
              menu_dir: { type: string, default: "${tftp_root}/pxelinux.cfg" }
            resources:
              root:
                type: directory
                path: ${tftp_root}
              menu:
                type: file
                path: ${menu_dir}/default
                content: "kernel ${kernel} topology=${max_topology} mode=${mode}\\n"
                requires: [root]
            outputs:
              menu: ${menu_dir}/default
              nodes: ${nodes}
            """;

    @TempDir
    Path tmp;

    private final List<Path> moduleDirs = new java.util.ArrayList<>();

    private Path write(String relative, String text) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private Playbook load(String playbook) throws IOException {
        return load(playbook, Map.of());
    }

    private Playbook load(String playbook, Map<String, String> overrides) throws IOException {
        Path file = write("site.yml", playbook);
        return new PlaybookLoader(BuiltinKinds.create(), moduleDirs).load(file, overrides);
    }

    /** The rendered diagnostics, with the temporary directory cut from every path. */
    private List<String> errors(String playbook) throws IOException {
        UserError e = catchThrowableOfType(() -> load(playbook), UserError.class);
        if (e == null) {
            fail("expected the playbook to be rejected:\n" + playbook);
        }
        return relative(e.diagnostics());
    }

    private List<String> relative(List<Diagnostic> diags) {
        return diags.stream().map(Diagnostic::render).map(s -> s.replace(tmp + "/", "")).toList();
    }

    private static List<String> addresses(Playbook p) {
        return p.resources().stream().map(d -> d.address().toString()).toList();
    }

    private static FileSpec file(Playbook p, String address) {
        return (FileSpec) decl(p, address).spec();
    }

    private static ResourceDecl decl(Playbook p, String address) {
        return p.resources().stream().filter(d -> d.address().toString().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + address + " in " + addresses(p)));
    }

    private static String text(FileSpec f) {
        return new String(f.content().orElseThrow(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ aliases, params, outputs

    @Test
    void the_same_module_under_two_aliases_gives_each_alias_its_own_namespaced_resources() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Playbook p = load("""
                vars:
                  kver: "6.1"
                modules:
                  a:
                    source: lab-files
                    with: { kernel: "vmlinuz-${kver}", tftp_root: /srv/a }
                  b:
                    source: lab-files
                    with: { kernel: vmlinuz, tftp_root: /srv/b, max_topology: 6, mode: classic }
                resources:
                  note:
                    type: file
                    path: /etc/menus
                    content: "${module.a.menu} ${module.b.menu}"
                """);

        assertThat(addresses(p)).containsExactly("module.a.directory[root]", "module.a.file[menu]",
                "module.b.directory[root]", "module.b.file[menu]", "file[note]");
        assertThat(((DirectorySpec) decl(p, "module.a.directory[root]").spec()).path()).isEqualTo("/srv/a");
        assertThat(file(p, "module.a.file[menu]").path()).isEqualTo("/srv/a/pxelinux.cfg/default");
        assertThat(text(file(p, "module.a.file[menu]"))).isEqualTo("kernel vmlinuz-6.1 topology=4 mode=modern\n");
        assertThat(text(file(p, "module.b.file[menu]"))).isEqualTo("kernel vmlinuz topology=6 mode=classic\n");
        assertThat(text(file(p, "file[note]"))).isEqualTo("/srv/a/pxelinux.cfg/default /srv/b/pxelinux.cfg/default");
        // Ids inside a module are its own: a's menu requires a's root, not b's.
        assertThat(decl(p, "module.a.file[menu]").requires()).extracting(Ref::id).containsExactly("module.a.directory[root]");
        assertThat(decl(p, "module.b.file[menu]").requires()).extracting(Ref::id).containsExactly("module.b.directory[root]");
        assertThat(decl(p, "module.b.file[menu]").pos().toString())
                .isEqualTo(tmp.resolve("modules/lab-files/module.yml") + ":18:3");
    }

    @Test
    void the_same_module_twice_on_the_same_paths_is_the_one_owner_per_path_error() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Playbook p = load("""
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz } }
                  b: { source: lab-files, with: { kernel: vmlinuz } }
                resources: {}
                """);
        Diagnostics diags = new Diagnostics();
        assertThat(GraphBuilder.build(p, diags)).isNull();
        assertThat(relative(diags.sorted())).containsExactly(
                "modules/lab-files/module.yml:15:3: error: resource 'module.b.directory[root]' manages /srv/tftp,"
                        + " which resource 'module.a.directory[root]' (modules/lab-files/module.yml:15) manages already;"
                        + " a path has one owner",
                "modules/lab-files/module.yml:18:3: error: resource 'module.b.file[menu]' manages"
                        + " /srv/tftp/pxelinux.cfg/default, which resource 'module.a.file[menu]'"
                        + " (modules/lab-files/module.yml:18) manages already; a path has one owner");
    }

    @Test
    void a_module_sees_its_params_only_never_the_playbooks_variables() throws IOException {
        write("modules/nosy/module.yml", """
                params:
                  dir: { type: string }
                resources:
                  f:
                    type: file
                    path: ${dir}/f
                    content: ${site_name}
                """);
        assertThat(errors("""
                vars:
                  site_name: lab
                  dir: /from/the/playbook
                modules:
                  n: { source: nosy, with: { dir: /srv } }
                resources: {}
                """)).containsExactly("modules/nosy/module.yml:7:14: error: undefined variable 'site_name';"
                + " a module sees its own params only (dir) (in module.n)");
    }

    @Test
    void a_param_named_like_a_playbook_variable_takes_the_value_passed_with_with() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Playbook p = load("""
                vars:
                  tftp_root: /srv/playbook
                  kernel: from-the-playbook
                modules:
                  a: { source: lab-files, with: { kernel: passed } }
                resources: {}
                """);
        assertThat(file(p, "module.a.file[menu]").path()).as("the param's default, not the variable")
                .isEqualTo("/srv/tftp/pxelinux.cfg/default");
        assertThat(text(file(p, "module.a.file[menu]"))).startsWith("kernel passed ");
    }

    @Test
    void defaults_apply_and_a_default_may_use_other_params() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Playbook p = load("""
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz, tftp_root: /tftp } }
                resources: {}
                """);
        assertThat(file(p, "module.a.file[menu]").path()).isEqualTo("/tftp/pxelinux.cfg/default");
        assertThat(text(file(p, "module.a.file[menu]"))).isEqualTo("kernel vmlinuz topology=4 mode=modern\n");
    }

    @Test
    void with_values_are_interpolated_where_the_call_is_written_and_a_literal_dollar_brace_passes_through()
            throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Playbook p = load("""
                vars:
                  prefix: vmlinuz
                modules:
                  a: { source: lab-files, with: { kernel: "${prefix}-$${release}" } }
                resources: {}
                """);
        assertThat(text(file(p, "module.a.file[menu]"))).startsWith("kernel vmlinuz-${release} ");
    }

    @Test
    void a_whole_value_output_carries_a_list_into_the_callers_values() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        write("modules/lister/module.yml", """
                params:
                  names: { type: list }
                resources:
                  each:
                    type: file
                    path: /etc/names
                    content: ${names}
                """);
        UserError e = catchThrowableOfType(() -> load("""
                vars:
                  nodes: [node1, node2]
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz, nodes: "${nodes}" } }
                  l: { source: lister, with: { names: "${module.a.nodes}" } }
                resources: {}
                """), UserError.class);
        // The list arrived: a file's content must be text, and the schema says so where the list is written.
        assertThat(relative(e.diagnostics())).containsExactly("site.yml:2:10: error:"
                + " resource 'each', field 'content': expected string, got array (in module.l)");
    }

    @Test
    void an_output_that_does_not_exist_is_an_error_with_a_suggestion_and_the_outputs_there_are() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        assertThat(errors("""
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz } }
                resources:
                  note:
                    type: file
                    path: /etc/note
                    content: "${module.a.mneu}"
                  other:
                    type: file
                    path: /etc/other
                    content: "${module.c.menu}"
                """)).containsExactly(
                "site.yml:7:14: error: module 'a' (lab-files) has no output 'mneu' (did you mean 'menu'?);"
                        + " its outputs: menu, nodes",
                "site.yml:11:14: error: '${module.c.menu}': no module 'c' is called here");
    }

    @Test
    void a_module_whose_params_use_its_own_outputs_is_a_cycle() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        assertThat(errors("""
                modules:
                  a: { source: lab-files, with: { kernel: "${module.a.menu}" } }
                resources: {}
                """)).containsExactly("site.yml:2:43: error: module 'a': its outputs are used to set up its own"
                + " params (a -> a)");
    }

    @Test
    void aModuleCallingItself_isReportedAtItsCallWithTheChain_notAStackOverflow() throws IOException {
        write("modules/loop/module.yml", """
                name: loop
                modules:
                  again: { source: loop }
                resources: {}
                """);

        assertThat(errors("""
                modules:
                  l: { source: loop }
                resources: {}
                """)).containsExactly("modules/loop/module.yml:3:3: error: module 'again' calls a module that is"
                + " already being called, which would never end: module loop \u2192 loop (a module may not call"
                + " itself, directly or through others) (in module.l)");
    }

    @Test
    void a_playbook_of_module_calls_alone_needs_no_resources_block() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Playbook p = load("""
                name: site
                modules:
                  boot:
                    source: lab-files
                    with: { kernel: vmlinuz }
                """);
        assertThat(addresses(p)).containsExactlyInAnyOrder("module.boot.directory[root]", "module.boot.file[menu]");
    }

    @Test
    void twoModulesCallingEachOther_areReportedWithTheWholeChain() throws IOException {
        write("modules/ping/module.yml", """
                name: ping
                modules:
                  other: { source: pong }
                resources: {}
                """);
        write("modules/pong/module.yml", """
                name: pong
                modules:
                  back: { source: ping }
                resources: {}
                """);

        assertThat(errors("""
                modules:
                  p: { source: ping }
                resources: {}
                """)).containsExactly("modules/pong/module.yml:3:3: error: module 'back' calls a module that is"
                + " already being called, which would never end: module ping \u2192 pong \u2192 ping (a module may"
                + " not call itself, directly or through others) (in module.p.module.other)");
    }

    // ------------------------------------------------------------------ nested modules

    @Test
    void a_module_may_call_modules_whose_addresses_carry_both_aliases_and_whose_outputs_it_passes_on()
            throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        write("modules/site-kit/module.yml", """
                params:
                  base: { type: string }
                modules:
                  boot:
                    source: lab-files
                    with: { kernel: vmlinuz, tftp_root: "${base}/tftp" }
                resources:
                  readme:
                    type: file
                    path: ${base}/README
                    content: "menu at ${module.boot.menu}"
                    requires: [module.boot]
                outputs:
                  menu: ${module.boot.menu}
                """);
        Playbook p = load("""
                modules:
                  kit: { source: site-kit, with: { base: /srv/kit } }
                resources:
                  note:
                    type: file
                    path: /etc/note
                    content: "${module.kit.menu}"
                    requires: [module.kit]
                """);
        assertThat(addresses(p)).containsExactly("module.kit.module.boot.directory[root]",
                "module.kit.module.boot.file[menu]", "module.kit.file[readme]", "file[note]");
        assertThat(text(file(p, "module.kit.file[readme]"))).isEqualTo("menu at /srv/kit/tftp/pxelinux.cfg/default");
        assertThat(text(file(p, "file[note]"))).isEqualTo("/srv/kit/tftp/pxelinux.cfg/default");
        assertThat(decl(p, "module.kit.file[readme]").requires()).extracting(Ref::id).containsExactly(
                "module.kit.module.boot.directory[root]", "module.kit.module.boot.file[menu]");
        // Requiring the outer module means every resource in it, nested ones included.
        assertThat(decl(p, "file[note]").requires()).extracting(Ref::id).containsExactly(
                "module.kit.module.boot.directory[root]", "module.kit.module.boot.file[menu]", "module.kit.file[readme]");
        Address boot = decl(p, "module.kit.module.boot.file[menu]").address();
        assertThat(boot.modules()).containsExactly("kit", "boot");
        assertThat(boot.id()).isEqualTo("menu");
    }

    @Test
    void a_problem_inside_a_nested_module_names_the_whole_chain_of_aliases() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        write("modules/site-kit/module.yml", """
                params:
                  base: { type: string }
                modules:
                  boot: { source: lab-files, with: { kernel: vmlinuz, tftp_root: "${base}" } }
                """);
        assertThat(errors("""
                modules:
                  kit: { source: site-kit, with: { base: relative/dir } }
                resources: {}
                """)).containsExactly(
                "modules/lab-files/module.yml:17:11: error: resource 'root', field 'path': must be an absolute path,"
                        + " got 'relative/dir' (in module.kit.module.boot)",
                "modules/lab-files/module.yml:20:11: error: resource 'menu', field 'path': must be an absolute path,"
                        + " got 'relative/dir/pxelinux.cfg/default' (in module.kit.module.boot)");
    }

    // ------------------------------------------------------------------ ordering across the boundary

    @Test
    void requiring_a_module_orders_the_resource_after_every_resource_of_that_module() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Playbook p = load("""
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz } }
                resources:
                  service:
                    type: file
                    path: /etc/service.conf
                    content: x
                    requires: [module.a]
                """);
        ResourceGraph g = GraphBuilder.build(p, new Diagnostics());
        assertThat(g.dependencies(decl(p, "file[service]").address())).extracting(Address::toString)
                .containsExactlyInAnyOrder("module.a.directory[root]", "module.a.file[menu]");
        assertThat(g.incoming(decl(p, "file[service]").address())).extracting(Edge::explain)
                .containsExactlyInAnyOrder("explicit: service requires module.a.directory[root]",
                        "explicit: service requires module.a.file[menu]");
    }

    @Test
    void implicit_path_edges_cross_module_boundaries() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Playbook p = load("""
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz } }
                resources:
                  kernel:
                    type: file
                    path: /srv/tftp/vmlinuz
                    content: x
                """);
        ResourceGraph g = GraphBuilder.build(p, new Diagnostics());
        assertThat(g.dependencies(decl(p, "file[kernel]").address())).extracting(Address::toString)
                .containsExactly("module.a.directory[root]");
    }

    @Test
    void requiring_a_resource_inside_a_module_or_notifying_a_module_is_an_error() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        assertThat(errors("""
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz } }
                resources:
                  service:
                    type: file
                    path: /etc/service.conf
                    content: x
                    requires: [module.a.menu, module.b]
                    notify: [module.a]
                """)).containsExactly(
                "site.yml:8:16: error: resource 'service', field 'requires': no resource 'module.a.menu';"
                        + " modules called here: module.a (a whole module can be required, not a resource inside it)",
                "site.yml:8:31: error: resource 'service', field 'requires': no resource 'module.b'"
                        + " (did you mean 'module.a'?)",
                "site.yml:9:14: error: resource 'service', field 'notify': 'module.a' is a module;"
                        + " a module can be required, not notified");
    }

    // ------------------------------------------------------------------ param errors: both places

    @Test
    void a_param_out_of_range_points_at_the_call_and_at_the_declaration() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        assertThat(errors("""
                modules:
                  kernel:
                    source: lab-files
                    with: { kernel: vmlinuz, max_topology: 12 }
                resources: {}
                """)).containsExactly("site.yml:4:30: error: module 'kernel': param 'max_topology' = 12 is out of"
                + " range 2..10 (declared at modules/lab-files/module.yml:6:3)");
    }

    @Test
    void a_missing_required_param_points_at_with_or_at_the_alias_when_there_is_no_with() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        assertThat(errors("""
                modules:
                  a:
                    source: lab-files
                    with:
                      tftp_root: /srv/a
                  b:
                    source: lab-files
                resources: {}
                """)).containsExactly(
                "site.yml:4:5: error: module 'a': missing required param 'kernel' (kernel file name in the TFTP root)"
                        + " (declared at modules/lab-files/module.yml:5:3)",
                "site.yml:6:3: error: module 'b': missing required param 'kernel' (kernel file name in the TFTP root)"
                        + " (declared at modules/lab-files/module.yml:5:3)");
    }

    @Test
    void an_unknown_param_suggests_the_closest_and_lists_the_declared_ones() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        assertThat(errors("""
                modules:
                  a:
                    source: lab-files
                    with:
                      kernel: vmlinuz
                      max_topolgy: 3
                resources: {}
                """)).containsExactly("site.yml:6:7: error: module 'a': unknown param 'max_topolgy' (did you mean"
                + " 'max_topology'?); params of lab-files: tftp_root, kernel, max_topology, mode, nodes, ratio,"
                + " verbose, extra, secret, menu_dir (declared at modules/lab-files/module.yml:3:1)");
    }

    @Test
    void a_value_of_the_wrong_type_is_an_error_for_every_param_type() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        String decl = " (declared at modules/lab-files/module.yml:";
        assertThat(errors("""
                modules:
                  a:
                    source: lab-files
                    with:
                      kernel: 6.1
                      max_topology: six
                      nodes: { node1: x }
                      ratio: half
                      verbose: "yes please"
                      extra: [a, b]
                      tftp_root:
                resources: {}
                """)).containsExactly(
                "site.yml:5:7: error: module 'a': param 'kernel' expects a string, got number 6.1"
                        + " (quote it to pass it as text)" + decl + "5:3)",
                "site.yml:6:7: error: module 'a': param 'max_topology' expects an integer, got string 'six'" + decl + "6:3)",
                "site.yml:7:7: error: module 'a': param 'nodes' expects a list, got a map" + decl + "8:3)",
                "site.yml:8:7: error: module 'a': param 'ratio' expects a number, got string 'half'" + decl + "9:3)",
                "site.yml:9:7: error: module 'a': param 'verbose' expects a boolean, got string 'yes please'" + decl + "10:3)",
                "site.yml:10:7: error: module 'a': param 'extra' expects a map, got a list" + decl + "11:3)",
                "site.yml:11:7: error: module 'a': param 'tftp_root' expects a string, got null" + decl + "4:3)");
    }

    @Test
    void a_value_outside_the_enum_suggests_the_closest_allowed_one() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        assertThat(errors("""
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz, mode: classik } }
                resources: {}
                """)).containsExactly("site.yml:2:52: error: module 'a': param 'mode' = 'classik' is not one of"
                + " classic, modern (did you mean 'classic'?) (declared at modules/lab-files/module.yml:7:3)");
    }

    @Test
    void a_sensitive_value_is_never_shown_in_a_message() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        List<String> errors = errors("""
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz, secret: 12345 } }
                resources: {}
                """);
        assertThat(errors).containsExactly("site.yml:2:52: error: module 'a': param 'secret' expects a string,"
                + " got integer (quote it to pass it as text) (declared at modules/lab-files/module.yml:12:3)");
        assertThat(String.join("\n", errors)).doesNotContain("12345");
    }

    @Test
    void a_missing_module_is_reported_at_its_source_listing_where_it_looked() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        Path extra = Files.createDirectories(tmp.resolve("vendor"));
        moduleDirs.add(extra);
        assertThat(errors("""
                modules:
                  a:
                    source: lab-flies
                    with: { kernel: vmlinuz }
                resources: {}
                """)).containsExactly("site.yml:3:13: error: module 'a': no module 'lab-flies' (did you mean"
                + " 'lab-files'?); looked for module.yml in modules/lab-flies, " + tmp.getParent().resolve("modules/lab-flies")
                .toString().replace(tmp + "/", "") + ", vendor/lab-flies");
    }

    @Test
    void modules_are_found_next_to_the_playbook_then_one_level_up_then_in_the_module_dirs() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        write("vendor/extra/module.yml", """
                resources:
                  x: { type: file, path: /etc/extra, content: from-vendor }
                """);
        write("playbooks/modules/local-only/module.yml", """
                resources:
                  x: { type: file, path: /etc/local, content: next-to-the-playbook }
                """);
        moduleDirs.add(tmp.resolve("vendor"));
        Path file = write("playbooks/site.yml", """
                modules:
                  a: { source: lab-files, with: { kernel: vmlinuz } }
                  b: { source: extra }
                  c: { source: local-only }
                  d: { source: ../vendor/extra }
                resources: {}
                """);
        Playbook p = new PlaybookLoader(BuiltinKinds.create(), moduleDirs).load(file, Map.of());
        assertThat(addresses(p)).containsExactly("module.a.directory[root]", "module.a.file[menu]",
                "module.b.file[x]", "module.c.file[x]", "module.d.file[x]");
        assertThat(decl(p, "module.b.file[x]").baseDir()).isEqualTo(tmp.resolve("vendor/extra"));
        assertThat(p.baseDirOf(decl(p, "module.c.file[x]").address())).isEqualTo(tmp.resolve("playbooks/modules/local-only"));
        assertThat(p.baseDirOf(Address.of("file", "anything"))).isEqualTo(tmp.resolve("playbooks"));
    }

    @Test
    void a_call_with_a_misspelt_key_is_a_schema_error_before_anything_is_interpolated() throws IOException {
        write("modules/lab-files/module.yml", LAB_FILES);
        assertThat(errors("""
                modules:
                  a: { soruce: lab-files, wiht: { kernel: "${undefined}" } }
                resources: {}
                """)).containsExactly(
                "site.yml:2:3: error: field 'modules.a': missing required field 'source'",
                "site.yml:2:8: error: field 'modules.a': unknown field 'soruce' (did you mean 'source'?);"
                        + " known fields: description, source, with",
                "site.yml:2:27: error: field 'modules.a': unknown field 'wiht' (did you mean 'with'?);"
                        + " known fields: description, source, with");
    }

    // ------------------------------------------------------------------ problems of a module itself

    @Test
    void a_problem_inside_a_module_is_reported_in_its_file_once_with_every_alias_it_was_found_in() throws IOException {
        write("modules/broken/module.yml", """
                params:
                  dir: { type: string }
                resources:
                  a:
                    type: file
                    path: ${dir}/a
                    contnet: x
                """);
        assertThat(errors("""
                modules:
                  one: { source: broken, with: { dir: /srv/one } }
                  two: { source: broken, with: { dir: /srv/two } }
                resources: {}
                """)).containsExactly("modules/broken/module.yml:7:5: error: resource 'a': unknown field 'contnet'"
                + " (did you mean 'content'?); known fields: content, description, ensure, group, mode, notify, on_remove, owner,"
                + " path, requires, source, type (in module.one, module.two)");
    }

    @Test
    void the_declarations_of_a_module_are_checked_once_whatever_calls_it() throws IOException {
        write("modules/odd/module.yml", """
                name: odd
                params:
                  size: { type: integer, default: big }
                  label: { type: string, min: 1 }
                  level: { type: integer, enum: [1, two] }
                  ratio: { type: number, min: 5, max: 1 }
                  color: { type: colour }
                """);
        assertThat(errors("""
                modules:
                  a: { source: odd }
                  b: { source: odd }
                resources: {}
                """)).containsExactly(
                "modules/odd/module.yml:7:18: error: field 'params.color.type': expected one of string, integer,"
                        + " number, boolean, list, map, got 'colour'");
        write("modules/odd/module.yml", """
                name: odd
                params:
                  size: { type: integer, default: big }
                  label: { type: string, min: 1 }
                  level: { type: integer, enum: [1, two] }
                  ratio: { type: number, min: 5, max: 1 }
                """);
        assertThat(errors("""
                modules:
                  a: { source: odd }
                  b: { source: odd }
                resources: {}
                """)).containsExactly(
                "modules/odd/module.yml:3:35: error: param 'size' (default) expects an integer, got string 'big'",
                "modules/odd/module.yml:4:26: error: param 'label': min and max apply to integer and number params,"
                        + " not to string",
                "modules/odd/module.yml:5:37: error: param 'level': enum value string 'two' is not an integer",
                "modules/odd/module.yml:6:39: error: param 'ratio': max 1 is below min 5");
    }

    @Test
    void a_module_named_unlike_its_directory_is_an_error() throws IOException {
        write("modules/pxe/module.yml", "name: pxe-boot\n");
        assertThat(errors("""
                modules:
                  a: { source: pxe }
                resources: {}
                """)).containsExactly("modules/pxe/module.yml:1:7: error: module name 'pxe-boot' differs from its"
                + " directory 'pxe'; a module is called by its directory's name");
    }

    // ------------------------------------------------------------------ the generated schema of 'with:'

    @Test
    void the_generated_schema_of_with_accepts_good_blocks_and_rejects_the_bad_ones_the_loader_rejects()
            throws IOException {
        Path dir = write("modules/lab-files/module.yml", LAB_FILES).getParent();
        ModuleDef def = new ModuleReader(List.of()).load(dir);
        JsonNode schemaJson = ModuleSchema.of(def);
        assertThat(schemaJson.get("required")).extracting(JsonNode::asText).containsExactly("kernel");
        assertThat(schemaJson.at("/properties/secret/writeOnly").asBoolean()).isTrue();
        assertThat(schemaJson.at("/properties/menu_dir/default").isMissingNode()).as("a default using params").isTrue();
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaJson);

        List<String> good = List.of(
                "{ kernel: vmlinuz }",
                "{ kernel: vmlinuz, max_topology: 10, mode: classic, nodes: [a, b], ratio: 2, verbose: true,"
                        + " extra: { a: 1 }, secret: s3cret, tftp_root: /x }");
        for (String with : good) {
            assertThat(schema.validate(json(with))).as(with).isEmpty();
            write("modules/lab-files/module.yml", LAB_FILES);
            assertThat(load("modules:\n  a: { source: lab-files, with: " + with + " }\nresources: {}\n").resources())
                    .as(with).hasSize(2);
        }
        List<String> bad = List.of(
                "{ tftp_root: /x }",
                "{ kernel: vmlinuz, max_topology: 12 }",
                "{ kernel: vmlinuz, max_topology: 1 }",
                "{ kernel: vmlinuz, max_topology: six }",
                "{ kernel: vmlinuz, mode: classik }",
                "{ kernel: vmlinuz, nodes: x }",
                "{ kernel: vmlinuz, verbose: maybe }",
                "{ kernel: vmlinuz, extra: [a] }",
                "{ kernel: 6.1 }",
                "{ kernel: vmlinuz, max_topolgy: 3 }");
        for (String with : bad) {
            assertThat(schema.validate(json(with))).as(with).isNotEmpty();
            assertThat(catchThrowableOfType(() -> load("modules:\n  a: { source: lab-files, with: " + with
                    + " }\nresources: {}\n"), UserError.class)).as(with).isNotNull();
        }
    }

    private static JsonNode json(String yaml) {
        Diagnostics diags = new Diagnostics();
        YNode node = YamlReader.read("with", yaml, diags);
        diags.throwIfErrors();
        return SchemaValidator.toJson(node);
    }

    @Test
    void the_shipped_pxe_boot_module_loads_from_a_module_dir_and_validates() throws IOException {
        Path shipped = Path.of("modules").toAbsolutePath();
        assertThat(shipped.resolve("pxe-boot/module.yml")).as("run from the project directory").isRegularFile();
        moduleDirs.add(shipped);
        Playbook p = load("""
                vars:
                  nodes:
                    - { name: node1, mac: "52:54:00:00:00:01" }
                modules:
                  boot: { source: pxe-boot, with: { kernel: vmlinuz, nodes: "${nodes}", max_topology: 6 } }
                resources:
                  kernel: { type: file, path: /srv/tftp/vmlinuz, content: x }
                  initrd: { type: file, path: /srv/tftp/initrd.img, content: x }
                """);
        assertThat(addresses(p)).containsExactly("module.boot.pxe[entries]", "module.boot.file[boot-message]",
                "file[kernel]", "file[initrd]");
        assertThat(text(file(p, "module.boot.file[boot-message]"))).contains("booting vmlinuz (topology 6)");
        assertThat(GraphBuilder.build(p, new Diagnostics())).isNotNull();
        assertThat(ModuleSchema.of(new ModuleReader(List.of()).load(shipped.resolve("pxe-boot"))).get("required"))
                .extracting(JsonNode::asText).containsExactly("kernel");
    }
}
