// Starting and stopping benchmark servers, pinned to a core, and reading their memory.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

export const ROOT = new URL('../..', import.meta.url).pathname;

export function hasCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function freePort() {
  const srv = createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** One GET; resolves with the status code, rejects on connection errors. */
function probe(port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Spawns `node [nodeArgs] app` pinned to `cpu` and waits for the first answered request.
 * Returns the child, its port and the start-up time (spawn → first 2xx answer).
 */
export async function startServer({ app, nodeArgs = [], env = {}, cpu, path = '/' }) {
  const port = await freePort();
  const cmd = cpu === undefined ? process.execPath : 'taskset';
  const args = cpu === undefined ? [...nodeArgs, app] : ['-c', String(cpu), process.execPath, ...nodeArgs, app];
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: ROOT,
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early: ${stderr}`);
    try {
      const status = await probe(port, path);
      if (status >= 200 && status < 300) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer in 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const startupMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { child, port, startupMs, stderr: () => stderr };
}

/** The local OTLP receiver (bench/receiver.mjs), pinned to `cpu` when given. */
export async function startReceiver(cpu) {
  const receiver = [process.execPath, `${ROOT}bench/receiver.mjs`];
  const [cmd, ...args] = cpu === undefined ? receiver : ['taskset', '-c', String(cpu), ...receiver];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH } });
  const port = await new Promise((resolve) => child.stdout.on('data', (d) => {
    const m = /LISTENING (\d+)/.exec(String(d));
    if (m) resolve(Number(m[1]));
  }));
  return { url: `http://127.0.0.1:${port}`, stop: () => stopServer(child) };
}

/** Peak resident set size (VmHWM) of a live process, in MB. */
export function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU time (user + system) a live process has used so far, in milliseconds. */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** SIGTERM, then SIGKILL after `graceMs` (the stock register never exits on SIGTERM). */
export async function stopServer(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function machineLine() {
  let cpuModel = 'unknown CPU';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  const cores = Number(execFileSync('nproc').toString().trim());
  return { cores, cpuModel, node: process.version };
}
