// Black-box test: no open redirect in and around /go/. Several hundred crafted request targets
// (absolute and scheme-relative URLs, `/\`, `@`, encoded slashes and dots, double encoding, CR/LF,
// NUL, very long values, Unicode look-alikes, trailing dots and slashes, `javascript:` and `data:`,
// query strings, fragments, absolute-form targets, odd spellings of /go itself) are sent as exact bytes
// over a raw socket and, where Node can represent them, with http.request as well. Not one answer may
// redirect anywhere but to a registered resource's stored address, except the reader's own trailing-
// slash canonicalisation (src/site/reader.cpp: 301 from "/page/" to the existing page "/page").
// No Location may hold CR, LF or NUL, no answer may carry Refresh or a meta refresh, and only the
// requests that were redirected to a stored address are counted as clicks. Its own server.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { startServer, contentDir } from './server.mjs';
import { loadContent, parseSimpleToml } from './content.mjs';

const content = loadContent();
const site = parseSimpleToml(fs.readFileSync(path.join(contentDir, 'site.toml'), 'utf8')).top;
const kBrowser = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const kEvil = 'evil.example';
const kConcurrency = 8;

const urlOf = new Map(content.resources.map((r) => [r.slug, r.url])); // slug → stored address
const addresses = new Set(urlOf.values());
const slugsOf = new Map(); // stored address → slugs that lead there
for (const r of content.resources) slugsOf.set(r.url, [...(slugsOf.get(r.url) ?? []), r.slug]);

// A few real slugs of different shapes: the first, the shortest, one with a digit, the longest.
const bySize = [...content.resources].sort((x, y) => x.slug.length - y.slug.length);
const s = content.resources[0].slug;
const short = bySize[0].slug;
const digit = (content.resources.find((r) => /\d/.test(r.slug)) ?? content.resources[1]).slug;
const long = bySize[bySize.length - 1].slug;
const s2 = content.resources.find((r) => r.slug !== s && r.url !== urlOf.get(s))?.slug ?? short;
const realSlugs = [...new Set([s, short, digit, long])];
const cat = content.categories[0];

// ------------------------------------------------------------------------------------------------
// The crafted values.

