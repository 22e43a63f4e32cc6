// Black-box test of the security headers on every kind of response, and of the session cookie.
//
// The set (src/site/headers.hpp, added by the server to every response, errors and redirects
// included): Server, Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
// Cross-Origin-Opener-Policy, Cross-Origin-Resource-Policy, X-Frame-Options — each exactly once with
// its exact value — and Strict-Transport-Security only when the server runs with
// `--public-url https://…`. Cache-Control, also exactly once and exact, per kind of response:
//   reader pages, robots.txt, the trailing-slash 301, and their 304s   public, max-age=300
//   static assets (content-hashed) and their 304s                     public, max-age=31536000, immutable
//   /sok, /go/{slug} 302, /healthz                                     no-store
//   every 4xx/5xx error page (400, 404, 405, 408, 413, 431, 500)       no-store
//   everything under /admin (pages, 303s, 302 of the preview, CSV)     no-store (+ X-Robots-Tag: noindex, nofollow)
// Readers get no cookie, ever (not even when their browser sends one). The session cookie
// (docs/admin.md): cg_session / __Host-cg_session; HttpOnly; SameSite=Strict; Path=/; no Domain;
// Secure exactly when public_url is https; logout expires it (Max-Age=0).
//
// Two servers, started in parallel: plain HTTP, and `--public-url https://guide.example` (HSTS,
// Secure cookie; also --read-timeout-ms 1000 for a quick 408). Both with
// CYBERGUIDE_FAULT_INJECTION=1, so that GET /__fault answers 500.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startServer } from './server.mjs';
import { loadContent } from './content.mjs';
import { kSecurityHeaders } from './http.mjs';
import { addUser, stopServer } from './admin.mjs';

const kExpected = { server: 'cyberguide', ...kSecurityHeaders };
const kHsts = 'max-age=31536000; includeSubDomains';
const kPageCache = 'public, max-age=300';
const kAssetCache = 'public, max-age=31536000, immutable';
const kNoStore = 'no-store';
// The reader's 404 page is the same for everyone and carries an ETag: caches may keep it but must ask again.
const kNotFoundCache = 'no-cache';
const kHttpsOrigin = 'https://guide.example';
const kFaultEnv = { CYBERGUIDE_FAULT_INJECTION: '1' };
const kUser = { name: 'rubrik', role: 'admin', password: 'rubrikernas långa lösenord 42' };

const content = loadContent();
const cat = content.categories[0];
const resource = content.resources.find((r) => r.category !== '') ?? content.resources[0];

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

// ---------------------------------------------------------------------------------------------
// Requests that keep every header line as sent (duplicates included).

/** One request on its own connection; `lines` are the header lines [lower-case name, value] in order. */
function fetchRaw(baseUrl, reqPath, { method = 'GET', headers = {}, body, timeoutMs = 15000 } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: reqPath, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const lines = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, lines, body: buf, text: buf.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${reqPath}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes `text` on a new TCP connection and parses the first response from what arrives until the server closes. */
function rawExchange(port, text, { timeoutMs = 8000, keepWriting } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); finish(true); }, timeoutMs);
    let done = false;
    function finish(timedOut) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) { reject(new Error(`no response head${timedOut ? ` within ${timeoutMs} ms` : ''}: ${JSON.stringify(buf.toString('latin1').slice(0, 200))}`)); return; }
      const [statusLine, ...rest] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!m) { reject(new Error(`not a status line: ${JSON.stringify(statusLine)}`)); return; }
      const lines = rest.map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]; });
      const body = buf.subarray(end + 4);
      resolve({ status: Number(m[1]), lines, body, text: body.toString('utf8') });
    }
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); });
    sock.on('close', () => finish(false));
    sock.on('error', () => { /* a reset after the response: parse what arrived */ });
    sock.on('connect', () => {
      sock.write(text);
      if (keepWriting) keepWriting(sock);
    });
  });
}

function all(res, name) {
  return res.lines.filter(([k]) => k === name).map(([, v]) => v);
}
function one(res, name) {
  const v = all(res, name);
  return v.length === 1 ? v[0] : undefined;
}

/**
 * Problems with the headers of one response.
 * @param {object} o  cache: exact Cache-Control; hsts: whether HSTS must be there; admin: X-Robots-Tag;
 *                    cookies: 'none' (reader and most admin responses) or anything else (not checked here)
 */
