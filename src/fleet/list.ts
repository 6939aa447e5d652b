import type { Client, FileEntry, SFTPWrapper } from 'ssh2';
import { fileType } from './file-type.js';
import { mapBounded } from './probe.js';

const STATS_AT_ONCE = 64;

export interface SocketEntry {
  /** The host name: the file name without `.sock`. */
  host: string;
  /** A link (server-setup's per-host mode links DIR/NAME.sock into the host's chroot). */
  link: boolean;
}

const isHostName = (filename: string): boolean => filename.endsWith('.sock') && filename.length > '.sock'.length;
const isLink = (entry: Pick<FileEntry, 'attrs'>): boolean => fileType(entry.attrs.mode) === 'link';

/**
 * Host names from a socket directory's entries: `NAME.sock` that is a socket, or a link to one. SFTP lists a
 * link as a link, so `targets` has the mode of what each link points at (undefined: it points at nothing,
 * as a per-host link does until its host first connects); anything else is not a host.
 */
export function socketEntries(
  entries: ReadonlyArray<Pick<FileEntry, 'filename' | 'attrs'>>,
  targets: ReadonlyMap<string, number | undefined> = new Map(),
): SocketEntry[] {
  const isSocket = (mode: number | undefined): boolean => mode !== undefined && fileType(mode) === 'socket';
  return entries
    .filter((entry) => isHostName(entry.filename))
    .filter((entry) => (isLink(entry) ? isSocket(targets.get(entry.filename)) : isSocket(entry.attrs.mode)))
    .map((entry) => ({ host: entry.filename.slice(0, -'.sock'.length), link: isLink(entry) }))
    .sort((a, b) => a.host.localeCompare(b.host));
}

/** The mode of what `path` points at, or undefined when it cannot be reached. */
function targetMode(sftp: SFTPWrapper, path: string): Promise<number | undefined> {
  return new Promise((resolve) => sftp.stat(path, (error, stats) => resolve(error ? undefined : stats.mode)));
}

/** Reads the socket directory over SFTP, following the links named like sockets; resolves why not when the account cannot. */
export function listSocketDir(client: Client, dir: string): Promise<{ entries: SocketEntry[] } | { problem: string }> {
  return new Promise((resolve) => {
    client.sftp((error, sftp) => {
      if (error) return resolve({ problem: `the jump offers this account no SFTP (${error.message}), which listing needs: allow the sftp subsystem for it` });
      sftp.readdir(dir, (readError, list) => {
        if (readError) {
          sftp.end();
          return resolve({ problem: `cannot list ${dir} (${readError.message}): the account needs read access to it` });
        }
        const links = list.filter((entry) => isHostName(entry.filename) && isLink(entry)).map((entry) => entry.filename);
        const base = dir.replace(/\/+$/, '');
        void mapBounded(links, STATS_AT_ONCE, (name) => targetMode(sftp, `${base}/${name}`)).then((modes) => {
          sftp.end();
          resolve({ entries: socketEntries(list, new Map(links.map((name, index) => [name, modes[index]]))) });
        });
      });
    });
  });
}
