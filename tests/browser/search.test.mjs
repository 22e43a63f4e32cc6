// The search page /sok in real Chromium: a reader searches from the start page by keyboard alone
// (Tab to the search field, type, Enter), narrows by a filter link and opens a hit, with visible
// focus all the way; axe-core (WCAG 2.1 A and AA) finds nothing on a results page, an empty-results
// page and a page with a "Menade du" suggestion; no horizontal scrolling at 320 px, no CSP error.
// One server and one browser for the whole file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../blackbox/server.mjs';
import { launchBrowser, axePath, axeTags, fail } from './browser.mjs';

const kQuery = 'incidenthantering';
const kCategory = 'utbildningar';
const kTarget = 'praktisk-incidenthantering-i-industriella-styrsystem'; // the FOI course, in Utbildningar

const sok = (params) => `/sok?${new URLSearchParams(params)}`;
const kAxePages = [
  sok({ q: 'informationssäkerhet' }), // results, facets, <mark>
  sok({ q: 'xyzzyqqq' }), // no results
  sok({ q: 'incidenthantring' }), // "Menade du …?"
  sok({ q: 'säkerhet', kategori: 'utbildningar', niva: 'fordjupad-niva' }), // active filters to remove
  '/sok', // no words: every resource
];
const kNarrowPages = [
  ...kAxePages,
  sok({ q: 'informationssäkerhetssamordnare ledningsgrupper incidenthantering '.repeat(4) }), // over 200 characters: the note
  sok({ q: 'a'.repeat(250) }), // one unbroken word, cut to 200
];

/** Facts about the focused element, read in the page. */
function focusInfo() {
  const e = document.activeElement;
  if (!e || e === document.body) return { none: true };
  const cs = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
  const shadow = cs.boxShadow !== '' && cs.boxShadow !== 'none';
  return {
    none: false,
    tag: e.tagName.toLowerCase(),
    id: e.id,
    name: e.getAttribute('name'),
    href: e.getAttribute('href'),
    text: (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60),
    outlineStyle: cs.outlineStyle,
    outlineWidth: cs.outlineWidth,
    boxShadow: cs.boxShadow,
    indicator: outline || shadow,
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
      && r.top < window.innerHeight && r.left < window.innerWidth && cs.visibility !== 'hidden',
  };
}

