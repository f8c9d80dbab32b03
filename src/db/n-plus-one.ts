/**
 * N+1 detection: database calls are grouped by the request (the HTTP server span) they
 * run in; when that span ends, a fingerprint seen at least `minRepeats` times becomes a
 * detection. In-flight tracking is bounded: at most MAX_REQUESTS requests (the oldest is
 * dropped), MAX_PER_REQUEST fingerprints each, and requests older than MAX_AGE_MS are
 * forgotten.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Ring } from './ring';
import { roundMs } from '../apm/sketch';
import type { Normalized } from './normalize';

export interface Detection {
  route: string;
  fingerprint: string;
  statement: string;
  count: number;
  total_ms: number;
  request_id: string | null;
  trace_id: string;
  timestamp: string;
}

export const MAX_REQUESTS = 1000;
export const MAX_PER_REQUEST = 200;
export const MAX_AGE_MS = 5 * 60_000;
export const MAX_DETECTIONS = 200;

interface Repeat {
  readonly statement: string;
  count: number;
  totalMs: number;
}

class Track {
  readonly repeats = new Map<string, Repeat>();
  constructor(readonly startedAt: number, readonly requestId: string | null, readonly traceId: string) {}
}

export interface NPlusOneOptions {
  readonly minRepeats: number;
  /** Called once per detection (metric, one log line per route and fingerprint). */
  readonly onDetect?: (detection: Detection) => void;
}

export class NPlusOneDetector {
  private readonly tracks = new Map<string, Track>();
  private readonly detections = new Ring<Detection>(MAX_DETECTIONS);
  /** Requests whose tracking was dropped (cap or age). */
  dropped = 0;

  constructor(private readonly options: NPlusOneOptions) {}

  get minRepeats(): number {
    return this.options.minRepeats;
  }

  /** One database call finished inside the request whose server span is `serverSpanId`. */
  add(serverSpanId: string, n: Normalized, ms: number, requestId: string | null, traceId: string): void {
    let track = this.tracks.get(serverSpanId);
    if (track === undefined) {
      const now = Date.now();
      this.prune(now);
      track = new Track(now, requestId, traceId);
      this.tracks.set(serverSpanId, track);
    }
    const repeat = track.repeats.get(n.fingerprint);
    if (repeat !== undefined) {
      repeat.count++;
      repeat.totalMs += ms;
    } else if (track.repeats.size < MAX_PER_REQUEST) {
      track.repeats.set(n.fingerprint, { statement: n.statement, count: 1, totalMs: ms });
    }
  }

  /** A server span ended: evaluate and forget its request. */
  endRequest(span: ReadableSpan): void {
    if (this.tracks.size === 0) return;
    const id = span.spanContext().spanId;
    const track = this.tracks.get(id);
    if (track === undefined) return;
    this.tracks.delete(id);
    const min = this.options.minRepeats;
    let route: string | undefined;
    for (const [fingerprint, r] of track.repeats) {
      if (r.count < min) continue;
      route ??= routeOf(span);
      const detection: Detection = {
        route,
        fingerprint,
        statement: r.statement,
        count: r.count,
        total_ms: roundMs(r.totalMs),
        request_id: track.requestId,
        trace_id: track.traceId,
        timestamp: new Date().toISOString(),
      };
      this.detections.push(detection);
      this.options.onDetect?.(detection);
    }
  }

  list(limit?: number): Detection[] {
    return this.detections.newest(limit);
  }

  /** Several processes' detections as one list (the newest MAX_DETECTIONS, newest first). */
  static merged(minRepeats: number, lists: readonly (readonly Detection[])[]): NPlusOneDetector {
    const out = new NPlusOneDetector({ minRepeats });
    const all = lists.flat().sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    for (const d of all.slice(-MAX_DETECTIONS)) out.detections.push(d);
    return out;
  }

  get inFlight(): number {
    return this.tracks.size;
  }

  clear(): void {
    this.detections.clear();
  }

  private prune(now: number): void {
    for (const [id, track] of this.tracks) {
      if (this.tracks.size < MAX_REQUESTS && now - track.startedAt < MAX_AGE_MS) break;
      this.tracks.delete(id);
      this.dropped++;
    }
  }
}

function routeOf(span: ReadableSpan): string {
  const route = span.attributes['http.route'];
  return typeof route === 'string' ? route : span.name;
}
