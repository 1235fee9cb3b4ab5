package dev.mosaic.cli;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.SchemaValidator;
import dev.mosaic.render.Recap;
import dev.mosaic.session.ApplyOptions;
import dev.mosaic.session.Session;
import dev.mosaic.session.Settings;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Wall-clock phases of one {@code mosaic apply PLAYBOOK --root ROOT}, in-process, without touching
 * Mosaic's sources: the steps of {@code Session.open} + {@code Session.apply}, timed one by one.
 * A benchmark aid (bench/profile/run), compiled against the jar; never part of the build.
 *
 * <p>Usage: {@code T0=$(date +%s%N) java -cp mosaic.jar:DIR dev.mosaic.cli.Phases PLAYBOOK ROOT [yaml|schema]}
 * The optional last argument first times the YAML reader (or YAML + schema validation) alone, cold.
 */
public final class Phases {
    public static void main(String[] args) throws Exception {
        long mainNanos = System.nanoTime();
        long mainMillis = System.currentTimeMillis();
        Path playbook = Path.of(args[0]);
        Path root = Path.of(args[1]).toAbsolutePath().normalize();
        String extra = args.length > 2 ? args[2] : "";
        StringBuilder report = new StringBuilder();
        long t = mainNanos;
        if (!extra.isEmpty()) {
            String text = Files.readString(playbook, StandardCharsets.UTF_8);
            Diagnostics d = new Diagnostics();
            YNode tree = YamlReader.read(playbook.toString(), text, d);
            t = lap(report, "yaml read alone (cold)", t);
            if (extra.equals("schema")) {
                new SchemaValidator().validate(tree, "playbook.schema.json", new Diagnostics());
                t = lap(report, "schema validation alone (cold, after the YAML read)", t);
            }
        }
        Settings settings = new Settings(BuiltinKinds.create(), Map.of(), List.of(),
                Runtime.getRuntime().availableProcessors(), null, root.resolve("cache"));
        Playbook p = Session.load(playbook, settings, Map.of());
        t = lap(report, "load playbook (yaml, vars, schema, kinds, refs, digests)", t);
        ResourceGraph g = Session.graph(p);
        t = lap(report, "graph", t);
        Session session = Session.local(p, g, root, settings, true);
        t = lap(report, "session open (host, state)", t);
        Engine.ApplyResult result = session.apply(null, new ApplyOptions(false, Duration.ZERO), Events.NONE,
                w -> System.err.println("warning: " + w));
        t = lap(report, "apply (lock, observe + diff every resource, state commit)", t);
        String recap = Recap.render(result);
        t = lap(report, "recap", t);
        long startMillis = Long.parseLong(System.getenv().getOrDefault("T0", "0")) / 1_000_000;
        System.out.print(recap.strip() + "\n");
        System.out.printf("  %-62s %6d ms%n", "process start -> main (JVM boot, class loading)",
                startMillis > 0 ? mainMillis - startMillis : -1);
        System.out.print(report);
        System.out.printf("  %-62s %6d ms%n", "main -> end of main", (System.nanoTime() - mainNanos) / 1_000_000);
        System.out.printf("  resources: %d, classes loaded: %d%n", p.resources().size(),
                java.lang.management.ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount());
    }

    private static long lap(StringBuilder b, String what, long since) {
        long now = System.nanoTime();
        b.append(String.format("  %-62s %6d ms%n", what, (now - since) / 1_000_000));
        return now;
    }
}
