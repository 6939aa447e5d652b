/** One line of a config file: offsets into the text, its content without the line ending. */
export interface Line {
  /** 1-based. */
  number: number;
  /** Offset of the first character after any UTF-8 BOM. */
  start: number;
  /** Offset just past the line ending, or the text's length on a last line without one. */
  end: number;
  /** The line without its line ending (a CR before the LF belongs to the ending). */
  content: string;
  eol: '' | '\n' | '\r\n';
}

export const BOM = '\uFEFF';

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = text.startsWith(BOM) ? BOM.length : 0;
  while (start < text.length) {
    const lf = text.indexOf('\n', start);
    const end = lf === -1 ? text.length : lf + 1;
    const crlf = lf > start && text[lf - 1] === '\r';
    const eol = lf === -1 ? '' : crlf ? '\r\n' : '\n';
    lines.push({ number: lines.length + 1, start, end, content: text.slice(start, end - eol.length), eol });
    start = end;
  }
  return lines;
}

/** The file's line ending, from its first line; `\n` for a file without one. */
export function detectEol(text: string): '\n' | '\r\n' {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

/** ssh_config words: the keyword, then arguments split on blanks, quotes honoured, a `#` word ends the line. */
export function splitDirective(content: string): { keyword: string; args: string[] } | undefined {
  const match = /^[ \t]*([A-Za-z][A-Za-z0-9]*)(?:[ \t]*=[ \t]*|[ \t]+|[ \t]*$)(.*)$/.exec(content.replace(/[ \t\r\f]+$/, ''));
  if (!match) return undefined;
  const args: string[] = [];
  const rest = match[2] ?? '';
  let word: string | undefined;
  let quote: string | undefined;
  for (const c of rest) {
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) args.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) args.push(word);
  return { keyword: (match[1] ?? '').toLowerCase(), args };
}
