// otelkit demo service: an ordinary Express app with no observability code of its own.
// Run it under the SDK with `npm run demo` (repository root), which sets DATABASE_URL and
// REDIS_URL to this machine's PostgreSQL and Redis unless they are set: the app uses them
// and otelkit's health checks probe the same ones. Its service name, otelkit-demo, comes
// from examples/demo/package.json. It works with or without PostgreSQL and Redis reachable
// (those routes answer 503).
const express = require('express');
const { Pool } = require('pg');
const Redis = require('ioredis');

const PORT = Number(process.env.PORT || 3000);
const pool = new Pool({
  connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  max: 5,
  connectionTimeoutMillis: 2000,
});
pool.on('error', () => {}); // idle-client errors: the next query reports them
const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', {
  lazyConnect: true,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (times) => Math.min(times * 500, 5000),
});
redis.on('error', () => {}); // reported per request below

const app = express();
app.use(express.json());

app.get('/', (req, res) => {
  res.json({ service: 'otelkit-demo', try: ['/users/1', '/slow', '/fail', '/cache/greeting', '/orders', '/upstream'] });
});

// A quick parameterised query.
app.get('/users/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT $1::int AS id, md5($1::text) AS name', [Number(req.params.id) || 0]);
  res.json(rows[0]);
});

// A query over the 100 ms slow-query threshold, with a literal that must never be stored.
app.get('/slow', async (req, res) => {
  const { rows } = await pool.query("SELECT pg_sleep(0.2), 'demo-literal' AS tag");
  res.json({ slept_ms: 200, tag: rows[0].tag });
});

// The classic N+1: one query per order instead of a join.
app.get('/orders', async (req, res) => {
  const orders = [];
  for (let id = 1; id <= 12; id++) {
    const { rows } = await pool.query('SELECT $1::int AS order_id, now() AS at', [id]);
    orders.push(rows[0]);
  }
  res.json({ count: orders.length });
});

// An outgoing call: the app asks a downstream service (itself, here) for a user. The
// request id and the trace go along.
app.get('/upstream', async (req, res) => {
  const answer = await fetch(`http://127.0.0.1:${server.address().port}/users/2`);
  res.status(answer.status).json({ upstream: await answer.json() });
});

app.get('/fail', (req, res) => {
  res.status(500).json({ error: 'demo failure' });
});

app.get('/cache/:key', async (req, res) => {
  if (redis.status === 'wait') await redis.connect().catch(() => {});
  const hits = await redis.incr(`demo:${req.params.key}`);
  res.json({ key: req.params.key, hits });
});

// Express 5 passes rejected promises here: a database that is down answers 503.
app.use((err, req, res, next) => {
  if (res.headersSent) return next(err);
  res.status(503).json({ error: 'dependency unavailable', message: err.message });
});

const server = app.listen(PORT, () => {
  const admin = `http://localhost:${process.env.OTELKIT_ADMIN_PORT || process.env.OTEL_EXPORTER_PROMETHEUS_PORT || 9464}`;
  console.log(`demo listening on http://localhost:${PORT}`);
  console.log(`  try:      curl -i http://localhost:${PORT}/users/1   (also /slow /orders /fail /cache/greeting /upstream)`);
  console.log(`  status:   ${admin}/   (the status page: open it in a browser)`);
  console.log(`  metrics:  ${admin}/metrics   ${admin}/api/metrics`);
  console.log(`  health:   ${admin}/api/health/detailed`);
  console.log(`  APM:      ${admin}/api/performance/apm/stats   ${admin}/api/performance/slow-queries`);
});

process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
function shutdown() {
  server.close(() => {
    Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
  });
}
