/**
 * System and process readings, sampled in the background (first sample FIRST_SAMPLE_DELAY_MS
 * after start, then every SAMPLE_INTERVAL_MS on an unref'd timer) so /api/metrics, detailed
 * health and the observable instruments answer from memory. CPU figures are deltas between
 * samples; the first one covers the time since boot (system) or since the process started
 * (process).
 *
 * Before the first sample, the figures Node gives synchronously (pid, memory use, heap
 * limit, process CPU since start) are read when asked for; an answer that needs the others
 * takes the first sample at once and waits for it at most FIRST_ANSWER_WAIT_MS (settled()).
 * A figure that is still missing is null, and `reasons` says why — never 0.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { componentLogger, createWarnOnce } from '../diag';
import { heapLimitBytes } from './heap';
import { findMountpoint, readCpuTimes, readDisk, readMemory, readOpenFds, readThreadCount, type CpuTimes, type DiskReading } from './readings';

export const SAMPLE_INTERVAL_MS = 5000;
/** Delay of the first sample after start, unless an answer needs it sooner (see createSampler). */
export const FIRST_SAMPLE_DELAY_MS = 1000;
/** How long an answer before the first sample waits for it. */
export const FIRST_ANSWER_WAIT_MS = 500;
/** Event-loop delay sampling resolution; reported delays are the excess over it. */
const ELD_RESOLUTION_MS = 20;

export interface Readings {
  /** When the sample was taken (ms since epoch); 0 before the first one. */
  readonly at: number;
  readonly system: {
    readonly cpuPercent: number | null;
    readonly memory: { readonly totalBytes: number; readonly usedBytes: number; readonly percent: number } | null;
    readonly disk: DiskReading | null;
  };
  readonly process: {
    readonly pid: number;
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
    readonly heapLimitBytes: number;
    readonly cpuPercent: number | null;
    readonly threads: number | null;
    readonly openFds: number | null;
    /** p99 of the event-loop delay over the last sample interval (null until the second sample). */
    readonly eventLoopDelayP99Ms: number | null;
  };
  /** Why a figure is null, for each one that is. */
  readonly reasons: Readonly<Partial<Record<Figure, string>>>;
}

export type Figure = 'cpu' | 'memory' | 'disk' | 'processCpu' | 'threads' | 'openFds' | 'eventLoopDelay';

export interface Sampler {
  /** The latest sample; before the first one, the synchronous figures (at: 0). */
  latest(): Readings;
  /** latest(), after taking the first sample now if there is none yet, waiting at most maxWaitMs for it. */
  settled(maxWaitMs?: number): Promise<Readings>;
  /** Resolves after the first sample. */
  readonly ready: Promise<void>;
  shutdown(): void;
}

const PENDING = 'first sample not taken yet';
const ELD_PENDING = `measured over a full sample interval: reported from the second sample on (${SAMPLE_INTERVAL_MS / 1000} s after the first)`;
const NO_PROC = 'not available on this system';

const warnOnce = createWarnOnce(componentLogger('otelkit:metrics'));

