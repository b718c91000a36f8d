package org.meterhub.app.leak;

import picocli.CommandLine.Command;

/** {@code meterhub leak}: leak detection tools. */
@Command(name = "leak", mixinStandardHelpOptions = true, description = "Leak detection: score it on labelled data.",
        subcommands = {LeakEvaluateCommand.class})
public final class LeakCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
