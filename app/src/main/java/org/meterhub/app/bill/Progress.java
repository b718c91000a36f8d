package org.meterhub.app.bill;

import java.io.PrintWriter;
import org.meterhub.app.runtime.ProgressBar;
import org.meterhub.engine.billing.BillRun;

/** A bill run's progress through the shared {@link ProgressBar}: accounts billed of those to read. */
final class Progress implements BillRun.Listener {
    private final ProgressBar bar;

    Progress(PrintWriter err, boolean terminal) {
        this.bar = new ProgressBar(err, terminal);
    }

    /** Whether standard error is an interactive terminal (java.io.Console exists only then). */
    static boolean onTerminal() {
        return ProgressBar.onTerminal();
    }

    @Override
    public void progress(int done, int total) {
        bar.update(done, total, done + "/" + total + " accounts", "billed " + done + " of " + total + " accounts");
    }
}
