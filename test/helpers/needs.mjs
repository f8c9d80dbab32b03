// Tests that need a tool or a service this machine may lack: outside CI they skip with a
// message saying what to install; in CI (CI set, as .ci/run does) they run and fail loudly.
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';

const INSTALL = {
  promtool: 'apt-get install prometheus',
  prometheus: 'apt-get install prometheus',
  amtool: 'apt-get install prometheus-alertmanager',
  'prometheus-alertmanager': 'apt-get install prometheus-alertmanager',
  wrk: 'apt-get install wrk',
  chromium: 'apt-get install chromium',
};

function hasCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `{ skip }` option for test(): false when every command is there (or in CI). */
export function needsCommands(...commands) {
  const missing = commands.filter((c) => !hasCommand(c));
  if (missing.length === 0 || process.env.CI) return false;
  return `needs ${missing.join(', ')} (${[...new Set(missing.map((c) => INSTALL[c] ?? `install ${c}`))].join('; ')}; .ci/run installs them)`;
}

function reachable(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const SERVICES = { mariadb: 3306, rabbitmq: 5672, postgresql: 5432, redis: 6379 };

/** `{ skip }` option for test(): false when every service answers on its port (or in CI). */
export async function needsServices(...names) {
  const missing = [];
  for (const name of names) if (!(await reachable(SERVICES[name]))) missing.push(name);
  if (missing.length === 0 || process.env.CI) return false;
  return `needs ${missing.map((n) => `${n} on 127.0.0.1:${SERVICES[n]}`).join(', ')} (.ci/run starts them)`;
}
