import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IdentLineScanner, MAX_IDENT_LINE_BYTES, MAX_IDENT_LINES } from '../../src/jump/ident-line.js';

const IDENT = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n';
const PACKET = '\x00\x00\x04\x4c\x04\x14 and the rest of KEXINIT';

/** Feeds `chunks` in order; returns the stream offset just past the identification line, or -1. */
function scanChunks(chunks: string[]): number {
  const scanner = new IdentLineScanner();
  let offset = 0;
  for (const chunk of chunks) {
    const end = scanner.scan(Buffer.from(chunk, 'latin1'));
    if (end >= 0) return offset + end;
    offset += chunk.length;
  }
  return -1;
}

/** `text` cut at each of `cuts` (stream offsets, ascending). */
function cutAt(text: string, cuts: number[]): string[] {
  return [0, ...cuts].map((start, i) => text.slice(start, cuts[i] ?? text.length));
}

describe('IdentLineScanner', () => {
  const cases: Array<{ name: string; stream: string; end: number }> = [
    { name: 'the identification alone', stream: IDENT, end: IDENT.length },
    { name: 'the identification and the first packet', stream: IDENT + PACKET, end: IDENT.length },
    { name: 'a bare \\n line end', stream: 'SSH-2.0-x\nrest', end: 10 },
    { name: 'lines before it (RFC 4253 §4.2)', stream: `Welcome\r\n\r\nno SSH- here\n${IDENT}${PACKET}`, end: 'Welcome\r\n\r\nno SSH- here\n'.length + IDENT.length },
    { name: '"SSH-2", five bytes, is a line before it, as ssh2 reads it', stream: `SSH-2\r\n${IDENT}`, end: 7 + IDENT.length },
    { name: '"SSH-2." is the identification (ssh2 then refuses it)', stream: 'SSH-2.\r\nSSH-2.0-x\r\n', end: 8 },
    { name: 'an unfinished identification', stream: IDENT.slice(0, -1), end: -1 },
    { name: `${MAX_IDENT_LINES - 1} lines before it`, stream: 'x\r\n'.repeat(MAX_IDENT_LINES - 1) + IDENT, end: 3 * (MAX_IDENT_LINES - 1) + IDENT.length },
    { name: `a line of ${MAX_IDENT_LINE_BYTES} bytes before it`, stream: `${'x'.repeat(MAX_IDENT_LINE_BYTES)}\r\n${IDENT}`, end: MAX_IDENT_LINE_BYTES + 2 + IDENT.length },
  ];
  for (const { name, stream, end } of cases) {
    test(`${name}: in one chunk`, () => assert.equal(scanChunks([stream]), end));
    test(`${name}: one byte at a time`, () => assert.equal(scanChunks([...stream]), end));
  }

  test('every cut of a banner line, the identification and a packet into three pieces', () => {
    const stream = `Hi\r\n${IDENT}${PACKET}`;
    const end = 4 + IDENT.length;
    for (let first = 1; first < stream.length; first++) {
      for (let second = first + 1; second < stream.length; second++) {
        assert.equal(scanChunks(cutAt(stream, [first, second])), end, `cut at ${first} and ${second}`);
      }
    }
  });

  test(`refuses a ${MAX_IDENT_LINES}th line that is not the identification, as OpenSSH does`, () => {
    assert.throws(() => scanChunks(['x\r\n'.repeat(MAX_IDENT_LINES) + IDENT]), /no SSH identification line in its first 1024 lines/);
  });

  test(`refuses a line longer than ${MAX_IDENT_LINE_BYTES} bytes, as OpenSSH does`, () => {
    assert.throws(() => scanChunks([`${'x'.repeat(MAX_IDENT_LINE_BYTES + 1)}\r\n${IDENT}`]), /a line longer than 8192 bytes/);
    assert.throws(() => scanChunks([`SSH-2.0-${'x'.repeat(MAX_IDENT_LINE_BYTES)}\r\n`]), /a line longer than 8192 bytes/);
  });

  test('a line end counts no bytes: CRs are not part of the line', () => {
    assert.equal(scanChunks([`${'x'.repeat(MAX_IDENT_LINE_BYTES)}\r\r\n${IDENT}`]), MAX_IDENT_LINE_BYTES + 3 + IDENT.length);
  });
});
