/**
 * Runs one check, whatever it does: a throw, a rejection, a hang (bounded by the health
 * timeout) or a malformed answer become `down` with an error; details are masked and
 * bounded. Probes run with tracing suppressed and outside any request's context, so a
 * health probe never shows up as the application's own database work (APM, slow queries).
 */
import { performance } from 'node:perf_hooks';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { sanitizeDetails, type Masker } from './mask';
import type { CheckResult, CheckStatus } from './types';

export interface CheckDef {
  readonly name: string;
  /** Down means overall down (503) and not ready. */
  readonly critical: boolean;
  /** Report latency_ms (probes of external systems and custom checks). */
  readonly timed: boolean;
  run(): unknown;
}

const STATUSES: ReadonlySet<string> = new Set(['ok', 'warn', 'down', 'not_configured']);

class Timeout extends Error {}

export async function runCheck(def: CheckDef, timeoutMs: number, mask: Masker): Promise<CheckResult> {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 100) / 100;
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = context.with(suppressTracing(ROOT_CONTEXT), () => new Promise<unknown>((resolve) => resolve(def.run())));
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`timed out after ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    work.catch(() => undefined); // a late rejection after the timeout is not unhandled
    const value = await Promise.race([work, deadline]);
    const result = normalize(value, mask);
    return def.timed && result.status !== 'not_configured' ? { ...result, latency_ms: result.latency_ms ?? latency() } : result;
  } catch (err) {
    const error = mask(errorText(err));
    return def.timed ? { status: 'down', latency_ms: latency(), error } : { status: 'down', error };
  } finally {
    clearTimeout(timer);
  }
}

/** true/false, or { status, ...details } → a CheckResult. */
function normalize(value: unknown, mask: Masker): CheckResult {
  if (value === true) return { status: 'ok' };
  if (value === false) return { status: 'down' };
  if (value === null || typeof value !== 'object') return { status: 'down', error: 'check returned neither a boolean nor { status }' };
  const { status, ...rest } = value as { status?: unknown } & Record<string, unknown>;
  if (typeof status !== 'string' || !STATUSES.has(status)) return { status: 'down', error: 'check returned an invalid status' };
  const details = sanitizeDetails(rest, mask);
  if (details === undefined) return { status: status as CheckStatus, details_dropped: 'not serialisable or over 4096 characters' };
  return { status: status as CheckStatus, ...details };
}

/** A one-line, bounded description of an error (AggregateError from a refused dual-stack connect has no message). */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 500);
  const inner = (err as { errors?: unknown[] }).errors;
  const text = err.message || (Array.isArray(inner) && inner[0] instanceof Error ? inner[0].message : '') || (err as { code?: string }).code || err.name;
  return text.slice(0, 500);
}
