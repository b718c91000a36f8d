package org.meterhub.app.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneId;
import org.meterhub.app.engine.EngineCommand;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.console.ConsoleSettings;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The engine's web console beside a running demo: the same HTTP server as {@code engine --http} on the demo's
 * store, with a login made for this run. The user is new each run (users are never changed in place, so a
 * second run cannot give the first one's user a new password) and disabled when the demo stops, so its
 * password, printed once, opens nothing afterwards; its sessions end with it.
 */
final class DemoConsole implements AutoCloseable {
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/l/I
    private final SqlDatabase db;
    private final ApiServer server;
    private final JdbcUsers users;
    private final String user;
    private char[] password; // until announced, then wiped

    private DemoConsole(SqlDatabase db, ApiServer server, JdbcUsers users, String user, char[] password) {
        this.db = db;
        this.server = server;
        this.users = users;
        this.user = user;
        this.password = password;
    }

    /**
     * Starts serving; {@link #announce} prints where and how to log in. Started before the demo's simulated
     * clock runs, so its start-up (an Argon2id hash, the HTTP server) costs the demo no simulated time.
     *
     * @param alarms    the alarm lifecycle the console's buttons step, on the console's own connection
     * @param pageClock the demo's simulated clock once it runs (see {@link LateClock}): the pages judge "stale" and
     *                  "overdue" in the demo's time
     */
    static DemoConsole start(String storeUrl, TimeSeriesStore store, ZoneId zone,
                             java.util.function.Function<SqlDatabase, AlarmService> alarms,
                             ConsoleSettings settings, Clock pageClock, InetSocketAddress listen) throws IOException {
        SqlDatabase db = SqlDatabase.open(storeUrl);
        try {
            JdbcUsers users = new JdbcUsers(db, PasswordHasher.defaults(), Clock.systemUTC());
            SecureRandom random = new SecureRandom();
            String user = "demo-" + random(random, "abcdefghijkmnpqrstuvwxyz23456789", 6);
            char[] password = random(random, ALPHABET, 16).toCharArray();
            users.add(user, Role.OPERATOR, password, "meterhub demo");
            ApiServer server = EngineCommand.httpServer(listen, 2, store, zone, db, alarms.apply(db), settings, pageClock, false,
                    // the demo's one operator, made for this run, opens pages without stating why; engine --http asks
                    // as its --settings say (docs/security.md)
                    org.meterhub.engine.security.PurposePolicy.none()).start();
            return new DemoConsole(db, server, users, user, password);
        } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Prints the address and the login once, to the terminal only: the password is in no log and no file (the store keeps its hash). */
    void announce(PrintStream out) {
        if (password == null) throw new IllegalStateException("announced already");
        out.printf("console: http://%s:%d/console/  (log in as %s, password %s: shown only here, valid while the"
                + " demo runs)%n", host(server.address()), server.address().getPort(), user, new String(password));
        java.util.Arrays.fill(password, ' ');
        password = null;
    }

    /**
     * The demo's simulated clock for the pages, set once the simulation starts; the system clock before, when
     * nothing has been announced and so nothing is asked.
     */
    static final class LateClock extends Clock {
        private volatile Clock target = Clock.systemUTC();

        void set(Clock clock) {
            target = clock;
        }

        @Override
        public ZoneId getZone() {
            return target.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return target.withZone(zone);
        }

        @Override
        public java.time.Instant instant() {
            return target.instant();
        }
    }

    private static String host(InetSocketAddress a) {
        String h = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return h.contains(":") ? "[" + h + "]" : h;
    }

    private static String random(SecureRandom random, String alphabet, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        return b.toString();
    }

    /** Stops serving and disables the run's user (a new row; the user and its audit stay). */
    @Override
    public void close() {
        if (password != null) java.util.Arrays.fill(password, ' ');
        try {
            server.close();
            users.disable(user, "meterhub demo", "demo ended");
        } finally {
            db.close();
        }
    }
}
