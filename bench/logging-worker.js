// Worker for bench/logging.mjs, run in its own process.
//   lines-otelkit <file> <n>   n JSON lines through otelkit's logger (preloaded, LOG_FILE=<file>)
//   lines-winston <file> <n>   the same lines through a bare winston logger (Console + File, JSON)
//   hello                      a hello-world node:http server; prints LISTENING <port>
// The lines modes print {"loopNs", "totalNs", "cpuUs"} on stderr: the time the logging
// calls took, the time until the last line was in the file, and the CPU time the process
// spent meanwhile (all threads: formatting, writing, the thread pool's file writes).
const { openSync, readSync, fstatSync, closeSync } = require('node:fs');

const [mode, file, count] = process.argv.slice(2);
const LAST = '"seq":-2';

function tailHas(path, needle) {
  let fd;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(512, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8').includes(needle);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function run(logger) {
  const n = Number(count);
  const meta = (seq) => ({ seq, user: 'u-123', route: '/users/:id', status: 200 });
  for (let i = 0; i < 2000; i++) logger.info('line written for the benchmark', meta(-1));
  setTimeout(() => {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) logger.info('line written for the benchmark', meta(i));
    logger.info('line written for the benchmark', meta(-2));
    const loopNs = Number(process.hrtime.bigint() - started);
    const poll = () => {
      if (tailHas(file, LAST)) {
        const used = process.cpuUsage(cpu);
        process.stderr.write(`${JSON.stringify({ loopNs, totalNs: Number(process.hrtime.bigint() - started), cpuUs: used.user + used.system })}\n`);
        process.exit(0);
      }
      setTimeout(poll, 1);
    };
    poll();
  }, 500);
}

if (mode === 'lines-otelkit') {
  run(require('otelkit').logger); // LOG_FILE=<file> is a link to the current file
} else if (mode === 'lines-winston') {
  const winston = require('winston');
  run(winston.createLogger({
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'bench' },
    transports: [new winston.transports.Console(), new winston.transports.File({ filename: file })],
  }));
} else if (mode === 'hello') {
  const http = require('node:http');
  const server = http.createServer((req, res) => res.end('hello'));
  server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
}
