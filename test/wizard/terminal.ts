import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import type { Context } from '@inquirer/type';

export const KEYS = { enter: '\r', down: '\x1b[B', up: '\x1b[A', ctrlC: '\x03', ctrlD: '\x04', ctrlU: '\x15', backspace: '\x7f' } as const;

/** A fake terminal for the prompts: what they draw accumulates in `screen`, keys go in through `type`. */
export class FakeTerminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  #raw = '';
  /** Where the screen stood when keys were last typed: a prompt is looked for after it. */
  #mark = 0;

  constructor() {
    this.output.setEncoding('utf8').on('data', (chunk: string) => (this.#raw += chunk));
  }

  get context(): Context {
    return { input: this.input, output: this.output };
  }

  /** Everything drawn so far, without colours or cursor movements. */
  get screen(): string {
    return stripVTControlCharacters(this.#raw);
  }

  /** Whether `text` was drawn, wherever the prompts wrapped it (blanks are not compared: a wrap may eat one, or split a word). */
  shows(text: string): boolean {
    return this.screen.replace(/\s+/g, '').includes(text.replace(/\s+/g, ''));
  }

  /** What was drawn since the keys typed last. */
  get since(): string {
    return stripVTControlCharacters(this.#raw.slice(this.#mark));
  }

  /**
   * Waits until `pattern` shows on the screen after the keys typed last, then types `keys`. Lines the
   * prompts wrapped at the screen's width are joined first, so a pattern may span them.
   */
  async typeWhen(pattern: RegExp, keys: string, timeoutMs = 5000): Promise<void> {
    await this.waitFor(pattern, timeoutMs);
    this.#mark = this.#raw.length;
    this.input.write(keys);
  }

  async waitFor(pattern: RegExp, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.since.replaceAll('\n', ''))) {
      if (Date.now() > deadline) throw new Error(`${pattern} did not show within ${timeoutMs} ms; the screen since the last keys:\n${this.since}`);
      await sleep(5);
    }
  }
}
