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
import { perJump } from '../ssh/per-jump.js';
import { routesOf } from '../sshconfig/routes.js';
import type { JumpTarget, TunnelSet } from '../sshconfig/types.js';
import type { Check, Question, SetAnswers } from '../wizard/index.js';
import { DEFAULT_PERSIST, DEFAULT_SOCKET_DIR } from './defaults.js';
import { type ProxyProgram, proxyProgram } from './proxy-program.js';

const usesAlias = (answers: Partial<SetAnswers>): boolean => (answers.jumpAlias ?? '') !== '';

/**
 * The items of an answer that takes several, separated by commas (blanks beside a comma are dropped). Each item
 * is checked whole: a line break or a blank inside one is refused, never taken as a separator.
 */
const splitList = (answer: string): string[] => {
  const items = answer.split(',');
  return items.length === 1 ? items : items.map((item) => item.replace(/^ +| +$/g, ''));
};

/** Checks every item of a list answer with `check`; the message names the item when there are several. */
const eachOf =
  (check: (value: string) => string | undefined): Check =>
  (answer) => {
    const items = splitList(answer);
    for (const item of items) {
      const problem = check(item);
      if (problem) return items.length === 1 ? problem : `${JSON.stringify(item)} ${problem}`;
    }
    return undefined;
  };

/** How many jumps the answers name: the aliases, or the jumphosts. */
const jumpCount = (answers: Partial<SetAnswers>): number => splitList(usesAlias(answers) ? (answers.jumpAlias ?? '') : (answers.jumpHost ?? '')).length;

/** One socket directory for every jump, or one per jump in the same order. */
const socketDirsProblem: Check = (answer, answers) => {
  const problem = eachOf(socketDirValueProblem)(answer, answers);
  if (problem) return problem;
  const dirs = splitList(answer);
  const jumps = jumpCount(answers);
  return perJump(dirs, jumps) === undefined ? `names ${dirs.length} directories for ${jumps} jump${jumps === 1 ? '' : 's'}: give one for every jump, or one per jump in the same order` : undefined;
};

/** The `--persist` answer that takes the set back to the proxy's default (as an empty one does). */
export const PERSIST_DEFAULT = 'default';
const persistAnswerProblem: Check = (value) => (value === '' || value === PERSIST_DEFAULT ? undefined : persistProblem(value));

/** The wizard, as data: one question per flag, in the order a person thinks about them. */
export const SET_QUESTIONS: readonly Question[] = [
  { key: 'name', message: 'A name for this tunnel set, such as home', validate: setNameProblem },
  {
    key: 'jumpAlias',
    message: 'The Host alias of the jumphost in your ssh_config (for failover, several: a,b)',
    when: (a) => a.jumpHost === '',
    validate: eachOf(aliasProblem),
  },
  {
    key: 'jumpHost',
    message: 'The jumphost (DNS name or IP address; for failover, several: a,b)',
    when: (a) => !usesAlias(a),
    validate: eachOf(jumpHostProblem),
  },
  { key: 'jumpPort', message: 'Its SSH port', empty: '22', when: (a) => !usesAlias(a), validate: optional(portProblem) },
  { key: 'jumpUser', message: 'Your user on the jumphost', empty: "ssh's default", when: (a) => !usesAlias(a), validate: optional(userProblem) },
  { key: 'identity', message: 'The key to log in to the jumphost with', empty: "ssh's defaults", when: (a) => !usesAlias(a), validate: optional(identityFileProblem) },
  { key: 'socketDir', message: 'The socket directory on the jumphost (with several jumps: one, or one each)', validate: socketDirsProblem },
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
  const jumps: JumpTarget[] = usesAlias(answers)
    ? splitList(value('jumpAlias')).map((alias) => ({ alias }))
    : splitList(value('jumpHost')).map((host) => ({
        host,
        ...(value('jumpPort') ? { port: Number(value('jumpPort')) } : {}),
        ...(value('jumpUser') ? { user: value('jumpUser') } : {}),
        ...(value('identity') ? { identityFile: value('identity') } : {}),
      }));
  // A trailing / would only double the slash in DIR/HOST.sock.
  const dirs = splitList(value('socketDir')).map((dir) => (dir.length > 1 ? dir.replace(/\/+$/, '') : dir));
  const each = perJump(dirs, jumps.length) ?? [];
  const routes = jumps.map((jump, index) => ({ jump, socketDir: each[index] ?? '' }));
  const [first, ...more] = routes;
  if (!first) throw new TunnelError('usage', `${FLAG_OF.jumpHost} or ${FLAG_OF.jumpAlias} names no jumphost`);
  const set: TunnelSet = {
    name: value('name'),
    jump: first.jump,
    socketDir: first.socketDir,
    ...(more.length > 0 ? { moreJumps: more } : {}),
    hosts: splitHostPatterns(value('hosts')),
    proxyPath: program.proxyPath,
    nodePath: program.nodePath,
  };
  if (value('user')) set.user = value('user');
  if (configFile !== undefined) set.configFile = configFile;
  if (value('persist') !== '' && value('persist') !== PERSIST_DEFAULT) set.persist = normalisePersist(value('persist'));
  return set;
}

