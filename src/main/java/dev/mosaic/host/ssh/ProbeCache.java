package dev.mosaic.host.ssh;

import dev.mosaic.host.FileStat;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an {@link SshHost} knows of the server without asking it: the metadata and hashes its
 * probes saw, by normalized target path, and what it changed since (asked again). A path this host
 * changes is forgotten; a command that may change anything forgets everything. Thread-safe.
 */
final class ProbeCache {

    /** What probes saw, by target path; ABSENT entries are paths known not to exist. */
    final NavigableMap<String, Probe.Entry> known = new ConcurrentSkipListMap<>();
    /** Directories whose whole subtree is in {@link #known}. */
    final Set<String> listed = ConcurrentHashMap.newKeySet();
    /** Paths changed through this host since they were probed: they and what is below must be asked again. */
    final Set<String> stale = ConcurrentHashMap.newKeySet();
    final Map<String, String> hashes = new ConcurrentHashMap<>();
    /** Bumped by every change the host makes: see {@link dev.mosaic.host.Host#generation}. */
    private final AtomicLong generation = new AtomicLong();

    long generation() {
        return generation.get();
    }

    boolean isStale(String path) {
        if (stale.isEmpty()) {
            return false;
        }
        for (String p = path; p != null; p = RemoteRoot.parent(p)) {
            if (stale.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** What the probes say about {@code path}, or null when they cannot tell. */
    FileStat cached(String path) {
        if (isStale(path)) {
            return null;
        }
        Probe.Entry e = known.get(path);
        if (e != null) {
            return e.stat();
        }
        for (String p = RemoteRoot.parent(path); p != null; p = RemoteRoot.parent(p)) {
            Probe.Entry pe = known.get(p);
            if (pe != null && pe.stat().isSymlink()) {
                return null; // the path goes through a symlink: only the server can resolve it
            }
            if (listed.contains(p)) {
                return FileStat.ABSENT;
            }
        }
        return null;
    }

    /** What was seen below {@code d}, {@code d} excluded. */
    NavigableMap<String, Probe.Entry> below(String d) {
        return d.equals("/") ? known.tailMap("/", false) : known.subMap(d + "/", true, d + "0", false);
    }

    /** What a probe just saw at {@code path} (its hash, if any was known, is not that of this content). */
    void saw(String path, Probe.Entry e) {
        known.put(path, e);
        hashes.remove(path);
    }

    /** What a probe just answered for {@code path} (nothing there is an answer too). */
    void asked(String path, boolean wholeTree) {
        known.putIfAbsent(path, new Probe.Entry(FileStat.ABSENT, ""));
        stale.remove(path);
        if (wholeTree) {
            listed.add(path);
            stale.removeIf(s -> s.startsWith(path + "/"));
        }
    }

    /** {@code p} (a normalized target path) is about to change: it and what is below are asked again. */
    void forget(String p) {
        generation.incrementAndGet();
        known.remove(p);
        hashes.remove(p);
        known.subMap(p + "/", p + "0").clear();
        hashes.keySet().removeIf(k -> k.startsWith(p + "/"));
        listed.removeIf(l -> l.equals(p) || l.startsWith(p + "/"));
        stale.add(p);
    }

    /** {@code p}'s own metadata is about to change (mode, owner): asked again, what is below kept. */
    void touch(String p) {
        generation.incrementAndGet();
        stale.add(p);
    }

    void forgetAll() {
        generation.incrementAndGet();
        known.clear();
        hashes.clear();
        listed.clear();
        stale.clear();
    }

    /** What this host just removed: nothing there any more, nor below. */
    void gone(String path) {
        known.subMap(path + "/", path + "0").clear();
        hashes.keySet().removeIf(k -> k.equals(path) || k.startsWith(path + "/"));
        listed.removeIf(l -> l.startsWith(path + "/"));
        stale.removeIf(x -> x.equals(path) || x.startsWith(path + "/"));
        known.put(path, new Probe.Entry(FileStat.ABSENT, ""));
        listed.add(path);
    }

    /** What an SFTP {@code lstat} just said of {@code path}: known, not stale, its old hash dropped. */
    void learned(String path, Probe.Entry e) {
        known.put(path, e);
        stale.remove(path);
        hashes.remove(path);
    }

    /** Nothing at {@code path}, as an SFTP {@code lstat} just said. */
    void learnedAbsent(String path) {
        known.put(path, new Probe.Entry(FileStat.ABSENT, ""));
        stale.remove(path);
    }
}