function headerProblems(what, res, { cache, hsts, admin = false, cookies = 'none' }) {
  const p = [];
  for (const [name, value] of Object.entries(kExpected)) {
    const v = all(res, name);
    if (v.length !== 1) p.push(`${what}: ${name} appears ${v.length} times ${JSON.stringify(v)}, expected once: ${JSON.stringify(value)}`);
    else if (v[0] !== value) p.push(`${what}: ${name}: ${JSON.stringify(v[0])}, expected ${JSON.stringify(value)}`);
  }
  const h = all(res, 'strict-transport-security');
  if (hsts) {
    if (h.length !== 1 || h[0] !== kHsts) p.push(`${what}: Strict-Transport-Security ${JSON.stringify(h)}, expected exactly ${JSON.stringify(kHsts)} (public_url is https)`);
  } else if (h.length !== 0) {
    p.push(`${what}: Strict-Transport-Security ${JSON.stringify(h)} over plain HTTP, expected none`);
  }
  const cc = all(res, 'cache-control');
  if (cc.length !== 1 || cc[0] !== cache) p.push(`${what}: Cache-Control ${JSON.stringify(cc)}, expected exactly ${JSON.stringify(cache)}`);
  if (admin) {
    const r = all(res, 'x-robots-tag');
    if (r.length !== 1 || r[0] !== 'noindex, nofollow') p.push(`${what}: X-Robots-Tag ${JSON.stringify(r)}, expected "noindex, nofollow"`);
  }
  if (cookies === 'none') {
    const c = all(res, 'set-cookie');
    if (c.length) p.push(`${what}: Set-Cookie ${JSON.stringify(c)} — readers get no cookie`);
  }
  return p;
}

function expectStatus(problems, what, res, status) {
  if (res.status !== status) problems.push(`${what}: status ${res.status}, expected ${status}`);
  return res.status === status;
}

// ---------------------------------------------------------------------------------------------
// Kinds of response, shared by both servers.

/** Reader-site responses (no error pages): [what, response, expected Cache-Control]. */
async function readerKinds(srv) {
  const b = srv.baseUrl;
  const out = [];
  const problems = [];
  const add = async (what, status, cache, reqPath, opts) => {
    const res = await fetchRaw(b, reqPath, opts);
    if (expectStatus(problems, what, res, status)) out.push([what, res, cache]);
    return res;
  };
  const home = await add('GET / (start page)', 200, kPageCache, '/');
  const css = /<link\b[^>]*rel="stylesheet"[^>]*href="(\/static\/[^"]+\.css)"/.exec(home.text)?.[1];
  const icon = /<link\b[^>]*href="(\/static\/[^"]+\.svg)"/.exec(home.text)?.[1];
  assert.ok(css && icon, `no stylesheet or SVG icon linked from /: ${css} ${icon}`);
  await add('GET / with gzip', 200, kPageCache, '/', { headers: { 'Accept-Encoding': 'gzip' } });
  await add('GET / with br and a stray session cookie', 200, kPageCache, '/', { headers: { 'Accept-Encoding': 'br', Cookie: 'cg_session=0123456789abcdef; other=1' } });
  await add(`GET /kategorier/${cat.slug} (category page)`, 200, kPageCache, `/kategorier/${cat.slug}`);
  await add(`GET /kategorier/${cat.slug}/${cat.levels[0]} (category level page)`, 200, kPageCache, `/kategorier/${cat.slug}/${cat.levels[0]}`);
  await add(`GET /resurser/${resource.slug} (resource page)`, 200, kPageCache, `/resurser/${resource.slug}`);
  await add('GET /sok?q=nis2 (search page)', 200, kNoStore, '/sok?q=nis2');
  await add('GET /sok (empty search page)', 200, kNoStore, '/sok');
  const cssRes = await add(`GET ${css} (CSS asset)`, 200, kAssetCache, css);
  await add(`GET ${icon} (SVG asset)`, 200, kAssetCache, icon);
  await add('GET /robots.txt (text)', 200, kPageCache, '/robots.txt');
  await add(`GET /go/${resource.slug} (302)`, 302, kNoStore, `/go/${resource.slug}`);
  await add(`HEAD /go/${resource.slug} (302)`, 302, kNoStore, `/go/${resource.slug}`, { method: 'HEAD' });
  await add(`GET /kategorier/${cat.slug}/ (301 to no slash)`, 301, kPageCache, `/kategorier/${cat.slug}/`);
  const etag = one(home, 'etag');
  await add('GET / If-None-Match (304)', 304, kPageCache, '/', { headers: { 'If-None-Match': etag } });
  await add(`GET ${css} If-None-Match (304)`, 304, kAssetCache, css, { headers: { 'If-None-Match': one(cssRes, 'etag') } });
  await add('GET /healthz', 200, kNoStore, '/healthz');
  await add('HEAD /', 200, kPageCache, '/', { method: 'HEAD' });
  await add('HEAD /healthz', 200, kNoStore, '/healthz', { method: 'HEAD' });
  await add(`HEAD ${css}`, 200, kAssetCache, css, { method: 'HEAD' });
  return { kinds: out, problems };
}

