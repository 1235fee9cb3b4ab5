package dev.mosaic.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * User and group names to numeric ids, through {@code getent} so that every NSS source the machine
 * is configured with (files, LDAP, …) answers, as {@code chown} itself would.
 */
final class Accounts {

    private Accounts() {
    }

    /** @param database {@code passwd} or {@code group} */
    static Optional<Integer> lookup(String database, String name) throws IOException {
        Process p = new ProcessBuilder("getent", database, name).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (p.waitFor() != 0 || out.isEmpty()) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while looking up " + database + " entry " + name);
        }
        String[] fields = out.split(":");
        return fields.length > 2 ? Optional.of(Integer.parseInt(fields[2])) : Optional.empty();
    }
}
