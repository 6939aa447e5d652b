import { Writable } from 'node:stream';
import { confirm, input, select } from '@inquirer/prompts';
import type { Context } from '@inquirer/type';
import { WizardCancelled } from './cancelled.js';

/** The wizard's answers as text, before they become a TunnelSet. */
export interface SetAnswers {
  name: string;
  jumpAlias: string;
  jumpHost: string;
  jumpPort: string;
  jumpUser: string;
  identity: string;
  socketDir: string;
  hosts: string;
  user: string;
  persist: string;
}

export type Check = (value: string, answers: Partial<SetAnswers>) => string | undefined;

export interface Question {
  key: keyof SetAnswers;
  message: string;
  /** Asked only when this says so. */
  when?: (answers: Partial<SetAnswers>) => boolean;
  validate: Check;
}

export { WizardCancelled } from './cancelled.js';

type Key = { ctrl?: boolean; name?: string } | undefined;

/**
 * Runs one prompt; Ctrl-C, a hang-up, a closed input or Ctrl-D at an empty answer cancel it.
 * Inquirer leaves the last two pending forever, and it ends the output it is given (all but the
 * process's own stdout), so a caller's stream gets a forwarder of its own per prompt and stays open.
 */
async function ask<T>(prompt: (own: Context) => Promise<T>, context: Context): Promise<T> {
  const { input = process.stdin, output } = context;
  const closed = new AbortController();
  const cancel = (): void => closed.abort();
  // readline closes itself (and pauses the input) on Ctrl-D at an empty line; our listener runs before it.
  const onKeypress = (_: string, key: Key): void => {
    if (key?.ctrl && key.name === 'd') setImmediate(() => input.isPaused() && cancel());
  };
  input.once('end', cancel).once('close', cancel).on('keypress', onKeypress);
  const { readableEnded, destroyed } = input as { readableEnded?: boolean; destroyed?: boolean };
  if (readableEnded || destroyed) cancel();
  const forward =
    output === undefined || output === process.stdout
      ? output
      : new Writable({
          write(chunk: Buffer, _encoding, done) {
            output.write(chunk);
            done();
          },
        });
  try {
    return await prompt({ ...context, output: forward, signal: context.signal ? AbortSignal.any([context.signal, closed.signal]) : closed.signal });
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) throw new WizardCancelled();
    throw error;
  } finally {
    input.removeListener('end', cancel).removeListener('close', cancel).removeListener('keypress', onKeypress);
  }
}

/**
 * Asks every question that has no answer yet, showing `defaults` (e.g. the current values for `edit`).
 * `questions` are data: the commands own the wording and the validators.
 */
export async function askSet(
  questions: readonly Question[],
  given: Partial<SetAnswers>,
  defaults: Partial<SetAnswers>,
  context: Context = {},
): Promise<Partial<SetAnswers>> {
  const answers: Partial<SetAnswers> = { ...given };
  if (answers.jumpAlias === undefined && answers.jumpHost === undefined) {
    const mode = await ask(
      (own) => select(
        {
          message: 'How do the hosts reach the jumphost?',
          choices: [
            { name: 'a jumphost I describe now (host, port, user, key)', value: 'new' },
            { name: 'an existing Host alias from my ssh_config', value: 'alias' },
          ],
          default: defaults.jumpAlias ? 'alias' : 'new',
        },
        own,
      ),
      context,
    );
    if (mode === 'alias') answers.jumpHost = '';
    else answers.jumpAlias = '';
  }
  for (const question of questions) {
    if (answers[question.key] !== undefined) continue;
    if (question.when && !question.when(answers)) continue;
    answers[question.key] = await ask(
      (own) => input(
        {
          message: question.message,
          default: defaults[question.key] ?? '',
          validate: (value: string) => question.validate(value.trim(), answers) ?? true,
        },
        own,
      ),
      context,
    ).then((value) => value.trim());
  }
  return answers;
}

export async function askConfirm(message: string, context: Context = {}): Promise<boolean> {
  return ask((own) => confirm({ message, default: true }, own), context);
}
