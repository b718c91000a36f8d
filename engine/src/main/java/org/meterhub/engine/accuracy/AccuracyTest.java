package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/** A meter's test at a laboratory or bench on one day; {@code testId} is null until stored. */
public record AccuracyTest(Long testId, String meterId, LocalDate testDate, String lab, BigDecimal qminM3h,
                           BigDecimal qmaxM3h, List<TestPoint> points, String source) {
    public AccuracyTest {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(testDate, "testDate");
        Objects.requireNonNull(lab, "lab");
        Objects.requireNonNull(qminM3h, "qminM3h");
        Objects.requireNonNull(qmaxM3h, "qmaxM3h");
        Objects.requireNonNull(source, "source");
        points = List.copyOf(points);
        if (points.isEmpty()) throw new IllegalArgumentException("a test has at least one point");
    }

    public AccuracyTest withId(long id) {
        return new AccuracyTest(id, meterId, testDate, lab, qminM3h, qmaxM3h, points, source);
    }
}
