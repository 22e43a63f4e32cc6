// Black-box tests of the search page /sok (docs/search.md) over HTTP, against the content files:
// the page and its headers, the list without words, filters and their counts, combined and removed
// filters, sharing by URL, the 200-character cut, hostile input (never a 500, never unescaped), the
// search form on every reader page, and the search counts written for the editors (own server,
// stopped with SIGTERM, then read with sqlite3).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { startServer, contentDir } from './server.mjs';
import { parseSimpleToml, kNotFoundPath } from './content.mjs';
import { get, decodeEntities, kSecurityHeaders } from './http.mjs';

const kFacets = { Kategori: 'kategori', 'Nivå': 'niva', Utgivare: 'utgivare', Kostnad: 'kostnad', Format: 'format' };
const kFilterKeys = Object.values(kFacets);
const htmlType = 'text/html; charset=utf-8';

// ---- the content -----------------------------------------------------------------------------

function readTables(file, table) {
  return parseSimpleToml(fs.readFileSync(path.join(contentDir, file), 'utf8')).tables[table] ?? [];
}
const categories = readTables('categories.toml', 'category');
const levels = readTables('levels.toml', 'level');
const resources = fs.readdirSync(path.join(contentDir, 'resources')).filter((f) => f.endsWith('.toml'))
  .map((f) => parseSimpleToml(fs.readFileSync(path.join(contentDir, 'resources', f), 'utf8')).top);
const bySlug = new Map(resources.map((r) => [r.slug, r]));
const catIndex = new Map(categories.map((c, i) => [c.slug, i]));
const levelIndex = new Map(levels.map((l, i) => [l.slug, i]));
const categorised = resources.filter((r) => r.category !== '');

/** The resources a filter-only search must list, in the order docs/search.md gives. */
function listed(filters = {}) {
  return categorised
    .filter((r) => (!filters.kategori || r.category === filters.kategori) && (!filters.niva || r.level === filters.niva)
      && (!filters.utgivare || r.publisher === filters.utgivare) && (!filters.kostnad || r.cost === filters.kostnad)
      && (!filters.format || r.format === filters.format))
    .sort((a, b) => (catIndex.get(a.category) - catIndex.get(b.category)) || (levelIndex.get(a.level) - levelIndex.get(b.level)) || (a.order - b.order))
    .map((r) => r.slug);
}

// ---- the page --------------------------------------------------------------------------------

function searchPath(params) {
  return `/sok?${new URLSearchParams(params)}`;
}

