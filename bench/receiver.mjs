// A cheap OTLP/HTTP sink for the benchmark: reads each export, counts it, answers 200.
// It runs in its own process, on the load generator's core.
import { createServer } from 'node:http';
let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  req.on('data', (c) => { bytes += c.length; });
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-type': req.headers['content-type'] || 'application/x-protobuf' });
    res.end();
  });
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
process.on('SIGTERM', () => {
  console.log(`RECEIVED ${requests} ${bytes}`);
  process.exit(0);
});
