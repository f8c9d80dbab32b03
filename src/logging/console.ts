/**
 * The console transport: each line written to stdout synchronously (as pino's default
 * destination does), so that `logger.error(…); process.exit(1)` loses nothing even when
 * stdout is a pipe or socket — there process.stdout.write() queues in memory once the
 * reader falls behind, and process.exit() drops that queue.
 *
 * Never worse for the host than process.stdout.write():
 * - when stdout already holds queued output of the app's own, the line is queued behind
 *   it with process.stdout.write() (order kept, never spliced into a half-written chunk);
 * - a reader that does not read stalls the app at most MAX_STALL_MS, then lines are queued
 *   with process.stdout.write() until stdout drains, and past MAX_QUEUED_BYTES dropped.
 */
import { writeSync } from 'node:fs';
import type TransportStream from 'winston-transport';
import type { Format } from 'logform';

const MESSAGE = Symbol.for('message');
const MAX_STALL_MS = 250;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export interface ConsoleOptions {
  readonly format: Format;
  readonly onWarning: (key: string, message: string) => void;
}

type Ctor = new (options: ConsoleOptions) => TransportStream;
let StdoutTransport: Ctor | undefined;

export function createConsoleTransport(options: ConsoleOptions): TransportStream {
  return new (consoleClass())(options);
}

function consoleClass(): Ctor {
  if (StdoutTransport) return StdoutTransport;
  // winston re-exports winston-transport's base class as winston.Transport.
  const { Transport } = require('winston') as { Transport: typeof TransportStream };

  class Stdout extends Transport {
    private congested = false;
    private readonly onWarning: ConsoleOptions['onWarning'];

    constructor(options: ConsoleOptions) {
      super({ format: options.format });
      this.onWarning = options.onWarning;
    }

    override log(info: Record<string | symbol, unknown>, callback?: () => void): void {
      try {
        this.write1(Buffer.from(`${String(info[MESSAGE])}\n`));
      } catch {
        // stdout is gone: nothing to write to
      }
      callback?.();
    }

    private write1(buf: Buffer): void {
      const out = process.stdout;
      const fd = (out as { fd?: unknown }).fd;
      if (this.congested && out.writableLength === 0) this.congested = false;
      if (this.congested || out.writableLength > 0 || typeof fd !== 'number') {
        this.queue(buf);
        return;
      }
      let offset = 0;
      const deadline = Date.now() + MAX_STALL_MS;
      while (offset < buf.length) {
        try {
          offset += writeSync(fd, buf, offset, buf.length - offset);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
          if (Date.now() >= deadline) {
            this.congested = true;
            this.queue(buf.subarray(offset));
            return;
          }
          Atomics.wait(sleeper, 0, 0, 1);
        }
      }
    }

    private queue(buf: Buffer): void {
      const out = process.stdout;
      if (out.writableLength > MAX_QUEUED_BYTES) {
        this.onWarning('stdout-behind', `stdout is not being read; log lines are dropped while ${MAX_QUEUED_BYTES} bytes wait.`);
        return;
      }
      out.write(buf);
    }
  }

  StdoutTransport = Stdout as unknown as Ctor;
  return StdoutTransport;
}
