// Black-box tests of the reach statistics (docs/statistics.md): followed links, page views and
// searches counted on the server, written at SIGTERM, and shown exactly on /admin/statistik and in its
// CSV files after a restart; bots, HEAD and prefetches not counted; campaign tags only on links to the
// owner's domains and only when switched on; and nothing that identifies a reader in the database
// files or the logs.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './server.mjs';
import { loadContent } from './content.mjs';
import { Client, kAdmin, addUser, rawRequest, publish, expect303, visibleText } from './admin.mjs';

const content = loadContent();
const kOwnerDomains = ['mcf.se', 'msb.se'];
const hostOf = (url) => new URL(url).hostname.toLowerCase();
const isOwner = (url) => kOwnerDomains.some((d) => hostOf(url) === d || hostOf(url).endsWith(`.${d}`));

// A reader as the server sees one: a browser, an address (through a proxy) and a cookie it must ignore.
const kClientIp = '203.0.113.77';
const kUserAgent = 'Mozilla/5.0 (X11; Linux x86_64) StatistikTestWebblasare/7.3';
const kReader = { 'User-Agent': kUserAgent, 'X-Forwarded-For': kClientIp, Cookie: 'spar=1' };

// Two resources on the owner's domains and two elsewhere, from different categories where possible.
const owner = content.resources.filter((r) => r.category && isOwner(r.url));
const other = content.resources.filter((r) => r.category && !isOwner(r.url));
const plan = [
  { r: owner[0], n: 5 },
  { r: owner.find((r) => r.category !== owner[0].category) ?? owner[1], n: 2 },
  { r: other[0], n: 3 },
  { r: other.find((r) => r.level !== other[0].level) ?? other[1], n: 1 },
];

const digits = (s) => Number(String(s).replace(/[^\d−-]/g, '').replace('−', '-'));

