package dev.mosaic.resource.line;

import dev.mosaic.resource.ResourceContractTest.Fixture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** The {@code line} kind's fixtures for {@code ResourceContractTest}, which finds this class by its name. */
public final class ContractFixtures implements Supplier<List<Fixture>> {

    @Override
    public List<Fixture> get() {
        return List.of(
                new Fixture("line", "a line replacing the one a regex finds, in a file without a final newline", """
                        type: line
                        path: /etc/default/slurmd
                        line: SLURMD_OPTIONS="--conf-server head"
                        match: ^SLURMD_OPTIONS=
                        """, (root, control) -> write(root.resolve("etc/default/slurmd"),
                                "# Slurm node daemon\nSLURMD_OPTIONS=\"\"\nMORE=1")),
                new Fixture("line", "a line appended to a file that lacks it", """
                        type: line
                        path: /etc/modules
                        line: e1000
                        """, (root, control) -> write(root.resolve("etc/modules"), "loop\n")),
                new Fixture("line", "a line in a file that does not exist yet", """
                        type: line
                        path: /etc/modules-load.d/lab.conf
                        line: 8021q
                        """, (root, control) -> { }),
                new Fixture("line", "ensure absent on every line a regex finds", """
                        type: line
                        path: /etc/fstab
                        match: '\\sswap\\s'
                        ensure: absent
                        """, (root, control) -> write(root.resolve("etc/fstab"),
                                "/dev/sda1 / ext4 defaults 0 1\n/dev/sda2 none swap sw 0 0\n/dev/sdb1 none swap sw 0 0\n")));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
