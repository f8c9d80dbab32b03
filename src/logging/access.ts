/**
 * The access line: one per finished request, at OTELKIT_ACCESS_LOG's level (info by
 * default), with method, path, route, status, duration_ms and the request's ids:
 *
 *   GET /users/42 → 200 12.34ms (GET /users/:id)
 *
 * The caller decides at configure time whether it runs at all.
 */
import type { Logger } from 'winston';
import type { ResponseInfo } from '../requests/http-server';

export function createAccessLog(logger: Logger, level: string): (info: ResponseInfo) => void {
  return (info) => {
    const ms = Math.round(info.durationMs * 100) / 100;
    const name = info.route ?? info.template;
    const outcome = info.aborted ? `aborted by the client${info.status ? ` after ${info.status}` : ''}` : String(info.status);
    logger.log({
      level,
      message: `${info.method} ${info.path} → ${outcome} ${ms}ms${name !== undefined && name !== info.path ? ` (${info.method} ${name})` : ''}`,
      component: 'http',
      method: info.method,
      path: info.path,
      route: info.route ?? info.template,
      status: info.status,
      aborted: info.aborted || undefined,
      duration_ms: ms,
      request_id: info.requestId,
      trace_id: info.traceId,
      span_id: info.spanId,
    });
  };
}

const ORDER = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/** Would a logger at `loggerLevel` write lines of `level`? (npm levels) */
export function levelEnabled(loggerLevel: string, level: string): boolean {
  return ORDER.indexOf(loggerLevel) >= ORDER.indexOf(level);
}
