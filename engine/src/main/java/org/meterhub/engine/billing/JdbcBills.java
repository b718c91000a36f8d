package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.Dialect;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Bills and their lines in the store's database (tables {@code bills}, {@code bill_lines},
 * migration V8). Insert-only: a bill version is written once with all its lines and never
 * changed; the current bill of an account and cycle is its highest version.
 */
public final class JdbcBills {
    private static final String BILL_COLUMNS = "select bill_id, account_id, cycle, version, replaces_bill_id, reason,"
            + " tariff_id, variants, period_first, period_last, created_at from bills";
    private static final String LINE_COLUMNS = "select bill_id, line_no, kind, meter_id, first_day, last_day,"
            + " tariff_version, tier, tariff_year, volume_l, unit_price, amount, estimated, explanation from bill_lines";
    private static final String CURRENT = " b.version = (select max(x.version) from bills x where x.account_id = b.account_id"
            + " and x.cycle = b.cycle)";

    private final SqlDatabase db;

    public JdbcBills(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    public SqlDatabase database() {
        return db;
    }

    /** Every version of the account's bill for the cycle, oldest first. */
    public List<Bill> versions(String accountId, YearMonth cycle) {
        return db.tx("bill versions", c -> withLines(c, SqlDatabase.query(c, BILL_COLUMNS
                + " where account_id = ? and cycle = ? order by version", ps -> {
                    ps.setString(1, accountId);
                    ps.setString(2, cycle.toString());
                }, rs -> bill(rs, List.of()))));
    }

    /** The current (highest) version of each account's bill for the cycle, by account, streamed in pages. */
    public void forEachCurrent(YearMonth cycle, Consumer<Bill> each) {
        String after = "";
        while (true) {
            String from = after;
            List<Bill> page = db.tx("current bills", c -> withLines(c, SqlDatabase.query(c, BILL_COLUMNS + " b where b.cycle = ?"
                    + " and b.account_id > ? and" + CURRENT + " order by b.account_id limit 500", ps -> {
                        ps.setString(1, cycle.toString());
                        ps.setString(2, from);
                    }, rs -> bill(rs, List.of()))));
            if (page.isEmpty()) return;
            page.forEach(each);
            after = page.get(page.size() - 1).accountId();
        }
    }

    /** Number of bill versions stored for the cycle (all accounts, all versions). */
    public long count(YearMonth cycle) {
        return db.tx("count bills", c -> SqlDatabase.query(c, "select count(*) from bills where cycle = ?",
                ps -> ps.setString(1, cycle.toString()), rs -> rs.getLong(1)).get(0));
    }

    /** The current (highest) version of the account's bill for the cycle, inside the caller's transaction. */
    public Optional<Bill> current(Connection c, String accountId, YearMonth cycle) throws SQLException {
        List<Bill> heads = SqlDatabase.query(c, BILL_COLUMNS + " where account_id = ? and cycle = ? order by version desc limit 1",
                ps -> {
                    ps.setString(1, accountId);
                    ps.setString(2, cycle.toString());
                }, rs -> bill(rs, List.of()));
        return withLines(c, heads).stream().findFirst();
    }

    /** Litres charged per tariff year by the current bills of the account's cycles before {@code cycle}. */
    Map<Integer, Long> positions(Connection c, String accountId, YearMonth cycle) throws SQLException {
        Map<Integer, Long> m = new HashMap<>();
        SqlDatabase.query(c, "select l.tariff_year, sum(l.volume_l) from bill_lines l join bills b on b.bill_id = l.bill_id"
                + " where b.account_id = ? and b.cycle < ? and l.tariff_year is not null and" + CURRENT
                + " group by l.tariff_year", ps -> {
                    ps.setString(1, accountId);
                    ps.setString(2, cycle.toString());
                }, rs -> m.put(rs.getInt(1), rs.getLong(2)));
        return m;
    }

    private static final String PAGE = " b.cycle = ? and b.account_id >= ? and b.account_id <= ? and";

    /** The current bills of the cycle of the accounts with ids in [first, last], with their lines, by account. */
    Map<String, Bill> currentPage(Connection c, YearMonth cycle, String first, String last) throws SQLException {
        List<Bill> heads = SqlDatabase.query(c, BILL_COLUMNS + " b where" + PAGE + CURRENT, ps -> bindPage(ps, 1, cycle, first, last),
                rs -> bill(rs, List.of()));
        Map<String, Bill> out = new HashMap<>();
        if (heads.isEmpty()) return out;
        Map<Long, List<BillLine>> lines = new HashMap<>();
        SqlDatabase.query(c, LINE_COLUMNS + " where bill_id in (select b.bill_id from bills b where" + PAGE + CURRENT + ")",
                ps -> bindPage(ps, 1, cycle, first, last),
                rs -> lines.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(line(rs)));
        for (Bill b : heads) {
            List<BillLine> ls = lines.getOrDefault(b.billId(), new ArrayList<>());
            ls.sort(java.util.Comparator.comparingInt(BillLine::no));
            out.put(b.accountId(), withLines(b, ls));
        }
        return out;
    }

    /** The accounts in [first, last] whose current bill of the cycle charges an estimate. */
    java.util.Set<String> estimatedPage(Connection c, YearMonth cycle, String first, String last) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        SqlDatabase.query(c, "select distinct b.account_id from bills b join bill_lines l on l.bill_id = b.bill_id where"
                + PAGE + " l.kind = 'ESTIMATE' and" + CURRENT, ps -> bindPage(ps, 1, cycle, first, last),
                rs -> out.add(rs.getString(1)));
        return out;
    }

