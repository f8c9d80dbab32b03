/**
 * The access line: one per finished request, at OTELKIT_ACCESS_LOG's level (info by
 * default), with method, path, route, status, duration_ms and the request's ids:
 *
 *   GET /users/42 200 12.34ms (GET /users/:id)
 *
 * It is written on every request, so it is rendered here, once, in the record shape and
 * order of every other line (format.ts), and handed to the console and LOG_FILE transports
 * directly: winston's format pipeline cost ~80k instructions per request for this line
 * (docs/ARCHITECTURE.md). Its fields are otelkit's own; the path and the request id pass
 * the same redaction as every sink. It is not an OTLP log record: over OTLP the request is
 * its server span.
 */
import type { ResponseInfo } from '../requests/http-server';
import { redactString } from './redact';
import { COLOURS, escapeControls, RESET } from './format';
import type { LineSink } from './shared';

export function createAccessLog(level: string, service: string, sink: LineSink): (info: ResponseInfo) => void {
  const head = `,"level":${JSON.stringify(level)}`;
  const serviceJson = `,"service":${JSON.stringify(service)},"component":"http"`;
  const shownLevel = sink.colour && COLOURS[level] ? `${COLOURS[level]}${level.padEnd(5)}${RESET}` : level.padEnd(5);
  const source = ` [${escapeControls(service)}:http] `;
  return (info) => {
    const ms = Math.round(info.durationMs * 100) / 100;
    const path = redactString(info.path);
    const name = info.route ?? info.template;
    const outcome = info.aborted ? `aborted by the client${info.status ? ` after ${info.status}` : ''}` : String(info.status);
    // ASCII only: a line with one wider character is stored and encoded as a two-byte string.
    const message = `${info.method} ${path} ${outcome} ${ms}ms${name !== undefined && name !== path ? ` (${info.method} ${name})` : ''}`;
    const timestamp = isoNow();
    // The fields as JSON.stringify would write them; only the strings a client or the app
    // chose need its escaping (ids are hex, the method is one of a fixed set).
    const rest = `{"request_id":${JSON.stringify(redactString(info.requestId))},"trace_id":"${info.traceId}","span_id":"${info.spanId}",`
      + `"method":"${info.method}","path":${JSON.stringify(path)}${name === undefined ? '' : `,"route":${JSON.stringify(name)}`},`
      + `"status":${info.status}${info.aborted ? ',"aborted":true' : ''},"duration_ms":${ms}}`;
    // The JSON line only where it is written: JSON on the console, or LOG_FILE.
    const toFile = sink.toFile;
    const json = sink.json || toFile ? `{"timestamp":"${timestamp}"${head},"message":${JSON.stringify(message)}${serviceJson},${rest.slice(1)}` : '';
    const consoleLine = sink.json ? json : `${timestamp} ${shownLevel}${source}${escapeControls(message)} ${rest}`;
    sink.write(consoleLine, toFile ? json : undefined);
  };
}

/** new Date().toISOString() with the part up to the second formatted once per second. */
let second = -1;
let prefix = '';
function isoNow(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== second) {
    second = s;
    prefix = new Date(s * 1000).toISOString().slice(0, 20);
  }
  const ms = now - s * 1000;
  return `${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

const ORDER = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/** Would a logger at `loggerLevel` write lines of `level`? (npm levels) */
export function levelEnabled(loggerLevel: string, level: string): boolean {
  return ORDER.indexOf(loggerLevel) >= ORDER.indexOf(level);
}
