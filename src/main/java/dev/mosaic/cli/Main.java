package dev.mosaic.cli;

import dev.mosaic.diag.Diagnostic;
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
 * stale ({@code apply PLAN}, when nothing failed), 64 usage error.
 */
@Command(name = "mosaic", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Declarative configuration for netboot cluster servers: plan what would change, apply only what drifted.",
        subcommands = {ValidateCommand.class, PlanCommand.class, ApplyCommand.class, ExplainCommand.class,
                GraphCommand.class, ModuleSchemaCommand.class, LogsCommand.class, HistoryCommand.class,
                RestoreCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:success, or no changes",
                "1:error (the message says where: file:line:col for playbooks)",
                "2:changes present (plan --detailed-exitcode)",
                "3:apply of a saved plan: some resources changed since the plan and were refused (stale)",
                "64:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"A first netboot server layout, planned then applied into a sandbox root:",
                "  mosaic plan playbooks/starter.yml --root /tmp/lab",
                "  mosaic apply playbooks/starter.yml --root /tmp/lab",
                "Why a resource changes:",
                "  mosaic explain 'file[pxe-menu]' playbooks/starter.yml --root /tmp/lab",
                "",
                "Each command has its own help (mosaic help plan) and man page (man mosaic-plan)."})
public final class Main implements Runnable {

    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int CHANGES = 2;
    /** {@code apply PLAN}: some changes of the saved plan were refused as stale (nothing failed). */
    public static final int STALE = 3;
    public static final int USAGE = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: validate, plan, apply, explain, graph, module-schema, logs, history or restore");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests in-process). */
    public static int run(String[] args, PrintStream outStream, PrintStream errStream) {
        // picocli's own warnings go to System.err, past the scrubbing streams, and quote option
        // values whole: a --var value with a quote in it (a sensitive one, as likely as not) would
        // be printed in clear. Mosaic reports every problem of its options itself.
        System.setProperty("picocli.trace", "OFF");
        CommandLine cmd = new CommandLine(new Main());
        // Always UTF-8, whatever the locale: playbooks and plans are UTF-8, and JSON must be. (A
        // PrintWriter or PrintStream left to the default charset writes '?' for every non-ASCII
        // character under LC_ALL=C, as cron and service managers often run.)
        // Sensitive values never reach either stream, whatever prints them (see ScrubbingWriter).
        ScrubbingWriter outLines = new ScrubbingWriter(new OutputStreamWriter(outStream, StandardCharsets.UTF_8));
        ScrubbingWriter errLines = new ScrubbingWriter(new OutputStreamWriter(errStream, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(outLines, true);
        PrintWriter err = new PrintWriter(errLines, true);
        cmd.setOut(out);
        cmd.setErr(err);
        // Color only once the command line is understood: never for JSON, never with --no-color.
        // stderr follows stdout's terminal test (Java tells only whether the process has a console).
        boolean terminal = outStream == System.out && System.console() != null;
        cmd.setExecutionStrategy(parsed -> {
            Verbosity.Level level = matched(parsed, "--debug") ? Verbosity.Level.DEBUG
                    : matched(parsed, "--verbose") ? Verbosity.Level.VERBOSE : Verbosity.Level.QUIET;
            ((Main) cmd.getCommand()).level = level;
            new Verbosity(level, err).configFiles(configFiles());
            Config config;
            try {
                config = Config.load(configFiles());
            } catch (UserError u) {
                u.diagnostics().forEach(d -> err.println(d.render()));
                return ERROR;
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
            err.println("mosaic: " + ex.getMessage());
            if (ex instanceof CommandLine.UnmatchedArgumentException u) {
                mistyped(u).ifPresent(x -> err.println("Did you mean '" + x + "'?"));
            }
            err.println("Try 'mosaic " + (ex.getCommandLine().getCommandName().equals("mosaic") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help'.");
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UserError u) {
                for (Diagnostic d : u.diagnostics()) {
                    err.println(d.render());
                }
                long n = u.diagnostics().stream().filter(Diagnostic::isError).count();
                if (n > 1) {
                    err.println(n + " errors.");
                }
                return ERROR;
            }
            // Mosaic's own state directory unusable (a link, a file in the way, read-only, full):
            // the user's to fix, said in one paragraph.
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof dev.mosaic.state.StateDirError s) {
                    err.println("error: " + s.getMessage());
                    return ERROR;
                }
            }
            return unexpected(ex, err);
        });
        int code;
        try {
            code = cmd.execute(args);
        } catch (StackOverflowError | OutOfMemoryError e) { // picocli hands on errors as they are
            code = unexpected(e, err);
        }
        out.flush();
        err.flush();
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

    /** {@code -v}: Mosaic's reasons on stderr; given on any command, as it is on {@code mosaic} itself. */
    @CommandLine.Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Say why, on stderr: for each resource that changes, its cause, the fields that differ, the configuration digest last applied against the playbook's, the upstream change that reached it.")
    boolean verbose;

    /** {@code --debug}: {@code -v} and Mosaic's bookkeeping. */
    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "What -v says, and more on stderr: the configuration files read, where modules are searched and where each came from, the target's state directory, the apply lock, the resources that do not change.")
    boolean debug;

    /** What {@link #verbose} and {@link #debug} ask for, set once the command line is parsed ({@link Verbosity#of}). */
    Verbosity.Level level = Verbosity.Level.QUIET;

    /** {@code --no-color}: given on any command, as it is on {@code mosaic} itself. */
    @CommandLine.Option(names = "--no-color", scope = CommandLine.ScopeType.INHERIT,
            description = "No color, even on a terminal (also: the NO_COLOR environment variable).")
    boolean noColor;

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
        Throwable cause = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
        if (cause instanceof java.nio.file.FileSystemException f) {
            err.println("mosaic: error: " + f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile())
                    + ": " + dev.mosaic.diag.IoProblems.reason(f));
        } else if (cause instanceof java.io.IOException io) {
            err.println("mosaic: error: " + dev.mosaic.diag.IoProblems.reason(io));
        } else if (cause instanceof OutOfMemoryError) {
            err.println("mosaic: error: out of memory: the input is too big for the memory Java was given");
        } else if (cause instanceof StackOverflowError) {
            err.println("mosaic: internal error (a bug; please report it): the input nests too deeply for Mosaic"
                    + " (stack overflow); set MOSAIC_TRACE=1 for the details");
        } else {
            err.println("mosaic: internal error (a bug; please report it with what you ran): " + oneLine(cause)
                    + "; set MOSAIC_TRACE=1 to print the details for the report");
        }
        if ("1".equals(System.getenv("MOSAIC_TRACE"))) {
            ex.printStackTrace(err);
        }
        return ERROR;
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
