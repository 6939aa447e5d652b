/** OpenSSH's bounds on what a server may send before and in its identification line (SSH_MAX_BANNER_LEN, SSH_MAX_PRE_BANNER_LINES). */
export const MAX_IDENT_LINE_BYTES = 8192;
export const MAX_IDENT_LINES = 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Finds where the server's identification line ends in the stream it sends first (RFC 4253 §4.2: other
 * lines may come before it), fed in chunks split anywhere. A line is the identification when ssh2's
 * parseHeader takes it for one: it starts with "SSH-" and has more than five bytes before its line end.
 */
export class IdentLineScanner {
  #lines = 0;
  #lineBytes = 0;
  #head = '';

  /** The index in `chunk` just past the identification line's '\n', or -1 while it has not ended; throws past OpenSSH's bounds. */
  scan(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === LF) {
        this.#lines++;
        if (this.#head === 'SSH-' && this.#lineBytes > 5) return i + 1;
        if (this.#lines >= MAX_IDENT_LINES) throw new Error(`the server sent no SSH identification line in its first ${MAX_IDENT_LINES} lines`);
        this.#lineBytes = 0;
        this.#head = '';
      } else if (byte !== CR) {
        if (this.#head.length < 4) this.#head += String.fromCharCode(byte ?? 0);
        if (++this.#lineBytes > MAX_IDENT_LINE_BYTES) throw new Error(`the server sent a line longer than ${MAX_IDENT_LINE_BYTES} bytes before completing its SSH identification`);
      }
    }
    return -1;
  }
}
