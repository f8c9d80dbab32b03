// Reads a callgrind dump and attributes its self cost to functions, naming JIT-compiled
// JavaScript through the perf map V8 writes with --perf-basic-prof (/tmp/perf-PID.map).
// Used by `PROFILE=N node bench/instructions.mjs …` to print the N costliest functions, the
// callers of some (CALLERS=…) and what others call (CALLEES=…).
import { readFileSync, existsSync } from 'node:fs';

/**
 * Self cost by function name from a dump written with --compress-strings=no
 * --compress-pos=no, and the inclusive cost of calls by "callee <- caller".
 */
function costs(text) {
  const self = new Map();
  const calls = new Map();
  let fn = '?';
  let callee;
  let inCall = false;
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0);
    if (c >= 48 && c <= 57) { // a cost line: "<line> <cost>"
      const cost = Number(line.slice(line.indexOf(' ') + 1));
      const into = inCall ? calls : self;
      const key = inCall ? `${callee}\0${fn}` : fn;
      into.set(key, (into.get(key) ?? 0) + cost);
      inCall = false;
    } else if (line.startsWith('fn=')) fn = line.slice(3);
    else if (line.startsWith('cfn=')) callee = line.slice(4);
    else if (line.startsWith('calls=')) inCall = true; // the next cost line is the call's inclusive cost
  }
  return { self, calls };
}

/** Sorted [start, end, name] ranges from V8's perf map. */
function perfMap(pid) {
  const file = `/tmp/perf-${pid}.map`;
  if (!existsSync(file)) return [];
  const ranges = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) ranges.push([parseInt(m[1], 16), parseInt(m[1], 16) + parseInt(m[2], 16), m[3]]);
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

function lookup(ranges, address) {
  let lo = 0;
  let hi = ranges.length - 1;
  let found;
  while (lo <= hi) { // the last range starting at or before the address
    const mid = (lo + hi) >> 1;
    if (ranges[mid][0] <= address) { found = ranges[mid]; lo = mid + 1; } else hi = mid - 1;
  }
  return found !== undefined && address < found[1] ? found[2] : undefined;
}

function sumByName(entries, nameOf) {
  const byName = new Map();
  for (const [key, cost] of entries) {
    const name = nameOf(key);
    byName.set(name, (byName.get(name) ?? 0) + cost);
  }
  return byName;
}

function rows(byName, requests, top) {
  return [...byName].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, cost]) => `${(cost / requests).toFixed(0).padStart(8)}  ${name.slice(0, 150)}`);
}

/**
 * The `top` costliest functions (self cost), JIT code named, per request; and for each
 * function named in `callersOf`, its callers by the inclusive cost of their calls to it.
 */
export function profile(dumpFile, pid, requests, top, callersOf = [], calleesOf = []) {
  const ranges = perfMap(pid);
  const named = (fn) => {
    const address = /^0x([0-9a-f]+)$/.exec(fn);
    // V8 names code by tier (JS:*name for optimized, JS:~name for interpreted/baseline).
    return address ? (lookup(ranges, parseInt(address[1], 16)) ?? 'unnamed JIT code') : fn;
  };
  const { self, calls } = costs(readFileSync(dumpFile, 'utf8'));
  const byName = sumByName(self, named);
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  const out = [`self instructions per request (total ${(total / requests / 1000).toFixed(1)} k), costliest first:`, ...rows(byName, requests, top)];
  for (const target of callersOf) {
    const into = [...calls].filter(([key]) => named(key.split('\0')[0]).includes(target));
    out.push(`callers of ${target} (inclusive instructions per request):`, ...rows(sumByName(into, (key) => named(key.split('\0')[1])), requests, 25));
  }
  for (const target of calleesOf) {
    const from = [...calls].filter(([key]) => named(key.split('\0')[1]).includes(target));
    out.push(`callees of ${target} (inclusive instructions per request):`, ...rows(sumByName(from, (key) => named(key.split('\0')[0])), requests, 25));
  }
  return out.join('\n');
}
