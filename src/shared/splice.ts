import type { Socket } from 'node:net';
import type { ClientChannel } from 'ssh2';
import { encodeFrame, encodeJsonFrame, FrameDecoder, parseJson, type End, type Request } from './protocol.js';

/** Whether a parsed request has the fields its op needs; anything else is not from a proxy of ours. */
export function isWellFormed(request: Request): boolean {
  if (typeof request !== 'object' || request === null || typeof request.token !== 'string') return false;
  if (request.op === 'open') return typeof request.host === 'string' && typeof request.socketDir === 'string';
  return request.op === 'status' || request.op === 'stop';
}

/**
 * Reads a connection's one request frame; resolves it with the bytes that came after it (the start of the
 * raw stream), or undefined (the connection destroyed) for garbage or silence past `timeoutMs`.
 */
export function readRequest(conn: Socket, timeoutMs: number): Promise<{ request: Request; rest: Buffer } | undefined> {
  return new Promise((resolve) => {
    const decoder = new FrameDecoder();
    let settled = false;
    const give = (value: { request: Request; rest: Buffer } | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.removeListener('data', onData).removeListener('close', onClose);
      if (value === undefined) conn.destroy();
      else conn.pause();
      resolve(value);
    };
    const timer = setTimeout(() => give(undefined), timeoutMs);
    const onData = (chunk: Buffer): void => {
      try {
        const [frame] = decoder.push(chunk, 1);
        if (frame !== undefined) give({ request: parseJson<Request>(frame.payload), rest: decoder.rest() });
      } catch {
        give(undefined);
      }
    };
    const onClose = (): void => give(undefined);
    conn.on('data', onData);
    conn.on('error', () => conn.destroy());
    conn.once('close', onClose);
  });
}

/** Ends a client connection with the frame that says how its channel ended. */
export function endConnection(conn: Socket, end: End): void {
  if (conn.destroyed || conn.writableEnded) return;
  conn.end(encodeJsonFrame('end', end));
}

export interface SpliceCounters {
  in: (bytes: number) => void;
  out: (bytes: number) => void;
}

/**
 * Carries one channel over a client connection, with backpressure both ways: the client's bytes go in raw
 * (its EOF is the channel's EOF); the channel's come out as data frames, then EOF and end frames.
 */
export function spliceChannel(conn: Socket, channel: ClientChannel, rest: Buffer, count: SpliceCounters): void {
  let ended = false;
  if (rest.length > 0) {
    count.out(rest.length);
    channel.write(rest);
  }
  conn.on('data', (chunk: Buffer) => {
    count.out(chunk.length);
    if (!channel.write(chunk)) {
      conn.pause();
      channel.once('drain', () => conn.resume());
    }
  });
  conn.on('end', () => channel.end());
  conn.on('close', () => {
    if (!ended) channel.close();
  });
  conn.resume();
  channel.on('data', (chunk: Buffer) => {
    count.in(chunk.length);
    conn.cork();
    for (const part of encodeFrame('data', chunk)) conn.write(part);
    conn.uncork();
    if (conn.writableNeedDrain) {
      channel.pause();
      conn.once('drain', () => channel.resume());
    }
  });
  channel.on('end', () => {
    if (!conn.destroyed) conn.write(Buffer.concat(encodeFrame('eof')));
  });
  channel.on('close', () => {
    ended = true;
    endConnection(conn, { ok: true });
  });
}
