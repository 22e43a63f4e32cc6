// Malformed HTTP in the style of nginx-tests: raw bytes over a socket, each case with the status it must
// get and whether the connection must be closed afterwards. Then the whole set again many times while
// the server's resident memory is watched: it must stay flat.
//
// Cases whose connection stays open are followed by a valid request on the same connection, which must
// be answered 200: the server kept its framing.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { startServer } from './server.mjs';

const kMiB = 1024 * 1024;

// Sends `chunks` (strings are latin1; a number is a pause in ms) and collects the bytes until the
// server closes or `settleMs` passes without new data after a response was seen.
function exchange(port, chunks, { settleMs = 250, timeoutMs = 8000, then } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let closed = false;
    let done = false;
    let settle = null;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(settle);
      sock.destroy();
      resolve({ ...parse(buf), closed, raw: buf });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      clearTimeout(settle);
      settle = setTimeout(finish, settleMs);
    });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('error', () => { /* a reset after the answer: 'close' follows */ });
    sock.once('connect', async () => {
      try {
        for (const c of [...chunks, ...(then ? [then] : [])]) {
          if (typeof c === 'number') await new Promise((r) => setTimeout(r, c));
          else if (!sock.destroyed) sock.write(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
        }
      } catch (e) { reject(e); }
    });
  });
}

// The responses in buf: [{status, headers, body}] (bodies by Content-Length).
function parse(buf) {
  const responses = [];
  let rest = buf;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(lines[0]);
    if (!m) break;
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    const len = Number(headers['content-length'] ?? 0);
    responses.push({ status: Number(m[1]), headers, body: rest.subarray(end + 4, end + 4 + len).toString('utf8') });
    rest = rest.subarray(end + 4 + len);
  }
  return { responses, status: responses[0]?.status ?? null };
}

const ok = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';
const req = (head, body = '') => `${head}\r\n\r\n${body}`;
const post = (fields, body = '') => req(`POST /sok HTTP/1.1\r\nHost: localhost\r\n${fields}`, body);

function manySmallChunks(total, size) {
  const out = [post('Transfer-Encoding: chunked')];
  const piece = `${size.toString(16)}\r\n${'a'.repeat(size)}\r\n`;
  let batch = '';
  for (let sent = 0; sent < total; sent += size) {
    batch += piece;
    if (batch.length > 64 * 1024) { out.push(batch); batch = ''; }
  }
  out.push(`${batch}0\r\n\r\n`);
  return out;
}

