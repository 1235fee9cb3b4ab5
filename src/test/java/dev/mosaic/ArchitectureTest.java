package dev.mosaic;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.mosaic.graph.PlantedViolations;
import dev.mosaic.remote.PlantedUnknownPackage;
import dev.mosaic.resource.copy.PlantedKindViolation;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.ACCESS_STANDARD_STREAMS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The architecture's rules, checked on the compiled main classes (every reference the compiler
 * kept: imports, fully-qualified names, field and method types, calls). Each rule is also shown to
 * fail on a planted violation, kept in the test sources ({@code Planted*}).
 */
class ArchitectureTest {

    /** Stands for "any package of a kind", e.g. {@code resource.file}. */
    private static final String KIND = "resource.*";

    /**
     * Packages depend one way only:
     * {@code cli -> session, render -> engine -> graph -> playbook -> resource(.kind) -> host, yaml, state, diag}.
     * What each package may use besides itself. {@code resource} is the contract package only: a
     * kind's own package ({@code resource.file}, …) is used by nobody but itself and {@code cli},
     * which registers the kinds.
     */
    private static final Map<String, Set<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("base", Set.of()); // the primitives: every package may use them (see check)
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

    /** What touches files, the network or processes. */
    private static final Class<?>[] THE_MACHINE = {
            java.nio.file.Files.class, java.nio.file.DirectoryStream.class, java.nio.channels.FileChannel.class,
            java.io.FileInputStream.class, java.io.FileOutputStream.class, java.io.FileReader.class, java.io.FileWriter.class,
            java.io.RandomAccessFile.class, ProcessBuilder.class, Process.class, Runtime.class,
            java.net.Socket.class, java.net.ServerSocket.class, java.net.http.HttpClient.class, java.net.URL.class,
            org.apache.commons.io.FileUtils.class, org.apache.commons.io.file.PathUtils.class};

    /**
     * A target is touched through {@code host} only. The control machine's own files are touched by
     * {@code state} (the state directory), {@code cli} (the files named on the command line) and
     * these classes, each for a reason: the atomic writer and content store of the control machine's files, the
     * playbook's files, the schema cache, saved plans, and the
     * caches of downloads, builds, node images and .debs. A class that joins this list is a choice
     * made in review, never an accident.
     */
    private static final Set<String> CONTROL_MACHINE = Set.of("base.AtomicFile", "base.ContentStore",
            "yaml.YamlReader", "playbook.Lookups", "playbook.InventoryLoader", "playbook.ModuleReader",
            "playbook.SchemaCache", "engine.SavedPlan", "resource.BuiltOnce", "resource.Templates", "resource.TemplateSources",
            "resource.archive.Sources", "resource.archive.Fetcher", "resource.archive.NativeDecoder", "resource.archive.NativeDigest",
            "resource.build.BuildCache", "resource.image.ImageCache", "resource.image.NodeImageType",
            "resource.pkg.AptCandidates",
            "resource.image.RootFs", "resource.image.Squashfs", "resource.initrd.Cpio", "resource.pkg.Debs");

    static final ArchRule ONE_WAY = classes().that().resideInAPackage("dev.mosaic..")
            .should(useOnlyWhatItsPackageMay()).because("packages depend one way only (ARCHITECTURE.md)");

    static final ArchRule ONLY_CLI_AND_RENDER_PRINT = noClasses()
            .that().resideOutsideOfPackages("dev.mosaic.cli", "dev.mosaic.render")
            .should(ACCESS_STANDARD_STREAMS)
            .because("only cli and render print, and only cli decides where (diag.Trace for debugging lines)");

    static final ArchRule ONLY_HOST_TOUCHES_THE_MACHINE = noClasses()
            .that().resideOutsideOfPackages("dev.mosaic.host..", "dev.mosaic.state", "dev.mosaic.cli")
            .and(not(named(CONTROL_MACHINE)))
            .should().dependOnClassesThat(belongToAnyOf(THE_MACHINE))
            .because("a target is reached through host only; see CONTROL_MACHINE for the control machine's own files");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.mosaic");

    // ------------------------------------------------------------------ the rules on the real classes

    @Test
    void mainClasses_dependOneWayOnly() {
        assertThat(MAIN.size()).as("classes imported").isGreaterThan(100);
        ONE_WAY.check(MAIN);
    }

    @Test
    void mainClasses_printOnlyInCliAndRender() {
        ONLY_CLI_AND_RENDER_PRINT.check(MAIN);
    }

