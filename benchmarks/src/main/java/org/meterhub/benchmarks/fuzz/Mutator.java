package org.meterhub.benchmarks.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic structure-unaware mutations of seed inputs (the classic AFL havoc set: bit and byte
 * flips, interesting values, inserts, deletes, duplication, splicing two seeds, truncation), plus a
 * share of purely random inputs. The same seed gives the same inputs on every machine.
 */
final class Mutator {
    private static final byte[] INTERESTING = {0, 1, -1, 0x7F, (byte) 0x80, 0x10, 0x16, 0x68, (byte) 0xFE, (byte) 0xAA,
            '"', '{', '}', '[', ']', ',', ':', '\\', '\n', '\r', '=', '&', '%', ';', '9', '.', '-', '+', 'e'};
    private final SplittableRandom random;
    private final List<byte[]> seeds;
    private final int maxLength;

    Mutator(long seed, List<byte[]> seeds, int maxLength) {
        if (seeds.isEmpty()) throw new IllegalArgumentException("a target needs at least one seed");
        this.random = new SplittableRandom(seed);
        this.seeds = seeds;
        this.maxLength = maxLength;
    }

    byte[] next() {
        if (random.nextInt(20) == 0) return randomBytes(random.nextInt(1, maxLength + 1));
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 << random.nextInt(4); // 1, 2, 4 or 8 stacked mutations
        for (int i = 0; i < rounds; i++) b = mutate(b);
        return b.length > maxLength ? Arrays.copyOf(b, maxLength) : b;
    }

    /** Splits an input into up to three chunks, as a TCP stream or serial line delivers it. */
    int[] cuts(int length) {
        if (length < 2 || random.nextBoolean()) return new int[0];
        int a = random.nextInt(1, length);
        if (random.nextBoolean() || a + 1 >= length) return new int[] {a};
        return new int[] {a, random.nextInt(a + 1, length)};
    }

    private byte[] mutate(byte[] b) {
        int n = b.length;
        switch (random.nextInt(n == 0 ? 1 : 10)) {
            case 0 -> { // insert a run of one byte or random bytes
                int at = random.nextInt(n + 1);
                int len = random.nextInt(1, 17);
                byte[] ins = random.nextBoolean() ? randomBytes(len) : filled(len, interesting());
                return splice(b, at, at, ins);
            }
            case 1 -> b[random.nextInt(n)] ^= (byte) (1 << random.nextInt(8));
            case 2 -> b[random.nextInt(n)] = (byte) random.nextInt(256);
            case 3 -> b[random.nextInt(n)] = interesting();
            case 4 -> { // delete a range
                int from = random.nextInt(n);
                return splice(b, from, Math.min(n, from + random.nextInt(1, 9)), new byte[0]);
            }
            case 5 -> { // duplicate a range
                int from = random.nextInt(n);
                int to = Math.min(n, from + random.nextInt(1, 33));
                return splice(b, to, to, Arrays.copyOfRange(b, from, to));
            }
            case 6 -> { // splice with another seed
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int cut = random.nextInt(n + 1);
                int from = other.length == 0 ? 0 : random.nextInt(other.length);
                return splice(Arrays.copyOf(b, cut), cut, cut, Arrays.copyOfRange(other, from, other.length));
            }
            case 7 -> { // truncate
                return Arrays.copyOf(b, random.nextInt(n));
            }
            case 8 -> { // add or subtract a small number from a byte (lengths, counters)
                int at = random.nextInt(n);
                b[at] = (byte) (b[at] + random.nextInt(-16, 17));
            }
            default -> { // swap two bytes
                int i = random.nextInt(n);
                int j = random.nextInt(n);
                byte t = b[i];
                b[i] = b[j];
                b[j] = t;
            }
        }
        return b;
    }

    private byte interesting() {
        return INTERESTING[random.nextInt(INTERESTING.length)];
    }

    private byte[] randomBytes(int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) random.nextInt(256);
        return b;
    }

    private static byte[] filled(int len, byte v) {
        byte[] b = new byte[len];
        Arrays.fill(b, v);
        return b;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }
}
