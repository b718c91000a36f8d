/**
 * Modbus as data: register-map profiles ({@link org.meterhub.protocol.modbus.RegisterProfiles}, CSV,
 * built-in {@code evc-basic} from protocols.md §4), value decoding by type, word order and scale
 * ({@link org.meterhub.protocol.modbus.RegisterDecoder}; integers exact, float32 never a volume),
 * RTU frames and CRC for the slave side and the field decoder
 * ({@link org.meterhub.protocol.modbus.ModbusRtuExplainer}). The gateway's master side uses j2mod
 * behind its own session; nothing here depends on j2mod.
 */
package org.meterhub.protocol.modbus;
