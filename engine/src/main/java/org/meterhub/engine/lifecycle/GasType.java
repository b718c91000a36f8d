package org.meterhub.engine.lifecycle;

/** The gas a meter is made and used for. */
public enum GasType { NATURAL_GAS, LPG }
