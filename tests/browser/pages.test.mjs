// Every reader page (the content's pages and every page linked from them) in real Chromium: axe-core (WCAG 2.1 A and AA) with zero violations, no
// horizontal scrolling at 320 px, no request to another host, no CSP violation, no cookie.
// One server and one browser for the whole file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../blackbox/server.mjs';
import { loadContent, readerPages, kNotFoundPath } from '../blackbox/content.mjs';
import { crawl } from '../blackbox/http.mjs';
import { launchBrowser, axePath, axeTags, fail } from './browser.mjs';

const content = loadContent();
let pages; // the content's reader pages, every page linked from them, and the 404 page

describe('reader pages in Chromium', { timeout: 240000 }, () => {
  let srv;
  let browser;

  before(async () => {
    srv = await startServer();
    pages = [...await crawl(srv.baseUrl, readerPages(content)), kNotFoundPath];
    browser = await launchBrowser();
  }, { timeout: 60000 });

  after(async () => {
    await browser?.close().catch(() => {});
    if (srv) {
      await srv.stop();
      srv.cleanup();
    }
  });

  it('axe-core finds no WCAG 2.1 A/AA violation on any reader page, the 404 page included', { timeout: 150000 }, async () => {
    // axe.min.js is added to every document of this context before the page's own content (a
    // script the page's CSP cannot block, so the audit sees the page exactly as served, CSP on).
    // That is page.addScriptTag({path}) without its cost: addScriptTag re-parses the 0.5 MB script
    // after every load and needs bypassCSP, and made this test twice as slow.
    const ctx = await browser.newContext();
    await ctx.addInitScript({ path: axePath });
    const page = await ctx.newPage();
    const problems = [];
    try {
      for (const p of pages) {
        const res = await page.goto(srv.baseUrl + p, { waitUntil: 'load' });
        const want = p === kNotFoundPath ? 404 : 200;
        if (res?.status() !== want) problems.push(`${p}: status ${res?.status()}, expected ${want}`);
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

  describe('loaded at 320 px wide, with the CSP of the site in force', () => {
    // One pass over every page collects what the three tests below judge.
    const found = { loaded: false, scroll: [], requests: [], csp: [], cookies: [] };

    before(async () => {
      const ctx = await browser.newContext({ viewport: { width: 320, height: 640 } });
      const page = await ctx.newPage();
      const origin = new URL(srv.baseUrl).origin;
      let current = '';
      page.on('request', (r) => {
        const u = r.url();
        if (/^(data|blob|about):/.test(u)) return;
        if (new URL(u).origin !== origin) found.requests.push(`${current}: ${r.method()} ${u}`);
      });
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) found.csp.push(`${current}: ${m.text()}`);
      });
      page.on('pageerror', (e) => found.csp.push(`${current}: page error: ${e.message}`));
      try {
        for (const p of pages) {
          current = p;
          await page.goto(srv.baseUrl + p, { waitUntil: 'load' });
          const m = await page.evaluate(() => {
            const cw = document.documentElement.clientWidth;
            const over = (e) => e.getBoundingClientRect().right > cw + 0.5;
            // The innermost elements that reach past the right edge: where the overflow comes from.
            const culprits = [...document.body.querySelectorAll('*')]
              .filter((e) => over(e) && ![...e.children].some(over))
              .slice(0, 3)
              .map((e) => `<${e.tagName.toLowerCase()}${e.className ? ` class="${e.className}"` : ''}> right edge ${Math.round(e.getBoundingClientRect().right)} px: ${JSON.stringify((e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 70))}`);
            return {
              scrollWidth: document.documentElement.scrollWidth,
              clientWidth: cw,
              sheets: document.styleSheets.length,
              culprits,
            };
          });
          if (m.scrollWidth > m.clientWidth) found.scroll.push(`${p}: scrollWidth ${m.scrollWidth} > clientWidth ${m.clientWidth}; overflowing: ${m.culprits.join('; ') || '(no element found)'}`);
          if (m.sheets === 0) found.scroll.push(`${p}: no stylesheet applied`);
        }
        found.cookies = (await ctx.cookies()).map((c) => `${c.name} (${c.domain})`);
        found.loaded = true;
      } finally {
        await ctx.close();
      }
    }, { timeout: 90000 });

    it('needs no horizontal scrolling at 320 px on any reader page', () => {
      assert.ok(found.loaded, 'the pages were not all loaded');
      fail(assert, found.scroll);
    });

    it('requests nothing from another host and breaks no CSP rule on any reader page', () => {
      assert.ok(found.loaded, 'the pages were not all loaded');
      fail(assert, [...found.requests.map((r) => `request to another host: ${r}`), ...found.csp.map((c) => `CSP: ${c}`)]);
    });

    it('sets no cookie', () => {
      assert.ok(found.loaded, 'the pages were not all loaded');
      assert.deepEqual(found.cookies, []);
    });
  });
});
