// The statistics dashboard (/admin/statistik) in real Chromium, with counts in it: the headline and
// the charts are there without JavaScript, the period is chosen by keyboard, the resource table sorts by
// a column, and axe-core (WCAG 2.1 A and AA) finds no violation on the dashboard, with a period error,
// or with a year's period.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadContent } from '../blackbox/content.mjs';
import { startAdminServer, stopServer, kAdmin, rawRequest, sleep } from '../blackbox/admin.mjs';
import { launchBrowser, axePath, axeTags, fail } from './browser.mjs';

const content = loadContent();
const kUa = { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36' };

async function axeViolations(page) {
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}: ${v.help}) at ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}`);
  }, axeTags);
}

describe('the statistics dashboard in Chromium', { timeout: 180000 }, () => {
  let srv;
  let browser;
  const owner = content.resources.find((r) => r.category && /(^|\.)(mcf|msb)\.se$/.test(new URL(r.url).hostname));
  const other = content.resources.find((r) => r.category && !/(^|\.)(mcf|msb)\.se$/.test(new URL(r.url).hostname));

  before(async () => {
    srv = await startAdminServer({ users: [kAdmin], flushIntervalMs: 100 });
    for (let i = 0; i < 6; i += 1) await rawRequest(srv.baseUrl, `/go/${owner.slug}`, { headers: kUa });
    for (let i = 0; i < 4; i += 1) await rawRequest(srv.baseUrl, `/go/${other.slug}`, { headers: kUa });
    for (const p of ['/', '/', '/kategorier', '/sok?q=upphandling', '/sok?q=qqqzzz']) await rawRequest(srv.baseUrl, p, { headers: kUa });
    await sleep(600); // past the flush interval
    browser = await launchBrowser();
  }, { timeout: 60000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopServer(srv);
  });

  it('shows the figures, picks a period by keyboard, sorts a table; axe finds nothing, JavaScript is not needed', { timeout: 120000 }, async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: true });
    await ctx.addInitScript({ path: axePath });
    const page = await ctx.newPage();
    const base = srv.baseUrl;
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console on ${page.url()}: ${m.text()}`); });
    const submit = async (press) => Promise.all([page.waitForEvent('load', { timeout: 15000 }), press()]);

    await page.goto(`${base}/admin/logga-in`, { waitUntil: 'load' });
    await page.fill('[name="username"]', kAdmin.name);
    await page.fill('[name="password"]', kAdmin.password);
    await submit(() => page.press('[name="password"]', 'Enter'));
    await page.goto(`${base}/admin/statistik`, { waitUntil: 'load' });
    assert.equal(await page.locator('h1').innerText(), 'Statistik');
    assert.equal((await page.locator('#huvudtal').innerText()).trim(), '6', 'the headline: links to mcf.se/msb.se');
    assert.equal(await page.locator('script').count(), 0, 'the dashboard has scripts');
    assert.equal(await page.locator('svg[role="img"] title').count(), 3, 'three charts with a title');
    problems.push(...(await axeViolations(page)).map((v) => `/admin/statistik: ${v}`));

    // The period by keyboard: the "365" radio, then the button.
    await page.focus('#period-365');
    await page.keyboard.press('Space');
    await page.focus('.period-form button[type="submit"]');
    await submit(() => page.keyboard.press('Enter'));
    assert.equal(new URL(page.url()).searchParams.get('period'), '365');
    assert.equal(await page.locator('#tabell-dagar tbody tr').count(), 365);
    await page.locator('details summary').first().click();
    problems.push(...(await axeViolations(page)).map((v) => `/admin/statistik?period=365 (table open): ${v}`));

    // Sorting the resource table by title keeps the period and marks the column.
    await submit(() => page.locator('#tabell-resurser thead a', { hasText: 'Resurs' }).click());
    const u = new URL(page.url());
    assert.equal(u.searchParams.get('sortera'), 'titel');
    assert.equal(u.searchParams.get('period'), '365');
    assert.equal((await page.locator('#tabell-resurser th[aria-sort="ascending"]').innerText()).replace(/\s+/g, ' '), 'Resurs (sortera i bokstavsordning)');
    const titles = await page.locator('#tabell-resurser tbody th').allInnerTexts();
    assert.deepEqual(titles, [...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    // A custom period with an error.
    await page.check('#period-egen');
    await page.fill('#fran', '2026-03-10');
    await page.fill('#till', '2026-03-01');
    await submit(() => page.locator('.period-form button[type="submit"]').click());
    assert.match(await page.locator('[role="alert"]').innerText(), /Startdatumet måste vara/);
    problems.push(...(await axeViolations(page)).map((v) => `/admin/statistik (period error): ${v}`));

    // The CSV link answers a file.
    const href = await page.locator('a.csv').first().getAttribute('href');
    const csv = await page.request.get(base + href);
    assert.equal(csv.status(), 200);
    assert.equal(csv.headers()['content-type'], 'text/csv; charset=utf-8');
    await ctx.close();
    fail(assert, problems);
  });
});
