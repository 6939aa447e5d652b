import type { Client, FileEntry } from 'ssh2';

const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;

export interface SocketEntry {
  /** The host name: the file name without `.sock`. */
  host: string;
  /** A link (server-setup's per-host mode links DIR/NAME.sock into the host's chroot). */
  link: boolean;
}

/** Host names from a socket directory's entries: `NAME.sock` that is a socket or a link; anything else is not a host. */
export function socketEntries(entries: ReadonlyArray<Pick<FileEntry, 'filename' | 'attrs'>>): SocketEntry[] {
  return entries
    .filter((entry) => entry.filename.endsWith('.sock') && entry.filename.length > '.sock'.length)
    .filter((entry) => [S_IFSOCK, S_IFLNK].includes(entry.attrs.mode & S_IFMT))
    .map((entry) => ({ host: entry.filename.slice(0, -'.sock'.length), link: (entry.attrs.mode & S_IFMT) === S_IFLNK }))
    .sort((a, b) => a.host.localeCompare(b.host));
}

/** Reads the socket directory over SFTP; resolves why not when the account cannot. */
export function listSocketDir(client: Client, dir: string): Promise<{ entries: SocketEntry[] } | { problem: string }> {
  return new Promise((resolve) => {
    client.sftp((error, sftp) => {
      if (error) return resolve({ problem: `the jump offers this account no SFTP (${error.message}), which listing needs: allow the sftp subsystem for it` });
      sftp.readdir(dir, (readError, list) => {
        sftp.end();
        if (readError) return resolve({ problem: `cannot list ${dir} (${readError.message}): the account needs read access to it` });
        resolve({ entries: socketEntries(list) });
      });
    });
  });
}
