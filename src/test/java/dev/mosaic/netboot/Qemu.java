package dev.mosaic.netboot;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network-boots a virtual machine from a TFTP tree: QEMU (TCG, no KVM) with an e1000 card whose
 * iPXE ROM does PXE; QEMU's user-mode network is the DHCP and TFTP server (10.0.2.2), or, with
 * {@link #bootOnTap}, whatever server is on the tap's network. The serial console goes to a
 * file; SeaBIOS mirrors its screen to that serial port too ({@code etc/sercon-port}), so the
 * loaders' messages are in the log as well.
 *
 * <p>At most two machines run at once in the JVM. A machine that is still running when its
 * timeout ends is killed through its own {@link Process} handle; so is any left running when the
 * JVM exits.
 */
final class Qemu {

    static final String COMMAND = "qemu-system-x86_64";
    static final String PACKAGES = "qemu-system-x86 ipxe-qemu";

    /** Generous: a boot takes 10 to 20 seconds; this long means it hangs. */
    static final Duration BOOT_TIMEOUT = Duration.ofMinutes(2);

    /** What the test initrd prints once it is up. */
    static final Pattern MARKER = Pattern.compile("MOSAIC-NODE-UP name=(\\S*) mac=(\\S*)");

    private static final Semaphore SLOTS = new Semaphore(2);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "qemu-reaper"));
    }

    private Qemu() {
    }

    /**
     * A machine to boot: {@code name} names its log files; {@code bootfile} is what DHCP tells its
     * firmware to load; {@code address} is the IPv4 address DHCP gives it.
     */
    record Machine(String name, String mac, String bootfile, String address) {
    }

    /** How a boot went: the serial console, QEMU's own output, and whether it had to be killed. */
    record Boot(Machine machine, String serial, String qemuOutput, boolean killedAtTimeout, int exitCode) {

        /**
         * The serial console as text: without terminal escape sequences, carriage returns and
         * backspaces. SeaBIOS's mirror of the screen moves the cursor in the middle of words
         * ("PXELI\e[25;05H\e[25;06HNUX"), so the raw log is not searched.
         */
        String console() {
            return serial.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]|\u001b[A-Za-z]|[\\x00-\\x08\\x0b-\\x1f]", "");
        }

        /** Every marker line the machine printed, as {@code "MOSAIC-NODE-UP name=… mac=…"}. */
        List<String> markers() {
            List<String> out = new ArrayList<>();
            Matcher m = MARKER.matcher(console());
            while (m.find()) {
                out.add(m.group());
            }
            return out;
        }

        @Override
        public String toString() {
            String console = console();
            if (console.length() > 6000) {
                console = "[…]" + console.substring(console.length() - 6000);
            }
            return machine + (killedAtTimeout ? " was killed after " + BOOT_TIMEOUT : " ended with exit code " + exitCode)
                    + "\n-- serial console:\n" + console + "\n-- qemu:\n" + qemuOutput;
        }
    }

    static void requireInstalled() {
        Commands.require(COMMAND, "the netboot tests boot the generated TFTP tree in QEMU", PACKAGES);
    }

    /** Boots {@code m} from {@code tftpRoot}; its files go to {@code workDir}. Blocks until it ends. */
    static Boot boot(Machine m, Path tftpRoot, Path workDir, Duration timeout) throws IOException, InterruptedException {
        return run(m, List.of(), "user,id=n0,tftp=" + option(tftpRoot.toString()) + ",bootfile=" + option(m.bootfile())
                + ",dhcpstart=" + m.address(), workDir, timeout);
    }

    /**
     * Boots {@code m} from the real network its tap {@code tap} is on: no DHCP or TFTP of QEMU's
     * own, so {@code m}'s bootfile and address are whatever that network's DHCP server says. QEMU
     * runs through {@code launcher} ({@code nsenter --net=… --}: the namespace that holds the tap);
     * nsenter without a PID namespace execs QEMU, so killing the process kills QEMU.
     */
    static Boot bootOnTap(Machine m, List<String> launcher, String tap, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        return run(m, launcher, "tap,id=n0,ifname=" + option(tap) + ",script=no,downscript=no", workDir, timeout);
    }

    private static Boot run(Machine m, List<String> launcher, String netdev, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        Path serial = workDir.resolve(m.name() + ".serial.log");
        Path output = workDir.resolve(m.name() + ".qemu.log");
        // SeaBIOS's serial console: the I/O port of COM1 (0x3f8), little-endian.
        Path sercon = workDir.resolve(m.name() + ".sercon");
        Files.write(sercon, new byte[] {(byte) 0xf8, 0x03});
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(COMMAND,
                "-accel", "tcg", "-m", "512", "-nographic", "-vga", "none", "-no-reboot",
                "-serial", "file:" + serial, "-monitor", "none",
                "-fw_cfg", "name=etc/sercon-port,file=" + option(sercon.toString()),
                "-netdev", netdev,
                "-device", "e1000,netdev=n0,mac=" + m.mac(),
                "-boot", "n"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        SLOTS.acquire();
        Process p = null;
        try {
            p = pb.start();
            RUNNING.add(p);
            boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                Commands.kill(p);
            }
            return new Boot(m, Commands.read(serial), Commands.read(output), !ended, ended ? p.exitValue() : -1);
        } finally {
            if (p != null) {
                Commands.kill(p);
                RUNNING.remove(p);
            }
            SLOTS.release();
        }
    }

    /** A value in a QEMU option list, where a comma is written twice. */
    private static String option(String value) {
        return value.replace(",", ",,");
    }
}
