package org.meterhub.app.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.meterhub.engine.evc.EvcCheck;

/**
 * The gateway process's YAML file (see README, "Configuration"). Every field has a default, so
 * an empty file is valid; unknown fields are errors.
 */
public record GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses,
                            JournalSection journal, List<SerialSection> serial, List<ModbusDeviceSection> modbus,
                            AdminSection admin, AlarmsSection alarms, ClockSection clock, StoreRetrySection storeRetry,
                            EvcSection evc, LeakSection leak, ConsoleSection console, MqttSection mqtt, VeeSection vee) {
    /** With the default {@code vee} section: the validation thresholds of {@link VeeSection#defaults()}. */
    public GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses,
                         JournalSection journal, List<SerialSection> serial, List<ModbusDeviceSection> modbus,
                         AdminSection admin, AlarmsSection alarms, ClockSection clock, StoreRetrySection storeRetry,
                         EvcSection evc, LeakSection leak, ConsoleSection console, MqttSection mqtt) {
        this(zone, store, dtu, poll, buses, journal, serial, modbus, admin, alarms, clock, storeRetry, evc, leak, console,
                mqtt, null);
    }

    /** With the default {@code console} section (docs/console.md) and no {@code mqtt} section (brokers reached without client certificates). */
    public GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses,
                         JournalSection journal, List<SerialSection> serial, List<ModbusDeviceSection> modbus,
                         AdminSection admin, AlarmsSection alarms, ClockSection clock, StoreRetrySection storeRetry,
                         EvcSection evc, LeakSection leak) {
        this(zone, store, dtu, poll, buses, journal, serial, modbus, admin, alarms, clock, storeRetry, evc, leak, null, null);
    }

    /** With the default {@code clock}, {@code store-retry}, {@code evc} and {@code leak} sections. */
    public GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses,
                         JournalSection journal, List<SerialSection> serial, List<ModbusDeviceSection> modbus,
                         AdminSection admin, AlarmsSection alarms) {
        this(zone, store, dtu, poll, buses, journal, serial, modbus, admin, alarms, null, null, null, null);
    }

    /** Without alarm publishing settings: alarms stay in the store only. */
    public GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses,
                         JournalSection journal, List<SerialSection> serial, List<ModbusDeviceSection> modbus,
                         AdminSection admin) {
        this(zone, store, dtu, poll, buses, journal, serial, modbus, admin, null);
    }

    /** Without a journal section: the defaults of {@link JournalSection}. */
    public GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses) {
        this(zone, store, dtu, poll, buses, null);
    }

    /** Without local serial lines, Modbus devices or admin settings (docs/southbound.md). */
    public GatewayConfig(ZoneId zone, String store, DtuSection dtu, PollSection poll, List<BusSection> buses,
                         JournalSection journal) {
        this(zone, store, dtu, poll, buses, journal, null, null, null);
    }

    /** The same file with another dial-in section (e.g. from {@code --listen}). */
    public GatewayConfig withDtu(DtuSection newDtu) {
        return new GatewayConfig(zone, store, newDtu, poll, buses, journal, serial, modbus, admin, alarms, clock,
                storeRetry, evc, leak, console, mqtt, vee);
    }

    public GatewayConfig {
        journal = journal != null ? journal : JournalSection.defaults();
        zone = zone != null ? zone : ZoneId.of("Asia/Shanghai");
        store = store != null ? store : "jdbc:sqlite:data/meterhub.db";
        dtu = dtu != null ? dtu : new DtuSection(null, null, null, null, null, null);
        poll = poll != null ? poll : new PollSection(null, null, null, null, null, null, null, null, null, null, null);
        buses = buses != null ? List.copyOf(buses) : List.of();
        serial = serial != null ? List.copyOf(serial) : List.of();
        modbus = modbus != null ? List.copyOf(modbus) : List.of();
        admin = admin != null ? admin : new AdminSection(null, null);
        alarms = alarms != null ? alarms : new AlarmsSection(null, null, null);
        clock = clock != null ? clock : ClockSection.defaults();
        storeRetry = storeRetry != null ? storeRetry : new StoreRetrySection(null, null);
        evc = evc != null ? evc : new EvcSection(null, null, null, null);
        leak = leak != null ? leak : LeakSection.defaults();
        console = console != null ? console : ConsoleSection.defaults();
        mqtt = mqtt != null ? mqtt : MqttSection.defaults();
        vee = vee != null ? vee : VeeSection.defaults();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (BusSection b : buses) b.meters().forEach(m -> unique(ids, m.id()));
        for (SerialSection b : serial) b.meters().forEach(m -> unique(ids, m.id()));
        for (ModbusDeviceSection b : modbus) b.meters().forEach(m -> unique(ids, m.id()));
    }

    private static void unique(java.util.Set<String> ids, String id) {
        if (!ids.add(id)) throw new IllegalArgumentException("meter id \"" + id + "\" appears on more than one bus or twice on one");
    }

    /**
     * What the engine's rules take from this file: zone, validation thresholds ({@code vee}), leak thresholds, valve
     * policy, alarm deadlines, and
     * {@code clock.max-backfill}: how far back a late day is still judged by the leak detectors (as far as the
     * gateway trusts a meter's past {@code ts}).
     */
    public org.meterhub.engine.ingest.IngestRules.Options ruleOptions() {
        return new org.meterhub.engine.ingest.IngestRules.Options(vee.settings(),
                leak.settings(), zone, leak.valves(), evc.settings(), DeadlinesFile.load(alarms.deadlines()).alarmDeadlines(),
                clock.maxBackfill()).withLeakDetection(leak.enabled());
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig(null, null, null, null, null);
    }

    /**
     * The DTU dial-in server (protocols.md §2).
     *
     * @param heartbeatTimeout a connected DTU silent this long may be replaced by a newcomer with its id and no
     *                         proof (a half-open tunnel); before that such a newcomer is refused and alarmed
     */
    public record DtuSection(String listen, Duration registrationTimeout, Duration idleTimeout, String heartbeat,
                             Integer maxBytesWithoutFrame, Integer preambleBytes, Duration heartbeatTimeout) {
        public DtuSection(String listen, Duration registrationTimeout, Duration idleTimeout, String heartbeat,
                          Integer maxBytesWithoutFrame, Integer preambleBytes) {
            this(listen, registrationTimeout, idleTimeout, heartbeat, maxBytesWithoutFrame, preambleBytes, null);
        }

        /** The same settings listening elsewhere (a command-line --listen, the demo's loopback port). */
        public DtuSection withListen(String newListen) {
            return new DtuSection(newListen, registrationTimeout, idleTimeout, heartbeat, maxBytesWithoutFrame,
                    preambleBytes, heartbeatTimeout);
        }

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
            // default: two missed heartbeats at the common 60 s interval, but never past the idle timeout
            Duration defaultHeartbeatTimeout = idleTimeout.compareTo(Duration.ofMinutes(2)) < 0 ? idleTimeout : Duration.ofMinutes(2);
            heartbeatTimeout = positive(heartbeatTimeout, defaultHeartbeatTimeout, "heartbeat-timeout");
            if (heartbeatTimeout.compareTo(idleTimeout) > 0) {
                throw new IllegalArgumentException("heartbeat-timeout: " + heartbeatTimeout + " is longer than idle-timeout "
                        + idleTimeout + "; a tunnel that silent is closed before it could be replaced");
            }
        }
    }

    /**
     * How each bus is polled.
     *
     * @param interval        each meter's read interval unless the meter sets its own {@code read-interval}
     * @param firstPollSpread the first polls of a bus that just appeared (a DTU registered, a port opened) come
     *                        at random within this window; default {@code jitter}. A full {@code interval} spreads
     *                        a district of DTUs redialling at once
     * @param confirmationReads on a noisy CJ/T 188 line, confirmation reads per poll (1..10, default 2); a poll
     *                        whose replies never agree fails and the meter waits for its next interval
     */
    public record PollSection(Duration interval, Duration jitter, Duration timeout, Duration interFrameDelay,
                              Integer retries, Duration retryBackoff, Integer degradeAfter, Integer degradeFactor,
                              Duration maxClockSkew, Duration firstPollSpread, Integer confirmationReads) {
        /** Without a first-poll spread of its own: spread over {@code jitter}. */
        public PollSection(Duration interval, Duration jitter, Duration timeout, Duration interFrameDelay,
                           Integer retries, Duration retryBackoff, Integer degradeAfter, Integer degradeFactor,
                           Duration maxClockSkew) {
            this(interval, jitter, timeout, interFrameDelay, retries, retryBackoff, degradeAfter, degradeFactor,
                    maxClockSkew, null, null);
        }

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
            firstPollSpread = firstPollSpread != null ? firstPollSpread : jitter;
            confirmationReads = range(confirmationReads, 2, 1, 10, "confirmation-reads");
        }
    }

    /**
     * One DTU id and the meters on its RS-485 bus.
     *
     * @param secret what the DTU sends after its id ({@code DTU-0001:secret}) to prove who it is
     * @param iccid  or the ICCID of its SIM, sent the same way
     * @param imei   or its modem's IMEI, sent the same way. With any of the three set, a registration of this id
     *               without one of them is refused (protocols.md §2)
     */
    public record BusSection(String dtu, String protocol, List<MeterSection> meters, String secret, String iccid,
                             String imei) {
        public BusSection(String dtu, String protocol, List<MeterSection> meters) {
            this(dtu, protocol, meters, null, null, null);
        }

        /** The proofs configured for this DTU, for the dial-in server. */
        public java.util.Set<String> proofs() {
            java.util.Set<String> p = new java.util.HashSet<>();
            for (String s : new String[] {secret, iccid, imei}) if (s != null) p.add(s);
            return p;
        }

        public BusSection {
            if (secret != null && !secret.matches("[\\x21-\\x7E]{12,128}")) {
                throw new IllegalArgumentException("secret: expected 12 to 128 printable ASCII characters without spaces");
            }
            if (iccid != null && !iccid.matches("[0-9]{19,20}")) {
                throw new IllegalArgumentException("iccid: expected the SIM's 19 or 20 digits");
            }
            if (imei != null && !imei.matches("[0-9]{15}")) {
                throw new IllegalArgumentException("imei: expected the modem's 15 digits");
            }
            if (dtu == null || !dtu.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("expected a DTU id of 1-64 letters, digits, '_' or '-', got "
                        + (dtu == null ? "nothing" : "\"" + dtu + "\""));
            }
            protocol = busProtocol(protocol);
            meters = meters != null ? List.copyOf(meters) : List.of();
            checkMeters(protocol, meters);
        }
    }

    static String busProtocol(String protocol) {
        if (protocol == null) return "cjt188";
        if (!protocol.equals("cjt188") && !protocol.equals("modbus-rtu")) {
            throw new IllegalArgumentException("protocol: expected cjt188 or modbus-rtu, got \"" + protocol + "\"");
        }
        return protocol;
    }

    /** Every meter of a bus speaks the bus's protocol: CJ/T 188 meters have addresses, Modbus ones unit ids. */
    static void checkMeters(String protocol, List<MeterSection> meters) {
        for (int i = 0; i < meters.size(); i++) {
            MeterSection m = meters.get(i);
            if (protocol.equals("cjt188") && m.isModbus()) {
                throw new IllegalArgumentException("meters[" + i + "] (" + m.id() + ") has a Modbus unit/profile, but the bus "
                        + "protocol is cjt188 (set protocol: modbus-rtu)");
            }
            if (!protocol.equals("cjt188") && !m.isModbus()) {
                throw new IllegalArgumentException("meters[" + i + "] (" + m.id() + ") needs a unit (Modbus slave id) on a "
                        + protocol + " bus");
            }
            if (protocol.equals("modbus-rtu") && m.unit() > 247) {
                throw new IllegalArgumentException("meters[" + i + "] (" + m.id() + ") unit " + m.unit()
                        + ": an RTU slave id is 1..247");
            }
        }
    }

    /**
     * A local RS-485 port (docs/southbound.md).
     *
     * @param parity          none, even or odd (8 data bits, 1 stop bit)
     * @param interFrameDelay silence before each request; never less than 3.5 characters
     */
    public record SerialSection(String port, Integer baud, String parity, String protocol, Duration interFrameDelay,
                                List<MeterSection> meters) {
        public SerialSection {
            if (port == null || port.isBlank()) throw new IllegalArgumentException("port: expected a device path such as /dev/ttyUSB0");
            baud = range(baud, 9600, 1200, 115_200, "baud");
            parity = parity != null ? parity : "even";
            if (!parity.equals("none") && !parity.equals("even") && !parity.equals("odd")) {
                throw new IllegalArgumentException("parity: expected none, even or odd, got \"" + parity + "\"");
            }
            protocol = busProtocol(protocol);
            interFrameDelay = interFrameDelay != null ? interFrameDelay : Duration.ofMillis(20);
            meters = meters != null ? List.copyOf(meters) : List.of();
            checkMeters(protocol, meters);
        }
    }

    /**
     * A Modbus device the gateway connects to: a Modbus TCP device or gateway, or an RS-485/Ethernet
     * converter in transparent mode (RTU frames over TCP).
     *
     * @param connect   host:port
     * @param transport tcp or rtu-over-tcp
     */
    public record ModbusDeviceSection(String connect, String transport, List<MeterSection> meters) {
        public ModbusDeviceSection {
            if (connect == null) throw new IllegalArgumentException("connect: expected host:port such as 10.0.0.5:502");
            try {
                HostPort hp = HostPort.parse(connect);
                if (hp.port() == 0) throw new IllegalArgumentException("expected a port from 1 to 65535 in \"" + connect + "\"");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("connect: " + e.getMessage());
            }
            transport = transport != null ? transport : "tcp";
            if (!transport.equals("tcp") && !transport.equals("rtu-over-tcp")) {
                throw new IllegalArgumentException("transport: expected tcp or rtu-over-tcp, got \"" + transport + "\"");
            }
            meters = meters != null ? List.copyOf(meters) : List.of();
            checkMeters(transport.equals("tcp") ? "modbus-tcp" : "modbus-rtu", meters);
        }
    }

    /**
     * The gateway's local admin endpoint ({@code POST /api/v1/meters/{id}/read}, {@code /metrics}, {@code /health}).
     *
     * @param listen    host:port; loopback by default
     * @param tokenFile a file holding the bearer token every request but {@code /health/live|ready} must carry; required
     *                  when {@code listen} is not a loopback address (on-demand reads reach the meters' buses)
     */
    public record AdminSection(String listen, Boolean enabled, String tokenFile) {
        public AdminSection {
            listen = listen != null ? listen : "127.0.0.1:7701";
            HostPort hp;
            try {
                hp = HostPort.parse(listen);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("listen: " + e.getMessage());
            }
            enabled = enabled == null || enabled;
            if (enabled && tokenFile == null && !loopback(hp.host())) {
                throw new IllegalArgumentException("token-file: required when listen (" + listen + ") is not a loopback"
                        + " address: a file holding the token admin requests must carry");
            }
        }

        /** Loopback only, without a token. */
        public AdminSection(String listen, Boolean enabled) {
            this(listen, enabled, null);
        }

        private static boolean loopback(String host) {
            try {
                return java.net.InetAddress.getByName(host).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false; // cannot tell: ask for a token
            }
        }
    }

    /**
     * Alarm publishing (docs/metering-engine.md): every alarm change as JSON on
     * {@code <topic-prefix>/alarms/<subject>} at QoS 1. Without {@code mqtt}, alarms stay in the store only.
     *
     * @param mqtt        broker, {@code tcp://host:1883} or {@code ssl://host:8883}
     * @param topicPrefix put before {@code alarms/}; none by default
     * @param clientId    stable per gateway (persistent session); default meterhub-alarms
     * @param storeDownAfter how long the store may be DOWN before the process alarm STORE_DOWN goes out (default 60s)
     * @param deadlines      a deadlines YAML file (docs/alarms.md); the domain rules' response times without it
     */
    public record AlarmsSection(String mqtt, String topicPrefix, String clientId, Duration storeDownAfter, String deadlines) {
        /** A store DOWN this long raises the process alarm STORE_DOWN (shorter blips only the log and /health). */
        public static final Duration DEFAULT_STORE_DOWN_AFTER = Duration.ofSeconds(60);

        /** Without a deadlines file: the domain rules' response times. */
        public AlarmsSection(String mqtt, String topicPrefix, String clientId, Duration storeDownAfter) {
            this(mqtt, topicPrefix, clientId, storeDownAfter, null);
        }

        public AlarmsSection(String mqtt, String topicPrefix, String clientId) {
            this(mqtt, topicPrefix, clientId, null, null);
        }

        public AlarmsSection {
            storeDownAfter = storeDownAfter != null ? storeDownAfter : DEFAULT_STORE_DOWN_AFTER;
            if (storeDownAfter.isNegative() || storeDownAfter.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("store-down-after: expected 0s to 1d, got " + Durations.format(storeDownAfter));
            }
            if (mqtt != null && !mqtt.matches("(tcp|ssl)://[^/:]+(:\\d{1,5})?")) {
                throw new IllegalArgumentException("mqtt: expected tcp://host:port or ssl://host:port, got \"" + mqtt + "\"");
            }
            topicPrefix = topicPrefix == null || topicPrefix.isEmpty() ? "" : topicPrefix.endsWith("/") ? topicPrefix : topicPrefix + "/";
            if (topicPrefix.contains("+") || topicPrefix.contains("#") || topicPrefix.startsWith("/")) {
                throw new IllegalArgumentException("topic-prefix: no wildcards (+, #) and no leading /, got \"" + topicPrefix + "\"");
            }
            clientId = clientId != null ? clientId : "meterhub-alarms";
            if (!clientId.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("client-id: expected 1-64 letters, digits, '_', '-' or '.', got \"" + clientId + "\"");
            }
        }
    }

    /**
     * The conversion check of electronic volume converters (docs/metering-engine.md, "EVC check"): each
     * converter's base volume Vb against Vm·(p/pb)·(Tb/T) recomputed from its own registers. Defaults are
     * those of {@link EvcCheck.Settings#defaults()}: China's base conditions (101.325 kPa, 20 °C), 0.5 %.
     *
     * @param tolerancePercent a window whose |deviation| is above this is a conversion error (alarm and flag)
     * @param basePressureKpa  pb, absolute
     * @param baseTemperatureC Tb
     * @param minVolumeL       line volume a window must hold before it is judged: the registers count whole
     *                         litres, so a window of V litres carries up to about 2/V of rounding
     */
    public record EvcSection(BigDecimal tolerancePercent, BigDecimal basePressureKpa, BigDecimal baseTemperatureC,
                             Long minVolumeL) {
        public EvcSection {
            EvcCheck.Settings d = EvcCheck.Settings.defaults();
            tolerancePercent = decimal(tolerancePercent, d.tolerancePercent(), "0.01", "10", "tolerance-percent",
                    "a percentage");
            basePressureKpa = decimal(basePressureKpa, d.basePressureKpa(), "50", "200", "base-pressure-kpa",
                    "an absolute pressure in kPa");
            baseTemperatureC = decimal(baseTemperatureC, d.baseTemperatureCelsius().stripTrailingZeros(), "-20", "40",
                    "base-temperature-c", "a temperature in °C");
            if (minVolumeL == null) minVolumeL = EvcCheck.Settings.DEFAULT_MIN_LINE_VOLUME_L;
            if (minVolumeL < 1 || minVolumeL > 10_000_000) {
                throw new IllegalArgumentException("min-volume-l: expected litres from 1 to 10000000, got " + minVolumeL);
            }
        }

        /** The engine's settings for this section. */
        public EvcCheck.Settings settings() {
            return new EvcCheck.Settings(basePressureKpa, baseTemperatureC.add(new BigDecimal("273.15")), tolerancePercent,
                    minVolumeL);
        }

        private static BigDecimal decimal(BigDecimal value, BigDecimal fallback, String min, String max, String name,
                                          String what) {
            if (value == null) return fallback;
            if (value.compareTo(new BigDecimal(min)) < 0 || value.compareTo(new BigDecimal(max)) > 0) {
                throw new IllegalArgumentException(name + ": expected " + what + " from " + min + " to " + max + ", got "
                        + value.toPlainString());
            }
            return value;
        }
    }

    /**
     * @param address 14 BCD digits on the bus; defaults to the id
     * @param type    gas, cold-water, hot-water, drinking-water, reclaimed-water
     * @param diOrder high-first (90 1F) or low-first (1F 90)
     * @param baseReadingL register at commissioning, litres; consumption before the first read counts from it
     * @param readInterval  this meter's read interval; default {@code poll.interval}
     * @param settlementDay CJ/T 188 only: the meter's monthly settlement day (1..28); once a month, after its start
     *                      in the utility's {@code zone}, the register the meter stored then (D120) is read
     * @param qmax          CJ/T 188 only: the meter's maximum flow in m³/h (default by type: gas 4, water 3.125); on a noisy line two replies agree when the register rose no more than this allows
     */
    public record MeterSection(String id, String address, String type, String diOrder, Long baseReadingL,
                               Integer unit, String profile, Duration readInterval, Integer settlementDay,
                               BigDecimal qmax) {
        /** A CJ/T 188 meter. */
        public MeterSection(String id, String address, String type, String diOrder, Long baseReadingL) {
            this(id, address, type, diOrder, baseReadingL, null, null);
        }

        /** Polled at {@code poll.interval}, no settlement reads. */
        public MeterSection(String id, String address, String type, String diOrder, Long baseReadingL,
                            Integer unit, String profile) {
            this(id, address, type, diOrder, baseReadingL, unit, profile, null, null, null);
        }

        public MeterSection {
            if (id == null || id.isBlank()) throw new IllegalArgumentException("expected a meter id");
            if (unit != null || profile != null) {
                // a Modbus meter: addressed by its slave (unit) id, its registers described by a profile
                if (unit == null) throw new IllegalArgumentException("unit: expected the Modbus unit (slave) id, 1..255");
                if (unit < 1 || unit > 255) throw new IllegalArgumentException("unit: expected 1..255, got " + unit);
                if (address != null) throw new IllegalArgumentException("address: a Modbus meter is addressed by unit, not address");
                if (diOrder != null) throw new IllegalArgumentException("di-order: applies to CJ/T 188 meters only");
                if (settlementDay != null) {
                    throw new IllegalArgumentException("settlement-day: applies to CJ/T 188 meters only (a Modbus profile "
                            + "has no settlement register)");
                }
                if (qmax != null) throw new IllegalArgumentException("qmax: applies to CJ/T 188 meters only");
                profile = profile != null ? profile : "evc-basic";
                try {
                    org.meterhub.protocol.modbus.RegisterProfiles.load(profile);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("profile: " + e.getMessage());
                }
            } else {
                address = address != null ? address : id;
                if (!address.matches("\\d{14}")) {
                    throw new IllegalArgumentException("expected a 14-digit meter address, got \"" + address + "\"");
                }
                diOrder = diOrder != null ? diOrder : "high-first";
                if (!diOrder.equals("high-first") && !diOrder.equals("low-first")) {
                    throw new IllegalArgumentException("expected di-order high-first or low-first, got \"" + diOrder + "\"");
                }
            }
            type = type != null ? type : "gas";
            MeterTypes.code(type);
            if (baseReadingL != null && baseReadingL < 0) {
                throw new IllegalArgumentException("expected a base reading >= 0 litres, got " + baseReadingL);
            }
            if (readInterval != null && (readInterval.isZero() || readInterval.isNegative())) {
                throw new IllegalArgumentException("read-interval: expected a positive duration, got "
                        + Durations.format(readInterval));
            }
            if (settlementDay != null && (settlementDay < 1 || settlementDay > 28)) {
                // 29..31 do not exist in every month; meters that settle "at month end" settle on the 1st at 00:00
                throw new IllegalArgumentException("settlement-day: expected a day of month from 1 to 28, got " + settlementDay);
            }
            if (qmax != null && (qmax.compareTo(new BigDecimal("0.001")) < 0 || qmax.compareTo(new BigDecimal("100000")) > 0)) {
                throw new IllegalArgumentException("qmax: expected a flow in m³/h from 0.001 to 100000, got " + qmax.toPlainString());
            }
        }

        /** {@code qmax} in litres per hour (rounded up), or null for the type's default. */
        public Long qmaxLph() {
            return qmax == null ? null : qmax.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        }

        public boolean isModbus() {
            return unit != null;
        }
    }

    /**
     * The store-and-forward journal (docs/store-and-forward.md). Without {@code forward-to} the engine
     * runs in this process and the journal hands over in memory.
     *
     * @param path      SQLite file; default next to a SQLite store ({@code <store>.journal}), else data/journal.db
     * @param maxSize   disk bound, e.g. 256MiB, 2GiB, or bytes
     * @param alarmAt   percentage of max-size that raises the "nearly full" alarm
     * @param forwardTo {@code mqtt://host:1883}: the engine is remote; {@code mqtts://host:8883} with TLS ({@code mqtt.tls})
     * @param commitLinger how long a group commit waits for more readings to join it (0ms to 1s, default 5ms)
     */
    public record JournalSection(String path, String maxSize, Integer alarmAt, Integer partitions, String durability,
                                 String forwardTo, String gatewayId, Integer batchSize, Duration ackTimeout,
                                 String topicPrefix, Duration commitLinger, String minFreeDisk) {
        /** With the default {@code min-free-disk}. */
        public JournalSection(String path, String maxSize, Integer alarmAt, Integer partitions, String durability,
                              String forwardTo, String gatewayId, Integer batchSize, Duration ackTimeout,
                              String topicPrefix, Duration commitLinger) {
            this(path, maxSize, alarmAt, partitions, durability, forwardTo, gatewayId, batchSize, ackTimeout, topicPrefix,
                    commitLinger, null);
        }

        public JournalSection {
            if (maxSize != null) ByteSizes.parse(maxSize);
            if (minFreeDisk != null && !minFreeDisk.trim().equals("0")) ByteSizes.parse("min-free-disk", minFreeDisk, 1);
            alarmAt = range(alarmAt, 80, 1, 99, "alarm-at");
            partitions = range(partitions, 16, 1, 1024, "partitions");
            durability = durability != null ? durability : "full";
            if (!durability.equals("full") && !durability.equals("normal")) {
                throw new IllegalArgumentException("durability: expected full or normal, got \"" + durability + "\"");
            }
            if (forwardTo != null && !forwardTo.matches("mqtts?://[^/:]+(:\\d{1,5})?")) {
                throw new IllegalArgumentException("forward-to: expected mqtt://host:port or mqtts://host:port (TLS), got \""
                        + forwardTo + "\"");
            }
            gatewayId = gatewayId != null ? gatewayId : "gw-1";
            if (!gatewayId.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("gateway-id: expected 1-64 letters, digits, '_', '-' or '.', got \""
                        + gatewayId + "\"");
            }
            batchSize = range(batchSize, 500, 1, 10_000, "batch-size");
            ackTimeout = positive(ackTimeout, Duration.ofSeconds(10), "ack-timeout");
            topicPrefix = topicPrefix != null ? topicPrefix : "meterhub";
            commitLinger = commitLinger != null ? commitLinger : org.meterhub.gateway.journal.JournalSettings.DEFAULT_COMMIT_LINGER;
            if (commitLinger.isNegative() || commitLinger.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("commit-linger: expected 0ms to 1s, got " + Durations.format(commitLinger));
            }
        }

        public static JournalSection defaults() {
            return new JournalSection(null, null, null, null, null, null, null, null, null, null, null, null);
        }

        /** Free disk below which the journal raises its "disk low" alarm; 0 when not watched (default 32MiB). */
        public long minFreeBytes() {
            if (minFreeDisk == null) return org.meterhub.gateway.journal.JournalSettings.DEFAULT_MIN_FREE_BYTES;
            return minFreeDisk.trim().equals("0") ? 0 : ByteSizes.parse("min-free-disk", minFreeDisk, 1);
        }

        public long maxBytes() {
            return maxSize == null ? 256L << 20 : ByteSizes.parse(maxSize);
        }
    }

    /**
     * Which clock is wrong (docs/southbound.md, "The gateway's clock"): whether the gateway trusts its own clock, and
     * what it does while it does not. {@code poll.max-clock-skew} is the tolerance throughout.
     *
     * @param maxBackfill   an MQTT {@code ts} up to this far in the past is the measurement time (default 7d)
     * @param meterQuorum   meters whose clocks must agree before they replace an untrusted gateway clock (default 3)
     * @param sampleWindow  meter clock samples older than this no longer count (default 1h)
     * @param stepThreshold a wall clock jump beyond this is a step; the readings' timeline slews instead (default 2s)
     * @param maxSlew       percent faster or slower than real time the timeline may run while it catches up (1-50,
     *                      default 10)
     * @param notBefore     no clock before this is trusted; default the build date of the jar (ISO date or instant)
     * @param syncMarker    systemd-timesyncd's state directory (default /run/systemd/timesync), or "none"
     * @param syncCommand   a command whose exit status 0 means the clock is synchronised (e.g. [chronyc, waitsync,
     *                      "1", "0.5"]); replaces the marker
     */
    public record ClockSection(Duration maxBackfill, Integer meterQuorum, Duration sampleWindow, Duration stepThreshold,
                               Integer maxSlew, String notBefore, String syncMarker, List<String> syncCommand) {
        public ClockSection {
            maxBackfill = positive(maxBackfill, Duration.ofDays(7), "max-backfill");
            meterQuorum = range(meterQuorum, 3, 1, 1000, "meter-quorum");
            sampleWindow = positive(sampleWindow, Duration.ofHours(1), "sample-window");
            stepThreshold = positive(stepThreshold, Duration.ofSeconds(2), "step-threshold");
            maxSlew = range(maxSlew, 10, 1, 50, "max-slew");
            if (notBefore != null) instant(notBefore);
            syncMarker = syncMarker != null ? syncMarker : org.meterhub.gateway.clock.ClockSettings.TIMESYNCD_DIR.toString();
            if (syncMarker.isBlank()) throw new IllegalArgumentException("sync-marker: expected a directory or none");
            syncCommand = syncCommand != null ? List.copyOf(syncCommand) : List.of();
            if (syncCommand.stream().anyMatch(a -> a == null || a.isEmpty())) {
                throw new IllegalArgumentException("sync-command: expected a list of non-empty words, e.g. [chronyc, waitsync, \"1\"]");
            }
        }

        public static ClockSection defaults() {
            return new ClockSection(null, null, null, null, null, null, null, null);
        }

        /** The gateway's clock settings, with {@code poll.max-clock-skew} as the tolerance. */
        public org.meterhub.gateway.clock.ClockSettings settings(Duration maxClockSkew) {
            return new org.meterhub.gateway.clock.ClockSettings(maxClockSkew, maxBackfill, meterQuorum, sampleWindow,
                    stepThreshold, maxSlew, notBefore == null ? null : instant(notBefore),
                    syncMarker.equals("none") ? null : java.nio.file.Path.of(syncMarker), syncCommand);
        }

        private static java.time.Instant instant(String text) {
            try {
                return text.length() == 10 ? java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                        : java.time.OffsetDateTime.parse(text).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("not-before: expected a date such as 2026-11-01 or an instant such as "
                        + "2026-11-01T00:00:00Z, got \"" + text + "\"");
            }
        }
    }

    /**
     * How the process retries the store after a failed commit (gateway in one process, mqtt-gateway):
     * {@code initial} doubling to {@code max}; the journal keeps the readings meanwhile.
     */
    public record StoreRetrySection(Duration initial, Duration max) {
        public StoreRetrySection {
            initial = positive(initial, Duration.ofSeconds(1), "initial");
            max = positive(max, Duration.ofSeconds(30), "max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max: expected at least initial (" + Durations.format(initial) + "), got "
                        + Durations.format(max));
            }
            if (max.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("max: expected at most 1h, got " + Durations.format(max));
            }
        }

        public org.meterhub.engine.ingest.StoreRetry toRetry() {
            return new org.meterhub.engine.ingest.StoreRetry(initial, max);
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