/**
 * The answers a set was made from, to pre-fill `edit`. Several jumps are listed in order; described ones
 * share the first one's port, user and key in the answers (see keepJumps for sets whose jumps differ).
 */
export function answersOf(set: TunnelSet): SetAnswers {
  const jump = set.jump;
  const routes = routesOf(set);
  const dirs = routes.map((route) => route.socketDir);
  return {
    name: set.name,
    jumpAlias: 'alias' in jump ? routes.map((route) => ('alias' in route.target ? route.target.alias : '')).join(',') : '',
    jumpHost: 'alias' in jump ? '' : routes.map((route) => ('alias' in route.target ? '' : route.target.host)).join(','),
    jumpPort: 'alias' in jump || jump.port === undefined ? '' : String(jump.port),
    jumpUser: 'alias' in jump ? '' : (jump.user ?? ''),
    identity: 'alias' in jump ? '' : (jump.identityFile ?? ''),
    socketDir: dirs.every((dir) => dir === dirs[0]) ? set.socketDir : dirs.join(','),
    hosts: set.hosts.join(','),
    user: set.user ?? '',
    persist: set.persist ?? '',
  };
}

/** A described jump that stays keeps the lines of the user's own in its section (the answers do not hold them). */
function withJumpOptions(built: TunnelSet, current: TunnelSet): TunnelSet {
  const optionsOf = new Map(routesOf(current).flatMap(({ target }) => ('alias' in target || !target.options ? [] : [[target.host, target.options] as const])));
  const keep = (jump: JumpTarget): JumpTarget => {
    if ('alias' in jump) return jump;
    const options = optionsOf.get(jump.host);
    return options ? { ...jump, options: [...options] } : jump;
  };
  const moreJumps = built.moreJumps?.map((route) => ({ ...route, jump: keep(route.jump) }));
  return { ...built, jump: keep(built.jump), ...(moreJumps ? { moreJumps } : {}) };
}

/**
 * When `edit` changes the jumps but not the socket directories, each jump that was there keeps its own
 * directory and a new one gets the first jump's, so `--jump-alias gw-b` alone keeps gw-b's directory.
 */
function carrySocketDirs(current: TunnelSet, answers: Partial<SetAnswers>, given: Partial<SetAnswers>): Partial<SetAnswers> {
  if (given.socketDir !== undefined) return answers;
  const routes = routesOf(current);
  const nameOf = (target: JumpTarget): string => ('alias' in target ? target.alias : target.host);
  const names = splitList(usesAlias(answers) ? (answers.jumpAlias ?? '') : (answers.jumpHost ?? ''));
  const dirs = names.map((name) => routes.find((route) => nameOf(route.target) === name)?.socketDir ?? current.socketDir);
  return { ...answers, socketDir: dirs.every((dir) => dir === dirs[0]) ? (dirs[0] ?? current.socketDir) : dirs.join(',') };
}

const JUMP_KEYS = ['jumpAlias', 'jumpHost', 'jumpPort', 'jumpUser', 'identity', 'socketDir'] as const;

/**
 * `edit` keeps a set's jumps exactly as they are when no answer about them changed: the answers cannot
 * say everything a block can hold (jumps of both kinds, or described jumps with different ports or keys).
 * Returns the answers to build the set from (with the first jump alone standing for them, so that they
 * always read) and what to do with the set built.
 */
export function keepJumps(
  current: TunnelSet,
  answers: Partial<SetAnswers>,
  given: Partial<SetAnswers>,
): { answers: Partial<SetAnswers>; finish: (built: TunnelSet) => TunnelSet } {
  const before = answersOf(current);
  if (JUMP_KEYS.some((key) => (answers[key] ?? before[key]) !== before[key])) {
    return { answers: carrySocketDirs(current, answers, given), finish: (built) => withJumpOptions(built, current) };
  }
  const { moreJumps: _others, ...first } = current;
  const firstOnly = answersOf(first);
  const standIn = { ...answers, ...Object.fromEntries(JUMP_KEYS.map((key) => [key, firstOnly[key]])) };
  return {
    answers: standIn,
    finish: (built) => {
      const { moreJumps: _dropped, ...rest } = built;
      return { ...rest, jump: current.jump, socketDir: current.socketDir, ...(current.moreJumps ? { moreJumps: current.moreJumps } : {}) };
    },
  };
}
