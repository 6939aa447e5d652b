import { closeSync, createWriteStream, fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';

/** The proxy's own end of fd 1: a non-blocking socket for pipes, so EOF can be signalled by closing it. */
export function openStdout(): { output: Writable; closeFd: () => void } {
  const stat = fstatSync(1);
  if (stat.isFIFO() || stat.isSocket()) {
    const output = new Socket({ fd: 1, readable: false, writable: true });
    // libuv never closes fds 0-2 itself; the reader sees EOF only once fd 1 is closed.
    return { output, closeFd: () => output.once('close', () => closeQuietly(1)).destroy() };
  }
  const output = createWriteStream('', { fd: 1, autoClose: false });
  return { output, closeFd: () => output.destroy() };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

export type RelayEnd = 'closed' | 'output-gone';

/**
 * Copies input → channel and channel → output with backpressure both ways and half-close:
 * input EOF sends EOF on the channel; channel EOF ends the output once its last bytes are written.
 * Settles when the channel is closed and the output is flushed, or when the output's reader is gone.
 */
export function relay(channel: Duplex, input: Readable, output: Writable, closeOutput: () => void): Promise<RelayEnd> {
  return new Promise((resolve, reject) => {
    let channelClosed = false;
    let outputDone = false;
    let settled = false;
    const settle = (end: RelayEnd | Error): void => {
      if (settled) return;
      settled = true;
      input.unpipe(channel);
      input.pause();
      input.destroy();
      if (end instanceof Error) reject(end);
      else resolve(end);
    };
    const maybeDone = (): void => {
      if (channelClosed && outputDone) settle('closed');
    };

    input.pipe(channel);
    channel.pipe(output);
    output.on('finish', () => {
      outputDone = true;
      closeOutput();
      maybeDone();
    });
    output.on('error', (error: NodeJS.ErrnoException) => {
      channel.unpipe(output);
      channel.destroy();
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') settle('output-gone');
      else settle(error);
    });
    input.on('error', (error: NodeJS.ErrnoException) => {
      // a closed stdin is the end of what we send, not a failure
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET' || error.code === 'EIO') channel.end();
      else settle(error);
    });
    channel.on('close', () => {
      channelClosed = true;
      if (!channel.readableEnded) channel.once('end', maybeDone);
      maybeDone();
    });
  });
}
