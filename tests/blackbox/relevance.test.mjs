// The relevance suite of /sok (docs/search.md): the Swedish searches in tests/relevance-queries.json,
// each with the resources that must come first, judged on the order of <li class="hit"> on the page.
// Before the server is asked, every expectation is checked against the content files (the expected
// resources must really contain the words), so a content change shows as such, not as a search bug.
// One server for the whole file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, repoRoot, contentDir } from './server.mjs';
import { parseSimpleToml } from './content.mjs';
import { get, decodeEntities } from './http.mjs';

const suite = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tests', 'relevance-queries.json'), 'utf8'));
const kFilters = ['kategori', 'niva', 'utgivare', 'kostnad', 'format'];

// ---- the content, as far as the index sees it ------------------------------------------------

function readTables(file, table) {
  return parseSimpleToml(fs.readFileSync(path.join(contentDir, file), 'utf8')).tables[table] ?? [];
}
const categories = new Map(readTables('categories.toml', 'category').map((c) => [c.slug, c]));
const levels = new Map(readTables('levels.toml', 'level').map((l) => [l.slug, l]));
const publishers = new Map(readTables('publishers.toml', 'publisher').map((p) => [p.slug, p]));
const resources = new Map(fs.readdirSync(path.join(contentDir, 'resources')).filter((f) => f.endsWith('.toml')).map((f) => {
  const text = fs.readFileSync(path.join(contentDir, 'resources', f), 'utf8');
  const { top } = parseSimpleToml(text);
  // content.mjs skips multi-line strings; the description is one, read it here.
  const m = /^description\s*=\s*"""\r?\n?([\s\S]*?)"""/m.exec(text);
  return [top.slug, { ...top, description: m ? m[1] : (typeof top.description === 'string' ? top.description : '') }];
}));

/** The text docs/search.md says is indexed for a resource. */
function indexedText(r) {
  const p = publishers.get(r.publisher) ?? {};
  return [
    r.title,
    p.short_name, p.name, ...(p.former_names ?? []),
    categories.get(r.category)?.name,
    levels.get(r.level)?.name,
    r.format,
    r.description,
  ].filter(Boolean).join('\n');
}

function allowedBy(within) {
  const ok = new Set(within.also ?? []);
  for (const r of resources.values()) {
    if (within.level && r.level !== within.level) continue;
    if (within.publisher && r.publisher !== within.publisher) continue;
    if (within.category && r.category !== within.category) continue;
    if (within.titleContains && !r.title.toLocaleLowerCase('sv').includes(within.titleContains.toLocaleLowerCase('sv'))) continue;
    ok.add(r.slug);
  }
  return ok;
}

// ---- the page --------------------------------------------------------------------------------

function searchPath(q, params = {}) {
  const u = new URLSearchParams();
  if (q !== undefined) u.set('q', q);
  for (const [k, v] of Object.entries(params)) u.set(k, v);
  return `/sok?${u}`;
}

