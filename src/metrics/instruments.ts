/**
 * The sampler's readings as OpenTelemetry instruments in the `otelkit` meter, observed at
 * collection time from the latest sample (names per the OpenTelemetry system and process
 * semantic conventions; Prometheus names in README). Event-loop delay is exported by
 * @opentelemetry/instrumentation-runtime-node (nodejs.eventloop.delay.*), not repeated here.
 */
import { heapLimitBytes } from './heap';
import type { BatchObservableCallback, Meter } from '@opentelemetry/api';
import type { Sampler } from './sampler';

export function registerSystemInstruments(meter: Meter, sampler: Sampler): () => void {
  const cpu = meter.createObservableGauge('system.cpu.utilization', { unit: '1', description: 'Share of CPU time the machine spent busy over the last sample interval (0–1).' });
  const memory = meter.createObservableGauge('system.memory.utilization', { unit: '1', description: 'Share of memory in use, not counting reclaimable cache (0–1).' });
  const fs = meter.createObservableGauge('system.filesystem.utilization', { unit: '1', description: "Used share of the filesystem holding the application's directory (0–1)." });
  const procCpu = meter.createObservableGauge('process.cpu.utilization', { unit: '1', description: 'CPU time of this process over the last sample interval, divided by the CPUs available (0–1).' });
  const rss = meter.createObservableUpDownCounter('process.memory.usage', { unit: 'By', description: 'Resident set size of this process.' });
  const fds = meter.createObservableUpDownCounter('process.open_file_descriptor.count', { unit: '{file_descriptor}', description: 'Open file descriptors of this process.' });
  const uptime = meter.createObservableGauge('process.uptime', { unit: 's', description: 'Time since this process started.' });
  // runtime-node reports heap use per space but not the limit; "heap near limit" needs it.
  const heapLimit = meter.createObservableGauge('v8js.memory.heap.limit', { unit: 'By', description: 'Largest size the V8 heap may grow to (heap_size_limit), for the whole heap.' });

  const callback: BatchObservableCallback = (observer) => {
    const { at, system, process: proc } = sampler.latest();
    observer.observe(uptime, process.uptime());
    observer.observe(heapLimit, heapLimitBytes());
    if (at === 0) return;
    if (system.cpuPercent !== null) observer.observe(cpu, system.cpuPercent / 100);
    if (system.memory !== null) observer.observe(memory, system.memory.percent / 100);
    if (system.disk !== null) observer.observe(fs, system.disk.percent / 100, { 'system.filesystem.mountpoint': system.disk.path });
    if (proc.cpuPercent !== null) observer.observe(procCpu, proc.cpuPercent / 100);
    observer.observe(rss, proc.rssBytes);
    if (proc.openFds !== null) observer.observe(fds, proc.openFds);
  };
  const observables = [cpu, memory, fs, procCpu, rss, fds, uptime, heapLimit];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
