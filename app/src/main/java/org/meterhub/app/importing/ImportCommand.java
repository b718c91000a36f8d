package org.meterhub.app.importing;

import picocli.CommandLine.Command;

/** {@code meterhub import}: bring a utility's existing data in. */
@Command(name = "import", mixinStandardHelpOptions = true, description = "Bring existing data in: readings files.",
        subcommands = {ImportReadingsCommand.class})
public final class ImportCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