    @Test
    void mainClasses_touchFilesNetworkAndProcessesOnlyThroughHost_orForTheControlMachine() {
        ONLY_HOST_TOUCHES_THE_MACHINE.check(MAIN);
        Set<String> names = new TreeSet<>();
        MAIN.forEach(c -> names.add(local(c.getName())));
        assertThat(names).as("every class the list names exists").containsAll(CONTROL_MACHINE);
    }

    // ------------------------------------------------------------------ each rule fails on a planted violation

    @Test
    void oneWay_failsOnALowerPackageUsingAHigherOne() {
        assertThat(violations(ONE_WAY, PlantedViolations.UsesTheCli.class)).singleElement().asString()
                .contains("PlantedViolations$UsesTheCli", "dev.mosaic.cli.Main", "graph may use only diag, graph, playbook, resource");
    }

    @Test
    void oneWay_failsOnAKindUsingAnotherKind() {
        assertThat(violations(ONE_WAY, PlantedKindViolation.class)).singleElement().asString()
                .contains("dev.mosaic.resource.file.FileType", "resource.copy may use only");
    }

    @Test
    void oneWay_failsOnAPackageTheRuleDoesNotKnow() {
        assertThat(violations(ONE_WAY, PlantedUnknownPackage.class)).singleElement().asString()
                .contains("package remote is not in the architecture rule; add it to ArchitectureTest and ARCHITECTURE.md");
    }

    @Test
    void printing_failsOutsideCliAndRender() {
        assertThat(violations(ONLY_CLI_AND_RENDER_PRINT, PlantedViolations.Prints.class)).isNotEmpty()
                .anyMatch(v -> v.contains("System.out"));
        assertThat(violations(ONLY_CLI_AND_RENDER_PRINT, PlantedViolations.PrintsAStackTrace.class)).isNotEmpty()
                .anyMatch(v -> v.contains("printStackTrace"));
    }

    @Test
    void theMachine_failsOnAFileReadAProcessOrASocketOutsideHost() {
        assertThat(violations(ONLY_HOST_TOUCHES_THE_MACHINE, PlantedViolations.ReadsAFile.class))
                .anyMatch(v -> v.contains("java.nio.file.Files"));
        assertThat(violations(ONLY_HOST_TOUCHES_THE_MACHINE, PlantedViolations.StartsAProcess.class))
                .anyMatch(v -> v.contains("java.lang.ProcessBuilder"));
        assertThat(violations(ONLY_HOST_TOUCHES_THE_MACHINE, PlantedViolations.OpensASocket.class))
                .anyMatch(v -> v.contains("java.net.Socket"));
        assertThat(violations(ONLY_HOST_TOUCHES_THE_MACHINE, PlantedViolations.UsesTheCli.class))
                .as("a clean class passes").isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> violations(ArchRule rule, Class<?> planted) {
        JavaClasses one = new ClassFileImporter().importClasses(planted);
        return rule.allowEmptyShould(true).evaluate(one).getFailureReport().getDetails();
    }

    /** {@code dev.mosaic.resource.copy} → {@code resource.copy}. */
    private static String local(String name) {
        return name.equals("dev.mosaic") ? "" : name.replaceFirst("^dev\\.mosaic\\.", "");
    }

    private static String rule(String pkg) {
        return pkg.startsWith("resource.") && !MAY_USE.containsKey(pkg) ? KIND : pkg;
    }

    private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> named(Set<String> localNames) {
        return com.tngtech.archunit.base.DescribedPredicate.describe("named in CONTROL_MACHINE",
                c -> localNames.contains(local(c.getName().replaceFirst("\\$.*", ""))));
    }

    private static ArchCondition<JavaClass> useOnlyWhatItsPackageMay() {
        return new ArchCondition<>("use only the packages their own package may use") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                String pkg = local(c.getPackageName());
                if (!MAY_USE.containsKey(rule(pkg))) {
                    events.add(SimpleConditionEvent.violated(c, c.getName() + ": package " + (pkg.isEmpty() ? "dev.mosaic" : pkg)
                            + " is not in the architecture rule; add it to ArchitectureTest and ARCHITECTURE.md"));
                    return;
                }
                Set<String> allowed = MAY_USE.get(rule(pkg));
                if (allowed == null) {
                    return;
                }
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    String target = d.getTargetClass().getPackageName();
                    if (!target.equals("dev.mosaic") && !target.startsWith("dev.mosaic.")) {
                        continue;
                    }
                    String to = local(target);
                    if (to.equals(pkg) || to.equals("base") || allowed.contains(to)) {
                        continue;
                    }
                    Set<String> may = new TreeSet<>(allowed);
                    may.add(pkg);
                    events.add(SimpleConditionEvent.violated(d, d.getDescription() + "; " + pkg + " may use only " + String.join(", ", may)));
                }
            }
        };
    }
}
