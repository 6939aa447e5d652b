import type { Client, ClientChannel } from 'ssh2';
import { TunnelError } from '../errors.js';
import { openSocketChannel } from '../proxy/channel.js';

/** What a host's socket on the jump says when asked: a word a script can match. */
export type HostState = 'live' | 'stale' | 'silent' | 'refused' | 'error';

export interface ProbeResult {
  state: HostState;
  /** The SSH identification line, for a live host. */
  banner?: string;
  /** From the channel request to the answer. */
  ms: number;
  /** Why, for anything but live. */
  detail?: string;
}

const MAX_BANNER = 255;

/** Reads up to the first line from a channel: the SSH identification a live host sends first. */
function readFirstLine(channel: ClientChannel, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const done = (value: string | undefined): void => {
      clearTimeout(timer);
      channel.removeAllListeners('data');
      channel.close();
      resolve(value);
    };
    const timer = setTimeout(() => done(text === '' ? undefined : text), timeoutMs);
    channel.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\n');
      if (end >= 0 || text.length > MAX_BANNER) done(text.slice(0, end >= 0 ? end : MAX_BANNER).replace(/\r$/, ''));
    });
    channel.once('end', () => done(text === '' ? '' : text));
    channel.once('close', () => done(text === '' ? '' : text));
  });
}

/**
 * Opens a channel to one socket and reads what answers: `live` with its banner, `stale` (nothing listens:
 * a socket left behind), `silent` (the tunnel is up but nothing answered behind it), `refused` (policy).
 */
export async function probeSocket(client: Client, host: string, socketPath: string, jumpName: string, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  let channel: ClientChannel;
  try {
    channel = await openSocketChannel(client, { host, socketPath, jumpName }, timeoutMs / 1000);
  } catch (error) {
    const code = error instanceof TunnelError ? error.code : 'internal';
    const state: HostState = code === 'offline' ? 'stale' : code === 'refused' ? 'refused' : 'error';
    return { state, ms: ms(), detail: (error as Error).message };
  }
  const line = await readFirstLine(channel, timeoutMs);
  if (line === undefined || line === '') return { state: 'silent', ms: ms(), detail: line === undefined ? `no answer within ${timeoutMs} ms` : 'closed without a byte' };
  if (!line.startsWith('SSH-')) return { state: 'silent', ms: ms(), detail: `answered ${JSON.stringify(line.slice(0, 40))}, not SSH` };
  return { state: 'live', banner: line, ms: ms() };
}

/** Runs `work` over `items` with at most `limit` at once, keeping their order in the result. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
