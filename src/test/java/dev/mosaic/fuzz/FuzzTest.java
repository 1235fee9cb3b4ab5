package dev.mosaic.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.e2e.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Hostile and broken input: seeded mutations (see {@link Mutations}) of the shipped playbooks,
 * modules and test fixtures, and of an inventory, fed to {@code validate}, then — when that
 * accepts them — to {@code plan} (text and JSON), and for modules to {@code module-schema}.
 * Everything runs in-process through {@link Cli#inProcess}, one case after the other, each under
 * a watchdog.
 *
 * <p>What every run must do:
 * <ul>
 *   <li>exit 0, 1 or 64 (2 is only for {@code --detailed-exitcode}, which is not passed);</li>
 *   <li>print no stack trace: no {@code Exception}, no {@code "\tat "}, no "internal error";</li>
 *   <li>end within {@link #PER_CASE} (a hang fails at once);</li>
 *   <li>on exit 1, explain itself in one of two accepted shapes: (a) stderr starts with a
 *       positioned diagnostic {@code FILE:LINE:COL: error|warning: MESSAGE} (line and column at
 *       least 1), and every later line is one too, the {@code N errors.} count, or the
 *       continuation of a multi-line message (which never says {@code error:}: an error
 *       without a position, {@code <input>: error: …}, fails); or (b) for {@code plan}, which only runs on
 *       input {@code validate} accepted, a failed resource in the plan: a line {@code ! ADDRESS}
 *       followed by {@code     error: MESSAGE} — a one-paragraph message naming the resource
 *       (its problem is on the target, where no YAML position applies) — or in JSON a change
 *       with {@code "status": "failed"}, its address and a message, or an error document
 *       (errors.schema.json) whose every error has a message and a line and column;</li>
 *   <li>on exit 0, print what the command promises ({@code ok}, a plan, valid JSON);</li>
 *   <li>write nothing: plan runs with {@code --root}, {@code --state-dir} and
 *       {@code --cache-dir} in empty temporary directories, which must stay empty, and the
 *       workspace holding the inputs must not change (no state, no {@code mosaic.lock}).</li>
 * </ul>
 *
 * <p>Reproduce a failure with the seed and case it prints:
 * {@code -Dmosaic.fuzz.seed=S -Dmosaic.fuzz.case=N}; the mutated input is printed and saved.
 * {@code -Dmosaic.fuzz.cases=N} changes how many cases run.
 */
class FuzzTest {

    static final long SEED = Long.getLong("mosaic.fuzz.seed", 7_2026_1125L);
    static final int CASES = Integer.getInteger("mosaic.fuzz.cases", 10_000);
    static final int ONLY = Integer.getInteger("mosaic.fuzz.case", -1);
    static final long PER_CASE = Long.getLong("mosaic.fuzz.timeoutSeconds", 20);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DIAGNOSTIC = Pattern.compile("\\S.*?:[1-9][0-9]*:[1-9][0-9]*: (error|warning): \\S.*");
    private static final Pattern STACK_ERROR = Pattern.compile("[a-z](Error|Throwable)\\b");
    private static final Pattern COUNT = Pattern.compile("[0-9]+ errors\\.");
    private static final Pattern FAILED_RESOURCE = Pattern.compile(
            "(?m)^! ((module\\.[A-Za-z0-9_-]+\\.)*[a-z_]+\\[[^\\]\\n]+\\])\\n {4}error: \\S");

    @TempDir
    Path tmp;

    private Path ws;
    private Path root;
    private Path stateDir;
    private Path cacheDir;

    /** What is fed to the CLI: one file of the workspace, and how to run what reads it. */
    record Seed(String name, Path file, String text, Path playbook, Path inventory, Path module) {
        boolean asksApt() {
            try {
                return Files.readString(playbook).contains("type: package") || text.contains("type: package");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    record Run(String command, Cli.Result result, long nanos) {
    }

    @Test
    void mutatedInputs_neverCrashHangOrWrite_andEveryRejectionIsPositioned() throws Exception {
        List<Seed> seeds = workspace();
        Map<String, Long> baseline = listing(ws);
        Map<String, List<String>> failures = new TreeMap<>();
        int runs = 0;
        int accepted = 0;
        int plans = 0;
        Map<String, Long> spent = new TreeMap<>();
        long start = System.nanoTime();
        ExecutorService watchdog = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int n = ONLY >= 0 ? ONLY : 0; n < (ONLY >= 0 ? ONLY + 1 : CASES); n++) {
                Random r = new Random(SEED * 0x9E3779B97F4A7C15L + n);
                Seed seed = seeds.get(r.nextInt(seeds.size()));
                List<String> applied = new ArrayList<>();
                String text = seed.text();
                for (int k = 1 + (r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0); k > 0; k--) {
                    Mutations.Mutation m = Mutations.ALL.get(r.nextInt(Mutations.ALL.size()));
                    applied.add(m.name());
                    text = m.apply().apply(text.isEmpty() ? "\n" : text, r);
                }
                byte[] bytes = Mutations.encode(text);
                if (r.nextInt(50) == 0) {
                    applied.add("break-utf8");
                    bytes = Mutations.breakEncoding(bytes, r);
                }
                String label = "seed " + SEED + ", case " + n + " (" + seed.name() + ": " + String.join(" + ", applied) + ")";
                // A package's plan asks apt (a process per package, seconds on a busy machine):
                // such seeds are validated only, which is where mutated YAML is rejected anyway.
                boolean plan = n % 2 == 0 && !seed.asksApt();
                boolean json = n % 4 == 0;
                Files.write(seed.file(), bytes);
                List<Run> done = List.of();
                List<String> problems = new ArrayList<>();
                Future<List<Run>> f = watchdog.submit(() -> runCase(seed, plan, json));
                try {
                    done = f.get(PER_CASE, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    fail("hang: " + label + " ran longer than " + PER_CASE + " s\n" + saved(seed, n, bytes));
                } catch (ExecutionException e) {
                    // Main.run lets Errors through (a StackOverflowError, say): a crash of the CLI.
                    java.io.StringWriter trace = new java.io.StringWriter();
                    e.getCause().printStackTrace(new java.io.PrintWriter(trace));
                    problems.add("crash: " + e.getCause() + "\n" + trace.toString().lines().limit(12)
                            .reduce((a, b) -> a + "\n" + b).orElse(""));
                } finally {
                    Files.writeString(seed.file(), seed.text());
                }
                runs += done.size();
                if (!done.isEmpty() && done.get(0).result().exitCode() == 0) {
                    accepted++;
                }
                plans += (int) done.stream().filter(d -> d.command().startsWith("plan")).count();
                done.forEach(d -> spent.merge(d.command().split(" ")[0], d.nanos(), Long::sum));
                for (Run d : done) {
                    String p = problem(d);
                    if (p != null) {
                        problems.add(p + "\n" + d.result());
                    }
                }
                for (Path dir : List.of(root, stateDir, cacheDir)) {
                    try (Stream<Path> s = Files.list(dir)) {
                        List<Path> written = s.toList();
                        if (!written.isEmpty()) {
                            problems.add("wrote into " + dir + ": " + written);
                            for (Path w : written) {
                                Trees.delete(w);
                            }
                        }
                    }
                }
                Map<String, Long> now = listing(ws);
                if (!now.equals(baseline)) {
                    problems.add("changed the workspace: " + difference(baseline, now));
                }
                if (!problems.isEmpty()) {
                    String key = signature(problems.get(0));
                    List<String> list = failures.computeIfAbsent(key, k -> new ArrayList<>());
                    if (list.isEmpty()) {
                        list.add(label + "\n" + String.join("\n", problems) + "\n" + saved(seed, n, bytes));
                    } else {
                        list.add(label);
                    }
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        int cases = ONLY >= 0 ? 1 : CASES;
        System.out.printf("fuzz: seed %d, %d cases (%d accepted by validate), %d runs (%d plans), %.1f s (%s)%n",
                SEED, cases, accepted, runs, plans, millis / 1000.0, String.join(", ", spent.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue() / 1_000_000 + " ms CPU").toList()));
        if (!failures.isEmpty()) {
            StringBuilder b = new StringBuilder(failures.size() + " kinds of failure, seed " + SEED + ":\n");
            failures.forEach((k, v) -> b.append("\n=== ").append(v.size()).append("x ").append(k).append("\n")
                    .append(v.get(0)).append("\n   also: ")
                    .append(String.join("; ", v.subList(1, Math.min(v.size(), 6)))).append('\n'));
            fail(b.toString());
        }
        assertThat(cases).isPositive();
    }

    /** validate; then plan when validate accepted the input; module-schema for a module. */
    private List<Run> runCase(Seed seed, boolean plan, boolean json) {
        List<Run> out = new ArrayList<>();
        List<String> inv = seed.inventory() == null ? List.of() : List.of("--inventory", seed.inventory().toString());
        List<String> validate = new ArrayList<>(List.of("validate"));
        validate.addAll(inv);
        validate.add(seed.playbook().toString());
        out.add(run("validate", validate));
        if (plan && out.get(0).result().exitCode() == 0) {
            List<String> args = new ArrayList<>(List.of("plan", "--jobs", "1", "--cache-dir", cacheDir.toString()));
            if (seed.inventory() == null) {
                args.addAll(List.of("--root", root.toString(), "--state-dir", stateDir.toString()));
            }
            if (json) {
                args.add("--json");
            }
            args.addAll(inv);
            args.add(seed.playbook().toString());
            out.add(run(json ? "plan --json" : "plan", args));
        }
        if (seed.module() != null) {
            out.add(run("module-schema", List.of("module-schema", seed.module().toString())));
        }
        return out;
    }

    /** Runs the CLI in this thread; {@code nanos} is the CPU time it took (wall time varies with the machine's load). */
    private static Run run(String command, List<String> args) {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = mx.getCurrentThreadCpuTime();
        Cli.Result r = Cli.inProcess(args.toArray(String[]::new));
        return new Run(command, r, mx.getCurrentThreadCpuTime() - t0);
    }

    /** What is wrong with one run's result, or null; see the class comment for the rules. */
    static String problem(Run run) {
        Cli.Result r = run.result();
        String all = r.stdout() + "\n" + r.stderr();
        if (all.contains("Exception") || all.contains("\tat ") || all.contains("internal error")
                || STACK_ERROR.matcher(all).find() || all.contains("bug in")) {
            return run.command() + ": a stack trace or an internal error";
        }
        switch (r.exitCode()) {
            case 0 -> {
                boolean warningsOnly = r.stderrLines().stream().allMatch(l -> l.startsWith("warning: "));
                if (!warningsOnly) {
                    return run.command() + ": exit 0 with something on stderr";
                }
                if (run.command().equals("validate") && !r.stdout().contains(": ok")) {
                    return "validate: exit 0 without 'ok'";
                }
                if (run.command().equals("plan") && !r.stdout().contains("Plan: ")) {
                    return "plan: exit 0 without a plan";
                }
                if (run.command().equals("plan --json") || run.command().equals("module-schema")) {
                    try {
                        JSON.readTree(r.stdout());
                    } catch (IOException e) {
                        return run.command() + ": exit 0 with invalid JSON: " + e.getMessage().lines().findFirst().orElse("");
                    }
                }
                return null;
            }
            case 1 -> {
                if (r.stderr().isBlank()) {
                    return run.command().equals("plan") && FAILED_RESOURCE.matcher(r.stdout()).find()
                            || run.command().equals("plan --json") && failedInJson(r.stdout()) ? null
                            : run.command() + ": exit 1 without a message";
                }
                List<String> lines = r.stderrLines();
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    // A diagnostic may go on over more lines (a cycle report; a quoted value with a
                    // newline), but every line that says "error:" must carry the position itself.
                    boolean continuation = i > 0 && !line.contains("error:") && !line.startsWith("mosaic: ");
                    boolean fine = DIAGNOSTIC.matcher(line).matches() || COUNT.matcher(line).matches() || continuation
                            || run.command().startsWith("plan") && line.startsWith("warning: ");
                    if (!fine) {
                        return run.command() + ": exit 1 with a line that is no positioned diagnostic: " + line;
                    }
                }
                return null;
            }
            case 64 -> {
                return r.stderr().startsWith("mosaic: ") ? null : run.command() + ": exit 64 without a usage message";
            }
            default -> {
                return run.command() + ": exit code " + r.exitCode();
            }
        }
    }

    /**
     * Whether a JSON plan (or, with an inventory, a host's plan) names a failed resource with its
     * message, or the output is an error document of positioned diagnostics.
     */
    private static boolean failedInJson(String json) {
        try {
            var doc = JSON.readTree(json);
            if (doc.has("errors")) {
                boolean positioned = doc.get("errors").size() > 0;
                for (var e : doc.get("errors")) {
                    positioned &= e.path("line").asInt() >= 1 && e.path("column").asInt() >= 1
                            && !e.path("message").asText().isBlank();
                }
                return positioned;
            }
            List<com.fasterxml.jackson.databind.JsonNode> plans = new ArrayList<>(List.of(doc));
            doc.path("hosts").forEach(plans::add);
            for (var plan : plans) {
                for (var c : plan.path("changes")) {
                    if (c.path("status").asText().equals("failed") && !c.path("address").asText().isBlank()
                            && !c.path("message").asText().isBlank()) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** A failure's kind, for grouping: its first line without the variable parts. */
    private static String signature(String problem) {
        String first = problem.lines().findFirst().orElse(problem);
        String general = first.replaceAll("/[^\\s:']*", "PATH").replaceAll("[0-9]+", "N")
                .replaceAll("'[^']*'", "'…'");
        return general.substring(0, Math.min(160, general.length()));
    }

    /** The input of a failed case, printed and saved where it can be run again. */
    private String saved(Seed seed, int n, byte[] bytes) throws IOException {
        Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "mosaic-fuzz-" + SEED));
        Path copy = dir.resolve("case-" + n + "-" + seed.file().getFileName());
        Files.write(copy, bytes);
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        return "-- input (" + ws.relativize(seed.file()) + ", saved as " + copy + "):\n"
                + (text.length() > 4000 ? text.substring(0, 4000) + "\n[… " + (text.length() - 4000) + " more characters]" : text);
    }

    // ------------------------------------------------------------------ the workspace

    /**
     * A copy of what the repository ships, laid out as it is there (modules are found from the
     * playbooks), plus the test fixtures, an inventory with a playbook for it, and a playbook
     * calling {@code pxe-boot}; empty directories for plan's root, state and cache.
     */
    private List<Seed> workspace() throws IOException {
        Path repo = Path.of("").toAbsolutePath();
        ws = Files.createDirectories(tmp.resolve("ws"));
        root = Files.createDirectories(tmp.resolve("root"));
        stateDir = Files.createDirectories(tmp.resolve("state"));
        cacheDir = Files.createDirectories(tmp.resolve("cache"));
        Trees.copy(repo.resolve("playbooks"), ws.resolve("playbooks"));
        Trees.copy(repo.resolve("modules"), ws.resolve("modules"));
        Trees.copy(repo.resolve("src/test/resources/plans"), ws.resolve("fixtures/plans"));
        Trees.copy(repo.resolve("src/test/resources/netboot"), ws.resolve("fixtures/netboot"));
        // lab-cluster.yml reads the cluster's munge key, which an admin makes and the repository does not ship.
        Files.writeString(Files.createDirectories(ws.resolve("playbooks/secrets")).resolve("munge.key"), "fuzz-test-munge-key-0123456789abcdef");
        Files.writeString(ws.resolve("playbooks/pxe-site.yml"), """
                name: pxe-site
                vars:
                  nodes: [{ name: node1, mac: "52:54:00:00:00:01" }]
                modules:
                  boot:
                    source: pxe-boot
                    with: { kernel: vmlinuz, nodes: "${nodes}", max_topology: 6 }
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    content: "PXE menu: ${module.boot.menu}\\n"
                    requires: [module.boot]
                """);
        Path invDir = Files.createDirectories(ws.resolve("inventory"));
        Files.createDirectories(invDir.resolve("roots/lab1"));
        Files.createDirectories(invDir.resolve("roots/lab2"));
        Files.writeString(invDir.resolve("inventory.yml"), """
                # yaml-language-server: $schema=../schemas/inventory.schema.json
                groups:
                  labs:
                    vars: { tftp_root: /srv/tftp }
                    hosts: [lab1, lab2]
                  racks:
                    hosts: [lab2]
                    vars:
                      nodes: [{ name: node1, mac: "52:54:00:00:00:01" }]
                hosts:
                  lab1: { connection: local, root: roots/lab1, vars: { nic: eth1 } }
                  lab2:
                    connection: local
                    root: roots/lab2
                    vars:
                      nic: eth2
                      range: "10.0.2.100,10.0.2.200,12h"
                """);
        Files.writeString(invDir.resolve("site.yml"), """
                name: site
                vars:
                  tftp_root: /srv/tftp-default
                  nic: eth0
                  range: 10.0.3.100,10.0.3.200,12h
                  nodes: []
                resources:
                  tftp:
                    type: directory
                    path: ${tftp_root}
                  dhcp:
                    type: dnsmasq
                    path: /etc/dnsmasq.d/${nic}.conf
                    interface: ${nic}
                    tftp_root: ${tftp_root}
                    range: ${range}
                    boot: pxelinux.0
                    nodes: ${nodes}
                """);

        List<Seed> seeds = new ArrayList<>();
        Path playbooks = ws.resolve("playbooks");
        try (Stream<Path> s = Files.list(playbooks)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                seeds.add(seed("playbooks/" + p.getFileName(), p, p, null, null));
            }
        }
        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("ltsp-server", "openmosix-ltsp.yml");
        callers.put("openmosix-kernel", "openmosix-ltsp.yml");
        callers.put("pxe-classic", "openmosix-ltsp.yml");
        callers.put("pxe-boot", "pxe-site.yml");
        callers.put("slurm-node", "lab-cluster.yml");
        try (Stream<Path> s = Files.list(ws.resolve("modules"))) {
            for (Path dir : s.sorted().toList()) {
                String caller = callers.get(dir.getFileName().toString());
                assertThat(caller).as("a playbook that calls module %s", dir.getFileName()).isNotNull();
                seeds.add(seed("modules/" + dir.getFileName() + "/module.yml", dir.resolve("module.yml"),
                        playbooks.resolve(caller), null, dir));
            }
        }
        try (Stream<Path> s = Files.walk(ws.resolve("fixtures"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".yml") && !f.toString().contains("/before/")
                    && !f.getFileName().toString().equals("applied.yml")).sorted().toList()) {
                seeds.add(seed(ws.relativize(p).toString(), p, p, null, null));
            }
        }
        seeds.add(seed("inventory/inventory.yml", invDir.resolve("inventory.yml"), invDir.resolve("site.yml"),
                invDir.resolve("inventory.yml"), null));
        seeds.add(seed("inventory/site.yml", invDir.resolve("site.yml"), invDir.resolve("site.yml"),
                invDir.resolve("inventory.yml"), null));
        // Every seed is accepted as it is: the mutations, not the seeds, are what is rejected.
        for (Seed s : seeds) {
            Cli.Result r = runCase(s, false, false).get(0).result();
            assertThat(r.exitCode()).as("seed %s is valid: %s", s.name(), r).isZero();
        }
        return seeds;
    }

    private static Seed seed(String name, Path file, Path playbook, Path inventory, Path module) throws IOException {
        return new Seed(name, file, Files.readString(file), playbook, inventory, module);
    }

    /** Every file and directory below {@code dir} with its size (-1 for directories). */
    private static Map<String, Long> listing(Path dir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(p -> {
                try {
                    out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? -1L : Files.size(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return out;
    }

    private static String difference(Map<String, Long> before, Map<String, Long> after) {
        List<String> out = new ArrayList<>();
        after.forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                out.add((before.containsKey(k) ? "changed " : "added ") + k);
            }
        });
        before.keySet().stream().filter(k -> !after.containsKey(k)).forEach(k -> out.add("removed " + k));
        return String.join(", ", out);
    }

    /** Small file-tree helpers. */
    static final class Trees {
        private Trees() {
        }

        static void copy(Path from, Path to) throws IOException {
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : s.toList()) {
                    Path dest = to.resolve(from.relativize(p).toString());
                    if (Files.isSymbolicLink(p)) {
                        Files.createSymbolicLink(dest, Files.readSymbolicLink(p));
                    } else if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(p, dest);
                    }
                }
            }
        }

        static void delete(Path p) throws IOException {
            if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    for (Path c : s.toList()) {
                        delete(c);
                    }
                }
            }
            Files.deleteIfExists(p);
        }
    }
}
