/**
 * The console transport: stdout, written so that `logger.error(…); process.exit(1)` loses
 * nothing. winston's Console transport uses process.stdout.write(), which on a pipe or
 * socket queues in memory once the reader falls behind, and process.exit() drops that
 * queue (4,871 of 10,001 lines lost in this project's test).
 *
 * - While stdout keeps up, a line is written at once with a (non-blocking) writeSync.
 * - When it does not, lines wait in this transport's own bounded queue, written as stdout
 *   becomes free; the app is never stalled. The part of a line the kernel did not take is
 *   handed to process.stdout, so no other output can land inside it.
 * - On process 'exit', what is still queued is written synchronously (waiting for the
 *   reader at most EXIT_WAIT_MS).
 * Output the app itself queued on process.stdout is never overtaken mid-chunk.
 *
 * The writer is plain code, one per process; the winston transport is a shell around it.
 * The access line is handed to the writer directly, so a service that logs nothing else
 * does not load winston at all until otelkit's first log record (docs/ARCHITECTURE.md).
 */
import { writeSync } from 'node:fs';
import { AsyncResource } from 'node:async_hooks';
import type TransportStream from 'winston-transport';
import type { Format } from 'logform';

const MESSAGE = Symbol.for('message');
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
/** The access lines of one event-loop turn are encoded into a buffer of this size as they come. */
const BATCH_BYTES = 64 * 1024;
const EXIT_WAIT_MS = 2000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

type Stdout = NodeJS.WriteStream & { fd?: unknown; _handle?: { writeQueueSize?: unknown } };

/** Bytes written; 0 when the fd would block. */
function tryWrite(fd: number, buf: Buffer): number {
  try {
    return writeSync(fd, buf);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    throw err;
  }
}

export class StdoutWriter {
  private queue: Buffer[] = [];
  private queued = 0;
  /** Part of a line handed to process.stdout and not yet written by it. */
  private handed: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  /**
   * Lines of this turn, encoded at once and written together at setImmediate. Kept as
   * bytes, not strings: a line's string dies young, so V8's scavenges do not copy the
   * lines of a turn and the young generation does not grow for them under load.
   */
  private readonly batch = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private batched = 0;
  private scheduled = false;
  /**
   * The flush is scheduled from the context the writer was made in (at start, shared.ts):
   * an Immediate keeps the context it is created in until it runs, and the context of the
   * turn's first request (its span, its ids) need not live that long.
   */
  private readonly scheduleFlush = AsyncResource.bind(() => setImmediate(this.flushPending));
  private readonly flushOnExit = () => this.flushSync();
  private readonly flushPending = () => {
    this.scheduled = false;
    if (this.batched === 0) return;
    const bytes = this.batch.subarray(0, this.batched);
    this.batched = 0;
    this.writeBytes(bytes, false);
  };

  constructor(private readonly onWarning: (key: string, message: string) => void) {
    process.on('exit', this.flushOnExit);
  }

  /** One line, written now (after the appended lines of this turn, to keep the order). */
  line(text: string): void {
    this.flushPending();
    this.write1(text);
  }

  /**
   * A finished line written with the others of this event-loop turn (one write for the
   * access lines of all requests that end together).
   */
  append(text: string): void {
    // At most three bytes per UTF-16 unit, and the newline.
    const most = text.length * 3 + 1;
    if (this.batched + most > BATCH_BYTES) {
      this.flushPending();
      if (most > BATCH_BYTES) return this.write1(text);
    }
    this.batched += this.batch.write(text, this.batched);
    this.batch[this.batched++] = 0x0a;
    if (!this.scheduled) {
      this.scheduled = true;
      this.scheduleFlush();
    }
  }

  private write1(text: string): void {
    this.writeBytes(Buffer.from(`${text}\n`), true);
  }

  /** `owned`: the bytes may be kept; else they are copied before being queued. */
  private writeBytes(bytes: Buffer, owned: boolean): void {
    try {
      const out = process.stdout as Stdout;
      if (this.queued === 0 && this.handed === undefined && out.writableLength === 0 && typeof out.fd === 'number') {
        const n = tryWrite(out.fd, bytes);
        if (n < bytes.length) this.handOff(owned ? bytes.subarray(n) : Buffer.from(bytes.subarray(n)));
      } else if (this.queued > MAX_QUEUED_BYTES) {
        this.onWarning('stdout-behind', `stdout is not being read; log lines are dropped while ${MAX_QUEUED_BYTES} bytes wait.`);
      } else {
        const line = owned ? bytes : Buffer.from(bytes);
        this.queue.push(line);
        this.queued += line.length;
        this.pump();
      }
    } catch {
      // stdout is gone: nothing to write to
    }
  }

  private handOff(rest: Buffer): void {
    this.handed = rest;
    process.stdout.write(rest, () => {
      this.handed = undefined;
      this.pump();
    });
  }

  private pump(): void {
    if (this.handed !== undefined || this.queued === 0 || this.timer !== undefined) return;
    const out = process.stdout as Stdout;
    if (out.writableLength > 0 || typeof out.fd !== 'number') {
      // The app's own output is queued: ours goes after it.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, 1).unref();
      return;
    }
    const chunk = this.take();
    const n = tryWrite(out.fd, chunk);
    if (n < chunk.length) this.handOff(chunk.subarray(n));
  }

  private take(): Buffer {
    const chunk = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
    this.queue = [];
    this.queued = 0;
    return chunk;
  }

  /** On exit: the unwritten end of the handed-off part, then the queue, blocking. */
  flushSync(): void {
    this.flushPending();
    const fd = (process.stdout as Stdout).fd;
    if (typeof fd !== 'number') return;
    const parts: Buffer[] = [];
    if (this.handed !== undefined) {
      const left = (process.stdout as Stdout)._handle?.writeQueueSize;
      const n = typeof left === 'number' ? Math.min(left, this.handed.length) : this.handed.length;
      if (n > 0) parts.push(this.handed.subarray(this.handed.length - n));
    }
    if (this.queued > 0) parts.push(this.take());
    let buf = Buffer.concat(parts);
    const deadline = Date.now() + EXIT_WAIT_MS;
    try {
      while (buf.length > 0 && Date.now() < deadline) {
        const n = tryWrite(fd, buf);
        if (n === 0) Atomics.wait(sleeper, 0, 0, 1);
        buf = buf.subarray(n);
      }
    } catch {
      // stdout closed while exiting
    }
  }

  /** Resolves once nothing waits in the queue (the caller bounds the wait). */
  async drain(): Promise<void> {
    this.flushPending();
    while (this.queued > 0 || this.handed !== undefined) await new Promise((r) => setTimeout(r, 5).unref());
  }
}

type Ctor = new (format: Format, writer: StdoutWriter) => TransportStream;
let StdoutTransport: Ctor | undefined;

/** The winston transport that writes formatted records through `writer`. */
export function createConsoleTransport(format: Format, writer: StdoutWriter): TransportStream {
  return new (consoleClass())(format, writer);
}

function consoleClass(): Ctor {
  if (StdoutTransport) return StdoutTransport;
  // winston re-exports winston-transport's base class as winston.Transport.
  const { Transport } = require('winston') as { Transport: typeof TransportStream };

  class Console extends Transport {
    constructor(format: Format, private readonly writer: StdoutWriter) {
      super({ format });
    }

    override log(info: Record<string | symbol, unknown>, callback?: () => void): void {
      this.writer.line(String(info[MESSAGE]));
      callback?.();
    }
  }

  StdoutTransport = Console as unknown as Ctor;
  return StdoutTransport;
}
