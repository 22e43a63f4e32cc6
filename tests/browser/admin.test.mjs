// The editor area in real Chromium. One server and one browser for the file.
//
// 1. The editor's journey, by mouse and keyboard: log in, open a resource from the list, change its
//    title, preview it, publish, see it on the reader site, restore the earlier revision from the
//    history and see the old title again. No dialog, no CSP violation on the way.
// 2. axe-core (WCAG 2.1 A and AA, as for the reader pages) with zero violations on the login page
//    (also with its error), on every admin page reachable from the admin navigation, a resource's
//    and a category's edit page, the new-resource page, a refused form (422) and one revision.
// 3. With hostile strings in every text field, no dialog opens and no inline script is refused by the
//    CSP on the admin pages, the preview and the reader pages.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadContent } from '../blackbox/content.mjs';
import {
  Client, startAdminServer, stopServer, kAdmin, kEditor, kLoginError, publish, expect303,
  applyHostileEverywhere, waitPublic, kEscapedScript, revisionIds,
} from '../blackbox/admin.mjs';
import { launchBrowser, axePath, axeTags, fail } from './browser.mjs';

const content = loadContent();
const kSlug = 'disa';
const kOriginal = content.resources.find((r) => r.slug === kSlug).title;

async function axeViolations(page) {
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, axeTags);
}

function report(where, violations) {
  return violations.map((v) => `${where}: ${v.id} (${v.impact}: ${v.help}) at ${v.targets.slice(0, 5).join(' | ')}${v.targets.length > 5 ? ` and ${v.targets.length - 5} more` : ''}`);
}