/** Error responses made by the server or the reader site (not /admin), all no-store. */
async function errorKinds(srv, { timeout408 = false } = {}) {
  const b = srv.baseUrl;
  const out = [];
  const problems = [];
  const add = (what, status, res) => { if (expectStatus(problems, what, res, status)) out.push([what, res, kNoStore]); return res; };
  add('DELETE / (405)', 405, await fetchRaw(b, '/', { method: 'DELETE' }));
  add('POST /sok (405)', 405, await fetchRaw(b, '/sok', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'q=x' }));
  add('PUT /static/x.css (405)', 405, await fetchRaw(b, '/static/x.css', { method: 'PUT', body: 'x' }));
  add('GET /__fault (500)', 500, await fetchRaw(b, '/__fault'));
  add('HEAD /__fault (500)', 500, await fetchRaw(b, '/__fault', { method: 'HEAD' }));
  add('malformed request line over a raw socket (400)', 400, await rawExchange(srv.port, 'GARBAGE\r\n\r\n'));
  add('malformed header line over a raw socket (400)', 400, await rawExchange(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n'));
  add('Content-Length 1 MiB + 1 (413)', 413, await rawExchange(srv.port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${1024 * 1024 + 1}\r\n\r\n`));
  add('POST /admin/logga-in with Content-Length 2 MiB (413)', 413, await rawExchange(srv.port, `POST /admin/logga-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`));
  const chunk = 'a'.repeat(64 * 1024);
  add('chunked body over 1 MiB (413)', 413, await rawExchange(srv.port, 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', {
    keepWriting: (sock) => {
      let n = 0;
      const more = () => {
        while (n < 20) { n += 1; if (!sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) { sock.once('drain', more); return; } }
      };
      sock.on('error', () => {});
      more();
    },
  }));
  add('40 header lines of 500 bytes, over 16 KiB in all (431)', 431, await rawExchange(srv.port, `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 40 }, (_, i) => `X-H${i}: ${'c'.repeat(500)}\r\n`).join('')}\r\n`));
  add('one header line of 20 KiB (431)', 431, await rawExchange(srv.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`));
  if (timeout408) add('request begun and never finished (408)', 408, await rawExchange(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\n', { timeoutMs: 6000 }));
  return { kinds: out, problems };
}

/** The reader site's 404s (the snapshot's not-found page). */
async function notFoundKinds(srv) {
  const out = [];
  const problems = [];
  for (const p of ['/finns-inte-har', `/go/finns-inte-${Date.now()}`, `/resurser/${resource.slug}x`, '/static/finns-inte.css']) {
    const res = await fetchRaw(srv.baseUrl, p);
    if (expectStatus(problems, `GET ${p} (404)`, res, 404)) out.push([`GET ${p} (404)`, res, kNotFoundCache]);
  }
  const head = await fetchRaw(srv.baseUrl, '/finns-inte-har', { method: 'HEAD' });
  if (expectStatus(problems, 'HEAD /finns-inte-har (404)', head, 404)) out.push(['HEAD /finns-inte-har (404)', head, kNotFoundCache]);
  return { kinds: out, problems };
}

/** A tiny cookie-keeping editor session over fetchRaw (every header line kept). */
class Editor {
  constructor(baseUrl, origin) {
    this.baseUrl = baseUrl;
    this.origin = origin;
    this.jar = new Map();
    this.csrf = null;
  }
  async req(reqPath, { method = 'GET', fields, headers = {}, withCsrf = true } = {}) {
    const h = { ...headers };
    if (this.jar.size) h.Cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body;
    if (fields) {
      const sp = new URLSearchParams(fields);
      if (withCsrf && this.csrf && !sp.has('csrf')) sp.append('csrf', this.csrf);
      body = sp.toString();
      h['Content-Type'] = 'application/x-www-form-urlencoded';
      h.Origin ??= this.origin;
    }
    const res = await fetchRaw(this.baseUrl, reqPath, { method, headers: h, body });
    res.cookies = all(res, 'set-cookie').map(parseCookie);
    for (const c of res.cookies) {
      if (c.value === '' || c.attrs['max-age'] === '0') this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const t = /<input type="hidden" name="csrf" value="([^"]*)"/.exec(res.text);
    if (t) this.csrf = t[1];
    return res;
  }
}

