// Benchmark app: the smallest node:http server, as an ES module (start-up under --import).
import http from 'node:http';

const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('hello world');
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
