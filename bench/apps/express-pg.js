// Benchmark app: an Express route running one PostgreSQL query through a pg pool.
const express = require('express');
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test', max: 10 });
const app = express();
app.get('/users/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT $1::int AS id, $2::text AS name', [Number(req.params.id), 'user']);
  res.json(rows[0]);
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
