// The load generator: wrk (Debian's package), pinned to its own core.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 };

function toMs(text) {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN;
}

/** Parses `wrk --latency` output into requests/s and p50/p99 latency in ms. */
export function parseWrk(out) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
    + [...out.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
  return { rps, p50, p99, errors };
}

/**
 * Runs wrk against url for `seconds` with `connections`, on core `cpu` (when given).
 */
export async function load(url, { seconds, connections = 32, cpu }) {
  const wrkArgs = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url];
  const [cmd, args] = cpu === undefined ? ['wrk', wrkArgs] : ['taskset', ['-c', String(cpu), 'wrk', ...wrkArgs]];
  const { stdout } = await run(cmd, args, { timeout: (seconds + 30) * 1000 });
  return parseWrk(stdout);
}
