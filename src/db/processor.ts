/**
 * The first span processor of the chain. For every database client span it
 *   1. as the span ends (onEnding, while it can still be changed), rewrites the statement
 *      attributes (db.query.text, db.statement) to the normalised shape — or to its
 *      operation and table alone when the database rejected the statement (a syntax error
 *      in text built by concatenation: its shape cannot be trusted) — renames the span
 *      when its name was taken from the raw text (names.ts) and scrubs quoted values out
 *      of an error status — before any exporter or later processor sees it;
 *   2. once ended, records a slow query when the call took OTELKIT_SLOW_QUERY_MS or longer;
 *   3. and counts the statement shape against its request for N+1 detection.
 * The request id and the server span are read from the context at span start (the DB
 * span itself carries neither) and kept on the span under a symbol until it ends; a
 * WeakMap entry per span cost ~1 µs to set and more to collect, per query.
 */
import { SpanKind, SpanStatusCode, type Context } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { getRequestId } from '../requests/request-id';
import { reportError } from '../guard';
import { normalizeStatement, scrubMessage, withhold, type Normalized } from './normalize';
import { operationLabel, safeSpanName } from './names';
import { rejectedByDatabase } from './rejected';
import { dbNameOf, dbSystemOf, statementOf, QUERY_TEXT, STATEMENT } from './spans';
import type { SlowQueryInput, SlowQueryStore } from './slow-queries';
import type { NPlusOneDetector } from './n-plus-one';

/** What the processor keeps on a database span from its start to its end. */
interface DbCall {
  readonly requestId: string | undefined;
  /** Span id of the HTTP server span this call runs under. */
  readonly serverSpanId: string | undefined;
  /** The statement's shape, set as the span ends. */
  normalized: Normalized | undefined;
}

const kDbCall = Symbol('otelkit.dbCall');
type Tracked = { [kDbCall]?: DbCall };

export interface DbProcessorOptions {
  readonly thresholdMs: number;
  readonly slow: SlowQueryStore;
  readonly nPlusOne: NPlusOneDetector;
  /** Called per slow query after it is stored (the metric). */
  readonly onSlow?: (q: SlowQueryInput) => void;
}

export class DbSpanProcessor implements SpanProcessor {
  constructor(private readonly options: DbProcessorOptions) {}

  onStart(span: Span, parentContext: Context): void {
    try {
      if (span.kind !== SpanKind.CLIENT) return;
      if (dbSystemOf((span as unknown as ReadableSpan).attributes) === undefined) return;
      const server = getRPCMetadata(parentContext)?.span;
      (span as Tracked)[kDbCall] = { requestId: getRequestId(parentContext), serverSpanId: server?.spanContext().spanId, normalized: undefined };
    } catch (err) {
      reportError('otelkit:db onStart', err);
    }
  }

  onEnding(span: Span): void {
    try {
      const call = (span as Tracked)[kDbCall];
      if (span.kind !== SpanKind.CLIENT || call === undefined) return;
      const system = dbSystemOf(span.attributes);
      if (system === undefined) return;
      const failed = span.status.code === SpanStatusCode.ERROR;
      const rejected = failed && rejectedByDatabase(span);
      if (failed) scrubError(span);
      const raw = statementOf(span.attributes);
      if (raw === undefined) return;
      let n = normalizeStatement(raw, system);
      if (rejected) n = withhold(n, 'rejected by the database');
      call.normalized = n;
      const name = safeSpanName(span.name, raw, n);
      if (name !== undefined) span.updateName(name);
      if (raw === n.statement) return;
      if (typeof span.attributes[QUERY_TEXT] === 'string') span.setAttribute(QUERY_TEXT, n.statement);
      if (typeof span.attributes[STATEMENT] === 'string') span.setAttribute(STATEMENT, n.statement);
    } catch (err) {
      reportError('otelkit:db onEnding', err);
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      const kind = span.kind;
      if (kind === SpanKind.SERVER) this.options.nPlusOne.endRequest(span);
      else if (kind === SpanKind.CLIENT) this.onClientEnd(span);
    } catch (err) {
      reportError('otelkit:db onEnd', err);
    }
  }

  private onClientEnd(span: ReadableSpan): void {
    const call = (span as Tracked)[kDbCall];
    const n = call?.normalized;
    if (call === undefined || n === undefined) return;
    const attrs = span.attributes;
    const system = dbSystemOf(attrs)!;
    const isError = span.status.code === SpanStatusCode.ERROR;

    const d = span.duration;
    const ms = d[0] * 1e3 + d[1] / 1e6;
    const { traceId, spanId } = span.spanContext();
    if (ms >= this.options.thresholdMs) {
      const q: SlowQueryInput = {
        time: Date.now(),
        durationMs: ms,
        statement: n.statement,
        fingerprint: n.fingerprint,
        dbSystem: system,
        dbName: dbNameOf(span.attributes),
        operation: operationLabel(attrs['db.operation.name'], n),
        traceId,
        spanId,
        requestId: call.requestId ?? null,
        error: isError ? errorOf(span) : undefined,
      };
      this.options.slow.record(q);
      this.options.onSlow?.(q);
    }
    if (call.serverSpanId !== undefined) {
      this.options.nPlusOne.add(call.serverSpanId, n, ms, call.requestId ?? null, traceId);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Driver messages can quote the offending value: keep their words, not their values. */
function scrubError(span: Span): void {
  const { code, message } = span.status;
  if (typeof message === 'string' && message !== '') span.setStatus({ code, message: scrubMessage(message) });
  for (const event of span.events) {
    const attrs = event.attributes as Record<string, unknown> | undefined;
    if (attrs === undefined) continue;
    for (const key of ['exception.message', 'exception.stacktrace']) {
      if (typeof attrs[key] === 'string') attrs[key] = scrubMessage(attrs[key] as string);
    }
  }
}

function errorOf(span: ReadableSpan): string {
  const type = span.attributes['error.type'];
  const message = span.status.message;
  if (message) return typeof type === 'string' ? `${type}: ${message}` : message;
  return typeof type === 'string' ? type : 'error';
}