// [name, chunks, expected status, connection closed after it?]
const kCases = [
  // Framing: Transfer-Encoding and Content-Length (request smuggling).
  ['Transfer-Encoding with Content-Length', [post('Content-Length: 5\r\nTransfer-Encoding: chunked', '0\r\n\r\n')], 400, true],
  ['Content-Length with Transfer-Encoding after it', [post('Transfer-Encoding: chunked\r\nContent-Length: 0', '0\r\n\r\n')], 400, true],
  ['Transfer-Encoding chunked twice in one field', [post('Transfer-Encoding: chunked, chunked', '0\r\n\r\n')], 400, true],
  ['Transfer-Encoding chunked in two fields', [post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked', '0\r\n\r\n')], 400, true],
  ['Transfer-Encoding gzip, chunked', [post('Transfer-Encoding: gzip, chunked', '0\r\n\r\n')], 501, true],
  ['Transfer-Encoding identity', [post('Transfer-Encoding: identity', '')], 501, true],
  ['Transfer-Encoding xchunked', [post('Transfer-Encoding: xchunked', '')], 501, true],
  ['Transfer-Encoding chunked, gzip (chunked not last)', [post('Transfer-Encoding: chunked, gzip', '0\r\n\r\n')], 501, true],
  ['Content-Length twice, different values', [post('Content-Length: 1\r\nContent-Length: 2', 'ab')], 400, true],
  ['Content-Length negative', [post('Content-Length: -1', '')], 400, true],
  ['Content-Length with a plus sign', [post('Content-Length: +1', 'a')], 400, true],
  ['Content-Length not a number', [post('Content-Length: abc', '')], 400, true],
  ['Content-Length of 20 digits', [post('Content-Length: 99999999999999999999', '')], 400, true],
  ['chunk size not hex', [post('Transfer-Encoding: chunked', 'zz\r\nab\r\n0\r\n\r\n')], 400, true],
  ['chunk size negative', [post('Transfer-Encoding: chunked', '-1\r\na\r\n0\r\n\r\n')], 400, true],
  ['chunk size with 0x prefix', [post('Transfer-Encoding: chunked', '0x1\r\na\r\n0\r\n\r\n')], 400, true],
  ['chunk size overflowing 64 bits', [post('Transfer-Encoding: chunked', 'FFFFFFFFFFFFFFFFFFFF\r\na\r\n0\r\n\r\n')], 400, true],
  ['chunk data longer than its size', [post('Transfer-Encoding: chunked', '1\r\nabc\r\n0\r\n\r\n')], 400, true],
  ['chunk size over the body limit', [post('Transfer-Encoding: chunked', `${(2 * kMiB).toString(16)}\r\naaaa`)], 413, true],

  // Host.
  ['no Host in HTTP/1.1', [req('GET / HTTP/1.1')], 400, true],
  ['Host twice', [req('GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example')], 400, true],
  ['Host empty', [req('GET / HTTP/1.1\r\nHost: ')], 400, true],
  ['Host with a slash', [req('GET / HTTP/1.1\r\nHost: a.example/b')], 400, true],
  ['Host with a backslash', [req('GET / HTTP/1.1\r\nHost: a.example\\b')], 400, true],
  ['Host ..', [req('GET / HTTP/1.1\r\nHost: ..')], 400, true],
  ['Host with ..', [req('GET / HTTP/1.1\r\nHost: a..example')], 400, true],
  ['Host with userinfo', [req('GET / HTTP/1.1\r\nHost: user@a.example')], 400, true],
  ['Host with a control character', [req('GET / HTTP/1.1\r\nHost: a\x01example')], 400, true],
  ['Host with a space', [req('GET / HTTP/1.1\r\nHost: a example')], 400, true],
  ['Host with a DEL', [req('GET / HTTP/1.1\r\nHost: a\x7fexample')], 400, true],
  ['Host with a port', [req('GET / HTTP/1.1\r\nHost: guide.example:8080')], 200, false],
  ['Host as an IPv6 literal', [req('GET / HTTP/1.1\r\nHost: [::1]:8080')], 200, false],
  ['HTTP/1.0 without Host', [req('GET / HTTP/1.0')], 200, true],

  // Sizes.
  ['request line over 8 KiB', [req(`GET /${'a'.repeat(8 * 1024)} HTTP/1.1\r\nHost: x`)], 414, true],
  ['request line over 64 KiB', [req(`GET /?q=${'a'.repeat(64 * 1024)} HTTP/1.1\r\nHost: x`)], 414, true],
  ['request line just under 8 KiB', [req(`GET /?q=${'a'.repeat(8 * 1024 - 32)} HTTP/1.1\r\nHost: x`)], 200, false],
  ['one header field over 8 KiB', [req(`GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(8 * 1024)}`)], 431, true],
  ['header fields over 16 KiB in all', [req(`GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 20 }, (_, i) => `X-F${i}: ${'a'.repeat(1000)}`).join('\r\n')}`)], 431, true],
  ['one header field of 20 KiB', [req(`GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(20 * 1024)}`)], 431, true],
  ['a header field of 6 KiB', [req(`GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(6 * 1024)}`)], 200, false],
  ['Content-Length over the body limit', [post(`Content-Length: ${2 * kMiB}`, 'aaaa')], 413, true],
  ['chunked body over the limit in 1 KiB chunks', manySmallChunks(kMiB + 4096, 1024), 413, true],
  ['chunked body over the limit in 16-byte chunks', manySmallChunks(kMiB + 64, 16), 413, true],

  // Methods.
  ['TRACE', [req('TRACE / HTTP/1.1\r\nHost: x')], 405, false],
  ['TRACE with Max-Forwards', [req('TRACE /resurser HTTP/1.1\r\nHost: x\r\nMax-Forwards: 0')], 405, false],
  ['CONNECT', [req('CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443')], 405, true],
  ['DELETE', [req('DELETE / HTTP/1.1\r\nHost: x')], 405, false],
  ['unknown method FOO', [req('FOO / HTTP/1.1\r\nHost: x')], 501, false],
  ['lower-case get (methods are case-sensitive)', [req('get / HTTP/1.1\r\nHost: x')], 501, false],
  ['a method with a bracket', [req('G(T / HTTP/1.1\r\nHost: x')], 400, true],

  // Bytes that must never be in a request head.
  ['NUL in a header value', [req('GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b')], 400, true],
  ['NUL in a header name', [req('GET / HTTP/1.1\r\nHost: x\r\nX-\x00A: b')], 400, true],
  ['NUL in the target', [req('GET /\x00 HTTP/1.1\r\nHost: x')], 400, true],
  ['bare CR in a header value', [req('GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb')], 400, true],
  ['bare CR ending a header line', [req('GET / HTTP/1.1\r\nHost: x\rX-A: b')], 400, true],
  ['control character in the target', [req('GET /\x01 HTTP/1.1\r\nHost: x')], 400, true],
  ['space before the colon', [req('GET / HTTP/1.1\r\nHost : x')], 400, true],
  ['header line without a colon', [req('GET / HTTP/1.1\r\nHost: x\r\nNoColon')], 400, true],
  // RFC 9112 5.2 lets a server replace an obs-fold by spaces (Beast does) instead of refusing it.
  ['folded header line (obs-fold)', [req('GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b')], 200, false],
  ['folded Host line', [req('GET / HTTP/1.1\r\nHost: x\r\n evil.example')], 400, true],
  ['target not starting with a slash', [req('GET resurser HTTP/1.1\r\nHost: x')], 400, true],
  ['absolute form with a query right after the host', [req('GET http://evil.example?/resurser HTTP/1.1\r\nHost: x')], 400, true],
  ['absolute form with a fragment right after the host', [req('GET http://evil.example#/go/x HTTP/1.1\r\nHost: x')], 400, true],
  ['a fragment in the target', [req('GET /#x HTTP/1.1\r\nHost: x')], 400, true],
  ['absolute form is served by its path', [req('GET http://evil.example/ HTTP/1.1\r\nHost: x')], 200, false],

  // Versions and other protocols.
  ['HTTP/0.9 request', ['GET /\r\n'], 400, true],
  ['HTTP/2 preface', ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'], 505, true],
  ['HTTP/3.0', [req('GET / HTTP/3.0\r\nHost: x')], 505, true],
  ['lower-case protocol name', [req('GET / http/1.1\r\nHost: x')], 400, true],
  ['version 1.1.1', [req('GET / HTTP/1.1.1\r\nHost: x')], 400, true],
  ['HTTP/1.2 (no such version)', [req('GET / HTTP/1.2\r\nHost: x')], 400, true],
  ['TLS ClientHello on the plain port', [Buffer.from('1603010200010001fc0303', 'hex')], 400, true],

  // A bad request after a good one on the same connection: the good one is answered.
  ['pipelined: good then malformed', [ok + 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n'], 200, true],
];

describe('malformed HTTP', { timeout: 240000 }, () => {
  let srv;
  before(async () => {
    // A small ASan quarantine so that freed memory is reused and the resident size says something.
    const asan = `${process.env.ASAN_OPTIONS ? `${process.env.ASAN_OPTIONS}:` : ''}quarantine_size_mb=1`;
    srv = await startServer({ env: { ASAN_OPTIONS: asan } });
  }, { timeout: 30000 });
  after(async () => {
    if (!srv) return;
    const r = await srv.stop();
    srv.cleanup();
    assert.equal(r.code, 0, `server exit: ${JSON.stringify(r)}\n${srv.output()}`);
  });

  it(`answers each of ${kCases.length} malformed requests with the right status and closes where it must`, async () => {
    const problems = [];
    for (const [name, chunks, status, mustClose] of kCases) {
      const r = await exchange(srv.port, chunks, mustClose ? {} : { then: ok });
      if (r.status !== status) {
        problems.push(`${name}: status ${r.status}, expected ${status}: ${JSON.stringify(r.raw.toString('latin1').slice(0, 200))}`);
        continue;
      }
      const first = r.responses[0];
      if (status === 405) {
        // The site's own 405 (the server's for CONNECT): Swedish, never cached, with Allow.
        if (!/Metoden stöds inte/.test(first.body)) problems.push(`${name}: not the Swedish 405 text`);
        if (first.headers['cache-control'] !== 'no-store') problems.push(`${name}: Cache-Control ${first.headers['cache-control']}`);
      } else if (status >= 400) {
        if (!/^text\/html; charset=utf-8$/.test(first.headers['content-type'] ?? '')) problems.push(`${name}: Content-Type ${first.headers['content-type']}`);
        if (first.headers['cache-control'] !== 'no-store') problems.push(`${name}: Cache-Control ${first.headers['cache-control']}`);
        if (first.headers['x-content-type-options'] !== 'nosniff') problems.push(`${name}: no security headers`);
        if (!/<html lang="sv">/.test(first.body)) problems.push(`${name}: not the Swedish error page`);
      }
      if (status === 405 && first.headers.allow !== 'GET, HEAD') problems.push(`${name}: Allow ${first.headers.allow}`);
      if (mustClose) {
        if (!r.closed) problems.push(`${name}: connection left open`);
        if (r.responses.length !== (name.startsWith('pipelined') ? 2 : 1)) problems.push(`${name}: ${r.responses.length} responses`);
        if (name.startsWith('pipelined') && r.responses[1]?.status !== 400) problems.push(`${name}: second answer ${r.responses[1]?.status}`);
        if (mustClose && first.headers.connection !== 'close' && !name.startsWith('pipelined')) problems.push(`${name}: no Connection: close`);
      } else if (r.responses.length !== 2 || r.responses[1].status !== 200) {
        problems.push(`${name}: the connection did not serve the next request (${r.responses.map((x) => x.status).join(', ')}; closed=${r.closed})`);
      }
    }
    console.log(`# malformed cases tried: ${kCases.length}`);
    assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  });

  it('keeps its resident memory flat over 20 rounds of every malformed case', async () => {
    const rss = () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'));
      return Number(m[1]) / 1024;
    };
    const round = async () => {
      for (let i = 0; i < kCases.length; i += 8) {
        await Promise.all(kCases.slice(i, i + 8).map(([, chunks]) => exchange(srv.port, chunks, { settleMs: 50 })));
      }
    };
    for (let i = 0; i < 3; i++) await round();
    const before = rss();
    for (let i = 0; i < 20; i++) await round();
    const afterRss = rss();
    console.log(`# resident memory ${before.toFixed(1)} MB → ${afterRss.toFixed(1)} MB over ${20 * kCases.length} malformed requests`);
    assert.ok(afterRss - before < 16, `resident memory grew from ${before.toFixed(1)} to ${afterRss.toFixed(1)} MB`);
    const home = await exchange(srv.port, [ok]);
    assert.equal(home.status, 200);
  });
});
