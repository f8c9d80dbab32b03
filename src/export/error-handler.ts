/**
 * The SDK reports export failures through OpenTelemetry's global error handler, whose
 * default prints the whole error object on every failed batch — with a collector down,
 * a line (or a stack) every second. otelkit's handler prints one warning per kind of
 * failure, then at most one summary per minute with how many were suppressed.
 */
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { componentLogger } from '../diag';

const log = componentLogger('otelkit:export');
const WINDOW_MS = 60_000;
const MAX_KINDS = 100;

interface Seen {
  until: number;
  suppressed: number;
}

function describe(err: unknown): { key: string; text: string } {
  if (err instanceof Error || (typeof err === 'object' && err !== null)) {
    const e = err as { code?: unknown; message?: unknown; name?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(err);
    const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : '';
    return { key: code || message.slice(0, 80), text: code && !message.includes(code) ? `${code}: ${message}` : message };
  }
  return { key: String(err).slice(0, 80), text: String(err) };
}

export function installExportErrorHandler(now: () => number = Date.now): void {
  const seen = new Map<string, Seen>();
  setGlobalErrorHandler((err) => {
    const { key, text } = describe(err);
    const t = now();
    const entry = seen.get(key);
    if (entry && t < entry.until) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    if (!entry && seen.size >= MAX_KINDS) seen.clear();
    seen.set(key, { until: t + WINDOW_MS, suppressed: 0 });
    const tail = suppressed > 0 ? ` (${suppressed} more like it in the last minute)` : '';
    log.warn(`telemetry export failed: ${text.split('\n')[0].slice(0, 300)}${tail}; the application is unaffected.`);
  });
}
