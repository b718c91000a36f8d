package org.meterhub.protocol.cjt188;

/**
 * A frame or message that does not follow CJ/T 188. Checked, because a bad frame from a meter is an
 * everyday event the caller must decide about (count it, show it to an engineer, retry the poll),
 * not a programming error. The message is written for a field engineer reading a log line.
 */
public final class Cjt188Exception extends Exception {

    public Cjt188Exception(String message) {
        super(message);
    }
}
