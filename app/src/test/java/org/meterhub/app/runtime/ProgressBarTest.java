package org.meterhub.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndEndsWithOneNewline() {
        StringWriter w = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(w), true);
        bar.update(0, 200, "0 rows, 0 rows/s", "ignored");
        bar.update(200, 200, "5,000 rows, 2,500 rows/s", "ignored");
        bar.update(200, 200, "5,000 rows, 2,500 rows/s", "ignored"); // already finished: nothing more
        assertThat(w.toString()).isEqualTo("\r[..............................] 0% 0 rows, 0 rows/s"
                + "\r[##############################] 100% 5,000 rows, 2,500 rows/s" + System.lineSeparator());
    }

    @Test
    void elsewhereAPlainLineEveryTenPercent() {
        StringWriter w = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(w), false);
        for (int done = 0; done <= 100; done += 5) bar.update(done, 100, "bar", "imported " + done + " rows");
        assertThat(w.toString().lines()).hasSize(11).first().isEqualTo("imported 0 rows (0%)");
        assertThat(w.toString().lines()).last().isEqualTo("imported 100 rows (100%)");
        assertThat(w.toString()).doesNotContain("\r");
    }
}
