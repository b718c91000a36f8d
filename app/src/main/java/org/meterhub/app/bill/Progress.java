package org.meterhub.app.bill;

import java.io.PrintWriter;
import org.meterhub.engine.billing.BillRun;

/**
 * A bill run's progress: a bar redrawn in place on a terminal, plain lines (every 10 %) otherwise,
 * so that logs and CI output stay readable.
 */
final class Progress implements BillRun.Listener {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private long lastDraw;
    private int lastTenth = -1;

    Progress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Whether standard error is an interactive terminal (java.io.Console exists only then). */
    static boolean onTerminal() {
        return System.console() != null;
    }

    @Override
    public void progress(int done, int total) {
        if (terminal) {
            long now = System.nanoTime();
            if (done != total && now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
            err.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + percent(done, total) + "% "
                    + done + "/" + total + " accounts");
            if (done == total) err.println();
            err.flush();
        } else {
            int tenth = total == 0 ? 10 : (int) ((long) done * 10 / total);
            if (tenth != lastTenth && (tenth > lastTenth)) {
                lastTenth = tenth;
                err.println("billed " + done + " of " + total + " accounts (" + percent(done, total) + "%)");
                err.flush();
            }
        }
    }

    private static int percent(int done, int total) {
        return total == 0 ? 100 : (int) ((long) done * 100 / total);
    }
}
