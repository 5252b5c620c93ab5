/**
 * The CLI's one kind of failure: a message for a person (one line, no secret in it) and the exit
 * code — 2 for bad input (nothing was sent), 1 for a stack that failed or refused.
 */

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A failure to report as one line and an exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad input: exit 2, nothing was done. */
export function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** `url` without credentials, query or fragment: what may be printed. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
