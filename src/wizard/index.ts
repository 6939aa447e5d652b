import { confirm, input, select } from '@inquirer/prompts';
import type { Context } from '@inquirer/type';

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
}

export type Check = (value: string, answers: Partial<SetAnswers>) => string | undefined;

export interface Question {
  key: keyof SetAnswers;
  message: string;
  /** Asked only when this says so. */
  when?: (answers: Partial<SetAnswers>) => boolean;
  validate: Check;
}

/** Ctrl-C or a closed terminal at a prompt: the user changed their mind, nothing is written. */
export class WizardCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'WizardCancelled';
  }
}

async function guard<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt;
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) throw new WizardCancelled();
    throw error;
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
    const mode = await guard(
      select(
        {
          message: 'How do the hosts reach the jumphost?',
          choices: [
            { name: 'a jumphost I describe now (host, port, user, key)', value: 'new' },
            { name: 'an existing Host alias from my ssh_config', value: 'alias' },
          ],
          default: defaults.jumpAlias ? 'alias' : 'new',
        },
        context,
      ),
    );
    if (mode === 'alias') answers.jumpHost = '';
    else answers.jumpAlias = '';
  }
  for (const question of questions) {
    if (answers[question.key] !== undefined) continue;
    if (question.when && !question.when(answers)) continue;
    answers[question.key] = await guard(
      input(
        {
          message: question.message,
          default: defaults[question.key] ?? '',
          validate: (value: string) => question.validate(value.trim(), answers) ?? true,
        },
        context,
      ),
    ).then((value) => value.trim());
  }
  return answers;
}

export async function askConfirm(message: string, context: Context = {}): Promise<boolean> {
  return guard(confirm({ message, default: true }, context));
}
