/** Names people type for our commands out of habit from npm, git and docker. */
const SYNONYMS: Readonly<Record<string, string>> = {
  rm: 'remove',
  del: 'remove',
  delete: 'remove',
  ls: 'list',
  new: 'add',
  create: 'add',
  change: 'edit',
  modify: 'edit',
  update: 'edit',
};

/** Edit distance where swapping two neighbours counts once (`lsit` is one step from `list`). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The command `typed` most likely meant, or undefined when none is close enough to name. */
export function nearestCommand(typed: string, commands: readonly string[]): string | undefined {
  const word = typed.toLowerCase();
  const synonym = SYNONYMS[word];
  if (synonym !== undefined && commands.includes(synonym)) return synonym;
  if (commands.includes(word)) return word;
  const starting = commands.filter((command) => word.length >= 2 && command.startsWith(word));
  if (starting.length === 1) return starting[0];
  let best: { command: string; distance: number } | undefined;
  for (const command of commands) {
    const distance = editDistance(word, command);
    if (!best || distance < best.distance) best = { command, distance };
  }
  // Up to one typo in three letters: `ad` and `lsit` are named, `bogus` is not.
  return best && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.command : undefined;
}