    /** {@link #positions} of every account in [first, last] with any, by account. */
    Map<String, Map<Integer, Long>> positionsPage(Connection c, YearMonth cycle, String first, String last) throws SQLException {
        Map<String, Map<Integer, Long>> m = new HashMap<>();
        // PostgreSQL: the current versions as the last of each (account, cycle) in key order (DISTINCT ON), not a
        // max(version) subquery per bill: one index probe less per account (issue 14, about half the query's time)
        String sql = db.dialect() == Dialect.POSTGRESQL
                ? "with cur as (select distinct on (b.account_id, b.cycle) b.bill_id, b.account_id from bills b where b.cycle < ?"
                        + " and b.account_id >= ? and b.account_id <= ? order by b.account_id, b.cycle, b.version desc)"
                        + " select cur.account_id, l.tariff_year, sum(l.volume_l) from cur join bill_lines l on l.bill_id = cur.bill_id"
                        + " where l.tariff_year is not null group by cur.account_id, l.tariff_year"
                : "select b.account_id, l.tariff_year, sum(l.volume_l) from bill_lines l join bills b on b.bill_id"
                        + " = l.bill_id where b.cycle < ? and b.account_id >= ? and b.account_id <= ? and l.tariff_year is not null and"
                        + CURRENT + " group by b.account_id, l.tariff_year";
        SqlDatabase.query(c, sql, ps -> bindPage(ps, 1, cycle, first, last),
                rs -> m.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getInt(2), rs.getLong(3)));
        return m;
    }

    private static void bindPage(java.sql.PreparedStatement ps, int i, YearMonth cycle, String first, String last)
            throws SQLException {
        ps.setString(i, cycle.toString());
        ps.setString(i + 1, first);
        ps.setString(i + 2, last);
    }

    /**
     * Writes a page of bills of one cycle (accounts in [first, last]) with two JDBC batches, the
     * bills then their lines; the bills' ids are read back with one query. Returns them with ids.
     */
    List<Bill> insertPage(Connection c, YearMonth cycle, String first, String last, List<Bill> page) throws SQLException {
        if (page.isEmpty()) return page;
        if (db.dialect() == Dialect.POSTGRESQL && c.isWrapperFor(PGConnection.class)) return copyPage(c, page);
        try (var ps = c.prepareStatement(INSERT_BILL)) {
            for (Bill b : page) {
                bindBill(ps, b);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        Map<String, Long> ids = new HashMap<>();
        SqlDatabase.query(c, "select account_id, version, bill_id from bills b where" + PAGE + " 1 = 1",
                ps -> bindPage(ps, 1, cycle, first, last), rs -> ids.put(rs.getString(1) + "/" + rs.getInt(2), rs.getLong(3)));
        List<Bill> out = new ArrayList<>(page.size());
        try (var ps = c.prepareStatement(INSERT_LINE)) {
            for (Bill b : page) {
                Bill stored = b.withId(ids.get(b.accountId() + "/" + b.version()));
                for (BillLine l : b.lines()) {
                    bindLine(ps, stored.billId(), l);
                    ps.addBatch();
                }
                out.add(stored);
            }
            ps.executeBatch();
        }
        return out;
    }

    /**
     * {@link #insertPage} on PostgreSQL: the page's bill ids taken from the identity's sequence with one query,
     * then the bills and their lines each with one text {@code COPY}, in the caller's transaction (a failure
     * anywhere still leaves no bill of the run). A JDBC batch is one INSERT executed per row on the server
     * (issue 14, a million bills and five million lines), and the ids then had to be read back; the ids come
     * in ascending order and go to the bills in page order, as the batch's inserts had them.
     */
    private List<Bill> copyPage(Connection c, List<Bill> page) throws SQLException {
        List<Long> ids = SqlDatabase.query(c, "select nextval(pg_get_serial_sequence('bills', 'bill_id'))"
                + " from generate_series(1, ?)", ps -> ps.setInt(1, page.size()), rs -> rs.getLong(1));
        java.util.Collections.sort(ids);
        List<Bill> out = new ArrayList<>(page.size());
        StringBuilder bills = new StringBuilder(page.size() * 160);
        StringBuilder lines = new StringBuilder(page.size() * 1200);
        for (int i = 0; i < page.size(); i++) {
            Bill b = page.get(i).withId(ids.get(i));
            out.add(b);
            bills.append(b.billId());
            field(bills, b.accountId());
            field(bills, b.cycle().toString());
            bills.append('\t').append(b.version());
            field(bills, b.replacesBillId() == null ? null : b.replacesBillId().toString());
            field(bills, b.reason());
            field(bills, b.tariffId());
            field(bills, String.join(",", b.variants()));
            field(bills, b.periodFirst().toString());
            field(bills, b.periodLast().toString());
            field(bills, b.total().toPlainString());
            field(bills, b.createdAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString()); // as bindTime
            bills.append('\n');
            for (BillLine l : b.lines()) {
                lines.append(b.billId()).append('\t').append(l.no());
                field(lines, l.kind().name());
                field(lines, l.meterId());
                field(lines, l.firstDay().toString());
                field(lines, l.lastDay().toString());
                field(lines, l.tariffVersion().toString());
                field(lines, l.tier() == null ? null : l.tier().toString());
                field(lines, l.tariffYear() == null ? null : l.tariffYear().toString());
                lines.append('\t').append(l.volumeL());
                field(lines, l.unitPrice().toPlainString());
                field(lines, l.amount().toPlainString());
                lines.append('\t').append(l.estimated() ? '1' : '0');
                field(lines, l.explanation());
                lines.append('\n');
            }
        }
        copy(c, "copy bills (bill_id, account_id, cycle, version, replaces_bill_id, reason, tariff_id, variants,"
                + " period_first, period_last, total, created_at) from stdin", bills);
        copy(c, "copy bill_lines (bill_id, line_no, kind, meter_id, first_day, last_day, tariff_version, tier,"
                + " tariff_year, volume_l, unit_price, amount, estimated, explanation) from stdin", lines);
        return out;
    }

    /** A tab and a value in COPY's text format: null as \N; backslash, tab, newline and carriage return escaped. */
    private static void field(StringBuilder sb, String v) {
        sb.append('\t');
        if (v == null) {
            sb.append("\\N");
            return;
        }
        for (int i = 0, n = v.length(); i < n; i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(ch);
            }
        }
    }

    private static void copy(Connection c, String sql, StringBuilder rows) throws SQLException {
        byte[] data = rows.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            in.writeToCopy(data, 0, data.length);
            in.endCopy();
        } finally {
            if (in.isActive()) in.cancelCopy();
        }
    }

    /**
     * A re-bill of {@code replaced} (which must be the current version) that keeps its lines and adds
     * {@code added} after them: a new version naming the one it replaces, written in the caller's
     * transaction. Used for adjustments the consumption data does not hold (accuracy disputes).
     */
    public Bill rebill(Connection c, Bill replaced, List<BillLine> added, String reason, java.time.Instant at) throws SQLException {
        Bill head = current(c, replaced.accountId(), replaced.cycle()).orElseThrow();
        if (!head.billId().equals(replaced.billId())) {
            throw new IllegalStateException("bill " + replaced.billId() + " is not the current version of " + replaced.accountId()
                    + " " + replaced.cycle() + " (bill " + head.billId() + " is)");
        }
        List<BillLine> lines = new ArrayList<>(replaced.lines());
        for (BillLine l : added) lines.add(l.renumbered(lines.size() + 1));
        return insert(c, new Bill(null, replaced.accountId(), replaced.cycle(), replaced.version() + 1, replaced.billId(), reason,
                replaced.tariffId(), replaced.variants(), replaced.periodFirst(), replaced.periodLast(), lines, at));
    }

    private static final String INSERT_BILL = "insert into bills (account_id, cycle, version, replaces_bill_id, reason,"
            + " tariff_id, variants, period_first, period_last, total, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_LINE = "insert into bill_lines (bill_id, line_no, kind, meter_id, first_day, last_day,"
            + " tariff_version, tier, tariff_year, volume_l, unit_price, amount, estimated, explanation)"
            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** Writes the bill and its lines; returns it with its id. */
    Bill insert(Connection c, Bill b) throws SQLException {
        long id = SqlDatabase.insertReturningId(c, INSERT_BILL + " returning bill_id", ps -> bindBill(ps, b));
        try (var ps = c.prepareStatement(INSERT_LINE)) {
            for (BillLine l : b.lines()) {
                bindLine(ps, id, l);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return b.withId(id);
    }

    private void bindBill(java.sql.PreparedStatement ps, Bill b) throws SQLException {
        ps.setString(1, b.accountId());
        ps.setString(2, b.cycle().toString());
        ps.setInt(3, b.version());
        SqlDatabase.bindOptionalLong(ps, 4, b.replacesBillId());
        ps.setString(5, b.reason());
        ps.setString(6, b.tariffId());
        ps.setString(7, String.join(",", b.variants()));
        ps.setString(8, b.periodFirst().toString());
        ps.setString(9, b.periodLast().toString());
        ps.setString(10, b.total().toPlainString());
        db.bindTime(ps, 11, b.createdAt());
    }

    static void bindLine(java.sql.PreparedStatement ps, long billId, BillLine l) throws SQLException {
        ps.setLong(1, billId);
        ps.setInt(2, l.no());
        ps.setString(3, l.kind().name());
        ps.setString(4, l.meterId());
        ps.setString(5, l.firstDay().toString());
        ps.setString(6, l.lastDay().toString());
        ps.setString(7, l.tariffVersion().toString());
        if (l.tier() == null) ps.setNull(8, Types.INTEGER); else ps.setInt(8, l.tier());
        if (l.tariffYear() == null) ps.setNull(9, Types.INTEGER); else ps.setInt(9, l.tariffYear());
        ps.setLong(10, l.volumeL());
        ps.setString(11, l.unitPrice().toPlainString());
        ps.setString(12, l.amount().toPlainString());
        ps.setInt(13, l.estimated() ? 1 : 0);
        ps.setString(14, l.explanation());
    }

    private List<Bill> withLines(Connection c, List<Bill> heads) throws SQLException {
        if (heads.isEmpty()) return heads;
        Map<Long, List<BillLine>> lines = new HashMap<>();
        StringBuilder in = new StringBuilder();
        for (Bill b : heads) in.append(in.length() == 0 ? "?" : ", ?");
        SqlDatabase.query(c, LINE_COLUMNS + " where bill_id in (" + in + ") order by bill_id, line_no", ps -> {
            for (int i = 0; i < heads.size(); i++) ps.setLong(i + 1, heads.get(i).billId());
        }, rs -> lines.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(line(rs)));
        List<Bill> out = new ArrayList<>(heads.size());
        for (Bill b : heads) out.add(withLines(b, lines.getOrDefault(b.billId(), List.of())));
        return out;
    }

    private static Bill withLines(Bill b, List<BillLine> lines) {
        return new Bill(b.billId(), b.accountId(), b.cycle(), b.version(), b.replacesBillId(), b.reason(), b.tariffId(),
                b.variants(), b.periodFirst(), b.periodLast(), lines, b.createdAt());
    }

    private Bill bill(ResultSet rs, List<BillLine> lines) throws SQLException {
        long replaces = rs.getLong(5);
        Long replacesId = rs.wasNull() ? null : replaces;
        return new Bill(rs.getLong(1), rs.getString(2), YearMonth.parse(rs.getString(3)), rs.getInt(4), replacesId,
                rs.getString(6), rs.getString(7), JdbcTariffs.split(rs.getString(8)), LocalDate.parse(rs.getString(9)),
                LocalDate.parse(rs.getString(10)), lines, db.readTime(rs, 11));
    }

    static BillLine line(ResultSet rs) throws SQLException {
        int tier = rs.getInt(8);
        Integer tierOrNull = rs.wasNull() ? null : tier;
        int year = rs.getInt(9);
        Integer yearOrNull = rs.wasNull() ? null : year;
        return new BillLine(rs.getInt(2), LineKind.valueOf(rs.getString(3)), rs.getString(4), LocalDate.parse(rs.getString(5)),
                LocalDate.parse(rs.getString(6)), LocalDate.parse(rs.getString(7)), tierOrNull, yearOrNull, rs.getLong(10),
                new BigDecimal(rs.getString(11)), new BigDecimal(rs.getString(12)), rs.getInt(13) == 1, rs.getString(14));
    }
}
