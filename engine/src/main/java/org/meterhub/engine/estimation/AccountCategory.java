package org.meterhub.engine.estimation;

/** Tariff category of an account; decides whether it may ever be estimated. */
public enum AccountCategory {
    RESIDENTIAL, COMMERCIAL, INDUSTRIAL
}