describe('the editor area in Chromium', { timeout: 300000 }, () => {
  let srv;
  let browser;
  let root; // a Node client, admin, for the setup of the page tests

  before(async () => {
    srv = await startAdminServer({ users: [kEditor, kAdmin] });
    browser = await launchBrowser();
  }, { timeout: 60000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopServer(srv);
  });

  it('logs in, edits a title, previews, publishes, sees it on the reader site, restores the earlier revision', { timeout: 90000 }, async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const base = srv.baseUrl;
    const problems = [];
    page.on('dialog', (d) => { problems.push(`dialog ${d.type()} ${JSON.stringify(d.message())} on ${page.url()}`); d.dismiss().catch(() => {}); });
    page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console on ${page.url()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));

    const path = () => new URL(page.url()).pathname;
    /** Clicks `locator` and waits for the page it leads to. */
    async function clickAndLoad(locator) {
      await Promise.all([page.waitForEvent('load', { timeout: 15000 }), locator.click()]);
    }
    /** Follows the link to `href` if the page has one, else navigates there (and says so). */
    async function follow(href, missing) {
      const link = page.locator(`a[href="${href}"]`).first();
      if (await link.count()) await clickAndLoad(link);
      else {
        missing.push(`${path()}: no link to ${href}`);
        await page.goto(base + href, { waitUntil: 'load' });
      }
    }
    async function h1() {
      return (await page.locator('h1').first().innerText()).replace(/\s+/g, ' ').trim();
    }
    async function submitFormWith(selector) {
      await submitForm(page.locator(`form:has(${selector})`).first());
    }
    async function submitForm(form) {
      const button = form.locator('button:not([type="button"]):not([type="reset"]), input[type="submit"]').first();
      await clickAndLoad(button);
    }
    const missingLinks = [];

    async function editTitle(title) {
      await follow('/admin/resurser', missingLinks);
      await follow(`/admin/resurser/${kSlug}`, missingLinks);
      assert.equal(path(), `/admin/resurser/${kSlug}`);
      const field = page.locator('[name="title"]');
      await field.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(title);
      await submitFormWith('[name="title"]');
      assert.ok(!/error-summary/.test(await page.content()), `saving the title shows errors on ${path()}`);
    }

    async function publishDraft(message) {
      await follow('/admin/utkast', missingLinks);
      await page.locator('[name="message"]').click();
      await page.keyboard.type(message);
      await submitFormWith('[name="message"]');
      assert.match(path(), /^\/admin\/historik\/\d+$/, `after publishing: ${page.url()}`);
      return Number(path().split('/').pop());
    }

    async function readerShows(title) {
      await page.goto(`${base}/resurser/${kSlug}`, { waitUntil: 'load' });
      const deadline = Date.now() + 3000;
      while ((await h1()) !== title && Date.now() < deadline) {
        await page.waitForTimeout(150);
        await page.reload({ waitUntil: 'load' });
      }
      return h1();
    }

    try {
      // 1. Log in by keyboard: /admin leads to the login page.
      await page.goto(base + '/admin', { waitUntil: 'load' });
      assert.equal(path(), '/admin/logga-in');
      await page.locator('[name="username"]').click();
      await page.keyboard.type(kEditor.name);
      await page.locator('[name="password"]').click();
      await page.keyboard.type(kEditor.password);
      await Promise.all([page.waitForEvent('load', { timeout: 15000 }), page.keyboard.press('Enter')]);
      assert.equal(path(), '/admin', `after login: ${page.url()}`);

      // 2. Edit the title.
      const t1 = `Disa – ändrad i webbläsaren ${process.pid}`;
      await editTitle(t1);

      // 3. Preview: the draft with the real templates, marked as a preview.
      const previewHref = `/admin/forhandsgranska/resurser/${kSlug}`;
      await page.goto(`${base}/admin/resurser/${kSlug}`, { waitUntil: 'load' });
      await follow(previewHref, missingLinks);
      assert.equal(await h1(), t1, 'the preview h1');
      assert.match(await page.locator('body').innerText(), /förhandsgransk|förhandsvis/i, 'the preview is not visibly marked');

      // The reader site does not show the draft.
      assert.equal(await readerShowsNow(), kOriginal, 'the reader site shows the draft');

      // 4. Publish, 5. see it on the reader site.
      const id1 = await publishDraft('Ny titel på Disa');
      assert.equal(await readerShows(t1), t1, 'the reader site after publishing');

      // 6. Restore the earlier revision (the one before ours; publish a second time when there is none).
      await page.goto(base + '/admin', { waitUntil: 'load' });
      await follow('/admin/historik', missingLinks);
      let ids = revisionIds(await page.content());
      assert.ok(ids.includes(id1), `/admin/historik does not list revision ${id1}: ${ids}`);
      let expected = kOriginal;
      if (ids.length < 2) {
        await page.goto(base + '/admin', { waitUntil: 'load' });
        await editTitle(`Disa – andra ändringen ${process.pid}`);
        await publishDraft('Andra ändringen');
        await page.goto(base + '/admin/historik', { waitUntil: 'load' });
        ids = revisionIds(await page.content());
        expected = t1;
      }
      const earlier = ids[1];
      await follow(`/admin/historik/${earlier}`, missingLinks);
      const restore = page.locator(`form[action="/admin/historik/${earlier}/aterstall"]`);
      assert.equal(await restore.count(), 1, `no form posting to /admin/historik/${earlier}/aterstall on ${page.url()}`);
      await submitForm(restore);
      assert.equal(await readerShows(expected), expected, 'the reader site after restoring the earlier revision');
    } finally {
      await ctx.close();
    }
    fail(assert, [...missingLinks, ...problems]);

    async function readerShowsNow() {
      const p = await ctx.newPage();
      try {
        await p.goto(`${base}/resurser/${kSlug}`, { waitUntil: 'load' });
        return (await p.locator('h1').first().innerText()).replace(/\s+/g, ' ').trim();
      } finally {
        await p.close();
      }
    }
  });

  describe('admin pages', () => {
    before(async () => {
      // A published revision and a pending draft, so that history and draft pages have content.
      root = new Client(srv.baseUrl);
      await root.loginOk(kAdmin);
      expect303(await root.edit('/admin/resurser/disa', { title: 'Disa – publicerad ändring' }), 'edit');
      await publish(root, 'Första ändringen');
      expect303(await root.edit('/admin/resurser/disa', { title: 'Disa – ändring i utkastet' }), 'edit');
    }, { timeout: 30000 });

    it('axe-core finds no WCAG 2.1 A/AA violation on the login page, the login error, every admin page, a refused form and the history', { timeout: 150000 }, async () => {
      const ctx = await browser.newContext();
      await ctx.addInitScript({ path: axePath });
      const page = await ctx.newPage();
      const base = srv.baseUrl;
      const problems = [];
      const audited = [];
      const audit = async (label) => {
        audited.push(label);
        problems.push(...report(label, await axeViolations(page)));
      };
      const load = async (locator) => Promise.all([page.waitForEvent('load', { timeout: 15000 }), locator.click()]);
      try {
        // The login page, then the login page with its error.
        let res = await page.goto(base + '/admin/logga-in', { waitUntil: 'load' });
        assert.equal(res.status(), 200);
        await audit('/admin/logga-in');
        await page.fill('[name="username"]', kAdmin.name);
        await page.fill('[name="password"]', 'fel lösenord helt och hållet');
        await load(page.locator('form:has([name="password"]) button, form:has([name="password"]) input[type="submit"]').first());
        assert.ok((await page.locator('body').innerText()).includes(kLoginError), 'no login error shown');
        await audit('/admin/logga-in (wrong password)');

        // Log in.
        await page.fill('[name="username"]', kAdmin.name);
        await page.fill('[name="password"]', kAdmin.password);
        await load(page.locator('form:has([name="password"]) button, form:has([name="password"]) input[type="submit"]').first());
        assert.equal(new URL(page.url()).pathname, '/admin', `after login: ${page.url()}`);

        // The pages of the admin navigation.
        const hrefsOn = () => page.$$eval('a[href^="/admin"]', (as) => as.map((a) => a.getAttribute('href')));
        const skip = (h) => /\/(logga-ut|ta-bort|aterstall|kasta|stang)$/.test(h) || h.includes('#');
        let nav = [...new Set((await page.$$eval('nav a[href^="/admin"]', (as) => as.map((a) => a.getAttribute('href')))).filter((h) => !skip(h)))];
        if (nav.length < 5) nav = [...new Set((await hrefsOn()).filter((h) => !skip(h)))]; // no <nav>: every admin link of the overview
        assert.ok(nav.length >= 5, `only ${nav.length} links in the admin navigation: ${nav.join(' ')}`);
        const pages = [...nav];
        for (const p of ['/admin/forhandsgranska/resurser/disa']) if (!pages.includes(p)) pages.push(p);
        for (let i = 0; i < pages.length; i += 1) {
          const p = pages[i];
          res = await page.goto(base + p, { waitUntil: 'load' });
          if (res.status() !== 200) { problems.push(`${p}: status ${res.status()}`); continue; }
          await audit(p);
          // From the lists of resources, categories and revisions: the first edit page (and the
          // new-resource page); the other edit forms are built from the same parts.
          if (!['/admin/resurser', '/admin/kategorier', '/admin/historik'].includes(p)) continue;
          const sub = (await hrefsOn()).filter((h) => !skip(h) && h.startsWith(`${p}/`) && !h.slice(p.length + 1).includes('/'));
          for (const x of [sub.find((h) => !h.endsWith('/ny')), sub.find((h) => h === '/admin/resurser/ny')]) if (x && !pages.includes(x)) pages.push(x);
        }

        // A refused form: the resource with a javascript: address.
        await page.goto(base + '/admin/resurser/disa', { waitUntil: 'load' });
        await page.fill('[name="url"]', 'javascript:alert(1)');
        await page.fill('[name="title"]', '');
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 15000 }),
          load(page.locator('form:has([name="url"]) button:not([type="button"]), form:has([name="url"]) input[type="submit"]').first()),
        ]);
        assert.equal(resp.status(), 422, 'the refused form');
        assert.ok(await page.locator('.error-summary').count(), 'no .error-summary on the refused form');
        await audit('/admin/resurser/disa (422)');
      } finally {
        await ctx.close();
      }
      assert.ok(audited.length >= 10, `only ${audited.length} pages audited: ${audited.join(' ')}`);
      fail(assert, problems);
    });

    it('runs nothing from hostile strings in every text field: no dialog, no CSP violation, on admin, preview and reader pages', { timeout: 90000 }, async () => {
      const applied = await applyHostileEverywhere(root);
      fail(assert, applied.problems);
      const ctx = await browser.newContext();
      const { name, value } = root.session;
      await ctx.addCookies([{ name, value, url: srv.baseUrl, httpOnly: true, sameSite: 'Strict' }]);
      const page = await ctx.newPage();
      const problems = [];
      let current = '';
      page.on('dialog', (d) => { problems.push(`${current}: a ${d.type()} dialog opened: ${JSON.stringify(d.message())}`); d.dismiss().catch(() => {}); });
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) problems.push(`${current}: CSP: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${current}: page error: ${e.message}`));
      const visit = async (p) => {
        current = p;
        const res = await page.goto(srv.baseUrl + p, { waitUntil: 'load' });
        if (res.status() !== 200) problems.push(`${p}: status ${res.status()}`);
        // Give an injected on* handler its chance: the events of the hostile strings on every element.
        await page.evaluate(() => {
          for (const el of document.querySelectorAll('body *')) {
            for (const t of ['mouseover', 'mouseenter', 'focus', 'error', 'load']) el.dispatchEvent(new Event(t));
          }
        });
        await page.waitForTimeout(50);
      };
      const reader = [...new Set(['/', '/resurser/disa', `/kategorier/${applied.category}`, `/nivaer/${applied.level}`, applied.calloutPage].filter(Boolean))];
      const admin = ['/admin/utkast', '/admin/resurser/disa', '/admin/utgivare/mcf', '/admin/texter'];
      try {
        for (const p of [...admin, '/admin/forhandsgranska/', '/admin/forhandsgranska/resurser/disa']) await visit(p);
        const { id } = await publish(root, 'Fientliga strängar');
        const { ok } = await waitPublic(srv.baseUrl, '/resurser/disa', (t) => kEscapedScript.test(t), 3000);
        assert.ok(ok, 'the hostile title is not public within 3 s');
        for (const p of [...reader, '/admin/historik', `/admin/historik/${id}`, '/admin/logg']) await visit(p);
      } finally {
        await ctx.close();
      }
      fail(assert, problems);
    });
  });
});
