import { connect, createServer, type Socket } from 'node:net';

/** A port that was free a moment ago; callers must retry if someone else binds it first. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error(`unexpected listen address ${String(address)}`));
      });
    });
  });
}

export type BannerTarget = { port: number; host?: string } | { path: string };

/** Connects and resolves the first line the server sends (an SSH server's version banner). */
export function readBanner(target: BannerTarget, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in target ? connect(target.path) : connect(target.port, target.host ?? '127.0.0.1');
    let received = '';
    const finish = (error: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(line ?? '');
    };
    const timer = setTimeout(() => finish(new Error(`no banner within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end >= 0) finish(undefined, received.slice(0, end).replace(/\r$/, ''));
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error(`connection closed before a banner (got ${JSON.stringify(received)})`)));
  });
}

/** The open sockets of a relay, to destroy them all when it closes: `track` adds one (and ignores its errors). */
export function socketSet(): { track: (socket: Socket) => Socket; destroyAll: () => void } {
  const sockets = new Set<Socket>();
  return {
    track: (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      return socket;
    },
    destroyAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
