/**
 * Who serves the admin port. Every process tries to bind it; the one that does leads
 * (leader.ts). A cluster worker (Node's or PM2's) binds exclusively, and when the port is
 * taken it joins the leader as a follower (follower.ts). When the leader goes, the
 * followers' connections end; each tries the port again after a short random wait, one
 * binds it and leads, the others join it: a new leader within about a second. A restarted
 * worker leaves the port to them for a second when it finds a killed leader's socket; should
 * it win the port all the same, the first follower to join it hands over the baseline of
 * the leader that went, so the totals do not go backwards either way. Timers are
 * unref'd: waiting for the port never keeps a process alive.
 */
import { existsSync } from 'node:fs';
import { componentLogger, createWarnOnce } from '../diag';
import type { AdminServer } from '../server/admin';
import { join, type Baseline, type Following } from './follower';
import { Leader, type Hello } from './leader';
import type { Limits } from './fold';
import type { LocalSources } from './snapshot';

const log = componentLogger('otelkit:cluster');
const warnOnce = createWarnOnce(log);
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5000;
/** How long a new worker leaves the port to the others when the leader before it was killed. */
const TAKEOVER_GRACE_MS = 1000;

export type SeatRole = 'pending' | 'leader' | 'follower' | 'alone';

export interface SeatOptions {
  readonly admin: AdminServer;
  /** A cluster worker: joins the leader when the port is taken. */
  readonly worker: boolean;
  readonly path: string;
  readonly hello: Hello;
  readonly local: LocalSources;
  readonly limits: Limits;
  readonly serve: (request: Readonly<Record<string, unknown>>) => Promise<unknown>;
  /** Called each time this process becomes the leader. */
  readonly onLeader?: () => void;
}

export interface Seat {
  readonly role: SeatRole;
  readonly leader: Leader | undefined;
  readonly following: Following | undefined;
  close(): void;
}

/** A socket file of a leader of this service (Unix only; a leader that closed removed it). */
const leftBehind = (path: string): boolean => process.platform !== 'win32' && existsSync(path);

export function takeSeat(options: SeatOptions): Seat {
  let role: SeatRole = 'pending';
  let leader: Leader | undefined;
  let following: Following | undefined;
  let baseline: Baseline | undefined;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = (ms: number) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void attempt(), ms);
    timer.unref();
  };
  const backoff = () => Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures++) * (0.5 + Math.random() / 2);

  async function lead(): Promise<void> {
    role = 'leader';
    leader = new Leader({ path: options.path, hello: options.hello, limits: options.limits, inherited: baseline, serve: options.serve });
    baseline = undefined;
    try {
      await leader.listen();
    } catch (err) {
      warnOnce('listen', `the other processes of the service cannot reach this one (${err instanceof Error ? err.message : String(err)}): the admin endpoints answer for this process alone. Reported once.`);
    }
    options.onLeader?.();
  }

  /** A worker that finds a leader's socket joins it; if nobody listens (the leader was killed), the processes already running take over first: they carry its figures. */
  async function start(): Promise<void> {
    if (!options.worker || !leftBehind(options.path)) return attempt();
    const joined = await join(options.path, options.hello, options.local, (b) => (baseline = b));
    return joined.ok ? follow(joined.following) : schedule(TAKEOVER_GRACE_MS);
  }

  async function attempt(): Promise<void> {
    if (closed) return;
    const bound = await options.admin.relisten();
    if (closed) return;
    if (typeof bound === 'number') return lead();
    if (!options.worker || bound !== 'EADDRINUSE') {
      role = 'alone'; // not a cluster worker, or a real error (warned by the admin server)
      return;
    }
    const joined = await join(options.path, options.hello, options.local, (b) => (baseline = b), baseline);
    if (!joined.ok) {
      if (!/no leader listening|did not answer/.test(joined.reason)) warnOnce(`refused ${joined.reason}`, `admin endpoints not served by this process: ${joined.reason}. Retrying quietly.`);
      role = 'pending';
      return schedule(backoff());
    }
    follow(joined.following);
  }

  function follow(joined: Following): void {
    if (closed) return joined.close();
    role = 'follower';
    failures = 0;
    following = joined;
    void joined.ended.then(() => {
      following = undefined;
      role = 'pending';
      schedule(50 + Math.random() * 250);
    });
  }

  void start();
  return {
    get role() {
      return role;
    },
    get leader() {
      return leader;
    },
    get following() {
      return following;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      following?.close();
      leader?.close();
    },
  };
}
