package dev.mosaic.cli;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The command or option a mistyped word most likely meant ({@code mosaic aply} → apply). */
final class Suggest {

    private Suggest() {
    }

    /**
     * The known name nearest to the first unmatched word, when it is near enough to be a typo: at
     * most one edit per three letters (two at least), and nearer than any other name.
     */
    static Optional<String> nearest(CommandLine.UnmatchedArgumentException ex) {
        List<String> unmatched = ex.getUnmatched();
        if (unmatched.isEmpty()) {
            return Optional.empty();
        }
        String word = unmatched.get(0);
        int eq = word.indexOf('=');
        if (word.startsWith("--") && eq > 0) {
            word = word.substring(0, eq);
        }
        CommandLine cmd = ex.getCommandLine();
        List<String> known = new ArrayList<>();
        if (word.startsWith("-")) {
            cmd.getCommandSpec().options().forEach(o -> known.addAll(List.of(o.names())));
        } else {
            known.addAll(cmd.getSubcommands().keySet());
        }
        return nearest(word, known);
    }

    static Optional<String> nearest(String word, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        boolean tie = false;
        for (String k : known) {
            int d = distance(word, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
                tie = false;
            } else if (d == bestDistance) {
                tie = true;
            }
        }
        int limit = Math.max(2, word.length() / 3);
        return best != null && !tie && bestDistance <= limit && bestDistance > 0 ? Optional.of(best) : Optional.empty();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
