/** One step of a check: what was looked at, and how it went. */
export interface CheckStep {
  status: 'ok' | 'fail' | 'warn' | 'info';
  text: string;
}

const MARKS: Record<CheckStep['status'], string> = { ok: '✔', fail: '✖', warn: '!', info: '·' };

/** The check's report: one line per step, `✔`/`✖`, then the command to try. */
export function renderCheck(steps: readonly CheckStep[], tryIt: string | undefined): string {
  const lines = steps.map((step) => `${MARKS[step.status]} ${step.text}`);
  if (tryIt !== undefined) lines.push(`Try it: ${tryIt}`);
  return `${lines.join('\n')}\n`;
}

/** `ssh [-F FILE] HOST`, with -F only when the config is not ssh's default. */
export function tryItCommand(host: string, configFile: string | undefined): string {
  return configFile === undefined ? `ssh ${host}` : `ssh -F ${configFile} ${host}`;
}
