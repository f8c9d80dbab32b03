// Preloaded by bench/heap-spaces.mjs: the largest size each V8 heap space reached, sampled
// every 100 ms, written to stderr as one JSON line on SIGUSR2.
const { getHeapSpaceStatistics } = require('node:v8');

const peak = {};
setInterval(() => {
  for (const s of getHeapSpaceStatistics()) peak[s.space_name] = Math.max(peak[s.space_name] ?? 0, s.space_size);
}, 100).unref();
process.on('SIGUSR2', () => process.stderr.write(`HEAP ${JSON.stringify(peak)}\n`));
