package dev.mosaic.resource;

/** What a change does to a resource, with the symbol plans print for it. */
public enum Action {
    NOOP("no-op", " "),
    CREATE("create", "+"),
    UPDATE("update", "~"),
    REPLACE("replace", "-/+"),
    DELETE("delete", "-"),
    /** Engine-only: nothing differs, but a notified resource re-runs (rebuild, reload). */
    REFRESH("refresh", "*");

    private final String word;
    private final String symbol;

    Action(String word, String symbol) {
        this.word = word;
        this.symbol = symbol;
    }

    /** The word used in JSON and summaries: {@code create}, {@code update}, … */
    public String word() {
        return word;
    }

    /** The action a {@link #word()} names. */
    public static Action ofWord(String word) {
        for (Action a : values()) {
            if (a.word.equals(word)) {
                return a;
            }
        }
        throw new IllegalArgumentException("not an action: " + word);
    }

    public String symbol() {
        return symbol;
    }
}
