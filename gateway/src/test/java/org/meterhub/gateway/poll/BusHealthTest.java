package org.meterhub.gateway.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.meterhub.gateway.driver.ReadFailure;

/** A bus's window slides by a tenth of itself; the last error is the failure's kind, never its message (a meter id). */
class BusHealthTest {
    static final Instant T0 = Instant.parse("2026-12-07T02:00:00Z");

    static final class Manual extends Clock {
        Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void countsInTheWindowAndKeepsTheLastSuccessAndError() {
        Manual clock = new Manual();
        boolean[] up = {true};
        BusHealth h = new BusHealth("dtu-cjt188", "DTU-0001", clock, Duration.ofHours(1)).connectedBy(() -> up[0]);
        for (int i = 0; i < 5; i++) h.ok();
        h.failed(new ReadFailure(ReadFailure.Kind.TIMEOUT, "meter 30000000000201 did not answer"));
        BusHealth.Snapshot s = h.snapshot();
        assertThat(s).isEqualTo(new BusHealth.Snapshot("dtu-cjt188", "DTU-0001", true, 5, 1, Duration.ofHours(1), T0, T0, "timeout"));

        clock.now = T0.plus(Duration.ofMinutes(30));
        h.ok();
        assertThat(h.snapshot().pollsOk()).isEqualTo(6);
        // an hour and a slot later the first polls have left the window; the later one is still in it
        clock.now = T0.plus(Duration.ofMinutes(66));
        up[0] = false;
        s = h.snapshot();
        assertThat(s.pollsOk()).isEqualTo(1);
        assertThat(s.pollsFailed()).isZero();
        assertThat(s.connected()).isFalse();
        assertThat(s.lastOk()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(s.lastError()).isEqualTo("timeout").doesNotContain("3000");
        // two hours on, nothing in the window at all, the ring's old slots are not counted again
        clock.now = T0.plus(Duration.ofMinutes(150));
        h.failed(new IllegalStateException("x"));
        s = h.snapshot();
        assertThat(s.pollsOk()).isZero();
        assertThat(s.pollsFailed()).isEqualTo(1);
        assertThat(s.lastError()).isEqualTo("IllegalStateException");
        // the MQTT uplink counts batches in bulk
        h.count(7, 2, "nack");
        assertThat(h.snapshot().pollsOk()).isEqualTo(7);
        assertThat(h.snapshot().pollsFailed()).isEqualTo(3);
        assertThat(h.snapshot().lastError()).isEqualTo("nack");
    }
}
