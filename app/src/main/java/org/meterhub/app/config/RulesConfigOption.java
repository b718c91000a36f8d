package org.meterhub.app.config;

import java.nio.file.Path;
import org.meterhub.app.alarm.DeadlinesOption;
import org.meterhub.engine.ingest.IngestRules;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} of the head-end processes ({@code engine-intake}, {@code mqtt-gateway}): the engine's rule
 * settings read from the gateway YAML the single box runs with, through {@link GatewayConfig#ruleOptions()} as
 * {@code meterhub gateway} and {@code import readings --config} read them (zone, vee, leak incl. per-class settings and
 * valves, evc, clock.max-backfill, alarms.deadlines). The whole file is validated; its other sections (store,
 * buses, journal, ...) do not apply to these processes and are not used.
 */
public final class RulesConfigOption {
    @Option(names = "--config", paramLabel = "FILE", description = "A gateway YAML whose rule settings (zone, vee, leak, evc,"
            + " clock.max-backfill, alarms.deadlines) the engine's rules use; its other sections are not used"
            + " (default: the built-in settings).")
    Path file;

    private GatewayConfig loaded;

    public Path path() {
        return file;
    }

    /**
     * The rule settings: the file's, or the defaults without one. The deadlines come from {@code --deadlines} or the
     * file's {@code alarms.deadlines}; both at once is an error (two sources of regulated numbers, neither would
     * silently win).
     *
     * @throws ConfigException one line naming the file, the line and the field
     */
    public IngestRules.Options options(DeadlinesOption deadlines) {
        if (file == null) return IngestRules.Options.defaults().withDeadlines(deadlines.load().alarmDeadlines());
        GatewayConfig cfg = config();
        String inFile = cfg.alarms().deadlines();
        if (inFile != null && deadlines.path() != null) {
            throw new ConfigException("--deadlines: " + file + " names a deadlines file too (alarms.deadlines: " + inFile
                    + "); give it once, with --deadlines or in --config");
        }
        IngestRules.Options options = cfg.ruleOptions();
        return deadlines.path() != null ? options.withDeadlines(deadlines.load().alarmDeadlines()) : options;
    }

    /** The deadlines file in effect (for the settings audit), or null for the built-in numbers. */
    public Path deadlinesPath(DeadlinesOption deadlines) {
        if (deadlines.path() != null || file == null) return deadlines.path();
        String inFile = config().alarms().deadlines();
        return inFile == null ? null : Path.of(inFile);
    }

    /** Puts the files these settings come from on record in the store (docs/security.md), as {@code meterhub gateway} does. */
    public void recordAtStart(String storeUrl, DeadlinesOption deadlines) {
        if (file != null) org.meterhub.app.security.SettingsAudit.recordAtStart(storeUrl, "gateway", file);
        org.meterhub.app.security.SettingsAudit.recordAtStart(storeUrl, "deadlines", deadlinesPath(deadlines));
    }

    private GatewayConfig config() {
        if (loaded == null) loaded = new ConfigLoader().load(file, GatewayConfig.class);
        return loaded;
    }
}
