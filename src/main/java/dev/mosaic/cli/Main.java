package dev.mosaic.cli;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Trace;
import dev.mosaic.diag.UserError;
import dev.mosaic.render.Colors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code mosaic}: the command line. Exit codes are a contract: 0 success (or no changes), 1 error,
 * 2 changes present ({@code plan --detailed-exitcode}), 3 some changes of a saved plan refused as
 * stale ({@code apply PLAN}, when nothing failed), 64 usage error. Its options and texts are
 * {@link Root}'s; this class adds the commands.
 */
@Command(subcommands = {ValidateCommand.class, PlanCommand.class, ApplyCommand.class, ExplainCommand.class,
        GraphCommand.class, ModuleSchemaCommand.class, LogsCommand.class, HistoryCommand.class,
        RestoreCommand.class, CommandLine.HelpCommand.class})
public final class Main extends Root {

    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int CHANGES = 2;
    /** {@code apply PLAN}: some changes of the saved plan were refused as stale (nothing failed). */
    public static final int STALE = 3;
    public static final int USAGE = 64;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests in-process). */
    public static int run(String[] args, PrintStream outStream, PrintStream errStream) {
        // picocli's own warnings go to System.err, past the scrubbing streams, and quote option
        // values whole: a --var value with a quote in it (a sensitive one, as likely as not) would
        // be printed in clear. Mosaic reports every problem of its options itself.
        System.setProperty("picocli.trace", "OFF");
        CommandLine cmd = commandLine(args);
        // Always UTF-8, whatever the locale: playbooks and plans are UTF-8, and JSON must be. (A
        // PrintWriter or PrintStream left to the default charset writes '?' for every non-ASCII
        // character under LC_ALL=C, as cron and service managers often run.)
        // Sensitive values never reach either stream, whatever prints them (see ScrubbingWriter).
        ScrubbingWriter outLines = new ScrubbingWriter(new OutputStreamWriter(outStream, StandardCharsets.UTF_8));
        ScrubbingWriter errLines = new ScrubbingWriter(new OutputStreamWriter(errStream, StandardCharsets.UTF_8));
        HeldWriter held = new HeldWriter(outLines);
        PrintWriter out = new PrintWriter(held, true);
        PrintWriter err = new PrintWriter(errLines, true);
        cmd.setOut(out);
        cmd.setErr(err);
        // Remote commands and round trips, one line each, for whoever debugs an SSH target.
        Trace.sendTo(System.getenv("MOSAIC_SSH_DEBUG") != null ? err::println : null);
        // Color only once the command line is understood: never for JSON, never with --no-color.
        // stderr follows stdout's terminal test (Java tells only whether the process has a console).
        boolean terminal = outStream == System.out && System.console() != null;
        // With --json, every failure is one JSON document on stdout (errors.schema.json), as
        // Terraform's -json prints its diagnostics: a script reads one stream, and finds the
        // exit code and the document agree. stderr keeps human notes (warnings) only.
        boolean[] json = {jsonAsked(args)};
        cmd.setExecutionStrategy(parsed -> {
            json[0] = matched(parsed, "--json");
            if (json[0] && !leaf(parsed).commandSpec().name().equals("apply")) {
                held.hold();
            }
            Verbosity.Level level = matched(parsed, "--debug") ? Verbosity.Level.DEBUG
                    : matched(parsed, "--verbose") ? Verbosity.Level.VERBOSE : Verbosity.Level.QUIET;
            ((Root) cmd.getCommand()).level = level;
            new Verbosity(level, err).configFiles(configFiles());
            Config config;
            try {
                config = Config.load(configFiles());
            } catch (UserError u) {
                return userError(u, json[0], held, out, err);
            }
            config.applyTo(leaf(parsed));
            if (!config.modules().isEmpty()) { // after --modules, before the shipped modules
                String shipped = System.getProperty(MODULES_PROPERTY, "");
                System.setProperty(MODULES_PROPERTY, config.modules().stream().map(Path::toString)
                        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator))
                        + (shipped.isEmpty() ? "" : java.io.File.pathSeparator + shipped));
            }
            boolean on = Colors.wanted(terminal, System.getenv("NO_COLOR"), System.getenv("TERM"), matched(parsed, "--no-color"))
                    && config.color().orElse(true) && !matched(parsed, "--json");
            outLines.color(on && COLORED.contains(leaf(parsed).commandSpec().name()));
            errLines.color(on);
            return new CommandLine.RunLast().execute(parsed);
        });
        cmd.setParameterExceptionHandler((ex, a) -> {
            String help = "try 'mosaic " + (ex.getCommandLine().getCommandName().equals("mosaic") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help'";
            java.util.Optional<String> meant = ex instanceof CommandLine.UnmatchedArgumentException u ? mistyped(u) : java.util.Optional.empty();
            if (json[0]) {
                return failJson(dev.mosaic.render.JsonErrors.render(ex.getMessage(),
                        meant.map(x -> "did you mean '" + x + "'? ").orElse("") + help), USAGE, held, out);
            }
            err.println("mosaic: " + ex.getMessage());
            meant.ifPresent(x -> err.println("Did you mean '" + x + "'?"));
            err.println(Character.toUpperCase(help.charAt(0)) + help.substring(1) + ".");
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UserError u) {
                return userError(u, json[0], held, out, err);
            }
            // Mosaic's own state directory unusable (a link, a file in the way, read-only, full):
            // the user's to fix, said in one paragraph.
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof dev.mosaic.state.StateDirError s) {
                    if (json[0]) {
                        return failJson(dev.mosaic.render.JsonErrors.render(s.getMessage(), null), ERROR, held, out);
                    }
                    err.println("error: " + s.getMessage());
                    return ERROR;
                }
            }
            return unexpected(ex, json[0], held, out, err);
        });
        int code;
        try {
            code = cmd.execute(args);
        } catch (StackOverflowError | OutOfMemoryError e) { // picocli hands on errors as they are
            code = unexpected(e, json[0], held, out, err);
        }
        try {
            held.release();
        } catch (java.io.IOException e) {
            out.println(); // the PrintWriter records the failure, as for any other write to stdout
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * The command line that runs {@code args}: when they name a command after nothing but
     * {@code mosaic}'s own flags, {@link Root} with that command alone, which parses them exactly
     * as the whole would; anything else (help, a version, a mistyped command, no command) gets
     * every command, for the lists and suggestions that need them all.
     */
    static CommandLine commandLine(String[] args) {
        for (String a : args) {
            if (Root.FLAGS.contains(a)) {
                continue;
            }
            Object command = command(a);
            if (command != null) {
                return new CommandLine(new Root()).addSubcommand(a, command);
            }
            break;
        }
        return new CommandLine(new Main());
    }

    /**
     * A new instance of the command {@code name} of {@link Main}'s {@code subcommands}, but
     * {@code help}; null for any other word. A switch, so that no other command's class is even
     * loaded. {@code OneCommandLineTest} checks that it and the annotation agree.
     */
    static Object command(String name) {
        return switch (name) {
            case "validate" -> new ValidateCommand();
            case "plan" -> new PlanCommand();
            case "apply" -> new ApplyCommand();
            case "explain" -> new ExplainCommand();
            case "graph" -> new GraphCommand();
            case "module-schema" -> new ModuleSchemaCommand();
            case "logs" -> new LogsCommand();
            case "history" -> new HistoryCommand();
            case "restore" -> new RestoreCommand();
            default -> null;
        };
    }

    /**
     * Whether the command line asks for JSON, before picocli has understood it (a usage error is
     * then reported as JSON too): {@code --json} as a word of its own before a {@code --}.
     */
    static boolean jsonAsked(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--json")) {
                return true;
            }
        }
        return false;
    }

    /** A {@link UserError}: its diagnostics, as text on stderr or as one JSON document on stdout. */
    private static int userError(UserError u, boolean json, HeldWriter held, PrintWriter out, PrintWriter err) {
        if (json) {
            return failJson(dev.mosaic.render.JsonErrors.render(u.diagnostics()), ERROR, held, out);
        }
        for (Diagnostic d : u.diagnostics()) {
            err.println(d.render());
        }
        long n = u.diagnostics().stream().filter(Diagnostic::isError).count();
        if (n > 1) {
            err.println(n + " errors.");
        }
        return ERROR;
    }

    /** Replaces what a held command printed by the error document, and returns {@code code}. */
    private static int failJson(String document, int code, HeldWriter held, PrintWriter out) {
        out.flush();
        held.discard();
        out.print(document);
        out.flush();
        return code;
    }

    /** Module directories the launcher and the configuration add (see ModuleReader). */
    private static final String MODULES_PROPERTY = "mosaic.modules";

    /**
     * The configuration files read, in order: {@code $MOSAIC_CONFIG} alone when it is set (empty:
     * none), else {@code /etc/mosaic/config.yml} then the user's.
     */
    static java.util.List<Path> configFiles() {
        String only = System.getenv("MOSAIC_CONFIG");
        if (only != null) {
            return only.isEmpty() ? java.util.List.of() : java.util.List.of(Path.of(only));
        }
        return java.util.List.of(Config.SYSTEM, Config.user(System.getenv("XDG_CONFIG_HOME"), System.getProperty("user.home")));
    }

    /** The commands whose standard output {@link Colors} knows the shape of. */
    private static final java.util.Set<String> COLORED = java.util.Set.of("plan", "apply", "restore");

    private static CommandLine.ParseResult leaf(CommandLine.ParseResult parsed) {
        return parsed.hasSubcommand() ? leaf(parsed.subcommand()) : parsed;
    }

    private static boolean matched(CommandLine.ParseResult parsed, String option) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
            if (p.hasMatchedOption(option)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What reaches the top without being a {@link UserError}: one paragraph, never a Java stack
     * trace (a user cannot act on one, and it can be long enough to hide the message). A failure
     * to read or write a file names it with the system's reason; anything else is a bug of
     * Mosaic, and {@code MOSAIC_TRACE=1} prints the trace to report it with.
     */
    static int unexpected(Throwable ex, PrintWriter err) {
        err.println("mosaic: " + unexpectedMessage(ex));
        if ("1".equals(System.getenv("MOSAIC_TRACE"))) {
            ex.printStackTrace(err);
        }
        return ERROR;
    }

    /** As {@link #unexpected(Throwable, PrintWriter)}, the paragraph as JSON on stdout with --json (a trace still on stderr). */
    private static int unexpected(Throwable ex, boolean json, HeldWriter held, PrintWriter out, PrintWriter err) {
        if (!json) {
            return unexpected(ex, err);
        }
        if ("1".equals(System.getenv("MOSAIC_TRACE"))) {
            ex.printStackTrace(err);
        }
        return failJson(dev.mosaic.render.JsonErrors.render(unexpectedMessage(ex).replaceFirst("^error: ", ""), null),
                ERROR, held, out);
    }

    private static String unexpectedMessage(Throwable ex) {
        Throwable cause = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
        if (cause instanceof java.nio.file.FileSystemException f) {
            return "error: " + f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile())
                    + ": " + dev.mosaic.diag.IoProblems.reason(f);
        } else if (cause instanceof java.io.IOException io) {
            return "error: " + dev.mosaic.diag.IoProblems.reason(io);
        } else if (cause instanceof OutOfMemoryError) {
            return "error: out of memory: the input is too big for the memory Java was given";
        } else if (cause instanceof StackOverflowError) {
            return "internal error (a bug; please report it): the input nests too deeply for Mosaic"
                    + " (stack overflow); set MOSAIC_TRACE=1 for the details";
        }
        return "internal error (a bug; please report it with what you ran): " + oneLine(cause)
                + "; set MOSAIC_TRACE=1 to print the details for the report";
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? "" : ": " + t.getMessage().replaceAll("\\s*\\n\\s*", " ");
        String where = "";
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("dev.mosaic.")) {
                where = " (in " + e.getClassName().substring("dev.mosaic.".length()) + "." + e.getMethodName() + ")";
                break;
            }
        }
        return t.getClass().getSimpleName().replace("Exception", "").replace("Error", " failure") + m + where;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mosaic " + (v == null ? "dev" : v)};
        }
    }

    /** The command or option a mistyped word most likely meant ({@code mosaic aply} → apply). */
    private static java.util.Optional<String> mistyped(CommandLine.UnmatchedArgumentException ex) {
        if (ex.getUnmatched().isEmpty()) {
            return java.util.Optional.empty();
        }
        String word = ex.getUnmatched().get(0).replaceFirst("^(--[^=]+)=.*", "$1");
        CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
        java.util.List<String> known = new java.util.ArrayList<>();
        if (word.startsWith("-")) {
            spec.options().forEach(o -> known.addAll(java.util.List.of(o.names())));
        } else {
            known.addAll(spec.subcommands().keySet());
        }
        return dev.mosaic.diag.Suggest.closest(word, known);
    }
}
