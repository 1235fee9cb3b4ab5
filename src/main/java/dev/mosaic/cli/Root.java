package dev.mosaic.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command {@code mosaic} itself — its options, help texts and exit codes — without its
 * subcommands, which {@link Main} adds. A run of one command builds this and that command only
 * ({@link Main#commandLine}): picocli reads every annotation of every subcommand it is given,
 * and builds each one, before it parses a word (a tenth of a no-op apply's time). Help, the
 * man pages and completion see {@link Main}, which holds every subcommand.
 */
@Command(name = "mosaic", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Declarative configuration for netboot cluster servers: plan what would change, apply only what drifted.",
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
class Root implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: validate, plan, apply, explain, graph, module-schema, logs, history or restore");
    }

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

    /** The words of {@code mosaic}'s own options that may come before a command: flags, no value. */
    static final java.util.Set<String> FLAGS = java.util.Set.of("-v", "--verbose", "--debug", "--no-color");
}
