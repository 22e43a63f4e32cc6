// Black-box test of the counted link out: followed /go/ links are counted per resource and UTC day,
// HEAD, bots and prefetches are not, counts reach the database in batches while running and all of
// them by the time the server exits 0 after SIGTERM. Its own server (it is stopped by the test).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from './server.mjs';
import { loadContent } from './content.mjs';
import { request } from './http.mjs';

const content = loadContent();
const [a, b, c] = content.resources;
const kBrowser = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const kGooglebot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const kQuery = 'SELECT r.slug, c.day, c.count FROM link_clicks c JOIN resources r ON r.id = c.resource_id ORDER BY r.slug, c.day';

function utcDay() {
  return new Date().toISOString().slice(0, 10);
}

/** Rows of link_clicks as [slug, day, count], sorted. */
function clicks(dbPath) {
  const out = execFileSync('sqlite3', ['-cmd', '.timeout 5000', '-separator', '|', dbPath, kQuery], { encoding: 'utf8', timeout: 15000 });
  return out.split('\n').filter(Boolean).map((l) => {
    const [slug, day, count] = l.split('|');
    return [slug, day, Number(count)];
  });
}

/** Expected rows for {slug: count}, on `day`. */
function rows(counts, day) {
  return Object.entries(counts).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([slug, n]) => [slug, day, n]);
}

describe('click counting', { timeout: 60000 }, () => {
  let srv;
  let day;
  const responses = [];

  before(async () => {
    assert.ok(a && b && c, 'the content needs at least three resources');
    srv = await startServer({ flushIntervalMs: 200 });
    day = utcDay();
    const go = async (label, slug, method, headers) => {
      const res = await request(srv.baseUrl, `/go/${slug}`, { method, headers: { 'User-Agent': kBrowser, ...headers } });
      responses.push({ label, slug, status: res.status, location: res.headers.location });
    };
    await go('GET 1', a.slug, 'GET', {});
    await go('GET 2', a.slug, 'GET', {});
    await go('GET 3', a.slug, 'GET', {});
    await go('GET', b.slug, 'GET', {});
    await go('HEAD', a.slug, 'HEAD', {});
    await go('GET by Googlebot', a.slug, 'GET', { 'User-Agent': kGooglebot });
    await go('GET with Purpose: prefetch', a.slug, 'GET', { Purpose: 'prefetch' });
    await go('GET with Sec-Purpose: prefetch', a.slug, 'GET', { 'Sec-Purpose': 'prefetch' });
    await go('GET unknown slug', 'unknown-slug', 'GET', {});
  }, { timeout: 30000 });

  after(async () => {
    if (srv) {
      await srv.stop({ signal: 'SIGKILL', timeoutMs: 5000 });
      srv.cleanup();
    }
  });

  it('redirects every followed, HEAD, bot and prefetch /go/ request to the stored url', () => {
    const want = responses.map((r) => (r.slug === 'unknown-slug'
      ? { label: r.label, status: 404, location: undefined }
      : { label: r.label, status: 302, location: content.resources.find((x) => x.slug === r.slug).url }));
    assert.deepEqual(responses.map(({ label, status, location }) => ({ label, status, location })), want);
  });

  it('writes the counts to the database while running, within two seconds (3 and 1; HEAD, bot, prefetches not counted)', async () => {
    const want = rows({ [a.slug]: 3, [b.slug]: 1 }, day);
    const deadline = Date.now() + 2000;
    let got;
    let err;
    for (;;) {
      try { got = clicks(srv.dbPath); err = undefined; } catch (e) { err = e; }
      if (got && JSON.stringify(got) === JSON.stringify(want)) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (err) throw err;
    assert.deepEqual(got, want, `link_clicks rows ${JSON.stringify(got)}`);
  });

  it('on SIGTERM exits 0 having written every pending count (a click just before SIGTERM included)', async () => {
    const b2 = await request(srv.baseUrl, `/go/${b.slug}`, { headers: { 'User-Agent': kBrowser } });
    const c1 = await request(srv.baseUrl, `/go/${c.slug}`, { headers: { 'User-Agent': kBrowser } });
    assert.deepEqual([b2.status, c1.status], [302, 302]);
    const exit = await srv.stop({ signal: 'SIGTERM', timeoutMs: 10000 });
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM\n${srv.output()}`);
    const end = utcDay();
    const got = clicks(srv.dbPath);
    if (end !== day) {
      // The UTC day turned during the test: compare totals per slug only.
      const total = {};
      for (const [slug, d, n] of got) { assert.ok(d === day || d === end, `day ${d}`); total[slug] = (total[slug] ?? 0) + n; }
      assert.deepEqual(total, { [a.slug]: 3, [b.slug]: 2, [c.slug]: 1 });
      return;
    }
    assert.deepEqual(got, rows({ [a.slug]: 3, [b.slug]: 2, [c.slug]: 1 }, day));
  });
});
