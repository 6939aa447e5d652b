import { TunnelError } from '../errors.js';
import { splitDirective, splitLines } from './lines.js';
import type { JumpTarget, ManagedBlock, TunnelSet } from './types.js';
import { ADOPTED_PREFIX } from './render.js';
import { DEFAULT_HOST_OPTIONS, normaliseSshOption, sshOptionProblem } from './ssh-options.js';
import { jumpAliasFor, validateTunnelSet } from './validate.js';

interface JumpFields {
  host?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  options?: string[];
}

/** What a jump section holds that is not a line of the user's own. */
const JUMP_KEYWORDS = new Set(['hostname', 'port', 'user', 'identityfile', 'identitiesonly']);

interface ProxyCommandFields {
  proxyPath: string;
  nodePath?: string;
  /** `--jump J --socket-dir D`, once per jump, in order. */
  routes: { jump: string; socketDir: string }[];
  configFile?: string;
  persist?: string;
}

/** Reads back the ProxyCommand we write: `[NODE] PATH proxy --jump J --socket-dir D [--jump J2 --socket-dir D2]... [-F FILE] [--persist TIME] -- %h`. */
function parseProxyCommand(all: string[]): ProxyCommandFields | undefined {
  // Blocks written before the node path was written start with the tunnel-config path itself.
  const nodePath = all[1] === 'proxy' ? undefined : all[0];
  const args = nodePath === undefined ? all : all.slice(1);
  const [proxyPath, proxy, ...afterProxy] = args;
  if (proxyPath === undefined || proxy !== 'proxy') return undefined;
  const routes: ProxyCommandFields['routes'] = [];
  let rest = afterProxy;
  while (rest[0] === '--jump') {
    const [, jump, dirFlag, socketDir, ...more] = rest;
    if (jump === undefined || dirFlag !== '--socket-dir' || socketDir === undefined) return undefined;
    routes.push({ jump, socketDir });
    rest = more;
  }
  if (routes.length === 0) return undefined;
  if (rest.length < 2 || rest[rest.length - 2] !== '--' || rest[rest.length - 1] !== '%h') return undefined;
  const fields: ProxyCommandFields = { proxyPath, routes };
  if (nodePath !== undefined) fields.nodePath = nodePath;
  const options = rest.slice(0, -2);
  // Either order, each at most once: a hand edit that adds `--persist` before `-F` still reads.
  for (let i = 0; i < options.length; i += 2) {
    const [flag, value] = [options[i], options[i + 1]];
    if (value === undefined) return undefined;
    if (flag === '-F' && fields.configFile === undefined) fields.configFile = value;
    else if (flag === '--persist' && fields.persist === undefined) fields.persist = value;
    else return undefined;
  }
  return fields;
}

export interface ReadBlock {
  set: TunnelSet;
  /** The block ends with the `Host *` that gives the lines after it back to every host. */
  reopen: boolean;
}

/**
 * The answers a managed block was rendered from, so `edit` can offer them again.
 * Throws a usage error naming the block and the line when a hand edit left something we did not write.
 */
export const parseTunnelSet = (block: ManagedBlock, source = '~/.ssh/config'): TunnelSet => readTunnelBlock(block, source).set;

/**
 * As parseTunnelSet, with where the block ends. A line added by hand to the hosts' section that could have
 * been an `--ssh-option` is read as one, so the set stays editable.
 */