/** Destinations an attacker would like /go/ to lead to, in many spellings. */
const kDestinations = [
  // scheme-relative and absolute
  `//${kEvil}`, `//${kEvil}/`, `///${kEvil}`, `////${kEvil}`, `//${kEvil}/%2F..`, `//${kEvil}:443`,
  `https://${kEvil}`, `http://${kEvil}`, `HTTPS://${kEvil}`, `hTtP://${kEvil}/`, `https:${kEvil}`,
  `https:/${kEvil}`, `https:///${kEvil}`, `ftp://${kEvil}`, `//${kEvil}@127.0.0.1`, `//127.0.0.1@${kEvil}`,
  `//${kEvil}#@127.0.0.1`, `//${kEvil}?@127.0.0.1`, `//${kEvil}%23@127.0.0.1`, `//2130706433`, `//0x7f.1`,
  `//[::1]`, `//${kEvil}.`, `//${kEvil}./`, `https://${kEvil}.`, `${kEvil}`, `www.${kEvil}`,
  // backslashes
  `/\\${kEvil}`, `\\\\${kEvil}`, `\\/${kEvil}`, `/\\/${kEvil}`, `\\${kEvil}`, `https:\\\\${kEvil}`,
  `https:/\\${kEvil}`,
  // user info
  `@${kEvil}`, `:@${kEvil}`, `%40${kEvil}`, `foo@${kEvil}`, `foo:bar@${kEvil}`,
  // encoded slashes and backslashes, single and double
  `%2F%2F${kEvil}`, `%2f%2f${kEvil}`, `%2F/${kEvil}`, `/%2F${kEvil}`, `%5C%5C${kEvil}`, `%2F%5C${kEvil}`,
  `/%5C${kEvil}`, `%5C/${kEvil}`, `%252F%252F${kEvil}`, `%252f%252f${kEvil}`, `%255C%255C${kEvil}`,
  `%25252F%25252F${kEvil}`, `https%3A%2F%2F${kEvil}`, `https%253A%252F%252F${kEvil}`, `https:%2F%2F${kEvil}`,
  `%68ttps://${kEvil}`,
  // dots
  `..//${kEvil}`, `../../${kEvil}`, `..%2F..%2F${kEvil}`, `..%2f%2f${kEvil}`, `%2e%2e/%2e%2e//${kEvil}`,
  `%2e%2e%2f%2f${kEvil}`, `.%2e/${kEvil}`, `%2E%2E%5C${kEvil}`, `%252e%252e%252f${kEvil}`, `..;/${kEvil}`,
  `..%00/${kEvil}`, `.../${kEvil}`, `./${kEvil}`, `/.${kEvil}`, `%c0%ae%c0%ae/${kEvil}`,
  `%c0%af%c0%af${kEvil}`, `%e0%80%af%e0%80%af${kEvil}`, `%u002f%u002f${kEvil}`,
  // CR/LF and NUL, encoded
  `%0d%0aLocation:%20http://${kEvil}`, `%0D%0ALocation:%20http://${kEvil}`, `%0aLocation:http://${kEvil}`,
  `%0dLocation:http://${kEvil}`, `%0d%0a%0d%0a<html>${kEvil}`, `%E5%98%8A%E5%98%8DLocation:http://${kEvil}`,
  `%0d%0aRefresh:%200;url=http://${kEvil}`, `%00//${kEvil}`, `//${kEvil}%00`, `%00`, `%2500//${kEvil}`,
  `%0d%0aSet-Cookie:%20x=1`,
  // whitespace-prefixed
  `%09//${kEvil}`, `%20//${kEvil}`, `%0b//${kEvil}`, `%0c//${kEvil}`, `%e3%80%80//${kEvil}`,
  // scripts and data
  'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'javascript%3Aalert(1)', 'java%09script:alert(1)',
  'javascript://%0aalert(1)', '%6Aavascript:alert(1)', 'vbscript:msgbox(1)',
  'data:text/html,%3Cscript%3Ealert(1)%3C/script%3E', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'DATA:text/html,x', 'data%3Atext/html,x',
  // Unicode look-alikes (raw and percent-encoded UTF-8)
  `／／${kEvil}`, `%EF%BC%8F%EF%BC%8F${kEvil}`, `＼＼${kEvil}`, `⁄⁄${kEvil}`, `∕∕${kEvil}`, `⧸⧸${kEvil}`,
  `%E2%88%95%E2%88%95${kEvil}`, `﹨﹨${kEvil}`, `//evil。example`, `//evil%E3%80%82example`, `//evil﹒example`,
  `//ｅｖｉｌ.example`, `//evil.exampleⁿ`, `/ⁿ/${kEvil}`, `%E2%81%BF//${kEvil}`, `\u202e//${kEvil}`,
  `\ufeff//${kEvil}`, `%E2%80%AE//${kEvil}`,
  // query strings and fragments
  `?url=//${kEvil}`, `?next=https://${kEvil}`, `#//${kEvil}`, `%3F//${kEvil}`, `%23//${kEvil}`, `;//${kEvil}`,
];

/** Query parameter names that redirect handlers commonly honour. */
const kParams = ['url', 'next', 'redirect', 'redirect_uri', 'to', 'return', 'returnTo', 'dest', 'continue', 'goto', 'u', 'target'];

