/** File types from an SFTP mode (st_mode): what a socket directory holds. */
const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;

export type FileType = 'socket' | 'link' | 'other';

export function fileType(mode: number): FileType {
  const type = mode & S_IFMT;
  return type === S_IFSOCK ? 'socket' : type === S_IFLNK ? 'link' : 'other';
}
