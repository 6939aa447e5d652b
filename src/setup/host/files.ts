/** A service file and where it goes. */
export interface ServiceFile {
  path: string;
  text: string;
}

/**
 * Files on one stream: a single file exactly as it is; several each under a `==> PATH <==` line (as head
 * and tail show several files), with a blank line between them.
 */
export function showFiles(files: readonly ServiceFile[]): string {
  if (files.length === 1) return files[0]?.text ?? '';
  return files.map((file) => `==> ${file.path} <==\n${file.text}`).join('\n');
}

/** `a`, `a and b`, `a, b and c`. */
export function listWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}
