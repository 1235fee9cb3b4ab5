import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;
import java.lang.management.*;

/**
 * bench/lib/SshLogins.java — what one SSH login costs the control JVM, by key exchange and cipher:
 * N logins (THREADS at once) to the sshd on PORTs, twice (the second round warm), with the wall
 * time and this process's CPU per login; BYTES=n in the environment also reads n bytes of
 * /dev/zero over each connection (cipher cost). bench/README.md "SSH" has the figures.
 *
 *   java -XX:TieredStopAtLevel=1 -cp target/mosaic.jar bench/lib/SshLogins.java KEY KEX CIPHER N THREADS PORT...
 *
 * KEX and CIPHER: "default" (MINA's order) or names of BuiltinDHFactories / BuiltinCiphers
 * constants (curve25519, sntrup761x25519_openssh; cc20p1305_openssh, aes128gcm). Host keys are
 * not checked: loopback benchmark servers only.
 */
public class SshLogins {
    public static void main(String[] a) throws Exception {
        Path key = Path.of(a[0]);
        String kex = a[1], cipher = a[2];
        int n = Integer.parseInt(a[3]), threads = Integer.parseInt(a[4]);
        List<Integer> ports = new ArrayList<>();
        for (int i = 5; i < a.length; i++) ports.add(Integer.parseInt(a[i]));
        var kp = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(key.toString()), Files.newInputStream(key), FilePasswordProvider.EMPTY).iterator().next();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int round = 0; round < 2; round++) {
            long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
            List<Future<Long>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int port = ports.get(i % ports.size());
                fs.add(pool.submit(() -> {
                    long s = System.nanoTime();
                    SshClient c = SshClient.setUpDefaultClient();
                    c.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
                    if (!kex.equals("default")) {
                        List<BuiltinDHFactories> l = new ArrayList<>();
                        for (String k : kex.split(",")) l.add(BuiltinDHFactories.valueOf(k));
                        c.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(false, l, ClientBuilder.DH2KEX));
                    }
                    if (!cipher.equals("default")) {
                        List<NamedFactory<org.apache.sshd.common.cipher.Cipher>> l = new ArrayList<>();
                        for (String k : cipher.split(",")) l.add(BuiltinCiphers.valueOf(k));
                        c.setCipherFactories(l);
                    }
                    c.start();
                    try (ClientSession cs = c.connect("root", "127.0.0.1", port).verify(60000).getClientSession()) {
                        cs.addPublicKeyIdentity(kp);
                        cs.auth().verify(60000);
                        if (System.getenv("BYTES") != null) {
                            var out = new java.io.ByteArrayOutputStream();
                            var ce = cs.createExecChannel("head -c " + System.getenv("BYTES") + " /dev/zero");
                            ce.setOut(out); ce.open().verify(60000);
                            ce.waitFor(java.util.EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED), 0);
                            if (out.size() != Integer.parseInt(System.getenv("BYTES"))) throw new IllegalStateException("short " + out.size());
                        }
                    } finally { c.stop(); }
                    return System.nanoTime() - s;
                }));
            }
            long sum = 0, max = 0;
            for (var f : fs) { long v = f.get(); sum += v; max = Math.max(max, v); }
            long wall = System.nanoTime() - t0, cpu = os.getProcessCpuTime() - cpu0;
            System.out.printf("round %d kex=%s cipher=%s n=%d threads=%d: wall %.0f ms, mean login %.0f ms, max %.0f ms, client CPU %.0f ms (%.1f ms/login)%n",
                round, kex, cipher, n, threads, wall / 1e6, sum / 1e6 / n, max / 1e6, cpu / 1e6, cpu / 1e6 / n);
        }
        pool.shutdown();
    }
}
