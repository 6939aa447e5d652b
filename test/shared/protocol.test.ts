import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeFrame, encodeJsonFrame, FrameDecoder, parseJson } from '../../src/shared/protocol.js';

const frames = (...parts: Buffer[][]): Buffer => Buffer.concat(parts.flat());

describe('FrameDecoder', () => {
  const stream = frames([encodeJsonFrame('reply', { ok: true })], encodeFrame('data', Buffer.from('hello')), encodeFrame('eof'), [encodeJsonFrame('end', { ok: true })]);

  for (const size of [1, 2, 5, 7, 64, stream.length]) {
    test(`whole frames from ${size}-byte pieces`, () => {
      const decoder = new FrameDecoder();
      const seen = [];
      for (let at = 0; at < stream.length; at += size) seen.push(...decoder.push(stream.subarray(at, at + size)));
      assert.deepEqual(
        seen.map((frame) => [frame.type, frame.payload.toString()]),
        [
          ['reply', '{"ok":true}'],
          ['data', 'hello'],
          ['eof', ''],
          ['end', '{"ok":true}'],
        ],
      );
      assert.equal(decoder.rest().length, 0);
    });
  }

  test('a data payload within one chunk is a view, not a copy', () => {
    const chunk = frames(encodeFrame('data', Buffer.from('abc')));
    const [frame] = new FrameDecoder().push(chunk);
    assert.equal(frame?.payload.buffer, chunk.buffer);
  });

  test('maxFrames leaves what follows the request as raw bytes', () => {
    const decoder = new FrameDecoder();
    const request = encodeJsonFrame('request', { op: 'status' });
    const got = decoder.push(Buffer.concat([request, Buffer.from('raw stream')]), 1);
    assert.equal(got.length, 1);
    assert.deepEqual(parseJson(got[0]?.payload ?? Buffer.alloc(0)), { op: 'status' });
    assert.equal(decoder.rest().toString(), 'raw stream');
  });

  test('an unknown frame type is refused', () => {
    const bad = Buffer.from([0, 0, 0, 0, 99]);
    assert.throws(() => new FrameDecoder().push(bad), /unknown frame type 99/);
  });

  test('an oversized JSON frame is refused before it is buffered', () => {
    const head = Buffer.from([0, 0x10, 0, 0, 2]);
    assert.throws(() => new FrameDecoder().push(head), /oversized reply frame/);
  });

  test('large data frames are fine', () => {
    const big = Buffer.alloc(1 << 20, 7);
    const [frame] = new FrameDecoder().push(Buffer.concat(encodeFrame('data', big)));
    assert.equal(frame?.payload.length, big.length);
  });
});
