// Process groups for the many-processes tests: a wrapper (npm, nodemon, pm2, a cluster
// primary) with its children, its output, and a cleanup that ends every one of them.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { childEnv, ROOT } from '../helpers/app.mjs';

/** PATH with this test's node first, so that `#!/usr/bin/env node` scripts run on it. */
export const PATH = `${dirname(process.execPath)}:${process.env.PATH}`;

/** Runs `command args` in a new process group; `waitFor(re)` resolves with the first match in stdout+stderr. */
export function spawnGroup(command, args, { env = {}, cwd } = {}) {
  const child = spawn(command, args, { cwd, env: childEnv({ PATH, ...env }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const waiters = new Set();
  const onData = (d) => {
    output += d;
    for (const w of waiters) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = once(child, 'exit');
  return {
    child,
    output: () => output,
    waitFor(re, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${re}:\n${output}`)), ms);
        const check = () => {
          const m = re.exec(output);
          if (m) done(null, m);
        };
        function done(err, m) {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve(m);
        }
        waiters.add(check);
        check();
      });
    },
    /** SIGTERM to the whole group, SIGKILL after `graceMs`. */
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return killGroup(child.pid, 'SIGKILL');
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(child.pid, 'SIGKILL'); // children left behind by the leader of the group
    },
  };
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** A temporary app directory: package.json, files, and node_modules linked to the repository's. */
export function appDir(pkg, files) {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-app-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0.0', ...pkg }, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A plain node:http server on PORT, printing LISTENING <port>. */
export const HTTP_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end('hello ' + process.pid));
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
`;

export async function getJson(url) {
  const res = await fetch(url);
  return { status: res.status, json: await res.json() };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function eventually(fn, ms = 10_000, what = 'condition') {
  const until = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
