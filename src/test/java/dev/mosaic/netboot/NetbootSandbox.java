package dev.mosaic.netboot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A target root holding what the netboot playbook ({@code netboot/netboot.yml}) reads: a Debian
 * kernel with its modules, PXELINUX with its BIOS modules and a static busybox, unpacked from the
 * real packages, and a copy of the playbook. Made once per test class, in its {@code @TempDir}:
 *
 * <pre>{@code
 * @TempDir static Path dir;
 * static NetbootSandbox sandbox;
 *
 * @BeforeAll static void prepare() throws Exception {
 *     sandbox = NetbootSandbox.create(dir);
 *     MosaicCli.Result r = sandbox.mosaic("apply");
 * }
 * }</pre>
 */
final class NetbootSandbox {

    static final String PLAYBOOK = "netboot/netboot.yml";

    private final Path root;
    private final Path playbook;
    private final String kernelRelease;

    private NetbootSandbox(Path root, Path playbook, String kernelRelease) {
        this.root = root;
        this.playbook = playbook;
        this.kernelRelease = kernelRelease;
    }

    /** Downloads (or takes from the cache) and unpacks the packages below {@code dir/root}. */
    static NetbootSandbox create(Path dir) throws IOException, InterruptedException {
        Path kernel = Debs.kernel();
        List<Path> debs = new ArrayList<>(List.of(kernel));
        for (String p : Debs.BOOT_PACKAGES) {
            debs.add(Debs.fetch(p));
        }
        Path root = Files.createDirectories(dir.resolve("root"));
        for (Path deb : debs) {
            Debs.unpack(deb, root);
        }
        Path playbook = copyResource(PLAYBOOK, Files.createDirectories(dir.resolve("playbook")));
        return new NetbootSandbox(root, playbook, Debs.kernelRelease(kernel));
    }

    /** The target root ({@code --root}). */
    Path root() {
        return root;
    }

    /** The TFTP root the playbook builds: {@code /srv/tftp} below the target root. */
    Path tftp() {
        return root.resolve("srv/tftp");
    }

    String kernelRelease() {
        return kernelRelease;
    }

    /** Runs {@code mosaic COMMAND --root ROOT --var kver=RELEASE [extra...] PLAYBOOK}. */
    MosaicCli.Result mosaic(String command, String... extra) {
        List<String> more = new ArrayList<>(List.of("--var", "kver=" + kernelRelease));
        more.addAll(List.of(extra));
        return MosaicCli.run(MosaicCli.args(command, root, playbook, more.toArray(String[]::new)));
    }

    /** Copies the test resource {@code name} into {@code dir}, keeping its file name. */
    static Path copyResource(String name, Path dir) {
        Path to = dir.resolve(Path.of(name).getFileName().toString());
        try (InputStream in = NetbootSandbox.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            Files.copy(in, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }
}
