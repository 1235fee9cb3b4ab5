package dev.mosaic;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packages depend one way only:
 * {@code cli -> session, render -> engine -> graph -> playbook -> resource(.kind) -> host, yaml, state, diag}.
 * Checked on the source text: every {@code import dev.mosaic...} and every fully-qualified
 * {@code dev.mosaic.} name in code (comments and string literals do not count).
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/mosaic");

    /** Stands for "any package of a kind", e.g. {@code resource.file}. */
    private static final String KIND = "resource.*";

    /**
     * What each package may use besides itself. {@code resource} is the contract package only: a
     * kind's own package ({@code resource.file}, …) is used by nobody but itself and {@code cli},
     * which registers the kinds.
     */
    private static final Map<String, Set<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("diag", Set.of());
        MAY_USE.put("yaml", Set.of("diag"));
        MAY_USE.put("host", Set.of("diag"));
        MAY_USE.put("host.ssh", Set.of("diag", "host"));
        MAY_USE.put("state", Set.of());
        MAY_USE.put("resource", Set.of("diag", "yaml", "host"));
        MAY_USE.put(KIND, Set.of("diag", "yaml", "host", "resource"));
        MAY_USE.put("playbook", Set.of("diag", "yaml", "resource"));
        MAY_USE.put("graph", Set.of("diag", "playbook", "resource"));
        MAY_USE.put("engine", Set.of("diag", "graph", "playbook", "resource", "host", "state"));
        MAY_USE.put("render", Set.of("engine", "graph", "resource", "diag"));
        // A target opened for one run: everything below the CLI and its rendering.
        MAY_USE.put("session", Set.of("diag", "yaml", "host", "host.ssh", "state", "resource", "playbook", "graph", "engine"));
        MAY_USE.put("cli", null); // everything
        // A kind built on another kind, declared here on purpose: an unpacked package is a .deb
        // handed to the archive kind.
        MAY_USE.put("resource.pkg", Set.of("diag", "yaml", "host", "resource", "resource.archive"));
        // A template is a file whose content is rendered: observing and writing are the file kind's.
        // A node image is packed by the initrd kind's cpio writer from .debs the package kind fetches.
        MAY_USE.put("resource.image", Set.of("diag", "yaml", "host", "resource", "resource.initrd", "resource.pkg"));
        MAY_USE.put("resource.template", Set.of("diag", "yaml", "host", "resource", "resource.file"));
    }

    /** {@code dev.mosaic.<lowercase segments>.<Type or *>}: the package is the lowercase part. */
    private static final Pattern REFERENCE =
            Pattern.compile("\\bdev\\.mosaic((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z_$][\\w$]*|\\*)");

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+dev\\.mosaic((?:\\.[a-z_][a-z0-9_]*)*)\\s*;",
            Pattern.MULTILINE);

    // ------------------------------------------------------------------ the rule on the real sources

    @Test
    void mainSources_dependOneWayOnly() throws IOException {
        assertThat(SOURCES).as("run from the project directory").isDirectory();
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                files++;
                String name = SOURCES.relativize(file).toString().replace('\\', '/');
                violations.addAll(violations(name, Files.readString(file, StandardCharsets.UTF_8)));
            }
        }
        assertThat(files).as("source files scanned").isGreaterThan(30);
        assertThat(violations).as("imports against the one-way rule").isEmpty();
    }

    // ------------------------------------------------------------------ the checker itself

    @Test
    void checker_reportsAnImportOfAHigherPackage_withFileAndLine() {
        assertThat(violations("engine/Engine.java", """
                package dev.mosaic.engine;

                import dev.mosaic.graph.ResourceGraph;
                import dev.mosaic.cli.Main;
                """)).containsExactly("engine/Engine.java:4: engine uses dev.mosaic.cli.Main;"
                + " engine may use only diag, engine, graph, host, playbook, resource, state");
    }

    @Test
    void checker_reportsFullyQualifiedNamesInCode_andStaticAndWildcardImports() {
        assertThat(violations("graph/G.java", """
                package dev.mosaic.graph;

                import static dev.mosaic.engine.Engine.plan;
                import dev.mosaic.render.*;

                final class G {
                    Object x = new dev.mosaic.state.StateStore();
                }
                """)).extracting(v -> v.substring(0, v.indexOf(';'))).containsExactly(
                "graph/G.java:3: graph uses dev.mosaic.engine.Engine",
                "graph/G.java:4: graph uses dev.mosaic.render.*",
                "graph/G.java:7: graph uses dev.mosaic.state.StateStore");
    }

    @Test
    void checker_ignoresCommentsAndStrings() {
        assertThat(violations("diag/D.java", """
                package dev.mosaic.diag;

                // like dev.mosaic.cli.Main does
                /** {@link dev.mosaic.engine.Engine} prints these. */
                final class D {
                    String s = "dev.mosaic.cli.Main";
                    char c = '"';
                    String t = \"""
                        dev.mosaic.render.TextPlan
                        \""";
                    /* dev.mosaic.graph.Edge */
                }
                """)).isEmpty();
    }

    @Test
    void checker_keepsKindsApart_andOutOfTheLowerLayers() {
        assertThat(violations("resource/copy/CopyType.java", """
                package dev.mosaic.resource.copy;
                import dev.mosaic.resource.Change;
                import dev.mosaic.host.Host;
                import dev.mosaic.resource.file.FileType;
                """)).extracting(v -> v.substring(0, v.indexOf(';'))).containsExactly(
                "resource/copy/CopyType.java:4: resource.copy uses dev.mosaic.resource.file.FileType");
        assertThat(violations("playbook/P.java", """
                package dev.mosaic.playbook;
                import dev.mosaic.resource.Kinds;
                import dev.mosaic.resource.link.LinkType;
                """)).extracting(v -> v.substring(0, v.indexOf(';'))).containsExactly(
                "playbook/P.java:3: playbook uses dev.mosaic.resource.link.LinkType");
        assertThat(violations("resource/Kinds.java", """
                package dev.mosaic.resource;
                import dev.mosaic.playbook.Playbook;
                """)).hasSize(1);
    }

    @Test
    void checker_letsCliUseEverything_andRejectsPackagesTheRuleDoesNotKnow() {
        assertThat(violations("cli/Main.java", """
                package dev.mosaic.cli;
                import dev.mosaic.resource.file.FileType;
                import dev.mosaic.engine.Engine;
                """)).isEmpty();
        assertThat(violations("remote/Ssh.java", """
                package dev.mosaic.remote;
                import dev.mosaic.host.Host;
                """)).containsExactly("remote/Ssh.java: package remote is not in the architecture rule;"
                + " add it to ArchitectureTest and ARCHITECTURE.md");
    }

    @Test
    void checker_rejectsAFileWhosePackageDoesNotMatchItsFolder() {
        assertThat(violations("engine/Sneaky.java", """
                package dev.mosaic.cli;
                import dev.mosaic.render.TextPlan;
                """)).containsExactly("engine/Sneaky.java: declares package dev.mosaic.cli, but lies in engine");
    }

    // ------------------------------------------------------------------ the checker

    /**
     * The violations of one source file.
     *
     * @param name the file's path below {@code dev/mosaic}, e.g. {@code engine/Engine.java}
     */
    static List<String> violations(String name, String source) {
        int slash = name.lastIndexOf('/');
        String pkg = slash < 0 ? "" : name.substring(0, slash).replace('/', '.');
        String code = codeOnly(source);
        Matcher declared = PACKAGE.matcher(code);
        String declaredPkg = declared.find() ? declared.group(1).replaceFirst("^\\.", "") : null;
        if (!pkg.equals(declaredPkg)) {
            return List.of(name + ": declares package dev.mosaic" + (declaredPkg == null ? "?" : "." + declaredPkg)
                    + ", but lies in " + (pkg.isEmpty() ? "dev.mosaic" : pkg));
        }
        String rule = rule(pkg);
        if (!MAY_USE.containsKey(rule)) {
            return List.of(name + ": package " + (pkg.isEmpty() ? "dev.mosaic" : pkg)
                    + " is not in the architecture rule; add it to ArchitectureTest and ARCHITECTURE.md");
        }
        Set<String> allowed = MAY_USE.get(rule);
        if (allowed == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            String target = m.group(1).replaceFirst("^\\.", "");
            if (target.equals(pkg) || allowed.contains(target)) {
                continue;
            }
            int line = 1 + (int) code.substring(0, m.start()).chars().filter(c -> c == '\n').count();
            Set<String> may = new TreeSet<>(allowed);
            may.add(pkg);
            out.add(name + ":" + line + ": " + pkg + " uses " + m.group() + "; " + pkg + " may use only "
                    + String.join(", ", may));
        }
        return out;
    }

    private static String rule(String pkg) {
        return pkg.startsWith("resource.") && !MAY_USE.containsKey(pkg) ? KIND : pkg;
    }

    /**
     * The source with comments, string, text block and char literals blanked out (newlines kept,
     * so line numbers stay right).
     */
    static String codeOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                end = end < 0 ? s.length() : end;
                blank(s, i, end, out);
                i = end;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                blank(s, i, end, out);
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = i + 3;
                while (end < s.length() && !s.startsWith("\"\"\"", end)) {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(s.length(), end + 3);
                blank(s, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != c && s.charAt(end) != '\n') {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(s.length(), end + 1);
                blank(s, i, end, out);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(String s, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            out.append(s.charAt(k) == '\n' ? '\n' : ' ');
        }
    }
}
