import { writeFile } from 'node:fs/promises';
import type { KeyPair } from './keys.js';
import type { ProcessTracker, RunOptions, RunResult, Tracked } from './process.js';
import { shellQuote } from './quote.js';
import { fileIdentity } from './tunnel.js';
import { waitFor } from './wait.js';

export interface AgentSpec {
  socket: string;
  /** Where the askpass scripts go. */
  askpassPrefix: string;
  keys: KeyPair[];
  env: NodeJS.ProcessEnv;
  /** Runs a command in the world's clean environment. */
  run: (command: string, args: string[], options: RunOptions) => Promise<RunResult>;
}

/** `ssh-agent -D -a SOCKET` holding `keys`; encrypted keys are unlocked through SSH_ASKPASS. */
export async function spawnAgent(tracker: ProcessTracker, spec: AgentSpec): Promise<Tracked> {
  const agent = tracker.spawn('ssh-agent', ['-D', '-a', spec.socket], { env: spec.env, background: true });
  await waitFor(() => (fileIdentity(spec.socket) ? true : undefined), {
    timeoutMs: 5000,
    what: () => `ssh-agent never created ${spec.socket}:\n${agent.stderr()}`,
  });
  for (const [index, key] of spec.keys.entries()) {
    const askpass = `${spec.askpassPrefix}-${index}.sh`;
    await writeFile(askpass, `#!/bin/sh\nprintf '%s\\n' ${shellQuote(key.passphrase)}\n`, { mode: 0o700 });
    // run() gives no controlling tty (setsid), so ssh-add must ask the askpass program
    const env = { SSH_AUTH_SOCK: spec.socket, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
    const added = await spec.run('ssh-add', [key.path], { env, timeoutMs: 10_000 });
    if (added.code !== 0) throw new Error(`ssh-add ${key.path} failed (exit ${String(added.code)}):\n${added.stderr}`);
  }
  return agent;
}
