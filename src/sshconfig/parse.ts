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
}

interface ProxyCommandFields {
  proxyPath: string;
  nodePath?: string;
  jump: string;
  socketDir: string;
  configFile?: string;
  persist?: string;
}

/** Reads back the ProxyCommand we write: `[NODE] PATH proxy --jump J --socket-dir D [-F FILE] [--persist TIME] -- %h`. */
function parseProxyCommand(all: string[]): ProxyCommandFields | undefined {
  // Blocks written before the node path was written start with the tunnel-config path itself.
  const nodePath = all[1] === 'proxy' ? undefined : all[0];
  const args = nodePath === undefined ? all : all.slice(1);
  const [proxyPath, proxy, jumpFlag, jump, dirFlag, socketDir, ...rest] = args;
  if (proxyPath === undefined || proxy !== 'proxy' || jumpFlag !== '--jump' || jump === undefined) return undefined;
  if (dirFlag !== '--socket-dir' || socketDir === undefined) return undefined;
  if (rest.length < 2 || rest[rest.length - 2] !== '--' || rest[rest.length - 1] !== '%h') return undefined;
  const fields: ProxyCommandFields = { proxyPath, jump, socketDir };
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
  const jumpAlias = jumpAliasFor(block.name);
  let section: 'none' | 'jump' | 'hosts' | 'reopen' = 'none';
  let jumpFields: JumpFields | undefined;
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
      const next = args.length === 1 && args[0] === jumpAlias ? 'jump' : hosts && args.length === 1 && args[0] === '*' ? 'reopen' : 'hosts';
      if (args.length === 0) fail('names no host');
      if (next === 'jump' && (jumpFields || hosts)) fail('the jumphost section must come once, first');
      if (next === 'hosts' && hosts) fail('tunnel-config writes one Host section for the hosts');
      section = next;
      if (next === 'jump') jumpFields = {};
      else if (next === 'hosts') hosts = args;
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
    if (seen.has(`${section} ${keyword}`)) fail(`${keyword} is given twice`);
    seen.add(`${section} ${keyword}`);
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
  let jump: JumpTarget;
  if (command.jump === jumpAlias) {
    if (!jumpFields?.host) throw new TunnelError('usage', `${where}: uses --jump ${jumpAlias} but has no Host ${jumpAlias} section with a HostName`);
    jump = { host: jumpFields.host };
    if (jumpFields.port !== undefined) jump.port = jumpFields.port;
    if (jumpFields.user !== undefined) jump.user = jumpFields.user;
    if (jumpFields.identityFile !== undefined) jump.identityFile = jumpFields.identityFile;
  } else {
    if (jumpFields) throw new TunnelError('usage', `${where}: has a Host ${jumpAlias} section that its ProxyCommand (--jump ${command.jump}) does not use`);
    jump = { alias: command.jump };
  }
  const set: TunnelSet = { name: block.name, jump, socketDir: command.socketDir, hosts, proxyPath: command.proxyPath };
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
