/**
 * Archiving and retention around winston-daily-rotate-file, where the library alone loses
 * data or leaves files behind:
 *
 * - It gzips (then deletes) a rotated file the moment the rotation happens, while the last
 *   writes to it may still be queued: those lines were lost, and a file rotated before it
 *   was even opened stayed uncompressed for ever. Its 'rotate' listeners run here once the
 *   old file is complete and closed; a file retention removed meanwhile is deleted rather
 *   than compressed into an orphan.
 * - Retention applied while the transport is being constructed (a restart after the
 *   files aged) deletes the plain files but not their .gz: those are deleted here. A .gz
 *   next to its plain file is what an interrupted compression (process.exit) left: the
 *   plain file is complete, the truncated .gz is deleted.
 * - Shutdown waits for compressions under way, so no half-written .gz is left behind.
 */
import { existsSync, readFileSync, unlink, unlinkSync } from 'node:fs';
import type { FileTracker } from './file-tracker';

type RotateListener = (oldFile: string, newFile: string) => void;

interface Audited {
  readonly auditLog?: { files?: Array<{ name: string }> };
}

/** Names the audit file lists now (before the library reads and prunes it). */
export function auditedNames(auditFile: string): string[] {
  try {
    const audit = JSON.parse(readFileSync(auditFile, 'utf8')) as { files?: Array<{ name?: unknown }> };
    return (audit.files ?? []).flatMap((f) => (typeof f.name === 'string' ? [f.name] : []));
  } catch {
    return [];
  }
}

/** At start: deletes archives of files retention dropped, and truncated archives. */
export function tidyArchives(before: readonly string[], stream: Audited): void {
  const kept = new Set((stream.auditLog?.files ?? []).map((f) => f.name));
  for (const name of before) {
    if (kept.has(name) && !existsSync(name)) continue;
    try {
      unlinkSync(`${name}.gz`);
    } catch {
      // never archived, or already gone
    }
  }
}

export class Archiver {
  private readonly archiving = new Set<string>();
  private readonly removed = new Set<string>();
  private waiters: Array<() => void> = [];

  constructor(stream: NodeJS.EventEmitter, tracker: FileTracker, private readonly zip: boolean) {
    const library = stream.listeners('rotate') as RotateListener[];
    stream.removeAllListeners('rotate');
    stream.on('logRemoved', (params: { name?: unknown }) => {
      if (typeof params?.name !== 'string') return;
      this.removed.add(params.name);
      if (this.removed.size > 1000) this.removed.delete(this.removed.values().next().value as string);
    });
    stream.on('rotate', (oldFile: string, newFile: string) => {
      tracker.whenClosed(oldFile, () => {
        if (this.removed.has(oldFile)) {
          unlink(oldFile, () => undefined);
          return;
        }
        if (this.zip && existsSync(oldFile) && !existsSync(`${oldFile}.gz`)) this.archiving.add(oldFile);
        for (const listener of library) listener.call(stream, oldFile, newFile);
      });
    });
  }

  /**
   * The library reports the end of a compression ('archive') or its failure ('error').
   * A .gz whose file retention removed meanwhile, or whose compression failed (its source
   * vanished, the disk filled), is deleted: it would be an orphan, or truncated.
   */
  settled(event: string | symbol, arg: unknown): void {
    if (this.archiving.size === 0) return;
    if (event === 'archive' && typeof arg === 'string') {
      const file = arg.replace(/\.gz$/, '');
      this.archiving.delete(file);
      if (this.removed.has(file)) unlink(arg, () => undefined);
    }
    if (event === 'error') {
      const text = arg instanceof Error ? arg.message : String(arg);
      for (const file of this.archiving) {
        if (!text.includes(file)) continue;
        this.archiving.delete(file);
        unlink(`${file}.gz`, () => undefined);
      }
    }
    if (this.archiving.size === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves when no compression is under way. */
  idle(): Promise<void> {
    if (this.archiving.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
