import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { IdentLineScanner } from './ident-line.js';

/**
 * The jump's TCP socket as ssh2 should read it: the server's identification line, with any lines before
 * it, in one chunk; every later chunk passed on as it came, neither copied nor delayed. ssh2 1.17's
 * parseHeader keeps only the first of three or more pieces of that line (it never stores the joined
 * buffer), so a link that splits it fails with "Invalid identification string", a signature that does
 * not verify, or a hang. Writes, end, destroy, errors and close behave as the socket's own.
 */
export class WholeIdentSocket extends Duplex {
  readonly #socket: Socket;
  #scanner: IdentLineScanner | undefined = new IdentLineScanner();
  #held: Buffer[] = [];
  #paused = false;

  constructor(socket: Socket) {
    super({ allowHalfOpen: false });
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('end', () => {
      if (this.destroyed) return;
      this.#release();
      this.push(null);
    });
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => {
      if (this.destroyed) return;
      // bytes ssh2 has not read yet (a DISCONNECT, say) still reach it before the close
      if (this.readableLength === 0) this.destroy();
      else this.once('end', () => this.destroy());
    });
  }

  #receive(chunk: Buffer): void {
    if (this.#scanner === undefined) {
      this.#forward(chunk);
      return;
    }
    this.#held.push(chunk);
    let end: number;
    try {
      end = this.#scanner.scan(chunk);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    if (end >= 0) this.#release();
  }

  /** Hands ssh2 everything held so far as one chunk and lets later chunks through. */
  #release(): void {
    this.#scanner = undefined;
    if (this.#held.length === 0) return;
    const prefix = Buffer.concat(this.#held);
    this.#held = [];
    this.#forward(prefix);
  }

  #forward(chunk: Buffer): void {
    if (this.push(chunk) || this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
  }

  override _read(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#socket.resume();
  }

  // ssh2 ignores write()'s return (the SSH windows bound what it sends), as it would on the socket itself.
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#socket.write(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    // finish (and so close) only once the socket has flushed, so a DISCONNECT is not cut off
    this.#socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }

  setNoDelay(noDelay?: boolean): this {
    this.#socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.#socket.setKeepAlive(enable, initialDelay);
    return this;
  }

  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#socket.remotePort;
  }

  get localAddress(): string | undefined {
    return this.#socket.localAddress;
  }

  get localPort(): number | undefined {
    return this.#socket.localPort;
  }
}
