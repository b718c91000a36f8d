package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.BalanceUnit;

/**
 * Prepaid statements and their lines (tables {@code prepaid_statements}, {@code prepaid_statement_lines},
 * V14). Insert-only like {@link JdbcBills}: the current statement of an account and cycle is its highest version.
 */
public final class JdbcStatements {
    private static final String COLUMNS = "select statement_id, account_id, cycle, version, replaces_statement_id, reason,"
            + " tariff_id, variants, period_first, period_last, created_ms, meter_id, unit, opening_balance, opening_ms,"
            + " purchased, purchases, closing_balance, closing_ms from prepaid_statements";
    private static final String LINES = "select statement_id, line_no, kind, meter_id, first_day, last_day, tariff_version,"
            + " tier, tariff_year, volume_l, unit_price, amount, estimated, explanation from prepaid_statement_lines";
    private static final String CURRENT = " s.version = (select max(x.version) from prepaid_statements x"
            + " where x.account_id = s.account_id and x.cycle = s.cycle)";

    private final SqlDatabase db;

    public JdbcStatements(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    SqlDatabase database() {
        return db;
    }

    /** Every version of the account's statement for the cycle, oldest first. */
    public List<PrepaidStatement> versions(String accountId, YearMonth cycle) {
        return db.tx("statement versions", c -> read(c, " where account_id = ? and cycle = ? order by version", accountId, cycle));
    }

    /** Number of statement versions stored for the cycle. */
    public long count(YearMonth cycle) {
        return db.tx("count statements", c -> SqlDatabase.query(c, "select count(*) from prepaid_statements where cycle = ?",
                ps -> ps.setString(1, cycle.toString()), rs -> rs.getLong(1)).get(0));
    }

    Optional<PrepaidStatement> current(Connection c, String accountId, YearMonth cycle) throws SQLException {
        return read(c, " where account_id = ? and cycle = ? order by version desc limit 1", accountId, cycle).stream().findFirst();
    }

    /** Litres per tariff year on the current statements of the account's cycles before {@code cycle}. */
    Map<Integer, Long> positions(Connection c, String accountId, YearMonth cycle) throws SQLException {
        Map<Integer, Long> m = new HashMap<>();
        SqlDatabase.query(c, "select l.tariff_year, sum(l.volume_l) from prepaid_statement_lines l join prepaid_statements s"
                + " on s.statement_id = l.statement_id where s.account_id = ? and s.cycle < ? and l.tariff_year is not null and"
                + CURRENT + " group by l.tariff_year", ps -> {
                    ps.setString(1, accountId);
                    ps.setString(2, cycle.toString());
                }, rs -> m.put(rs.getInt(1), rs.getLong(2)));
        return m;
    }

    /** {@link #positions} of every account with an id in [first, last] that has any, by account (a bill run's page). */
    Map<String, Map<Integer, Long>> positionsPage(Connection c, YearMonth cycle, String first, String last) throws SQLException {
        Map<String, Map<Integer, Long>> m = new HashMap<>();
        SqlDatabase.query(c, "select s.account_id, l.tariff_year, sum(l.volume_l) from prepaid_statement_lines l join"
                + " prepaid_statements s on s.statement_id = l.statement_id where s.cycle < ? and s.account_id >= ?"
                + " and s.account_id <= ? and l.tariff_year is not null and" + CURRENT + " group by s.account_id, l.tariff_year",
                ps -> {
                    ps.setString(1, cycle.toString());
                    ps.setString(2, first);
                    ps.setString(3, last);
                }, rs -> m.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getInt(2), rs.getLong(3)));
        return m;
    }

