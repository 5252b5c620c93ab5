/**
 * Where the CLI writes and what it knows of the terminal, in one object the commands receive, so
 * nothing in them reaches for `process` (tests drive the real binary; this keeps commands plain).
 */
import pc from 'picocolors';

/** Output streams, the terminal's shape and colours. */
export interface Io {
  /** Writes `text` to stdout as given (commands add their own newlines). */
  out(text: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** stdout is a terminal: progress bars, in-place refresh. */
  readonly tty: boolean;
  /** stderr is a terminal (the progress bar's stream). */
  readonly errTty: boolean;
  readonly columns: number;
  readonly colors: ReturnType<typeof pc.createColors>;
  readonly stderr: NodeJS.WriteStream;
}

/** The process's own streams. */
export function processIo(): Io {
  const tty = Boolean(process.stdout.isTTY);
  return {
    out: (text) => void process.stdout.write(text),
    err: (line) => void process.stderr.write(`${line}\n`),
    tty,
    errTty: Boolean(process.stderr.isTTY),
    columns: process.stdout.columns ?? 100,
    colors: pc.createColors(tty && !process.env.NO_COLOR),
    stderr: process.stderr,
  };
}
