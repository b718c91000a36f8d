package org.meterhub.gateway.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meterhub.gateway.journal.JournalTest.reading;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.intake.BatchEntry;

/** Readings the store refused for good leave the entries with the acknowledgement, into the dead-letter table. */
class JournalDeadLetterTest {

    @Test
    void aRejectedReadingIsSetAsideWithItsReasonAndSurvivesAReopen(@TempDir Path dir) throws Exception {
        JournalSettings s = JournalSettings.defaults(dir.resolve("j.db")).withPartitions(1);
        long rejectedSeq;
        try (Journal j = Journal.open(s, JournalListener.NONE)) {
            for (int k = 1; k <= 3; k++) j.append(reading(7, k));
            j.flush();
            List<BatchEntry> all = j.oldest(0, 10);
            assertThat(all).hasSize(3);
            rejectedSeq = all.get(1).seq();
            int removed = j.acknowledge(0, all.get(0).seq(), all.get(2).seq(),
                    Map.of(rejectedSeq, "SQLState 23514: check violated"));
            assertThat(removed).isEqualTo(3);
            assertThat(j.stats().pending()).isZero();
            assertThat(j.stats().deadLettered()).isEqualTo(1);
        }
        try (Journal j = Journal.open(s, JournalListener.NONE)) {
            assertThat(j.all()).isEmpty();
            List<Journal.DeadLetter> dead = j.deadLetters();
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).entry().seq()).isEqualTo(rejectedSeq);
            assertThat(dead.get(0).entry().reading()).isEqualTo(reading(7, 2));
            assertThat(dead.get(0).reason()).isEqualTo("SQLState 23514: check violated");
        }
    }
}
