import { connect, createServer, type Socket } from 'node:net';
import { socketSet } from './net.js';

export interface BlackholeRelay {
  port: number;
  /** The link goes dark: nothing passes either way and nothing is closed, on every connection made so far or while dark. */
  blackhole(): void;
  /** The link is back for new connections; those that were cut stay dead, as after a NAT or route change. */
  restore(): void;
  /** Connections accepted while dark: the attempts that went nowhere. */
  darkConnections(): number;
  close(): Promise<void>;
}

/**
 * A TCP relay on loopback to `targetPort` that can drop every byte without a FIN or RST, the way a dead link
 * or a DROP rule does: the ends learn of it only from their own timeouts. A connection made while dark
 * completes its handshake (a relay cannot drop a SYN) and then hears nothing, like a connect that reached a
 * frozen jump; it never reaches the target.
 */
export async function startBlackholeRelay(targetPort: number): Promise<BlackholeRelay> {
  const live = new Set<{ cut: () => void }>();
  let dark = false;
  let darkCount = 0;
  const { track, destroyAll } = socketSet();
  const server = createServer((client) => {
    track(client);
    if (dark) {
      darkCount += 1;
      client.on('data', () => {});
      return;
    }
    const upstream = track(connect({ host: '127.0.0.1', port: targetPort, noDelay: true }));
    client.setNoDelay(true);
    let cut = false;
    const link = {
      cut: () => {
        cut = true;
      },
    };
    live.add(link);
    const forward = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (!cut) to.write(chunk);
      });
      // An end that closes while the link is up closes the other; once cut, nobody hears of it.
      from.on('close', () => {
        live.delete(link);
        if (!cut) to.destroy();
      });
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error(`unexpected listen address ${String(address)}`);
  return {
    port: address.port,
    blackhole: () => {
      dark = true;
      for (const link of live) link.cut();
      live.clear();
    },
    restore: () => {
      dark = false;
    },
    darkConnections: () => darkCount,
    close: () =>
      new Promise<void>((resolve) => {
        destroyAll();
        server.close(() => resolve());
      }),
  };
}
