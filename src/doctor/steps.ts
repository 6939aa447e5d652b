import { ExitCode, TunnelError } from '../errors.js';
import { FAILOVER_CODES } from '../proxy/routes.js';

/** The steps, in the order the chain is walked; the jump's steps repeat for every jump the ProxyCommand tries. */
export type StepId =
  | 'ssh'
  | 'config'
  | 'jump'
  | 'name'
  | 'tcp'
  | 'handshake'
  | 'jump-host-key'
  | 'auth'
  | 'stream-local'
  | 'socket'
  | 'host-key';

/** One step: passed (true), failed (false), or could not be told (null: neither, and not the failure). */
export interface DoctorStep {
  step: StepId;
  /** The jump, for the jump's steps. */
  jump?: string;
  ok: boolean | null;
  /** One line: what was found. */
  detail: string;
  /** For a failed step: what to do. */
  fix?: string;
  /** For a failed step: the status it ends with (ExitCode). */
  exitCode?: number;
}

/** What `doctor --json` prints. */
export interface DoctorReport {
  host: string;
  /** True when every step passed on the way through one of the jumps. */
  ok: boolean;
  exitCode: number;
  /** The jump the proxy would carry the session through; null when none. */
  via: string | null;
  steps: DoctorStep[];
}

export const pass = (step: StepId, detail: string, jump?: string): DoctorStep => ({ step, ...(jump === undefined ? {} : { jump }), ok: true, detail });
export const unsure = (step: StepId, detail: string, jump?: string): DoctorStep => ({ step, ...(jump === undefined ? {} : { jump }), ok: null, detail });
export const fail = (step: StepId, detail: string, fix: string, exitCode: number, jump?: string): DoctorStep => ({
  step,
  ...(jump === undefined ? {} : { jump }),
  ok: false,
  detail,
  fix,
  exitCode,
});

const LABELS: Record<StepId, string> = {
  ssh: 'OpenSSH client',
  config: 'ssh_config',
  jump: 'jump',
  name: 'name resolution',
  tcp: 'TCP',
  handshake: 'SSH handshake',
  'jump-host-key': 'jump host key',
  auth: 'authentication',
  'stream-local': 'stream-local',
  socket: 'socket',
  'host-key': 'host key',
};

/** The statuses of the failures after which the proxy goes on to its next jump (FAILOVER_CODES); any other ends it. */
const FAILOVER: ReadonlySet<number> = new Set([...FAILOVER_CODES].map((code) => ExitCode[code]));

/** Whether the proxy would go on to the next jump after this failed step. */
export const failsOver = (step: DoctorStep): boolean => step.exitCode !== undefined && FAILOVER.has(step.exitCode);

/**
 * The verdict: `via` is the first jump whose steps all passed, as the proxy would take it. The status is 0
 * only when every step passed: a jump that fails while another gets through is the first failure's status
 * (the host is reachable, but not as set up); with no way through, the status of the failure that stops the
 * proxy, or of the first jump's when every jump failed over.
 */
export function concludeReport(host: string, steps: DoctorStep[]): DoctorReport {
  const failures = steps.filter((step) => step.ok === false);
  const jumps = [...new Set(steps.flatMap((step) => (step.jump === undefined ? [] : [step.jump])))];
  const common = steps.filter((step) => step.jump === undefined);
  const jumpWorks = (jump: string): boolean => {
    const mine = steps.filter((step) => step.jump === jump);
    return mine.some((step) => step.step === 'host-key' && step.ok === true) && mine.every((step) => step.ok !== false);
  };
  const via = common.every((step) => step.ok === true) ? jumps.find(jumpWorks) : undefined;
  const stop = failures.find((step) => step.jump === undefined || !failsOver(step)) ?? failures[0];
  const exitCode = via !== undefined ? (failures[0]?.exitCode ?? ExitCode.ok) : (stop?.exitCode ?? ExitCode.internal);
  return { host, ok: via !== undefined && failures.length === 0, exitCode, via: via ?? null, steps };
}

const MARK = (ok: boolean | null): string => (ok === true ? '✔' : ok === false ? '✖' : '·');

/** The report as text: a line per step (✔, ✖, or · for one that could not be told), the fix under each failure, and the verdict. */
export function renderDoctor(report: DoctorReport, tryIt: string): string {
  const lines: string[] = [];
  const jumps = new Set(report.steps.flatMap((step) => (step.jump === undefined ? [] : [step.jump])));
  let shownJump: string | undefined;
  for (const step of report.steps) {
    if (jumps.size > 1 && step.jump !== undefined && step.jump !== shownJump) {
      shownJump = step.jump;
      lines.push(`through ${step.jump}:`);
    }
    const indent = jumps.size > 1 && step.jump !== undefined ? '  ' : '';
    lines.push(`${indent}${MARK(step.ok)} ${LABELS[step.step]}: ${step.detail}`);
    if (step.fix !== undefined) lines.push(`${indent}  fix: ${step.fix}`);
  }
  const through = jumps.size > 1 && report.via !== null ? ` through ${report.via}` : '';
  if (report.ok) lines.push(`${report.host} is reachable${through}. Try it: ${tryIt}`);
  else if (report.via !== null) lines.push(`${report.host} is reachable${through}, but not through every jump (status ${report.exitCode}): fix the ✖ above. Try it: ${tryIt}`);
  else lines.push(`${report.host} cannot be reached this way (status ${report.exitCode})`);
  return `${lines.join('\n')}\n`;
}

export const asTunnelError = (error: unknown): TunnelError =>
  error instanceof TunnelError ? error : new TunnelError('internal', error instanceof Error ? error.message : String(error));

/** tunnel-config's messages end with what to do after the last ": "; the doctor shows that part as the fix. */
export function splitFix(message: string): { detail: string; fix: string } {
  const firstLine = message.split('\n')[0] ?? message;
  const at = firstLine.lastIndexOf(': ');
  return at < 0 ? { detail: firstLine, fix: 'see the line above' } : { detail: firstLine.slice(0, at), fix: firstLine.slice(at + 2) };
}
