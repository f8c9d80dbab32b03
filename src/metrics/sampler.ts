/**
 * System and process readings, sampled in the background (first sample at start, then
 * every SAMPLE_INTERVAL_MS on an unref'd timer) so /api/metrics, detailed health and the
 * observable instruments answer from memory. CPU figures are deltas between samples; the
 * first one covers the time since boot (system) or since the process started (process).
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { componentLogger, createWarnOnce } from '../diag';
import { heapLimitBytes } from './heap';
import { findMountpoint, readCpuTimes, readDisk, readMemory, readOpenFds, readThreadCount, type CpuTimes, type DiskReading } from './readings';

export const SAMPLE_INTERVAL_MS = 5000;
/** Delay of the first sample after start (see createSampler). */
export const FIRST_SAMPLE_DELAY_MS = 1000;
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
}

export interface Sampler {
  latest(): Readings;
  /** Resolves after the first sample. */
  readonly ready: Promise<void>;
  shutdown(): void;
}

const warnOnce = createWarnOnce(componentLogger('otelkit:metrics'));

export function createSampler(diskPath: string, intervalMs = SAMPLE_INTERVAL_MS): Sampler {
  const cores = Math.max(1, availableParallelism());
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  eld.enable();
  let mountpoint: Promise<string> | undefined;
  let prevCpu: CpuTimes = { busy: 0, total: 0 };
  let prevProc = { cpuMicros: 0, wallMs: 0 };
  let latest: Readings = {
    at: 0,
    system: { cpuPercent: null, memory: null, disk: null },
    process: { pid: process.pid, rssBytes: 0, heapUsedBytes: 0, heapLimitBytes: 0, cpuPercent: null, threads: null, openFds: null, eventLoopDelayP99Ms: null },
  };

  async function settle<T>(what: string, task: () => Promise<T>): Promise<T | null> {
    try {
      return await task();
    } catch (err) {
      warnOnce(what, `${what} reading unavailable (reported once): ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  async function sample(): Promise<void> {
    mountpoint ??= findMountpoint(diskPath).catch(() => diskPath);
    const [cpu, memory, disk, threads, openFds] = await Promise.all([
      settle('cpu', readCpuTimes),
      settle('memory', readMemory),
      settle('disk', async () => readDisk(await mountpoint!)),
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
      prevCpu = cpu;
    }
    // The first window holds the application's own start-up (module loading): not reported.
    const p99 = latest.at !== 0 && eld.count > 0 ? Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS) : null;
    eld.reset();
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
  // The first sample waits FIRST_SAMPLE_DELAY_MS: it reads a handful of /proc files (and first
  // loads Node's fs.promises), which the application's own start-up should not wait for.
  let timer: NodeJS.Timeout | undefined = undefined;
  const ready = new Promise<void>((resolve) => {
    const first = setTimeout(() => {
      void tick().then(resolve);
      timer = setInterval(tick, intervalMs);
      timer.unref();
    }, FIRST_SAMPLE_DELAY_MS);
    first.unref();
    timer = first;
  });

  return {
    latest: () => latest,
    ready,
    shutdown() {
      clearTimeout(timer);
      clearInterval(timer);
      eld.disable();
    },
  };
}

function clampPercent(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Math.min(100, Math.max(0, v));
}

