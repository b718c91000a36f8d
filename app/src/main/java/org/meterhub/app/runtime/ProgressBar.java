package org.meterhub.app.runtime;

import java.io.PrintWriter;

/**
 * Progress of a long command: a bar redrawn in place (at most ten times a second) on a terminal, plain
 * lines at every 10 % otherwise, so that logs and CI output stay readable. Used by {@code bill run} and
 * {@code import readings}.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private long lastDraw;
    private int lastTenth = -1;
    private boolean finished;

    public ProgressBar(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Whether standard error is an interactive terminal (java.io.Console exists only then). */
    public static boolean onTerminal() {
        return System.console() != null;
    }

    /**
     * @param barText  after the bar and percentage on a terminal, e.g. {@code 9/20 accounts}
     * @param lineText a plain line, followed by the percentage, e.g. {@code billed 9 of 20 accounts}
     */
    public void update(long done, long total, String barText, String lineText) {
        int percent = total <= 0 || done >= total ? 100 : (int) (done * 100 / total);
        if (terminal) {
            if (finished) return;
            long now = System.nanoTime();
            if (done < total && now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            int filled = percent * WIDTH / 100;
            err.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + percent + "% " + barText);
            if (done >= total) {
                finished = true;
                err.println();
            }
            err.flush();
        } else {
            int tenth = percent / 10;
            if (tenth > lastTenth) {
                lastTenth = tenth;
                err.println(lineText + " (" + percent + "%)");
                err.flush();
            }
        }
    }
}
