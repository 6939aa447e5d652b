import { connect, createServer, type Socket } from 'node:net';
import { socketSet } from './net.js';
import { sleep } from './wait.js';

export interface SplittingRelayOptions {
  /** The jump's port on loopback. */
  targetPort: number;
  /** Text the client receives before the server's first byte, as part of the server's stream (RFC 4253 §4.2 allows lines before the identification). */
  preamble?: string;
  /** The server's first `bytes` bytes (preamble included) go out in writes of `piece` bytes, `pauseMs` apart; the rest as it comes. */
  split?: { bytes: number; piece: number; pauseMs: number };
  /** Also cut right after the server's first '\r', so the client reads the '\n' of its line in a later segment. */
  cutAfterCr?: boolean;
}

export interface SplittingRelay {
  port: number;
  /** For each connection so far, how many writes carried the split part of the server's stream. */
  pieces(): number[];
  close(): Promise<void>;
}

/** A TCP relay on loopback: client → server bytes pass as they come, server → client bytes are fragmented and slowed as `options` says. */
export async function startSplittingRelay(options: SplittingRelayOptions): Promise<SplittingRelay> {
  const pieceCounts: number[] = [];
  const { track, destroyAll } = socketSet();
  const server = createServer((client) => {
    const index = pieceCounts.push(0) - 1;
    relayConnection(track(client), track(connect({ host: '127.0.0.1', port: options.targetPort, noDelay: true })), options, () => {
      pieceCounts[index] = (pieceCounts[index] ?? 0) + 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error(`unexpected listen address ${String(address)}`);
  return {
    port: address.port,
    pieces: () => [...pieceCounts],
    close: () =>
      new Promise<void>((resolve) => {
        destroyAll();
        server.close(() => resolve());
      }),
  };
}

function relayConnection(client: Socket, upstream: Socket, options: SplittingRelayOptions, onPiece: () => void): void {
  client.setNoDelay(true);
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('close', closeBoth);
  upstream.on('close', closeBoth);
  client.pipe(upstream);

  const split = options.split ?? { bytes: 0, piece: 1, pauseMs: 0 };
  const queue: Buffer[] = options.preamble ? [Buffer.from(options.preamble, 'latin1')] : [];
  let queued = queue[0]?.length ?? 0;
  let received = queued;
  let cut = options.cutAfterCr ? crEnd(queue[0], 0) : undefined;
  let sent = 0;
  let pumping = false;
  let upstreamEnded = false;

  const take = (count: number): Buffer => {
    const parts: Buffer[] = [];
    let left = count;
    while (left > 0) {
      const head = queue[0];
      if (!head) break;
      if (head.length <= left) {
        parts.push(head);
        queue.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        queue[0] = head.subarray(left);
        left = 0;
      }
    }
    queued -= count - left;
    return parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    while (queued > 0 && !client.destroyed) {
      if (sent >= split.bytes) {
        const rest = take(queued);
        sent += rest.length;
        if (!client.write(rest)) {
          upstream.pause();
          client.once('drain', () => upstream.resume());
        }
        continue;
      }
      let size = Math.min(split.piece, split.bytes - sent, queued);
      if (cut !== undefined && cut > sent) size = Math.min(size, cut - sent);
      client.write(take(size));
      sent += size;
      onPiece();
      await sleep(split.pauseMs);
    }
    pumping = false;
    if (upstreamEnded && queued === 0) client.end();
  };

  upstream.on('data', (chunk: Buffer) => {
    if (options.cutAfterCr && cut === undefined) cut = crEnd(chunk, received);
    received += chunk.length;
    queue.push(chunk);
    queued += chunk.length;
    void pump();
  });
  upstream.on('end', () => {
    upstreamEnded = true;
    void pump();
  });
  void pump();
}

/** The stream offset just past the first '\r' in `chunk`, which starts at `offset`. */
function crEnd(chunk: Buffer | undefined, offset: number): number | undefined {
  const at = chunk?.indexOf(13) ?? -1;
  return at < 0 ? undefined : offset + at + 1;
}
