/** Exit statuses; each failure class has its own so scripts and tests can tell them apart. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  unreachable: 3,
  hostKey: 4,
  auth: 5,
  offline: 6,
  refused: 7,
  conflict: 8,
  setupFailed: 9,
  silent: 10,
} as const;

export type ErrorCode = keyof typeof ExitCode;

/** The one error type: `cli.ts` prints `tunnel-config: <message>` and exits with `ExitCode[code]`. */
export class TunnelError extends Error {
  readonly code: ErrorCode;

  /** Several causes, one line each (a proxy that tried several jumps): each is printed as its own `tunnel-config:` line. */
  readonly lines: readonly string[] | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; lines?: readonly string[] }) {
    super(message, options);
    this.name = 'TunnelError';
    this.code = code;
    this.lines = options?.lines;
  }

  get exitCode(): number {
    return ExitCode[this.code];
  }
}
