/**
 * The HTTP access line: one per finished request, at level `http`, with method, route,
 * status, duration_ms and the request's ids. The caller decides at configure time
 * whether it runs at all (OTELKIT_ACCESS_LOG and a level that lets `http` through).
 */
import type { Logger } from 'winston';
import type { ResponseInfo } from '../requests/http-server';

export function createAccessLog(logger: Logger): (info: ResponseInfo) => void {
  return (info) => {
    const ms = Math.round(info.durationMs * 100) / 100;
    logger.log({
      level: 'http',
      message: `${info.method} ${info.route ?? '-'} ${info.status} ${ms}ms`,
      component: 'http',
      method: info.method,
      route: info.route,
      status: info.status,
      duration_ms: ms,
      request_id: info.requestId,
      trace_id: info.traceId,
      span_id: info.spanId,
    });
  };
}

/** Would a logger at `level` write lines of level `http`? (npm levels) */
export function httpLevelEnabled(level: string): boolean {
  const order = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];
  return order.indexOf(level) >= order.indexOf('http');
}
