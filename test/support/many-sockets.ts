import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

/**
 * One cheap process standing in for a fleet: listens on DIR/PREFIXnnnn.sock for COUNT sockets, answers each
 * connection with an SSH identification line, prints `ready` once all are bound and one `+` per connection.
 * Ends when its stdin closes, so it never outlives the test that started it.
 */
const [dir, countText, prefix = 'h'] = process.argv.slice(2);
if (dir === undefined || countText === undefined) throw new Error('usage: many-sockets DIR COUNT [PREFIX]');
const count = Number(countText);

const listen = (path: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      process.stdout.write('+');
      socket.on('error', () => undefined);
      socket.write('SSH-2.0-fake\r\n');
    });
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });

const servers = await Promise.all(Array.from({ length: count }, (_, i) => listen(join(dir, `${prefix}${String(i).padStart(4, '0')}.sock`))));
process.stdout.write('ready\n');
process.stdin.resume().on('end', () => {
  for (const server of servers) server.close();
  process.exit(0);
});
