// The reader's journey by keyboard alone, in real Chromium: skip link first, then Tab and Enter from
// the start page to a category, a level, a resource page and out through its counted /go/ link.
// Every element that takes focus on the way must show a visible focus indicator.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../blackbox/server.mjs';
import { loadContent } from '../blackbox/content.mjs';
import { launchBrowser, fail } from './browser.mjs';

const content = loadContent();

// The first category, its first level that has resources, and that level's first resource.
function pickJourney() {
  for (const c of content.categories) {
    for (const l of c.levels) {
      const list = content.resources
        .filter((r) => r.category === c.slug && r.level === l)
        .sort((x, y) => x.order - y.order);
      if (list.length > 0) return { category: c.slug, level: l, resource: list[0] };
    }
  }
  throw new Error('no category/level with a resource in the content');
}

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
    href: e.getAttribute('href'),
    text: (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60),
    outlineStyle: cs.outlineStyle,
    outlineWidth: cs.outlineWidth,
    boxShadow: cs.boxShadow,
    indicator: outline || shadow,
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
      && r.top < window.innerHeight && r.left < window.innerWidth && cs.visibility !== 'hidden',
    inMain: !!e.closest('main, [role="main"]'),
  };
}

describe('keyboard-only journey in Chromium', { timeout: 90000 }, () => {
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

  it('reaches a category, a level, a resource and its /go/ link with Tab and Enter, with visible focus all the way', { timeout: 60000 }, async () => {
    const { category, level, resource } = pickJourney();
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const origin = new URL(srv.baseUrl).origin;
    const problems = [];
    const externalRequests = [];

    // A direct navigation to the destination host would be answered here with a tiny page, and show
    // up below as a request that did not come through /go/. (A redirect target is never routed by
    // Playwright, and cannot reach the network: see launchBrowser.)
    const destHost = new URL(resource.url).host;
    await page.route((u) => u.host === destHost, (route) => route.fulfill({
      status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>Extern sida</title><p>Extern sida</p>',
    }));
    ctx.on('request', (r) => {
      if (new URL(r.url()).origin !== origin) externalRequests.push(r);
    });

    /** Presses Tab until the focused element's href is `href`; checks every focus stop on the way. */
    async function tabTo(href, where, max = 200) {
      for (let i = 0; i < max; i += 1) {
        await page.keyboard.press('Tab');
        const f = await page.evaluate(focusInfo);
        if (f.none) continue;
        if (!f.indicator) problems.push(`${where}: focused <${f.tag}> ${JSON.stringify(f.text)} (${f.href}) has no visible focus indicator (outline ${f.outlineStyle} ${f.outlineWidth}, box-shadow ${f.boxShadow})`);
        if (!f.visible) problems.push(`${where}: focused <${f.tag}> ${JSON.stringify(f.text)} (${f.href}) is not visible on screen`);
        if (f.href === href) return f;
      }
      throw new Error(`${where}: no link with href="${href}" reached in ${max} Tab presses`);
    }

    async function enterAndWait(pathname) {
      await Promise.all([
        page.waitForURL((u) => u.origin === origin && u.pathname === pathname, { timeout: 10000 }),
        page.keyboard.press('Enter'),
      ]);
    }

    try {
      await page.goto(srv.baseUrl + '/', { waitUntil: 'load' });

      // 1. The first Tab lands on a skip link to the main content, visibly.
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => {
        const e = document.activeElement;
        const href = e?.getAttribute('href') ?? '';
        const target = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
        return {
          tag: e?.tagName.toLowerCase(),
          href,
          targetIsMain: !!target && (target.matches('main, [role="main"]') || !!target.closest('main, [role="main"]')),
        };
      });
      const skipFocus = await page.evaluate(focusInfo);
      assert.equal(skip.tag, 'a', `first Tab focuses <${skip.tag}>, expected the skip link`);
      assert.match(skip.href, /^#./, `first focusable href ${JSON.stringify(skip.href)} is not an in-page link`);
      assert.ok(skip.targetIsMain, `skip link ${skip.href} does not lead to the main element`);
      assert.ok(skipFocus.indicator, `skip link has no visible focus indicator (outline ${skipFocus.outlineStyle} ${skipFocus.outlineWidth}, box-shadow ${skipFocus.boxShadow})`);
      assert.ok(skipFocus.visible, 'skip link is not visible when focused');

      // Enter on the skip link: the next Tab lands inside main.
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      const afterSkip = await page.evaluate(focusInfo);
      assert.ok(afterSkip.inMain, `after Enter on the skip link, Tab focuses <${afterSkip.tag}> ${JSON.stringify(afterSkip.text)} outside main`);

      // 2. Start page → category → level → resource.
      await tabTo(`/kategorier/${category}`, '/');
      await enterAndWait(`/kategorier/${category}`);
      await tabTo(`/kategorier/${category}/${level}`, `/kategorier/${category}`);
      await enterAndWait(`/kategorier/${category}/${level}`);
      await tabTo(`/resurser/${resource.slug}`, `/kategorier/${category}/${level}`);
      await enterAndWait(`/resurser/${resource.slug}`);

      // 3. Out through /go/{slug}: the browser asks /go/, gets a 302 to the stored url.
      await tabTo(`/go/${resource.slug}`, `/resurser/${resource.slug}`);
      const out = ctx.waitForEvent('request', { predicate: (r) => new URL(r.url()).origin !== origin, timeout: 10000 });
      await page.keyboard.press('Enter');
      const ext = await out;
      const from = ext.redirectedFrom();
      assert.ok(from, `the browser went to ${ext.url()} directly, not through /go/${resource.slug}`);
      assert.equal(from.url(), `${srv.baseUrl}/go/${resource.slug}`);
      assert.equal(from.redirectedFrom(), null, 'more than one redirect on the way out');
      const redirect = await from.response();
      assert.equal(redirect.status(), 302);
      assert.equal(await redirect.headerValue('location'), resource.url);
      assert.equal(ext.url(), new URL(resource.url).href);
      assert.deepEqual(externalRequests.map((r) => r.url()), [ext.url()], 'requests to other hosts');
      assert.deepEqual(await ctx.cookies(), [], 'cookies');
    } finally {
      await ctx.close();
    }
    fail(assert, problems);
  });
});