function craftedTargets() {
  const t = [];
  kDestinations.forEach((d, i) => {
    t.push(`/go/${d}`);
    t.push(`/go/${d}/`); // trailing slash: the reader's canonicalisation must not pick it up
    t.push(`/go${d}`); // no slash after /go: "/go//evil.example", "/go\\evil.example", "/gohttps://…"
    t.push(`/go/${s}/${d}`);
    t.push(`/go/${realSlugs[i % realSlugs.length]}?${kParams[i % kParams.length]}=${d}`);
  });

  // Real slugs, bent.
  for (const r of realSlugs) {
    const cyr = r.replace(/a/g, '\u0430').replace(/e/g, '\u0435').replace(/o/g, '\u043e').replace(/c/g, '\u0441');
    const oneCyr = r.replace(/[aeoc]/, (ch) => ({ a: '\u0430', e: '\u0435', o: '\u043e', c: '\u0441' })[ch]);
    t.push(
      `/go/${r}/`, `/go/${r}//`, `/go/${r}.`, `/go/${r}..`, `/go/${r}./`, `/go/${r}%2e`, `/go/${r}%2E%2E`,
      `/go/${r}/.`, `/go/${r}/..`, `/go/${r}/../`, `/go/${r}%2F`, `/go/${r}%2f..`, `/go/${r}%5C`, `/go/${r}\\`,
      `/go/${r}.${kEvil}`, `/go/${r}@${kEvil}`, `/go/${r}:@${kEvil}`, `/go/${r}%40${kEvil}`, `/go/${r}/..//${kEvil}`,
      `/go/${r}/..%2F..%2F${kEvil}`, `/go/${r}//${kEvil}`, `/go/${r}/../${s2}`, `/go/${r}%00`, `/go/${r}%00.${kEvil}`,
      `/go/${r}%0d%0aLocation:%20http://${kEvil}`, `/go/${r};${kEvil}`, `/go/${r}%20`, `/go/%20${r}`, `/go/%09${r}`,
      `/go/${r}%09`, `/go/${r.toUpperCase()}`, `/go/${r[0].toUpperCase()}${r.slice(1)}`, `/go/${cyr}`, `/go/${oneCyr}`,
      `/go/${encodeURI(cyr)}`, `/go/${[...r].map((ch) => `%${ch.charCodeAt(0).toString(16)}`).join('')}`,
      `/go/%25${r.charCodeAt(0).toString(16)}${r.slice(1)}`,
      `/go/${[...r].map((ch) => (ch >= 'a' && ch <= 'z' ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch)).join('')}`,
      `/go/${r}\u200b`, `/go/${r}%E2%80%8B`, `/go/${r}\u00ad`, `/go/\ufeff${r}`, `/go/${r}#//${kEvil}`, `/go/${r}#`,
      `/go/${r}?`, `/go/${r}?#`, `/go/${r}&url=//${kEvil}`, `/go/${r};url=//${kEvil}`, `/go/${r}%3Furl=//${kEvil}`,
      `/go/${r}%23//${kEvil}`, `/go/${r}?url=//${kEvil}&url=https://${kEvil}`,
    );
  }
  // Case-folding look-alikes: Kelvin sign (→ k), long s (→ S), dotted capital I (→ i̇).
  for (const r of content.resources.map((x) => x.slug)) {
    if (r.includes('k')) t.push(`/go/${r.replace('k', '\u212a')}`);
    if (r.includes('s')) t.push(`/go/${r.replace('s', '\u017f')}`);
    if (r.includes('i')) t.push(`/go/${r.replace('i', '\u0130')}`);
  }
  // Trailing dots and slashes on every real slug.
  for (const r of content.resources.map((x) => x.slug)) t.push(`/go/${r}/`, `/go/${r}.`);

  // Around /go itself.
  t.push(
    '/go', '/go/', '/go//', '/go///', '/go/.', '/go/..', '/go/../', '/go/./', `/go/./${s}`, `/go/../go/${s}`, `/go//${s}`,
    `/go///${s}`, `/GO/${s}`, `/Go/${s}`, `/gO/${s}`, `/go%2F${s}`, `/go%2f${s}`, `/go%252F${s}`, `//go/${s}`,
    `///go/${s}`, `/./go/${s}`, `/x/../go/${s}`, `/%67o/${s}`, `/g%6F/${s}`, `/%2Fgo/${s}`, `/go%5C${s}`,
    `/go\\${s}`, `/go/\\${s}`, `/\\go/${s}`, `/go;/${s}`, `/go;a=b/${s}`, `/go./${s}`, `/go%00/${s}`, `/go/%00${s}`,
    `/go%20/${s}`, `/go/${s}/go/${s}`, `/go/go/${s}`, `/goo/${s}`, `/g/${s}`, `/go-/${s}`, `/resurser/${s}/../../go/${s}`,
    `/resurser/../go/${s}`, `/go/%2e%2e/go/${s}`, `/go/${s}/%2e%2e/`, `/go/%2e/${s}`,
    // absolute-form and scheme-relative targets
    `http://${kEvil}/go/${s}`, `https://${kEvil}/go/${s}`, `HTTP://EVIL.EXAMPLE/go/${s}`, `http://${kEvil}`,
    `http://${kEvil}/`, `http://${kEvil}//${kEvil}/`, `http://127.0.0.1/go/${s}`, `http://${kEvil}?/go/${s}`,
    `http://${kEvil}#/go/${s}`, `http://${kEvil}?/resurser/${s}/`, `https://${kEvil}@127.0.0.1/go/${s}`, `http://${kEvil}./go/${s}`, `http://${kEvil}/go/`, `http://${kEvil}/go//${kEvil}`,
    `http://${kEvil}/go/${s}/`, `http://${kEvil}/resurser/${s}/`, `ftp://${kEvil}/go/${s}`, `//${kEvil}/go/${s}`,
    `///${kEvil}/go/${s}`, `${kEvil}/go/${s}`, `go/${s}`, '*', `javascript:alert(1)//go/${s}`,
    // the canonicalisation near /go: "/page/" → "/page" only for existing pages
    `/resurser/${s}/`, `/resurser/${s}//`, `/resurser/${s}///`, `//resurser/${s}/`, `/\\resurser/${s}/`,
    `/kategorier/${cat.slug}/`, `/resurser/${s}//${kEvil}/`, `/resurser/${s}/..//${kEvil}/`,
    `/resurser/${s}/%2F%2F${kEvil}/`, `//${kEvil}/`, `///${kEvil}/`, `/\\${kEvil}/`, `//${kEvil}//`,
    `/%2F${kEvil}/`, `/%5C${kEvil}/`, `//${kEvil}/resurser/${s}/`,
  );

  // Very long values (10 000 characters and more; above 16 KiB the server answers 431).
  t.push(
    `/go/${'a'.repeat(10000)}`, `/go/${'a-'.repeat(5000)}a`, `/go/${s}${'/'.repeat(10000)}`, `/go/${'%2F'.repeat(3400)}`,
    `/go//${kEvil}/${'x'.repeat(10000)}`, `/go/${s}?url=https://${kEvil}/${'a'.repeat(10000)}`,
    `/${'/'.repeat(10000)}${kEvil}`, `/go/${s}${'.'.repeat(10000)}`, `/go/${'../'.repeat(3400)}${kEvil}`,
    `/go/${'a'.repeat(20000)}`, `http://${'e'.repeat(10000)}.example/go/${s}`,
  );
  return t;
}

