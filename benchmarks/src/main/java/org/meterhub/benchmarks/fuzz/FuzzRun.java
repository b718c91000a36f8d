package org.meterhub.benchmarks.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds mutated inputs to every decoder that takes bytes from outside and counts what happens:
 * accepted, rejected with the decoder's documented error, crashed (any other throwable, or a
 * buffer left unreleased), or hung (one input running past the time limit). Crashers and hangs
 * are written out (input and stack trace) to become regression tests.
 *
 * <pre>java -cp benchmarks.jar org.meterhub.benchmarks.fuzz.FuzzRun [inputs-per-target=1000000] [seed=1] [target…]</pre>
 *
 * Exit status 1 when anything crashed or hung.
 */
public final class FuzzRun {

    /** What one target did with its inputs. */
    public record Result(String target, long inputs, long accepted, long rejected, long crashes, long hangs,
                         Map<String, String> crashKinds, long heapBeforeBytes, long heapAfterBytes, Duration took) {
        public boolean clean() {
            return crashes == 0 && hangs == 0;
        }
    }

    private final Duration timeLimit;
    private final Path findings;

    public FuzzRun(Duration timeLimit, Path findings) {
        this.timeLimit = timeLimit;
        this.findings = findings;
    }

    public static void main(String[] args) throws Exception {
        // Decoders log what they drop at DEBUG; a million hostile inputs would be a million lines.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        long inputs = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        List<FuzzTarget> targets = new ArrayList<>();
        for (int i = 2; i < args.length; i++) targets.add(Targets.byName(args[i]));
        if (targets.isEmpty()) targets = Targets.all();
        FuzzRun run = new FuzzRun(Duration.ofSeconds(5), Path.of("target", "fuzz-findings"));
        System.out.printf("fuzz: %,d inputs per target, seed %d, time limit %d ms per input, findings in %s%n",
                inputs, seed, run.timeLimit.toMillis(), run.findings.toAbsolutePath());
        System.out.printf("%-18s %12s %12s %12s %8s %6s %14s %10s %9s%n", "target", "inputs", "accepted", "rejected",
                "crashes", "hangs", "heap KiB", "inputs/s", "seconds");
        boolean clean = true;
        for (FuzzTarget t : targets) {
            Result r = run.run(t, inputs, seed);
            clean &= r.clean();
            double s = r.took().toNanos() / 1e9;
            System.out.printf("%-18s %,12d %,12d %,12d %8d %6d %6d → %-6d %,10.0f %9.1f%n", r.target(), r.inputs(), r.accepted(),
                    r.rejected(), r.crashes(), r.hangs(), r.heapBeforeBytes() >> 10, r.heapAfterBytes() >> 10, r.inputs() / s, s);
            r.crashKinds().forEach((kind, file) -> System.out.printf("  crash %s (first: %s)%n", kind, file));
        }
        System.exit(clean ? 0 : 1);
    }

    /** Runs {@code inputs} mutated inputs (seeds first) through the target on a worker thread watched for hangs. */
    public Result run(FuzzTarget target, long inputs, long seed) throws InterruptedException {
        Mutator mutator = new Mutator(seed ^ target.name().hashCode(), target.seeds(), 2048);
        long heapBefore = heapAfterGc();
        AtomicLong started = new AtomicLong(); // nanoTime the current input began, 0 between inputs
        long[] counts = new long[4]; // accepted, rejected, crashes, hangs
        Map<String, String> crashKinds = new LinkedHashMap<>();
        byte[][] current = new byte[1][];
        long t0 = System.nanoTime();
        Thread worker = new Thread(() -> {
            for (long i = 0; i < inputs && !Thread.currentThread().isInterrupted(); i++) {
                byte[] input = i < target.seeds().size() ? target.seeds().get((int) i) : mutator.next();
                current[0] = input;
                started.set(System.nanoTime());
                try {
                    target.accept(input);
                    counts[0]++;
                } catch (Throwable t) {
                    if (target.isRejection(t)) {
                        counts[1]++;
                    } else {
                        counts[2]++;
                        String kind = kind(t);
                        if (!crashKinds.containsKey(kind)) crashKinds.put(kind, save(target, "crash", input, t));
                    }
                }
                started.set(0);
            }
        }, "fuzz-" + target.name());
        worker.setDaemon(true);
        worker.start();
        while (worker.isAlive()) {
            worker.join(100);
            long s = started.get();
            if (s != 0 && System.nanoTime() - s > timeLimit.toNanos() && worker.isAlive()) {
                counts[3]++;
                save(target, "hang", current[0], null);
                worker.interrupt();
                worker.join(timeLimit.toMillis());
                break; // a hung decoder cannot be trusted with more inputs in this run
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        long done = counts[0] + counts[1] + counts[2] + counts[3];
        return new Result(target.name(), done, counts[0], counts[1], counts[2], counts[3], crashKinds, heapBefore,
                heapAfterGc(), took);
    }

    /** Replays saved inputs (a regression corpus); returns the failures, each as file: throwable. */
    public static List<String> replay(FuzzTarget target, Path folder) throws IOException {
        List<String> failures = new ArrayList<>();
        if (!Files.isDirectory(folder)) return failures;
        try (var files = Files.list(folder)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".bin")).sorted().toList()) {
                try {
                    target.accept(Files.readAllBytes(f));
                } catch (Throwable t) {
                    if (!target.isRejection(t)) failures.add(f.getFileName() + ": " + t);
                }
            }
        }
        return failures;
    }

    /** Exception class and the first frame inside meterhub: crashes of one kind are one finding. */
    private static String kind(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("org.meterhub") && !e.getClassName().startsWith("org.meterhub.benchmarks")) {
                return t.getClass().getName() + " at " + e.getClassName() + "." + e.getMethodName() + ":" + e.getLineNumber();
            }
        }
        return t.getClass().getName();
    }

    private String save(FuzzTarget target, String what, byte[] input, Throwable t) {
        try {
            Path dir = Files.createDirectories(findings.resolve(target.name()));
            String name = what + "-" + sha1(input).substring(0, 12);
            Files.write(dir.resolve(name + ".bin"), input);
            if (t != null) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                Files.writeString(dir.resolve(name + ".txt"), trace.toString());
            }
            return dir.resolve(name + ".bin").toString();
        } catch (IOException e) {
            return "(not saved: " + e.getMessage() + ")";
        }
    }

    private static String sha1(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
