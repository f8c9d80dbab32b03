/**
 * Recent failures grouped by fingerprint (type + top frame, or type + operation when
 * there is no stack): count, first and last seen, and the latest occurrence's message,
 * route, request id and trace id. Bounded: at most `capacity` fingerprints, the least
 * recently seen one dropped for a new one (a Map keeps them in order of last occurrence,
 * so an occurrence costs one delete and one set).
 *
 * An exception on a span inside a request (a query, a traced function) does not know its
 * route and request id; it waits for the request's server span, matched by trace id, in a
 * bounded table (MAX_PENDING traces, the oldest dropped).
 */
import { createHash } from 'node:crypto';
import type { Occurrence } from './occurrence';

export const MAX_ERRORS = 100;
export const MAX_PENDING = 256;
/** Entries one trace may wait with. */
const MAX_PENDING_PER_TRACE = 8;

export interface ErrorJson {
  fingerprint: string;
  type: string;
  message: string;
  top_frame: string | null;
  count: number;
  first_seen: string;
  last_seen: string;
  route?: string;
  request_id: string | null;
  trace_id: string;
}

class Entry {
  count = 0;
  message = '';
  lastSeen = 0;
  route: string | undefined;
  requestId: string | null = null;
  traceId = '';

  constructor(readonly fingerprint: string, readonly type: string, readonly topFrame: string | null, readonly firstSeen: number) {}

  toJson(): ErrorJson {
    const out: ErrorJson = {
      fingerprint: this.fingerprint,
      type: this.type,
      message: this.message,
      top_frame: this.topFrame,
      count: this.count,
      first_seen: new Date(this.firstSeen).toISOString(),
      last_seen: new Date(this.lastSeen).toISOString(),
      request_id: this.requestId,
      trace_id: this.traceId,
    };
    if (this.route !== undefined) out.route = this.route;
    return out;
  }
}

/** Where an occurrence happened, as far as the span that carries it knows. */
export interface Where {
  /** The span's operation: groups failures without a stack. */
  readonly operation: string;
  readonly traceId: string;
  readonly route?: string;
  readonly requestId?: string | null;
}

export class ErrorStore {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Entry[]>();
  /** Fingerprints dropped to make room for newer ones. */
  evicted = 0;

  constructor(readonly capacity = MAX_ERRORS) {}

  /** Records one occurrence. */
  record(o: Occurrence, where: Where, now = Date.now()): void {
    const key = `${o.type}\n${o.topFrame ?? where.operation}`;
    let entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
    } else {
      if (this.entries.size >= this.capacity) this.evictOldest();
      entry = new Entry(fingerprintOf(key), o.type, o.topFrame, now);
    }
    this.entries.set(key, entry);
    entry.count++;
    entry.message = o.message;
    entry.lastSeen = now;
    entry.traceId = where.traceId;
    entry.route = where.route;
    entry.requestId = where.requestId ?? null;
    if (where.route === undefined && where.requestId === undefined) this.await(where.traceId, entry);
  }

  /** A request's server span ended: entries of its trace learn their route and request id. */
  requestEnded(traceId: string, route: string | undefined, requestId: string | null): void {
    if (this.pending.size === 0) return;
    const waiting = this.pending.get(traceId);
    if (waiting === undefined) return;
    this.pending.delete(traceId);
    for (const entry of waiting) {
      if (entry.traceId !== traceId) continue; // a newer occurrence replaced this one's sample
      entry.route = route;
      entry.requestId = requestId;
    }
  }

  /** Up to `limit` entries, the most recently seen first. */
  list(limit: number): ErrorJson[] {
    const all = [...this.entries.values()];
    const out: ErrorJson[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) out.push(all[i].toJson());
    return out;
  }

  get size(): number {
    return this.entries.size;
  }

  get waiting(): number {
    return this.pending.size;
  }

  clear(): void {
    this.entries.clear();
    this.pending.clear();
  }

  private await(traceId: string, entry: Entry): void {
    const waiting = this.pending.get(traceId);
    if (waiting !== undefined) {
      if (waiting.length < MAX_PENDING_PER_TRACE && !waiting.includes(entry)) waiting.push(entry);
      return;
    }
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    this.pending.set(traceId, [entry]);
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next().value as string;
    this.entries.delete(oldest);
    this.evicted++;
  }
}

/** 16 hex digits naming the group (stable across processes and restarts). */
export function fingerprintOf(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 16);
}
