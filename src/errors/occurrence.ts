/**
 * What one failure looks like in the error store: its type, a message and the top stack
 * frame, made safe with the rules of every other sink (src/logging/redact.ts) and
 * bounded. Messages and stacks are cut to SCAN_LENGTH before redaction (so the regular
 * expressions see a bounded input but never half a secret at the cut that matters), and
 * cut again to their stored length after it.
 */
import { STATUS_CODES } from 'node:http';
import type { Attributes } from '@opentelemetry/api';
import { redactString } from '../logging/redact';

export const MAX_TYPE_LENGTH = 120;
export const MAX_MESSAGE_LENGTH = 500;
export const MAX_FRAME_LENGTH = 300;
/** Longest part of a message or stack trace looked at. */
export const SCAN_LENGTH = 8192;

export interface Occurrence {
  readonly type: string;
  readonly message: string;
  /** `fn (file:line:col)` of the first frame outside Node's internals; null without a stack. */
  readonly topFrame: string | null;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function safe(s: string, max: number): string {
  return cut(redactString(s.length > SCAN_LENGTH ? s.slice(0, SCAN_LENGTH) : s), max);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The failure an `exception` span event describes (OpenTelemetry exception attributes). */
export function exceptionOccurrence(attributes: Attributes | undefined): Occurrence {
  const attrs = attributes ?? {};
  const stack = str(attrs['exception.stacktrace']);
  const frame = stack === undefined ? null : topFrame(stack.length > SCAN_LENGTH ? stack.slice(0, SCAN_LENGTH) : stack);
  return {
    type: safe(str(attrs['exception.type']) ?? 'Error', MAX_TYPE_LENGTH),
    message: safe(str(attrs['exception.message']) ?? '', MAX_MESSAGE_LENGTH),
    topFrame: frame === null ? null : safe(frame, MAX_FRAME_LENGTH),
  };
}

/** A request answered with a 5xx status and no exception on its span. */
export function statusOccurrence(status: number): Occurrence {
  return { type: `HTTP ${status}`, message: STATUS_CODES[status] ?? 'Server error', topFrame: null };
}

const FRAME = /^\s*at\s+(.+?)\s*$/;

/**
 * The first V8 stack frame that is not Node's own (`node:internal/…`), else the first
 * frame; null when the text has none.
 */
export function topFrame(stack: string): string | null {
  let first: string | null = null;
  let start = 0;
  while (start < stack.length) {
    let end = stack.indexOf('\n', start);
    if (end === -1) end = stack.length;
    const m = FRAME.exec(stack.slice(start, end));
    if (m !== null) {
      const frame = m[1];
      if (!/(?:^|\()node:/.test(frame)) return frame;
      first ??= frame;
    }
    start = end + 1;
  }
  return first;
}
