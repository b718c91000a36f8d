package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.jdbc.SqlDatabase;

/** Accuracy tests and their points (tables {@code accuracy_tests}, {@code accuracy_test_points}, migration V10). Insert-only. */
public final class JdbcAccuracyTests {
    private static final String COLUMNS = "select test_id, meter_id, test_date, lab, qmin_m3h, qmax_m3h, source from accuracy_tests";

    private final SqlDatabase db;

    public JdbcAccuracyTests(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Stores all the tests in one transaction, or none: a test already stored (same meter, date and lab) is refused. */
    public List<AccuracyTest> saveAll(List<AccuracyTest> tests, Instant at) {
        return db.tx("store accuracy tests", c -> {
            List<AccuracyTest> out = new ArrayList<>();
            for (AccuracyTest t : tests) {
                boolean exists = !SqlDatabase.query(c, "select 1 from accuracy_tests where meter_id = ? and test_date = ? and lab = ?", ps -> {
                    ps.setString(1, t.meterId());
                    ps.setString(2, t.testDate().toString());
                    ps.setString(3, t.lab());
                }, rs -> 1).isEmpty();
                if (exists) {
                    throw new AccuracyException(t.source() + ": meter " + t.meterId() + " already has a test on " + t.testDate()
                            + " at " + t.lab() + "; stored tests never change (nothing imported)");
                }
                long id = SqlDatabase.insertReturningId(c, "insert into accuracy_tests (meter_id, test_date, lab, qmin_m3h, qmax_m3h,"
                        + " source, recorded_at) values (?, ?, ?, ?, ?, ?, ?) returning test_id", ps -> {
                            ps.setString(1, t.meterId());
                            ps.setString(2, t.testDate().toString());
                            ps.setString(3, t.lab());
                            ps.setString(4, t.qminM3h().toPlainString());
                            ps.setString(5, t.qmaxM3h().toPlainString());
                            ps.setString(6, t.source());
                            db.bindTime(ps, 7, at);
                        });
                try (var ps = c.prepareStatement("insert into accuracy_test_points (test_id, point_no, flow_m3h, reference_ml, meter_ml)"
                        + " values (?, ?, ?, ?, ?)")) {
                    for (TestPoint p : t.points()) {
                        ps.setLong(1, id);
                        ps.setInt(2, p.no());
                        ps.setString(3, p.flowM3h().toPlainString());
                        ps.setLong(4, p.referenceMl());
                        ps.setLong(5, p.meterMl());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                out.add(t.withId(id));
            }
            return out;
        });
    }

    /** A meter's tests, oldest first. */
    public List<AccuracyTest> forMeter(String meterId) {
        return db.tx("accuracy tests", c -> withPoints(c, SqlDatabase.query(c, COLUMNS + " where meter_id = ? order by test_date, test_id",
                ps -> ps.setString(1, meterId), JdbcAccuracyTests::head)));
    }

    public Optional<AccuracyTest> test(long testId) {
        return db.tx("accuracy test", c -> test(c, testId));
    }

    Optional<AccuracyTest> test(Connection c, long testId) throws SQLException {
        return withPoints(c, SqlDatabase.query(c, COLUMNS + " where test_id = ?", ps -> ps.setLong(1, testId), JdbcAccuracyTests::head))
                .stream().findFirst();
    }

    /** A test's row before its points are read. */
    private record Head(long testId, String meterId, LocalDate testDate, String lab, BigDecimal qmin, BigDecimal qmax, String source) {
    }

    private static Head head(java.sql.ResultSet rs) throws SQLException {
        return new Head(rs.getLong(1), rs.getString(2), LocalDate.parse(rs.getString(3)), rs.getString(4), new BigDecimal(rs.getString(5)),
                new BigDecimal(rs.getString(6)), rs.getString(7));
    }

    private static List<AccuracyTest> withPoints(Connection c, List<Head> heads) throws SQLException {
        List<AccuracyTest> out = new ArrayList<>();
        for (Head h : heads) {
            List<TestPoint> ps = SqlDatabase.query(c, "select point_no, flow_m3h, reference_ml, meter_ml from accuracy_test_points"
                    + " where test_id = ? order by point_no", s -> s.setLong(1, h.testId()),
                    rs -> new TestPoint(rs.getInt(1), new BigDecimal(rs.getString(2)), rs.getLong(3), rs.getLong(4)));
            out.add(new AccuracyTest(h.testId(), h.meterId(), h.testDate(), h.lab(), h.qmin(), h.qmax(), ps, h.source()));
        }
        return out;
    }
}
