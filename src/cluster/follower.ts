/**
 * A follower: a process of the service that does not hold the admin port. It connects to
 * the leader's socket, introduces itself, and answers the leader's requests (a snapshot,
 * its own answer to an admin request, clearing a store). It keeps the last baseline the
 * leader shared: what the service would lose with the leader, adopted as `departed` should
 * this process become the next leader, or handed to whichever process leads next.
 */
import { connect } from 'node:net';
import type { Reply } from '../server/router';
import { createPeer, type Peer } from './peer';
import type { Hello } from './leader';
import { parseSnapshotRequest, takeSnapshot, type Clearable, type LocalSources, type Snapshot } from './snapshot';

const CONNECT_TIMEOUT_MS = 1000;
const CLEARABLE: ReadonlySet<string> = new Set<Clearable>(['apm', 'slow', 'n_plus_one', 'errors']);

export interface Following {
  /** Resolves when the connection to the leader ends. */
  readonly ended: Promise<void>;
  /** The leader's answer for the whole service. */
  forward(request: Readonly<Record<string, unknown>>, timeoutMs: number): Promise<Reply>;
  /** Hands this process's last figures to the leader before it ends. */
  farewell(snapshot: Snapshot): void;
  close(): void;
}

export interface Baseline {
  readonly snapshot: Snapshot;
  readonly count: number;
  /** The service.instance.id of the leader that shared it. */
  readonly from: string;
}

export type JoinResult = { readonly ok: true; readonly following: Following } | { readonly ok: false; readonly reason: string };

/**
 * Connects to the leader at `path`; the result says why not when it could not join.
 * `carried` is the last baseline this process was given (by a leader that went, unless the
 * connection to a live leader broke): handed to the leader joined, which adopts it when it
 * came from another leader and counts more departed processes than its own.
 */
export function join(path: string, hello: Hello, local: LocalSources, onBaseline: (b: Baseline) => void, carried?: Baseline): Promise<JoinResult> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let settled = false;
    let endedResolve: () => void = () => undefined;
    const ended = new Promise<void>((r) => (endedResolve = r));
    const settle = (result: JoinResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!result.ok) peer.close();
      resolve(result);
    };
    const timer = setTimeout(() => settle({ ok: false, reason: 'the leader did not answer' }), CONNECT_TIMEOUT_MS);
    timer.unref();
    const peer: Peer = createPeer(
      socket,
      (op, args) => serve(local, op, args),
      (m) => {
        if (m.t === 'welcome') {
          if (carried !== undefined) peer.send({ t: 'inherit', ...carried });
          settle({ ok: true, following: following(peer, ended) });
        }
        else if (m.t === 'refuse') settle({ ok: false, reason: String(m.reason) });
        else if (m.t === 'baseline' && m.snapshot !== null && typeof m.snapshot === 'object') {
          onBaseline({ snapshot: m.snapshot as Snapshot, count: Number(m.count) || 0, from: String(m.from) });
        }
      },
      () => {
        endedResolve();
        settle({ ok: false, reason: 'no leader listening' });
      },
    );
    socket.once('connect', () => peer.send({ t: 'hello', ...hello }));
  });
}

function following(peer: Peer, ended: Promise<void>): Following {
  return {
    ended,
    forward: (request, timeoutMs) => peer.request('route', { ...request, service: true }, timeoutMs) as Promise<Reply>,
    farewell: (snapshot) => peer.send({ t: 'farewell', snapshot }),
    close: () => peer.close(),
  };
}

function serve(local: LocalSources, op: string, args: Readonly<Record<string, unknown>>): Promise<unknown> | unknown {
  if (op === 'collect') return takeSnapshot(local, parseSnapshotRequest(args));
  if (op === 'route') return local.dispatch(routeRequest(args));
  if (op === 'clear' && typeof args.part === 'string' && CLEARABLE.has(args.part)) return local.clear(args.part as Clearable);
  throw new Error(`unknown request ${op}`);
}

/** An admin GET sent over the channel, as the router takes it (no headers, no credentials travel). */
export function routeRequest(args: Readonly<Record<string, unknown>>) {
  return {
    method: 'GET',
    path: typeof args.path === 'string' ? args.path : '/',
    query: new URLSearchParams(typeof args.query === 'string' ? args.query : ''),
    headers: {},
    remoteAddress: '127.0.0.1',
  };
}