function parseCookie(line) {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  const c = { raw: line, name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs: {}, order: [] };
  for (const a of attrs) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (!k) continue;
    c.order.push(k);
    c.attrs[k] = i < 0 ? true : a.slice(i + 1).trim();
  }
  return c;
}

/** Problems with a session cookie as set at login (value) or at logout (expired). */
function cookieProblems(what, c, { secure, expired }) {
  const p = [];
  const name = secure ? '__Host-cg_session' : 'cg_session';
  if (c.name !== name) p.push(`${what}: cookie name ${c.name}, expected ${name}: ${c.raw}`);
  if (c.attrs.httponly !== true) p.push(`${what}: no HttpOnly: ${c.raw}`);
  if (c.attrs.samesite !== 'Strict') p.push(`${what}: SameSite ${JSON.stringify(c.attrs.samesite)}, expected Strict: ${c.raw}`);
  if (c.attrs.path !== '/') p.push(`${what}: Path ${JSON.stringify(c.attrs.path)}, expected /: ${c.raw}`);
  if ('domain' in c.attrs) p.push(`${what}: has Domain (${c.attrs.domain}): ${c.raw}`);
  if (secure && c.attrs.secure !== true) p.push(`${what}: no Secure although public_url is https: ${c.raw}`);
  if (!secure && 'secure' in c.attrs) p.push(`${what}: Secure over plain HTTP (the browser would drop it): ${c.raw}`);
  const expected = ['path', 'httponly', 'samesite', ...(secure ? ['secure'] : []), ...(expired ? ['max-age'] : [])];
  if ([...c.order].sort().join() !== [...expected].sort().join()) p.push(`${what}: attributes ${JSON.stringify(c.order)}, expected exactly ${JSON.stringify(expected)}: ${c.raw}`);
  if (expired) {
    if (c.value !== '') p.push(`${what}: logout cookie keeps a value: ${c.raw}`);
    if (c.attrs['max-age'] !== '0') p.push(`${what}: logout cookie Max-Age ${JSON.stringify(c.attrs['max-age'])}, expected 0: ${c.raw}`);
  } else if (!/^[A-Za-z0-9_-]{43,}$/.test(c.value)) {
    p.push(`${what}: session id ${JSON.stringify(c.value)} is not a ≥256-bit token`);
  }
  return p;
}

/**
 * Every kind of /admin response, in a session of its own: [what, response] (all no-store + noindex),
 * and the login and logout cookies.
 */
