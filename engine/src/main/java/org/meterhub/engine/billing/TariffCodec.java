package org.meterhub.engine.billing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tariff version's prices as the JSON kept in {@code tariff_versions.definition}. Numbers are
 * written as strings (litres and decimal prices), so no floating type is ever involved.
 */
public final class TariffCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TariffCodec() {
    }

    public static String encode(TariffVersion v) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode tiers = root.putArray("tiers");
        for (Tier t : v.tiers()) {
            ObjectNode n = tiers.addObject();
            n.put("up_to_l", t.unbounded() ? "" : Long.toString(t.upToL()));
            n.put("price", t.pricePerM3().toPlainString());
        }
        ArrayNode fixed = root.putArray("fixed");
        for (FixedCharge f : v.fixed()) {
            fixed.addObject().put("name", f.name()).put("monthly", f.monthly().toPlainString());
        }
        ObjectNode variants = root.putObject("variants");
        for (Variant x : new TreeMap<>(v.variants()).values()) {
            ObjectNode n = variants.putObject(x.name());
            ArrayNode th = n.putArray("thresholds_l");
            x.thresholdsL().forEach(l -> th.add(Long.toString(l)));
            n.put("add_l", Long.toString(x.addL()));
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TariffVersion decode(LocalDate validFrom, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TariffException("stored tariff version from " + validFrom + " is not valid JSON: " + e.getOriginalMessage());
        }
        List<Tier> tiers = new ArrayList<>();
        for (JsonNode n : root.path("tiers")) {
            String up = n.path("up_to_l").asText();
            tiers.add(new Tier(up.isEmpty() ? Tier.UNBOUNDED : Long.parseLong(up), new BigDecimal(n.path("price").asText())));
        }
        List<FixedCharge> fixed = new ArrayList<>();
        for (JsonNode n : root.path("fixed")) {
            fixed.add(new FixedCharge(n.path("name").asText(), new BigDecimal(n.path("monthly").asText())));
        }
        Map<String, Variant> variants = new LinkedHashMap<>();
        root.path("variants").fields().forEachRemaining(e -> {
            List<Long> th = new ArrayList<>();
            e.getValue().path("thresholds_l").forEach(x -> th.add(Long.parseLong(x.asText())));
            variants.put(e.getKey(), new Variant(e.getKey(), th, Long.parseLong(e.getValue().path("add_l").asText())));
        });
        return new TariffVersion(validFrom, tiers, fixed, variants);
    }
}
