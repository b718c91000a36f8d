package org.meterhub.app.decode;

import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.protocol.cjt188.Cjt188Explainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** For field engineers: paste a line capture, get every field and what is wrong with it. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Explain a captured frame field by field. Exit 0 for a good frame, 1 for a bad one.")
public final class DecodeCommand implements Callable<Integer> {
    enum Protocol { cjt188 }

    @Parameters(index = "0", description = "Protocol: ${COMPLETION-CANDIDATES}.")
    Protocol protocol;

    @Parameters(index = "1..*", arity = "1..*", description = "Frame bytes in hex; spaces, colons and 0x prefixes are fine.")
    String[] hex;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        byte[] bytes = parseHex(String.join(" ", hex));
        Cjt188Explainer.Explanation e = Cjt188Explainer.explain(bytes);
        System.out.println(json ? e.toJson() : e.toText());
        return e.ok() ? 0 : 1;
    }

    static byte[] parseHex(String text) {
        String clean = text.replaceAll("0[xX]", "").replaceAll("[\\s:,-]", "");
        if (clean.isEmpty() || clean.length() % 2 != 0 || !clean.matches("[0-9A-Fa-f]+")) {
            throw new ConfigException("expected hex bytes such as \"68 10 01 00\", got \"" + text + "\"");
        }
        return HexFormat.of().parseHex(clean);
    }
}
