package dev.mosaic.labcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A compute node's packages unpacked into a directory, by hand: apt resolves the closure of
 * slurmd, munge and busybox against an empty dpkg status, each .deb is downloaded and extracted
 * without its maintainer scripts, documentation left out.
 */
final class NodeRoot {

    static final List<String> PACKAGES = List.of("slurmd", "munge", "busybox");

    private NodeRoot() {
    }

    static void unpackInto(Path root, Path debs) throws IOException, InterruptedException {
        Files.createDirectories(debs);
        Path empty = Files.writeString(debs.resolve("empty-status"), "");
        List<String> argv = new java.util.ArrayList<>(List.of("apt-get", "install", "-s", "-o",
                "Dir::State::status=" + empty, "-o", "APT::Install-Recommends=false"));
        argv.addAll(PACKAGES);
        List<String> closure = LabClusterTest.run(debs, argv.toArray(String[]::new)).lines()
                .filter(l -> l.startsWith("Inst ")).map(l -> l.split(" ")[1]).toList();
        List<String> download = new java.util.ArrayList<>(List.of("apt-get", "download"));
        download.addAll(closure);
        LabClusterTest.run(debs, download.toArray(String[]::new));
        Files.createDirectories(root);
        try (Stream<Path> s = Files.list(debs)) {
            for (Path deb : s.filter(p -> p.toString().endsWith(".deb")).sorted().toList()) {
                LabClusterTest.run(debs, "dpkg-deb", "-x", deb.toString(), root.toString());
            }
        }
        for (String unwanted : List.of("usr/share/doc", "usr/share/man", "usr/share/locale", "usr/share/info")) {
            LabClusterTest.run(root, "rm", "-rf", root.resolve(unwanted).toString());
        }
    }

    /** The release of the kernel linux-image-amd64 stands for now ("6.1.0-56-amd64"). */
    static String kernelRelease() throws IOException, InterruptedException {
        String out = LabClusterTest.run(Path.of("."), "apt-cache", "depends", "linux-image-amd64");
        Matcher m = Pattern.compile("Depends: linux-image-(\\d\\S*-amd64)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("cannot tell which kernel linux-image-amd64 stands for:\n" + out);
        }
        return m.group(1);
    }
}
