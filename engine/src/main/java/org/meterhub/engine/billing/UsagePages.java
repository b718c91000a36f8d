package org.meterhub.engine.billing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.store.Dialect;

/**
 * Set-based reads of a bill run: the accounts to read in pages by key, and for one page the
 * registered meters, their daily rollups and the first/last actual readings of the period, each
 * with one query for the whole page instead of one per account (issue 14's 1 M accounts in a
 * minute). Read-only over the store's tables ({@code accounts}, {@code meters},
 * {@code consumption_daily}, {@code readings}) and the exchange and correction records; the
 * rare accounts these do not cover (a meter exchanged or corrected inside the period, a
 * true-up) go through {@link StoreUsage} one by one.
 */
final class UsagePages {
    private static final String ACCOUNT_COLUMNS = "select account_id, meter_id, state, customer_class, district_id,"
            + " ignited_on, updated_at from accounts";

    /** The first and last actual reading of a meter in the period, and how many there were. */
    record ReadingSpan(Instant firstTime, long firstL, Instant lastTime, long lastL, int count) {
    }

    /**
     * The meters a page query reads: a list of ids, or the meters of the accounts with ids in [first, last]
     * (a bill run's page: two parameters and a key range instead of 1 000 bound ids and their in-list,
     * about 2 ms of SQLite's CPU less for the rollups query of a page). The range may hold meters of accounts that are not
     * read (another state); their rows are keyed by meter and never looked up.
     */
    record Meters(Collection<String> ids, String first, String last) {
        static Meters of(Collection<String> ids) {
            return new Meters(ids, null, null);
        }

        static Meters ofAccounts(String first, String last) {
            return new Meters(null, Objects.requireNonNull(first, "first"), Objects.requireNonNull(last, "last"));
        }

        boolean isEmpty() {
            return ids != null && ids.isEmpty();
        }

        /** What goes inside {@code meter_id in (...)}. */
        String sql() {
            return ids != null ? marks(ids) : "select meter_id from accounts where account_id >= ? and account_id <= ?";
        }

        /** The meters as rows of one column {@code meter_id} (bound like {@link #sql}). */
        String rows() {
            return ids != null ? "select distinct v.meter_id from (values " + String.join(", ",
                    java.util.Collections.nCopies(ids.size(), "(?)")) + ") v(meter_id)"
                    : "select meter_id from accounts where account_id >= ? and account_id <= ?"; // not distinct: PostgreSQL
                    // then chose a parallel scan of all accounts; a meter twice gives the same rows twice, merged by meter
        }

        /** Binds them from {@code i}; the next index. */
        int bind(PreparedStatement ps, int i) throws SQLException {
            if (ids != null) return bindAll(ps, i, ids);
            ps.setString(i, first);
            ps.setString(i + 1, last);
            return i + 2;
        }
    }

    private final SqlDatabase db;
    private final ZoneId zone;

