/**
 * The shared connection's protocol over its private UNIX socket. A client sends one request frame; for
 * `open`, its further bytes are the raw stream into the channel, and its EOF is the channel's EOF.
 * Everything the shared process sends is framed: a reply, then data, EOF and a final end frame that
 * says why the channel ended, so a lost jump reads as an error and not as a clean close.
 *
 * Frame: uint32 length of the payload, uint8 type, payload.
 */

export const PROTOCOL_VERSION = 1;

export const FrameType = {
  request: 1,
  reply: 2,
  data: 3,
  eof: 4,
  end: 5,
} as const;

export type FrameTypeName = keyof typeof FrameType;

const HEADER = 5;
/** Bounds JSON frames; data frames are as large as the channel's chunks. */
const MAX_JSON = 64 * 1024;

export type Request =
  | { op: 'open'; version: number; token: string; host: string; socketDir: string }
  | { op: 'status'; version: number; token: string }
  | { op: 'stop'; version: number; token: string };

export type Reply = { ok: true; status?: SharedStatus } | { ok: false; code: string; message: string };

/** What the shared process reports on `status`. */
export interface SharedStatus {
  jump: string;
  target: string;
  pid: number;
  version: string;
  startedAt: number;
  channelsOpen: number;
  channelsTotal: number;
  bytesIn: number;
  bytesOut: number;
  idleTimeoutSeconds: number;
}

/** How an open channel ended: `ok` for a normal close, else the error the proxy exits with. */
export type End = { ok: true } | { ok: false; code: string; message: string };

export function encodeFrame(type: FrameTypeName, payload: Buffer = Buffer.alloc(0)): Buffer[] {
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt8(FrameType[type], 4);
  return payload.length > 0 ? [header, payload] : [header];
}

export function encodeJsonFrame(type: 'request' | 'reply' | 'end', value: unknown): Buffer {
  return Buffer.concat(encodeFrame(type, Buffer.from(JSON.stringify(value), 'utf8')));
}

export interface Frame {
  type: FrameTypeName;
  payload: Buffer;
}

const TYPE_NAMES = new Map<number, FrameTypeName>(Object.entries(FrameType).map(([name, value]) => [value, name as FrameTypeName]));

/**
 * Splits a byte stream into frames. Data payloads are views into the received chunks (no copy) unless a
 * frame spans chunks. Throws on an unknown type or an oversized JSON frame: the peer is not ours.
 */
export class FrameDecoder {
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  /** Frames complete so far; at most `maxFrames`, the rest stays pending (see rest()). */
  push(chunk: Buffer, maxFrames = Number.POSITIVE_INFINITY): Frame[] {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    const frames: Frame[] = [];
    while (frames.length < maxFrames) {
      if (this.#pendingBytes < HEADER) break;
      const head = this.#peek(HEADER);
      const length = head.readUInt32BE(0);
      const type = TYPE_NAMES.get(head.readUInt8(4));
      if (type === undefined) throw new Error(`unknown frame type ${head.readUInt8(4)}`);
      if (type !== 'data' && length > MAX_JSON) throw new Error(`oversized ${type} frame (${length} bytes)`);
      if (this.#pendingBytes < HEADER + length) break;
      this.#take(HEADER);
      frames.push({ type, payload: this.#take(length) });
    }
    return frames;
  }

  /** Bytes received after the last whole frame (for a request followed by a raw stream). */
  rest(): Buffer {
    const rest = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    return rest;
  }

  #peek(n: number): Buffer {
    const first = this.#pending[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.#pending).subarray(0, n);
  }

  #take(n: number): Buffer {
    const first = this.#pending[0];
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#pending.shift();
      else this.#pending[0] = first.subarray(n);
      this.#pendingBytes -= n;
      return out;
    }
    const all = Buffer.concat(this.#pending);
    this.#pending = all.length > n ? [all.subarray(n)] : [];
    this.#pendingBytes = all.length - n;
    return all.subarray(0, n);
  }
}

export function parseJson<T>(payload: Buffer): T {
  return JSON.parse(payload.toString('utf8')) as T;
}
