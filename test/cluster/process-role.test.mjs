// The preload's rule for "is this process the service?" (src/process-role.ts), on the real
// scripts of npm, cross-env, nodemon and PM2 installed here, and on made-up ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { ROOT, fixture } from '../helpers/app.mjs';

const require = createRequire(import.meta.url);
const { processRole } = require('../../dist/src/process-role.js');

// npm as the machine has it (not necessarily beside this node).
const NPM = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
const NPX = execFileSync('sh', ['-c', 'command -v npx'], { encoding: 'utf8' }).trim();
const role = (script, setting = 'auto') => processRole(setting, [process.execPath, script].filter((x) => x !== undefined));
const tool = (script) => {
  const r = role(script);
  return r.kind === 'wrapper' ? r.tool : 'service';
};

test('package managers: npm and npx (through their bin symlinks too) are wrappers', () => {
  assert.equal(tool(NPM), 'npm', 'bin/npm is a symlink to npm-cli.js');
  assert.equal(tool(NPX), 'npm');
  assert.equal(tool(join(dirname(NPM), '../lib/node_modules/npm/bin/npm-cli.js')), 'npm');
});

test('cross-env, nodemon and PM2 installed here are wrappers; PM2 containers are the service', () => {
  assert.equal(tool(`${ROOT}node_modules/.bin/cross-env`), 'cross-env');
  assert.equal(tool(`${ROOT}node_modules/nodemon/bin/nodemon.js`), 'nodemon');
  assert.equal(tool(`${ROOT}node_modules/.bin/pm2`), 'pm2');
  assert.equal(tool(`${ROOT}node_modules/pm2/lib/Daemon.js`), 'pm2');
  assert.equal(tool(`${ROOT}node_modules/pm2/lib/ProcessContainer.js`), 'service');
  assert.equal(tool(`${ROOT}node_modules/pm2/lib/ProcessContainerFork.js`), 'service');
});

test('an application is the service: a fixture, no script (REPL, -e), a relative path', () => {
  assert.equal(tool(fixture('cjs-app.js')), 'service');
  assert.equal(tool(undefined), 'service');
  assert.equal(tool('test/fixtures/cjs-app.js'), 'service');
});

test('made-up packages: tsx and ts-node-dev parents are wrappers, the wrap.js child is the service; yarn release files by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-role-'));
  try {
    const pkg = (path, name) => {
      mkdirSync(join(dir, path), { recursive: true });
      writeFileSync(join(dir, path, 'package.json'), JSON.stringify(name === undefined ? { type: 'module' } : { name }));
    };
    const file = (path) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), '');
      return join(dir, path);
    };
    pkg('node_modules/tsx', 'tsx');
    pkg('node_modules/tsx/dist', undefined); // a nested package.json without a name is skipped
    pkg('node_modules/ts-node-dev', 'ts-node-dev');
    pkg('app', 'my-app');
    assert.equal(tool(file('node_modules/tsx/dist/cli.mjs')), 'tsx');
    assert.equal(tool(file('node_modules/ts-node-dev/lib/bin.js')), 'ts-node-dev');
    assert.equal(tool(file('node_modules/ts-node-dev/lib/wrap.js')), 'service');
    assert.equal(tool(file('app/.yarn/releases/yarn-4.5.1.cjs')), 'yarn');
    assert.equal(tool(file('app/server.js')), 'service');
    assert.equal(tool(file('node_modules/other/node_modules/tsx-like/index.js')), 'service', 'the walk stops at node_modules');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OTELKIT_PROCESS_ROLE overrides the rule both ways', () => {
  assert.deepEqual(role(NPM, 'service'), { kind: 'service' });
  assert.equal(role(fixture('cjs-app.js'), 'wrapper').kind, 'wrapper');
});

test('config: OTELKIT_PROCESS_ROLE is read from the table; PM2\'s pm2_env is read as its container will', () => {
  const { loadConfig, serviceEnvironment } = require('../../dist/src/config.js');
  assert.equal(loadConfig({}).processRole, 'auto');
  const warnings = [];
  assert.equal(loadConfig({ OTELKIT_PROCESS_ROLE: 'maybe' }, (w) => warnings.push(w)).processRole, 'auto');
  assert.equal(warnings.length, 1);
  const env = serviceEnvironment({ A: '1', pm2_env: JSON.stringify({ OTEL_SERVICE_NAME: 'from-pm2', pm_exec_path: '/srv/app.js', instances: 2, env: { nested: 1 } }) });
  const config = loadConfig(env);
  assert.equal(config.serviceName, 'from-pm2');
  assert.equal(config.pm2ExecPath, '/srv/app.js');
  assert.equal(env.instances, '2');
  assert.equal(env.env, undefined, 'objects are not flattened into strings');
  assert.deepEqual(serviceEnvironment({ pm2_env: '{not json' }), { pm2_env: '{not json' });
});
