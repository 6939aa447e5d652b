import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TunnelError } from '../errors.js';
import { nodePathProblem, proxyPathProblem } from '../sshconfig/validate.js';

/** What ProxyCommand runs: this node, by its absolute path, with tunnel-config's script. */
export interface ProxyProgram {
  nodePath: string;
  proxyPath: string;
}

const sameFile = (a: string, b: string): boolean => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
};

/**
 * ssh runs ProxyCommand with its own PATH (editors, nvm, asdf, volta), which may have no node, so the
 * node is written by its absolute path. The `node` beside the script is preferred when it is this very
 * node: a link such as /opt/homebrew/bin/node still works after the version it points to is replaced.
 */
export function proxyProgram(script: string, execPath = process.execPath): ProxyProgram {
  const beside = join(dirname(script), 'node');
  const nodePath = beside !== execPath && sameFile(beside, execPath) ? beside : execPath;
  for (const [what, path, problem, fix] of [
    ['node', nodePath, nodePathProblem(nodePath), 'Node.js'],
    ['tunnel-config', script, proxyPathProblem(script), 'tunnel-config'],
  ] as const) {
    if (problem !== undefined) {
      throw new TunnelError(
        'usage',
        `${what} is at "${path}", which ProxyCommand cannot run (the path ${problem.replace(/ in the .*$/, '')}): install ${fix} where its path has only letters, digits, ".", "_", "+", "@", "-" and "/"`,
      );
    }
  }
  return { nodePath, proxyPath: script };
}
