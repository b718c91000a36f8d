package org.meterhub.engine.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.gateways.BusStatus;
import org.meterhub.engine.gateways.GatewayHealth;
import org.meterhub.engine.gateways.GatewayStatus;
import org.meterhub.engine.gateways.GatewayStatusCodec;
import org.meterhub.engine.gateways.JdbcGatewayStatus;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * A gateway with two buses, one of them failing, reports its status; the Gateways page and {@code GET
 * /api/v1/gateways/buses} show both buses with the same numbers and the right states, judged by the thresholds.
 */
class GatewayBusesTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final Duration HOUR = Duration.ofHours(1);

    static GatewayStatus twoBuses() {
        return new GatewayStatus("gw-east-3", NOW.minusSeconds(4), 1, 1, 8, 8, 5_000, 30, 0, "OK", List.of(
                new BusStatus("dtu-cjt188", "DTU-0007", true, 96, 0, HOUR, NOW.minusSeconds(40), null, null),
                new BusStatus("modbus-tcp", "10.0.3.7:502", true, 0, 12, HOUR, null, NOW.minusSeconds(70), "timeout")));
    }

    @Test
    void pageAndApiShowBothBusesWithTheirStates(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("gw.db");
        try (TimeSeriesStore store = StoreFactory.open(url); SqlDatabase db = SqlDatabase.open(url)) {
            // the report goes over the wire as a forwarding gateway sends it, and is stored as engine-intake stores it
            GatewayStatusCodec codec = new GatewayStatusCodec();
            GatewayStatus sent = twoBuses();
            GatewayStatus received = codec.decode(codec.encode(sent));
            assertThat(received).isEqualTo(sent);
            new JdbcGatewayStatus(db).save(received);

            Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
            GatewayHealth health = new GatewayHealth(db, GatewayHealth.Settings.defaults());
            String html = new GatewaysPage(clock, ZONE, health).render();
            String dtu = row(html, "DTU-0007");
            assertThat(dtu).contains("state-ok").contains("<td class=\"kind\">dtu-cjt188</td>")
                    .contains("<td class=\"bus-ok\">96</td>").contains("<td class=\"bus-failed\">0</td>")
                    .contains("2026-12-07T09:59:20+08:00").contains("40 s ago");
            String modbus = row(html, "10.0.3.7:502");
            assertThat(modbus).contains("state-down").contains("no poll gave a reading in the last 1 h")
                    .contains("<td class=\"bus-ok\">0</td>").contains("<td class=\"bus-failed\">12</td>")
                    .contains("never since the gateway started").contains("timeout").contains("70 s ago");
            assertThat(html).contains("<td class=\"bus-states\">1 ok, 1 down</td>");

            try (ApiServer api = ApiServer.builder(store, ZONE, clock).address(new InetSocketAddress("127.0.0.1", 0))
                    .threads(1).gateways(health).start()) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + api.address().getPort() + "/api/v1/gateways";
                JsonNode buses = get(http, base + "/buses");
                assertThat(buses.get("count").intValue()).isEqualTo(2);
                assertThat(buses.get("degraded_percent").intValue()).isEqualTo(20);
                JsonNode a = buses.get("buses").get(0);
                assertThat(a.get("name").textValue()).isEqualTo("DTU-0007");
                assertThat(a.get("state").textValue()).isEqualTo("ok");
                assertThat(a.get("polls_ok").longValue()).isEqualTo(96);
                assertThat(a.get("last_ok").textValue()).isEqualTo("2026-12-07T09:59:20+08:00");
                JsonNode b = buses.get("buses").get(1);
                assertThat(b.get("kind").textValue()).isEqualTo("modbus-tcp");
                assertThat(b.get("state").textValue()).isEqualTo("down");
                assertThat(b.get("polls_failed").longValue()).isEqualTo(12);
                assertThat(b.get("failed_percent").textValue()).isEqualTo("100.0");
                assertThat(b.get("last_error").textValue()).isEqualTo("timeout");
                assertThat(b.get("last_ok").isNull()).isTrue();
                JsonNode gateways = get(http, base);
                JsonNode g = gateways.get("gateways").get(0);
                assertThat(g.get("gateway").textValue()).isEqualTo("gw-east-3");
                assertThat(g.get("reporting").booleanValue()).isTrue();
                assertThat(g.get("buses_ok").intValue()).isEqualTo(1);
                assertThat(g.get("buses_down").intValue()).isEqualTo(1);
                assertThat(g.get("buses_degraded").intValue()).isZero();
            }

            // a lower down threshold and a degraded one: the same numbers, other states
            GatewayHealth strict = new GatewayHealth(db, new GatewayHealth.Settings(5, 50));
            new JdbcGatewayStatus(db).save(new GatewayStatus("gw-east-3", NOW, 1, 1, 8, 8, 5_000, 30, 0, "OK", List.of(
                    new BusStatus("dtu-cjt188", "DTU-0007", true, 90, 6, HOUR, NOW, NOW, "bad_reply"),
                    new BusStatus("modbus-tcp", "10.0.3.7:502", true, 5, 5, HOUR, NOW, NOW, "timeout"),
                    new BusStatus("serial-cjt188", "/dev/ttyS1", false, 0, 0, HOUR, null, null, null))));
            List<GatewayHealth.Bus> judged = strict.all(NOW).get(0).buses();
            assertThat(judged).extracting(GatewayHealth.Bus::state).containsExactly(GatewayHealth.State.DEGRADED,
                    GatewayHealth.State.DOWN, GatewayHealth.State.DOWN);
            assertThat(judged.get(0).why()).isEqualTo("6.2 % of polls failed in the last 1 h (degraded from 5 %)");
            assertThat(judged.get(2).why()).isEqualTo("not connected");
            assertThat(new GatewayHealth(db, GatewayHealth.Settings.defaults()).all(NOW).get(0).buses())
                    .extracting(GatewayHealth.Bus::state).containsExactly(GatewayHealth.State.OK,
                            GatewayHealth.State.DEGRADED, GatewayHealth.State.DOWN);
        }
    }

    @Test
    void thresholdsAreCheckedAndAMalformedBusIsRefused() {
        assertThatThrownBy(() -> new GatewayHealth.Settings(0, 100)).hasMessageContaining("degraded-percent");
        assertThatThrownBy(() -> new GatewayHealth.Settings(30, 20)).hasMessageContaining("down-percent");
        GatewayStatusCodec codec = new GatewayStatusCodec();
        String json = new String(codec.encode(twoBuses()), java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decode(json.replace("\"connected\":true", "\"connected\":1").getBytes()))
                .hasMessageContaining("buses.connected");
        assertThatThrownBy(() -> codec.decode(json.replace("\"polls_failed\":12", "\"polls_failed\":-1").getBytes()))
                .hasMessageContaining("polls_failed");
        // a report without buses (a gateway from before) is still a status
        String old = json.substring(0, json.indexOf(",\"buses\"")) + "}";
        assertThat(codec.decode(old.getBytes()).buses()).isEmpty();
    }

    private static String row(String html, String bus) {
        int at = html.indexOf("data-bus=\"" + bus + "\"");
        assertThat(at).as(bus + " in " + html).isPositive();
        return html.substring(html.lastIndexOf("<tr", at), html.indexOf("</tr>", at));
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }
}
