package org.meterhub.app.decode;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.protocol.cjt188.Cjt188Explainer;
import org.meterhub.protocol.modbus.ModbusRtuExplainer;
import org.meterhub.protocol.modbus.ProfileException;
import org.meterhub.protocol.modbus.RegisterProfiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** For field engineers: paste a line capture, get every field and what is wrong with it. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Explain a captured frame field by field. Exit 0 for a good frame, 1 for a bad one.")
public final class DecodeCommand implements Callable<Integer> {
    static final List<String> PROTOCOLS = List.of("cjt188", "modbus-rtu");

    @Parameters(index = "0", description = "Protocol: cjt188 or modbus-rtu.")
    String protocol;

    @Parameters(index = "1..*", arity = "1..*", description = "Frame bytes in hex; spaces, colons and 0x prefixes are fine.")
    String[] hex;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--profile", description = "modbus-rtu: interpret a read response with this register map "
            + "(built in: evc-basic, or a CSV file).")
    String profile;

    @Option(names = "--start", defaultValue = "0", description = "modbus-rtu: register address of the first value "
            + "in the response (the request's start address; default ${DEFAULT-VALUE}).")
    int start;

    @Override
    public Integer call() {
        byte[] bytes = parseHex(String.join(" ", hex));
        switch (protocol) {
            case "cjt188" -> {
                Cjt188Explainer.Explanation e = Cjt188Explainer.explain(bytes);
                System.out.println(json ? e.toJson() : e.toText());
                return e.ok() ? 0 : 1;
            }
            case "modbus-rtu" -> {
                ModbusRtuExplainer.ProfileHint hint = null;
                if (profile != null) {
                    try {
                        hint = new ModbusRtuExplainer.ProfileHint(RegisterProfiles.load(profile), start);
                    } catch (ProfileException e) {
                        throw new ConfigException("--profile: " + e.getMessage());
                    }
                }
                ModbusRtuExplainer.Explanation e = ModbusRtuExplainer.explain(bytes, hint);
                System.out.println(json ? e.toJson() : e.toText());
                return e.ok() ? 0 : 1;
            }
            default -> throw new ConfigException("decode: unknown protocol \"" + protocol + "\"; expected one of "
                    + String.join(", ", PROTOCOLS));
        }
    }

    static byte[] parseHex(String text) {
        String clean = text.replaceAll("0[xX]", "").replaceAll("[\\s:,-]", "");
        if (clean.isEmpty() || clean.length() % 2 != 0 || !clean.matches("[0-9A-Fa-f]+")) {
            throw new ConfigException("expected hex bytes such as \"68 10 01 00\", got \"" + text + "\"");
        }
        return HexFormat.of().parseHex(clean);
    }
}
