/**
 * The system and process checks, from the sampler's latest readings (no I/O of their own;
 * before the first sample they wait for it, bounded — see Sampler.settled). They warn,
 * never go down: a busy machine degrades the service, it does not make it unready. A
 * figure that cannot be given is null, and `unavailable` says why.
 */
import type { Readings } from '../metrics/sampler';
import { withReasons } from '../metrics/json';
import type { CheckDef } from './run';
import type { CheckResult } from './types';

/** Warn thresholds, percent (system) and milliseconds / heap share (process). */
export const THRESHOLDS = Object.freeze({
  cpuPercent: 80,
  memoryPercent: 85,
  diskPercent: 90,
  eventLoopDelayP99Ms: 200,
  heapPercent: 90,
});

const r2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

export function systemCheck(readings: () => Promise<Readings>): CheckDef {
  return {
    name: 'system',
    critical: false,
    timed: false,
    async run(): Promise<CheckResult> {
      const { system, reasons } = await readings();
      const warnings: string[] = [];
      if (system.cpuPercent !== null && system.cpuPercent >= THRESHOLDS.cpuPercent) warnings.push(`cpu ${r2(system.cpuPercent)}% ≥ ${THRESHOLDS.cpuPercent}%`);
      if (system.memory && system.memory.percent >= THRESHOLDS.memoryPercent) warnings.push(`memory ${r2(system.memory.percent)}% ≥ ${THRESHOLDS.memoryPercent}%`);
      if (system.disk && system.disk.percent >= THRESHOLDS.diskPercent) warnings.push(`disk ${r2(system.disk.percent)}% ≥ ${THRESHOLDS.diskPercent}%`);
      return withReasons({
        status: warnings.length ? ('warn' as const) : ('ok' as const),
        ...(warnings.length ? { warnings } : {}),
        cpu_percent: r2(system.cpuPercent),
        memory_percent: r2(system.memory?.percent ?? null),
        disk_percent: r2(system.disk?.percent ?? null),
        disk_path: system.disk?.path ?? null,
      }, { cpu_percent: 'cpu', memory_percent: 'memory', disk_percent: 'disk' }, reasons);
    },
  };
}

export function processCheck(readings: () => Promise<Readings>): CheckDef {
  return {
    name: 'process',
    critical: false,
    timed: false,
    async run(): Promise<CheckResult> {
      const { process: p, reasons } = await readings();
      const warnings: string[] = [];
      const heapPercent = p.heapLimitBytes > 0 ? (p.heapUsedBytes / p.heapLimitBytes) * 100 : null;
      if (p.eventLoopDelayP99Ms !== null && p.eventLoopDelayP99Ms >= THRESHOLDS.eventLoopDelayP99Ms) {
        warnings.push(`event loop delay p99 ${r2(p.eventLoopDelayP99Ms)} ms ≥ ${THRESHOLDS.eventLoopDelayP99Ms} ms`);
      }
      if (heapPercent !== null && heapPercent >= THRESHOLDS.heapPercent) warnings.push(`heap ${r2(heapPercent)}% of its limit ≥ ${THRESHOLDS.heapPercent}%`);
      return withReasons({
        status: warnings.length ? ('warn' as const) : ('ok' as const),
        ...(warnings.length ? { warnings } : {}),
        pid: p.pid,
        cpu_percent: r2(p.cpuPercent),
        rss_bytes: p.rssBytes,
        heap_used_bytes: p.heapUsedBytes,
        heap_limit_bytes: p.heapLimitBytes,
        threads: p.threads,
        open_fds: p.openFds,
        event_loop_delay_p99_ms: r2(p.eventLoopDelayP99Ms),
      }, { cpu_percent: 'processCpu', threads: 'threads', open_fds: 'openFds', event_loop_delay_p99_ms: 'eventLoopDelay' }, reasons);
    },
  };
}
