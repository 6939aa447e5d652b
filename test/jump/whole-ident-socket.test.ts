import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { WholeIdentSocket } from '../../src/jump/whole-ident-socket.js';

/** The parts of net.Socket WholeIdentSocket uses, recording what it is asked to do. */
class FakeSocket extends EventEmitter {
  written: Buffer[] = [];
  calls: string[] = [];

  write(chunk: Buffer): boolean {
    this.written.push(chunk);
    return true;
  }

  end(callback?: () => void): this {
    this.calls.push('end');
    callback?.();
    return this;
  }

  destroy(): this {
    this.calls.push('destroy');
    return this;
  }

  pause(): this {
    this.calls.push('pause');
    return this;
  }

  resume(): this {
    this.calls.push('resume');
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.calls.push(`setNoDelay ${String(noDelay)}`);
    return this;
  }

  get remoteAddress(): string {
    return '192.0.2.1';
  }
}

function wrap(): { fake: FakeSocket; wrapped: WholeIdentSocket; chunks: Buffer[] } {
  const fake = new FakeSocket();
  const wrapped = new WholeIdentSocket(fake as unknown as Socket);
  const chunks: Buffer[] = [];
  wrapped.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { fake, wrapped, chunks };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WholeIdentSocket', () => {
  test('holds the pieces of the identification and the lines before it, then hands them over as one chunk', async () => {
    const { fake, chunks } = wrap();
    for (const piece of ['Hello\r', '\nSSH-2.0-Op', 'enSSH_9.2', '\r', '\n\x00\x00\x04']) {
      fake.emit('data', bytes(piece));
      await tick();
      if (!piece.startsWith('\n\x00')) assert.deepEqual(chunks, [], `released early, at ${JSON.stringify(piece)}`);
    }
    assert.deepEqual(chunks.map((chunk) => chunk.toString('latin1')), ['Hello\r\nSSH-2.0-OpenSSH_9.2\r\n\x00\x00\x04']);
  });

  test('after the identification, chunks pass through as they came: the same buffers, in order', async () => {
    const { fake, chunks } = wrap();
    fake.emit('data', bytes('SSH-2.0-x\r\n'));
    const later = [bytes('\x00\x00\x00\x0c'), Buffer.alloc(64 * 1024, 1), bytes('\n')];
    for (const chunk of later) fake.emit('data', chunk);
    await tick();
    assert.equal(chunks.length, 1 + later.length);
    later.forEach((chunk, i) => assert.equal(chunks[i + 1], chunk, `chunk ${i} was copied or reordered`));
  });

  test('an end before the identification is complete hands over what came, then ends', async () => {
    const { fake, wrapped, chunks } = wrap();
    fake.emit('data', bytes('SSH-2.0-trunc'));
    fake.emit('end');
    await once(wrapped, 'end');
    assert.deepEqual(chunks.map(String), ['SSH-2.0-trunc']);
  });

  test('past OpenSSH\'s bounds: an error naming the cause, and the socket is destroyed', async () => {
    const { fake, wrapped } = wrap();
    const failed = once(wrapped, 'error');
    fake.emit('data', bytes('x\r\n'.repeat(1024)));
    const [error] = (await failed) as [Error];
    assert.match(error.message, /the server sent no SSH identification line in its first 1024 lines/);
    assert.ok(fake.calls.includes('destroy'));
  });

  test('writes go to the socket as they come; end and destroy reach it', async () => {
    const { fake, wrapped } = wrap();
    const packet = bytes('SSH-2.0-ssh2js\r\n');
    wrapped.write(packet);
    assert.equal(fake.written[0], packet);
    wrapped.end();
    await tick();
    assert.ok(fake.calls.includes('end'));
    wrapped.destroy();
    assert.ok(fake.calls.includes('destroy'));
  });

  test("the socket's error and close become its own, in that order", async () => {
    const { fake, wrapped } = wrap();
    const events: string[] = [];
    wrapped.on('error', (error) => events.push(`error ${error.message}`));
    // events.once would reject on the 'error' this test expects
    const closed = new Promise<void>((resolve) => wrapped.on('close', resolve));
    wrapped.on('close', () => events.push('close'));
    fake.emit('error', new Error('read ECONNRESET'));
    fake.emit('close');
    await closed;
    assert.deepEqual(events, ['error read ECONNRESET', 'close']);
  });

  test('a clean close after the server ends: end, then close', async () => {
    const { fake, wrapped } = wrap();
    const events: string[] = [];
    wrapped.on('end', () => events.push('end'));
    wrapped.on('close', () => events.push('close'));
    fake.emit('data', bytes('SSH-2.0-x\r\n'));
    fake.emit('end');
    fake.emit('close');
    await once(wrapped, 'close');
    assert.deepEqual(events, ['end', 'close']);
  });

  test('setNoDelay and the addresses are the socket\'s', () => {
    const { fake, wrapped } = wrap();
    wrapped.setNoDelay(true);
    assert.deepEqual(fake.calls, ['setNoDelay true']);
    assert.equal(wrapped.remoteAddress, '192.0.2.1');
  });

  test('a reader that falls behind pauses the socket, and reading resumes it', async () => {
    const fake = new FakeSocket();
    const wrapped = new WholeIdentSocket(fake as unknown as Socket);
    fake.emit('data', bytes('SSH-2.0-x\r\n'));
    fake.emit('data', Buffer.alloc(wrapped.readableHighWaterMark));
    assert.ok(fake.calls.includes('pause'), fake.calls.join());
    fake.calls = [];
    wrapped.read();
    assert.ok(fake.calls.includes('resume'), fake.calls.join());
  });
});
