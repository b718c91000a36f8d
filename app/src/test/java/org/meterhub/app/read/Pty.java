package org.meterhub.app.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A socat pseudo-terminal pair (a null-modem cable in the kernel); a missing socat fails the test. */
public final class Pty implements AutoCloseable {
    private final Process process;
    public final String gatewayEnd;
    public final String deviceEnd;

    public Pty(Path dir, String name) throws IOException, InterruptedException {
        Path gw = dir.resolve(name + "-gw");
        Path dev = dir.resolve(name + "-dev");
        Path logFile = dir.resolve(name + "-socat.log");
        process = new ProcessBuilder("socat", "pty,raw,echo=0,link=" + gw, "pty,raw,echo=0,link=" + dev)
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!(Files.exists(gw) && Files.exists(dev))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("socat did not create the pty pair: " + Files.readString(logFile));
            }
            Thread.sleep(10);
        }
        gatewayEnd = gw.toString();
        deviceEnd = dev.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
