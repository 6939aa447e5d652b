import { splitDirective, splitLines } from './lines.js';
import { hostLineMatches, patternMatches } from './pattern.js';

/** A host name to ask ssh about, and what it stands for in messages (itself, or a pattern). */
export interface Probe {
  name: string;
  label: string;
}

const isPattern = (word: string): boolean => /[*?]/.test(word);

/**
 * A name that both glob patterns (`*` any run, `?` one character, the rest literal) match, or undefined when
 * none does: a breadth-first walk over pairs of positions, so the name is a shortest one.
 */
export function commonName(a: string, b: string): string | undefined {
  const key = (i: number, j: number): number => i * (b.length + 1) + j;
  const previous = new Map<number, { from: number; char: string }>([[key(0, 0), { from: -1, char: '' }]]);
  const queue: Array<[number, number]> = [[0, 0]];
  const visit = (from: [number, number], to: [number, number], char: string): void => {
    const k = key(...to);
    if (previous.has(k)) return;
    previous.set(k, { from: key(...from), char });
    queue.push(to);
  };
  for (let head = 0; head < queue.length; head++) {
    const [i, j] = queue[head] as [number, number];
    if (i === a.length && j === b.length) {
      let name = '';
      for (let k = key(i, j), step = previous.get(k); step && step.from !== -1; k = step.from, step = previous.get(k)) name = step.char + name;
      return name;
    }
    const p = a[i];
    const q = b[j];
    if (p === '*') visit([i, j], [i + 1, j], '');
    if (q === '*') visit([i, j], [i, j + 1], '');
    if (p === undefined || q === undefined) continue;
    // One character that both sides can take: a literal must be matched, `?` and `*` take anything.
    const literal = [p, q].find((c) => c !== '*' && c !== '?');
    if ([p, q].some((c) => c !== '*' && c !== '?' && c !== literal)) continue;
    visit([i, j], [p === '*' ? i : i + 1, q === '*' ? j : j + 1], literal ?? 'x');
  }
  return undefined;
}

/** The positive host words of a `Host` line or of a `Match` line's host/originalhost lists, with the line's own test. */
function claimsOf(text: string): Array<{ words: string[]; accepts: (name: string) => boolean }> {
  const claims: Array<{ words: string[]; accepts: (name: string) => boolean }> = [];
  for (const line of splitLines(text)) {
    const directive = splitDirective(line.content);
    if (directive?.keyword === 'host') {
      const args = directive.args;
      claims.push({ words: args.filter((word) => !word.startsWith('!')), accepts: (name) => hostLineMatches(args, name) });
    } else if (directive?.keyword === 'match') {
      const args = directive.args;
      args.forEach((word, index) => {
        const list = args[index + 1];
        if (!['host', 'originalhost'].includes(word.toLowerCase()) || list === undefined) return;
        const words = list.split(',');
        claims.push({ words: words.filter((w) => !w.startsWith('!')), accepts: (name) => hostLineMatches(words, name) });
      });
    }
  }
  return claims;
}

/** The more specific-looking of two patterns, for messages: more literal characters, then more `?` than `*`. */
const narrower = (a: string, b: string): string => {
  const weight = (pattern: string): number => 2 * pattern.replace(/[*?]/g, '').length + pattern.replace(/[^?]/g, '').length;
  return weight(b) > weight(a) ? b : a;
};

/**
 * The names to ask ssh about for a set claiming `hosts`, given the other texts of the config (the file
 * without the set's own block, and the files it includes): each name the set lists; each pattern made
 * literal; every name another Host or Match line lists that a pattern of the set matches; and for two
 * patterns that overlap, a name both match. One sample name per pattern would miss the overlaps.
 */
export function probeNames(hosts: readonly string[], others: readonly string[]): Probe[] {
  const probes = new Map<string, Probe>();
  const add = (name: string, label: string): void => {
    if (name !== '' && !probes.has(name)) probes.set(name, { name, label });
  };
  for (const host of hosts) add(isPattern(host) ? host.replace(/[*?]/g, 'x') : host, host);
  const claims = others.flatMap(claimsOf);
  for (const pattern of hosts.filter(isPattern)) {
    for (const claim of claims) {
      for (const word of claim.words) {
        if (!isPattern(word)) {
          if (patternMatches(pattern, word)) add(word, word);
          continue;
        }
        const name = commonName(pattern, word);
        // A name the other line itself refuses (`Host host-* !host-`) says nothing; one with a letter may.
        const candidates = [name, commonName(pattern.replace(/\*/g, 'x*'), word.replace(/\*/g, 'x*'))];
        const chosen = candidates.find((candidate) => candidate !== undefined && claim.accepts(candidate));
        if (chosen !== undefined) add(chosen, narrower(pattern, word));
      }
    }
  }
  return [...probes.values()];
}
