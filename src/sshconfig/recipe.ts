/** The seed recipe's ProxyCommand, read back: the jumphost ssh is run with, and the socket directory. */
export interface SeedRecipe {
  /** The ssh destination and the flags that shape it, as written (`jump`, `-p 2222 me@jump`). */
  jump: string;
  /** DIR of `DIR/%h.sock`. */
  socketDir: string;
  /** How the socket is reached: `nc -U`, `ssh -W` or `socat`. */
  via: 'nc -U' | 'ssh -W' | 'socat';
}

/** ssh(1)'s options that take an argument. */
const SSH_ARG_OPTIONS = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));
const SOCKET = /^(\/.*)\/%h\.sock$/;
const NETCATS = new Set(['nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional']);
const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

interface SshCommand {
  destination: string;
  /** Every option as given, each with its argument (`-p 2222`, `-W /x/%h.sock`). */
  options: Array<[string, string | undefined]>;
  command: string[];
}

/** `ssh [options] destination [options] [command…]` as ssh's own getopt loop reads it (options may follow the destination). */
function parseSsh(words: string[]): SshCommand | undefined {
  const options: Array<[string, string | undefined]> = [];
  let destination: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '--') {
      destination ??= words[++i];
      return destination === undefined ? undefined : { destination, options, command: words.slice(i + 1) };
    }
    if (!word.startsWith('-') || word === '-') {
      if (destination !== undefined) return { destination, options, command: words.slice(i) };
      destination = word;
      continue;
    }
    for (let c = 1; c < word.length; c++) {
      const flag = word[c] ?? '';
      if (!SSH_ARG_OPTIONS.has(flag)) {
        options.push([flag, undefined]);
        continue;
      }
      const argument = c + 1 < word.length ? word.slice(c + 1) : words[++i];
      if (argument === undefined) return undefined;
      options.push([flag, argument]);
      break;
    }
  }
  return destination === undefined ? undefined : { destination, options, command: [] };
}

/** The socket directory a remote command reaches `DIR/%h.sock` with, and how. */
function remoteSocket(command: string[]): Pick<SeedRecipe, 'socketDir' | 'via'> | undefined {
  const [program = '', ...args] = command[0] === 'exec' ? command.slice(1) : command;
  if (NETCATS.has(baseName(program))) {
    const dir = SOCKET.exec(args.at(-1) ?? '')?.[1];
    return dir !== undefined && args.slice(0, -1).includes('-U') ? { socketDir: dir, via: 'nc -U' } : undefined;
  }
  if (baseName(program) === 'socat') {
    const address = args.find((arg) => /^UNIX(-CONNECT|-CLIENT)?:/i.test(arg));
    const dir = SOCKET.exec(address?.slice(address.indexOf(':') + 1) ?? '')?.[1];
    const addresses = args.filter((arg) => arg === '-' || !arg.startsWith('-'));
    const stdio = addresses.some((arg) => arg === '-' || /^(STDIO|STDIN|STDOUT)$/i.test(arg));
    return dir !== undefined && stdio && addresses.length === 2 ? { socketDir: dir, via: 'socat' } : undefined;
  }
  return undefined;
}

/**
 * The seed recipe in a ProxyCommand's words, or undefined: `ssh … JUMP nc -U DIR/%h.sock` (or ncat, netcat),
 * `ssh … -W DIR/%h.sock JUMP`, `ssh … JUMP socat - UNIX-CONNECT:DIR/%h.sock`, each possibly after `exec`.
 */
export function recognizeRecipe(words: readonly string[]): SeedRecipe | undefined {
  const [program = '', ...rest] = words[0] === 'exec' ? words.slice(1) : words;
  if (baseName(program) !== 'ssh') return undefined;
  const ssh = parseSsh(rest);
  if (!ssh) return undefined;
  // The flags that say which jump and how to reach it, for messages.
  const jumpFlags = ssh.options.filter(([flag]) => 'pliJFo'.includes(flag)).map(([flag, arg]) => `-${flag} ${arg}`);
  const jump = [...jumpFlags, ssh.destination].join(' ');
  const forward = ssh.options.find(([flag]) => flag === 'W')?.[1];
  if (forward !== undefined) {
    const dir = SOCKET.exec(forward)?.[1];
    return dir !== undefined && ssh.command.length === 0 ? { jump, socketDir: dir, via: 'ssh -W' } : undefined;
  }
  const socket = remoteSocket(ssh.command);
  return socket && { jump, ...socket };
}
