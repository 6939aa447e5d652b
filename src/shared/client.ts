import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { ExitCode, type ErrorCode, TunnelError } from '../errors.js';
import { encodeJsonFrame, FrameDecoder, parseJson, PROTOCOL_VERSION, type End, type Reply, type Request } from './protocol.js';

/** Why the shared connection could not be used; the proxy then connects on its own. */
export interface Unavailable {
  unavailable: string;
  /** Nothing listens at the socket (none yet, or a dead one): starting a shared process may help. */
  startable: boolean;
}

export interface SharedRequestOptions {
  socket: string;
  timeoutMs: number;
}

/**
 * Sends one request and reads its reply. Resolves the connection (for `open`, ready to carry the
 * stream) or why the shared connection cannot be used. A reply that refuses the channel (offline,
 * refused by policy) is final and thrown, with the same error a direct connection gives.
 */
export function sendRequest(request: Request, options: SharedRequestOptions): Promise<{ conn: Socket; decoder: FrameDecoder; reply: Reply } | Unavailable> {
  return new Promise((resolve) => {
    const conn = connect({ path: options.socket, allowHalfOpen: true });
    const decoder = new FrameDecoder();
    let settled = false;
    const settle = (value: { conn: Socket; decoder: FrameDecoder; reply: Reply } | Unavailable): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.removeListener('data', onData);
      if ('unavailable' in value) conn.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => settle({ unavailable: `no answer within ${options.timeoutMs} ms`, startable: false }), options.timeoutMs);
    const onData = (chunk: Buffer): void => {
      let frames;
      try {
        frames = decoder.push(chunk, 1);
      } catch (error) {
        settle({ unavailable: `it does not speak tunnel-config's protocol (${(error as Error).message})`, startable: false });
        return;
      }
      const frame = frames[0];
      if (frame === undefined) return;
      if (frame.type !== 'reply') {
        settle({ unavailable: `it sent a ${frame.type} frame before replying`, startable: false });
        return;
      }
      conn.pause();
      try {
        settle({ conn, decoder, reply: parseJson<Reply>(frame.payload) });
      } catch {
        settle({ unavailable: 'its reply is not JSON', startable: false });
      }
    };
    conn.on('data', onData);
    conn.once('connect', () => conn.write(encodeJsonFrame('request', request)));
    conn.on('error', (error: NodeJS.ErrnoException) => {
      const startable = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      settle({ unavailable: error.code === 'ENOENT' ? 'none is running' : error.message, startable });
    });
    conn.on('close', () => settle({ unavailable: 'it closed the connection before replying', startable: false }));
  });
}

export function openRequest(token: string, host: string, socketDir: string): Request {
  return { op: 'open', version: PROTOCOL_VERSION, token, host, socketDir };
}

/**
 * The shared process's side of one channel as a Duplex, so the relay treats it like an SSH channel:
 * what is written goes raw into the channel, data frames come out, an EOF frame ends the readable side.
 * `end()` tells how the channel ended: undefined when the shared process vanished without saying.
 */
export class SharedChannel extends Duplex {
  readonly #conn: Socket;
  readonly #decoder: FrameDecoder;
  #end: End | undefined;
  #readableDone = false;
  #finishing = false;

  constructor(conn: Socket, decoder: FrameDecoder) {
    // Not destroyed when both sides end: the end frame that says how the channel ended may still be on its way.
    super({ allowHalfOpen: true, autoDestroy: false });
    this.#conn = conn;
    this.#decoder = decoder;
    conn.on('data', (chunk: Buffer) => this.#receive(chunk));
    conn.on('close', () => this.#finish());
    conn.on('error', () => conn.destroy());
    const rest = decoder.rest();
    if (rest.length > 0) queueMicrotask(() => this.#receive(rest));
    conn.resume();
  }

  get ending(): End | undefined {
    return this.#end;
  }

  override _read(): void {
    this.#conn.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#conn.destroyed) return callback();
    this.#conn.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#conn.destroyed) this.#conn.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#conn.destroy();
    callback(error);
  }

  #receive(chunk: Buffer): void {
    let frames;
    try {
      frames = this.#decoder.push(chunk);
    } catch {
      this.#conn.destroy();
      return;
    }
    for (const frame of frames) {
      if (frame.type === 'data') {
        if (!this.#readableDone && !this.push(frame.payload)) this.#conn.pause();
      } else if (frame.type === 'eof') {
        this.#endReadable();
      } else if (frame.type === 'end') {
        try {
          this.#end = parseJson<End>(frame.payload);
        } catch {
          this.#end = { ok: false, code: 'internal', message: 'the shared connection sent an unreadable end' };
        }
        // The channel is closed, like an SSH channel the far side closed: what we still write goes nowhere.
        this.#finish();
      }
    }
  }

  #endReadable(): void {
    if (this.#readableDone) return;
    this.#readableDone = true;
    this.push(null);
  }

  #finish(): void {
    if (this.#finishing) return;
    this.#finishing = true;
    this.#endReadable();
    if (this.readableEnded) this.destroy();
    else this.once('end', () => this.destroy());
  }
}

/** The error a channel that ended badly on the shared connection exits with. */
export function sharedEndError(ending: End | undefined, jumpName: string): TunnelError | undefined {
  if (ending === undefined) {
    return new TunnelError('unreachable', `the shared connection to ${jumpName} ended unexpectedly: connect again (tunnel-config shared status shows the shared connections)`);
  }
  if (ending.ok) return undefined;
  const code: ErrorCode = ending.code in ExitCode ? (ending.code as ErrorCode) : 'unreachable';
  return new TunnelError(code, ending.message);
}