export function createSampler(diskPath: string, intervalMs = SAMPLE_INTERVAL_MS): Sampler {
  const cores = Math.max(1, availableParallelism());
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  eld.enable();
  let mountpoint: Promise<string> | undefined;
  let prevCpu: CpuTimes = { busy: 0, total: 0 };
  let prevProc = { cpuMicros: 0, wallMs: 0 };
  let latest: Readings | undefined;

  async function settle<T>(what: Figure, reasons: Partial<Record<Figure, string>>, task: () => Promise<T>): Promise<T | null> {
    try {
      return await task();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      warnOnce(what, `${what} reading unavailable (reported once): ${message}`);
      reasons[what] = `reading failed: ${message.slice(0, 200)}`;
      return null;
    }
  }

  async function sample(): Promise<void> {
    mountpoint ??= findMountpoint(diskPath).catch(() => diskPath);
    const reasons: Partial<Record<Figure, string>> = {};
    const [cpu, memory, disk, threads, openFds] = await Promise.all([
      settle('cpu', reasons, readCpuTimes),
      settle('memory', reasons, readMemory),
      settle('disk', reasons, async () => readDisk(await mountpoint!)),
      readThreadCount(),
      readOpenFds(),
    ]);
    const usage = process.memoryUsage();
    const cpuUsage = process.cpuUsage();
    const cpuMicros = cpuUsage.user + cpuUsage.system;
    const wallMs = process.uptime() * 1000;
    const procPercent = wallMs > prevProc.wallMs ? ((cpuMicros - prevProc.cpuMicros) / 1000 / (wallMs - prevProc.wallMs) / cores) * 100 : null;
    prevProc = { cpuMicros, wallMs };
    let sysPercent: number | null = null;
    if (cpu !== null) {
      if (cpu.total > prevCpu.total) sysPercent = ((cpu.busy - prevCpu.busy) / (cpu.total - prevCpu.total)) * 100;
      else reasons.cpu = 'no CPU time counted since the previous sample';
      prevCpu = cpu;
    }
    // The first window holds the application's own start-up (module loading): not reported.
    const p99 = latest !== undefined && eld.count > 0 ? Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS) : null;
    eld.reset();
    if (p99 === null) reasons.eventLoopDelay = ELD_PENDING;
    if (threads === null) reasons.threads = NO_PROC;
    if (openFds === null) reasons.openFds = NO_PROC;
    if (procPercent === null) reasons.processCpu = 'no time elapsed since the previous sample';
    latest = {
      at: Date.now(),
      system: {
        cpuPercent: clampPercent(sysPercent),
        memory: memory && { ...memory, percent: (memory.usedBytes / memory.totalBytes) * 100 },
        disk,
      },
      process: {
        pid: process.pid,
        rssBytes: usage.rss,
        heapUsedBytes: usage.heapUsed,
        heapLimitBytes: heapLimitBytes(),
        cpuPercent: clampPercent(procPercent),
        threads,
        openFds,
        eventLoopDelayP99Ms: p99,
      },
      reasons,
    };
  }

  /** Before the first sample: what Node answers synchronously, the rest null with the reason. */
  function synchronous(): Readings {
    const usage = process.memoryUsage();
    const cpuUsage = process.cpuUsage();
    const wallMs = process.uptime() * 1000;
    return {
      at: 0,
      system: { cpuPercent: null, memory: null, disk: null },
      process: {
        pid: process.pid,
        rssBytes: usage.rss,
        heapUsedBytes: usage.heapUsed,
        heapLimitBytes: heapLimitBytes(),
        cpuPercent: clampPercent(wallMs > 0 ? ((cpuUsage.user + cpuUsage.system) / 1000 / wallMs / cores) * 100 : null),
        threads: null,
        openFds: null,
        eventLoopDelayP99Ms: null,
      },
      reasons: { cpu: PENDING, memory: PENDING, disk: PENDING, threads: PENDING, openFds: PENDING, eventLoopDelay: ELD_PENDING },
    };
  }

  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= sample()
      .catch((err) => warnOnce('sample', `system sample failed (reported once): ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  // The first sample waits FIRST_SAMPLE_DELAY_MS, or until an answer needs it: it reads a
  // handful of /proc files (and first loads Node's fs.promises), which the application's own
  // start-up should not wait for.
  let begun = false;
  let stopped = false;
  let interval: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const begin = () => {
    if (begun || stopped) return;
    begun = true;
    clearTimeout(first);
    void tick().then(markReady);
    interval = setInterval(tick, intervalMs);
    interval.unref();
  };
  const first = setTimeout(begin, FIRST_SAMPLE_DELAY_MS);
  first.unref();

  return {
    latest: () => latest ?? synchronous(),
    async settled(maxWaitMs = FIRST_ANSWER_WAIT_MS) {
      if (latest === undefined && !stopped) {
        begin();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([ready, new Promise<void>((resolve) => {
          timer = setTimeout(resolve, maxWaitMs);
          timer.unref();
        })]);
        clearTimeout(timer);
      }
      return latest ?? synchronous();
    },
    ready,
    shutdown() {
      stopped = true;
      clearTimeout(first);
      clearInterval(interval);
      eld.disable();
    },
  };
}

function clampPercent(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Math.min(100, Math.max(0, v));
}

