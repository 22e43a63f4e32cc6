// Black-box tests of the HTTP layer: ETags and 304, content negotiation, HEAD, security headers,
// static assets, methods, header limits, keep-alive and pipelining. One server for the whole file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, binPath, contentDir } from './server.mjs';
import { loadContent, kNotFoundPath } from './content.mjs';
import {
  get, request, decodeBody, stylesheetHrefs, rawConnect, kSecurityHeaders,
} from './http.mjs';

const content = loadContent();
const cat = content.categories[0];
const res0 = content.resources.find((r) => r.category !== '') ?? content.resources[0];
const samplePages = [
  '/',
  `/kategorier/${cat.slug}`,
  `/kategorier/${cat.slug}/${cat.levels[0]}`,
  `/kategorier/${cat.slug}/alla-nivaer`,
  `/nivaer/${content.levels[0].slug}`,
  `/resurser/${res0.slug}`,
];
const encodings = [undefined, 'gzip', 'br'];
const kYear = 31536000;

let srv;
let cssPath; // the start page's first stylesheet

function aeHeaders(ae) {
  return ae === undefined ? {} : { 'Accept-Encoding': ae };
}

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

function varyHasAcceptEncoding(v) {
  return (v ?? '').split(',').map((s) => s.trim().toLowerCase()).includes('accept-encoding');
}

