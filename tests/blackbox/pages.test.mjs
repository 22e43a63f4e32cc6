// Black-box tests of the reader pages, the counted link out and the 404 page, against the content
// files in <repo>/content. One server for the whole file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { loadContent, readerPages, kNotFoundPath } from './content.mjs';
import { get, request, hrefs, escapedTextRegex, decodeEntities, crawl } from './http.mjs';

const content = loadContent();
const pages = readerPages(content);
const categorised = content.resources.filter((r) => r.category !== '');
const uncategorised = content.resources.filter((r) => r.category === '');
const urlBySlug = new Map(content.resources.map((r) => [r.slug, r.url]));
const htmlType = 'text/html; charset=utf-8';

let srv;
const pageCache = new Map();

/** GET a page once (identity encoding) and keep it for the other tests of this file. */
async function page(p) {
  if (!pageCache.has(p)) pageCache.set(p, await get(srv.baseUrl, p));
  return pageCache.get(p);
}

function html(res) {
  return res.body.toString('utf8');
}

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

describe('reader pages', { timeout: 90000 }, () => {
  before(async () => { srv = await startServer(); }, { timeout: 30000 });
  after(async () => {
    if (srv) {
      const r = await srv.stop();
      srv.cleanup();
      assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}\n${srv.output()}`);
    }
  });

  it('answers /healthz with 200 "ok"', async () => {
    const res = await get(srv.baseUrl, '/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString('utf8').trim(), 'ok');
  });

  it('answers every reader page (those of the content, and every page linked from them) with 200, text/html; charset=utf-8, lang="sv" and exactly one h1', async () => {
    const problems = [];
    for (const p of await crawl(srv.baseUrl, pages)) {
      const res = await page(p);
      if (res.status !== 200) { problems.push(`GET ${p}: status ${res.status}, expected 200`); continue; }
      if (res.headers['content-type'] !== htmlType) problems.push(`GET ${p}: Content-Type ${res.headers['content-type']}, expected ${htmlType}`);
      const h = html(res);
      if (!/<html\b[^>]*\blang\s*=\s*["']?sv["'\s>]/i.test(h)) problems.push(`GET ${p}: no <html lang="sv">`);
      const h1s = (h.match(/<h1\b/gi) ?? []).length;
      if (h1s !== 1) problems.push(`GET ${p}: ${h1s} <h1> elements, expected 1`);
    }
    fail(problems);
  });

  it('lists every categorised resource (/resurser/ and /go/ links) on its category/level page, its category\'s alla-nivaer page and its /nivaer/ page', async () => {
    const problems = [];
    for (const r of categorised) {
      for (const p of [`/kategorier/${r.category}/${r.level}`, `/kategorier/${r.category}/alla-nivaer`, `/nivaer/${r.level}`]) {
        const res = await page(p);
        if (res.status !== 200) { problems.push(`GET ${p}: status ${res.status} (needed for ${r.slug})`); continue; }
        const links = new Set(hrefs(html(res)));
        if (!links.has(`/resurser/${r.slug}`)) problems.push(`GET ${p}: no href="/resurser/${r.slug}"`);
        if (!links.has(`/go/${r.slug}`)) problems.push(`GET ${p}: no href="/go/${r.slug}"`);
      }
    }
    fail(problems);
  });

  it('shows on each category/level, alla-nivaer and /nivaer/ page the /go/ links of exactly its own resources', async () => {
    const problems = [];
    const expectGo = (p, list) => page(p).then((res) => {
      const got = new Set(hrefs(html(res)).filter((h) => h.startsWith('/go/')));
      const want = new Set(list.map((r) => `/go/${r.slug}`));
      for (const h of got) if (!want.has(h)) problems.push(`GET ${p}: has href="${h}", which belongs to another page`);
      for (const h of want) if (!got.has(h)) problems.push(`GET ${p}: lacks href="${h}"`);
    });
    for (const c of content.categories) {
      for (const l of c.levels) {
        await expectGo(`/kategorier/${c.slug}/${l}`, categorised.filter((r) => r.category === c.slug && r.level === l));
      }
      await expectGo(`/kategorier/${c.slug}/alla-nivaer`, categorised.filter((r) => r.category === c.slug));
    }
    for (const l of content.levels) {
      await expectGo(`/nivaer/${l.slug}`, categorised.filter((r) => r.level === l.slug));
    }
    fail(problems);
  });

  it('orders the resources of a category/level page by their "order" field', async () => {
    const problems = [];
    for (const c of content.categories) {
      for (const l of c.levels) {
        const p = `/kategorier/${c.slug}/${l}`;
        const list = categorised.filter((r) => r.category === c.slug && r.level === l);
        const h = html(await page(p));
        const pos = new Map(list.map((r) => [r.slug, h.indexOf(`/go/${r.slug}"`)]));
        for (const a of list) {
          for (const b of list) {
            if (a.order < b.order && pos.get(a.slug) >= 0 && pos.get(b.slug) >= 0 && pos.get(a.slug) > pos.get(b.slug)) {
              problems.push(`GET ${p}: ${a.slug} (order ${a.order}) shown after ${b.slug} (order ${b.order})`);
            }
          }
        }
      }
    }
    fail(problems);
  });

  it('shows resources outside the categories on no category or level page', async () => {
    const problems = [];
    const listPages = pages.filter((p) => p.startsWith('/kategorier/') || p.startsWith('/nivaer/'));
    for (const r of uncategorised) {
      for (const p of listPages) {
        const links = new Set(hrefs(html(await page(p))));
        if (links.has(`/resurser/${r.slug}`) || links.has(`/go/${r.slug}`)) problems.push(`GET ${p}: links uncategorised resource ${r.slug}`);
      }
    }
    fail(problems);
  });

  it('answers every /resurser/{slug} with 200, its title (HTML-escaped) in the h1 and a link to /go/{slug}', async () => {
    const problems = [];
    for (const r of content.resources) {
      const p = `/resurser/${r.slug}`;
      const res = await page(p);
      if (res.status !== 200) { problems.push(`GET ${p}: status ${res.status}`); continue; }
      const h = html(res);
      const h1 = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(h)?.[1] ?? '';
      if (!escapedTextRegex(r.title).test(h1)) problems.push(`GET ${p}: h1 ${JSON.stringify(h1.trim().slice(0, 120))} does not hold the escaped title ${JSON.stringify(r.title)}`);
      if (!hrefs(h).includes(`/go/${r.slug}`)) problems.push(`GET ${p}: no href="/go/${r.slug}"`);
    }
    fail(problems);
  });

  it('redirects every /go/{slug} with 302 to exactly the url of its content file, leaking no other host in the body', async () => {
    const problems = [];
    for (const r of content.resources) {
      const p = `/go/${r.slug}`;
      const res = await get(srv.baseUrl, p);
      if (res.status !== 302) problems.push(`GET ${p}: status ${res.status}, expected 302`);
      if (res.headers.location !== r.url) problems.push(`GET ${p}: Location ${JSON.stringify(res.headers.location)}, expected ${JSON.stringify(r.url)}`);
      const body = decodeEntities(res.body.toString('utf8'));
      for (const u of body.match(/\bhttps?:\/\/[^\s"'<>]*/gi) ?? []) {
        if (u !== r.url) problems.push(`GET ${p}: body mentions ${u}, which is not the stored url`);
      }
    }
    fail(problems);
  });

  it('answers /go/unknown-slug with 404 and no Location header', async () => {
    const res = await get(srv.baseUrl, '/go/unknown-slug');
    assert.equal(res.status, 404);
    assert.equal(res.headers.location, undefined);
  });

  it('never redirects tricky /go/ requests anywhere but the stored url', async () => {
    const s = content.resources[0].slug;
    const url = urlBySlug.get(s);
    // [path, statuses allowed besides a 302 to `url`, extra headers]
    const cases = [
      ['/go/%2F%2Fevil.example', [404]],
      ['/go//evil.example', [404]],
      ['/go/..%2F', [404]],
      ['/go/..%2F..%2F', [404]],
      ['/go/', [404]],
      ['/go', [404]],
      ['/go/https:%2F%2Fevil.example', [404]],
      ['/go/https://evil.example', [404]],
      ['/go/%5C%5Cevil.example', [404]],
      ['/go/%2F%5Cevil.example', [404]],
      [`/go/${s}/..%2F..%2Fevil.example`, [404]],
      [`/go/${s}?next=https://evil.example`, [404], { redirectOk: true }],
      [`/go/${s}?url=%2F%2Fevil.example&redirect=https%3A%2F%2Fevil.example`, [404], { redirectOk: true }],
      [`/go/${s}#https://evil.example`, [400, 404], { redirectOk: true }],
      [`//go/${s}`, [404], { redirectOk: true }],
      [`/go//${s}`, [404], { redirectOk: true }],
      [`/go/${s}/`, [404], { redirectOk: true }],
      [`/go/${s.toUpperCase()}`, [404], { redirectOk: true }],
      [`/go/${s}%0d%0aLocation:%20https://evil.example`, [400, 404]],
      [`/go/${s}%00`, [400, 404]],
      [`http://evil.example/go/${s}`, [400, 404], { redirectOk: true }],
      [`/go/${s}`, [400], { redirectOk: true, headers: { Host: 'evil.example' } }],
      [`/go/${s}`, [400], { redirectOk: true, headers: { 'X-Forwarded-Host': 'evil.example', Referer: 'https://evil.example/' } }],
    ];
    const problems = [];
    for (const [p, allowed, opts = {}] of cases) {
      let res;
      try {
        res = await request(srv.baseUrl, p, { headers: opts.headers ?? {} });
      } catch (e) {
        problems.push(`GET ${p}: request failed: ${e.message}`);
        continue;
      }
      const what = `GET ${p}${opts.headers ? ' ' + JSON.stringify(opts.headers) : ''}`;
      if (res.status >= 300 && res.status < 400) {
        if (!opts.redirectOk) problems.push(`${what}: ${res.status} to ${JSON.stringify(res.headers.location)}, expected ${allowed.join(' or ')}`);
        else if (res.status !== 302 || res.headers.location !== url) problems.push(`${what}: ${res.status} to ${JSON.stringify(res.headers.location)}, expected 302 to ${url} or ${allowed.join('/')}`);
      } else {
        if (!allowed.includes(res.status)) problems.push(`${what}: status ${res.status}, expected ${opts.redirectOk ? `302 to ${url} or ` : ''}${allowed.join(' or ')}`);
        if (res.headers.location !== undefined) problems.push(`${what}: status ${res.status} with Location ${JSON.stringify(res.headers.location)}`);
      }
      if (/evil\.example/i.test(res.headers.location ?? '')) problems.push(`${what}: Location names evil.example`);
    }
    fail(problems);
  });

  it('answers unknown paths with a Swedish 404 HTML page (status, Content-Type, lang="sv", text, link home)', async () => {
    const c = content.categories[0];
    const allLevels = content.levels.map((l) => l.slug);
    const notOffered = [];
    for (const cat of content.categories) {
      for (const l of allLevels) if (!cat.levels.includes(l)) notOffered.push(`/kategorier/${cat.slug}/${l}`);
    }
    const paths = [
      kNotFoundPath,
      '/kategorier/okand-kategori',
      '/kategorier/okand-kategori/alla-nivaer',
      `/kategorier/${c.slug}/okand-niva`,
      `/kategorier/${c.slug}/${c.levels[0]}/mer`,
      '/nivaer/okand-niva',
      '/resurser/okand-resurs',
      '/static/finns-inte.css',
      ...notOffered.slice(0, 3),
    ];
    const problems = [];
    for (const p of paths) {
      const res = await get(srv.baseUrl, p);
      if (res.status !== 404) { problems.push(`GET ${p}: status ${res.status}, expected 404`); continue; }
      if (p.startsWith('/static/')) continue; // an asset path may answer a plain 404
      if (res.headers['content-type'] !== htmlType) problems.push(`GET ${p}: Content-Type ${res.headers['content-type']}, expected ${htmlType}`);
      const h = html(res);
      if (!/<html\b[^>]*\blang\s*=\s*["']?sv["'\s>]/i.test(h)) problems.push(`GET ${p}: no <html lang="sv">`);
      if (!/sidan|hittades inte|finns inte|saknas/i.test(h)) problems.push(`GET ${p}: no Swedish "sidan … finns inte/hittades inte" text`);
      if (!hrefs(h).includes('/')) problems.push(`GET ${p}: no link to the start page "/"`);
    }
    fail(problems);
  });

  it('links only to pages that exist, and in-page anchors point at existing ids', async () => {
    const problems = [];
    const internal = new Map(); // path -> first page linking it
    for (const p of [...pages, kNotFoundPath]) {
      const h = html(await page(p));
      const ids = new Set([...h.matchAll(/\bid\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]));
      for (const href of hrefs(h)) {
        if (href.startsWith('#')) {
          if (href.length > 1 && !ids.has(decodeURIComponent(href.slice(1)))) problems.push(`${p}: href="${href}" but no element has that id`);
        } else if (href.startsWith('/go/')) {
          if (!urlBySlug.has(href.slice(4))) problems.push(`${p}: href="${href}" names no resource`);
        } else if (href.startsWith('/') && !href.startsWith('//')) {
          const target = href.replace(/#.*$/, '');
          if (!internal.has(target)) internal.set(target, p);
        }
      }
    }
    for (const [target, from] of internal) {
      const res = pageCache.get(target) ?? await get(srv.baseUrl, target);
      if (res.status !== 200) problems.push(`${from}: links ${target}, which answers ${res.status}`);
    }
    fail(problems);
  });

  it('links to no resource destination directly: every link out goes through /go/', async () => {
    const homePages = new Set(content.publisherHomePages);
    const destinations = new Set(content.resources.map((r) => r.url).filter((u) => !homePages.has(u)));
    const problems = [];
    for (const p of [...pages, kNotFoundPath]) {
      for (const href of hrefs(html(await page(p)))) {
        if (destinations.has(href)) problems.push(`${p}: href="${href}" links a resource's destination directly`);
      }
    }
    fail(problems);
  });
});
