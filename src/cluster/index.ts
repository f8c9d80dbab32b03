/**
 * Many processes, one service (docs/ARCHITECTURE.md "Many processes"). Node's cluster and
 * PM2's cluster mode run the service in several processes; whichever holds the admin port
 * answers for all of them: seat.ts decides who, leader.ts and follower.ts carry the
 * snapshots over a private local socket, views.ts merges them into the ordinary answers.
 * A process alone answers exactly as before.
 */
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Config } from '../config';
import type { AppInfo } from '../app-info';
import type { ApmStats } from '../apm/stats';
import type { SlowQueryStore } from '../db/slow-queries';
import type { NPlusOneDetector } from '../db/n-plus-one';
import type { ErrorStore } from '../errors/store';
import type { MetricsJsonSources } from '../metrics/json';
import type { PrometheusReader } from '../metrics/prometheus';
import type { AdminServer } from '../server/admin';
import type { Handler, Router } from '../server/router';
import { bindAddress } from '../server/admin';
import { channelPath } from './paths';
import { isClusterWorker } from '../process-role';
import { routeRequest } from './follower';
import { createClusterRouter } from './router';
import { takeSeat, type Seat } from './seat';
import { createServiceMeter } from './service-meter';
import { takeSnapshot, type Clearable, type Identity, type LocalSources, type Snapshot, type SnapshotRequest } from './snapshot';
import type { Service } from './views';
import type { Limits } from './fold';

/** How long the leader waits for the other processes in one scrape (the answer stays under 1 s). */
export const GATHER_DEADLINE_MS = 800;
const FAREWELL_MS = 500;
const COUNTER_PARTS = ['metrics', 'apm'] as const;

export interface ClusterSources {
  readonly config: Config;
  readonly app: AppInfo;
  readonly service: string;
  readonly resource: Resource;
  readonly startedAt: number;
  readonly prometheus: PrometheusReader;
  readonly apm: ApmStats;
  readonly slow: SlowQueryStore;
  readonly nPlusOne: NPlusOneDetector;
  readonly errors: ErrorStore;
  readonly readings: MetricsJsonSources['readings'];
  readonly processFigures: () => Promise<Record<string, unknown>>;
  /** The process's own route table. */
  readonly local: Router;
  readonly healthDetailed: Handler | undefined;
}

export interface Cluster {
  /** The route table to serve: the service's answers where there is a service. */
  readonly router: Router;
  /** Starts taking the admin port (the server must be created with `deferred`). */
  seat(admin: AdminServer, onLeader: () => void): void;
  /** A follower hands its last figures to the leader; then the channel closes. */
  shutdown(): Promise<void>;
}

export function createCluster(src: ClusterSources): Cluster {
  const { config } = src;
  const worker = isClusterWorker();
  const identity: Identity = { pid: process.pid, instance_id: String(src.resource.attributes['service.instance.id'] ?? process.pid) };
  const limits: Limits = { apmMaxOperations: config.apmMaxOperations, slowQueryLimit: config.slowQueryLimit, nPlusOneMin: config.nPlusOneMin };
  const local: LocalSources = {
    identity,
    collect: () => src.prometheus.reader.collect(),
    apm: src.apm,
    slow: src.slow,
    nPlusOne: src.nPlusOne,
    errors: src.errors,
    processFigures: src.processFigures,
    clear(part: Clearable) {
      if (part === 'apm') src.apm.reset();
      else if (part === 'slow') src.slow.clear();
      else if (part === 'errors') src.errors.clear();
      else src.nPlusOne.clear();
    },
    dispatch: (req) => src.local.dispatch(req),
  };
  let seat: Seat | undefined;
  /** This process's last counters, shared with the followers as the baseline. */
  let own: Snapshot = {};
  let meter: ReturnType<typeof createServiceMeter> | undefined;

  async function gather(asked: SnapshotRequest): Promise<Service> {
    const leader = seat?.leader;
    // Counters are refreshed by every gathering, whatever the endpoint: a process killed
    // later then counts with figures as recent as the last scrape of any endpoint.
    const request = { ...asked, parts: [...new Set([...asked.parts, ...COUNTER_PARTS])] };
    const [self, others] = await Promise.all([
      takeSnapshot(local, request),
      leader?.gather(request, GATHER_DEADLINE_MS) ?? { answered: [], missing: [], departed: {}, departedCount: 0 },
    ]);
    if (self.metrics !== undefined || self.apm !== undefined) {
      own = { metrics: self.metrics ?? own.metrics, apm: self.apm ?? own.apm };
      const shared = own;
      setImmediate(() => leader?.shareBaseline(shared)).unref();
    }
    return { ...others, answered: [{ identity, snapshot: self }, ...others.answered] };
  }

  const { 'process.pid': _pid, 'service.instance.id': _id, ...serviceAttributes } = src.resource.attributes;
  const router = createClusterRouter(src.local, {
    identity,
    seat: () => seat,
    context: {
      config,
      limits,
      startedAt: src.startedAt,
      prometheus: src.prometheus,
      resource: resourceFromAttributes(serviceAttributes),
      readings: src.readings,
      get meter() {
        return (meter ??= createServiceMeter());
      },
      healthDetailed: src.healthDetailed,
      gather,
    },
  });

  return {
    router,
    seat(admin, onLeader) {
      seat = takeSeat({
        admin,
        worker,
        path: channelPath(bindAddress(config.adminHost), config.adminPort),
        hello: { pid: process.pid, instance_id: identity.instance_id, group: worker ? process.ppid : process.pid, service: src.service, entry: src.app.entry ?? '' },
        local,
        limits,
        serve: (args) => router.dispatch(routeRequest(args)),
        onLeader,
      });
    },
    async shutdown() {
      const following = seat?.following;
      if (following !== undefined) {
        const last = await Promise.race([
          takeSnapshot(local, { parts: ['metrics', 'apm', 'slow_records', 'slow_shapes', 'n_plus_one', 'errors'], records: config.slowQueryLimit }).catch(() => undefined),
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), FAREWELL_MS).unref()),
        ]);
        if (last !== undefined) following.farewell(last);
      }
      seat?.close();
      await meter?.shutdown().catch(() => undefined);
    },
  };
}
