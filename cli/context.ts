/** What every command receives from the composition root (`main.ts`). */
import type { Io } from './io.ts';
import type { Target } from './target.ts';

export interface CommandContext {
  readonly io: Io;
  /** `--json`: one JSON document (or one per refresh) on stdout, nothing else there. */
  readonly json: boolean;
  /** Resolves the stack (flags, environment, stack file) when the command needs it. */
  target(): Promise<Target>;
  /** The process's working directory (checkpoint files). */
  readonly cwd: string;
  /** Registers what to do on Ctrl-C; the returned function unregisters it. */
  onInterrupt(handler: () => void): () => void;
  /** Current time; tests of the binary run on the real one. */
  now(): number;
}
