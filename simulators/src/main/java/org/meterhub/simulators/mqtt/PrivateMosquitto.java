package org.meterhub.simulators.mqtt;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto of one's own: its own process on a free loopback port with its own configuration, by
 * default the settings docs/mqtt.md asks of a production broker ({@link Settings#production()}). A
 * test or benchmark that uses one depends neither on a shared broker's defaults (Mosquitto's
 * {@code max_queued_messages 1000} silently drops QoS 1 messages for a session that is behind) nor on
 * what other users of that broker do, and can stop, restart (same port, same persistent sessions)
 * or kill -9 it.
 *
 * <p>Readiness is the port accepting connections, never a sleep. A missing {@code mosquitto} binary
 * is an {@link IllegalStateException}: the caller fails, it does not skip.
 */
public final class PrivateMosquitto implements AutoCloseable {
    /** How long a start may take on a loaded machine before it counts as failed. */
    // Bounds on a hang, not expectations: a broker on a machine at many times its cores' load can take
    // tens of seconds to start or to save its sessions, and a forced kill would lose what it saves.
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);

    /**
     * The broker's configuration.
     *
     * @param persistence         sessions, subscriptions and queued QoS 1 messages are saved at shutdown and
     *                            survive a restart ({@code persistence true} in its own directory)
     * @param maxQueuedMessages   per client; 0 is unlimited
     * @param maxQueuedBytes      per client; 0 is unlimited
     * @param maxInflightMessages QoS 1/2 messages in flight to one client
     * @param tcpNoDelay          {@code set_tcp_nodelay}; false keeps Nagle on, as the docs ask
     * @param extraLines          further configuration lines, verbatim
     */
    public record Settings(boolean persistence, long maxQueuedMessages, long maxQueuedBytes, int maxInflightMessages,
                           boolean tcpNoDelay, List<String> extraLines) {
        public Settings {
            extraLines = List.copyOf(extraLines);
        }

        /** What docs/mqtt.md ("Broker settings the gateway needs") asks of a production broker. */
        public static Settings production() {
            return new Settings(true, 1_000_000, 0, 1000, false, List.of());
        }

        /** Mosquitto 2.0's own defaults, for a test that shows what they lose. */
        public static Settings mosquittoDefaults() {
            return new Settings(false, 1000, 0, 20, false, List.of());
        }

        public Settings withPersistence(boolean on) {
            return new Settings(on, maxQueuedMessages, maxQueuedBytes, maxInflightMessages, tcpNoDelay, extraLines);
        }

        public Settings withTcpNoDelay(boolean on) {
            return new Settings(persistence, maxQueuedMessages, maxQueuedBytes, maxInflightMessages, on, extraLines);
        }

        /**
         * Further lines after these settings, e.g. the listener's TLS ({@code cafile}, {@code certfile},
         * {@code keyfile}, {@code require_certificate true}: Mosquitto applies them to the listener above them) or an
         * {@code acl_file}.
         */
        public Settings withExtraLines(List<String> lines) {
            List<String> all = new java.util.ArrayList<>(extraLines);
            all.addAll(lines);
            return new Settings(persistence, maxQueuedMessages, maxQueuedBytes, maxInflightMessages, tcpNoDelay, all);
        }

        /**
         * The listener speaks TLS with the broker's {@code certfile} and {@code keyfile}, trusting client certificates
         * signed by {@code cafile}; with {@code requireCertificate} a client without one is refused, and the
         * certificate's common name is the client's user name ({@code use_identity_as_username}), which an ACL can name.
         */
        public Settings withTls(Path caFile, Path certFile, Path keyFile, boolean requireCertificate) {
            List<String> tls = new java.util.ArrayList<>(List.of("cafile " + caFile.toAbsolutePath(),
                    "certfile " + certFile.toAbsolutePath(), "keyfile " + keyFile.toAbsolutePath(),
                    "require_certificate " + requireCertificate));
            if (requireCertificate) tls.add("use_identity_as_username true");
            return withExtraLines(tls);
        }

        boolean tls() {
            return extraLines.stream().anyMatch(l -> l.startsWith("certfile "));
        }

        String configuration(int port, Path dir) {
            StringBuilder c = new StringBuilder();
            c.append("listener ").append(port).append(" 127.0.0.1\n");
            c.append("allow_anonymous true\n");
            // Started as root, mosquitto would switch to the user "mosquitto", who cannot write our directory.
            c.append("user ").append(System.getProperty("user.name")).append('\n');
            c.append("persistence ").append(persistence).append('\n');
            if (persistence) c.append("persistence_location ").append(dir.toAbsolutePath()).append("/\n");
            c.append("max_queued_messages ").append(maxQueuedMessages).append('\n');
            c.append("max_queued_bytes ").append(maxQueuedBytes).append('\n');
            c.append("max_inflight_messages ").append(maxInflightMessages).append('\n');
            c.append("set_tcp_nodelay ").append(tcpNoDelay).append('\n');
            for (String line : extraLines) c.append(line).append('\n');
            return c.toString();
        }
    }

    private final Path dir;
    private final Settings settings;
    private int port;
    private Process process;
    private int starts;
    /** Stops the broker should the JVM exit without {@link #close()} (a killed test run, Ctrl-C in a benchmark). */
    private Thread exitHook;

    private PrivateMosquitto(Path dir, Settings settings) {
        this.dir = dir;
        this.settings = settings;
    }

    /** A broker with the production settings, its configuration, log and persistence in {@code dir}. */
    public static PrivateMosquitto start(Path dir) throws IOException, InterruptedException {
        return start(dir, Settings.production());
    }

    public static PrivateMosquitto start(Path dir, Settings settings) throws IOException, InterruptedException {
        // A free port can be taken by someone else between our probe and mosquitto's bind: try another.
        for (int attempt = 1; ; attempt++) {
            PrivateMosquitto m = open(dir, settings);
            try {
                m.launch(false);
                return m;
            } catch (IllegalStateException e) {
                if (attempt == 3 || !Files.exists(m.log()) || !Files.readString(m.log()).contains("in use")) throw e;
            }
        }
    }

    /** A broker that is not running yet, with its port chosen: for a client that must find no broker at first. */
    public static PrivateMosquitto open(Path dir, Settings settings) throws IOException {
        Files.createDirectories(dir);
        PrivateMosquitto m = new PrivateMosquitto(dir, settings);
        m.port = freePort();
        return m;
    }

    public int port() {
        return port;
    }

    /** {@code tcp://127.0.0.1:port}, as Paho and the gateway's options take it; {@code ssl://…} with TLS settings. */
    public String uri() {
        return (settings.tls() ? "ssl" : "tcp") + "://127.0.0.1:" + port;
    }

    public Settings settings() {
        return settings;
    }

    /** The broker's output, across restarts. */
    public Path log() {
        return dir.resolve("mosquitto.log");
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** A clean stop (SIGTERM): with persistence on, sessions and queued messages are saved first. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
        stopped();
    }

    /** kill -9: what was not saved yet is gone, as in a broker crash. */
    public synchronized void kill9() throws InterruptedException {
        if (process == null) return;
        process.destroyForcibly().waitFor();
        stopped();
    }

    private void stopped() {
        process = null;
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException exiting) {
            // the JVM is exiting and the hook runs anyway
        }
        exitHook = null;
    }

    /**
     * Starts a broker from {@link #open} or starts a stopped one again, on the same port (with its saved
     * sessions, with persistence on); returns once the port accepts connections.
     */
    public synchronized void start() throws IOException, InterruptedException {
        if (running()) throw new IllegalStateException("mosquitto on port " + port + " is already running");
        launch(starts > 0);
    }

    /** @param restart the port was ours a moment ago: wait for it rather than give up when it is still held */
    private synchronized void launch(boolean restart) throws IOException, InterruptedException {
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, settings.configuration(port, dir));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            starts++;
            Files.writeString(log(), "--- start " + starts + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            long logFrom = Files.size(log());
            ProcessBuilder pb = new ProcessBuilder(binary(), "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
            process = pb.start();
            // Ready: this process says it runs (so the listener is its own, not someone else's on a
            // port taken meanwhile) and the port accepts connections.
            while (process.isAlive() && !(logSince(logFrom).contains(" running") && accepts(port))) {
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly().waitFor();
                    process = null;
                    throw new IllegalStateException("mosquitto did not accept connections on 127.0.0.1:" + port
                            + " within " + START_TIMEOUT + ":\n" + Files.readString(log()));
                }
                Thread.sleep(20);
            }
            if (process.isAlive()) {
                Process p = process;
                exitHook = new Thread(p::destroy, "mosquitto-" + port + "-exit");
                Runtime.getRuntime().addShutdownHook(exitHook);
                return;
            }
            String out = Files.readString(log());
            process = null;
            // A restart right after a stop may find the port still held by the old listener for a moment.
            if (restart && out.contains("in use") && System.nanoTime() < deadline) {
                Thread.sleep(200);
                continue;
            }
            throw new IllegalStateException("mosquitto exited at start (port " + port + "):\n" + out);
        }
    }

    private String logSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(log());
        return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    }

    private static String binary() {
        for (String candidate : List.of("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto",
                "/usr/local/bin/mosquitto", "/opt/homebrew/sbin/mosquitto")) {
            if (Files.isExecutable(Path.of(candidate))) return candidate;
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "mosquitto"))) return Path.of(p, "mosquitto").toString();
        }
        throw new IllegalStateException("the mosquitto binary is required and was not found (Debian package"
                + " mosquitto; ./run-tests installs it)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the broker (SIGTERM). Its directory stays, with the log. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) process.destroyForcibly();
        }
    }
}
