/**
 * Asynchronous readers behind the sampler. Nothing here blocks the event loop: /proc files
 * are read with fs.promises, the disk with statfs(2). (systeminformation's currentLoad()
 * runs `cat /proc/stat` through execSync — about 20 ms of blocked event loop per call on
 * this machine — and fsSize() forks `df`. Its mem() reads /proc/meminfo on Linux as readMemory
 * does, so it is loaded only on systems without /proc, for the memory reading.)
 */
import * as fs from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { dirname } from 'node:path';

/** fs.promises is first touched by the first sample, not at start (it loads Node's promise layer). */
const fsp = () => fs.promises;

export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

/** Cumulative CPU time of the whole machine: /proc/stat on Linux, os.cpus() elsewhere. */
export async function readCpuTimes(): Promise<CpuTimes> {
  try {
    const text = await fsp().readFile('/proc/stat', 'latin1');
    const fields = text.slice(0, text.indexOf('\n')).trim().split(/\s+/).slice(1, 9).map(Number);
    if (fields.length >= 4 && fields.every(Number.isFinite)) {
      const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
      const busy = user + nice + system + irq + softirq + steal;
      return { busy, total: busy + idle + iowait };
    }
  } catch {
    // not Linux: fall through
  }
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

export interface MemoryReading {
  readonly totalBytes: number;
  /** In use by processes: total less what the kernel estimates is available (MemAvailable). */
  readonly usedBytes: number;
}

/**
 * Machine memory in use. Linux: /proc/meminfo, MemTotal less MemAvailable (what `free` calls
 * used plus shared). Elsewhere systeminformation's memory module, which knows each system's
 * figure (macOS: anonymous less purgeable plus wired and compressed pages from vm_stat, where
 * os.freemem() counts the page cache as used); it is loaded only there, on the first sample.
 * os.totalmem() less os.freemem() should both fail. `meminfo` is a parameter for the tests.
 */
export async function readMemory(meminfo = '/proc/meminfo'): Promise<MemoryReading> {
  const linux = await readMeminfo(meminfo).catch(() => null);
  if (linux) return linux;
  try {
    const { total, active } = await systemInformation().mem();
    if (total > 0 && active >= 0) return { totalBytes: total, usedBytes: Math.min(active, total) };
  } catch {
    // not installed, or the platform's command failed: fall through
  }
  const total = totalmem();
  return { totalBytes: total, usedBytes: total - Math.min(freemem(), total) };
}

async function readMeminfo(path: string): Promise<MemoryReading | null> {
  const text = await fsp().readFile(path, 'latin1');
  const kB = (key: string) => Number(new RegExp(`^${key}:\\s*(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  const total = kB('MemTotal');
  // Kernels before 3.14 have no MemAvailable: free plus buffers and page cache instead.
  let available = kB('MemAvailable');
  if (Number.isNaN(available)) available = kB('MemFree') + kB('Buffers') + kB('Cached');
  return total > 0 && available >= 0 ? { totalBytes: total, usedBytes: total - Math.min(available, total) } : null;
}

interface SiMemory {
  mem(): Promise<{ total: number; active: number }>;
}

/** Loaded on first use; null when neither path resolves, so that later samples do not retry. */
let si: SiMemory | null | undefined;

/**
 * The memory module alone: systeminformation's index loads every module it has (battery,
 * graphics, wifi, docker, …), the whole package being the fallback should that path move.
 */
function systemInformation(): SiMemory {
  if (si === undefined) si = requireFirst(['systeminformation/lib/memory', 'systeminformation']);
  if (si === null) throw new Error('systeminformation is not installed');
  return si;
}

function requireFirst(ids: readonly string[]): SiMemory | null {
  for (const id of ids) {
    try {
      return require(id) as SiMemory;
    } catch {
      // next
    }
  }
  return null;
}

/** Threads of this process (Linux /proc/self/status), or null where unavailable. */
export async function readThreadCount(): Promise<number | null> {
  try {
    const m = /^Threads:\s*(\d+)/m.exec(await fsp().readFile('/proc/self/status', 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Open file descriptors of this process (Linux /proc/self/fd), or null where unavailable. */
export async function readOpenFds(): Promise<number | null> {
  try {
    // The listing includes the descriptor opened to read the directory itself.
    return Math.max(0, (await fsp().readdir('/proc/self/fd')).length - 1);
  } catch {
    return null;
  }
}

/** The mount point holding `path`: the highest ancestor on the same device. */
export async function findMountpoint(path: string): Promise<string> {
  let current = path;
  const dev = (await fsp().stat(current)).dev;
  for (let i = 0; i < 64; i++) {
    const parent = dirname(current);
    if (parent === current) break;
    try {
      if ((await fsp().stat(parent)).dev !== dev) break;
    } catch {
      break;
    }
    current = parent;
  }
  return current;
}

export interface DiskReading {
  readonly path: string;
  readonly totalBytes: number;
  readonly usedBytes: number;
  /** Used share of the space available to unprivileged users, as df reports it. */
  readonly percent: number;
}

export async function readDisk(mountpoint: string): Promise<DiskReading> {
  const s = await fsp().statfs(mountpoint);
  const totalBytes = s.blocks * s.bsize;
  const usedBytes = (s.blocks - s.bfree) * s.bsize;
  const usable = usedBytes + s.bavail * s.bsize;
  return { path: mountpoint, totalBytes, usedBytes, percent: usable > 0 ? (usedBytes / usable) * 100 : 0 };
}
