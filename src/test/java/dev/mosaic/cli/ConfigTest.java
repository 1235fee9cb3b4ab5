package dev.mosaic.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The configuration files merged: the system's, then the user's, key by key; absent files count as empty. */
class ConfigTest {

    @TempDir
    Path tmp;

    @Test
    void aKeyOfTheLaterFileWins_theOthersStay() throws IOException {
        Path system = Files.writeString(tmp.resolve("system.yml"), "forks: 8\ncache_dir: /var/cache/mosaic-lab\nmodules: [/srv/modules]\n");
        Path user = Files.writeString(tmp.resolve("user.yml"), "forks: 2\ncolor: false\n");

        Config c = Config.load(List.of(system, user, tmp.resolve("absent.yml")));

        assertThat(c.forks()).contains(2);
        assertThat(c.color()).contains(false);
        assertThat(c.cacheDir()).contains(Path.of("/var/cache/mosaic-lab"));
        assertThat(c.modules()).containsExactly(Path.of("/srv/modules"));
        assertThat(c.inventory()).isEqualTo(Optional.empty());
    }

    @Test
    void theUsersFile_followsXdgConfigHome_elseHome() {
        assertThat(Config.user("/x/config", "/home/ada")).isEqualTo(Path.of("/x/config/mosaic/config.yml"));
        assertThat(Config.user(null, "/home/ada")).isEqualTo(Path.of("/home/ada/.config/mosaic/config.yml"));
        assertThat(Config.user("", "/home/ada")).isEqualTo(Path.of("/home/ada/.config/mosaic/config.yml"));
    }

    @Test
    void noFile_noSettings() {
        assertThat(Config.load(List.of(tmp.resolve("none.yml")))).isEqualTo(Config.NONE);
    }
}
