package org.meterhub.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A meterhub command in its own JVM (the test's class path), with its output in a file. */
public final class ChildProcess implements AutoCloseable {
    /**
     * How long a child may take to start or stop before the test calls it hung: minutes, since a JVM starting on a
     * machine with a load average of 30 on 2 cores takes far longer than on an idle one. Only bounds a hang.
     */
    public static final Duration PATIENCE = Duration.ofMinutes(5);

    private final Process process;
    private final Path log;

    private ChildProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildProcess start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "org.meterhub.app.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // a test run that is killed takes its children along instead of leaving them running
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "child-" + p.pid() + "-exit"));
        return new ChildProcess(p, log);
    }

    /** Waits for a line of the child's output containing {@code text}; fails with the output if it dies or times out. */
    public ChildProcess awaitOutput(String text, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) return this;
            if (!process.isAlive()) throw new AssertionError("child exited " + process.exitValue() + ":\n" + output());
            Thread.sleep(50);
        }
        throw new AssertionError("child did not print \"" + text + "\" within " + max + ":\n" + output());
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** SIGTERM, as a service manager stops it: the command's shutdown hook runs. Returns the exit code. */
    public int stop(Duration max) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child did not stop within " + max);
        }
        return process.exitValue();
    }

    /** kill -9: no shutdown hook, no flush, no goodbye. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        try {
            kill9();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
