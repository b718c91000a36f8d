/**
 * CJ/T 188 (household water, heat and gas meters), as specified in {@code shared/protocols.md} §1.
 *
 * <p>Pipeline, each step testable on its own with {@code EmbeddedChannel}:
 * <pre>
 * bytes → {@link org.meterhub.protocol.cjt188.Cjt188FrameDecoder}  (preamble, resync, checksum) → Cjt188Frame
 *       → {@link org.meterhub.protocol.cjt188.Cjt188MessageDecoder} (DI, layout, BCD)            → Cjt188Message
 * Cjt188Message → {@link org.meterhub.protocol.cjt188.Cjt188MessageEncoder} → Cjt188Frame
 *               → {@link org.meterhub.protocol.cjt188.Cjt188FrameEncoder}   → bytes
 * </pre>
 *
 * <p>Choices where the standard, its editions or vendors leave room (all documented on the records):
 * <ul>
 *   <li>DI byte order: accepted both ways on receive by recognising known DIs ({@link
 *       org.meterhub.protocol.cjt188.Cjt188Di}); unknown DIs are read in a configurable order.
 *   <li>Valve control A017: {@code 0x99} close, {@code 0x55} open.
 *   <li>Purchase amount 8105: sequence byte + 4-byte BCD amount with 2 decimals.
 *   <li>Error reply: SER, ST0, ST1 (L=3), no DI.
 *   <li>Heat 901F: flow has 4 decimals, the other quantities 2.
 *   <li>An invalid meter clock does not invalidate a reading; every other BCD field does.
 *   <li>Layouts are exact: a body longer or shorter than its layout is an error naming both lengths.
 * </ul>
 *
 * <p>All types are immutable; the Netty decoders hold per-channel state and are not sharable.
 */
package org.meterhub.protocol.cjt188;
