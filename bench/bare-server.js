// The baseline of bench/demo-gateway.js: a bare node:http server answering a small JSON body,
// in its own process. It prints one JSON line with its URL, and ends when its stdin closes
// (that is, when the bench process goes away, however it ends).
import { createServer } from 'node:http';

// About the size of the demo's /room/info answer, so both sides move the same bytes.
const body = JSON.stringify({ room_id: '1', title: 'Room 1', viewers: 0, hot: false, served_from: 'storage' });
const length = String(Buffer.byteLength(body));

const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
  response.end(body);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});

process.stdin.resume();
process.stdin.once('end', () => process.exit(0));
process.stdin.once('close', () => process.exit(0));
