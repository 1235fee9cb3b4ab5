package dev.mosaic.resource;

/**
 * A command a resource runs when it converges, as a plan announces it: the command line as
 * written (or as Mosaic builds it), the target directory it runs in, whether it may use the
 * network, and whether it runs confined to the target ({@code --root}: bubblewrap). The kind says
 * the first three; the engine, which knows the host, the last.
 */
public record Command(String line, String dir, boolean network, boolean confined) {

    public Command(String line, String dir, boolean network) {
        this(line, dir, network, false);
    }

    /** How it runs, in words: {@code in /usr/src/linux, network: off}. */
    public String how() {
        return "in " + dir + (confined ? ", network: " + (network ? "on" : "off") : ", not confined");
    }
}
