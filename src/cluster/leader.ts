/**
 * The leader: the process holding the admin port. It listens on the service's private
 * socket (paths.ts), accepts the other processes of the same service (same parent, name
 * and entry file), and gathers their snapshots for a scrape: every one asked at once,
 * each bounded by a deadline. It keeps each process's last figures, so that one that does
 * not answer in time, or has gone, still counts with what it last reported: counters of
 * the service never go backwards while the leader lives. Processes that died are folded
 * into one `departed` snapshot (counters, histograms, APM statistics and the newest
 * records), whose size does not grow with the number of deaths.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { componentLogger, createWarnOnce } from '../diag';
import { createPeer, type Message, type Peer } from './peer';
import { ensurePrivateDir, fsp } from './paths';
import type { Clearable, Identity, Snapshot, SnapshotRequest } from './snapshot';
import { foldDeparted, type Limits } from './fold';

const log = componentLogger('otelkit:cluster');
const warnOnce = createWarnOnce(log);
/** Followers at most; a cluster has a few dozen processes, not thousands. */
export const MAX_MEMBERS = 256;
const HELLO_TIMEOUT_MS = 2000;

export interface Hello {
  readonly pid: number;
  readonly instance_id: string;
  /** Parent process of the workers: the cluster primary's pid (or PM2's daemon's). */
  readonly group: number;
  readonly service: string;
  readonly entry: string;
}

interface Member {
  readonly identity: Identity;
  peer: Peer | undefined;
  /** Last figures per part (replaced part by part). */
  last: Snapshot;
}

export interface Answer {
  readonly identity: Identity;
  readonly snapshot: Snapshot;
}

export interface Gathered {
  readonly answered: readonly Answer[];
  /** Connected or alive but without an answer in time: their last figures. */
  readonly missing: readonly Answer[];
  readonly departed: Snapshot;
  readonly departedCount: number;
}

export interface LeaderOptions {
  readonly path: string;
  readonly hello: Hello;
  readonly limits: Limits;
  /** A snapshot from a leader that went before (see follower.ts): its processes count as departed. */
  readonly inherited?: { readonly snapshot: Snapshot; readonly count: number };
  /** Answers an admin GET a follower received on the app's own port (mounted routes, monitoringHandler()). */
  readonly serve: (request: Readonly<Record<string, unknown>>) => Promise<unknown>;
}

export class Leader {
  private server: Server | undefined;
  private readonly members = new Map<string, Member>();
  private departed: Snapshot;
  private departedCount: number;

  constructor(private readonly options: LeaderOptions) {
    this.departed = options.inherited?.snapshot ?? {};
    this.departedCount = options.inherited?.count ?? 0;
  }

  /** True once another process joined (the answers are the service's from then on). */
  get aggregating(): boolean {
    return this.members.size > 0 || this.departedCount > 0;
  }

