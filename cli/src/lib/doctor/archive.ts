/**
 * A minimal .tar.gz writer (POSIX ustar, regular files only) for `oms report`: enough for a
 * handful of JSON files and logs, with no dependency and no temp dir.
 */
import { gzipSync } from 'node:zlib';

export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated (at most 255 bytes: 155 of prefix + 100 of name). */
  name: string;
  data: Buffer | string;
  /** Default 0o644. */
  mode?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as tar expects
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** Splits a long path into ustar's prefix (≤155) and name (≤100) at a `/`. */
export function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  throw new Error(`path too long for a tar archive: ${path}`);
}

/** One 512-byte ustar header. */
export function tarHeader(entry: { name: string; size: number; mode: number; mtime: number }): Buffer {
  const header = Buffer.alloc(BLOCK, 0);
  const { prefix, name } = splitName(entry.name);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(entry.mode, 8), 100, 8, 'ascii');
  header.write(octal(0, 8), 108, 8, 'ascii'); // uid
  header.write(octal(0, 8), 116, 8, 'ascii'); // gid
  header.write(octal(entry.size, 12), 124, 12, 'ascii');
  header.write(octal(Math.floor(entry.mtime / 1000), 12), 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii'); // checksum counts as spaces while summing
  header.write('0', 156, 1, 'ascii'); // regular file
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('oms', 265, 32, 'ascii'); // uname
  header.write('oms', 297, 32, 'ascii'); // gname
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** The uncompressed tar stream of `entries`. */
export function tar(entries: ArchiveEntry[], mtime = Date.now()): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
    parts.push(tarHeader({ name: e.name, size: data.length, mode: e.mode ?? 0o644, mtime }), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0)); // end of archive
  return Buffer.concat(parts);
}

/** `tar` + gzip: the bytes of a .tar.gz. */
export function tarGz(entries: ArchiveEntry[], mtime = Date.now()): Buffer {
  return gzipSync(tar(entries, mtime));
}
