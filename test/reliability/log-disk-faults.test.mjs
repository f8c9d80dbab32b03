// LOG_FILE rotating under 2,000 lines/s when the disk fills up (a real, tiny tmpfs) or
// the directory turns read-only mid-run: the app does not crash and logs on to the
// console, every line written before the fault is in the files exactly once (no gap, no
// repeat), one warning per cause, file descriptors flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, fixture, freePort } from '../helpers/app.mjs';
import { jsonLines, logFiles } from '../helpers/logs.mjs';

/** Mounts a tmpfs of `size` (root only); undefined when this machine does not allow it. */
function tinyDisk(size) {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir], { stdio: 'ignore' });
    return { dir, cleanup: () => { execFileSync('umount', [dir]); rmSync(dir, { recursive: true }); } };
  } catch {
    rmSync(dir, { recursive: true });
    return undefined;
  }
}
/** How to start the app so that a directory made read-only refuses it. Root ignores file
 *  modes, so as root the app runs without the capabilities that bypass them (setpriv drops
 *  them from the bounding set, which a root execve starts from); any other user is already
 *  refused by a 0555 directory. Running as root's own uid keeps a checkout in a 0700
 *  directory readable. */
function unprivileged() {
  if (process.getuid?.() !== 0) return {};
  const setpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' });
  if (setpriv.status !== 0) return undefined;
  return { execPath: 'setpriv', nodeArgs: ['--bounding-set=-dac_override,-dac_read_search,-fowner', process.execPath] };
}
const launch = unprivileged();

const canMount = (() => {
  const disk = process.getuid?.() === 0 ? tinyDisk('64k') : undefined;
  disk?.cleanup();
  return disk !== undefined;
})();

/** Runs log-burst.js (10,000 lines in 5 s) to its end; `during(app)` runs once it has started. */
async function burst(env, { launch: how, during } = {}) {
  const app = await startApp(fixture('log-burst.js'), {
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ENABLE_JSON_LOGS: 'true', LOG_MAX_SIZE: '50k', LOG_MAX_FILES: '1000', RATE: '2000', DURATION_MS: '5000', ...env },
    readyPattern: /"instrumentations"(?<port>)/,
    ...how,
  });
  const fds = [];
  const sampler = setInterval(() => {
    try {
      fds.push(readdirSync(`/proc/${app.child.pid}/fd`).length);
    } catch {
      // exited
    }
  }, 100);
  const duringDone = during?.(app);
  const { code, signal } = await app.exited;
  clearInterval(sampler);
  await duringDone;
  return { code, signal, fds, stdout: app.stdout(), stderr: app.stderr() };
}

/**
 * What reached the files: sequence numbers, and whether they form one gap-free prefix. A
 * .gz holding exactly its plain file's lines is a compression the fault cut short after
 * the archive was written but before the plain file could be removed (a directory turned
 * read-only refuses both removals); the next start deletes such a .gz
 * (test/regression/retention-at-start.test.mjs), so it is counted once. Any other .gz
 * beside a plain file still counts.
 */
function filed(dir) {
  const files = logFiles(dir);
  const plain = new Map(files.filter((f) => !f.gz).map((f) => [f.name, f.text]));
  const kept = files.filter((f) => !(f.gz && plain.get(f.name.slice(0, -3)) === f.text));
  const seqs = kept.flatMap((f) => jsonLines(f.text)).filter((l) => l.message === 'burst').map((l) => l.seq);
  const distinct = new Set(seqs);
  const last = Math.max(-1, ...seqs);
  let missing = 0;
  for (let i = 0; i <= last; i++) if (!distinct.has(i)) missing++;
  return { lines: seqs.length, repeated: seqs.length - distinct.size, last, missing, files: kept.length, cutShort: files.length - kept.length };
}

function check(run, dir, cause) {
  assert.deepEqual({ code: run.code, signal: run.signal }, { code: 0, signal: null }, `no crash:\n${run.stderr}`);
  const consoleLines = jsonLines(run.stdout).filter((l) => l.message === 'burst').length;
  assert.equal(consoleLines, 10_000, 'the console got every line');
  const f = filed(dir);
  assert.ok(f.last > 500 && f.last < 9_999, `the fault came mid-run (last line in the files: ${f.last})`);
  assert.equal(f.missing, 0, 'no line missing before the fault');
  assert.equal(f.repeated, 0, 'no line repeated');
  const warnings = run.stdout.split('\n').filter((l) => l.includes('cannot be written'));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], cause);
  assert.doesNotMatch(run.stderr, /TypeError|Unhandled|uncaught/i);
  const before = run.fds.slice(0, 5);
  const spread = Math.max(...run.fds) - Math.min(...before);
  assert.ok(spread <= 12 && run.fds.at(-1) <= Math.max(...before) + 2, `fds ${run.fds.join(',')}`);
  const diag = run.stderr.split('\n').filter(Boolean);
  return { ...f, consoleLines, fdsFirst: run.fds[0], fdsMax: Math.max(...run.fds), fdsLast: run.fds.at(-1), diag: diag.length, diagText: diag.map((l) => l.replace(/\/tmp\/otelkit-[^/]+\//g, '…/').slice(0, 160)).join(' | ') };
}

const figure = (r) => `${r.lines} lines in ${r.files} files up to the fault (missing 0, repeated ${r.repeated}${r.cutShort ? `; ${r.cutShort} archive cut short beside its plain file` : ''}), console ${r.consoleLines}/10000, `
  + `fds ${r.fdsFirst} → max ${r.fdsMax} → ${r.fdsLast}, otelkit warnings: 1 in the log${r.diag ? ` + ${r.diag} diagnostic (${r.diagText})` : ''}`;

test('disk full (ENOSPC on a 160 KB tmpfs) while rotating with gzip: no crash, no gap, fds flat', { skip: !canMount && 'cannot mount a tmpfs here (needs root)' }, async () => {
  const disk = tinyDisk('160k');
  try {
    const run = await burst({ LOG_FILE: join(disk.dir, 'app.log'), LOG_ZIP_ARCHIVES: 'true' });
    const r = check(run, disk.dir, /\(ENOSPC\)/);
    console.log(`# ENOSPC (tmpfs 160 KB, rotation at 50 KB, gzip, 2,000 lines/s): ${figure(r)}`);
  } finally {
    disk.cleanup();
  }
});

test('directory made read-only mid-run: no crash, no gap, fds flat', { skip: !launch && 'root without setpriv cannot be refused by file modes' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-ro-'));
  try {
    const run = await burst({ LOG_FILE: join(dir, 'app.log'), LOG_ZIP_ARCHIVES: 'true' }, {
      launch,
      during: async () => {
        await new Promise((r) => setTimeout(r, 1500));
        chmodSync(dir, 0o555);
      },
    });
    const r = check(run, dir, /\(EACCES\)/);
    const who = launch.execPath ? 'root without CAP_DAC_OVERRIDE' : `uid ${process.getuid?.()}`;
    console.log(`# read-only directory (chmod 555 after 1.5 s, app as ${who}, rotation at 50 KB, gzip, 2,000 lines/s): ${figure(r)}`);
  } finally {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true });
  }
});
