package org.meterhub.app.dataprotection;

import java.util.function.Consumer;

/** Progress lines on stderr when a person is watching (a terminal), nothing in scripts and pipes. */
final class Progress {
    private Progress() {
    }

    static Consumer<String> onTerminal() {
        return System.console() == null ? s -> { } : s -> System.err.println("  " + s);
    }
}