export function readTunnelBlock(block: ManagedBlock, source = '~/.ssh/config'): ReadBlock {
  const where = `${source}: tunnel-config block "${block.name}" (lines ${block.beginLine}-${block.endLine})`;
  // The sections we write for jumps the set describes: `Host tunnel-config-NAME-jump`, `…-jump2`, …, first.
  const jumpSections = new Map<string, JumpFields>();
  let jumpFields: JumpFields | undefined;
  let section: 'none' | 'jump' | 'hosts' | 'reopen' = 'none';
  /** Tells one jump section's keywords from another's. */
  let sectionKey = 'none';
  let hosts: string[] | undefined;
  let user: string | undefined;
  let command: ReturnType<typeof parseProxyCommand>;
  const sshOptions: string[] = [];
  const adopted: string[] = [];
  const seen = new Set<string>();

  const lines = splitLines(block.text).slice(1, -1);
  for (const line of lines) {
    const number = block.beginLine + line.number - 1;
    const fail = (why: string): never => {
      throw new TunnelError('usage', `${where}, line ${number} (\`${line.content.trim()}\`): ${why}; fix the block by hand or remove it and add the set again`);
    };
    if (section === 'none' && line.content.startsWith(ADOPTED_PREFIX)) adopted.push(line.content.slice(ADOPTED_PREFIX.length));
    if (/^[ \t]*(#.*)?$/.test(line.content.replace(/\r$/, ''))) continue;
    const directive = splitDirective(line.content);
    if (!directive) return fail('is not an ssh_config line');
    const { keyword, args } = directive;
    if (section === 'reopen') fail('comes after the `Host *` that ends the block');
    if (keyword === 'host') {
      const alias = args.length === 1 ? writtenJumpAlias(block.name, args[0] ?? '') : undefined;
      const next = alias !== undefined ? 'jump' : hosts && args.length === 1 && args[0] === '*' ? 'reopen' : 'hosts';
      if (args.length === 0) fail('names no host');
      if (alias !== undefined && (jumpSections.has(alias) || hosts)) fail('each jumphost section must come once, before the hosts');
      if (next === 'hosts' && hosts) fail('tunnel-config writes one Host section for the hosts');
      section = next;
      sectionKey = alias ?? next;
      if (alias !== undefined) {
        jumpFields = {};
        jumpSections.set(alias, jumpFields);
      } else if (next === 'hosts') hosts = args;
      continue;
    }
    const value = args.length === 1 ? args[0] : undefined;
    const isDefault = DEFAULT_HOST_OPTIONS.some((option) => option.toLowerCase() === `${keyword} ${value}`);
    if (section === 'hosts' && !['proxycommand', 'user'].includes(keyword) && !(isDefault && !seen.has(`hosts ${keyword}`))) {
      // A line of the user's own: kept as an --ssh-option when it could be one.
      const option = normaliseSshOption(`${keyword} ${args.join(' ')}`);
      sshOptions.push(option);
      const problem = sshOptionProblem(option);
      if (problem !== undefined) fail(problem);
      continue;
    }
    if (section === 'jump' && jumpFields && !JUMP_KEYWORDS.has(keyword)) {
      // A line of the user's own in a jump section we wrote (ConnectTimeout 5, say): kept, if it could be an option.
      const option = normaliseSshOption(`${keyword} ${args.join(' ')}`);
      const problem = sshOptionProblem(option);
      if (problem !== undefined) fail(problem);
      (jumpFields.options ??= []).push(option);
      continue;
    }
    if (seen.has(`${sectionKey} ${keyword}`)) fail(`${keyword} is given twice`);
    seen.add(`${sectionKey} ${keyword}`);
    if (value === undefined && keyword !== 'proxycommand') fail('needs exactly one value');
    if (section === 'jump' && jumpFields) {
      if (keyword === 'hostname') jumpFields.host = value;
      else if (keyword === 'port') jumpFields.port = value !== undefined && /^[0-9]{1,5}$/.test(value) ? Number(value) : fail('is not a port number');
      else if (keyword === 'user') jumpFields.user = value;
      else if (keyword === 'identityfile') jumpFields.identityFile = value;
      else if (keyword !== 'identitiesonly' || value !== 'yes') fail('tunnel-config does not write this for a jumphost');
    } else if (section === 'hosts') {
      if (keyword === 'proxycommand') command = parseProxyCommand(args) ?? fail('is not the ProxyCommand tunnel-config writes');
      else if (keyword === 'user') user = value;
    } else {
      fail('comes before any Host line');
    }
  }

  if (!hosts || !command) throw new TunnelError('usage', `${where}: has no Host section with a ProxyCommand; fix the block by hand or remove it`);
  const used = new Set<string>();
  const targets = command.routes.map(({ jump: name, socketDir }, index): { jump: JumpTarget; socketDir: string } => {
    const written = writtenJumpAlias(block.name, name);
    if (written === undefined) return { jump: { alias: name }, socketDir };
    const fields = jumpSections.get(written);
    if (written !== jumpAliasFor(block.name, index + 1) || used.has(written)) {
      throw new TunnelError('usage', `${where}: its ProxyCommand names ${name} as jump ${index + 1}; tunnel-config writes ${jumpAliasFor(block.name, index + 1)} there`);
    }
    if (!fields?.host) throw new TunnelError('usage', `${where}: uses --jump ${name} but has no Host ${name} section with a HostName`);
    used.add(written);
    const jump: JumpTarget = { host: fields.host };
    if (fields.port !== undefined) jump.port = fields.port;
    if (fields.user !== undefined) jump.user = fields.user;
    if (fields.identityFile !== undefined) jump.identityFile = fields.identityFile;
    if (fields.options !== undefined) jump.options = fields.options;
    return { jump, socketDir };
  });
  const unused = [...jumpSections.keys()].find((alias) => !used.has(alias));
  if (unused !== undefined) throw new TunnelError('usage', `${where}: has a Host ${unused} section that its ProxyCommand does not use`);
  const [first, ...more] = targets as [{ jump: JumpTarget; socketDir: string }, ...{ jump: JumpTarget; socketDir: string }[]];
  const set: TunnelSet = { name: block.name, jump: first.jump, socketDir: first.socketDir, hosts, proxyPath: command.proxyPath };
  if (more.length > 0) set.moreJumps = more;
  if (command.nodePath !== undefined) set.nodePath = command.nodePath;
  if (user !== undefined) set.user = user;
  if (command.configFile !== undefined) set.configFile = command.configFile;
  if (command.persist !== undefined) set.persist = command.persist;
  if (sshOptions.length > 0) set.sshOptions = sshOptions;
  if (adopted.length > 0) set.adopted = adopted;
  try {
    validateTunnelSet(set);
  } catch (error) {
    if (error instanceof TunnelError) throw new TunnelError('usage', `${where}: ${error.message}`);
    throw error;
  }
  return { set, reopen: section === 'reopen' };
}

/** `alias` when it is the name of a jump section tunnel-config writes for set `name` (`tunnel-config-NAME-jump[N]`). */
function writtenJumpAlias(name: string, alias: string): string | undefined {
  const base = jumpAliasFor(name);
  if (alias === base) return alias;
  return alias.startsWith(base) && /^[2-9]$|^[1-9][0-9]$/.test(alias.slice(base.length)) ? alias : undefined;
}