function stripTags(s) {
  return decodeEntities(s.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

function classRe(tag, cls) {
  return new RegExp(`<${tag}\\b[^>]*\\bclass\\s*=\\s*["'][^"']*\\b${cls}\\b[^"']*["'][^>]*>([\\s\\S]*?)<\\/${tag}>`, 'i');
}

/** The params of a /sok href as a plain object (a later value wins, as on the server). */
function paramsOf(href) {
  const out = {};
  for (const [k, v] of new URL(href, 'http://x').searchParams) out[k] = v;
  return out;
}

/** Everything a test needs from a /sok page. */
function parsePage(html) {
  const countText = classRe('p', 'hit-count').exec(html);
  let count = null;
  if (countText) {
    const t = stripTags(countText[1]);
    if (/^Inga träffar$/.test(t)) count = 0;
    else if (/^1 träff$/.test(t)) count = 1;
    else if (/^\d+ träffar$/.test(t)) count = Number(t.split(' ')[0]);
    else count = `unreadable: ${JSON.stringify(t)}`;
  }
  const hits = [];
  for (const part of html.split(/<li\b(?=[^>]*\bclass\s*=\s*["'][^"']*\bhit\b)/i).slice(1)) {
    const m = /href\s*=\s*["']\/resurser\/([^"'#?]+)/i.exec(part.split(/<\/li>/i)[0]);
    hits.push(m ? decodeURIComponent(decodeEntities(m[1])) : '(a hit without a /resurser/ link)');
  }
  // Facet value links: <a href="/sok?…">{label} <span class="count">(n)</span></a>.
  const facetLinks = [];
  const removes = [];
  const aRe = /<a\b([^>]*)>([\s\S]*?)<\/a>/gi;
  let m;
  while ((m = aRe.exec(html))) {
    const hrefM = /\bhref\s*=\s*["']([^"']*)["']/i.exec(m[1]);
    if (!hrefM) continue;
    const href = decodeEntities(hrefM[1]);
    if (/\bclass\s*=\s*["'][^"']*\bremove-filter\b/i.test(m[1])) {
      removes.push({ href, text: stripTags(m[2]) });
      continue;
    }
    const c = /<span\b[^>]*\bclass\s*=\s*["'][^"']*\bcount\b[^>]*>\s*\((\d+)\)\s*<\/span>/i.exec(m[2]);
    if (!c || !href.startsWith('/sok')) continue;
    facetLinks.push({ href, n: Number(c[1]), label: stripTags(m[2].replace(c[0], '')), current: /aria-current\s*=\s*["']true/i.test(m[1]) });
  }
  const sugg = classRe('p', 'suggestion').exec(html);
  const note = classRe('p', 'note').exec(html);
  return { count, hits, facetLinks, removes, suggestion: sugg ? stripTags(sugg[1]) : null, note: note ? stripTags(note[1]) : null, html };
}

/** The filter a facet link adds (or changes) relative to the page's params, and whether it keeps the rest. */
function addedFilter(pageParams, href) {
  const p = paramsOf(href);
  const changed = kFilterKeys.filter((k) => (p[k] ?? '') !== (pageParams[k] ?? ''));
  const keeps = ['q', ...kFilterKeys].every((k) => changed.includes(k) || (p[k] ?? '') === (pageParams[k] ?? ''));
  return { changed, keeps, params: p };
}

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

describe('search page /sok', { timeout: 120000 }, () => {
  let srv;
  const cache = new Map();
  async function page(p) {
    if (!cache.has(p)) {
      const res = await get(srv.baseUrl, p);
      cache.set(p, { res, ...parsePage(res.body.toString('utf8')) });
    }
    return cache.get(p);
  }

  before(async () => { srv = await startServer(); }, { timeout: 30000 });
  after(async () => {
    if (srv) {
      const r = await srv.stop();
      srv.cleanup();
      assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}\n${srv.output()}`);
    }
  });

  it('answers 200 text/html with Cache-Control: no-store and every security header, <h1>Sök</h1> and the labelled search form', async () => {
    const problems = [];
    for (const p of ['/sok', '/sok?q=', '/sok?q=informationss%C3%A4kerhet', '/sok?q=xyzzyqqq', '/sok?kategori=utbildningar&niva=grundniva', '/sok?q=incidenthantring']) {
      const { res, html } = await page(p);
      if (res.status !== 200) { problems.push(`${p}: status ${res.status}`); continue; }
      if (res.headers['content-type'] !== htmlType) problems.push(`${p}: Content-Type ${res.headers['content-type']}`);
      if (!/(^|,)\s*no-store\s*(,|$)/i.test(res.headers['cache-control'] ?? '')) problems.push(`${p}: Cache-Control ${JSON.stringify(res.headers['cache-control'])}, expected no-store`);
      for (const [h, v] of Object.entries(kSecurityHeaders)) {
        if (res.headers[h] !== v) problems.push(`${p}: ${h}: ${JSON.stringify(res.headers[h])}, expected ${JSON.stringify(v)}`);
      }
      if (res.headers['set-cookie'] !== undefined) problems.push(`${p}: sets a cookie`);
      if (!/<h1\b[^>]*>\s*Sök\s*<\/h1>/i.test(html)) problems.push(`${p}: no <h1>Sök</h1>`);
      // In <main>: a form role="search" action="/sok" whose input name="q" has a <label for>.
      const main = /<main\b[\s\S]*<\/main>/i.exec(html)?.[0] ?? '';
      const form = /<form\b(?=[^>]*\brole\s*=\s*["']search["'])(?=[^>]*\baction\s*=\s*["']\/sok["'])[^>]*>([\s\S]*?)<\/form>/i.exec(main);
      if (!form) { problems.push(`${p}: no <form role="search" action="/sok"> in <main>`); continue; }
      const input = /<input\b(?=[^>]*\bname\s*=\s*["']q["'])[^>]*>/i.exec(form[1])?.[0];
      const id = input && /\bid\s*=\s*["']([^"']+)["']/i.exec(input)?.[1];
      if (!input) problems.push(`${p}: the form in <main> has no input name="q"`);
      else if (!id || !new RegExp(`<label\\b[^>]*\\bfor\\s*=\\s*["']${id}["'][^>]*>\\s*\\S`, 'i').test(form[1])) problems.push(`${p}: the q input has no <label for="${id}"> with text`);
    }
    fail(problems);
  });

  it('lists every resource in a category (and only those) for an empty q, ordered by category, level and order', async () => {
    const want = listed();
    const problems = [];
    for (const p of ['/sok', '/sok?q=', '/sok?q=+++', '/sok?q=%20%09%20']) {
      const { res, count, hits } = await page(p);
      if (res.status !== 200) { problems.push(`${p}: status ${res.status}`); continue; }
      if (count !== want.length) problems.push(`${p}: hit count ${count}, expected ${want.length}`);
      if (JSON.stringify(hits) !== JSON.stringify(want)) {
        const extra = hits.filter((s) => !want.includes(s));
        const missing = want.filter((s) => !hits.includes(s));
        problems.push(`${p}: hits differ from the ${want.length} categorised resources in order; extra ${JSON.stringify(extra)}, missing ${JSON.stringify(missing)}; first ${JSON.stringify(hits.slice(0, 6))} expected ${JSON.stringify(want.slice(0, 6))}`);
      }
    }
    fail(problems);
  });

  it('says "N träffar", "1 träff" or "Inga träffar" and shows exactly that many hits', async () => {
    const problems = [];
    const cases = [
      ['/sok?q=xyzzyqqq', 0],
      [searchPath({ q: '', format: 'Webbkurs', kostnad: 'free' }), 1],
      [searchPath({ q: 'informationssäkerhet' }), 'many'],
      [searchPath({ q: '', kategori: 'matverktyg' }), 3],
    ];
    for (const [p, want] of cases) {
      const { res, count, hits, html } = await page(p);
      if (res.status !== 200) { problems.push(`${p}: status ${res.status}`); continue; }
      if (want === 'many' ? !(typeof count === 'number' && count > 1) : count !== want) problems.push(`${p}: hit count ${JSON.stringify(count)}, expected ${want}`);
      if (count !== hits.length) problems.push(`${p}: "${count}" in <p class="hit-count"> but ${hits.length} <li class="hit">`);
      if (want === 0 && !/<p\b[^>]*class\s*=\s*["'][^"']*\bhit-count\b[^>]*>\s*Inga träffar\s*</i.test(html)) problems.push(`${p}: no "Inga träffar"`);
    }
    fail(problems);
  });

  it('shows every hit with its title link, publisher, category, level and an excerpt with the matched word in <mark>', async () => {
    const p = searchPath({ q: 'styrsystem' });
    const { res, html, hits } = await page(p);
    assert.equal(res.status, 200);
    assert.ok(hits.length > 0, 'no hits for styrsystem');
    const problems = [];
    const items = html.split(/<li\b(?=[^>]*\bclass\s*=\s*["'][^"']*\bhit\b)/i).slice(1).map((s) => s.split(/<\/li>/i)[0]);
    for (const item of items) {
      const slug = decodeURIComponent(/href\s*=\s*["']\/resurser\/([^"'#?]+)/i.exec(item)?.[1] ?? '');
      const r = bySlug.get(slug);
      if (!r) { problems.push(`hit links to unknown resource ${JSON.stringify(slug)}`); continue; }
      const text = stripTags(item);
      const a = /<a\b[^>]*href\s*=\s*["']\/resurser\/[^"']*["'][^>]*>([\s\S]*?)<\/a>/i.exec(item);
      if (!a || stripTags(a[1]) !== r.title) problems.push(`${slug}: link text ${JSON.stringify(a && stripTags(a[1]))}, expected the title ${JSON.stringify(r.title)}`);
      const cat = categories.find((c) => c.slug === r.category)?.name;
      const lvl = levels.find((l) => l.slug === r.level)?.name;
      const pubs = readTables('publishers.toml', 'publisher').find((x) => x.slug === r.publisher);
      if (cat && !text.includes(cat)) problems.push(`${slug}: category ${cat} not shown`);
      if (lvl && !text.includes(lvl)) problems.push(`${slug}: level ${lvl} not shown`);
      if (pubs && !text.includes(pubs.name) && !text.includes(pubs.short_name)) problems.push(`${slug}: publisher ${pubs.name} not shown`);
      if (!/<mark>\s*[^<]*styrsystem[^<]*<\/mark>/i.test(item)) problems.push(`${slug}: no <mark> around styrsystem in ${JSON.stringify(text.slice(0, 200))}`);
    }
    fail(problems);
  });

  it('gives every facet value the number of hits it leads to, keeps q and the other filters in its link, and marks the active value', async () => {
    const problems = [];
    const starts = [
      {},
      { q: 'informationssäkerhet' },
      { q: '', kategori: 'utbildningar' },
      { q: 'säkerhet', niva: 'fordjupad-niva', kostnad: 'unknown' },
    ];
    for (const params of starts) {
      const p = searchPath(params);
      const pg = await page(p);
      if (pg.res.status !== 200) { problems.push(`${p}: status ${pg.res.status}`); continue; }
      const seen = new Set();
      for (const link of pg.facetLinks) {
        const { changed, keeps, params: lp } = addedFilter(params, link.href);
        if (changed.length !== 1) { problems.push(`${p}: facet link ${link.label} (${link.href}) changes ${JSON.stringify(changed)}, expected exactly one filter`); continue; }
        if (!keeps) problems.push(`${p}: facet link ${link.label} (${link.href}) drops q or another filter`);
        seen.add(changed[0]);
        if (link.n === 0) problems.push(`${p}: facet value ${link.label} with 0 hits is a link`);
        const target = await page(link.href);
        if (target.count !== link.n) problems.push(`${p}: facet ${changed[0]}=${lp[changed[0]]} "${link.label}" says (${link.n}), the page it links to says ${JSON.stringify(target.count)} (${link.href})`);
        // Every hit of the narrowed page must have that value.
        const key = { kategori: 'category', niva: 'level', utgivare: 'publisher', kostnad: 'cost', format: 'format' }[changed[0]];
        const wrong = target.hits.filter((s) => bySlug.get(s)?.[key] !== lp[changed[0]]);
        if (wrong.length) problems.push(`${link.href}: hits without ${changed[0]}=${lp[changed[0]]}: ${JSON.stringify(wrong)}`);
      }
      // Each facet heading is there; a facet with values offers at least one link, unless its only value is active.
      for (const [name, key] of Object.entries(kFacets)) {
        if (!new RegExp(`>\\s*${name}\\s*<`).test(pg.html)) problems.push(`${p}: no facet heading ${name}`);
        if (!seen.has(key) && !params[key] && pg.count > 0) problems.push(`${p}: facet ${name} has no value link`);
      }
      for (const key of kFilterKeys) {
        if (!params[key]) continue;
        if (!/aria-current\s*=\s*["']true["']/i.test(pg.html)) problems.push(`${p}: the active ${key} value is not marked aria-current="true"`);
      }
    }
    fail(problems);
  });

  it('combines filters with AND, q included, and lets a later value of a filter win', async () => {
    const problems = [];
    const cases = [
      { kategori: 'utbildningar', niva: 'grundniva' },
      { kostnad: 'free', niva: 'grundniva' },
      { utgivare: 'foi', kategori: 'utbildningar' },
      { format: 'Webbkurs', kostnad: 'free' },
      { utgivare: 'mcf', niva: 'ledningsniva', kategori: 'verksamhetsstod' },
      { kategori: 'rapporter', niva: 'ledningsniva' },
    ];
    for (const f of cases) {
      const p = searchPath({ q: '', ...f });
      const { res, hits, count } = await page(p);
      const want = listed(f);
      if (res.status !== 200) { problems.push(`${p}: status ${res.status}`); continue; }
      if (JSON.stringify(hits) !== JSON.stringify(want) || count !== want.length) problems.push(`${p}: hits ${JSON.stringify(hits)} (count ${count}), expected ${JSON.stringify(want)}`);
    }
    // q and a filter: every hit has the filter value, and they are among the hits of q alone.
    const qOnly = await page(searchPath({ q: 'incidenthantering' }));
    const qCat = await page(searchPath({ q: 'incidenthantering', kategori: 'utbildningar' }));
    const wantQCat = qOnly.hits.filter((s) => bySlug.get(s)?.category === 'utbildningar');
    if (JSON.stringify(qCat.hits) !== JSON.stringify(wantQCat)) problems.push(`q=incidenthantering&kategori=utbildningar: hits ${JSON.stringify(qCat.hits)}, expected the utbildningar hits of q alone in the same order ${JSON.stringify(wantQCat)}`);
    if (!qCat.hits.includes('praktisk-incidenthantering-i-industriella-styrsystem')) problems.push(`q=incidenthantering&kategori=utbildningar: ${JSON.stringify(qCat.hits)} lacks praktisk-incidenthantering-i-industriella-styrsystem`);
    // A later value wins.
    const later = await page('/sok?kategori=rapporter&kategori=matverktyg');
    if (JSON.stringify(later.hits) !== JSON.stringify(listed({ kategori: 'matverktyg' }))) problems.push(`/sok?kategori=rapporter&kategori=matverktyg: hits ${JSON.stringify(later.hits)}, expected matverktyg's ${JSON.stringify(listed({ kategori: 'matverktyg' }))}`);
    fail(problems);
  });

  it('shows each active filter as a removable "Ta bort filtret" link that leads to the same search without it', async () => {
    const params = { q: 'kurs', kategori: 'utbildningar', niva: 'grundniva', kostnad: 'free' };
    const p = searchPath(params);
    const pg = await page(p);
    assert.equal(pg.res.status, 200);
    const problems = [];
    if (pg.removes.length !== 3) problems.push(`${p}: ${pg.removes.length} remove-filter links, expected 3: ${JSON.stringify(pg.removes)}`);
    const names = { kategori: 'Utbildningar', niva: 'Grundnivå' };
    for (const r of pg.removes) {
      if (!/^Ta bort filtret: \S/.test(r.text)) problems.push(`remove link text ${JSON.stringify(r.text)} does not start with "Ta bort filtret: "`);
      const rp = paramsOf(r.href);
      if (!r.href.startsWith('/sok')) { problems.push(`remove link ${r.href} does not lead to /sok`); continue; }
      const dropped = kFilterKeys.filter((k) => params[k] && !rp[k]);
      if (dropped.length !== 1) { problems.push(`remove link ${JSON.stringify(r.text)} (${r.href}) drops ${JSON.stringify(dropped)}`); continue; }
      const kept = { ...params };
      delete kept[dropped[0]];
      for (const k of ['q', ...kFilterKeys]) if ((rp[k] ?? '') !== (kept[k] ?? '')) problems.push(`remove link ${r.href}: ${k}=${JSON.stringify(rp[k])}, expected ${JSON.stringify(kept[k])}`);
      if (names[dropped[0]] && !r.text.includes(names[dropped[0]])) problems.push(`remove link for ${dropped[0]}: text ${JSON.stringify(r.text)} lacks ${names[dropped[0]]}`);
      const after = await page(r.href);
      const direct = await page(searchPath(kept));
      if (JSON.stringify(after.hits) !== JSON.stringify(direct.hits)) problems.push(`${r.href}: hits ${JSON.stringify(after.hits)} differ from ${searchPath(kept)}: ${JSON.stringify(direct.hits)}`);
      if (after.count < pg.count) problems.push(`${r.href}: removing a filter lowered the count from ${pg.count} to ${after.count}`);
    }
    // Without filters there is nothing to remove.
    const plain = await page(searchPath({ q: 'kurs' }));
    if (plain.removes.length !== 0) problems.push(`/sok?q=kurs: ${plain.removes.length} remove-filter links, expected none`);
    fail(problems);
  });

  it('can be shared by URL: the same URL gives the same hits, in another parameter order and on a fresh server too', async () => {
    const params = { q: 'säkerhet', niva: 'fordjupad-niva', kostnad: 'unknown' };
    const p = searchPath(params);
    const a = await get(srv.baseUrl, p);
    const b = await get(srv.baseUrl, p);
    const reordered = await get(srv.baseUrl, `/sok?kostnad=unknown&niva=fordjupad-niva&q=${encodeURIComponent('säkerhet')}`);
    const [pa, pb, pr] = [a, b, reordered].map((r) => parsePage(r.body.toString('utf8')));
    assert.ok(pa.hits.length > 0, `${p}: no hits`);
    assert.deepEqual(pb.hits, pa.hits, 'the same URL twice');
    assert.deepEqual(pr.hits, pa.hits, 'the parameters in another order');
    // The form carries the search: q in the input's value, the filters in hidden inputs (or links that keep them).
    assert.match(pa.html, /<input\b(?=[^>]*\bname\s*=\s*["']q["'])(?=[^>]*\bvalue\s*=\s*["']säkerhet["'])[^>]*>/i, 'the q input does not show the query');
    const other = await startServer();
    try {
      const c = parsePage((await get(other.baseUrl, p)).body.toString('utf8'));
      assert.deepEqual(c.hits, pa.hits, 'the same URL on a freshly started server');
    } finally {
      await other.stop();
      other.cleanup();
    }
  });

  it('cuts a q over 200 characters to 200 with a note, and leaves one of 200 alone', async () => {
    const problems = [];
    const long = 'informationssäkerhet styrsystem '.repeat(10); // 320 characters
    const cases = [[long, true], [long.slice(0, 200), false], ['ö'.repeat(250), true], ['a'.repeat(199) + 'ö', false]];
    for (const [q, cut] of cases) {
      const p = searchPath({ q });
      const { res, note, html } = await page(p);
      const what = `q of ${[...q].length} characters (${JSON.stringify(q.slice(0, 20))}…)`;
      if (res.status !== 200) { problems.push(`${what}: status ${res.status}`); continue; }
      if (cut && !(note && /^Sökningen var för lång/.test(note))) problems.push(`${what}: no <p class="note">Sökningen var för lång …</p> (note ${JSON.stringify(note)})`);
      if (!cut && note && /för lång/.test(note)) problems.push(`${what}: says it was too long`);
      const main = /<main\b[\s\S]*<\/main>/i.exec(html)?.[0] ?? html;
      const value = /<input\b(?=[^>]*\bname\s*=\s*["']q["'])[^>]*\bvalue\s*=\s*"([^"]*)"/i.exec(main)?.[1];
      if (value === undefined) { problems.push(`${what}: the q input has no value`); continue; }
      const v = decodeEntities(value);
      if ([...v].length > 200) problems.push(`${what}: the input shows ${[...v].length} characters, expected at most 200`);
      if (!cut && v.trim() !== q.trim()) problems.push(`${what}: the input shows ${JSON.stringify(v.slice(0, 40))}…, expected the query unchanged`);
      if (cut && !q.startsWith(v.trimEnd())) problems.push(`${what}: the input shows ${JSON.stringify(v.slice(0, 40))}…, not the start of the query`);
      if (cut && [...v.trimEnd()].length < 150) problems.push(`${what}: cut to ${[...v].length} characters, expected 200`);
    }
    fail(problems);
  });

  it('answers hostile q and filter values with a 200 search page (never 500), everything echoed escaped', async () => {
    const qs = [
      'AND OR NOT "unclosed (',
      'title:x',
      '*',
      'säkerhet AND',
      'NOT',
      'OR OR OR',
      '"',
      '((((((((((',
      ')))',
      '-säkerhet +styrsystem',
      'säk*',
      'NEAR/3 ADJ/2 XOR',
      '~~~ ^^^ ||| && !! ??',
      'a:b:c: site:x.se',
      '"säkerhet i" "styrsystem',
      ' \\ / \' ` ´ ; , . … – — « » ” “',
      '<script>alert(1)</script>',
      '"><script>alert(1)</script>',
      "' onmouseover='alert(1)",
      '&amp;&lt;&#x3c;',
      '\u00a0\u200b\u2028\u2029\ufeff',
      '😀🔒 säkerhet',
      // Long, but within the 8 KiB a request target may have (beyond it: 414, checked below).
      'a'.repeat(7000),
      'sakerhet styrsystem AND (OR "'.repeat(2500 / 30 + 1).slice(0, 2500),
      Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + 'säkerhet\u007f',
    ];
    const raw = [
      ...Array.from({ length: 31 }, (_, i) => `/sok?q=s%${(i + 1).toString(16).padStart(2, '0')}kerhet`),
      '/sok?q=%00',
      '/sok?q=%ff%fe',
      '/sok?q=s%ffkerhet%fe',
      '/sok?q=%c3',
      '/sok?q=%c3%28',
      '/sok?q=%ed%a0%80',
      '/sok?q=%c0%af',
      '/sok?q=%f4%90%80%80',
      '/sok?q=caf%e9',
      '/sok?q=%',
      '/sok?q=%zz',
      '/sok?q=%%%',
      '/sok?q=a&q=b',
      '/sok?q=x;y',
      '/sok?=x',
      '/sok?&&&=&',
      '/sok?q[]=x',
      '/sok?kategori=%3Cscript%3E',
      '/sok?kategori=finns-inte',
      '/sok?niva=%ff',
      '/sok?utgivare=..%2F..%2Fetc',
      '/sok?kostnad=free%20OR%201%3D1',
      '/sok?format=%00',
      '/sok?format=' + 'x'.repeat(5000),
      '/sok?kategori=&niva=&utgivare=&kostnad=&format=',
      '/sok?q=säkerhet&kategori=utbildningar&kategori=',
    ];
    const paths = [...qs.map((q) => ({ p: searchPath({ q }), q })), ...raw.map((p) => ({ p }))];
    const problems = [];
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (const { p, q } of paths) {
      const what = q !== undefined ? `q=${JSON.stringify(q.length > 60 ? `${q.slice(0, 60)}… (${q.length} characters)` : q)}` : p.slice(0, 100);
      let res;
      try {
        res = await get(srv.baseUrl, p);
      } catch (e) {
        problems.push(`${what}: ${e.message}`);
        continue;
      }
      const lenient = /^\/sok\?q=%(zz|%%|$)|^\/sok\?q\[\]/.test(p); // malformed percent-encoding: any answer but an error
      if (lenient ? res.status >= 500 : res.status !== 200) { problems.push(`${what}: status ${res.status}, expected 200`); continue; }
      if (res.status !== 200) continue;
      if (res.headers['content-type'] !== htmlType) problems.push(`${what}: Content-Type ${res.headers['content-type']}`);
      let html;
      try { html = decoder.decode(res.body); } catch { problems.push(`${what}: the page is not valid UTF-8`); continue; }
      if (!/<p\b[^>]*class\s*=\s*["'][^"']*\bhit-count\b/i.test(html)) problems.push(`${what}: no <p class="hit-count"> (not the search page)`);
      if (/<script\b[^>]*>\s*alert|<script>|onmouseover\s*=\s*['"]?alert/i.test(html)) problems.push(`${what}: the input is echoed unescaped`);
      // eslint-disable-next-line no-control-regex
      const ctl = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(html);
      if (ctl) problems.push(`${what}: the page contains the control character U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
      if (q === '<script>alert(1)</script>' && !html.includes('&lt;script&gt;alert(1)&lt;/script&gt;')) problems.push(`${what}: the query is not echoed escaped (&lt;script&gt;…)`);
    }
    const health = await get(srv.baseUrl, '/healthz');
    if (health.status !== 200) problems.push(`GET /healthz afterwards: ${health.status}`);
    const tooLong = await get(srv.baseUrl, `/sok?q=${'a'.repeat(10000)}`);
    if (tooLong.status !== 414 || !/Adressen är för lång/.test(tooLong.body.toString('utf8'))) problems.push(`q of 10 000 characters: ${tooLong.status}, expected the Swedish 414 page`);
    fail(problems);
  });

  it('has the labelled search form (role="search", class="site-search", action="/sok", label "Sök i guiden") in the header of every reader page', async () => {
    const problems = [];
    const pages = ['/', '/kategorier', `/kategorier/${categories[0].slug}`, `/kategorier/${categories[0].slug}/${categories[0].levels[0]}`,
      `/kategorier/${categories[0].slug}/alla-nivaer`, '/nivaer', `/nivaer/${levels[0].slug}`, `/resurser/${categorised[0].slug}`,
      `/resurser/${resources.find((r) => r.category === '').slug}`, '/sok', '/sok?q=test', kNotFoundPath];
    for (const p of pages) {
      const res = await get(srv.baseUrl, p);
      const html = res.body.toString('utf8');
      if (res.status !== (p === kNotFoundPath ? 404 : 200)) { problems.push(`${p}: status ${res.status}`); continue; }
      const header = /<header\b[\s\S]*?<\/header>/i.exec(html)?.[0];
      if (!header) { problems.push(`${p}: no <header>`); continue; }
      const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(header);
      if (!form) { problems.push(`${p}: no <form> in the header`); continue; }
      const attrs = form[1];
      if (!/\brole\s*=\s*["']search["']/i.test(attrs)) problems.push(`${p}: header form lacks role="search"`);
      if (!/\bclass\s*=\s*["'][^"']*\bsite-search\b/i.test(attrs)) problems.push(`${p}: header form lacks class="site-search"`);
      if (!/\baction\s*=\s*["']\/sok["']/i.test(attrs)) problems.push(`${p}: header form action is not /sok`);
      if (/\bmethod\s*=\s*["']?post/i.test(attrs)) problems.push(`${p}: header form uses POST`);
      if (!/<label\b[^>]*\bfor\s*=\s*["']sok-q["'][^>]*>\s*Sök i guiden\s*<\/label>/i.test(form[2])) problems.push(`${p}: no <label for="sok-q">Sök i guiden</label> in the header form`);
      if (!/<input\b(?=[^>]*\bid\s*=\s*["']sok-q["'])(?=[^>]*\bname\s*=\s*["']q["'])[^>]*>/i.test(form[2])) problems.push(`${p}: no <input id="sok-q" name="q"> in the header form`);
      const ids = html.match(/\bid\s*=\s*["']sok-q["']/gi) ?? [];
      if (ids.length !== 1) problems.push(`${p}: ${ids.length} elements with id="sok-q"`);
    }
    fail(problems);
  });
});

describe('search counts for the editors', { timeout: 60000 }, () => {
  let srv;
  before(async () => { srv = await startServer({ flushIntervalMs: 200 }); }, { timeout: 30000 });
  after(async () => {
    if (srv) {
      await srv.stop({ signal: 'SIGKILL', timeoutMs: 5000 });
      srv.cleanup();
    }
  });

  it('writes day, normalized query, hits and count per search to search_counts (by SIGTERM at the latest), with no address or cookie column', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const searches = [
      ['  INFORMATIONSSÄKERHET \t  Kommuner ', 'informationssäkerhet kommuner'],
      ['informationssäkerhet kommuner', 'informationssäkerhet kommuner'],
      ['Informationssäkerhet   KOMMUNER', 'informationssäkerhet kommuner'],
      ['NIS2', 'nis2'],
      ['xyzzyqqq', 'xyzzyqqq'],
      ['Övning', 'övning'],
      ['s'.repeat(150) + ' ' + 't'.repeat(150), ('s'.repeat(150) + ' ' + 't'.repeat(150)).slice(0, 200)],
    ];
    const hitsOf = {};
    for (const [q, norm] of searches) {
      const res = await get(srv.baseUrl, searchPath({ q }), { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', Cookie: 'spar=1', 'X-Forwarded-For': '203.0.113.9' });
      assert.equal(res.status, 200, `GET /sok?q=${q}`);
      const { count } = parsePage(res.body.toString('utf8'));
      hitsOf[norm] = count;
    }
    // Buffered and written like the link counts: some rows reach the database while the server runs.
    let whileRunning = 0;
    for (const deadline = Date.now() + 3000; Date.now() < deadline;) {
      try {
        whileRunning = Number(execFileSync('sqlite3', ['-cmd', '.timeout 2000', srv.dbPath, 'SELECT count(*) FROM search_counts'], { encoding: 'utf8', timeout: 5000 }).trim());
      } catch { whileRunning = 0; }
      if (whileRunning > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const exit = await srv.stop({ signal: 'SIGTERM', timeoutMs: 10000 });
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM\n${srv.output()}`);
    const sqlite = (sql) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', '-json', srv.dbPath, sql], { encoding: 'utf8', timeout: 15000 });
    const columns = JSON.parse(sqlite('PRAGMA table_info(search_counts)') || '[]').map((c) => c.name);
    for (const c of ['day', 'query', 'hits', 'count']) assert.ok(columns.includes(c), `search_counts has no column ${c}: ${JSON.stringify(columns)}`);
    const personal = columns.filter((c) => /ip|addr|cookie|session|user|agent|client|visitor|host/i.test(c));
    assert.deepEqual(personal, [], `search_counts has columns that could hold personal data: ${JSON.stringify(columns)}`);
    const rows = JSON.parse(sqlite('SELECT day, query, hits, count FROM search_counts ORDER BY query, day') || '[]');
    const end = new Date().toISOString().slice(0, 10);
    const total = {};
    for (const r of rows) {
      if (r.day !== day && r.day !== end) assert.fail(`row with day ${r.day}, expected ${day}: ${JSON.stringify(r)}`);
      total[r.query] = { hits: r.hits, count: (total[r.query]?.count ?? 0) + r.count };
    }
    const want = {};
    for (const [, norm] of searches) want[norm] = { hits: hitsOf[norm], count: (want[norm]?.count ?? 0) + 1 };
    assert.deepEqual(total, want, `search_counts rows: ${JSON.stringify(rows)}`);
    // Nothing the client sent besides the words reached the database.
    const dump = execFileSync('sqlite3', [srv.dbPath, '.dump search_counts'], { encoding: 'utf8', timeout: 15000 });
    assert.ok(!/203\.0\.113\.9|127\.0\.0\.1|spar=1|Firefox/.test(dump), `search_counts holds client data:\n${dump.slice(0, 2000)}`);
    assert.ok(whileRunning > 0, 'no search_counts row was written within 3 s while the server ran (flush interval 200 ms); they came only at SIGTERM');
  });
});

describe('search results over several pages (a guide of more than 50 resources)', { timeout: 120000 }, () => {
  let srv;
  let dir;
  const copies = 40; // each of the first 40 resources once more: at least 86 categorised resources
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cyberguide-paging-'));
    fs.cpSync(contentDir, dir, { recursive: true });
    const files = fs.readdirSync(path.join(dir, 'resources')).filter((f) => f.endsWith('.toml')).sort();
    let made = 0;
    for (const f of files) {
      if (made === copies) break;
      const text = fs.readFileSync(path.join(dir, 'resources', f), 'utf8');
      if (/^category = ""/m.test(text)) continue;
      const slug = `kopia-${made}`;
      fs.writeFileSync(path.join(dir, 'resources', `${slug}.toml`), text.replace(/^slug = ".*"$/m, `slug = "${slug}"`));
      made += 1;
    }
    assert.equal(made, copies);
    srv = await startServer({ content: dir });
  }, { timeout: 30000 });
  after(async () => {
    if (srv) {
      const r = await srv.stop();
      srv.cleanup();
      assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}\n${srv.output()}`);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function fetchPage(p) {
    const res = await get(srv.baseUrl, p);
    assert.equal(res.status, 200, `${p}: status ${res.status}`);
    const html = res.body.toString('utf8');
    const nav = /<nav\b[^>]*class\s*=\s*["']pages["'][^>]*>([\s\S]*?)<\/nav>/i.exec(html)?.[1] ?? null;
    const link = (rel) => {
      const m = nav && new RegExp(`<a\\b[^>]*href\\s*=\\s*["']([^"']*)["'][^>]*rel\\s*=\\s*["']${rel}["']`, 'i').exec(nav);
      return m ? decodeEntities(m[1]) : null;
    };
    return { ...parsePage(html), nav: nav && stripTags(nav), next: link('next'), prev: link('prev') };
  }

  for (const params of [{}, { q: 'säkerhet' }, { q: 'Sakerhet' }]) {
    it(`pages through every hit of ${JSON.stringify(params)} once, 50 to a page, with "Föregående"/"Nästa" links`, async () => {
      const first = await fetchPage(searchPath(params));
      assert.ok(typeof first.count === 'number' && first.count > 50, `${JSON.stringify(params)}: ${first.count} hits, expected more than 50`);
      const pages = Math.ceil(first.count / 50);
      const seen = [];
      let p = searchPath(params);
      for (let n = 1; n <= pages; n += 1) {
        const pg = await fetchPage(p);
        assert.equal(pg.count, first.count, `${p}: the hit count changed`);
        assert.equal(pg.hits.length, n < pages ? 50 : first.count - 50 * (pages - 1), `${p}: hits on page ${n}`);
        const from = 50 * (n - 1) + 1;
        assert.ok(pg.nav?.includes(`Visar träff ${from}–${from + pg.hits.length - 1} av ${first.count} (sida ${n} av ${pages})`), `${p}: nav text ${JSON.stringify(pg.nav)}`);
        assert.equal(pg.prev !== null, n > 1, `${p}: a "Föregående sida" link on page ${n}`);
        assert.equal(pg.next !== null, n < pages, `${p}: a "Nästa sida" link on page ${n}`);
        // Every facet link goes back to the first page.
        for (const l of pg.facetLinks) assert.equal(paramsOf(l.href).sida, undefined, `${p}: facet link ${l.href} keeps sida`);
        seen.push(...pg.hits);
        if (pg.next) {
          const np = paramsOf(pg.next);
          assert.equal(np.sida, String(n + 1), `${p}: next link ${pg.next}`);
          for (const [k, v] of Object.entries(params)) assert.equal(np[k], v, `${p}: next link ${pg.next} loses ${k}`);
          p = pg.next;
        }
      }
      assert.equal(seen.length, first.count, 'hits over all pages');
      assert.equal(new Set(seen).size, seen.length, `a hit on two pages: ${seen.filter((s, i) => seen.indexOf(s) !== i)}`);
      // Past the last page: the last page; nonsense: the first.
      const past = await fetchPage(searchPath({ ...params, sida: '999' }));
      assert.deepEqual(past.hits, seen.slice(50 * (pages - 1)), 'sida=999 shows the last page');
      for (const bad of ['0', '-1', 'abc', '1e3', '99999999999999999999']) {
        const b = await fetchPage(searchPath({ ...params, sida: bad }));
        assert.deepEqual(b.hits, first.hits, `sida=${bad} shows the first page`);
      }
    });
  }
});
