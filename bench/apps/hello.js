// Benchmark app: the smallest node:http server.
const http = require('node:http');
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('hello world');
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
