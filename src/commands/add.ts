import { isDeepStrictEqual } from 'node:util';
import { TunnelError } from '../errors.js';
import { findManagedBlocks } from '../sshconfig/markers.js';
import { parseTunnelSet } from '../sshconfig/parse.js';
import { assertEditable } from '../sshconfig/store.js';
import { WizardCancelled } from '../wizard/cancelled.js';
import type { Question } from '../wizard/index.js';
import type { CommandIo } from './apply-change.js';
import { checkAnswerFacts, hostAliases } from './answer-checks.js';
import { assertSshReadsFile, loadConfig, selfPath, verifyWritten } from './config-context.js';
import { DEFAULT_PERSIST } from './defaults.js';
import { SET_QUESTIONS, missingFlags, toTunnelSet, withDefaults } from './set-answers.js';
import { parseSetArgs } from './set-flags.js';
import { askSshOptions, sshOptionsFrom, withSshOptions } from './ssh-option-answers.js';
import { assertSshReads, CHECK_HOST } from './take-effect.js';
import { writeSet } from './write-set.js';

export const addUsage = `Usage: tunnel-config add [options]

Adds a tunnel set to your ssh_config, so that plain \`ssh HOST\` reaches each hidden host through the
jumphost. Asks for what the flags do not give when run in a terminal.

  --name NAME          a name for this tunnel set (e.g. home)
  --jump-host HOST     the jumphost's DNS name or address           } one of these
  --jump-alias ALIAS   an existing Host alias for the jumphost      }
  --jump-port PORT     its SSH port (default 22)
  --jump-user USER     your user on the jumphost
  --identity KEY       the key to log in to the jumphost with
  --socket-dir DIR     the socket directory on the jumphost (default /home/host)
                       Several jumps, tried in order when one fails: --jump-host (or --jump-alias)
                       more than once or comma-separated; --socket-dir once for all, or once per jump
  --hosts LIST         hidden hosts: names and/or patterns, comma-separated (host-*,pi,nas)
  --user USER          your login user on the hidden hosts
  --persist TIME       keep the jump connection open for TIME after the last session, shared by
                       later connects (90s, 10m, 2h; 0 = no sharing; default: the proxy's, ${DEFAULT_PERSIST})
  --ssh-option OPT     one more line for the hidden hosts' Host section, e.g. 'ForwardAgent yes'
                       (repeatable; not ProxyCommand, ProxyJump, HostName or User)
  --adopt              when an earlier section of the seed recipe (ssh JUMP nc -U DIR/%h.sock, ssh -W,
                       socat) would win over the block: put the block in its place, keeping its options
  --place-before       when an earlier section would win over the block: put the block before it
  --config FILE        the ssh_config file to change (default ~/.ssh/config)
  --check              after writing, connect once to the jump as the hosts will and say what works
                       (done anyway when run in a terminal); the status is not 0 when it does not
  -y, --yes            write without asking to confirm
  --dry-run            show the change and write nothing
`;

export async function addCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseSetArgs(argv, 'add', true);
  if (args.help) return io.stdout(addUsage), 0;
  if (args.positionals.length > 0) throw new TunnelError('usage', `add takes no arguments, got "${args.positionals[0]}" (see tunnel-config add --help)`);
  const context = await loadConfig(args.config, io.env);
  // Refused before any question, not after the user has answered them all.
  if (!args.dryRun) await assertEditable(context.file.path);
  await assertSshReadsFile(context);
  assertSshReads(context.file.path, context.file.exists, CHECK_HOST, io.env);
  const taken = new Set(context.blocks.map((state) => state.block.name));
  // The aliases the file has, offered where the wizard asks for one.
  const aliases = hostAliases(context.file.text).filter((alias) => !alias.startsWith('tunnel-config-'));
  const questions: Question[] = SET_QUESTIONS.map((q) => {
    if (q.key === 'name') return { ...q, validate: (v, a) => q.validate(v, a) ?? (taken.has(v) ? `a tunnel set named "${v}" exists; change it with: tunnel-config edit ${v}` : undefined) };
    if (q.key === 'jumpAlias' && aliases.length > 0) return { ...q, message: `${q.message} (yours: ${aliases.slice(0, 8).join(', ')})` };
    return q;
  });

  let answers = args.given;
  let sshOptions = args.sshOptions;
  try {
    if (missingFlags(withDefaults(answers, {})).length > 0) {
      if (!io.interactive) throw new TunnelError('usage', `add needs ${missingFlags(withDefaults(answers, {})).join(', ')} when there is no terminal to ask (see tunnel-config add --help)`);
      answers = await (await import('../wizard/index.js')).askSet(questions, answers, { socketDir: withDefaults({}, {}).socketDir ?? '' }, io.prompt);
      sshOptions = await askSshOptions(io, sshOptions, [], false);
    }
    const set = withSshOptions(toTunnelSet(withDefaults(answers, {}), selfPath(), context.configFile), sshOptionsFrom(sshOptions, [], io.env));
    await checkAnswerFacts(set, context.file, io.env);
    // Checked on the text as read and again under the lock: a set of this name added meanwhile is not replaced.
    const guard = (text: string): void => {
      const existing = findManagedBlocks(text, context.file.path).find((block) => block.name === set.name);
      if (existing && !isDeepStrictEqual(parseTunnelSet(existing, context.file.path), set)) {
        throw new TunnelError('usage', `a tunnel set named "${set.name}" exists with other settings; change it with: tunnel-config edit ${set.name}`);
      }
    };
    const policy = { adopt: args.adopt, placeBefore: args.placeBefore };
    const written = await writeSet(io, { context, set, policy, summary: `add "${set.name}"`, yes: args.yes, dryRun: args.dryRun, guard });
    if (written.outcome !== 'written' && written.outcome !== 'unchanged') return 0;
    const verified = await verifyWritten(io, context, written.set, written.text);
    // A person at a terminal sees at once whether it works; scripts ask for it with --check.
    if (verified !== 0 || !(args.check || io.interactive)) return verified;
    const checked = await (await import('./check-set.js')).checkSet(written.set, io);
    return args.check ? checked : 0;
  } catch (error) {
    if (error instanceof WizardCancelled) return io.stderr('cancelled; nothing was changed'), 0;
    throw error;
  }
}