describe('HTTP behaviour', { timeout: 90000 }, () => {
  before(async () => {
    srv = await startServer();
    const home = await get(srv.baseUrl, '/');
    cssPath = stylesheetHrefs(home.body.toString('utf8'))[0];
  }, { timeout: 30000 });
  after(async () => {
    if (srv) {
      const r = await srv.stop();
      srv.cleanup();
      assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}\n${srv.output()}`);
    }
  });

  it('sends a strong ETag, and If-None-Match with it answers 304 with no body and the same ETag, for each Accept-Encoding', async () => {
    const problems = [];
    for (const p of samplePages) {
      for (const ae of encodings) {
        const what = `GET ${p} (Accept-Encoding: ${ae ?? 'none'})`;
        const res = await get(srv.baseUrl, p, aeHeaders(ae));
        const etag = res.headers.etag;
        if (res.status !== 200) { problems.push(`${what}: status ${res.status}`); continue; }
        if (etag === undefined) { problems.push(`${what}: no ETag`); continue; }
        if (!/^"[\x21\x23-\x7e]*"$/.test(etag)) problems.push(`${what}: ETag ${etag} is not a strong entity tag`);
        if (!varyHasAcceptEncoding(res.headers.vary)) problems.push(`${what}: Vary ${JSON.stringify(res.headers.vary)} lacks Accept-Encoding`);
        const cond = await get(srv.baseUrl, p, { ...aeHeaders(ae), 'If-None-Match': etag });
        if (cond.status !== 304) problems.push(`${what} If-None-Match ${etag}: status ${cond.status}, expected 304`);
        if (cond.body.length !== 0) problems.push(`${what} If-None-Match: 304 with ${cond.body.length} body bytes`);
        if (cond.headers.etag !== etag) problems.push(`${what} If-None-Match: 304 ETag ${cond.headers.etag}, expected ${etag}`);
        if (!varyHasAcceptEncoding(cond.headers.vary)) problems.push(`${what} If-None-Match: 304 lacks Vary: Accept-Encoding (RFC 9110 15.4.5)`);
      }
    }
    fail(problems);
  });

  it('compares If-None-Match as RFC 9110 says: another tag → 200, a list holding the tag → 304, W/ form → 304', async () => {
    const p = samplePages[0];
    const res = await get(srv.baseUrl, p, { 'Accept-Encoding': 'br' });
    const etag = res.headers.etag;
    assert.ok(etag, 'no ETag');
    const other = await get(srv.baseUrl, p, { 'Accept-Encoding': 'br', 'If-None-Match': '"no-such-tag"' });
    assert.equal(other.status, 200, 'If-None-Match with another tag');
    const list = await get(srv.baseUrl, p, { 'Accept-Encoding': 'br', 'If-None-Match': `"no-such-tag", ${etag}` });
    assert.equal(list.status, 304, `If-None-Match: "no-such-tag", ${etag}`);
    const weak = await get(srv.baseUrl, p, { 'Accept-Encoding': 'br', 'If-None-Match': `W/${etag}` });
    assert.equal(weak.status, 304, `If-None-Match: W/${etag} (weak comparison applies to If-None-Match)`);
  });

  it('negotiates gzip and br (br preferred), identity without Accept-Encoding; all decode to the same bytes', async () => {
    const cases = [
      [undefined, undefined],
      ['identity', undefined],
      ['gzip', 'gzip'],
      ['br', 'br'],
      ['gzip, deflate, br', 'br'],
      ['br, gzip', 'br'],
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip;q=1.0, br;q=0', 'gzip'],
      ['deflate', undefined],
    ];
    const problems = [];
    for (const p of samplePages) {
      const plain = await get(srv.baseUrl, p);
      for (const [ae, want] of cases) {
        const what = `GET ${p} (Accept-Encoding: ${ae ?? 'none'})`;
        const res = await get(srv.baseUrl, p, aeHeaders(ae));
        const got = res.headers['content-encoding'] === 'identity' ? undefined : res.headers['content-encoding'];
        if (got !== want) { problems.push(`${what}: Content-Encoding ${got ?? 'identity'}, expected ${want ?? 'identity'}`); continue; }
        if (Number(res.headers['content-length']) !== res.body.length) problems.push(`${what}: Content-Length ${res.headers['content-length']} but ${res.body.length} bytes`);
        let decoded;
        try { decoded = decodeBody(res); } catch (e) { problems.push(`${what}: body does not decode: ${e.message}`); continue; }
        if (!decoded.equals(plain.body)) problems.push(`${what}: decoded body (${decoded.length} bytes) differs from the identity body (${plain.body.length} bytes)`);
      }
    }
    fail(problems);
  });

  it('answers HEAD with the status and headers of GET (same Content-Length) and no body', async () => {
    const problems = [];
    if (!cssPath) problems.push('the start page links no stylesheet');
    const paths = [...samplePages.slice(0, 3), `/resurser/${res0.slug}`, `/go/${res0.slug}`, kNotFoundPath, '/healthz', cssPath].filter(Boolean);
    for (const p of paths) {
      for (const ae of [undefined, 'br']) {
        const what = `${p} (Accept-Encoding: ${ae ?? 'none'})`;
        const g = await get(srv.baseUrl, p, aeHeaders(ae));
        const h = await request(srv.baseUrl, p, { method: 'HEAD', headers: aeHeaders(ae) });
        if (h.status !== g.status) problems.push(`HEAD ${what}: status ${h.status}, GET gave ${g.status}`);
        if (h.body.length !== 0) problems.push(`HEAD ${what}: ${h.body.length} body bytes`);
        const names = new Set([...Object.keys(g.headers), ...Object.keys(h.headers)]);
        names.delete('date');
        for (const n of names) {
          if (JSON.stringify(g.headers[n]) !== JSON.stringify(h.headers[n])) {
            problems.push(`HEAD ${what}: ${n}: ${JSON.stringify(h.headers[n])}, GET gave ${JSON.stringify(g.headers[n])}`);
          }
        }
      }
    }
    // On the wire: a HEAD response is followed directly by the next response, no body in between.
    const conn = await rawConnect(srv.port);
    try {
      conn.write('HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: br\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const [head, next] = await conn.read(['HEAD', 'GET']);
      if (head.status !== 200) problems.push(`raw HEAD /: status ${head.status}`);
      if (next.status !== 200 || next.body.toString().trim() !== 'ok') problems.push(`raw HEAD / then GET /healthz: second response ${next.statusLine} ${JSON.stringify(next.body.toString().slice(0, 40))}`);
    } catch (e) {
      problems.push(`raw HEAD / then GET /healthz on one connection: ${e.message}`);
    } finally {
      conn.end();
    }
    fail(problems);
  });

  it('sends the security headers on every kind of response (200, 304, 302, 404, 405, /healthz, CSS, HEAD)', async () => {
    assert.ok(cssPath, 'the start page links no stylesheet');
    const home = await get(srv.baseUrl, '/', { 'Accept-Encoding': 'br' });
    const kinds = [
      ['200 page', '/', {}],
      ['200 page, br', '/', { 'Accept-Encoding': 'br' }],
      ['304', '/', { 'Accept-Encoding': 'br', 'If-None-Match': home.headers.etag ?? '"x"' }],
      ['302 /go/', `/go/${res0.slug}`, {}],
      ['404', kNotFoundPath, {}],
      ['404 /go/', '/go/unknown-slug', {}],
      ['405', '/', {}, 'POST'],
      ['/healthz', '/healthz', {}],
      ['static CSS', cssPath, {}],
      ['HEAD page', '/', {}, 'HEAD'],
    ];
    const problems = [];
    for (const [kind, p, headers, method = 'GET'] of kinds) {
      const what = `${kind}: ${method} ${p}`;
      const res = await request(srv.baseUrl, p, { method, headers });
      for (const [name, value] of Object.entries(kSecurityHeaders)) {
        if (res.headers[name] !== value) problems.push(`${what} (status ${res.status}): ${name}: ${JSON.stringify(res.headers[name])}, expected ${JSON.stringify(value)}`);
      }
      if (res.headers['strict-transport-security'] !== undefined) problems.push(`${what}: Strict-Transport-Security sent over plain http`);
      if (res.headers['set-cookie'] !== undefined) problems.push(`${what}: Set-Cookie ${JSON.stringify(res.headers['set-cookie'])}`);
      if (res.headers.server !== undefined && /\d/.test(res.headers.server)) problems.push(`${what}: Server ${JSON.stringify(res.headers.server)} shows a version`);
      const ct = res.headers['content-type'];
      if (ct === undefined && res.body.length > 0) problems.push(`${what}: ${res.body.length} body bytes without Content-Type`);
      if (ct !== undefined && /^text\//i.test(ct) && !/;\s*charset=utf-8\s*$/i.test(ct)) problems.push(`${what}: Content-Type ${JSON.stringify(ct)} lacks charset=utf-8`);
      if (kind === '304' && res.status !== 304) problems.push(`${what}: status ${res.status}, expected 304`);
    }
    fail(problems);
  });

  it('links the stylesheet as /static/<name>.<hash>.css, served as text/css with a year-long immutable Cache-Control', async () => {
    const home = await get(srv.baseUrl, '/');
    const sheets = stylesheetHrefs(home.body.toString('utf8'));
    assert.ok(sheets.length > 0, 'the start page links no stylesheet');
    const problems = [];
    for (const s of sheets) {
      if (!/^\/static\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{6,}\.css$/.test(s)) { problems.push(`stylesheet href ${s} is not /static/<name>.<hash>.css`); continue; }
      const res = await get(srv.baseUrl, s);
      if (res.status !== 200) { problems.push(`GET ${s}: status ${res.status}`); continue; }
      if (res.headers['content-type'] !== 'text/css; charset=utf-8') problems.push(`GET ${s}: Content-Type ${res.headers['content-type']}`);
      if (res.body.length === 0) problems.push(`GET ${s}: empty body`);
      const cc = res.headers['cache-control'] ?? '';
      if (!/(^|[\s,])immutable([\s,]|$)/i.test(cc)) problems.push(`GET ${s}: Cache-Control ${JSON.stringify(cc)} lacks immutable`);
      const maxAge = /(?:^|[\s,])max-age=(\d+)/i.exec(cc);
      if (!maxAge || Number(maxAge[1]) < kYear) problems.push(`GET ${s}: Cache-Control ${JSON.stringify(cc)}: max-age below ${kYear}`);
    }
    fail(problems);
  });

  it('answers unsupported methods with 405 and an Allow header listing GET and HEAD', async () => {
    const problems = [];
    for (const [method, p] of [['POST', '/'], ['DELETE', '/'], ['PUT', `/resurser/${res0.slug}`], ['POST', `/go/${res0.slug}`]]) {
      const res = await request(srv.baseUrl, p, { method, headers: { 'Content-Length': '0' } });
      if (res.status !== 405) problems.push(`${method} ${p}: status ${res.status}, expected 405`);
      const allow = (res.headers.allow ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      if (!allow.includes('GET') || !allow.includes('HEAD')) problems.push(`${method} ${p}: Allow ${JSON.stringify(res.headers.allow)}, expected GET and HEAD`);
      if (allow.includes(method)) problems.push(`${method} ${p}: Allow ${JSON.stringify(res.headers.allow)} lists ${method}`);
    }
    fail(problems);
  });

  it('answers a request whose headers exceed 16 KiB with 431 or closes the connection, and keeps serving', async () => {
    const big = [
      ['one 20 KiB header', `X-Big: ${'a'.repeat(20 * 1024)}\r\n`],
      ['200 headers of 100 bytes', Array.from({ length: 200 }, (_, i) => `X-H${i}: ${'b'.repeat(92)}\r\n`).join('')],
    ];
    const problems = [];
    for (const [name, headerBlock] of big) {
      const conn = await rawConnect(srv.port);
      conn.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n${headerBlock}\r\n`);
      try {
        const [res] = await conn.read(['GET'], 8000);
        if (res.status !== 431) problems.push(`${name}: status ${res.status}, expected 431 (or a closed connection)`);
      } catch (e) {
        if (!conn.closed) problems.push(`${name}: neither 431 nor closed: ${e.message}`);
      } finally {
        conn.end();
      }
      const after = await get(srv.baseUrl, '/healthz');
      if (after.status !== 200) problems.push(`${name}: GET /healthz afterwards: status ${after.status}`);
    }
    fail(problems);
  });

  it('keeps a connection alive for a second request', async () => {
    const conn = await rawConnect(srv.port);
    try {
      conn.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const [a] = await conn.read(['GET']);
      assert.equal(a.status, 200, 'first response');
      assert.notEqual((a.headers.connection ?? '').toLowerCase(), 'close', 'first response closes the connection');
      conn.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const [b] = await conn.read(['GET']);
      assert.equal(b.status, 200, 'second response on the same connection');
      assert.match(b.body.toString('utf8'), /<html\b/i);
    } finally {
      conn.end();
    }
  });

  it('reads a body that arrives after its header in a later packet, then the next request on the connection', async () => {
    const conn = await rawConnect(srv.port);
    try {
      conn.write('POST /sok HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhej');
      await new Promise((r) => setTimeout(r, 150));
      conn.write(' pa dig');
      await new Promise((r) => setTimeout(r, 150));
      conn.write('!GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const [a, b] = await conn.read(['POST', 'GET']);
      assert.deepEqual([a.status, b.status, b.body.toString('utf8').trim()], [405, 200, 'ok']);
    } finally {
      conn.end();
    }
  });

  it('refuses to start a second server on a port that is already served, and the first keeps serving', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cyberguide-second-'));
    const second = spawnSync(binPath, ['serve', '--listen', '127.0.0.1', '--port', String(srv.port), '--data', dir,
      '--content', contentDir], { encoding: 'utf8', timeout: 20000 });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.notEqual(second.status, 0, `second server exited ${second.status}\n${second.stdout}\n${second.stderr}`);
    assert.match(second.stderr + second.stdout, new RegExp(`kan inte lyssna på 127\\.0\\.0\\.1:${srv.port}`));
    const res = await get(srv.baseUrl, '/healthz');
    assert.equal(res.status, 200);
  });

  it('answers three pipelined requests sent in one write, in order', async () => {
    assert.ok(cssPath, 'the start page links no stylesheet');
    const conn = await rawConnect(srv.port);
    try {
      conn.write(
        'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
        + `GET ${kNotFoundPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`
        + `GET ${cssPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      const [a, b, c] = await conn.read(['GET', 'GET', 'GET']);
      assert.deepEqual(
        [a.status, a.body.toString('utf8').trim(), b.status, b.headers['content-type'], c.status, c.headers['content-type']],
        [200, 'ok', 404, 'text/html; charset=utf-8', 200, 'text/css; charset=utf-8']);
    } finally {
      conn.end();
    }
  });
});
