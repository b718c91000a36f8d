package org.meterhub.engine.security;

import java.util.Objects;

/** Who a request was authenticated as. */
public record Principal(String name, Role role) {
    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }
}
