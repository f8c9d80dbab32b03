/**
 * Knows which log bytes are still only in memory, so that none is lost when the app
 * calls process.exit() right after logging.
 *
 * file-stream-rotator writes through fs.WriteStream, which hands one write at a time to
 * libuv's thread pool and queues the rest in memory. On process.exit() Node drains the
 * write already in the pool, but the queued chunks are gone. The WriteStreams are given
 * this tracker's `fs` (fs.createWriteStream's documented `fs` option): it sees each write
 * start and finish, per file descriptor, so flushSync() — run on 'exit', where only
 * synchronous work is possible — appends exactly the bytes no write has taken yet.
 */
import * as fs from 'node:fs';

type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void;
type WriteCallback<B> = (err: NodeJS.ErrnoException | null, written: number, buffers: B) => void;

class Segment {
  fd: number | undefined;
  closed = false;
  failed = false;
  /** Bytes handed to the thread pool and not yet reported back. */
  inflight = 0;
  /** Bytes queued and not yet written (inflight included). */
  pending = 0;
  /** Size of the file when opened, and bytes written since: where its end is. */
  base = 0;
  written = 0;
  /** Run once the file is closed (or could not be opened). */
  onClosed: Array<() => void> = [];
  private chunks: Buffer[] = [];
  private head = 0;
  private headOffset = 0;

  constructor(readonly path: string) {}

  enqueue(buf: Buffer): void {
    this.chunks.push(buf);
    this.pending += buf.length;
  }

  complete(bytes: number): void {
    this.pending -= bytes;
    this.written += bytes;
    while (bytes > 0 && this.head < this.chunks.length) {
      const left = this.chunks[this.head].length - this.headOffset;
      if (bytes >= left) {
        bytes -= left;
        this.head++;
        this.headOffset = 0;
      } else {
        this.headOffset += bytes;
        bytes = 0;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The queued bytes no write has taken yet. */
  unissued(): Buffer {
    let skip = this.headOffset + this.inflight;
    const out: Buffer[] = [];
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i];
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      out.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    return Buffer.concat(out);
  }
}

export class FileTracker {
  private segments: Segment[] = [];
  private byFd = new Map<number, Segment>();
  private current: Segment | undefined;
  private drainWaiters: Array<() => void> = [];

  /** Lines now go to this file (the first one, or the new one after a rotation). */
  use(path: string): void {
    if (this.current?.path === path) return;
    this.current = new Segment(path);
    this.segments.push(this.current);
  }

  enqueue(buf: Buffer): void {
    this.current?.enqueue(buf);
  }

  get pendingBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.pending;
    return n;
  }

  /**
   * Runs fn once the file at path has been written completely and closed (at once when
   * it is not tracked). Rotated files must not be compressed or removed before that.
   */
  whenClosed(path: string, fn: () => void): void {
    const seg = this.segments.find((s) => s.path === path && !s.closed && !s.failed);
    if (seg) seg.onClosed.push(fn);
    else process.nextTick(fn);
  }

  /** Resolves once every queued byte is written (or its file failed). */
  drain(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Appends what is still only in memory, synchronously. For process 'exit' only. */
  flushSync(): void {
    for (const seg of this.segments) {
      if (seg.failed) continue;
      const rest = seg.unissued();
      if (rest.length === 0) continue;
      try {
        if (seg.fd !== undefined && !seg.closed) {
          // The write in the thread pool lands during exit; ours must come after it.
          if (seg.inflight > 0) waitForSize(seg.fd, seg.base + seg.written + seg.inflight);
          writeAllSync(seg.fd, rest);
        } else {
          const fd = fs.openSync(seg.path, 'a');
          try {
            writeAllSync(fd, rest);
          } finally {
            fs.closeSync(fd);
          }
        }
      } catch {
        // The process is exiting; nothing more can be done.
      }
    }
  }

  /** The `fs` implementation handed to fs.createWriteStream. */
  readonly fs = {
    open: (path: fs.PathLike, flags: fs.OpenMode, mode: fs.Mode | undefined, cb: Callback<number>): void => {
      fs.open(path, flags, mode, (err, fd) => {
        if (err) {
          this.failPath(String(path));
          cb(err, fd);
          return;
        }
        const seg = this.segments.find((s) => s.path === String(path) && s.fd === undefined);
        if (!seg) {
          cb(null, fd);
          return;
        }
        seg.fd = fd;
        this.byFd.set(fd, seg);
        fs.fstat(fd, (statErr, stats) => {
          if (!statErr) seg.base = stats.size;
          cb(null, fd);
        });
      });
    },
    // The buffers are passed back too: on a short write (a disk filling up) the stream
    // retries the rest with them, and without them it threw a TypeError from an fs
    // callback, which killed the process.
    write: (fd: number, buf: Buffer, offset: number, length: number, position: number | null, cb: WriteCallback<Buffer>): void => {
      const seg = this.started(fd, length);
      fs.write(fd, buf, offset, length, position, (err, written, buffer) => {
        this.finished(seg, length, err ? 0 : written, err);
        cb(err, written, buffer);
      });
    },
    writev: (fd: number, bufs: NodeJS.ArrayBufferView[], position: number | null, cb: WriteCallback<NodeJS.ArrayBufferView[]>): void => {
      let length = 0;
      for (const b of bufs) length += b.byteLength;
      const seg = this.started(fd, length);
      fs.writev(fd, bufs, position, (err, written, buffers) => {
        this.finished(seg, length, err ? 0 : written, err);
        cb(err, written, buffers);
      });
    },
    close: (fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void => {
      const seg = this.byFd.get(fd);
      this.byFd.delete(fd);
      if (seg) seg.closed = true;
      fs.close(fd, (err) => {
        this.prune();
        cb(err);
        if (seg) runAll(seg.onClosed.splice(0));
      });
    },
  };

  private started(fd: number, length: number): Segment | undefined {
    const seg = this.byFd.get(fd);
    if (seg) seg.inflight += length;
    return seg;
  }

  private finished(seg: Segment | undefined, length: number, written: number, err: NodeJS.ErrnoException | null): void {
    if (!seg) return;
    seg.inflight -= length;
    if (err) seg.failed = true;
    // A short write is retried by the stream for the rest: only `written` bytes are done.
    seg.complete(written);
    if (this.drainWaiters.length > 0 && this.idle()) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }

  private failPath(path: string): void {
    for (const s of this.segments) {
      if (s.path === path && s.fd === undefined) {
        s.failed = true;
        runAll(s.onClosed.splice(0));
      }
    }
  }

  private idle(): boolean {
    return this.segments.every((s) => s.failed || s.pending === 0);
  }

  private prune(): void {
    this.segments = this.segments.filter((s) => s === this.current || !(s.closed && (s.pending === 0 || s.failed)));
  }
}

function runAll(fns: Array<() => void>): void {
  for (const fn of fns) {
    try {
      fn();
    } catch {
      // a rotation step failed; the next rotation tries again
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Waits (at most a second) until the file behind fd has reached size bytes. */
function waitForSize(fd: number, size: number): void {
  const deadline = Date.now() + 1000;
  while (fs.fstatSync(fd).size < size && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 1);
}

function writeAllSync(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}
