package org.meterhub.engine.meter;

import java.time.LocalDate;
import java.util.Objects;

/**
 * A meter's master record with the attributes the head-end keeps besides {@link MeterInfo}.
 * No customer data: {@code location} is an installation code, never a name. Attributes that
 * were never recorded are null.
 *
 * @param meterType         kind of meter, e.g. AMR or IC_CARD
 * @param accuracyClass     as on the type plate, e.g. "1.5"
 * @param qmaxLph           Qmax in litres per hour (6 m³/h = 6000)
 * @param firstVerification date of the initial verification
 */
public record MeterProfile(MeterInfo info, String meterType, CustomerClass customerClass, String accuracyClass,
                           Long qmaxLph, LocalDate firstVerification, String districtId, String location,
                           MeterRole role) {
    public MeterProfile {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(role, "role");
        if (qmaxLph != null && qmaxLph <= 0) {
            throw new IllegalArgumentException("Qmax must be positive: " + qmaxLph);
        }
    }

    /** A profile with nothing recorded beyond the base record: a customer meter. */
    public static MeterProfile of(MeterInfo info) {
        return new MeterProfile(info, null, null, null, null, null, null, null, MeterRole.CUSTOMER);
    }

    public String meterId() {
        return info.meterId();
    }
}