/** Rows of the table with the given id: [header cell, ...cells] as text, and data-slug when present. */
function tableRows(html, id) {
  const table = new RegExp(`<table\\b[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html);
  assert.ok(table, `no <table id="${id}"> on the dashboard`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1])?.[1] ?? '';
  return [...body.matchAll(/<tr\b([^>]*)>([\s\S]*?)<\/tr>/g)].map((m) => ({
    slug: /data-slug="([^"]*)"/.exec(m[1])?.[1],
    cells: [...m[2].matchAll(/<t[hd]\b[^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => visibleText(c[1]).replace(/\s+/g, ' ').trim()),
  }));
}

function parseCsv(text) {
  assert.ok(text.startsWith('\uFEFF'), 'the CSV does not start with a UTF-8 byte order mark');
  const rows = [];
  for (const line of text.slice(1).split('\r\n')) {
    if (line === '') continue;
    const cells = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i += 1; } else if (ch === '"') quoted = false; else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { cells.push(cur); cur = ''; } else cur += ch;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

describe('reach statistics', { timeout: 180000 }, () => {
  let srv;
  let dataDir;
  const logs = [];
  const cookieSetters = [];

  async function reader(p, { method = 'GET', headers = kReader } = {}) {
    const res = await rawRequest(srv.baseUrl, p, { method, headers });
    if (res.headers['set-cookie'] !== undefined) cookieSetters.push(`${method} ${p}`);
    return res;
  }

  before(async () => {
    assert.ok(owner.length >= 2 && other.length >= 2, 'the default content needs two resources on mcf.se/msb.se and two elsewhere');
    srv = await startServer({ flushIntervalMs: 200, extraArgs: ['--trust-forwarded-for', 'true', '--access-log', 'true'] });
    dataDir = srv.dataDir;
    addUser(dataDir, kAdmin);
  }, { timeout: 30000 });
  after(async () => {
    if (srv) await srv.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts followed links, page views and searches of readers only, and writes every count at SIGTERM', async () => {
    // Campaign tags are off by default: the address as stored (HEAD is not counted).
    for (const { r } of plan) {
      const res = await reader(`/go/${r.slug}`, { method: 'HEAD' });
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, r.url, `HEAD /go/${r.slug} with campaign tags off`);
    }
    for (const { r, n } of plan) {
      for (let i = 0; i < n; i += 1) assert.equal((await reader(`/go/${r.slug}`)).status, 302);
    }
    // Not counted: HEAD, bots and crawlers, prefetches.
    const first = plan[0].r.slug;
    await reader(`/go/${first}`, { method: 'HEAD' });
    await reader(`/go/${first}`, { headers: { ...kReader, 'User-Agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' } });
    await reader(`/go/${first}`, { headers: { ...kReader, 'User-Agent': 'facebookexternalhit/1.1' } });
    await reader(`/go/${first}`, { headers: { ...kReader, Purpose: 'prefetch' } });
    await reader(`/go/${first}`, { headers: { ...kReader, 'Sec-Purpose': 'prefetch;prerender' } });
    // Page views: 4 of the start page, 2 of /kategorier; HEAD, a bot, a prefetch and a 404 not counted.
    for (let i = 0; i < 4; i += 1) assert.equal((await reader('/')).status, 200);
    assert.equal((await reader('/kategorier')).status, 200);
    const etag = (await reader('/kategorier')).headers.etag;
    assert.equal((await reader('/kategorier', { headers: { ...kReader, 'If-None-Match': etag } })).status, 304);
    await reader('/', { method: 'HEAD' });
    await reader('/', { headers: { ...kReader, 'User-Agent': 'Mozilla/5.0 (compatible; bingbot/2.0)' } });
    await reader('/', { headers: { ...kReader, 'Sec-Purpose': 'prefetch' } });
    assert.equal((await reader('/finns-inte-alls')).status, 404);
    // Searches: one that finds something, one that does not (each also a view of /sok).
    await reader('/sok?q=l%C3%B6senord');
    await reader('/sok?q=zyxwvutsrq');

    const exit = await srv.stop({ signal: 'SIGTERM' });
    logs.push(srv.output());
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `exit after SIGTERM\n${srv.output()}`);
    assert.deepEqual(cookieSetters, [], 'reader responses set a cookie');
  });

  it('shows exactly those counts on /admin/statistik after a restart: owner domains, per resource, category and level, pages and searches', async () => {
    srv = await startServer({ dataDir, flushIntervalMs: 200, extraArgs: ['--trust-forwarded-for', 'true', '--access-log', 'true'] });
    const admin = new Client(srv.baseUrl);
    await admin.loginOk(kAdmin);
    const page = await admin.get('/admin/statistik?period=7');
    assert.equal(page.status, 200);
    const html = page.text;

    const total = plan.reduce((a, p) => a + p.n, 0);
    const ownerTotal = plan.filter((p) => isOwner(p.r.url)).reduce((a, p) => a + p.n, 0);
    assert.equal(digits(/id="huvudtal">([^<]*)</.exec(html)?.[1]), ownerTotal, 'the headline: followed links to the owner domains');

    const perSlug = new Map(plan.map((p) => [p.r.slug, p.n]));
    const resources = tableRows(html, 'tabell-resurser');
    assert.equal(resources.length, content.resources.length, 'every resource has a row');
    for (const row of resources) assert.equal(digits(row.cells[3]), perSlug.get(row.slug) ?? 0, `resource ${row.slug}: ${JSON.stringify(row.cells)}`);

    const perCat = new Map(content.categories.map((c) => [c.name, 0]));
    const perLevel = new Map(content.levels.map((l) => [l.name, 0]));
    for (const { r, n } of plan) {
      const c = content.categories.find((x) => x.slug === r.category);
      const l = content.levels.find((x) => x.slug === r.level);
      perCat.set(c.name, perCat.get(c.name) + n);
      perLevel.set(l.name, perLevel.get(l.name) + n);
    }
    const cats = tableRows(html, 'tabell-kategorier');
    assert.deepEqual(Object.fromEntries(cats.map((x) => [x.cells[0], digits(x.cells[1])])), Object.fromEntries(perCat));
    const levels = tableRows(html, 'tabell-nivaer');
    assert.deepEqual(Object.fromEntries(levels.map((x) => [x.cells[0], digits(x.cells[1])])), Object.fromEntries(perLevel));

    const pages = Object.fromEntries(tableRows(html, 'tabell-sidor').map((x) => [x.cells[0], digits(x.cells[1])]));
    assert.deepEqual(pages, { '/': 4, '/kategorier': 3, '/sok': 2 }, 'page views (200 and 304 of readers only)');
    const searches = Object.fromEntries(tableRows(html, 'tabell-sokningar').map((x) => [x.cells[0], [digits(x.cells[1]), digits(x.cells[2])]]));
    assert.equal(searches['zyxwvutsrq']?.[1], 0);
    assert.ok(searches['lösenord']?.[1] > 0, JSON.stringify(searches));
    assert.deepEqual(tableRows(html, 'tabell-utan-traffar').map((x) => x.cells[0]), ['zyxwvutsrq']);

    const days = tableRows(html, 'tabell-dagar');
    assert.equal(days.length, 7);
    assert.equal(days.reduce((a, d) => a + digits(d.cells[1]), 0), ownerTotal);
    assert.equal(days.reduce((a, d) => a + digits(d.cells[2]), 0), total);
    // The charts are SVG with a title, beside their tables.
    assert.equal((html.match(/<svg\b[^>]*role="img"[^>]*aria-labelledby="[^"]+"[\s\S]*?<title\b/g) ?? []).length, 3);

    // The CSV files say the same.
    const csv = async (name) => {
      const res = await admin.get(`/admin/statistik/${name}.csv?period=7`);
      assert.equal(res.status, 200, `${name}.csv`);
      assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
      assert.match(res.headers['content-disposition'] ?? '', /^attachment; filename="statistik-[a-z-]+-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"$/);
      return parseCsv(res.text);
    };
    const rcsv = await csv('resurser');
    assert.deepEqual(rcsv[0], ['Resurs', 'Adressnamn', 'Kategori', 'Nivå', 'Följda länkar', 'Föregående period']);
    assert.equal(rcsv.length - 1, content.resources.length);
    for (const row of rcsv.slice(1)) assert.equal(Number(row[4]), perSlug.get(row[1]) ?? 0, `resurser.csv ${row[1]}`);
    const ccsv = await csv('kategorier');
    assert.deepEqual(Object.fromEntries(ccsv.slice(1).map((x) => [x[0], Number(x[1])])), Object.fromEntries(perCat));
    const lcsv = await csv('nivaer');
    assert.deepEqual(Object.fromEntries(lcsv.slice(1).map((x) => [x[0], Number(x[1])])), Object.fromEntries(perLevel));
    const dcsv = await csv('dagar');
    assert.deepEqual(dcsv[0], ['Datum', 'Besök till ägarens webbplats', 'Följda länkar', 'Sidvisningar']);
    for (const row of dcsv.slice(1)) assert.match(row[0], /^\d{4}-\d\d-\d\d$/);
    assert.equal(dcsv.slice(1).reduce((a, r) => a + Number(r[1]), 0), ownerTotal);
    assert.equal(dcsv.slice(1).reduce((a, r) => a + Number(r[2]), 0), total);
    assert.equal(dcsv.slice(1).reduce((a, r) => a + Number(r[3]), 0), 9);
    assert.deepEqual((await csv('sokningar-utan-traffar')).slice(1), [['zyxwvutsrq', '1']]);
    assert.equal((await admin.get('/admin/statistik/okand.csv')).status, 404);
  });

  it('tells of a bad custom period in Swedish and shows the default; sorts the resource table by a column', async () => {
    const admin = new Client(srv.baseUrl);
    await admin.loginOk(kAdmin);
    const bad = await admin.get('/admin/statistik?period=egen&fran=2026-02-30&till=2026-03-01');
    assert.equal(bad.status, 200);
    assert.match(visibleText(bad.text), /Skriv datumen som ÅÅÅÅ-MM-DD/);
    const reversed = await admin.get('/admin/statistik?period=egen&fran=2026-03-02&till=2026-03-01');
    assert.match(visibleText(reversed.text), /Startdatumet måste vara/);
    const custom = await admin.get('/admin/statistik?period=egen&fran=2026-03-28&till=2026-03-30');
    assert.equal(tableRows(custom.text, 'tabell-dagar').length, 3, 'a custom period of three days (one with 23 hours) has three rows');
    const byTitle = tableRows((await admin.get('/admin/statistik?period=7&sortera=titel')).text, 'tabell-resurser').map((x) => x.cells[0]);
    assert.deepEqual(byTitle, [...byTitle].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    assert.match((await admin.get('/admin/statistik?period=7&sortera=titel')).text, /<th scope="col" aria-sort="ascending"><a href="[^"]*sortera=titel/);
  });

  it('adds campaign tags on the way out to owner domains only, once an admin switches them on', async () => {
    const admin = new Client(srv.baseUrl);
    await admin.loginOk(kAdmin);
    expect303(await admin.edit('/admin/installningar', { campaign_tags: '1', utm_source: 'cyberguide', utm_medium: 'referral', utm_campaign: 'test-kampanj' }), 'POST /admin/installningar');
    await publish(admin, 'Kampanjtaggar på');
    const tagged = (u) => `${u}${u.includes('?') ? '&' : '?'}utm_source=cyberguide&utm_medium=referral&utm_campaign=test-kampanj`;
    const deadline = Date.now() + 3000;
    let loc;
    do {
      loc = (await reader(`/go/${plan[0].r.slug}`, { method: 'HEAD' })).headers.location;
    } while (loc !== tagged(plan[0].r.url) && Date.now() < deadline && await new Promise((r) => setTimeout(r, 100)) === undefined);
    assert.equal(loc, tagged(plan[0].r.url), 'an owner-domain link with campaign tags on');
    for (const { r } of plan) {
      const res = await reader(`/go/${r.slug}`, { method: 'HEAD' });
      assert.equal(res.headers.location, isOwner(r.url) ? tagged(r.url) : r.url, `/go/${r.slug}`);
    }
    // The tags are added on the redirect only: the published content keeps the plain address.
    const page = await reader(`/resurser/${plan[0].r.slug}`);
    assert.ok(!page.text.includes('utm_'), 'a reader page shows campaign tags');
    // Nothing above was counted (HEAD), and the settings form refuses a bad value with a Swedish message.
    const bad = await admin.edit('/admin/installningar', { utm_source: 'mitt värde' });
    assert.equal(bad.status, 422);
    assert.match(visibleText(bad.text), /utm_source får bara innehålla/);
  });

  it('stores and logs nothing that identifies a reader: no address, no user agent, no cookie value', async () => {
    const exit = await srv.stop({ signal: 'SIGTERM' });
    assert.equal(exit.code, 0);
    logs.push(srv.output());
    const needles = [kClientIp, kUserAgent, 'StatistikTestWebblasare', 'spar=1', '127.0.0.1'];
    const found = [];
    for (const f of fs.readdirSync(dataDir)) {
      const p = path.join(dataDir, f);
      if (!fs.statSync(p).isFile()) continue;
      const bytes = fs.readFileSync(p);
      for (const n of needles) {
        if (bytes.includes(Buffer.from(n, 'utf8')) || bytes.includes(Buffer.from(n, 'utf16le'))) found.push(`${f}: ${n}`);
      }
    }
    for (const [i, log] of logs.entries()) {
      for (const n of needles.slice(0, 4)) if (log.includes(n)) found.push(`log of server run ${i + 1}: ${n}`);
    }
    assert.deepEqual(found, [], 'reader data found in the database files or the logs');
    assert.deepEqual(cookieSetters, [], 'reader responses set a cookie');
  });
});