    UsagePages(SqlDatabase db, ZoneId zone) {
        this.db = Objects.requireNonNull(db, "db");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    /** Up to {@code limit} accounts to read in the cycle with ids after {@code after}, by id. */
    List<Account> accounts(YearMonth cycle, String after, int limit) {
        return db.tx("accounts page", c -> SqlDatabase.query(c, ACCOUNT_COLUMNS + " where state = ? and account_id > ?"
                + notIgnitedIn() + " order by account_id limit ?", ps -> {
                    ps.setString(1, AccountState.IGNITED.code());
                    ps.setString(2, after);
                    int i = bindMonth(ps, 3, cycle);
                    ps.setInt(i, limit);
                }, rs -> new Account(rs.getString(1), rs.getString(2), AccountState.fromCode(rs.getString(3)),
                        CustomerClass.fromCode(rs.getString(4)), rs.getString(5), date(rs.getObject(6)), db.readTime(rs, 7))));
    }

    /** How many accounts are to be read in the cycle (the progress bar's total). */
    int count(YearMonth cycle) {
        return db.tx("accounts to read", c -> SqlDatabase.query(c, "select count(*) from accounts where state = ?"
                + notIgnitedIn(), ps -> bindMonth(ps, 1 + bindState(ps), cycle), rs -> rs.getInt(1)).get(0));
    }

    /** Per customer class among the accounts to read, its first account (for the tariff check's message). */
    Map<CustomerClass, String> classes(YearMonth cycle) {
        Map<CustomerClass, String> m = new TreeMap<>();
        db.tx("classes to read", c -> SqlDatabase.query(c, "select customer_class, min(account_id) from accounts where state = ?"
                + notIgnitedIn() + " group by customer_class", ps -> bindMonth(ps, 1 + bindState(ps), cycle),
                rs -> m.put(CustomerClass.fromCode(rs.getString(1)), rs.getString(2))));
        return m;
    }

    /** The meters among {@code meters} that are registered. */
    Set<String> registered(Meters meters) {
        if (meters.isEmpty()) return Set.of();
        Set<String> out = new HashSet<>();
        db.tx("registered meters", c -> SqlDatabase.query(customPlans(c), among("meters", meters), ps -> meters.bind(ps, 1),
                rs -> out.add(rs.getString(1))));
        return out;
    }

    /** Which of a page's meters are registered, and which of those (at least) the prepaid shadow ledger keeps. */
    record MeterKinds(Set<String> registered, Set<String> prepaid) {
    }

    /**
     * {@link #registered} and {@link #prepaidMeters} of the registered ones. PostgreSQL: one query, the
     * registered meters by key per meter (LATERAL) and each one's ledger row by key (issue 14: one pass over the
     * page's meters and one transaction less a page); SQLite: the two queries.
     */
    MeterKinds kinds(Meters meters) {
        if (db.dialect() != Dialect.POSTGRESQL) {
            return new MeterKinds(registered(meters), prepaidMeters(meters)); // a prepaid meter matters only if registered
        }
        Set<String> registered = new HashSet<>();
        Set<String> prepaid = new HashSet<>();
        if (meters.isEmpty()) return new MeterKinds(registered, prepaid);
        String sql = "select t.meter_id, exists(select 1 from prepaid_ledger p where p.meter_id = t.meter_id) from ("
                + meters.rows() + ") m cross join lateral (select meter_id from meters where meter_id = m.meter_id offset 0) t";
        db.tx("registered and prepaid meters", c -> SqlDatabase.query(customPlans(c), sql, ps -> meters.bind(ps, 1), rs -> {
            registered.add(rs.getString(1));
            if (rs.getBoolean(2)) prepaid.add(rs.getString(1));
            return null;
        }));
        return new MeterKinds(registered, prepaid);
    }

    /** The meters among {@code meterIds} that the prepaid shadow ledger keeps (IC-card meters: statements, not bills). */
    Set<String> prepaidMeters(Collection<String> meterIds) {
        return prepaidMeters(Meters.of(meterIds));
    }

    Set<String> prepaidMeters(Meters meters) {
        if (meters.isEmpty()) return Set.of();
        Set<String> out = new HashSet<>();
        db.tx("prepaid meters", c -> SqlDatabase.query(customPlans(c), among("prepaid_ledger", meters), ps -> meters.bind(ps, 1),
                rs -> out.add(rs.getString(1))));
        return out;
    }

    /**
     * The meters among {@code meters} that have a row in {@code table} (keyed by meter_id). On PostgreSQL one
     * key lookup per meter (LATERAL, offset 0 so that it is not flattened): the planner hashed the page's
     * meters and scanned the whole table once per page, 140 ms a page at 100 000 meters (issue 14).
     */
    private String among(String table, Meters meters) {
        if (db.dialect() == Dialect.POSTGRESQL) {
            return "select t.meter_id from (" + meters.rows() + ") m cross join lateral (select meter_id from " + table
                    + " where meter_id = m.meter_id offset 0) t";
        }
        return "select meter_id from " + table + " where meter_id in (" + meters.sql() + ")";
    }

    /**
     * Daily rollups of the meters for the days in [from, to), by meter. One row a meter, its days
     * aggregated by the database into {@code bucket:litres,...} (epoch ms): on SQLite every column of
     * every row is a JNI call, and a page of 1 000 meters has 31 000 day rows (issue 14, third round:
     * this query was 60 % of the reader thread's CPU; 13 ms a page now against 24-35). The days stay per
     * day: the pricing walk and the lines' first and last days need them.
     */
    Map<String, NavigableMap<LocalDate, Long>> rollups(Meters meters, Instant from, Instant to) {
        Map<String, NavigableMap<LocalDate, Long>> out = new HashMap<>();
        if (meters.isEmpty()) return out;
        Map<Long, LocalDate> days = new HashMap<>(); // a page has a month of buckets: each day's zone arithmetic once
        // PostgreSQL: per meter (LATERAL over the (meter_id, bucket) key), no sort of the page's 31 000 rows by
        // meter_id text before the grouping, and the epoch as date_part's double (a whole second, exact) instead of
        // extract's numeric: 55 ms of the server's time a page at 100 000 x 365 against 120 (issue 14).
        String sql = db.dialect() == Dialect.POSTGRESQL
                ? "select m.meter_id, d.days from (" + meters.rows() + ") m cross join lateral (select string_agg("
                        + "date_part('epoch', bucket)::bigint * 1000 || ':' || volume_l, ',') days from consumption_daily"
                        + " where meter_id = m.meter_id and bucket >= ? and bucket < ?) d where d.days is not null"
                : "select meter_id, group_concat(bucket || ':' || volume_l, ',') from consumption_daily where meter_id in ("
                        + meters.sql() + ") and bucket >= ? and bucket < ? group by meter_id";
        db.tx("daily rollups of a page", c -> SqlDatabase.query(customPlans(c), sql, ps -> {
                    int i = meters.bind(ps, 1);
                    db.bindTime(ps, i, from);
                    db.bindTime(ps, i + 1, to);
                }, rs -> {
                    String meter = rs.getString(1);
                    if (out.containsKey(meter)) return null; // a meter of two accounts of the page: the same row again
                    NavigableMap<LocalDate, Long> m = new TreeMap<>();
                    out.put(meter, m);
                    parseDays(rs.getString(2), m, days);
                    return null;
                }));
        return out;
    }

    /**
     * The litres of a meter in a stretch of the period's days that one tariff version and one tariff year
     * cover, with the first and last day that had consumption (a stretch without any is not given).
     */
    record Segment(LocalDate firstDay, LocalDate lastDay, long litres) {
    }

    /** Whether {@link #segments} is the way to read a page's rollups here: on PostgreSQL, the server sums them. */
    boolean sumsOnServer() {
        return db.dialect() == Dialect.POSTGRESQL;
    }

    /**
     * Each meter's daily rollups summed by the server per stretch [bounds[k], bounds[k + 1]) of the period
     * (bounds: the period's start, the instants where a tariff version or tariff year starts inside it, the
     * period's end), with each stretch's first and last day with litres: what the pricing walk makes of a
     * month of days when no tier threshold is crossed inside a stretch and no estimate shares the days
     * (issue 14, PostgreSQL: no per-day text for the server to make and the JVM to parse, two items to price
     * instead of 31). A meter without rollups in the period is not in the map; its stretches without litres
     * are left out. Rollup litres are never negative (a check of the table), so a stretch's sum is zero only
     * when every day of it is.
     */
    Map<String, List<Segment>> segments(Meters meters, List<Instant> bounds) {
        Map<String, List<Segment>> out = new HashMap<>();
        if (meters.isEmpty()) return out;
        if (bounds.size() < 2) throw new IllegalArgumentException("segment bounds: the period's start and end at least");
        int k = bounds.size() - 1;
        StringBuilder sql = new StringBuilder("select m.meter_id, d.* from (").append(meters.rows())
                .append(") m cross join lateral (select count(*) n");
        for (int i = 0; i < k; i++) {
            String in = "bucket >= ? and bucket < ?";
            sql.append(", sum(volume_l) filter (where ").append(in).append(")")
                    .append(", min(bucket) filter (where ").append(in).append(" and volume_l > 0)")
                    .append(", max(bucket) filter (where ").append(in).append(" and volume_l > 0)");
        }
        sql.append(" from consumption_daily where meter_id = m.meter_id and bucket >= ? and bucket < ?) d where d.n > 0");
        Map<Instant, LocalDate> days = new HashMap<>();
        db.tx("daily rollups of a page by segment", c -> SqlDatabase.query(customPlans(c), sql.toString(), ps -> {
            int i = meters.bind(ps, 1);
            for (int j = 0; j < k; j++) {
                for (int r = 0; r < 3; r++) {
                    db.bindTime(ps, i++, bounds.get(j));
                    db.bindTime(ps, i++, bounds.get(j + 1));
                }
            }
            db.bindTime(ps, i, bounds.get(0));
            db.bindTime(ps, i + 1, bounds.get(k));
        }, rs -> {
            String meter = rs.getString(1);
            if (out.containsKey(meter)) return null; // a meter of two accounts of the page: the same row again
            List<Segment> segs = new java.util.ArrayList<>(k);
            for (int j = 0; j < k; j++) {
                long litres = rs.getLong(3 + 3 * j);
                if (rs.wasNull() || litres == 0) continue;
                segs.add(new Segment(day(db.readTime(rs, 4 + 3 * j), days), day(db.readTime(rs, 5 + 3 * j), days), litres));
            }
            out.put(meter, segs);
            return null;
        }));
        return out;
    }

    private LocalDate day(Instant t, Map<Instant, LocalDate> days) {
        LocalDate d = days.get(t);
        if (d == null) days.put(t, d = LocalDate.ofInstant(t, zone));
        return d;
    }

    /** {@code bucket:litres,...} (epoch ms, non-negative litres) into {@code into}, litres of one day summed. */
    private void parseDays(String s, NavigableMap<LocalDate, Long> into, Map<Long, LocalDate> days) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            long bucket = 0;
            boolean negative = s.charAt(i) == '-'; // a bucket before 1970
            if (negative) i++;
            char ch;
            while ((ch = s.charAt(i++)) != ':') bucket = bucket * 10 + (ch - '0');
            if (negative) bucket = -bucket;
            long litres = 0;
            while (i < n && (ch = s.charAt(i)) != ',') {
                litres = litres * 10 + (ch - '0');
                i++;
            }
            i++; // the comma
            LocalDate day = days.get(bucket); // not computeIfAbsent: its lambda would be made for every day of every meter
            if (day == null) days.put(bucket, day = LocalDate.ofInstant(Instant.ofEpochMilli(bucket), zone));
            into.merge(day, litres, Long::sum);
        }
    }

    /** Each meter's first and last actual (not estimated) reading in [from, to) and their count. */
    Map<String, ReadingSpan> readings(Meters meters, Instant from, Instant to) {
        Map<String, ReadingSpan> out = new HashMap<>();
        if (meters.isEmpty()) return out;
        if (db.dialect() == Dialect.POSTGRESQL) return readingsOnePass(meters, from, to, out);
        // one scan for the counts and the first and last times (the key order on SQLite), then the rows at those
        // times by key; the same order as TimeSeriesStore.readings (time, source) picks among readings of one
        // time. CROSS JOIN keeps SQLite's planner from scanning all readings to join them to the page's few (it
        // chose that for the second half of a UNION, once per page: a bill run quadratic in the accounts).
        String span = "select meter_id, count(*) n, min(time) lo, max(time) hi from readings where meter_id in ("
                + meters.sql() + ") and time >= ? and time < ? and source <> 'ESTIMATED' group by meter_id";
        String sql = "with s as (" + span + ") select r.meter_id, r.time, r.source, r.volume_l, s.n, s.lo, s.hi"
                + " from s cross join readings r where r.meter_id = s.meter_id and r.time in (s.lo, s.hi)"
                + " and r.source <> 'ESTIMATED' and r.time >= ? and r.time < ?";
        record Row(String meter, Instant time, String source, long litres, int n) {
        }
        Map<String, Row> firsts = new HashMap<>();
        Map<String, Row> lasts = new HashMap<>();
        db.tx("readings of a page", c -> SqlDatabase.query(customPlans(c), sql, ps -> {
            int i = meters.bind(ps, 1);
            db.bindTime(ps, i, from);
            db.bindTime(ps, i + 1, to);
            db.bindTime(ps, i + 2, from);
            db.bindTime(ps, i + 3, to);
        }, rs -> {
            Row r = new Row(rs.getString(1), db.readTime(rs, 2), rs.getString(3), rs.getLong(4), rs.getInt(5));
            if (r.time().equals(db.readTime(rs, 6))) {
                firsts.merge(r.meter(), r, (a, b) -> a.source().compareTo(b.source()) <= 0 ? a : b);
            }
            if (r.time().equals(db.readTime(rs, 7))) {
                lasts.merge(r.meter(), r, (a, b) -> a.source().compareTo(b.source()) >= 0 ? a : b);
            }
            return null;
        }));
        firsts.forEach((m, f) -> {
            Row l = lasts.get(m);
            out.put(m, new ReadingSpan(f.time(), f.litres(), l.time(), l.litres(), f.n()));
        });
        return out;
    }

    /**
     * {@link #readings} on PostgreSQL: per meter of the page (LATERAL, through each period day's
     * {@code (meter_id, time)} index, indexClosedPartitions), one pass over the meter's readings of the period
     * for the count, the first and last time and the litres of the first and last reading in (time, source)
     * order, the order TimeSeriesStore.readings picks among readings of one time by. (A hashed join read the
     * period's whole day partitions once per page, a run quadratic in the accounts; the count/min/max pass
     * followed by the rows at those times read each meter's rows twice: issue 14.)
     */
    private Map<String, ReadingSpan> readingsOnePass(Meters meters, Instant from, Instant to, Map<String, ReadingSpan> out) {
        String sql = "select m.meter_id, s.n, s.lo, s.hi, s.f, s.l from (" + meters.rows() + ") m cross join lateral ("
                + "select count(*) n, min(x.time) lo, max(x.time) hi, (array_agg(x.volume_l order by x.time, x.source collate \"C\"))[1] f,"
                + " (array_agg(x.volume_l order by x.time, x.source collate \"C\"))[count(*)::int] l from readings x"
                + " where x.meter_id = m.meter_id and x.time >= ? and x.time < ? and x.source <> 'ESTIMATED') s where s.n > 0";
        db.tx("readings of a page", c -> SqlDatabase.query(customPlans(c), sql, ps -> {
            int i = meters.bind(ps, 1);
            db.bindTime(ps, i, from);
            db.bindTime(ps, i + 1, to);
        }, rs -> out.putIfAbsent(rs.getString(1), new ReadingSpan(db.readTime(rs, 3), rs.getLong(5), db.readTime(rs, 4),
                rs.getLong(6), rs.getInt(2)))));
        return out;
    }

    /**
     * A page's queries on PostgreSQL are planned for their values each time. After five runs the driver
     * prepares them on the server, and the generic plan it may then choose for {@code meter_id in (1 000
     * parameters)} tests every row of a day's readings partition against the whole list (18 s a page with
     * 100 000 meters, against 0.3 s planned with the values, whose list is hashed).
     */
    private Connection customPlans(Connection c) throws SQLException {
        if (db.dialect() == Dialect.POSTGRESQL) {
            try (Statement st = c.createStatement()) {
                // this transaction only; and no JIT compilation: a page's rollups query is estimated above
                // jit_above_cost with a year of rollups, and compiling it took 90 ms of a 100 ms query
                // nor parallel workers: a page's query reads a thousand meters' keys, and a parallel plan for it
                // was always a scan of a whole table (accounts, a day of readings) shared among workers
                st.execute("set local plan_cache_mode = force_custom_plan; set local jit = off;"
                        + " set local max_parallel_workers_per_gather = 0");
            }
        }
        return c;
    }

    /** Meters that an exchange inside [from, to) put in (their accounts are gathered one by one). */
    Set<String> exchangedInto(Instant from, Instant to) {
        return meterSet("exchanged meters", "select distinct new_meter_id from meter_exchanges where time >= ? and time < ?",
                from, to);
    }

    /** Meters with a correction record touching [from, to) (their accounts are gathered one by one). */
    Set<String> corrected(Instant from, Instant to) {
        return meterSet("corrected meters", "select distinct meter_id from consumption_corrections where from_time < ?"
                + " and to_time > ?", to, from);
    }

    private Set<String> meterSet(String what, String sql, Instant a, Instant b) {
        Set<String> out = new HashSet<>();
        db.tx(what, c -> SqlDatabase.query(c, sql, ps -> {
            db.bindTime(ps, 1, a);
            db.bindTime(ps, 2, b);
        }, rs -> out.add(rs.getString(1))));
        return out;
    }

    /** Account.toRead in SQL: not ignited in the cycle's month (ignited_on is a date on PostgreSQL, ISO text on SQLite). */
    private static String notIgnitedIn() {
        return " and (ignited_on is null or ignited_on < ? or ignited_on > ?)";
    }

    private int bindState(PreparedStatement ps) throws SQLException {
        ps.setString(1, AccountState.IGNITED.code());
        return 1;
    }

    private int bindMonth(PreparedStatement ps, int i, YearMonth cycle) throws SQLException {
        bindDate(ps, i, cycle.atDay(1));
        bindDate(ps, i + 1, cycle.atEndOfMonth());
        return i + 2;
    }

    private void bindDate(PreparedStatement ps, int i, LocalDate d) throws SQLException {
        if (db.dialect() == Dialect.SQLITE) ps.setString(i, d.toString()); else ps.setObject(i, d);
    }

    private static LocalDate date(Object o) {
        if (o == null) return null;
        if (o instanceof java.sql.Date d) return d.toLocalDate();
        return LocalDate.parse(o.toString());
    }

    static String marks(Collection<?> values) {
        return String.join(", ", java.util.Collections.nCopies(values.size(), "?"));
    }

    private static int bindAll(PreparedStatement ps, int from, Collection<String> values) throws SQLException {
        int i = from;
        for (String v : values) ps.setString(i++, v);
        return i;
    }
}
