package dev.mosaic.netboot;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tree the netboot playbook builds, served by a real TFTP server (atftpd on 127.0.0.1 at a
 * free unprivileged port) and fetched by a real TFTP client (tftp-hpa), comes back byte for byte:
 * what a PXE client asks for is what Mosaic wrote.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TftpServeTest {

    @TempDir
    static Path dir;

    static NetbootSandbox sandbox;
    static TftpServer server;

    @BeforeAll
    static void apply_the_playbook_and_serve_the_tree() throws Exception {
        TftpServer.requireClient();
        sandbox = NetbootSandbox.create(dir);
        MosaicCli.Result apply = sandbox.mosaic("apply");
        if (apply.exitCode() != 0) {
            fail("the apply failed, nothing to serve:\n" + apply);
        }
        server = TftpServer.start(sandbox.tftp(), Files.createDirectories(dir.resolve("server")));
    }

    @AfterAll
    static void stop_the_server() throws InterruptedException {
        if (server != null) {
            server.close();
            assertThat(server.process().isAlive()).as("atftpd after close()").isFalse();
        }
    }

    @ParameterizedTest(name = "{0} is served byte for byte as Mosaic wrote it")
    @ValueSource(strings = {"pxelinux.0", "ldlinux.c32", "vmlinuz", "initrd.img", "pxelinux.cfg/default",
            "pxelinux.cfg/01-52-54-00-00-00-01", "pxelinux.cfg/0A00020F", "boot.ipxe", "ipxe/52-54-00-00-00-02.ipxe"})
    void the_file_is_served_byte_for_byte(String name) throws Exception {
        Path fetched = dir.resolve("fetched").resolve(name.replace('/', '_'));

        Commands.Result r = server.fetch(name, fetched);

        assertThat(fetched).as("%s\n-- server log:\n%s", r, server.log())
                .exists().hasSameBinaryContentAs(sandbox.tftp().resolve(name));
    }

    @Test
    void a_name_that_is_not_in_the_tree_is_not_served() throws Exception {
        Path fetched = dir.resolve("fetched/not-there");

        Commands.Result r = server.fetch("pxelinux.cfg/01-52-54-00-00-00-99", fetched);

        assertThat(r.output()).as("%s", r).contains("File not found");
        assertThat(Files.exists(fetched) ? Files.size(fetched) : 0).as("%s", r).isZero();
    }
}
