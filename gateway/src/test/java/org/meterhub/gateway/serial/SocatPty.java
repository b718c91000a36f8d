package org.meterhub.gateway.serial;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real pseudo-terminal pair made by socat: whatever is written to one end comes out of the other,
 * through the kernel's tty layer, as between two serial ports joined by a null-modem cable.
 * A missing socat fails the test (the CI installs it).
 */
public final class SocatPty implements AutoCloseable {
    private final Process process;
    private final Path gatewayEnd;
    private final Path deviceEnd;
    private final Path dir;

    public SocatPty() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("meterhub-pty");
        gatewayEnd = dir.resolve("gw");
        deviceEnd = dir.resolve("dev");
        process = new ProcessBuilder("socat", "-d", "-d",
                "pty,raw,echo=0,link=" + gatewayEnd, "pty,raw,echo=0,link=" + deviceEnd)
                .redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!(Files.exists(gatewayEnd) && Files.exists(deviceEnd))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("socat did not create the pty pair: " + Files.readString(dir.resolve("socat.log")));
            }
            Thread.sleep(10);
        }
    }

    /** The end the gateway (master) opens. */
    public String gatewayEnd() {
        return gatewayEnd.toString();
    }

    /** The end the simulated devices open. */
    public String deviceEnd() {
        return deviceEnd.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
