import { createHash } from 'node:crypto';
import { TunnelError } from '../errors.js';

/** Content only: a touch or a re-save of the same bytes is not an edit worth refusing over. */
export function fingerprintOf(bytes: Buffer | undefined): string {
  return bytes === undefined ? 'absent' : `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Exact text of the bytes, a BOM included; refuses anything that would not survive a round trip. */
export function decodeExactly(bytes: Buffer, path: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TunnelError('usage', `${path} is not valid UTF-8, so tunnel-config will not edit it`);
  }
}

export const isRoot = (): boolean => process.getuid?.() === 0;
