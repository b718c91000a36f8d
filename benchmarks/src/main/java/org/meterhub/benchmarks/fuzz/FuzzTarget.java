package org.meterhub.benchmarks.fuzz;

import java.util.List;

/**
 * One decoder that takes bytes from outside the box, as the fuzzer drives it. A decoder may
 * accept an input or reject it with its documented error ({@link #isRejection}); any other
 * throwable is a crash, and an input that takes longer than the run's limit is a hang.
 */
public interface FuzzTarget {

    /** Short name: used in reports, crasher file names and the regression corpus folder. */
    String name();

    /** Valid (or nearly valid) inputs the mutations start from. */
    List<byte[]> seeds();

    /** Feeds one input through the decoder as the running system would. */
    void accept(byte[] input) throws Exception;

    /** True for the decoder's documented way of saying no. */
    boolean isRejection(Throwable t);
}
