// Runs a fixture app in a child process (under the otelkit preload, or bare) and gives
// tests its port, its output and its exit.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REGISTER_CJS = `${ROOT}dist/register.js`;
export const REGISTER_ESM = `${ROOT}dist/register.mjs`;
export const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A TCP port free right now on 127.0.0.1. */
export async function freePort() {
  const srv = createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * Node options for tests that read a child's RSS: V8 (Node 22+) grows the young generation
 * up to ~130 MB under a high allocation rate, which is sizing, not retention; with the
 * semi-space capped at 16 MB (Node 20's default) RSS growth shows what is kept.
 */
export const STEADY_HEAP = ['--max-semi-space-size=16'];

/** Environment for a child: the parent's, minus anything otelkit reads, plus `env`. */
export function childEnv(env = {}) {
  const base = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OTEL|OTELKIT|LOG_|ENABLE_JSON_LOGS|NODE_ENV|DATABASE_URL|REDIS_URL|NODE_OPTIONS)/.test(k)) continue;
    base[k] = v;
  }
  return { ...base, ...env };
}

/**
 * @param {string} file fixture path
 * @param {{ preload?: 'require' | 'import' | null, env?: object, args?: string[], nodeArgs?: string[], execPath?: string, cwd?: string, readyPattern?: RegExp, uid?: number, gid?: number }} options
 */
export async function startApp(file, options = {}) {
  const preload = options.preload === undefined ? 'require' : options.preload;
  const nodeArgs = [...(options.nodeArgs ?? []), ...(preload === 'require' ? ['--require', REGISTER_CJS] : preload === 'import' ? ['--import', REGISTER_ESM] : [])];
  const child = spawn(options.execPath ?? process.execPath, [...nodeArgs, file, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  const ready = options.readyPattern ?? /LISTENING (\d+)/;
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${stdout}\n${stderr}`)), 20000);
    const check = () => {
      const m = ready.exec(stdout);
      if (m) {
        clearTimeout(timer);
        // Once: an app writing a line per request would otherwise be rescanned whole per chunk.
        child.stdout.off('data', check);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', check);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code ?? signal}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    /** Both streams: otelkit's own messages are log lines on stdout, or stderr before its logger runs. */
    output: () => stdout + stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Runs a fixture to completion and reads its output to the end. With `pauseStdoutMs` its
 * stdout is not read for that long first (a reader that falls behind).
 * @param {string} file fixture path
 * @param {{ preload?: 'require' | 'import' | null, env?: object, args?: string[], execPath?: string, pauseStdoutMs?: number }} options
 */
export async function runApp(file, options = {}) {
  const preload = options.preload === undefined ? 'require' : options.preload;
  const nodeArgs = preload === 'require' ? ['--require', REGISTER_CJS] : preload === 'import' ? ['--import', REGISTER_ESM] : [];
  const child = spawn(options.execPath ?? process.execPath, [...nodeArgs, file, ...(options.args ?? [])], {
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = once(child, 'close');
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  if (options.pauseStdoutMs) {
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, options.pauseStdoutMs));
  }
  const chunks = [];
  child.stdout.on('data', (d) => chunks.push(d)).resume();
  const [code, signal] = await closed;
  return { code, signal, stdout: Buffer.concat(chunks).toString('utf8'), stderr };
}

export async function get(url, headers = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}
