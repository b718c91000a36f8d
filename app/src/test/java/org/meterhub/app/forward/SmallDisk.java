package org.meterhub.app.forward;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small file system of the test's own (tmpfs, mounted as root), which a test can fill to the
 * last byte with a file and free again, as another program on a concentrator box would. Where it
 * cannot be mounted the test is skipped, except under {@code CI=true} (run as root), where it fails.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path dir;
    private final Path filler;

    private SmallDisk(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler.bin");
    }

    public static SmallDisk mount(Path dir, int mebibytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String failure = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m", "tmpfs", dir.toString()));
        if (failure != null) {
            String why = "cannot mount a tmpfs for the disk-full test (" + failure + ")";
            if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why + "; CI=true runs as root and needs it");
            Assumptions.abort(why);
        }
        return new SmallDisk(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes a file until the file system says it is full; returns the bytes written. */
    public long fill() throws IOException {
        byte[] chunk = new byte[64 << 10];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) throw e;
        }
        // The last partial chunk: page by page, so not even one page is left.
        byte[] page = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(page);
                out.flush();
                written += page.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) throw e;
        }
        return written;
    }

    public long freeBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** Deletes the filler: the space is back. */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        String failure = run(List.of("umount", "-l", dir.toString()));
        if (failure != null) throw new IOException("umount " + dir + ": " + failure);
    }

    /** Null when the command succeeded, else what it said. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "no end within 30 s";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + new String(out).strip();
    }
}