/** Raw control characters in the request target itself (only a raw socket can send these). */
function rawOnlyTargets() {
  return [
    `/go/${s}\r\nLocation: http://${kEvil}`, `/go/${s}\nLocation: http://${kEvil}`, `/go/${s}\rLocation: http://${kEvil}`,
    `/go/${s}\0`, `/go/\0//${kEvil}`, `/go/${s}\t`, `/go/\t//${kEvil}`, `/go/ //${kEvil}`, `/go/${s} `,
    `\t/go/${s}`, `/go//${kEvil}\r\n\r\nHTTP/1.1 302 Found\r\nLocation: http://${kEvil}`,
    `/go/${s}\r\nRefresh: 0;url=http://${kEvil}`, `/go/${s}\x0b`, `/go/${s}\x7f`, `/go/${s}\xff`,
  ];
}

/** Request headers an attacker controls, sent with a few targets. */
const kHeaderVariants = [
  { Host: kEvil },
  { Host: kEvil, 'X-Forwarded-Host': kEvil, 'X-Forwarded-Proto': 'https' },
  { Forwarded: `host=${kEvil};proto=https` },
  { 'X-Original-URL': `//${kEvil}`, 'X-Rewrite-URL': `//${kEvil}` },
  { Referer: `https://${kEvil}/` },
  { 'X-Forwarded-Prefix': `//${kEvil}` },
  { Host: `${kEvil}/go/${s}` },
];
const kHeaderTargets = [`/go/${s}`, '/go/unknown-slug', `/resurser/${s}/`, '/go/', `/go//${kEvil}`];

// ------------------------------------------------------------------------------------------------
// What the server must do, by the rules of RFC 9112 (absolute-form reduced to origin-form; the query
// is not part of the path) and src/site/reader.cpp.

