package dev.mosaic.session;

import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.KernelLookup;
import dev.mosaic.testing.FakeArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ${kernel:…}} answered by the real apt-cache, over package lists written by the test. */
class AptKernelsTest {

    @TempDir
    Path tmp;

    private FakeArchive archive;

    @BeforeEach
    void archive() throws Exception {
        archive = FakeArchive.in(tmp.resolve("apt"));
    }

    private AptKernels apt() {
        return new AptKernels(new LocalHost(Path.of("/")), "apt-cache", archive.options());
    }

    @Test
    void release_isTheKernelTheCandidateVersionDependsOn_notAnOlderOne() throws Exception {
        archive.packages(
                FakeArchive.metapackage("linux-image-amd64", "6.1.158-1", "linux-image-6.1.0-90-amd64 (= 6.1.158-1)"),
                FakeArchive.metapackage("linux-image-amd64", "6.1.162-1", "linux-image-6.1.0-91-amd64 (= 6.1.162-1)"));

        assertThat(apt().release("linux-image-amd64")).isEqualTo("6.1.0-91-amd64");
    }

    @Test
    void release_ofAnotherFlavour_andAmongOtherDependencies_isTheKernelImage() throws Exception {
        archive.packages(FakeArchive.metapackage("linux-image-cloud-amd64", "6.1.162-1",
                "initramfs-tools | linux-initramfs-tool, linux-image-6.1.0-91-cloud-amd64 (= 6.1.162-1) | linux-image-6.1.0-90-cloud-amd64"));

        assertThat(apt().release("linux-image-cloud-amd64")).isEqualTo("6.1.0-91-cloud-amd64");
    }

    @Test
    void release_isAskedOncePerMetapackage_evenWhenTheListsMoveDuringTheRun() throws Exception {
        archive.packages(FakeArchive.metapackage("linux-image-amd64", "6.1.158-1", "linux-image-6.1.0-90-amd64"));
        AptKernels apt = apt();
        assertThat(apt.release("linux-image-amd64")).isEqualTo("6.1.0-90-amd64");

        archive.packages(FakeArchive.metapackage("linux-image-amd64", "6.1.162-1", "linux-image-6.1.0-91-amd64"));

        // One run, one kernel: every host of an inventory loads the playbook with the same one.
        assertThat(apt.release("linux-image-amd64")).isEqualTo("6.1.0-90-amd64");
        assertThat(apt().release("linux-image-amd64")).isEqualTo("6.1.0-91-amd64");
    }

    @Test
    void release_ofAPackageAptDoesNotKnow_saysToRunAptGetUpdate() throws Exception {
        archive.packages(FakeArchive.metapackage("linux-image-amd64", "6.1.162-1", "linux-image-6.1.0-91-amd64"));

        assertThatThrownBy(() -> apt().release("linux-image-arm64")).isInstanceOf(KernelLookup.Failed.class)
                .hasMessageStartingWith("apt knows no package linux-image-arm64 (E: No packages found)")
                .hasMessageContaining("run apt-get update, or check the name");
    }

    @Test
    void release_ofAPackageWithoutAKernelDependency_namesItsDependsField() throws Exception {
        archive.packages(FakeArchive.metapackage("linux-headers-amd64", "6.1.162-1", "linux-headers-6.1.0-91-amd64 (= 6.1.162-1)"),
                FakeArchive.metapackage("busybox", "1:1.35.0-4", null));

        assertThatThrownBy(() -> apt().release("linux-headers-amd64")).isInstanceOf(KernelLookup.Failed.class)
                .hasMessage("linux-headers-amd64 6.1.162-1 depends on no kernel image (linux-image-RELEASE):"
                        + " Depends: linux-headers-6.1.0-91-amd64 (= 6.1.162-1); name a kernel metapackage such as linux-image-amd64");
        assertThatThrownBy(() -> apt().release("busybox")).isInstanceOf(KernelLookup.Failed.class)
                .hasMessageContaining("busybox 1:1.35.0-4 depends on no kernel image (linux-image-RELEASE): it has no Depends field");
    }

    @Test
    void release_withoutAptCache_saysWhatIsMissingAndHowToGoWithoutIt() {
        AptKernels none = new AptKernels(new LocalHost(Path.of("/")), tmp.resolve("no-such/apt-cache").toString(), List.of());

        assertThatThrownBy(() -> none.release("linux-image-amd64")).isInstanceOf(KernelLookup.Failed.class)
                .hasMessageStartingWith("the kernel is read from apt's package lists on this machine, and "
                        + tmp.resolve("no-such/apt-cache") + " cannot run here (")
                .hasMessageContaining("No such file or directory")
                .hasMessageEndingWith("install apt, or give the release as the variable's value (e.g. --var kernel_version=6.1.0-57-amd64)");
    }
}
