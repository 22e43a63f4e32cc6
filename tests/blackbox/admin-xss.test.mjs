// XSS: hostile strings (script tags, event-handler attributes, javascript: URLs, broken quotes,
// </textarea>, {{x}}, U+202E, control characters) in every text field of a resource, a publisher,
// a category, a level, a callout, the site texts and the start picks show up as text only — on the
// draft's admin pages, in the preview, and after publishing on every reader page and admin page.
// One server for the file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadContent, readerPages } from './content.mjs';
import { get, crawl } from './http.mjs';
import {
  Client, startAdminServer, stopServer, kAdmin, kEditor, applyHostileEverywhere, kHostileVariants,
  unsafeMarkup, visibleText, links, publish, waitPublic, kEscapedScript, withChanges, formBody,
} from './admin.mjs';

const content = loadContent();

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

describe('admin: hostile strings in every text field', { timeout: 150000 }, () => {
  let srv;
  let root;
  let applied;
  let revision;

  before(async () => {
    srv = await startAdminServer({ users: [kEditor, kAdmin] });
    root = new Client(srv.baseUrl);
    await root.loginOk(kAdmin);
  }, { timeout: 60000 });
  after(async () => {
    const r = await stopServer(srv);
    if (r) assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}\n${srv.output()}`);
  });

  /** Every admin page that shows what was edited, plus the overview and the lists. */
  function adminPages() {
    const edits = applied.edited.map((e) => e.path);
    return ['/admin', '/admin/resurser', '/admin/utgivare', '/admin/kategorier', '/admin/nivaer', '/admin/utrop', '/admin/utkast', ...edits];
  }

  it('accepts them in every text field (a longer variant may be refused with a safe 422 page)', async () => {
    applied = await applyHostileEverywhere(root);
    fail(applied.problems);
    const notFull = applied.edited.flatMap((e) => Object.entries(e.variants).filter(([, v]) => v > 1).map(([f, v]) => `${e.path} field ${f} took only variant ${v} (${JSON.stringify(kHostileVariants[v])})`));
    if (notFull.length) console.log(`note: ${notFull.join('; ')}`);
    for (const e of applied.edited) assert.ok(e.fields.length > 0, `${e.path}: no text field found`);
  });

  it('shows them only as text on the admin pages and in the preview of the draft', async () => {
    assert.ok(applied, 'needs the edits of the first test');
    const problems = [];
    const preview = ['/', '/kategorier', '/nivaer', '/resurser/disa', `/kategorier/${applied.category}`, `/nivaer/${applied.level}`, applied.calloutPage].filter(Boolean);
    for (const p of [...adminPages(), ...preview.map((x) => `/admin/forhandsgranska${x}`)]) {
      const res = await root.get(p);
      if (res.status !== 200) { problems.push(`GET ${p}: ${res.status}`); continue; }
      problems.push(...unsafeMarkup(res.text, `GET ${p}`));
    }
    for (const p of ['/admin/resurser/disa', '/admin/forhandsgranska/resurser/disa', '/admin/utkast']) {
      const res = await root.get(p);
      if (!kEscapedScript.test(res.text)) problems.push(`GET ${p}: the hostile title is not shown as escaped text`);
    }
    fail(problems);
  });

  it('after publishing: shows them only as text on every reader page and on the history and log pages', async () => {
    assert.ok(applied, 'needs the edits of the first test');
    // The publish message is a text field too.
    let pub;
    for (const msg of kHostileVariants) {
      const res = await root.edit('/admin/utkast', { message: msg }, { action: '/admin/publicera' });
      if (res.status === 303) { pub = res; break; }
      fail(unsafeMarkup(res.text, `POST /admin/publicera (refused, ${res.status})`));
      assert.equal(res.status, 422, `POST /admin/publicera: ${res.status}`);
    }
    if (!pub) pub = (await publish(root, 'Fientliga strängar')).res;
    revision = Number(/\/admin\/historik\/(\d+)(?:\?.*)?$/.exec(pub.location ?? '')?.[1]);
    assert.ok(revision, `POST /admin/publicera: 303 to ${pub.rawLocation}`);
    const { ok } = await waitPublic(srv.baseUrl, '/resurser/disa', (t) => kEscapedScript.test(t), 3000);
    assert.ok(ok, 'the published hostile title is not on /resurser/disa within 3 s');

    const problems = [];
    const pages = await crawl(srv.baseUrl, readerPages(content));
    for (const p of pages) {
      const res = await get(srv.baseUrl, p);
      const html = res.body.toString('utf8');
      if (res.status !== 200) { problems.push(`GET ${p}: ${res.status}`); continue; }
      problems.push(...unsafeMarkup(html, `GET ${p}`));
      // The site title (hostile now) is on every page, as text.
      if (!visibleText(html).includes('<script>alert(1)</script>')) problems.push(`GET ${p}: the hostile site title is not shown as text`);
    }
    const disa = (await get(srv.baseUrl, '/resurser/disa')).body.toString('utf8');
    const h1 = visibleText(/<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(disa)?.[1] ?? '');
    const variant = applied.edited.find((e) => e.path === '/admin/resurser/disa').variants.title;
    if (variant <= 1 && !h1.includes('{{x}}')) problems.push(`/resurser/disa: the h1 ${JSON.stringify(h1.slice(0, 200))} lacks the literal {{x}}`);
    if (variant <= 1 && !h1.includes('\u202Eevil\u202C')) problems.push('/resurser/disa: the h1 lacks the U+202E text');

    const history = await root.get('/admin/historik');
    for (const p of [...adminPages(), '/admin/historik', `/admin/historik/${revision}`, '/admin/logg', ...links(history.text).filter((h) => /^\/admin\/historik\/\d+$/.test(h)).slice(0, 3)]) {
      const res = await root.get(p);
      if (res.status !== 200) { problems.push(`GET ${p}: ${res.status}`); continue; }
      problems.push(...unsafeMarkup(res.text, `GET ${p}`));
    }
    if (!kEscapedScript.test((await root.get(`/admin/historik/${revision}`)).text)) problems.push(`GET /admin/historik/${revision}: the hostile values are not shown (escaped) in the comparison`);
    fail([...new Set(problems)]);
  });

  it('keeps hostile input safe in a refused form too', async () => {
    const { fields } = await root.form('/admin/resurser/disa');
    const res = await root.post('/admin/resurser/disa', withChanges(fields, { url: 'javascript:alert(1)', title: kHostileVariants[1], description: kHostileVariants[1] }));
    assert.equal(res.status, 422);
    fail(unsafeMarkup(res.text, 'POST /admin/resurser/disa (422)'));
    assert.ok(kEscapedScript.test(res.text), 'the refused form does not show the typed title escaped');
  });

  it('refuses a form that is not UTF-8 with a Swedish 400 and saves nothing (a draft could not be read back once)', async () => {
    const { fields } = await root.form('/admin/resurser/disa');
    const title = fields.find(([k]) => k === 'title')[1];
    const body = formBody(withChanges(fields, { title: 'XPLACEHOLDERX' })).replace('XPLACEHOLDERX', 'Disa%FF');
    const res = await root.request('/admin/resurser/disa', {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.baseUrl }, body,
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /<html lang="sv"/);
    assert.match(res.text, /inte är giltig UTF-8\. Ingenting har sparats/);
    const again = await root.form('/admin/resurser/disa');
    assert.equal(again.fields.find(([k]) => k === 'title')[1], title);
    assert.equal((await root.get('/admin/utkast')).status, 200, 'the draft still reads');
  });
});
