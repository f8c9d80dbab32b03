/**
 * LOG_FILE: JSON lines in a file rotated by size and by day, old files gzipped and removed
 * after LOG_MAX_FILES, by winston-daily-rotate-file (on file-stream-rotator).
 *
 * LOG_FILE=/var/log/app.log writes /var/log/app-YYYY-MM-DD.log, then app-YYYY-MM-DD.1.log,
 * .2.log… at each LOG_MAX_SIZE; rotated files become .log.gz; /var/log/app.log is kept as a
 * symbolic link to the current file (unless a regular file already has that name).
 *
 * Around the library (archiving and retention fixes: file-archive.ts):
 * - it never throws into the app or emits an unhandled 'error' (file-stream-rotator
 *   re-emits write errors on an emitter nobody listens to, which would kill the process):
 *   a write failure calls onFailure once, and the logger drops this transport;
 * - lines of one tick go to the library as one write (its per-write cost, a date
 *   formatted with moment, is paid once per batch): a file can exceed LOG_MAX_SIZE by
 *   up to one batch (64 KB);
 * - memory is bounded: past MAX_PENDING_BYTES not yet on disk, lines are dropped and counted;
 * - on process 'exit' what is still in memory is appended synchronously (FileTracker).
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import type TransportStream from 'winston-transport';
import type { Format } from 'logform';
import { FileTracker } from './file-tracker';
import { Archiver, auditedNames, tidyArchives } from './file-archive';

const MESSAGE = Symbol.for('message');
const MAX_PENDING_BYTES = 32 * 1024 * 1024;
/** A batch is handed over at the end of the tick, or sooner once this long. */
const BATCH_CHARS = 64 * 1024;

export interface FileTransportOptions {
  readonly file: string;
  readonly maxSizeBytes: number;
  /** '30d' (age) or '10' (count), as winston-daily-rotate-file takes it. */
  readonly maxFiles: string;
  readonly zip: boolean;
  readonly format: Format;
  /** Writing to the file is impossible; the caller removes the transport. Called once. */
  readonly onFailure: (err: Error) => void;
  /** Something worth one warning that does not stop file logging (archiving, dropped lines). */
  readonly onWarning: (key: string, message: string) => void;
}

export interface FileTransport extends TransportStream {
  readonly file: string;
  log(info: Record<string | symbol, unknown>, callback?: () => void): void;
  drain(): Promise<void>;
  close(): void;
}

/** The file transport, or the error that made it impossible (bad path, no permission). */
export function createFileTransport(options: FileTransportOptions): FileTransport | Error {
  try {
    return new (rotatingFileClass())(options);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

type DailyRotateFileClass = typeof import('winston-daily-rotate-file');
type Ctor = new (options: FileTransportOptions) => FileTransport;
let RotatingFile: Ctor | undefined;

function rotatingFileClass(): Ctor {
  if (RotatingFile) return RotatingFile;
  const DailyRotateFile = require('winston-daily-rotate-file') as DailyRotateFileClass;

  class RotatingFileTransport extends DailyRotateFile implements FileTransport {
    readonly file: string;
    private readonly tracker: FileTracker;
    private readonly hooks: FileTransportOptions;
    private failed = false;
    private dropped = 0;
    private batch = '';
    private batchLines = 0;
    private scheduled = false;
    private readonly flushOnExit: () => void;
    private readonly archiver: Archiver;

    constructor(options: FileTransportOptions) {
      const file = resolve(options.file);
      const dir = dirname(file);
      const ext = extname(file);
      const tracker = new FileTracker();
      const auditFile = join(dir, `.${basename(file)}-audit.json`);
      const audited = auditedNames(auditFile);
      super({
        filename: join(dir, `${basename(file, ext)}-%DATE%`),
        extension: ext,
        datePattern: 'YYYY-MM-DD',
        maxSize: options.maxSizeBytes as unknown as string,
        maxFiles: options.maxFiles,
        zippedArchive: options.zip,
        auditFile,
        createSymlink: true,
        symlinkName: basename(file),
        format: options.format,
        options: { flags: 'a', fs: tracker.fs },
      });
      this.file = file;
      this.tracker = tracker;
      this.hooks = options;
      const stream = this.logStream as unknown as NodeJS.EventEmitter & { auditLog?: { files?: Array<{ name: string }> } };
      const first = stream.auditLog?.files?.at(-1)?.name;
      if (first) tracker.use(first);
      stream.on('new', (path: string) => tracker.use(path));
      stream.on('error', (err: Error) => this.fail(err));
      this.archiver = new Archiver(stream, tracker, options.zip);
      tidyArchives(audited, stream);
      this.flushOnExit = () => {
        this.submit();
        tracker.flushSync();
      };
      process.on('exit', this.flushOnExit);
    }

    /** Lines of the current tick are gathered and handed to the library in one write. */
    override log(info: Record<string | symbol, unknown>, callback?: () => void): void {
      if (!this.failed) {
        this.batch += `${String(info[MESSAGE])}\n`;
        this.batchLines++;
        if (this.batch.length >= BATCH_CHARS) this.submit();
        else if (!this.scheduled) {
          this.scheduled = true;
          queueMicrotask(this.submitLater);
        }
      }
      callback?.();
    }

    private readonly submitLater = () => {
      this.scheduled = false;
      this.submit();
    };

    private submit(): void {
      if (this.batch === '' || this.failed) return;
      const text = this.batch;
      const lines = this.batchLines;
      this.batch = '';
      this.batchLines = 0;
      try {
        if (this.tracker.pendingBytes > MAX_PENDING_BYTES) {
          this.dropped += lines;
          this.hooks.onWarning('file-behind', `log file ${this.file} cannot keep up; lines are dropped while ${MAX_PENDING_BYTES} bytes wait to be written.`);
          return;
        }
        const buf = Buffer.from(text);
        (this.logStream as unknown as { write(b: Buffer): void }).write(buf);
        this.tracker.enqueue(buf);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
      }
    }

    /** The library reports archive problems as 'error' on this stream; an unhandled one
     * would kill the process and a handled one would unpipe the transport. */
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      this.archiver?.settled(event, args[0]);
      if (event === 'error') {
        const err = args[0] as NodeJS.ErrnoException | undefined;
        // A rotated file retention removed meanwhile: nothing is missing.
        if (err?.code === 'ENOENT') return true;
        this.hooks.onWarning('file-archive', `log file ${this.file}: ${err?.message ?? String(err)}`);
        return true;
      }
      return super.emit(event, ...args);
    }

    /** Everything written, and compressions under way finished. */
    async drain(): Promise<void> {
      this.submit();
      await this.tracker.drain();
      await this.archiver.idle();
      if (this.dropped > 0) this.hooks.onWarning('file-dropped', `log file ${this.file}: ${this.dropped} lines were dropped because the disk could not keep up.`);
    }

    override close(): void {
      process.removeListener('exit', this.flushOnExit);
      try {
        super.close?.();
      } catch {
        // already closed
      }
    }

    private fail(err: Error): void {
      if (this.failed) return;
      this.failed = true;
      this.hooks.onFailure(err);
    }
  }

  RotatingFile = RotatingFileTransport as unknown as Ctor;
  return RotatingFile;
}
