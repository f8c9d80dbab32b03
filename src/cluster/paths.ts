/**
 * Where the leader of a service listens for the other processes: a Unix socket (a named
 * pipe on Windows) whose name derives from the admin host and port, in a directory only
 * this user can enter (`<tmpdir>/otelkit-<uid>`, mode 0700, checked: owned by us, not a
 * symlink, no access for group or others). Never a TCP port.
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, unlink } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * fs's callback functions, promised: `fs.promises` loads Node's fs/promises, readline and
 * REPL-history modules on first use, ~1.7 ms of start-up for these few calls.
 */
export const fsp = { chmod: promisify(chmod), lstat: promisify(lstat), mkdir: promisify(mkdir), unlink: promisify(unlink) };

export function channelPath(host: string, port: number): string {
  const key = createHash('sha256').update(`${host}:${port}`).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\otelkit-${safeUser()}-${key}`;
  return join(privateDir(), `${key}.sock`);
}

function uid(): number | string {
  return typeof process.getuid === 'function' ? process.getuid() : safeUser();
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_');
  } catch {
    return 'user';
  }
}

export function privateDir(): string {
  return join(tmpdir(), `otelkit-${uid()}`);
}

/** Creates the private directory, or checks the one there; rejects when it is not safe. */
export async function ensurePrivateDir(): Promise<void> {
  if (process.platform === 'win32') return;
  const dir = privateDir();
  await fsp.mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const st = await fsp.lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`${dir} belongs to another user`);
  if ((st.mode & 0o077) !== 0) throw new Error(`${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)})`);
}