    PrepaidStatement insert(Connection c, PrepaidStatement s) throws SQLException {
        Bill b = s.priced();
        long id = SqlDatabase.insertReturningId(c, "insert into prepaid_statements (account_id, meter_id, cycle, version,"
                + " replaces_statement_id, reason, tariff_id, variants, period_first, period_last, unit, opening_balance,"
                + " opening_ms, purchased, purchases, closing_balance, closing_ms, deducted, metered_l, charged,"
                + " reconciliation, total, created_ms) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?) returning statement_id", ps -> {
                    ps.setString(1, b.accountId());
                    ps.setString(2, s.meterId());
                    ps.setString(3, b.cycle().toString());
                    ps.setInt(4, b.version());
                    SqlDatabase.bindOptionalLong(ps, 5, b.replacesBillId());
                    ps.setString(6, b.reason());
                    ps.setString(7, b.tariffId());
                    ps.setString(8, String.join(",", b.variants()));
                    ps.setString(9, b.periodFirst().toString());
                    ps.setString(10, b.periodLast().toString());
                    ps.setString(11, s.unit().name());
                    bindReport(ps, 12, s.opening());
                    ps.setString(14, s.purchased().toPlainString());
                    ps.setInt(15, s.purchases());
                    bindReport(ps, 16, s.closing());
                    ps.setString(18, plain(s.deducted()));
                    ps.setLong(19, s.meteredL());
                    ps.setString(20, s.charged().toPlainString());
                    ps.setString(21, plain(s.reconciliation()));
                    ps.setString(22, b.total().toPlainString());
                    ps.setLong(23, b.createdAt().toEpochMilli());
                });
        try (PreparedStatement ps = c.prepareStatement("insert into prepaid_statement_lines (statement_id, line_no, kind,"
                + " meter_id, first_day, last_day, tariff_version, tier, tariff_year, volume_l, unit_price, amount, estimated,"
                + " explanation) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (BillLine l : b.lines()) {
                JdbcBills.bindLine(ps, id, l);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return s.withId(id);
    }

    private static void bindReport(PreparedStatement ps, int i, PrepaidStatement.Report r) throws SQLException {
        ps.setString(i, r == null ? null : r.balance().toPlainString());
        SqlDatabase.bindOptionalLong(ps, i + 1, r == null ? null : r.time().toEpochMilli());
    }

    private static String plain(BigDecimal d) {
        return d == null ? null : d.toPlainString();
    }

    private List<PrepaidStatement> read(Connection c, String where, String accountId, YearMonth cycle) throws SQLException {
        List<PrepaidStatement> heads = SqlDatabase.query(c, COLUMNS + where, ps -> {
            ps.setString(1, accountId);
            ps.setString(2, cycle.toString());
        }, JdbcStatements::head);
        List<PrepaidStatement> out = new ArrayList<>(heads.size());
        for (PrepaidStatement h : heads) {
            List<BillLine> lines = SqlDatabase.query(c, LINES + " where statement_id = ? order by line_no",
                    ps -> ps.setLong(1, h.priced().billId()), JdbcBills::line);
            Bill b = h.priced();
            out.add(new PrepaidStatement(new Bill(b.billId(), b.accountId(), b.cycle(), b.version(), b.replacesBillId(), b.reason(),
                    b.tariffId(), b.variants(), b.periodFirst(), b.periodLast(), lines, b.createdAt()), h.meterId(), h.unit(),
                    h.opening(), h.purchased(), h.purchases(), h.closing()));
        }
        return out;
    }

    private static PrepaidStatement head(ResultSet rs) throws SQLException {
        long replaces = rs.getLong(5);
        Long replacesId = rs.wasNull() ? null : replaces;
        Bill b = new Bill(rs.getLong(1), rs.getString(2), YearMonth.parse(rs.getString(3)), rs.getInt(4), replacesId,
                rs.getString(6), rs.getString(7), JdbcTariffs.split(rs.getString(8)), LocalDate.parse(rs.getString(9)),
                LocalDate.parse(rs.getString(10)), List.of(), Instant.ofEpochMilli(rs.getLong(11)));
        return new PrepaidStatement(b, rs.getString(12), BalanceUnit.valueOf(rs.getString(13)), report(rs, 14, 15),
                new BigDecimal(rs.getString(16)), rs.getInt(17), report(rs, 18, 19));
    }

    /** A stored opening or closing report. */
    private static PrepaidStatement.Report report(ResultSet rs, int balance, int time) throws SQLException {
        String b = rs.getString(balance);
        long t = rs.getLong(time);
        return b == null ? null : new PrepaidStatement.Report(Instant.ofEpochMilli(t), new BigDecimal(b));
    }
}
