package org.meterhub.app.query;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Read-only questions to the store. */
@Command(name = "query", mixinStandardHelpOptions = true, description = "Ask the store: consumption, readings, flags, meter health, district balance, top consumers, accounts to read.",
        subcommands = {ConsumptionCommand.class, ReadingsCommand.class, FlagsCommand.class, HealthCommand.class,
                DistrictCommand.class, TopCommand.class, AccountsCommand.class})
public final class QueryCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
