package org.meterhub.engine.security;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which roles must say why they read one household's data (domain rules, "Customer data": data is used only for the
 * purpose it was given for). The purpose is not checked against a list: a person states it, and the audit row keeps
 * it beside who read what, so a later review can ask whether the reason held.
 *
 * @param requiredFor the roles that must state a purpose (setting {@code security.purpose-required-roles})
 */
public record PurposePolicy(Set<Role> requiredFor) {
    /** Longest purpose kept; a reason, not a document. */
    public static final int MAX_LENGTH = 200;
    /** The query parameter and the header that carry it. */
    public static final String PARAMETER = "purpose";
    public static final String HEADER = "X-Purpose";

    public PurposePolicy {
        requiredFor = requiredFor.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(requiredFor));
    }

    /** Nobody needs to state a purpose (servers without authentication, tests). */
    public static PurposePolicy none() {
        return new PurposePolicy(Set.of());
    }

    /**
     * The default: the people who work on households (operators on alarms, billing staff on bills, admins) say why;
     * viewer tokens are what services (dashboards, reports) get, whose purpose is the service itself.
     */
    public static PurposePolicy defaults() {
        return new PurposePolicy(EnumSet.of(Role.OPERATOR, Role.BILLING, Role.ADMIN));
    }

    public boolean required(Role role) {
        return requiredFor.contains(role);
    }

    /** For messages and docs: {@code operator, billing, admin}. */
    public String describe() {
        return requiredFor.isEmpty() ? "none" : requiredFor.stream().sorted().map(Role::wire).collect(Collectors.joining(", "));
    }

    /**
     * A stated purpose, cleaned: surrounding space dropped; empty when none was given.
     *
     * @throws IllegalArgumentException naming what is wrong (too long, control characters)
     */
    public static String clean(String stated) {
        if (stated == null) return "";
        String s = stated.strip();
        if (s.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("at most " + MAX_LENGTH + " characters, got " + s.length());
        }
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a line of text without control characters");
        }
        return s;
    }

    /**
     * What is missing for this reader, if anything: a message naming the parameter and the header.
     *
     * @param who     the authenticated reader; empty on a server without authentication (nothing required)
     * @param purpose the cleaned purpose, empty when none was stated
     */
    public Optional<String> missing(Optional<Principal> who, String purpose) {
        if (who.isEmpty() || !purpose.isEmpty() || !required(who.get().role())) return Optional.empty();
        return Optional.of("role " + who.get().role().wire() + " must state why it reads a household's data: add ?"
                + PARAMETER + "=... or the header " + HEADER + " (roles that must: " + describe() + ")");
    }
}
