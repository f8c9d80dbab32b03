// Medians, spreads and the markdown report of a benchmark run.

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function spread(values) {
  return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
}

const f0 = (n) => n.toFixed(0);
const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);

function appTable(rows) {
  const lines = [
    '| configuration | req/s (median) | × bare (median, min–max) | server CPU µs/req | bare CPU µs/req | p50 ms | p99 ms | bare p99 ms | peak RSS MB | + RSS vs bare MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, pairs] of Object.entries(rows)) {
    const ratios = pairs.map((p) => p.x.rps / p.bare.rps);
    const rssAdded = pairs.map((p) => p.x.rssMb - p.bare.rssMb);
    lines.push(`| ${name} | ${f0(median(pairs.map((p) => p.x.rps)))} | **${f2(median(ratios))}** (${spread(ratios)}) | ${f1(median(pairs.map((p) => p.x.cpuPerRequestUs)))} | ${f1(median(pairs.map((p) => p.bare.cpuPerRequestUs)))} | ${f2(median(pairs.map((p) => p.x.p50)))} | ${f2(median(pairs.map((p) => p.x.p99)))} | ${f2(median(pairs.map((p) => p.bare.p99)))} | ${f0(median(pairs.map((p) => p.x.rssMb)))} | ${f0(median(rssAdded))} |`);
  }
  const bare = Object.values(rows).flat().map((p) => p.bare);
  lines.push(`| bare (all pairs) | ${f0(median(bare.map((b) => b.rps)))} | 1.00 | ${f1(median(bare.map((b) => b.cpuPerRequestUs)))} | | ${f2(median(bare.map((b) => b.p50)))} | ${f2(median(bare.map((b) => b.p99)))} | | ${f0(median(bare.map((b) => b.rssMb)))} | |`);
  return lines.join('\n');
}

export function report({ machine, opts, results, startup, pinned }) {
  const extra = [opts.quick && '--quick', opts.configs && `--configs ${opts.configs}`, opts.against && `--against ${opts.against}`].filter(Boolean);
  const cmd = `npm run bench${extra.length > 0 ? ` -- ${extra.join(' ')}` : ''}`;
  const out = [
    '# otelkit benchmark results',
    '',
    `Command: \`${cmd}\` (rounds ${opts.rounds}, ${opts.seconds} s per run after ${opts.warmup} s warm-up, wrk -t1 -c${opts.connections}).`,
    `Machine: ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}; ${pinned ? 'server pinned to core 0, wrk and the OTLP receiver to core 1 (taskset)' : 'no pinning'}.`,
    `Date: ${new Date().toISOString()}.`,
    '',
    'Each configuration ran right after a bare run of the same app in the same round; the ratio is',
    'requests/s of the configuration over that bare run. Medians over rounds, min–max in brackets.',
    'Server CPU µs/req is the server process\'s user+system CPU time during the measured run divided by',
    'the requests served: less sensitive to other load on the machine than requests/s.',
    '',
  ];
  for (const [app, rows] of Object.entries(results)) {
    out.push(`## ${app}`, '', appTable(rows), '');
  }
  // --startups 0 measures none: no table rather than one of NaN.
  if (startup.bare?.length) {
    out.push('## Start-up time to the first answered request (hello app; `-esm`: hello.mjs under `--import`)', '', '| configuration | median ms | min–max ms | added vs bare ms |', '|---|---|---|---|');
    for (const [name, times] of Object.entries(startup)) {
      const base = name.endsWith('-esm') ? 'bare-esm' : 'bare';
      const added = name === base ? '' : `+${f0(median(times) - median(startup[base]))}`;
      out.push(`| ${name} | ${f0(median(times))} | ${f0(Math.min(...times))}–${f0(Math.max(...times))} | ${added} |`);
    }
  }
  out.push('', 'Configurations: `bare` no instrumentation; `otelkit` `--require otelkit/register` on its embedded default',
    '(spans feed APM and slow queries, metrics on the Prometheus endpoint, nothing exported); `otelkit-otlp` the same with',
    '`OTEL_EXPORTER_OTLP_ENDPOINT` set (every span exported over OTLP/protobuf to a local receiver); `stock-otlp`',
    '`--require @opentelemetry/auto-instrumentations-node/register` exporting traces, metrics and logs to the same receiver.', '');
  if (opts.against) out.push(`\`previous\` and \`previous-otlp\`: the same two otelkit configurations with the build in ${opts.against}.`, '');
  return out.join('\n');
}
