import type { ServerPlan } from './plan.js';
import { expectedSettings } from './render-sshd.js';
import type { SetupRunner } from './runner.js';

/** What tunnel-config proxy needs from sshd for a client account: a direct-streamlocal channel. */
const clientNeeds: ReadonlyArray<readonly [pattern: RegExp, setting: string]> = [
  [/^allowstreamlocalforwarding (yes|all|local)$/m, 'AllowStreamLocalForwarding yes or local'],
  [/^allowtcpforwarding (yes|all|local)$/m, 'AllowTcpForwarding yes or local (no or remote also refuse stream-local channels)'],
  [/^permitopen (?:any|(?:\S+ )*\*:\*(?: \S+)*)$/m, 'PermitOpen any (any other PermitOpen list but one with *:* refuses stream-local channels)'],
  [/^disableforwarding no$/m, 'DisableForwarding no'],
];

/** The settings among `expected` that `sshd -T` output lacks. */
export function missingSettings(expected: readonly string[], applied: string): string[] {
  const lines = new Set(applied.split('\n').map((line) => line.trim()));
  return expected.filter((line) => !lines.has(line));
}

/** The settings a client account lacks to open sockets, as sshd_config advice. */
export function clientShortfalls(applied: string): string[] {
  return clientNeeds.filter(([pattern]) => !pattern.test(applied)).map(([, setting]) => setting);
}

const stderrLines = (text: string): string[] => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');

/**
 * sshd's view: the whole configuration with this drop-in passes `sshd -t`, and `sshd -T` applies our
 * settings to each tunnel account and lets each client open sockets. Until the drop-in is installed,
 * that is asked of a temporary sshd_config that includes the new drop-in ahead of the real one.
 */
export async function checkSshd(plan: ServerPlan, dropIn: string, runner: SetupRunner, existingAccounts: string[]): Promise<string[]> {
  const { layout } = plan;
  const problems: string[] = [];
  const installed = await runner.readFile(layout.dropIn);
  if (installed === undefined) problems.push(`${layout.dropIn} does not exist`);
  else if (installed !== dropIn) problems.push(`${layout.dropIn} differs from what server-setup writes with these options`);
  await runner.withTempDir(async (_dir, write) => {
    const candidate = await write('tunnel-config.conf', dropIn);
    const config = installed === dropIn ? layout.sshdConfig : await write('sshd_config', `Include ${candidate}\nInclude ${layout.sshdConfig}\n`);
    const test = await runner.run(layout.sshd, ['-t', '-f', config], { timeoutMs: 20_000 });
    if (test.code !== 0) {
      const lines = stderrLines(test.stderr);
      problems.push(...(lines.length > 0 ? lines.map((line) => `sshd -t: ${line}`) : [`sshd -t failed (exit ${String(test.code)})`]));
      return;
    }
    const settingsOf = async (user: string): Promise<string | undefined> => {
      const result = await runner.run(layout.sshd, ['-T', '-f', config, '-C', `user=${user},host=localhost,addr=127.0.0.1`], { timeoutMs: 20_000 });
      if (result.code === 0) return result.stdout;
      problems.push(`sshd -T for ${user}: ${stderrLines(result.stderr)[0] ?? `exit ${String(result.code)}`}`);
      return undefined;
    };
    const expected = expectedSettings(plan);
    for (const account of existingAccounts) {
      const applied = await settingsOf(account);
      const missing = applied === undefined ? [] : missingSettings(expected, applied);
      if (missing.length > 0) {
        problems.push(
          `sshd would not apply ${missing.map((line) => `"${line}"`).join(', ')} to ${account}: an earlier Match block wins, or ${layout.sshdConfig} does not include ${layout.dropIn} at its top`,
        );
      }
    }
    for (const user of plan.clientUsers) {
      const applied = await settingsOf(user);
      const short = applied === undefined ? [] : clientShortfalls(applied);
      if (short.length > 0) problems.push(`sshd would refuse ${user} the channel tunnel-config proxy opens: ${user} needs ${short.join(', ')}`);
    }
  });
  return problems;
}
