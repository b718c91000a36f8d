package org.meterhub.app.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.meterhub.app.Main;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.prepaid.PurchaseStore;
import org.meterhub.gateway.command.CommandStatus;
import org.meterhub.gateway.command.CommandStore;
import org.meterhub.gateway.command.CommandType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line side: commands send/list and purchases import, with their exit codes. */
class MqttCliTest {
    @TempDir
    Path dir;

    @Test
    void commandsSendStoresOnceAndRefusesAnotherCommandUnderTheSameId() {
        String db = dir.resolve("cmd.db").toString();
        String store = knownMeterStore();
        assertThat(Main.run("commands", "send", "--commands", db, "--store", store, "--reason", "paid at the hall", "--id", "k1",
                "--meter", "31000000000001", "--cmd", "credit", "--amount-m3", "12.5")).isZero();
        assertThat(Main.run("commands", "send", "--commands", db, "--store", store, "--reason", "paid at the hall", "--id", "k1",
                "--meter", "31000000000001", "--cmd", "credit", "--amount-m3", "12.500")).isZero();
        assertThat(Main.run("commands", "send", "--commands", db, "--store", store, "--reason", "r", "--id", "k1",
                "--meter", "31000000000001", "--cmd", "valve_open")).isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("commands", "send", "--commands", db, "--store", store, "--reason", "r", "--id", "k2",
                "--meter", "31000000000001", "--cmd", "explode")).isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("commands", "send", "--commands", db, "--store", store, "--reason", "r", "--id", "k3",
                "--meter", "31000000000001", "--cmd", "credit", "--amount-m3", "1.0001")).isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("commands", "list", "--commands", db)).isZero();
        try (CommandStore commands = new CommandStore(dir.resolve("cmd.db"))) {
            assertThat(commands.list(null, 10)).singleElement().satisfies(r -> {
                assertThat(r.command().type()).isEqualTo(CommandType.CREDIT);
                assertThat(r.command().amount()).isEqualByComparingTo("12.5");
                assertThat(r.status()).isEqualTo(CommandStatus.PENDING);
            });
        }
    }

    /** Valve and credit commands say why, go only to known meters, and leave an audit row naming who asked and why. */
    @Test
    void commandsSendNeedsAReasonAndAKnownMeterAndIsAudited() {
        String db = dir.resolve("cmd.db").toString();
        String store = knownMeterStore();
        assertThat(Main.run("commands", "send", "--commands", db, "--store", store, "--id", "v1", "--meter", "31000000000001",
                "--cmd", "valve_close")).as("no --reason").isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("commands", "send", "--commands", db, "--store", store, "--reason", "leak reported", "--id", "v2",
                "--meter", "31000000000999", "--cmd", "valve_close")).as("unknown meter").isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("commands", "send", "--commands", db, "--store", store, "--reason", "leak reported by neighbour",
                "--id", "v3", "--meter", "31000000000001", "--cmd", "valve_close")).isZero();
        try (CommandStore commands = new CommandStore(dir.resolve("cmd.db"))) {
            assertThat(commands.list(null, 10)).extracting(r -> r.command().id()).containsExactly("v3");
        }
        try (TimeSeriesStore s = org.meterhub.app.config.CliArgs.store(store)) {
            assertThat(s.auditTrail(Instant.EPOCH, Instant.now().plusSeconds(60))).singleElement().satisfies(a -> {
                assertThat(a.actor()).isEqualTo(System.getProperty("user.name"));
                assertThat(a.action()).isEqualTo("cli commands send");
                assertThat(a.subject()).isEqualTo("31000000000001");
                assertThat(a.detail()).contains("cmd=valve_close").contains("reason=leak reported by neighbour");
            });
        }
    }

    private String knownMeterStore() {
        String url = "jdbc:sqlite:" + dir.resolve("mh.db");
        try (TimeSeriesStore s = org.meterhub.app.config.CliArgs.store(url)) {
            s.registerMeter(new MeterInfo("31000000000001", Medium.GAS, 0, Instant.parse("2026-01-01T00:00:00Z"),
                    MeterInfo.CJT188_CAPACITY_L));
        }
        return url;
    }

    @Test
    void purchasesImportKeepsGoodLinesReportsBadOnesAndIsIdempotent() throws Exception {
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "purchase_id,meter,time,amount_m3\nA,31000000000001,2026-11-24T08:00,20\nB,x,2026-11-24,1\n");
        String store = "jdbc:sqlite:" + dir.resolve("mh.db");
        assertThat(Main.run("purchases", "import", csv.toString(), "--store", store)).isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("purchases", "import", csv.toString(), "--store", store)).isEqualTo(Main.EXIT_USAGE);
        try (PurchaseStore s = new PurchaseStore(store)) {
            assertThat(s.all()).extracting(p -> p.purchaseId()).containsExactly("A");
        }
        assertThat(Main.run("purchases", "import", dir.resolve("missing.csv").toString(), "--store", store))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("purchases", "import", csv.toString(), "--store", "jdbc:mysql://x/y"))
                .isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void mqttSimRefusesAnImpossibleFleet() {
        assertThat(Main.run("mqtt-sim", "--meters", "100001")).isEqualTo(Main.EXIT_USAGE);
    }
}
