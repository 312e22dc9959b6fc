package io.muster.security;

import io.muster.store.DataDirectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The file a node appends its checkpoints to, one JSON line each, readable by its owner only (a
 * folder it creates for it is too). An
 * external collector copies it (or the node's log, which carries the same lines) somewhere the
 * database's administrators cannot write; {@code audit-verify --checkpoints} reads either.
 */
public final class Checkpoints {
  /** One line that carries a checkpoint: where it is, and the checkpoint or why it could not be read. */
  public record Line(Path file, int number, Checkpoint checkpoint, String error) {
    public String where() {
      return file + " line " + number;
    }
  }

  private final Path file;

  public Checkpoints(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Appends one line with a single write (nodes sharing the file in one JVM take turns). */
  public void append(Checkpoint checkpoint) throws IOException {
    synchronized (Checkpoints.class) {
      if (!Files.exists(file)) {
        if (file.toAbsolutePath().getParent() != null) {
          DataDirectory.create(file.toAbsolutePath().getParent());
        }
        DataDirectory.writeNew(file, "");
      }
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        ByteBuffer line = ByteBuffer.wrap((checkpoint.line() + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
          out.write(line);
        }
      }
    }
  }

  /** Every line of the file that carries a checkpoint; none when the file does not exist. */
  public static List<Line> read(Path file) throws IOException {
    List<Line> lines = new ArrayList<>();
    if (!Files.exists(file)) {
      return lines;
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int number = 0;
      while ((text = in.readLine()) != null) {
        number++;
        try {
          Optional<Checkpoint> checkpoint = Checkpoint.parse(text);
          if (checkpoint.isPresent()) {
            lines.add(new Line(file, number, checkpoint.get(), null));
          }
        } catch (IllegalArgumentException e) {
          lines.add(new Line(file, number, null, e.getMessage()));
        }
      }
    }
    return lines;
  }
}
