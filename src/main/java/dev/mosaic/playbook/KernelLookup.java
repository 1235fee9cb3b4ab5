package dev.mosaic.playbook;

/**
 * What {@code ${kernel:METAPACKAGE}} stands for: the release of the kernel a Debian metapackage
 * such as {@code linux-image-amd64} depends on today ({@code 6.1.0-57-amd64}), as the control
 * machine's apt lists say. The loader starts no processes, so whoever opens a run hands it one
 * (the session asks apt-cache); a loader given none refuses the lookup at its reference.
 */
@FunctionalInterface
public interface KernelLookup {

    /**
     * The release the metapackage's candidate version depends on.
     *
     * @throws Failed with one paragraph saying why not and what to do
     */
    String release(String metapackage) throws Failed;

    /** Why a metapackage gives no kernel, in words for the playbook's author. */
    final class Failed extends Exception {
        public Failed(String message) {
            super(message);
        }
    }

    /** A loader that may not look anything up (tests, and loads that never reach apt). */
    KernelLookup NONE = metapackage -> {
        throw new Failed("kernels are not looked up here; give the release as a variable instead");
    };
}
