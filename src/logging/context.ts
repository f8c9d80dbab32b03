/**
 * The request and trace a log line belongs to, read from the active OpenTelemetry context
 * at the moment the line is logged — not when winston formats it, which can happen later
 * when a transport applies backpressure.
 */
import { context, isSpanContextValid, trace, type Context } from '@opentelemetry/api';
import type { Logger } from 'winston';
import { getRequestId } from '../requests/request-id';

export interface LineIds {
  readonly request_id?: string;
  readonly trace_id?: string;
  readonly span_id?: string;
}

/** Where the ids captured at call time travel on the info object. */
export const kIds = Symbol('otelkit.log.ids');
/** The context the OpenTelemetry winston transport exports a record in (its own key). */
export const kOtelContext = Symbol.for('opentelemetry.js.contrib.winston.context');
const kLevel = Symbol.for('level');

export function captureIds(ctx: Context = context.active()): LineIds | undefined {
  const requestId = getRequestId(ctx);
  const spanContext = trace.getSpanContext(ctx);
  const valid = spanContext !== undefined && isSpanContextValid(spanContext);
  if (requestId === undefined && !valid) return undefined;
  return valid
    ? { request_id: requestId, trace_id: spanContext.traceId, span_id: spanContext.spanId }
    : { request_id: requestId };
}

type Info = Record<string | symbol, unknown>;
type Write = (this: Logger, info: Info) => boolean;

/**
 * Overrides write() on this logger instance (children made with child() write through it):
 * lines below the level are dropped before any formatting work, the others get the ids.
 */
export function installContextCapture(logger: Logger): void {
  const original = logger.write as unknown as Write;
  const write: Write = function write(this: Logger, info: Info): boolean {
    if (info !== null && typeof info === 'object') {
      const value = this.levels[(info[kLevel] ?? info.level) as string];
      if (value !== undefined && value > ((this as Logger & { getHighestLogLevel?(): number | null }).getHighestLogLevel?.() ?? Infinity)) return true;
      const ctx = context.active();
      const ids = captureIds(ctx);
      if (ids !== undefined) {
        info[kIds] = ids;
        info[kOtelContext] ??= ctx;
      }
    }
    return original.call(this, info);
  };
  Object.defineProperty(logger, 'write', { value: write, writable: true, configurable: true });
}