  async listen(): Promise<void> {
    await ensurePrivateDir();
    // Only the holder of the admin port gets here, so a file left at the path is stale.
    await fsp.unlink(this.options.path).catch(() => undefined);
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Exclusive: in a cluster worker the socket is this process's own, not a handle the
      // primary holds for it (which would outlive nothing and be removed when the worker dies).
      server.listen({ path: this.options.path, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => warnOnce('socket', `the service's process channel failed (${err.message}); reported once.`));
    server.unref();
    if (process.platform !== 'win32') await fsp.chmod(this.options.path, 0o600).catch(() => undefined);
  }

  private accept(socket: Socket): void {
    let member: Member | undefined;
    const timer = setTimeout(() => peer.close(), HELLO_TIMEOUT_MS);
    timer.unref();
    const peer = createPeer(
      socket,
      (op, args) => (op === 'route' && member !== undefined ? this.options.serve(args) : Promise.reject(new Error(`${op}: not served by the leader`))),
      (m: Message) => {
        if (m.t === 'farewell' && member !== undefined && m.snapshot !== null && typeof m.snapshot === 'object') {
          member.last = { ...member.last, ...(m.snapshot as Snapshot) };
          return;
        }
        if (m.t === 'inherit' && member !== undefined && m.snapshot !== null && typeof m.snapshot === 'object') {
          this.inherit(m.snapshot as Snapshot, Number(m.count) || 0, String(m.from));
          return;
        }
        if (m.t !== 'hello' || member !== undefined) return;
        clearTimeout(timer);
        const refusal = this.refusal(m);
        if (refusal !== undefined) {
          peer.send({ t: 'refuse', reason: refusal });
          return void setTimeout(() => peer.close(), 50).unref();
        }
        member = this.admit({ pid: m.pid as number, instance_id: String(m.instance_id) }, peer);
        peer.send({ t: 'welcome', pid: this.options.hello.pid, instance_id: this.options.hello.instance_id });
      },
      () => {
        clearTimeout(timer);
        if (member !== undefined && member.peer === peer) this.lose(member);
      },
    );
  }

  private refusal(m: Message): string | undefined {
    const own = this.options.hello;
    if (typeof m.pid !== 'number' || typeof m.instance_id !== 'string') return 'malformed hello';
    if (m.group !== own.group || m.service !== own.service || m.entry !== own.entry) {
      return `the admin port is served for another service (${own.service}, ${own.entry}, parent ${own.group})`;
    }
    if (this.members.size >= MAX_MEMBERS && !this.members.has(m.instance_id)) return `more than ${MAX_MEMBERS} processes`;
    return undefined;
  }

  private admit(identity: Identity, peer: Peer): Member {
    const known = this.members.get(identity.instance_id);
    known?.peer?.close();
    const member: Member = { identity, peer, last: known?.last ?? {} };
    this.members.set(identity.instance_id, member);
    return member;
  }

  /**
   * What a leader that went left, carried by its follower (follower.ts): this leader
   * started after it (a restarted worker won the port), so it adopts the figures unless
   * they are its own (a follower rejoining after its connection broke) or it already holds
   * as many departed processes.
   */
  private inherit(snapshot: Snapshot, count: number, from: string): void {
    if (from === this.options.hello.instance_id || count <= this.departedCount) return;
    this.departed = snapshot;
    this.departedCount = count;
  }

  /** A connection closed: the process keeps its last figures until it is found dead. */
  private lose(member: Member): void {
    member.peer = undefined;
    this.reap();
  }

  private reap(): void {
    for (const [id, member] of this.members) {
      if (member.peer !== undefined || isAlive(member.identity.pid)) continue;
      this.members.delete(id);
      this.departed = foldDeparted(this.departed, member.last, this.options.limits);
      this.departedCount++;
    }
  }

  /** Asks every process for `request`, each within `deadlineMs`. */
  async gather(request: SnapshotRequest, deadlineMs: number): Promise<Gathered> {
    this.reap();
    const members = [...this.members.values()];
    const results = await Promise.all(members.map((m) => this.ask(m, request, deadlineMs)));
    const answered: Answer[] = [];
    const missing: Answer[] = [];
    members.forEach((m, i) => {
      const snapshot = results[i];
      if (snapshot !== undefined) answered.push({ identity: m.identity, snapshot });
      else missing.push({ identity: m.identity, snapshot: m.last });
    });
    return { answered, missing, departed: this.departed, departedCount: this.departedCount };
  }

  private async ask(m: Member, request: SnapshotRequest, deadlineMs: number): Promise<Snapshot | undefined> {
    if (m.peer === undefined) return undefined;
    try {
      const snapshot = (await m.peer.request('collect', { ...request }, deadlineMs)) as Snapshot;
      m.last = { ...m.last, ...snapshot };
      return snapshot;
    } catch {
      return undefined;
    }
  }

  /** The live process with this pid or service.instance.id, if any. */
  find(id: string): Member | undefined {
    for (const m of this.members.values()) if (m.identity.instance_id === id || String(m.identity.pid) === id) return m.peer ? m : undefined;
    return undefined;
  }

  async route(member: Member, request: Readonly<Record<string, unknown>>, deadlineMs: number): Promise<unknown> {
    if (member.peer === undefined) throw new Error('gone');
    return member.peer.request('route', request, deadlineMs);
  }

  /** Clears a part in every process (a DELETE endpoint) and in what the departed left. */
  clear(part: Clearable): void {
    if (part === 'apm') delete this.departed.apm;
    if (part === 'slow') {
      delete this.departed.slow_records;
      delete this.departed.slow_shapes;
    }
    if (part === 'n_plus_one') delete this.departed.n_plus_one;
    if (part === 'errors') delete this.departed.errors;
    for (const m of this.members.values()) {
      m.last = { ...m.last, ...CLEARED[part] };
      m.peer?.request('clear', { part }, 2000).catch(() => undefined);
    }
  }

  /** Sends every process what the service would lose with this leader (see follower.ts). */
  shareBaseline(own: Snapshot): void {
    if (this.members.size === 0) return;
    const snapshot = foldDeparted(this.departed, own, this.options.limits, true);
    const message = { t: 'baseline', snapshot, count: this.departedCount + 1, from: this.options.hello.instance_id };
    for (const m of this.members.values()) m.peer?.send(message);
  }

  close(): void {
    for (const m of this.members.values()) m.peer?.close();
    this.server?.close();
  }
}

const CLEARED: Readonly<Record<Clearable, Snapshot>> = {
  apm: { apm: undefined },
  slow: { slow_records: undefined, slow_shapes: undefined },
  n_plus_one: { n_plus_one: undefined },
  errors: { errors: undefined },
};

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