// The path of a request target. An absolute-form target ("http://host/path?q") is reduced to its
// path: by RFC 3986 the authority ends at the first "/", "?" or "#" ("http://h?/go/x" has the empty
// path); `lenient` reads it as the server does (src/http/server.cpp origin_form: up to the first "/").
function effectivePath(target, lenient = false) {
  let t = target;
  const m = /^https?:\/\//i.exec(t);
  if (m) {
    const rest = t.slice(m[0].length);
    const end = lenient ? rest.indexOf('/') : rest.search(/[/?#]/);
    t = end < 0 || rest[end] !== '/' ? '/' : rest.slice(end);
  }
  const q = t.indexOf('?');
  return q < 0 ? t : t.slice(0, q);
}

/** The slug when the target is exactly /go/<registered slug> (maybe in absolute form, maybe with a query). */
function expectedSlug(target) {
  const p = effectivePath(target);
  if (!p.startsWith('/go/')) return undefined;
  const slug = p.slice(4);
  return urlOf.has(slug) ? slug : undefined;
}

/** The reader's trailing-slash canonicalisation: "/page/" (any number of slashes) → "/page". */
function canonicalLocations(target) {
  const out = [];
  for (const p of [effectivePath(target), effectivePath(target, true)]) {
    if (p.length < 2 || !p.endsWith('/')) continue;
    const trimmed = p.replace(/\/+$/, '');
    if (trimmed !== '') out.push(trimmed);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Sending.

function rawBytes(method, target, port, headers = {}) {
  const h = { Host: `127.0.0.1:${port}`, 'User-Agent': kBrowser, ...headers, Connection: 'close' };
  const lines = [`${method} ${target} HTTP/1.1`, ...Object.entries(h).map(([k, v]) => `${k}: ${v}`)];
  const text = `${lines.join('\r\n')}\r\n\r\n`;
  // One byte per character when they all fit (as Node's http client sends a path), else UTF-8.
  return Buffer.from(text, /^[\0-\xff]*$/.test(text) ? 'latin1' : 'utf8');
}

/** Writes the bytes, reads until the server closes. */
function rawExchange(port, bytes, timeoutMs = 15000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const chunks = [];
    let error;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), error });
    };
    const timer = setTimeout(() => { error = 'timeout'; finish(); }, timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (c) => chunks.push(c));
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', (e) => { error ??= e.code ?? e.message; finish(); });
  });
}

/**
 * Splits one raw answer: status, header lines as sent, body (by Content-Length), and the bytes after
 * it (a second response there would mean response splitting). Bare CR, LF or NUL inside a header
 * line is reported in `bad`.
 */
