package org.meterhub.app.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * The gateway process's YAML file (see README, "Configuration"). Every field has a default, so
 * an empty file is valid; unknown fields are errors.
 */
public record GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses,
                            JournalSection journal) {
    /** Without a journal section: the defaults of {@link JournalSection}. */
    public GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses) {
        this(zone, store, dtu, poll, buses, null);
    }

    public GatewayConfig {
        journal = journal != null ? journal : JournalSection.defaults();
        zone = zone != null ? zone : ZoneId.of("Asia/Shanghai");
        store = store != null ? store : "jdbc:sqlite:data/meterhub.db";
        dtu = dtu != null ? dtu : new DtuSection(null, null, null, null, null, null);
        poll = poll != null ? poll : new PollSection(null, null, null, null, null, null, null, null, null);
        buses = buses != null ? List.copyOf(buses) : List.of();
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig(null, null, null, null, null);
    }

    /** The DTU dial-in server (protocols.md §2). */
    public record DtuSection(String listen, Duration registrationTimeout, Duration idleTimeout, String heartbeat,
                             Integer maxBytesWithoutFrame, Integer preambleBytes) {
        public DtuSection {
            listen = listen != null ? listen : "0.0.0.0:7700";
            try {
                HostPort.parse(listen);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("listen: " + e.getMessage());
            }
            registrationTimeout = positive(registrationTimeout, Duration.ofSeconds(10), "registration-timeout");
            idleTimeout = positive(idleTimeout, Duration.ofMinutes(5), "idle-timeout");
            heartbeat = heartbeat != null ? heartbeat : "HB\n";
            if (heartbeat.isEmpty()) throw new IllegalArgumentException("heartbeat: expected a non-empty string");
            maxBytesWithoutFrame = range(maxBytesWithoutFrame, 4096, 128, 1 << 20, "max-bytes-without-frame");
            preambleBytes = range(preambleBytes, 2, 0, 4, "preamble-bytes");
        }
    }

    /** How each bus is polled. */
    public record PollSection(Duration interval, Duration jitter, Duration timeout, Duration interFrameDelay,
                              Integer retries, Duration retryBackoff, Integer degradeAfter, Integer degradeFactor,
                              Duration maxClockSkew) {
        public PollSection {
            interval = positive(interval, Duration.ofMinutes(15), "interval");
            jitter = jitter != null ? jitter : Duration.ofSeconds(30);
            timeout = positive(timeout, Duration.ofSeconds(2), "timeout");
            interFrameDelay = interFrameDelay != null ? interFrameDelay : Duration.ofMillis(20);
            retries = range(retries, 2, 0, 10, "retries");
            retryBackoff = positive(retryBackoff, Duration.ofMillis(200), "retry-backoff");
            degradeAfter = range(degradeAfter, 3, 1, 1000, "degrade-after");
            degradeFactor = range(degradeFactor, 4, 1, 1000, "degrade-factor");
            maxClockSkew = positive(maxClockSkew, Duration.ofMinutes(10), "max-clock-skew");
        }
    }

    /** One DTU id and the meters on its RS-485 bus. */
    public record BusSection(String dtu, String protocol, List<MeterSection> meters) {
        public BusSection {
            if (dtu == null || !dtu.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("expected a DTU id of 1-64 letters, digits, '_' or '-', got "
                        + (dtu == null ? "nothing" : "\"" + dtu + "\""));
            }
            protocol = protocol != null ? protocol : "cjt188";
            if (!protocol.equals("cjt188")) {
                throw new IllegalArgumentException("expected protocol cjt188, got \"" + protocol + "\"");
            }
            meters = meters != null ? List.copyOf(meters) : List.of();
        }
    }

    /**
     * @param address 14 BCD digits on the bus; defaults to the id
     * @param type    gas, cold-water, hot-water, drinking-water, reclaimed-water
     * @param diOrder high-first (90 1F) or low-first (1F 90)
     * @param baseReadingL register at commissioning, litres; consumption before the first read counts from it
     */
    public record MeterSection(String id, String address, String type, String diOrder, Long baseReadingL) {
        public MeterSection {
            if (id == null || id.isBlank()) throw new IllegalArgumentException("expected a meter id");
            address = address != null ? address : id;
            if (!address.matches("\\d{14}")) {
                throw new IllegalArgumentException("expected a 14-digit meter address, got \"" + address + "\"");
            }
            type = type != null ? type : "gas";
            MeterTypes.code(type);
            diOrder = diOrder != null ? diOrder : "high-first";
            if (!diOrder.equals("high-first") && !diOrder.equals("low-first")) {
                throw new IllegalArgumentException("expected di-order high-first or low-first, got \"" + diOrder + "\"");
            }
            if (baseReadingL != null && baseReadingL < 0) {
                throw new IllegalArgumentException("expected a base reading >= 0 litres, got " + baseReadingL);
            }
        }
    }

    /**
     * The store-and-forward journal (docs/store-and-forward.md). Without {@code forward-to} the engine
     * runs in this process and the journal hands over in memory.
     *
     * @param path      SQLite file; default next to a SQLite store ({@code <store>.journal}), else data/journal.db
     * @param maxSize   disk bound, e.g. 256MiB, 2GiB, or bytes
     * @param alarmAt   percentage of max-size that raises the "nearly full" alarm
     * @param forwardTo {@code mqtt://host:1883}: the engine is remote
     */
    public record JournalSection(String path, String maxSize, Integer alarmAt, Integer partitions, String durability,
                                 String forwardTo, String gatewayId, Integer batchSize, Duration ackTimeout,
                                 String topicPrefix) {
        public JournalSection {
            if (maxSize != null) ByteSizes.parse(maxSize);
            alarmAt = range(alarmAt, 80, 1, 99, "alarm-at");
            partitions = range(partitions, 16, 1, 1024, "partitions");
            durability = durability != null ? durability : "full";
            if (!durability.equals("full") && !durability.equals("normal")) {
                throw new IllegalArgumentException("durability: expected full or normal, got \"" + durability + "\"");
            }
            if (forwardTo != null && !forwardTo.matches("mqtt://[^/:]+(:\\d{1,5})?")) {
                throw new IllegalArgumentException("forward-to: expected mqtt://host:port, got \"" + forwardTo + "\"");
            }
            gatewayId = gatewayId != null ? gatewayId : "gw-1";
            if (!gatewayId.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("gateway-id: expected 1-64 letters, digits, '_', '-' or '.', got \""
                        + gatewayId + "\"");
            }
            batchSize = range(batchSize, 500, 1, 10_000, "batch-size");
            ackTimeout = positive(ackTimeout, Duration.ofSeconds(10), "ack-timeout");
            topicPrefix = topicPrefix != null ? topicPrefix : "meterhub";
        }

        public static JournalSection defaults() {
            return new JournalSection(null, null, null, null, null, null, null, null, null, null);
        }

        public long maxBytes() {
            return maxSize == null ? 256L << 20 : ByteSizes.parse(maxSize);
        }
    }

    static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) return fallback;
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + ": expected a positive duration, got " + Durations.format(value));
        }
        return value;
    }

    static int range(Integer value, int fallback, int min, int max, String name) {
        if (value == null) return fallback;
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": expected an integer from " + min + " to " + max + ", got " + value);
        }
        return value;
    }
}