async function adminKinds(srv, origin) {
  const out = [];
  const problems = [];
  const add = (what, status, res) => { if (expectStatus(problems, what, res, status)) out.push([what, res]); return res; };
  const ed = new Editor(srv.baseUrl, origin);
  add('GET /admin/logga-in (login page)', 200, await ed.req('/admin/logga-in'));
  add('HEAD /admin/logga-in', 200, await ed.req('/admin/logga-in', { method: 'HEAD' }));
  add('GET /admin without a session (303 to login)', 303, await ed.req('/admin'));
  add('POST /admin/resurser/disa without a session (403)', 403, await ed.req('/admin/resurser/disa', { method: 'POST', fields: { title: 'x' } }));
  add('DELETE /admin/logga-in (405)', 405, await ed.req('/admin/logga-in', { method: 'DELETE' }));
  add('POST /admin/logga-in, wrong password (422)', 422, await ed.req('/admin/logga-in', { method: 'POST', fields: { username: kUser.name, password: 'inte rätt lösenord alls' } }));
  add('POST /admin/logga-in, cross-site Origin (403)', 403, await ed.req('/admin/logga-in', { method: 'POST', fields: { username: kUser.name, password: kUser.password }, headers: { Origin: 'https://evil.example' } }));
  const login = add('POST /admin/logga-in (303 after login)', 303, await ed.req('/admin/logga-in', { method: 'POST', fields: { username: kUser.name, password: kUser.password } }));
  if (one(login, 'location') !== '/admin') problems.push(`login: Location ${JSON.stringify(all(login, 'location'))}, expected /admin`);
  const loginCookies = all(login, 'set-cookie');
  add('GET /admin (overview)', 200, await ed.req('/admin'));
  add('HEAD /admin', 200, await ed.req('/admin', { method: 'HEAD' }));
  add('GET /admin/resurser (list)', 200, await ed.req('/admin/resurser'));
  add('GET /admin/resurser/disa (form)', 200, await ed.req('/admin/resurser/disa'));
  add('GET /admin/utkast', 200, await ed.req('/admin/utkast'));
  add('GET /admin/logg (audit log)', 200, await ed.req('/admin/logg'));
  add('GET /admin/statistik', 200, await ed.req('/admin/statistik'));
  add('GET /admin/statistik/dagar.csv (CSV)', 200, await ed.req('/admin/statistik/dagar.csv'));
  add('GET /admin/forhandsgranska/ (preview)', 200, await ed.req('/admin/forhandsgranska/'));
  add(`GET /admin/forhandsgranska/go/${resource.slug} (preview 302)`, 302, await ed.req(`/admin/forhandsgranska/go/${resource.slug}`));
  add('GET /admin/forhandsgranska/finns-inte (preview 404)', 404, await ed.req('/admin/forhandsgranska/finns-inte'));
  add('GET /admin/finns-inte (404)', 404, await ed.req('/admin/finns-inte'));
  add('DELETE /admin (405, logged in)', 405, await ed.req('/admin', { method: 'DELETE' }));
  add('PUT /admin/resurser/disa (405, logged in)', 405, await ed.req('/admin/resurser/disa', { method: 'PUT', fields: { title: 'x' } }));
  add('POST /admin/resurser/disa with a wrong CSRF token (403)', 403, await ed.req('/admin/resurser/disa', { method: 'POST', fields: { title: 'x', csrf: 'fel' } }));
  add('POST /admin/texter with an invalid form (422)', 422, await ed.req('/admin/texter', { method: 'POST', fields: { title: '' } }));
  const logout = add('POST /admin/logga-ut (303)', 303, await ed.req('/admin/logga-ut', { method: 'POST', fields: {} }));
  const logoutCookies = all(logout, 'set-cookie');
  add('GET /admin after logout (303 to login)', 303, await ed.req('/admin'));
  return { kinds: out, problems, loginCookies, logoutCookies, jarAfter: [...ed.jar] };
}

// ---------------------------------------------------------------------------------------------