function parseRaw(data, method) {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const headText = data.subarray(0, end).toString('latin1');
  const [statusLine, ...lines] = headText.split('\r\n');
  const sm = /^HTTP\/1\.[01] (\d{3})( |$)/.exec(statusLine);
  const bad = [];
  if (!sm) bad.push(`status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers = [];
  for (const l of [statusLine, ...lines]) if (/[\r\n\0]/.test(l)) bad.push(`bare CR/LF/NUL in header line ${JSON.stringify(l.slice(0, 200))}`);
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i <= 0) { bad.push(`malformed header line ${JSON.stringify(l.slice(0, 200))}`); continue; }
    headers.push([l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]);
  }
  const status = sm ? Number(sm[1]) : 0;
  const rest = data.subarray(end + 4);
  const cl = headers.find(([n]) => n === 'content-length');
  const noBody = method === 'HEAD' || status === 304 || status === 204;
  const n = noBody ? 0 : cl ? Number(cl[1]) : rest.length;
  return { status, headers, body: rest.subarray(0, n), extra: rest.length - Math.min(n, rest.length), bad };
}

/** The same target through Node's http client; `unrepresentable` when Node refuses the path. */
function nodeRequest(port, target, timeoutMs = 15000) {
  return new Promise((resolve) => {
    let req;
    try {
      req = http.request({
        host: '127.0.0.1', port, method: 'GET', path: target, agent: false, timeout: timeoutMs,
        headers: { 'User-Agent': kBrowser },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const headers = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
          resolve({ status: res.statusCode, headers, body: Buffer.concat(chunks), extra: 0, bad: [] });
        });
        res.on('error', (e) => resolve({ error: e.code ?? e.message }));
      });
    } catch (e) {
      resolve({ unrepresentable: e.code ?? e.message });
      return;
    }
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

const show = (t) => {
  const j = JSON.stringify(t);
  return j.length > 140 ? `${j.slice(0, 120)}…(${t.length} chars)` : j;
};

// ------------------------------------------------------------------------------------------------

describe('no open redirect in and around /go/', { timeout: 120000 }, () => {
  let srv;
  const crafted = [...new Set([...craftedTargets(), ...rawOnlyTargets()])];
  const valid = content.resources.map((r) => `/go/${r.slug}`);
  /** Every answer: {via, target, extraHeaders, res} */
  const answers = [];
  const notes = []; // requests with no answer (connection reset, 400 before reading the whole request …)
  let elapsedMs = 0;

  before(async () => {
    // With campaign tags on, the Location of an owner-domain link would carry utm_* parameters.
    assert.notEqual(site.campaign_tags, 'on', 'this test expects campaign tags off in the content pack');
    srv = await startServer({ flushIntervalMs: 200 });
    const t0 = Date.now();
    const jobs = [];
    for (const target of [...valid, ...crafted]) {
      jobs.push({ via: 'raw', target });
      jobs.push({ via: 'node', target });
    }
    for (const target of kHeaderTargets) for (const h of kHeaderVariants) jobs.push({ via: 'raw', target, extraHeaders: h });
    await pool(jobs, kConcurrency, async (job) => {
      let res;
      if (job.via === 'raw') {
        const { data, error } = await rawExchange(srv.port, rawBytes('GET', job.target, srv.port, job.extraHeaders));
        res = parseRaw(data, 'GET');
        if (!res) { notes.push(`raw ${show(job.target)}: no complete answer (${error ?? 'closed'}, ${data.length} bytes)`); return; }
      } else {
        res = await nodeRequest(srv.port, job.target);
        if (res.unrepresentable) return;
        if (res.error) { notes.push(`node ${show(job.target)}: ${res.error}`); return; }
      }
      answers.push({ ...job, res });
    });
    elapsedMs = Date.now() - t0;
  }, { timeout: 100000 });

  after(async () => {
    if (srv) {
      await srv.stop({ signal: 'SIGKILL', timeoutMs: 5000 });
      srv.cleanup();
    }
  });

  it('tries at least 200 crafted values', (t) => {
    const viaNode = answers.filter((a) => a.via === 'node').length;
    const line = `${crafted.length} crafted targets (+ ${kHeaderTargets.length * kHeaderVariants.length} crafted header variants, `
      + `+ ${valid.length} valid /go/<slug>); ${answers.length} answers (${answers.length - viaNode} raw, ${viaNode} via http.request) `
      + `in ${elapsedMs} ms; ${notes.length} without an answer`;
    t.diagnostic(line);
    console.log(`open-redirect: ${line}`);
    const statuses = {};
    for (const a of answers) statuses[a.res.status] = (statuses[a.res.status] ?? 0) + 1;
    t.diagnostic(`answers by status: ${JSON.stringify(statuses)}`);
    // Redirects (to stored addresses) for targets that are not exactly /go/<slug>: allowed, but shown.
    const odd = [...new Set(answers.filter((a) => a.res.status >= 300 && a.res.status < 400 && expectedSlug(a.target) === undefined
      && canonicalLocations(a.target).length === 0).map((a) => show(a.target)))];
    if (odd.length > 0) t.diagnostic(`redirected although not /go/<slug>: ${odd.join(' ')}`);
    for (const n of notes.slice(0, 20)) t.diagnostic(n);
    assert.ok(crafted.length >= 200, `only ${crafted.length} crafted values`);
    // Every crafted value got at least one answer.
    const answered = new Set(answers.map((a) => a.target));
    const silent = crafted.filter((x) => !answered.has(x));
    assert.deepEqual(silent.map(show), [], 'crafted values without any answer');
  });

  it('redirects only to a registered stored address (or "/page/" → "/page"); no CR/LF/NUL in Location, no Refresh, no meta refresh', async () => {
    const problems = [];
    const canonicalToCheck = new Set();
    for (const { via, target, extraHeaders, res } of answers) {
      const what = `${via} GET ${show(target)}${extraHeaders ? ` ${JSON.stringify(extraHeaders)}` : ''} → ${res.status}`;
      for (const b of res.bad) problems.push(`${what}: ${b}`);
      if (res.extra > 0) problems.push(`${what}: ${res.extra} bytes after the response (response splitting?)`);
      const locs = res.headers.filter(([n]) => n === 'location').map(([, v]) => v);
      if (locs.length > 1) problems.push(`${what}: ${locs.length} Location headers ${JSON.stringify(locs)}`);
      for (const [n, v] of res.headers) {
        if (n === 'refresh') problems.push(`${what}: Refresh header ${JSON.stringify(v)}`);
        if (/[\r\n\0]/.test(v)) problems.push(`${what}: CR/LF/NUL in ${n} ${JSON.stringify(v)}`);
      }
      const body = res.body.toString('latin1');
      if (/<meta\b[^>]*http-equiv\s*=\s*["']?\s*refresh/i.test(body)) problems.push(`${what}: meta refresh in the body`);
      for (const m of body.matchAll(/\b(?:href|src|action|formaction)\s*=\s*["']?\s*([^"'\s>]*)/gi)) {
        if (/evil|^\s*(?:javascript|data|vbscript):/i.test(m[1])) problems.push(`${what}: body links to ${JSON.stringify(m[1])}`);
      }

      const slug = expectedSlug(target);
      if (extraHeaders === undefined && valid.includes(target) && (res.status !== 302 || locs[0] !== urlOf.get(slug))) {
        problems.push(`${what}: expected 302 to ${urlOf.get(slug)}, got Location ${JSON.stringify(locs[0])}`);
      }
      const redirect = res.status >= 300 && res.status < 400 && res.status !== 304;
      if (redirect && locs.length === 0) problems.push(`${what}: a redirect without Location`);
      for (const loc of locs) {
        if (addresses.has(loc)) {
          if (!redirect) problems.push(`${what}: Location ${JSON.stringify(loc)} on a non-redirect`);
          if (slug !== undefined && !slugsOf.get(loc).includes(slug)) {
            problems.push(`${what}: Location ${JSON.stringify(loc)} is not the address of ${slug} (${urlOf.get(slug)})`);
          }
          continue;
        }
        if (res.status === 301 && canonicalLocations(target).includes(loc) && /^\/(?![/\\])/.test(loc) && !/[\r\n\0\\]/.test(loc)) {
          canonicalToCheck.add(loc);
          continue;
        }
        problems.push(`${what}: Location ${show(loc)} is neither a registered address nor the canonical "/page" of "/page/"`);
      }
    }
    // The canonical locations must be real pages of the site.
    for (const loc of canonicalToCheck) {
      const res = parseRaw((await rawExchange(srv.port, rawBytes('GET', loc, srv.port))).data, 'GET');
      if (!res || res.status !== 200) problems.push(`canonical Location ${JSON.stringify(loc)} answers ${res?.status}, not 200`);
    }
    assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.slice(0, 60).join('\n  ')}`);
  });

  it('is still up afterwards and counts a click only for requests redirected to a stored address', async () => {
    const health = parseRaw((await rawExchange(srv.port, rawBytes('GET', '/healthz', srv.port))).data, 'GET');
    assert.equal(health?.status, 200, 'GET /healthz after the crafted requests');

    // Expected clicks: every GET (all of them from a browser, none a prefetch) answered 302 to a stored
    // address. Per slug where the target names the slug; per address otherwise.
    const perSlug = new Map();
    const perAddress = new Map();
    for (const { target, res } of answers) {
      if (res.status !== 302) continue;
      const loc = res.headers.find(([n]) => n === 'location')?.[1];
      if (!addresses.has(loc)) continue;
      const slug = expectedSlug(target);
      if (slug !== undefined && urlOf.get(slug) === loc) perSlug.set(slug, (perSlug.get(slug) ?? 0) + 1);
      else perAddress.set(loc, (perAddress.get(loc) ?? 0) + 1);
    }

    const exit = await srv.stop({ signal: 'SIGTERM', timeoutMs: 10000 });
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM\n${srv.output()}`);
    const out = execFileSync('sqlite3', ['-cmd', '.timeout 5000', '-separator', '|', srv.dbPath,
      'SELECT r.slug, SUM(c.count) FROM link_clicks c JOIN resources r ON r.id = c.resource_id GROUP BY r.slug ORDER BY r.slug'],
    { encoding: 'utf8', timeout: 15000 });
    const got = new Map(out.split('\n').filter(Boolean).map((l) => { const [k, v] = l.split('|'); return [k, Number(v)]; }));

    const problems = [];
    for (const [address, slugs] of slugsOf) {
      const want = slugs.reduce((n, x) => n + (perSlug.get(x) ?? 0), 0) + (perAddress.get(address) ?? 0);
      const have = slugs.reduce((n, x) => n + (got.get(x) ?? 0), 0);
      if (have !== want) problems.push(`${address} (${slugs.join(', ')}): ${have} clicks counted, ${want} redirects answered`);
      if (!perAddress.has(address)) {
        for (const x of slugs) {
          if ((got.get(x) ?? 0) !== (perSlug.get(x) ?? 0)) problems.push(`${x}: ${got.get(x) ?? 0} clicks counted, ${perSlug.get(x) ?? 0} redirects answered`);
        }
      }
    }
    for (const x of got.keys()) if (!urlOf.has(x)) problems.push(`clicks counted for an unregistered slug ${JSON.stringify(x)}`);
    assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  });

});
