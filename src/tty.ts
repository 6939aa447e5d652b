import { openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';

/**
 * Asks one question on the controlling terminal (/dev/tty), never on stdin/stdout,
 * which belong to the tunnel. Resolves undefined when there is no terminal.
 */
export function askOnTerminal(question: string, options: { echo: boolean }): Promise<string | undefined> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const input = new ReadStream(fd);
    let answer = '';
    const finish = (value: string | undefined): void => {
      input.setRawMode(false);
      input.removeAllListeners('data');
      writeSync(fd, '\r\n');
      input.destroy();
      resolve(value);
    };
    input.setRawMode(true);
    writeSync(fd, question);
    input.on('data', (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(answer);
        if (char === '\u0003' || char === '\u0004') return finish(undefined);
        if (char === '\u007f' || char === '\b') {
          if (answer.length > 0 && options.echo) writeSync(fd, '\b \b');
          answer = answer.slice(0, -1);
        } else if (char >= ' ') {
          answer += char;
          if (options.echo) writeSync(fd, char);
        }
      }
    });
    input.on('error', () => finish(undefined));
  });
}
