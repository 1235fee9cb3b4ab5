package dev.mosaic.session;

import java.time.Duration;

/**
 * How one apply runs: whether what the playbook no longer declares is deleted, and how long to
 * wait for another apply holding the target's lock.
 */
public record ApplyOptions(boolean allowDelete, Duration lockTimeout) {
}