describe('search in Chromium', { timeout: 150000 }, () => {
  let srv;
  let browser;

  before(async () => {
    srv = await startServer();
    browser = await launchBrowser();
  }, { timeout: 60000 });

  after(async () => {
    await browser?.close().catch(() => {});
    if (srv) {
      await srv.stop();
      srv.cleanup();
    }
  });

  it('searches from the start page, narrows by a filter and opens a hit with Tab, typing and Enter alone, focus visible all the way', { timeout: 60000 }, async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const origin = new URL(srv.baseUrl).origin;
    const problems = [];

    /** Presses Tab until `want(focus)` holds; checks every focus stop on the way. */
    async function tabUntil(want, where, max = 250) {
      for (let i = 0; i < max; i += 1) {
        await page.keyboard.press('Tab');
        const f = await page.evaluate(focusInfo);
        if (f.none) continue;
        if (!f.indicator) problems.push(`${where}: focused <${f.tag}> ${JSON.stringify(f.text)} (${f.href ?? f.name}) has no visible focus indicator (outline ${f.outlineStyle} ${f.outlineWidth}, box-shadow ${f.boxShadow})`);
        if (!f.visible) problems.push(`${where}: focused <${f.tag}> ${JSON.stringify(f.text)} (${f.href ?? f.name}) is not visible on screen`);
        if (want(f)) return f;
      }
      throw new Error(`${where}: the element looked for was not reached in ${max} Tab presses`);
    }
    async function enterAndWait(pred) {
      await Promise.all([
        page.waitForURL((u) => u.origin === origin && pred(u), { timeout: 10000 }),
        page.keyboard.press('Enter'),
      ]);
      await page.waitForLoadState('load');
    }

    try {
      await page.goto(srv.baseUrl + '/', { waitUntil: 'load' });

      // 1. Tab to the header's search field (its label is "Sök i guiden"), type, Enter.
      const field = await tabUntil((f) => f.tag === 'input' && f.name === 'q', '/');
      assert.equal(field.id, 'sok-q', `the first search field reached by Tab is #${field.id}, expected the header's #sok-q`);
      const label = await page.evaluate(() => document.activeElement.labels?.[0]?.textContent?.trim());
      assert.equal(label, 'Sök i guiden');
      await page.keyboard.type(kQuery);
      await enterAndWait((u) => u.pathname === '/sok' && u.searchParams.get('q') === kQuery);
      const hitsBefore = await page.$$eval('ol.hits li.hit a[href^="/resurser/"]', (as) => as.map((a) => a.getAttribute('href')));
      assert.ok(hitsBefore.includes(`/resurser/${kTarget}`), `hits for ${kQuery}: ${JSON.stringify(hitsBefore)}`);

      // 2. Tab to the Kategori filter value "Utbildningar", Enter: the same words, narrowed.
      const isFilter = (f) => {
        if (f.tag !== 'a' || !f.href?.startsWith('/sok')) return false;
        const u = new URL(f.href, 'http://x');
        return u.searchParams.get('kategori') === kCategory && u.searchParams.get('q') === kQuery;
      };
      await tabUntil(isFilter, `/sok?q=${kQuery}`);
      await enterAndWait((u) => u.pathname === '/sok' && u.searchParams.get('kategori') === kCategory && u.searchParams.get('q') === kQuery);
      const hitsAfter = await page.$$eval('ol.hits li.hit a[href^="/resurser/"]', (as) => as.map((a) => a.getAttribute('href')));
      assert.ok(hitsAfter.includes(`/resurser/${kTarget}`), `hits after the filter: ${JSON.stringify(hitsAfter)}`);
      assert.ok(hitsAfter.length < hitsBefore.length, `the filter did not narrow: ${hitsBefore.length} → ${hitsAfter.length}`);
      const active = await page.$$eval('[aria-current="true"]', (es) => es.map((e) => (e.textContent || '').trim()));
      assert.ok(active.some((t) => t.startsWith('Utbildningar')), `the active filter value is not marked aria-current="true": ${JSON.stringify(active)}`);

      // 3. Tab to the hit, Enter: its resource page.
      await tabUntil((f) => f.href === `/resurser/${kTarget}`, `/sok?q=${kQuery}&kategori=${kCategory}`);
      await enterAndWait((u) => u.pathname === `/resurser/${kTarget}`);
      assert.equal(await page.title().then((t) => t.length > 0), true);
    } finally {
      await ctx.close();
    }
    fail(assert, problems);
  });

  it('axe-core finds no WCAG 2.1 A/AA violation on a results page, an empty-results page, a suggestion page, a filtered page and the list without words', { timeout: 60000 }, async () => {
    // axe.min.js added to every document before the page's own content, as in pages.test.mjs.
    const ctx = await browser.newContext();
    await ctx.addInitScript({ path: axePath });
    const page = await ctx.newPage();
    const problems = [];
    try {
      for (const p of kAxePages) {
        const res = await page.goto(srv.baseUrl + p, { waitUntil: 'load' });
        if (res?.status() !== 200) problems.push(`${p}: status ${res?.status()}`);
        const facts = await page.evaluate(() => ({
          hits: document.querySelectorAll('ol.hits li.hit').length,
          suggestion: !!document.querySelector('p.suggestion a[href^="/sok"]'),
          removes: document.querySelectorAll('a.remove-filter').length,
        }));
        // The pages must be what they are meant to be, or the audit proves less than it says.
        if (p.includes('xyzzyqqq') && facts.hits !== 0) problems.push(`${p}: ${facts.hits} hits, expected none`);
        if (p.includes('incidenthantring') && !facts.suggestion) problems.push(`${p}: no "Menade du" suggestion`);
        if (p.includes('informations') && facts.hits === 0) problems.push(`${p}: no hits`);
        if (p.includes('kategori') && facts.removes === 0) problems.push(`${p}: no remove-filter link`);
        const violations = await page.evaluate(async (tags) => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
          return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
        }, axeTags);
        for (const v of violations) {
          problems.push(`${p}: ${v.id} (${v.impact}: ${v.help}) at ${v.targets.slice(0, 5).join(' | ')}${v.targets.length > 5 ? ` and ${v.targets.length - 5} more` : ''}`);
        }
      }
    } finally {
      await ctx.close();
    }
    fail(assert, problems);
  });

  it('needs no horizontal scrolling at 320 px on /sok pages and breaks no CSP rule there', { timeout: 60000 }, async () => {
    const ctx = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await ctx.newPage();
    const origin = new URL(srv.baseUrl).origin;
    const problems = [];
    let current = '';
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`${current}: CSP: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${current}: page error: ${e.message}`));
    page.on('request', (r) => {
      const u = r.url();
      if (!/^(data|blob|about):/.test(u) && new URL(u).origin !== origin) problems.push(`${current}: request to another host: ${u}`);
    });
    try {
      for (const p of kNarrowPages) {
        current = p.length > 80 ? `${p.slice(0, 80)}…` : p;
        await page.goto(srv.baseUrl + p, { waitUntil: 'load' });
        const m = await page.evaluate(() => {
          const cw = document.documentElement.clientWidth;
          const over = (e) => e.getBoundingClientRect().right > cw + 0.5;
          const culprits = [...document.body.querySelectorAll('*')]
            .filter((e) => over(e) && ![...e.children].some(over))
            .slice(0, 3)
            .map((e) => `<${e.tagName.toLowerCase()}${e.className ? ` class="${e.className}"` : ''}> right edge ${Math.round(e.getBoundingClientRect().right)} px: ${JSON.stringify((e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 70))}`);
          return { scrollWidth: document.documentElement.scrollWidth, clientWidth: cw, sheets: document.styleSheets.length, culprits };
        });
        if (m.scrollWidth > m.clientWidth) problems.push(`${current}: scrollWidth ${m.scrollWidth} > clientWidth ${m.clientWidth}; overflowing: ${m.culprits.join('; ') || '(no element found)'}`);
        if (m.sheets === 0) problems.push(`${current}: no stylesheet applied`);
      }
      const cookies = await ctx.cookies();
      if (cookies.length) problems.push(`cookies set: ${cookies.map((c) => c.name).join(', ')}`);
    } finally {
      await ctx.close();
    }
    fail(assert, problems);
  });
});
