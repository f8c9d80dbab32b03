/**
 * Log line shapes. prepareFormat runs once per line for every transport (console, file,
 * OTLP): it builds a fresh, ordered, redacted record — timestamp, level, message, service,
 * component, request_id, trace_id, span_id, the caller's fields, error — so no transport
 * ever sees a raw secret or the caller's own objects. jsonFormat and textFormat only
 * render that record.
 */
import type { Format } from 'logform';
import { cleanField, errorToObject, isDatabaseRejection, redactString, sanitize } from './redact';
import { kIds, kOtelContext, type LineIds } from './context';

const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
const SPLAT = Symbol.for('splat');

type Info = Record<string | symbol, unknown>;

/** Fields otelkit fills; a caller's field of the same name does not replace them. */
/** Shared by the per-transport copies of a line: its JSON is rendered once. */
const kRendered = Symbol('otelkit.log.rendered');

const OWN = new Set(['timestamp', 'level', 'message', 'service']);
const IDS = ['request_id', 'trace_id', 'span_id'] as const;

function format(transform: (info: Info) => Info | false): Format {
  return { transform: transform as unknown as Format['transform'] };
}

export function prepareFormat(service: string): Format {
  return format((info) => prepare(info, service));
}

export function prepare(info: Info, service: string): Info {
  const level = String(info[LEVEL] ?? info.level);
  const out: Info = { timestamp: new Date().toISOString(), level, message: '', service };
  out[LEVEL] = level;
  out[kRendered] = {};
  if (info[kOtelContext] !== undefined) out[kOtelContext] = info[kOtelContext];

  let error: Record<string, unknown> | undefined;
  let message: unknown = info.message;
  const isErrorInfo = info instanceof Error;
  let source: Error | undefined;
  if (isErrorInfo) {
    source = info;
  } else if (message instanceof Error) {
    source = message;
    message = message.message;
  } else {
    const splat = info[SPLAT];
    if (Array.isArray(splat) && splat[0] instanceof Error) source = splat[0];
  }
  if (source !== undefined) error = errorToObject(source);
  // winston copies an error's own fields (mysql2's `sql`) onto the line: same rules as in `error`.
  const rejected = source !== undefined && isDatabaseRejection(source);
  out.message = typeof message === 'string' ? redactString(message) : stringify(sanitize(message));

  if (typeof info.component === 'string') out.component = redactString(info.component);
  const ids = info[kIds] as LineIds | undefined;
  for (const key of IDS) {
    const value = info[key] ?? ids?.[key];
    if (typeof value === 'string') out[key] = redactString(value);
  }

  const seen = new Set<object>([info as object]);
  for (const key of Object.keys(info)) {
    if (OWN.has(key) || key === 'component' || (IDS as readonly string[]).includes(key) || key in out) continue;
    // winston copies an Error argument's stack and cause onto the line; `error` has them.
    if (error !== undefined && (key === 'stack' || key === 'cause' || (isErrorInfo && key === 'name'))) continue;
    const value = info[key];
    const clean = cleanField(key, value, seen, 1, rejected);
    if (clean !== undefined) out[key] = clean;
  }
  if (error !== undefined) out.error = error;
  return out;
}

function stringify(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One JSON object per line. */
export function jsonFormat(): Format {
  return format((info) => {
    const rendered = info[kRendered] as { json?: string } | undefined;
    if (rendered === undefined) info[MESSAGE] = safeJson(info);
    else info[MESSAGE] = rendered.json ??= safeJson(info);
    return info;
  });
}

function safeJson(info: Info): string {
  try {
    return JSON.stringify(info);
  } catch {
    return JSON.stringify({ timestamp: info.timestamp, level: info.level, message: String(info.message), service: info.service });
  }
}

/** For the OpenTelemetry transport: the record's own timestamp and resource say these. */
export function otlpFormat(): Format {
  return format((info) => {
    delete info.timestamp;
    delete info.service;
    return info;
  });
}

export const COLOURS: Record<string, string> = {
  error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[32m', http: '\x1b[35m', verbose: '\x1b[36m', debug: '\x1b[34m', silly: '\x1b[90m',
};
export const RESET = '\x1b[0m';
const HIDDEN_IN_TEXT = new Set(['timestamp', 'level', 'message', 'service', 'component', 'error']);

/**
 * Readable text for development: `time level [service:component] message {fields}`, then
 * the stack. One record is one line plus, for an error, its stack frames, each indented:
 * control characters of the message, the names and the stack are escaped as JSON escapes
 * them (`\n`, `\u001b`), so no text can start a line of its own or drive the terminal.
 */
export function textFormat(colour: boolean): Format {
  return format((info) => {
    const level = String(info.level);
    const shown = colour && COLOURS[level] ? `${COLOURS[level]}${level.padEnd(5)}${RESET}` : level.padEnd(5);
    const source = escapeControls(info.component ? `${String(info.service)}:${String(info.component)}` : String(info.service));
    let line = `${String(info.timestamp)} ${shown} [${source}] ${escapeControls(String(info.message))}`;
    const rest: Record<string, unknown> = {};
    let any = false;
    for (const key of Object.keys(info)) {
      if (HIDDEN_IN_TEXT.has(key)) continue;
      rest[key] = info[key];
      any = true;
    }
    if (any) line += ` ${safeJson(rest)}`;
    const error = info.error as { stack?: unknown; name?: unknown; message?: unknown } | undefined;
    if (error) line += `\n${stackText(error)}`;
    info[MESSAGE] = line;
    return info;
  });
}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
const escapeOne = (c: string): string => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The text with its control characters escaped; the same string when it has none. */
export function escapeControls(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, escapeOne) : text;
}

/**
 * An error's stack as lines that cannot pass for log lines: its first line (`Name:
 * message`, where a message's newlines are escaped) and then its frames, each escaped and
 * indented.
 */
function stackText(error: { stack?: unknown; name?: unknown; message?: unknown }): string {
  const head = `${String(error.name)}: ${String(error.message)}`;
  if (typeof error.stack !== 'string') return escapeControls(head);
  // V8 writes the message into the stack as it is: take it as one piece when it is there.
  const frames = error.stack.startsWith(head) ? error.stack.slice(head.length) : `\n${error.stack}`;
  let out = escapeControls(head);
  for (const frame of frames.split('\n')) {
    if (frame === '') continue;
    const clean = escapeControls(frame);
    out += /^\s/.test(frame) ? `\n${clean}` : `\n    ${clean}`;
  }
  return out;
}
