/**
 * trackQueryTime(name, fn, { thresholdMs }): times a query that no instrumentation sees
 * (a driver otelkit does not instrument, a stored procedure behind an RPC, …). It runs fn
 * inside an `otelkit` span named after `name` normalised (so APM statistics include it; SQL
 * passed as the name keeps its shape, not its values) and, when the call took thresholdMs
 * or longer, records a slow query whose statement is `name` normalised.
 * fn's result is returned as is (a promise's value as is); its error is rethrown unchanged.
 * Without a running otelkit it only calls fn.
 */
import { context, isSpanContextValid, trace, SpanStatusCode, type Span } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { getRequestId } from '../requests/request-id';
import { reportError } from '../guard';
import { normalizeStatement, scrubMessage, withhold, type Normalized } from './normalize';
import { isRejection } from './rejected';
import type { SlowQueryInput } from './slow-queries';

export interface TrackQueryOptions {
  /** Record a slow query at or over this many milliseconds (default OTELKIT_SLOW_QUERY_MS). */
  readonly thresholdMs?: number;
  /** db.system.name to report (default null). */
  readonly dbSystem?: string;
  /** Database name to report (default null). */
  readonly dbName?: string;
}

export interface QuerySink {
  readonly defaultThresholdMs: number;
  record(q: SlowQueryInput): void;
}

const kSink = Symbol.for('otelkit.db.querySink');
type Global = typeof globalThis & { [kSink]?: QuerySink };

export function setQuerySink(sink: QuerySink | undefined): void {
  (globalThis as Global)[kSink] = sink;
}

/** Longest span name made from a query name; the statement itself is kept whole in the attribute. */
const MAX_NAME = 120;
const QUERY_NAME = 'otelkit.query.name';

export function trackQueryTime<T>(name: string, fn: () => T, options: TrackQueryOptions = {}): T {
  const label = typeof name === 'string' && name !== '' ? name : 'query';
  let span: Span | undefined;
  let start = 0;
  let requestId: string | undefined;
  let n: Normalized | undefined;
  try {
    requestId = getRequestId();
    n = normalizeStatement(label, options.dbSystem);
    span = trace.getTracer('otelkit').startSpan(spanName(n), { attributes: { [QUERY_NAME]: n.statement } });
    start = performance.now();
  } catch (err) {
    reportError('trackQueryTime', err);
  }
  if (span === undefined) return fn();
  const done = (error: unknown, failed: boolean) => finish(span!, n!, label, performance.now() - start, options, requestId, error, failed);
  let result: T;
  try {
    result = context.with(trace.setSpan(context.active(), span), fn);
  } catch (err) {
    done(err, true);
    throw err;
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        done(undefined, false);
        return value;
      },
      (err: unknown) => {
        done(err, true);
        throw err;
      },
    ) as T;
  }
  done(undefined, false);
  return result;
}

function spanName(n: Normalized): string {
  return n.statement.length > MAX_NAME ? `${n.statement.slice(0, MAX_NAME - 1)}…` : n.statement;
}

function finish(span: Span, shape: Normalized, name: string, ms: number, options: TrackQueryOptions, requestId: string | undefined, error: unknown, failed: boolean): void {
  try {
    let n = shape;
    const message = failed ? scrubMessage(error instanceof Error ? error.message : String(error)) : undefined;
    if (failed) {
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      // The database refused the text: its shape cannot be trusted either.
      if (isRejection(error)) {
        n = withhold(n, 'rejected by the database');
        span.updateName(spanName(n));
        span.setAttribute(QUERY_NAME, n.statement);
      }
    }
    span.end();
    const sink = (globalThis as Global)[kSink];
    if (sink === undefined) return;
    const threshold = typeof options.thresholdMs === 'number' && options.thresholdMs >= 0 ? options.thresholdMs : sink.defaultThresholdMs;
    if (ms < threshold) return;
    const { traceId, spanId } = span.spanContext();
    const sampled = isSpanContextValid(span.spanContext());
    sink.record({
      time: Date.now(),
      durationMs: ms,
      statement: n.statement,
      fingerprint: n.fingerprint,
      dbSystem: options.dbSystem ?? null,
      dbName: options.dbName ?? null,
      operation: n.operation !== 'OTHER' || /\s/.test(name) || !/^[\w.:-]{1,64}$/.test(n.statement) ? n.operation : n.statement,
      traceId: sampled ? traceId : null,
      spanId: sampled ? spanId : null,
      requestId: requestId ?? null,
      error: message,
    });
  } catch (err) {
    reportError('trackQueryTime', err);
  }
}
