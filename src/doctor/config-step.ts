import { ExitCode } from '../errors.js';
import { parseSshG } from '../jump/jump.js';
import { splitCommandLine } from '../ssh/command-line.js';
import { readBlockState } from '../sshconfig/hand-edits.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { hostLineMatches } from '../sshconfig/pattern.js';
import { recognizeRecipe } from '../sshconfig/recipe.js';
import { renderProxyCommand } from '../sshconfig/render.js';
import { findShadowingLine, type ShadowingLine } from '../sshconfig/shadow.js';
import { type DoctorStep, fail, pass } from './steps.js';
import type { Route } from '../proxy/routes.js';
import { readProxyCommand } from './proxy-command.js';

export interface ConfigFacts {
  /** HOST as typed. */
  host: string;
  /** `ssh -G [-F FILE] HOST`. */
  sshG: string;
  /** The config ssh reads (-F, else the passwd home's ~/.ssh/config), and its text ('' when there is none). */
  path: string;
  text: string;
  /** Whether the config was named (-F/--config), so that commands shown name it too. */
  named: boolean;
}

export interface ConfigVerdict {
  step: DoctorStep;
  /** Ours: the jumps to walk, and the config the proxy resolves them from. */
  routes?: Route[];
  configFile?: string | undefined;
}

/** A name that matches no line of any config: the line that sets ProxyCommand first is then found whatever it says. */
const NOT_A_PROXY_COMMAND = '\0';

const describeLine = (line: ShadowingLine, path: string): string =>
  `line ${line.line} of ${line.file ?? path} (\`${line.text}\`)${line.certain ? '' : ', under a Match whose outcome depends on the running system,'}`;

/**
 * Whether ssh sends HOST through tunnel-config proxy, from what `ssh -G` resolved; when not, which line of the
 * config set the ProxyCommand (or ProxyJump) that wins and how to put ours first.
 */
export function judgeConfig(facts: ConfigFacts): ConfigVerdict {
  const { host, path, text } = facts;
  const options = parseSshG(facts.sshG);
  const proxyCommand = options.get('proxycommand')?.[0];
  const proxyJump = options.get('proxyjump')?.[0];
  const command = facts.named ? `ssh -G -F ${path} ${host}` : `ssh -G ${host}`;
  const config = facts.named ? ` --config ${path}` : '';
  if (proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none') {
    const reading = readProxyCommand(proxyCommand);
    if (reading.kind === 'ours') {
      const jumps = reading.routes.map((route) => `${route.jump} (${route.socketDir})`).join(', then ');
      return { step: pass('config', `${command}: ProxyCommand is tunnel-config proxy through ${jumps}`), routes: reading.routes, configFile: reading.configFile };
    }
    if (reading.kind === 'broken') {
      return {
        step: fail('config', `${command}: ProxyCommand runs tunnel-config proxy, but ${reading.problem}`, `rewrite the set's block with \`tunnel-config edit SET${config}\` (see tunnel-config list${config})`, ExitCode.usage),
      };
    }
  }
  const what = proxyJump !== undefined && proxyJump.toLowerCase() !== 'none'
    ? `ProxyJump is ${proxyJump}`
    : proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none'
      ? `ProxyCommand is \`${proxyCommand}\``
      : undefined;
  const mine = findManagedBlocks(text, path)
    .map((block) => readBlockState(block, path))
    .find((state) => state.set !== undefined && hostLineMatches(state.set.hosts, host));
  const set = mine?.set;
  const winner = findShadowingLine(text, host, set ? renderProxyCommand(set) : NOT_A_PROXY_COMMAND, mine ? { ourLines: { begin: mine.block.beginLine, end: mine.block.endLine } } : {});
  const setBy = winner ? `, set by ${describeLine(winner, path)}` : what !== undefined ? ', set outside the file (an Include, or the system ssh_config)' : '';
  const detail = what === undefined ? `${command}: no ProxyCommand, so ssh would connect to ${host} directly${setBy}` : `${command}: ${what}${setBy}, not tunnel-config's`;
  if (set) {
    const recipe = winner && recipeIn(winner.text);
    const fix = winner
      ? `\`tunnel-config edit ${set.name} --place-before${config}\` moves the block of "${set.name}" above line ${winner.line}${recipe ? `, or \`tunnel-config edit ${set.name} --adopt${config}\` turns that seed-recipe section into the set` : ''}${winner.file === undefined ? '' : ` (the line is in ${winner.file}, read through the Include on line ${winner.via ?? '?'})`}`
      : `move the block of "${set.name}" (lines ${mine.block.beginLine}-${mine.block.endLine}) before the setting that wins, or remove that setting`;
    return { step: fail('config', detail, fix, ExitCode.usage) };
  }
  return {
    step: fail('config', `${detail}; no tunnel set in ${path} claims ${host}`, `add it to a set: \`tunnel-config edit SET --hosts …${config}\` or \`tunnel-config add --hosts ${host}${config}\``, ExitCode.usage),
  };
}

function recipeIn(line: string): boolean {
  const value = /^\s*proxycommand[\s=]+(.*)$/i.exec(line)?.[1];
  const words = value === undefined ? null : splitCommandLine(value);
  return words !== null && recognizeRecipe(words) !== undefined;
}
