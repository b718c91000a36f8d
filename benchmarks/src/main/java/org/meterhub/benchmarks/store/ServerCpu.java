package org.meterhub.benchmarks.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time of a PostgreSQL database's server processes, read from /proc: on a machine shared with other work,
 * CPU seconds are the load-independent measure, and a run's PostgreSQL side is spent in its connections' backends.
 */
public final class ServerCpu {
    /** Linux's USER_HZ: /proc/PID/stat counts CPU time in these. */
    public static final int CLOCK_TICKS = 100;

    private ServerCpu() {
    }

    /** The server processes of this database's connections other than the asking one. */
    public static List<Integer> backends(String url) throws SQLException {
        return new ArrayList<>(lastQueries(url).keySet());
    }

    /** Per server process of this database's connections, the start of its last statement (which connection it is). */
    public static java.util.Map<Integer, String> lastQueries(String url) throws SQLException {
        String name = url.replaceAll("^jdbc:postgresql://[^/]+/([^/?]+).*$", "$1");
        java.util.Map<Integer, String> out = new java.util.TreeMap<>();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select pid, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) from pg_stat_activity"
                     + " where datname = '" + name + "' and pid <> pg_backend_pid()")) {
            while (rs.next()) out.put(rs.getInt(1), rs.getString(2));
        }
        return out;
    }

    /** User + system CPU ticks of the processes so far (fields 14 and 15 of /proc/PID/stat); 0 where unreadable. */
    public static long ticks(List<Integer> pids) {
        long sum = 0;
        for (int pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // gone, or not on this machine: not counted
            }
        }
        return sum;
    }
}
