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
  /** The question, without a closing colon; an example is given in words (`such as home`), never in parentheses, which show defaults. */
  message: string;
  /** What an empty answer stands for (`22`, `ssh's default`); the prompt says how to give it. */
  empty?: string;
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

/** The prompt's text: what an empty answer gives, and how to give it when a default (shown in parentheses after it) would take its place. */
export function promptText(question: Question, shown: string): string {
  if (question.empty === undefined) return `${question.message}:`;
  if (shown === '') return `${question.message} (Enter for ${question.empty}):`;
  return `${question.message} (Backspace then Enter for ${question.empty}):`;
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
          message: 'How do you reach the jumphost from this machine?',
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
    const shown = defaults[question.key] ?? '';
    answers[question.key] = await ask(
      (own) => input(
        {
          message: promptText(question, shown),
          default: shown,
          validate: (value: string) => {
            const problem = question.validate(value.trim(), answers);
            // Empty here means no default was shown (or it was erased): say so rather than "is empty".
            return problem === undefined ? true : value === '' ? 'type an answer: this question has no default' : problem;
          },
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

/** One choice among `choices` (the first is the default); Ctrl-C cancels. */
export async function askChoice<T extends string>(message: string, choices: ReadonlyArray<{ name: string; value: T }>, context: Context = {}): Promise<T> {
  return ask((own) => select({ message, choices: [...choices] }, own), context);
}

/** One line of text, `initial` shown as the default; `validate` returns the message to show, or undefined. */
export async function askLine(message: string, initial: string, validate: (value: string) => string | undefined, context: Context = {}): Promise<string> {
  const answer = await ask((own) => input({ message, default: initial, validate: (value: string) => validate(value.trim()) ?? true }, own), context);
  return answer.trim();
}
