package org.meterhub.app.security;

import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.security.PurposePolicy;
import picocli.CommandLine.Option;

/**
 * {@code --purpose TEXT} of the commands that read a household's data from the store: kept in their audit row beside
 * who read what (docs/security.md). The command line has no login and no role, so it cannot be made to require one;
 * the utility's rules can, and {@code meterhub audit} shows who gave none.
 */
public final class PurposeOption {
    @Option(names = "--purpose", paramLabel = "TEXT",
            description = "Why you read this data (e.g. a case or request reference); kept in the audit row.")
    String purpose;

    /** The purpose, cleaned; empty when none was given. */
    public String value() {
        try {
            return PurposePolicy.clean(purpose);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--purpose: " + e.getMessage());
        }
    }
}
