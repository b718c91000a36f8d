package org.meterhub.app.config;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.meterhub.engine.security.PurposePolicy;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.subject.Retention;

/**
 * The data-protection settings (docs/security.md), {@code --settings FILE} of {@code engine} and {@code erase}; every
 * field optional:
 * <pre>
 * security:
 *   purpose-required-roles: [operator, billing, admin]   # must state why they read one household's data
 * erase:
 *   keep-measurement-years: 10   # readings, consumption, corrections kept after an erasure
 *   keep-billing-years: 10       # bills, estimates, prepaid ledger kept after an erasure
 * </pre>
 */
public record DataProtectionFile(SecuritySection security, EraseSection erase) {
    public DataProtectionFile {
        security = security != null ? security : new SecuritySection(null);
        erase = erase != null ? erase : new EraseSection(null, null);
    }

    public static DataProtectionFile defaults() {
        return new DataProtectionFile(null, null);
    }

    /** The file, or the defaults when {@code file} is null; a bad value is a one-line error naming the file, line and field. */
    public static DataProtectionFile load(Path file) {
        return file == null ? defaults() : new ConfigLoader().load(file, DataProtectionFile.class);
    }

    /** @param purposeRequiredRoles roles that must state a purpose; an empty list: nobody (default: operator, billing, admin) */
    public record SecuritySection(List<String> purposeRequiredRoles) {
        public SecuritySection {
            if (purposeRequiredRoles == null) {
                purposeRequiredRoles = PurposePolicy.defaults().requiredFor().stream().sorted().map(Role::wire).toList();
            }
            for (String r : purposeRequiredRoles) {
                try {
                    Role.parse(r);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("purpose-required-roles: " + e.getMessage().replaceFirst("^role: ", ""));
                }
            }
            purposeRequiredRoles = List.copyOf(purposeRequiredRoles);
        }

        public PurposePolicy purposes() {
            Set<Role> roles = EnumSet.noneOf(Role.class);
            purposeRequiredRoles.forEach(r -> roles.add(Role.parse(r)));
            return new PurposePolicy(roles);
        }
    }

    /** Retention of what an erasure keeps; the domain rules state no period, so 10 years is a placeholder default. */
    public record EraseSection(Integer keepMeasurementYears, Integer keepBillingYears) {
        public EraseSection {
            keepMeasurementYears = keepMeasurementYears != null ? keepMeasurementYears : Retention.DEFAULT_YEARS;
            keepBillingYears = keepBillingYears != null ? keepBillingYears : Retention.DEFAULT_YEARS;
            new Retention(keepMeasurementYears, keepBillingYears); // validates, naming the field
        }

        public Retention retention() {
            return new Retention(keepMeasurementYears, keepBillingYears);
        }
    }
}
