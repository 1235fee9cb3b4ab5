package dev.mosaic.testing.labserver;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A virtual machine on a {@link LabServer}'s bridge that boots from the network and keeps
 * running: QEMU (TCG) with an e1000 card whose iPXE ROM does PXE, on a tap of its own in the lab
 * server's namespace, its serial console in a file. Several may run at once; each is stopped by
 * {@link #close()} (its own QEMU process, by PID, and its tap), which a test calls in a finally
 * block or {@code @AfterAll}.
 *
 * <pre>{@code
 * try (LabNode node = LabNode.boot(lab, "node1", "52:54:00:00:00:01", dir)) {
 *     node.awaitConsole(Pattern.compile("mosaic-node: up"), Duration.ofMinutes(3));
 * }
 * }</pre>
 */
public final class LabNode implements AutoCloseable {

    /** Enough for a kernel and a root file system unpacked in RAM. */
    public static final int MEMORY_MB = 768;

    private final String name;
    private final String mac;
    private final String tap;
    private final LabServer lab;
    private final Path serial;
    private final Path output;
    private final Process qemu;
    private final long started;

    private LabNode(String name, String mac, String tap, LabServer lab, Path serial, Path output, Process qemu, long started) {
        this.name = name;
        this.mac = mac;
        this.tap = tap;
        this.lab = lab;
        this.serial = serial;
        this.output = output;
        this.qemu = qemu;
        this.started = started;
    }

    /**
     * Powers on a machine with {@code mac} on the lab server's bridge; it boots from the network.
     * {@code name} names its tap ({@code tap-NAME}, at most 15 characters in all) and its log files
     * in {@code dir}. Returns at once.
     */
    public static LabNode boot(LabServer lab, String name, String mac, Path dir) throws IOException, InterruptedException {
        String tap = "tap-" + name;
        if (tap.length() > 15) {
            throw new IllegalArgumentException("a tap's name has at most 15 characters: " + tap);
        }
        LabServer.check(lab.inNetns(List.of("sh", "-ec", "ip tuntap add dev " + tap + " mode tap; ip link set " + tap
                + " master " + lab.bridge() + " up")), Duration.ofSeconds(30));
        Files.createDirectories(dir);
        Path serial = dir.resolve(name + ".serial.log");
        Path output = dir.resolve(name + ".qemu.log");
        // SeaBIOS's serial console: the I/O port of COM1 (0x3f8), little-endian; it mirrors the
        // firmware's and the boot loaders' screens to the serial log.
        Path sercon = dir.resolve(name + ".sercon");
        Files.write(sercon, new byte[] {(byte) 0xf8, 0x03});
        List<String> command = new ArrayList<>(lab.inNetns());
        command.addAll(List.of("qemu-system-x86_64",
                "-accel", "tcg", "-m", Integer.toString(MEMORY_MB), "-nographic", "-vga", "none", "-no-reboot",
                "-serial", "file:" + serial, "-monitor", "none",
                "-fw_cfg", "name=etc/sercon-port,file=" + sercon,
                "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                "-device", "e1000,netdev=n0,mac=" + mac,
                "-boot", "n"));
        long started = System.nanoTime();
        // nsenter without a PID namespace execs QEMU: this process is QEMU itself.
        Process qemu = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return new LabNode(name, mac, tap, lab, serial, output, qemu, started);
    }

    public String name() {
        return name;
    }

    public String mac() {
        return mac;
    }

    /** When QEMU was started, as {@link System#nanoTime()}: power-on, for measurements. */
    public long poweredOnAt() {
        return started;
    }

    public boolean isRunning() {
        return qemu.isAlive();
    }

    /**
     * The serial console so far, as text: without terminal escape sequences and control
     * characters (SeaBIOS's mirror of the screen moves the cursor in the middle of words).
     */
    public String console() {
        try {
            String raw = Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
            return raw.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]|\u001b[A-Za-z]|[\\x00-\\x08\\x0b-\\x1f]", "");
        } catch (IOException e) {
            return "(serial log unreadable: " + e + ")";
        }
    }

    /**
     * Waits until the console shows {@code pattern} and returns the match; fails with the console
     * when the machine stopped or {@code timeout} passed first.
     */
    public Matcher awaitConsole(Pattern pattern, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(console());
            if (m.find()) {
                return m;
            }
            if (!qemu.isAlive() || System.nanoTime() > end) {
                throw new AssertionError(name + (qemu.isAlive() ? " did not print " : " stopped before printing ")
                        + pattern + " within " + timeout + "\n" + this);
            }
            Thread.sleep(200);
        }
    }

    /** Powers the machine off (kills its QEMU) and removes its tap. Idempotent. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (qemu.isAlive()) {
            qemu.destroy();
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
        }
        LabServer.run(lab.inNetns(List.of("ip", "link", "del", tap)), Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        String c = console();
        if (c.length() > 8000) {
            c = "[…]" + c.substring(c.length() - 8000);
        }
        String q;
        try {
            q = Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            q = e.toString();
        }
        return name + " (" + mac + ", " + (qemu.isAlive() ? "running" : "exited " + qemu.exitValue()) + ")\n-- serial console:\n"
                + c + "\n-- qemu:\n" + q;
    }
}
