package org.meterhub.app.forward;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, its own port), so a
 * test may stop it (immediate: as a crash or failover looks to a client) and start it again
 * without touching the shared server other tests use. As root the server runs as the
 * {@code postgres} user ({@code runuser}), since PostgreSQL refuses to run as root.
 *
 * <p>Without PostgreSQL binaries the test is skipped, except under {@code CI=true}, where it fails.
 */
public final class OwnPostgres implements AutoCloseable {
    private final Path bin;
    private final Path data;
    private final int port;
    private final boolean asPostgres;

    private OwnPostgres(Path bin, Path data, int port, boolean asPostgres) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /**
     * initdb (trust, user {@code meterhub}) and start. {@code fsync=off} survives an immediate stop (a killed
     * process, not a lost OS cache); {@code synchronous_commit=off} would not: it loses commits already
     * reported to the client.
     */
    public static OwnPostgres start() throws IOException, InterruptedException {
        Path bin = findBin();
        if (bin == null) {
            String why = "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin";
            if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why + " (CI=true: required)");
            Assumptions.abort(why);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path data = Files.createTempDirectory("meterhub-own-pg-");
        if (root) {
            UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(data, users.lookupPrincipalByName("postgres"));
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        OwnPostgres pg = new OwnPostgres(bin, data, SimulatedField.freePort(), root);
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "meterhub",
                "--no-sync", "-E", "UTF8"), 120);
        pg.startServer();
        return pg;
    }

    private static Path findBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())))
                    .orElse(null);
        }
    }

    private static Integer versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** JDBC URL of the server's {@code postgres} database as user {@code meterhub}. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=meterhub";
    }

    public int port() {
        return port;
    }

    /** Starts the server and waits until it accepts connections ({@code pg_ctl -w}). */
    public void startServer() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "-l",
                data.resolve("server.log").toString(), "-o", "-p " + port + " -k " + data
                        + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        // TimescaleDB, when installed, must be preloaded (as on a real server): creating the
                        // extension without it ends the session, and the store cannot open.
                        + (Files.exists(bin.getParent().resolve("lib/timescaledb.so"))
                        ? " -c shared_preload_libraries=timescaledb -c timescaledb.telemetry_level=off" : ""), "start"), 90);
    }

    /** Stops the server at once ({@code -m immediate}: no checkpoint, clients see their connections drop). */
    public void stopImmediate() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 60);
    }

    private void run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no end within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + new String(out));
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stopImmediate();
        } catch (IOException e) {
            // already stopped
        }
        try (Stream<Path> all = Files.walk(data)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
