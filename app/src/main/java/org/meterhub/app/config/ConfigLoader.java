package org.meterhub.app.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Reads a YAML configuration file strictly: unknown fields, wrong types and invalid values are
 * {@link ConfigException}s naming the file, the line, the field path and what was expected.
 */
public final class ConfigLoader {
    private final ObjectMapper mapper;

    public ConfigLoader() {
        SimpleModule types = new SimpleModule("meterhub-config");
        types.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                try {
                    return Durations.parse(p.getValueAsString(p.getText()));
                } catch (IllegalArgumentException e) {
                    throw JsonMappingException.from(p, e.getMessage());
                }
            }
        });
        types.addDeserializer(ZoneId.class, new JsonDeserializer<>() {
            @Override
            public ZoneId deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                String text = p.getText();
                try {
                    return ZoneId.of(text);
                } catch (DateTimeException e) {
                    throw JsonMappingException.from(p, "expected a time zone such as Asia/Shanghai, got \"" + text + "\"");
                }
            }
        });
        this.mapper = JsonMapper.builder(new YAMLFactory())
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(types)
                .build();
    }

    public <T> T load(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text, type);
    }

    public <T> T parse(String name, String yaml, Class<T> type) {
        try {
            T value = mapper.readValue(yaml.isBlank() ? "{}" : yaml, type);
            if (value == null) return mapper.readValue("{}", type);
            return value;
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(name, yaml, e));
        } catch (JsonProcessingException e) {
            throw new ConfigException(name + where(e.getLocation()) + ": not valid YAML: " + e.getOriginalMessage());
        }
    }

    private static String describe(String name, String yaml, JsonMappingException e) {
        String path = path(e);
        String key = null;
        String field = path.isEmpty() ? "" : " " + path + ":";
        String what;
        if (e instanceof UnrecognizedPropertyException u) {
            Collection<Object> known = u.getKnownPropertyIds();
            what = "unknown field \"" + u.getPropertyName() + "\"; expected one of: "
                    + known.stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            field = parentPath(path).isEmpty() ? "" : " " + parentPath(path) + ":";
            key = u.getPropertyName();
        } else if (e instanceof InvalidFormatException f) {
            what = "expected " + typeName(f.getTargetType()) + ", got \"" + f.getValue() + "\"";
        } else if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            what = v.getCause().getMessage();
            // Record validation says "field-name: expected …"; fold the name into the path.
            int colon = what.indexOf(": ");
            if (colon > 0 && what.substring(0, colon).matches("[a-z-]+")) {
                key = what.substring(0, colon);
                field = " " + (path.isEmpty() ? "" : path + ".") + key + ":";
                what = what.substring(colon + 2);
            }
        } else if (e instanceof MismatchedInputException m && m.getTargetType() != null
                && !m.getOriginalMessage().startsWith("expected")) {
            what = "expected " + typeName(m.getTargetType());
        } else {
            what = e.getOriginalMessage();
        }
        JsonLocation at = e.getProcessor() instanceof JsonParser p ? p.currentTokenLocation() : e.getLocation();
        String line = where(at);
        if (key != null && at != null) {
            // Records are built after their whole mapping is read, so the parser stands past the
            // offending key; the nearest earlier line with that key is the one to name.
            int found = lineOfKey(yaml, key, at.getLineNr());
            if (found > 0) line = ":" + found;
        }
        return name + line + ":" + field + " " + firstLine(what);
    }

    private static int lineOfKey(String yaml, String key, int atOrBefore) {
        String[] lines = yaml.split("\n", -1);
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("^\\s*(-\\s+)?" + java.util.regex.Pattern.quote(key) + "\\s*:");
        for (int i = Math.min(atOrBefore, lines.length) - 1; i >= 0; i--) {
            if (p.matcher(lines[i]).find()) return i + 1;
        }
        return -1;
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? "" : ":" + location.getLineNr();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String parentPath(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "a whole number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == java.math.BigDecimal.class) return "a decimal number";
        if (type == String.class) return "a text value";
        if (Collection.class.isAssignableFrom(type)) return "a list";
        if (type == Duration.class) return Durations.EXPECTED;
        return "a " + type.getSimpleName().replace("Section", "").toLowerCase() + " section";
    }

    private static String firstLine(String s) {
        if (s == null) return "invalid value";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
