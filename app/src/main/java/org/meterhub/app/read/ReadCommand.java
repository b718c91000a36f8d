package org.meterhub.app.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.Durations;
import org.meterhub.app.config.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Reads one meter now through a running gateway's admin endpoint. */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Read one meter now through a running gateway (its bus is polled one request at a time, as always).")
public final class ReadCommand implements Callable<Integer> {

    @Option(names = "--gateway", defaultValue = "127.0.0.1:7701",
            description = "The gateway's admin endpoint, host:port (default ${DEFAULT-VALUE}; `admin.listen` in its YAML).")
    String gateway;

    @Option(names = "--meter", required = true, description = "Meter id as configured on the gateway.")
    String meter;

    @Option(names = "--json", description = "Print the gateway's JSON answer as it is.")
    boolean json;

    @Option(names = "--timeout", defaultValue = "60s", description = "How long to wait for the answer (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "Zone for displayed times (default ${DEFAULT-VALUE}).")
    String zone;

    @Option(names = "--token-file", paramLabel = "FILE", description = "The gateway's admin.token-file (needed when its"
            + " admin endpoint is bound beyond loopback).")
    java.nio.file.Path tokenFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HostPort target;
        Duration wait;
        ZoneId displayZone;
        try {
            target = HostPort.parse(gateway);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--gateway: " + e.getMessage());
        }
        try {
            wait = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--timeout: " + e.getMessage());
        }
        displayZone = CliArgs.zone(zone);
        URI uri = URI.create("http://" + target + "/api/v1/meters/" + URLEncoder.encode(meter, StandardCharsets.UTF_8) + "/read");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(wait).POST(HttpRequest.BodyPublishers.noBody());
            if (tokenFile != null) {
                try {
                    request.header("Authorization", "Bearer " + AdminServer.token(tokenFile));
                } catch (ConfigException e) {
                    throw new ConfigException(e.getMessage().replace("admin.token-file:", "--token-file:"));
                }
            }
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("no gateway admin endpoint at " + target + " (is the gateway running, and is admin.listen "
                    + "set to this address?)");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new IOException("the gateway did not answer within " + timeout);
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(response.body());
            return response.statusCode() == 200 ? 0 : 1;
        }
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            throw new IOException("the gateway at " + target + " answered HTTP " + response.statusCode() + " without JSON");
        }
        if (response.statusCode() != 200) {
            spec.commandLine().getErr().println("meterhub: meter " + meter + " not read: " + body.path("message").asText()
                    + " (" + body.path("error").asText() + ")");
            return 1;
        }
        out.printf("meter %s read through the gateway in %d ms%n", body.path("meter").asText(), body.path("elapsed_ms").asLong());
        out.printf("volume    %s m³ (%d L)%n", body.path("volume_m3").asText(), body.path("volume_l").asLong());
        String clock = body.has("meter_time") ? "meter clock" : "receive time";
        out.printf("time      %s (%s)%n", Instant.parse(body.path("time").asText()).atZone(displayZone).toOffsetDateTime(), clock);
        StringBuilder flags = new StringBuilder();
        body.path("flags").forEach(f -> flags.append(flags.length() == 0 ? "" : ", ").append(f.asText()));
        out.printf("flags     %s%n", flags.length() == 0 ? "none" : flags);
        out.printf("status    0x%04X%n", body.path("status_bits").asInt());
        out.printf("source    %s%n", body.path("source").asText());
        return 0;
    }
}
