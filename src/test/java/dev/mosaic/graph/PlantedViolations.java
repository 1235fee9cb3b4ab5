package dev.mosaic.graph;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Violations planted for ArchitectureTest to catch, in a package that may do none of them. Test
 * sources are not part of the rules' own check.
 */
public final class PlantedViolations {

    private PlantedViolations() {
    }

    public static final class UsesTheCli {
        dev.mosaic.cli.Main main;
    }

    public static final class Prints {
        void say() {
            System.out.println("planted");
        }
    }

    public static final class PrintsAStackTrace {
        void fail(RuntimeException e) {
            e.printStackTrace();
        }
    }

    public static final class ReadsAFile {
        String read(Path p) throws IOException {
            return Files.readString(p);
        }
    }

    public static final class StartsAProcess {
        Process start() throws IOException {
            return new ProcessBuilder("true").start();
        }
    }

    public static final class OpensASocket {
        Socket open() throws IOException {
            return new Socket("127.0.0.1", 9);
        }
    }
}