describe('security headers on every kind of response, and the session cookie', { timeout: 90000 }, () => {
  let plain;
  let secure;

  before(async () => {
    [plain, secure] = await Promise.all([
      startServer({ env: kFaultEnv }),
      startServer({ env: kFaultEnv, extraArgs: ['--public-url', kHttpsOrigin, '--read-timeout-ms', '1000'] }),
    ]);
    addUser(plain.dataDir, kUser);
    addUser(secure.dataDir, kUser);
  }, { timeout: 40000 });

  after(async () => {
    const r = await Promise.all([stopServer(plain), stopServer(secure)]);
    for (const x of r) if (x) assert.equal(x.code, 0, `server exit after SIGTERM: ${JSON.stringify(x)}`);
  });

  for (const mode of ['plain HTTP', `--public-url ${kHttpsOrigin}`]) {
    const isSecure = mode !== 'plain HTTP';
    const srvOf = () => (isSecure ? secure : plain);
    const hstsNote = isSecure ? `HSTS ${kHsts}` : 'no HSTS';

    it(`${mode}: reader pages, search, assets, /go/ 302, 301, 304s, /healthz and HEAD carry the full set exactly once (${hstsNote}), their Cache-Control, and no cookie`, async () => {
      const { kinds, problems } = await readerKinds(srvOf());
      for (const [what, res, cache] of kinds) problems.push(...headerProblems(what, res, { cache, hsts: isSecure }));
      assert.ok(kinds.length >= 20, `only ${kinds.length} kinds checked`);
      fail(problems);
    });

    it(`${mode}: 400, 405, 413, 431${isSecure ? ', 408' : ''} and 500 carry the full set (${hstsNote}), Cache-Control: no-store, and no cookie`, async () => {
      const { kinds, problems } = await errorKinds(srvOf(), { timeout408: isSecure });
      for (const [what, res, cache] of kinds) problems.push(...headerProblems(what, res, { cache, hsts: isSecure }));
      fail(problems);
    });

    it(`${mode}: the reader site's 404 pages carry the full set (${hstsNote}), Cache-Control: no-cache (the same page for all, revalidated), and no cookie`, async () => {
      const { kinds, problems } = await notFoundKinds(srvOf());
      for (const [what, res, cache] of kinds) problems.push(...headerProblems(what, res, { cache, hsts: isSecure }));
      fail(problems);
    });

    it(`${mode}: every /admin response (login page, 303s, 403, 404, 405, 422, pages, preview, CSV) carries the full set (${hstsNote}), Cache-Control: no-store and X-Robots-Tag; the session cookie is ${isSecure ? '__Host-cg_session with Secure' : 'cg_session without Secure'}, HttpOnly, SameSite=Strict, Path=/, no Domain; logout expires it`, async () => {
      const { kinds, problems, loginCookies, logoutCookies, jarAfter } = await adminKinds(srvOf(), isSecure ? kHttpsOrigin : srvOf().baseUrl);
      for (const [what, res] of kinds) {
        const isCookieCarrier = /\(303 after login\)|POST \/admin\/logga-ut/.test(what);
        problems.push(...headerProblems(what, res, { cache: kNoStore, hsts: isSecure, admin: true, cookies: isCookieCarrier ? 'checked below' : 'none' }));
      }
      assert.ok(kinds.length >= 24, `only ${kinds.length} admin kinds checked`);
      if (loginCookies.length !== 1) problems.push(`login: ${loginCookies.length} Set-Cookie lines ${JSON.stringify(loginCookies)}, expected 1`);
      else problems.push(...cookieProblems('login Set-Cookie', parseCookie(loginCookies[0]), { secure: isSecure, expired: false }));
      if (logoutCookies.length !== 1) problems.push(`logout: ${logoutCookies.length} Set-Cookie lines ${JSON.stringify(logoutCookies)}, expected 1`);
      else problems.push(...cookieProblems('logout Set-Cookie', parseCookie(logoutCookies[0]), { secure: isSecure, expired: true }));
      if (jarAfter.length) problems.push(`cookies still held after logout: ${JSON.stringify(jarAfter)}`);
      fail(problems);
    });
  }

  it('no reader response sets a cookie, even to a browser holding a live editor session (after login on the same site)', async () => {
    const ed = new Editor(plain.baseUrl, plain.baseUrl);
    const login = await ed.req('/admin/logga-in', { method: 'POST', fields: { username: kUser.name, password: kUser.password } });
    assert.equal(login.status, 303, `login: ${login.status}`);
    const problems = [];
    for (const p of ['/', `/kategorier/${cat.slug}`, `/resurser/${resource.slug}`, '/sok?q=nis2', `/go/${resource.slug}`, '/healthz', '/finns-inte-har', '/robots.txt']) {
      const res = await ed.req(p);
      const c = all(res, 'set-cookie');
      if (c.length) problems.push(`GET ${p} with a session cookie: Set-Cookie ${JSON.stringify(c)}`);
    }
    const del = await ed.req('/', { method: 'DELETE' });
    if (all(del, 'set-cookie').length) problems.push(`DELETE /: Set-Cookie ${JSON.stringify(all(del, 'set-cookie'))}`);
    fail(problems);
  });
});