/** The slugs of the hits, in page order: the /resurser/ link of each <li class="hit">. */
function hitSlugs(html) {
  const out = [];
  const parts = html.split(/<li\b(?=[^>]*\bclass\s*=\s*["'][^"']*\bhit\b)/i).slice(1);
  for (const part of parts) {
    const m = /href\s*=\s*["']\/resurser\/([^"'#?]+)/i.exec(part.split(/<\/li>/i)[0]);
    out.push(m ? decodeURIComponent(decodeEntities(m[1])) : '(a hit without a /resurser/ link)');
  }
  return out;
}

/** The q of the "Menade du" link, or null. */
function suggestionQ(html) {
  const m = /<p\b[^>]*\bclass\s*=\s*["'][^"']*\bsuggestion\b[^>]*>([\s\S]*?)<\/p>/i.exec(html);
  if (!m) return null;
  const a = /<a\b[^>]*\bhref\s*=\s*["']([^"']*)["']/i.exec(m[1]);
  if (!a) return { href: null, q: null, text: m[1] };
  const href = decodeEntities(a[1]);
  return { href, q: new URL(href, 'http://x').searchParams.get('q'), text: m[1].replace(/<[^>]*>/g, '') };
}

function label(e) {
  const ps = Object.entries(e.params ?? {}).map(([k, v]) => `${k}=${v}`).join('&');
  return `${JSON.stringify(e.q)}${ps ? ` + ${ps}` : ''}`;
}

describe('relevance of /sok over the default guide', { timeout: 60000 }, () => {
  let srv;
  before(async () => { srv = await startServer(); }, { timeout: 30000 });
  after(async () => {
    if (srv) {
      await srv.stop();
      srv.cleanup();
    }
  });

  it(`has at least 30 queries, covering stemming, diacritics, misspellings, compounds, publishers and filters (${suite.queries.length} now)`, () => {
    assert.ok(suite.queries.length >= 30);
    const covers = new Set(suite.queries.map((e) => e.covers));
    for (const c of ['stemming', 'diakriter', 'stavfel', 'sammansattning', 'utgivare', 'filter', 'niva-kategori', 'prefix']) {
      assert.ok(covers.has(c), `no query covers ${c}`);
    }
  });

  it('expects only what the content files support (every expected resource exists, matches the filters and contains the evidence)', () => {
    const problems = [];
    for (const e of suite.queries) {
      for (const k of Object.keys(e.params ?? {})) if (!kFilters.includes(k)) problems.push(`${label(e)}: unknown filter ${k}`);
      if (!e.expect && !e.within) problems.push(`${label(e)}: neither expect nor within`);
      if (e.expect && e.expect.length > e.top) problems.push(`${label(e)}: ${e.expect.length} expected in the top ${e.top}`);
      for (const slug of e.expect ?? []) {
        const r = resources.get(slug);
        if (!r) { problems.push(`${label(e)}: no resource ${slug}`); continue; }
        const p = e.params ?? {};
        if ((p.kategori && r.category !== p.kategori) || (p.niva && r.level !== p.niva) || (p.utgivare && r.publisher !== p.utgivare)
          || (p.kostnad && r.cost !== p.kostnad) || (p.format && r.format !== p.format)) {
          problems.push(`${label(e)}: ${slug} does not match the filters`);
        }
        if (e.q === '' && r.category === '') problems.push(`${label(e)}: ${slug} has no category and is not listed without words`);
        const text = indexedText(r).toLocaleLowerCase('sv');
        for (const w of e.evidence ?? []) {
          if (!text.includes(w.toLocaleLowerCase('sv'))) problems.push(`${label(e)}: ${slug} does not contain ${JSON.stringify(w)}`);
        }
      }
      if (e.within && allowedBy(e.within).size < Math.min(e.top, 1)) problems.push(`${label(e)}: no resource matches within ${JSON.stringify(e.within)}`);
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('puts the expected resources first for every query', async () => {
    const problems = [];
    let passed = 0;
    for (const e of suite.queries) {
      const first = searchPath(e.q, e.params);
      let res = await get(srv.baseUrl, first);
      let html = res.body.toString('utf8');
      let where = first;
      if (res.status !== 200) { problems.push(`${label(e)}: GET ${first} answered ${res.status}`); continue; }
      if (e.suggestion !== undefined) {
        const s = suggestionQ(html);
        if (!s) {
          problems.push(`${label(e)}: no <p class="suggestion"> (expected "Menade du ${e.suggestion}?"); hits: ${JSON.stringify(hitSlugs(html).slice(0, 5))}`);
          continue;
        }
        if (!s.href) { problems.push(`${label(e)}: the suggestion has no link: ${JSON.stringify(s.text)}`); continue; }
        if ((s.q ?? '').toLocaleLowerCase('sv') !== e.suggestion.toLocaleLowerCase('sv')) {
          problems.push(`${label(e)}: suggestion q=${JSON.stringify(s.q)}, expected ${JSON.stringify(e.suggestion)}`);
        }
        const target = new URL(s.href, srv.baseUrl);
        if (target.pathname !== '/sok') { problems.push(`${label(e)}: the suggestion links to ${s.href}, not /sok`); continue; }
        where = target.pathname + target.search;
        res = await get(srv.baseUrl, where);
        html = res.body.toString('utf8');
        if (res.status !== 200) { problems.push(`${label(e)}: GET ${where} (the suggestion) answered ${res.status}`); continue; }
      }
      const hits = hitSlugs(html);
      const top = hits.slice(0, e.top);
      const missing = (e.expect ?? []).filter((s) => !top.includes(s));
      let outside = [];
      if (e.within) {
        const ok = allowedBy(e.within);
        outside = top.filter((s) => !ok.has(s));
        if (top.length === 0) outside = ['(no hits at all)'];
      }
      if (missing.length || outside.length) {
        problems.push(`${label(e)} [${e.covers}] at ${where}:\n`
          + `      expected in the top ${e.top}: ${e.expect ? JSON.stringify(e.expect) : `only ${JSON.stringify(e.within)}`}\n`
          + (missing.length ? `      missing: ${JSON.stringify(missing)}\n` : '')
          + (outside.length ? `      not allowed: ${JSON.stringify(outside)}\n` : '')
          + `      actual top ${Math.max(e.top, 5)}: ${JSON.stringify(hits.slice(0, Math.max(e.top, 5)))} (${hits.length} hits)`);
      } else {
        passed += 1;
      }
    }
    assert.ok(problems.length === 0, `${problems.length} of ${suite.queries.length} queries failed (${passed} passed):\n  ${problems.join('\n  ')}`);
  });
});
