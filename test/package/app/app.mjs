// The ES-module form: `node --import otelkit/register app.mjs`, named imports from otelkit.
import http from 'node:http';
import { trace, getRequestId } from 'otelkit';

const server = http.createServer((req, res) => res.end(JSON.stringify({ id: getRequestId(), traced: trace('esm-work')(() => 42)() })));
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
