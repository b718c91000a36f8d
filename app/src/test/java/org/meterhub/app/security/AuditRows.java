package org.meterhub.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.meterhub.app.config.CliArgs;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;

/** Test helper: the audit rows a command left in a store, and the check that the one expected is there. */
public final class AuditRows {
    private AuditRows() {
    }

    public static List<AuditEntry> of(String url) {
        try (TimeSeriesStore s = CliArgs.store(url)) {
            return s.auditTrail(Instant.EPOCH, Instant.now().plusSeconds(60));
        }
    }

    /** A row by the OS user from the command line for this action and subject, whose detail contains {@code detail}. */
    public static void expect(String url, String action, String subject, String detail) {
        assertThat(of(url)).as("audit rows of %s", url).anySatisfy(a -> {
            assertThat(a.actor()).isEqualTo(System.getProperty("user.name"));
            assertThat(a.action()).isEqualTo("cli " + action);
            assertThat(a.subject()).isEqualTo(subject);
            assertThat(a.detail()).contains(detail);
            assertThat(a.client()).isEqualTo("cli");
        });
    }
}
