package org.meterhub.benchmarks.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The short, seeded fuzz run of {@code ./run-tests} (the million-input run is {@link FuzzRun}'s
 * main, docs/security.md), the regression corpus replayed, and proof that the harness itself
 * notices a crash and a hang.
 */
class FuzzSmokeTest {
    private static final long INPUTS = 5_000;
    private static final long SEED = 20261207;

    static List<Named<FuzzTarget>> targets() {
        return Targets.all().stream().map(t -> Named.of(t.name(), t)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    @Timeout(300)
    void aSeededRunFindsNoCrashOrHang(FuzzTarget target, @TempDir Path findings) throws Exception {
        FuzzRun.Result r = new FuzzRun(Duration.ofSeconds(10), findings).run(target, INPUTS, SEED);
        assertThat(r.inputs()).isEqualTo(INPUTS);
        assertThat(r.crashKinds()).as("crashes of %s; inputs kept in %s", target.name(), findings).isEmpty();
        assertThat(r.hangs()).isZero();
        assertThat(r.accepted()).as("some mutated inputs still get through the decoder").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everySeedIsAcceptedAndEveryKeptFindingStaysFixed(FuzzTarget target) throws Exception {
        for (byte[] seed : target.seeds()) target.accept(seed);
        Path corpus = Path.of("src/test/resources/fuzz-regressions", target.name());
        assertThat(FuzzRun.replay(target, corpus)).isEmpty();
    }

    @Test
    void theHarnessCountsAndKeepsACrash(@TempDir Path findings) throws Exception {
        FuzzTarget brittle = fake("brittle", input -> {
            if (input.length > 3 && input[3] == 0x68) throw new ArrayIndexOutOfBoundsException("found it");
        });
        FuzzRun.Result r = new FuzzRun(Duration.ofSeconds(10), findings).run(brittle, 20_000, SEED);
        assertThat(r.crashes()).isPositive();
        assertThat(r.crashKinds()).hasSize(1);
        Path kept = Path.of(r.crashKinds().values().iterator().next());
        assertThat(Files.readAllBytes(kept)[3]).isEqualTo((byte) 0x68);
        assertThat(FuzzRun.replay(brittle, kept.getParent())).hasSize(1);
    }

    @Test
    @Timeout(60)
    void theHarnessStopsAHang(@TempDir Path findings) throws Exception {
        FuzzTarget spinning = fake("spinning", input -> {
            if (input.length > 0 && input[0] == '!') {
                while (!Thread.currentThread().isInterrupted()) Thread.onSpinWait();
            }
        });
        FuzzRun.Result r = new FuzzRun(Duration.ofMillis(300), findings).run(spinning, 1_000_000, SEED);
        assertThat(r.hangs()).isEqualTo(1);
        assertThat(r.inputs()).isLessThan(1_000_000);
        try (var files = Files.list(findings.resolve("spinning"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("hang-"));
        }
    }

    private interface Body {
        void accept(byte[] input) throws Exception;
    }

    private static FuzzTarget fake(String name, Body body) {
        return new FuzzTarget() {
            public String name() {
                return name;
            }

            public List<byte[]> seeds() {
                return List.of("\u00FE\u00FEh0123".getBytes(StandardCharsets.ISO_8859_1), "!x".getBytes(StandardCharsets.US_ASCII),
                        "abcdef".getBytes(StandardCharsets.US_ASCII));
            }

            public void accept(byte[] input) throws Exception {
                body.accept(input);
            }

            public boolean isRejection(Throwable t) {
                return false;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
