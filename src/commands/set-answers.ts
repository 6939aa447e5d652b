import { TunnelError } from '../errors.js';
import {
  aliasProblem,
  hostListProblem,
  identityFileProblem,
  jumpHostProblem,
  normalisePersist,
  optional,
  persistProblem,
  portProblem,
  setNameProblem,
  socketDirValueProblem,
  splitHostPatterns,
  userProblem,
} from '../sshconfig/validate.js';
import type { TunnelSet } from '../sshconfig/types.js';
import type { Check, Question, SetAnswers } from '../wizard/index.js';
import { DEFAULT_PERSIST, DEFAULT_SOCKET_DIR } from './defaults.js';
import { type ProxyProgram, proxyProgram } from './proxy-program.js';

const usesAlias = (answers: Partial<SetAnswers>): boolean => (answers.jumpAlias ?? '') !== '';

/** The `--persist` answer that takes the set back to the proxy's default (as an empty one does). */
export const PERSIST_DEFAULT = 'default';
const persistAnswerProblem: Check = (value) => (value === '' || value === PERSIST_DEFAULT ? undefined : persistProblem(value));

/** The wizard, as data: one question per flag, in the order a person thinks about them. */
export const SET_QUESTIONS: readonly Question[] = [
  { key: 'name', message: 'A name for this tunnel set, such as home', validate: setNameProblem },
  { key: 'jumpAlias', message: 'The Host alias of the jumphost in your ssh_config', when: (a) => a.jumpHost === '', validate: aliasProblem },
  { key: 'jumpHost', message: 'The jumphost (DNS name or IP address)', when: (a) => !usesAlias(a), validate: jumpHostProblem },
  { key: 'jumpPort', message: 'Its SSH port', empty: '22', when: (a) => !usesAlias(a), validate: optional(portProblem) },
  { key: 'jumpUser', message: 'Your user on the jumphost', empty: "ssh's default", when: (a) => !usesAlias(a), validate: optional(userProblem) },
  { key: 'identity', message: 'The key to log in to the jumphost with', empty: "ssh's defaults", when: (a) => !usesAlias(a), validate: optional(identityFileProblem) },
  { key: 'socketDir', message: 'The socket directory on the jumphost', validate: socketDirValueProblem },
  { key: 'hosts', message: 'The hidden hosts: names or host-* patterns, separated by spaces or commas', validate: hostListProblem },
  { key: 'user', message: 'Your login user on the hidden hosts', empty: "ssh's default", validate: optional(userProblem) },
  {
    key: 'persist',
    message: 'How long to keep the jump connection open after the last session: 90s, 10m, 2h, or 0 for no sharing',
    empty: `tunnel-config's default, ${DEFAULT_PERSIST}`,
    validate: persistAnswerProblem,
  },
];

/** Flag names for messages, in question order. */
export const FLAG_OF: Record<keyof SetAnswers, string> = {
  name: '--name',
  jumpAlias: '--jump-alias',
  jumpHost: '--jump-host',
  jumpPort: '--jump-port',
  jumpUser: '--jump-user',
  identity: '--identity',
  socketDir: '--socket-dir',
  hosts: '--hosts',
  user: '--user',
  persist: '--persist',
};

/** Fills what the questions would default to when nobody is there to ask. */
export function withDefaults(given: Partial<SetAnswers>, defaults: Partial<SetAnswers>): Partial<SetAnswers> {
  const answers = { ...defaults, ...given };
  if (given.jumpAlias !== undefined && given.jumpHost === undefined) answers.jumpHost = '';
  if (given.jumpHost !== undefined && given.jumpAlias === undefined) answers.jumpAlias = '';
  for (const key of ['jumpPort', 'jumpUser', 'identity', 'user', 'persist'] as const) answers[key] ??= '';
  answers.socketDir ??= DEFAULT_SOCKET_DIR;
  return answers;
}

/** The flags a non-interactive run still lacks. */
export function missingFlags(answers: Partial<SetAnswers>): string[] {
  const missing: string[] = [];
  if (answers.name === undefined) missing.push(FLAG_OF.name);
  if (!answers.jumpHost && !answers.jumpAlias) missing.push(`${FLAG_OF.jumpHost} or ${FLAG_OF.jumpAlias}`);
  if (answers.hosts === undefined) missing.push(FLAG_OF.hosts);
  return missing;
}

/** Checks every answer as the wizard would and builds the set, run by `program` (this node and `proxyPath` by default); the error names the flag. */
export function toTunnelSet(
  answers: Partial<SetAnswers>,
  proxyPath: string,
  configFile: string | undefined,
  program: ProxyProgram = proxyProgram(proxyPath),
): TunnelSet {
  const value = (key: keyof SetAnswers): string => answers[key] ?? '';
  if (value('jumpHost') !== '' && value('jumpAlias') !== '') {
    throw new TunnelError('usage', `${FLAG_OF.jumpHost} and ${FLAG_OF.jumpAlias} exclude each other: describe the jumphost or name its alias`);
  }
  for (const question of SET_QUESTIONS) {
    if (question.when && !question.when(answers)) continue;
    const problem = question.validate(value(question.key), answers);
    if (problem) throw new TunnelError('usage', `${FLAG_OF[question.key]} ${JSON.stringify(value(question.key))}: ${problem}`);
  }
  const set: TunnelSet = {
    name: value('name'),
    jump: usesAlias(answers)
      ? { alias: value('jumpAlias') }
      : {
          host: value('jumpHost'),
          ...(value('jumpPort') ? { port: Number(value('jumpPort')) } : {}),
          ...(value('jumpUser') ? { user: value('jumpUser') } : {}),
          ...(value('identity') ? { identityFile: value('identity') } : {}),
        },
    // A trailing / would only double the slash in DIR/HOST.sock.
    socketDir: value('socketDir').length > 1 ? value('socketDir').replace(/\/+$/, '') : value('socketDir'),
    hosts: splitHostPatterns(value('hosts')),
    proxyPath: program.proxyPath,
    nodePath: program.nodePath,
  };
  if (value('user')) set.user = value('user');
  if (configFile !== undefined) set.configFile = configFile;
  if (value('persist') !== '' && value('persist') !== PERSIST_DEFAULT) set.persist = normalisePersist(value('persist'));
  return set;
}

/** The answers a set was made from, to pre-fill `edit`. */
export function answersOf(set: TunnelSet): SetAnswers {
  const jump = set.jump;
  return {
    name: set.name,
    jumpAlias: 'alias' in jump ? jump.alias : '',
    jumpHost: 'alias' in jump ? '' : jump.host,
    jumpPort: 'alias' in jump || jump.port === undefined ? '' : String(jump.port),
    jumpUser: 'alias' in jump ? '' : (jump.user ?? ''),
    identity: 'alias' in jump ? '' : (jump.identityFile ?? ''),
    socketDir: set.socketDir,
    hosts: set.hosts.join(','),
    user: set.user ?? '',
    persist: set.persist ?? '',
  };
}
