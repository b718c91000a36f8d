package org.meterhub.app.runtime;

import java.io.PrintStream;

/**
 * One line of live status. On a terminal it rewrites itself in place; in a log (CI, pipes) it
 * prints a new line each time so nothing is lost.
 */
public final class StatusLine {
    private final PrintStream out;
    private final boolean terminal;
    private int lastLength;

    public StatusLine(PrintStream out) {
        this.out = out;
        this.terminal = System.console() != null;
    }

    public void show(String text) {
        if (terminal) {
            StringBuilder sb = new StringBuilder("\r").append(text);
            for (int i = text.length(); i < lastLength; i++) sb.append(' ');
            out.print(sb);
            lastLength = text.length();
        } else {
            out.println(text);
        }
        out.flush();
    }

    public void end() {
        if (terminal && lastLength > 0) out.println();
        lastLength = 0;
    }
}
