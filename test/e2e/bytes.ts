import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sleep } from '../support/wait.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

export interface Digest {
  sha256: string;
  bytes: number;
}

export function digestOf(data: Buffer | string): Digest {
  const buffer = Buffer.from(data);
  return { sha256: createHash('sha256').update(buffer).digest('hex'), bytes: buffer.length };
}

/** `1 MiB + 1` rather than 1048577, for test names. */
export function sizeLabel(bytes: number): string {
  for (const [unit, size] of [['MiB', MiB], ['KiB', KiB]] as const) {
    const whole = Math.round(bytes / size);
    const rest = bytes - whole * size;
    if (whole > 0 && Math.abs(rest) <= 1) return `${whole} ${unit}${rest === 0 ? '' : rest > 0 ? ' + 1' : ' - 1'}`;
  }
  return `${bytes} B`;
}

/** Writes `size` random bytes to `path` in 1 MiB pieces and returns their digest. */
export async function writeRandomFile(path: string, size: number): Promise<Digest> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let left = size; left > 0; left -= MiB) {
      const piece = randomBytes(Math.min(left, MiB));
      hash.update(piece);
      await file.write(piece);
    }
  } finally {
    await file.close();
  }
  return { sha256: hash.digest('hex'), bytes: size };
}

/** How a reader consumes: stall once after `stallAfterBytes`, then read at most `bytesPerSecond`. */
export interface ReadPace {
  stallAfterBytes?: number;
  stallMs?: number;
  bytesPerSecond?: number;
}

/**
 * Hashes a stream to its end; with a pace it reads slowly, so the writer must wait (backpressure).
 * It leaves the stream open (unlike `for await`), so a half-open socket can still answer.
 */
export function digestStream(stream: Readable, pace: ReadPace = {}): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  let stalled = pace.stallAfterBytes === undefined;
  let paceFrom = { at: performance.now(), bytes: 0 };
  const delayAfter = (chunk: Buffer): number => {
    hash.update(chunk);
    bytes += chunk.length;
    let delay = 0;
    if (!stalled && bytes >= (pace.stallAfterBytes ?? 0)) {
      stalled = true;
      delay = pace.stallMs ?? 0;
      paceFrom = { at: performance.now() + delay, bytes };
    }
    if (pace.bytesPerSecond) {
      const due = paceFrom.at + ((bytes - paceFrom.bytes) / pace.bytesPerSecond) * 1000;
      delay = Math.max(delay, due - performance.now());
    }
    return delay;
  };
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      const delay = delayAfter(chunk);
      if (delay <= 0) return;
      stream.pause();
      setTimeout(() => stream.resume(), delay);
    });
    stream.once('end', () => resolve({ sha256: hash.digest('hex'), bytes }));
    stream.once('error', reject);
  });
}

export function digestFile(path: string): Promise<Digest> {
  return digestStream(createReadStream(path));
}

/** `data` in pieces of 1..maxPiece bytes (sizes vary, single bytes included) with `delayMs` between them: a slow writer. */
export function trickle(data: Buffer, options: { maxPiece: number; delayMs: number }): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    let offset = 0;
    for (let i = 0; offset < data.length; i++) {
      // 1, 2, 3 ... maxPiece, repeated: every small size occurs, the single byte most often at the start
      const size = (i % options.maxPiece) + 1;
      yield data.subarray(offset, offset + size);
      offset += size;
      await sleep(options.delayMs);
    }
  }
  return Readable.from(pieces(), { objectMode: false });
}

/** Everything a stream delivers, with a way to wait for a prefix before it ends. */
export class Collector {
  readonly #chunks: Buffer[] = [];
  readonly ended: Promise<Buffer>;
  #closed = false;
  #waiters: Array<() => void> = [];

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#wake();
    });
    this.ended = new Promise((resolve) => {
      stream.once('close', () => {
        this.#closed = true;
        this.#wake();
        resolve(this.buffer());
      });
    });
  }

  buffer(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** Resolves the bytes so far once `done(bytes)` is true; rejects at the timeout or if the stream ends first. */
  async until(done: (bytes: Buffer) => boolean, timeoutMs: number): Promise<Buffer> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const bytes = this.buffer();
      if (done(bytes)) return bytes;
      if (this.#closed) throw new Error(`stream ended first, after ${JSON.stringify(bytes.toString('latin1'))}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms with ${JSON.stringify(bytes.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
