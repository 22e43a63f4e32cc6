// Black-box tests of editing the guide through /admin (docs/admin.md "Routes", "Drafts, publishing,
// history", "Audit log"): validation that keeps the input, drafts that readers never see, preview,
// publish, history and restore byte for byte, the MSB → MCF rename in one edit, the address
// rewrite, the audit log, and the content export → import → export round trip.
// One server for the file; the tests build on each other in order.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { contentDir } from './server.mjs';
import { loadContent, readerPages, parseSimpleToml } from './content.mjs';
import { get, crawl } from './http.mjs';
import {
  Client, cli, startAdminServer, stopServer, kEditor, kAdmin, dbFingerprint, fingerprintDiff,
  withChanges, fieldValue, findForm, sqlite, elementByClass, links, ids, visibleText, unsafeMarkup,
  publish, draftToken, expect303, waitPublic, revisionIds, tmpDir, listFiles, poll, sleep, rawRequest,
} from './admin.mjs';

const content = loadContent();
const resourceFiles = fs.readdirSync(path.join(contentDir, 'resources')).filter((f) => f.endsWith('.toml'))
  .map((f) => parseSimpleToml(fs.readFileSync(path.join(contentDir, 'resources', f), 'utf8')).top);
const mcfResources = resourceFiles.filter((r) => r.publisher === 'mcf').map((r) => r.slug);
const homePageOnly = resourceFiles.filter((r) => r.url_is_home_page === true).map((r) => r.slug);
const kOldName = 'Myndigheten för civilt försvar';
const kNewName = 'Testmyndigheten för civilt försvar';
const kFrom = 'https://www.msb.se/';
const kTo = 'https://www.mcf.se/';
const kFailedName = 'inkraktare';
const kTypedPassword = 'Mitt Hemliga Lösenord 9';

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

function h1(html) {
  return visibleText(/<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1] ?? '').replace(/\s+/g, ' ').trim();
}

const trimAscii = (s) => s.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');

/** Where two buffers first differ, with some context, for an assertion message. */
function firstDifference(a, b) {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i += 1;
  const ctx = (x) => JSON.stringify(x.subarray(Math.max(0, i - 60), i + 60).toString('utf8'));
  return `lengths ${a.length} and ${b.length}, first difference at byte ${i}:\n    before ${ctx(a)}\n    after  ${ctx(b)}`;
}

describe('admin: editing, drafts, publishing, history', { timeout: 180000 }, () => {
  let srv;
  let anna; // editor: does the editing
  let root; // admin: reads the audit log
  let readerList; // every reader page (crawled)
  let rev1;
  let rev2;
  const secrets = []; // passwords, session ids and tokens that no log may contain

  before(async () => {
    srv = await startAdminServer({ users: [kEditor, kAdmin] });
    // A failed login (for the audit log), from an address of its own.
    const bad = await new Client(srv.baseUrl, { localAddress: '127.0.0.9' }).login(kFailedName, 'ett gissat lösenord');
    assert.notEqual(bad.status, 303);
    // A password typed into the name field: not a well-formed name, so logged as "-".
    const typo = await new Client(srv.baseUrl, { localAddress: '127.0.0.13' }).login(kTypedPassword, 'x');
    assert.notEqual(typo.status, 303);
    anna = new Client(srv.baseUrl);
    root = new Client(srv.baseUrl);
    await anna.loginOk(kEditor);
    await root.loginOk(kAdmin);
    secrets.push(kEditor.password, kAdmin.password, 'ett gissat lösenord', kTypedPassword, anna.session.value, root.session.value, await anna.csrf(), await root.csrf());
    readerList = await crawl(srv.baseUrl, readerPages(content));
  }, { timeout: 60000 });
  after(async () => {
    const r = await stopServer(srv);
    if (r) assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}\n${srv.output()}`);
  });

  it('shows on the overview the resources that only have a home page', async () => {
    const res = await anna.get('/admin');
    assert.equal(res.status, 200);
    const l = new Set(links(res.text));
    const missing = homePageOnly.filter((s) => !l.has(`/admin/resurser/${s}`));
    assert.deepEqual(missing, [], `GET /admin: no link to these home-page-only resources (url_is_home_page = true)`);
  });

  it('refuses invalid resources with 422, an error summary linking the fields, and every typed value kept (escaped); nothing changes', async () => {
    const before = dbFingerprint(srv.dbPath);
    const typedTitle = 'Disa <b>"typad"</b> & \'co\' </textarea><script>alert(1)</script>';
    const cases = [
      ['/admin/resurser/disa', 'url javascript:', { title: typedTitle, url: 'javascript:alert(1)' }],
      ['/admin/resurser/disa', 'url JavaScript: with spaces', { title: typedTitle, url: ' JavaScript:alert(1)' }],
      ['/admin/resurser/disa', 'url data:', { title: typedTitle, url: 'data:text/html,x' }],
      ['/admin/resurser/disa', 'a relative url', { title: typedTitle, url: '/relative' }],
      ['/admin/resurser/disa', 'a protocol-relative url', { title: typedTitle, url: '//evil.example/x' }],
      ['/admin/resurser/disa', 'an ftp url', { title: typedTitle, url: 'ftp://example.org/x' }],
      ['/admin/resurser/disa', 'an empty title', { title: '', url: 'https://example.org/<"x">' }],
      ['/admin/resurser/disa', 'a blank title', { title: '   ', format: 'Format <i>"x"</i>' }],
      ['/admin/resurser/disa', 'a 10 000-character title', { title: 'x'.repeat(10000) }],
      ['/admin/resurser/disa', 'a duplicate slug', { title: typedTitle, slug: 'klassa' }],
      ['/admin/resurser/disa', 'an upper-case slug', { title: typedTitle, slug: 'Disa' }],
      ['/admin/resurser/disa', 'a slug with a space', { title: typedTitle, slug: 'disa ny' }],
      ['/admin/resurser/disa', 'a slug with a double hyphen', { title: typedTitle, slug: 'disa--ny' }],
      ['/admin/resurser/disa', 'a slug ending in a hyphen', { title: typedTitle, slug: 'disa-' }],
      ['/admin/resurser/disa', 'a slug with å', { title: typedTitle, slug: 'disa-på' }],
      ['/admin/resurser/ny', 'a new resource with a used slug', { slug: 'disa', title: typedTitle, url: 'https://example.org/ny', description: 'Beskrivning <em>"x"</em>' }],
      ['/admin/resurser/ny', 'a new resource without title and url', { slug: 'helt-ny', title: '', url: '', description: 'Beskrivning & mer' }],
      ['/admin/utgivare/mcf', 'a publisher home page javascript:', { name: 'Namn <b>"x"</b>', home_page: 'javascript:alert(1)' }],
      ['/admin/utgivare/mcf', 'a publisher without name', { name: '', short_name: 'K<o>rt' }],
      ['/admin/utgivare/ny', 'a new publisher with a used slug', { slug: 'mcf', short_name: 'X', name: 'Ny <utgivare>', home_page: 'https://example.org/' }],
      ['/admin/kategorier/ny', 'a new category with a malformed slug', { slug: 'Ny Kategori', name: 'Ny <kategori>' }],
      ['/admin/nivaer/ny', 'a new level without a name', { slug: 'ny-niva', name: '' }],
    ];
    const problems = [];
    for (const [page, what, changes] of cases) {
      let form;
      let action;
      try {
        ({ fields: form, target: action } = await anna.form(page, page.endsWith('/ny') ? null : page));
      } catch (e) {
        problems.push(`${what}: ${e.message.split('\n')[0]}`);
        continue;
      }
      const sent = withChanges(form, changes);
      const res = await anna.post(action, sent);
      const where = `POST ${action} with ${what}`;
      if (res.status !== 422) { problems.push(`${where}: ${res.status}, expected 422`); continue; }
      if (!/no-store/.test(res.headers['cache-control'] ?? '')) problems.push(`${where}: Cache-Control ${res.headers['cache-control']}, expected no-store`);
      const summary = elementByClass(res.text, 'error-summary');
      if (summary === null) problems.push(`${where}: no .error-summary`);
      else {
        const targets = links(summary).filter((h) => h.startsWith('#'));
        const pageIds = ids(res.text);
        if (targets.length === 0) problems.push(`${where}: the error summary links no field`);
        for (const t of targets) if (!pageIds.has(decodeURIComponent(t.slice(1)))) problems.push(`${where}: the error summary links ${t}, which is no id on the page`);
        const messages = (res.text.match(/<[a-z]+\b[^>]*\bclass\s*=\s*["'][^"']*\berror-message\b/gi) ?? []).length;
        if (messages < targets.length) problems.push(`${where}: ${targets.length} errors in the summary but ${messages} .error-message beside the fields`);
      }
      problems.push(...unsafeMarkup(res.text, where));
      for (const v of Object.values(changes)) {
        if (/[<>]/.test(v) && res.text.includes(v)) problems.push(`${where}: the typed value ${JSON.stringify(v.slice(0, 60))} is in the page unescaped`);
      }
      let back;
      try { back = findForm(res.text, action, srv.baseUrl, action).fields; } catch (e) { problems.push(`${where}: ${e.message.split('\n')[0]}`); continue; }
      for (const name of new Set(sent.map(([k]) => k))) {
        if (name === 'csrf') continue;
        const want = sent.filter(([k]) => k === name).map(([, v]) => trimAscii(v));
        const got = back.filter(([k]) => k === name).map(([, v]) => trimAscii(v));
        if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`${where}: field ${name} comes back as ${JSON.stringify(got).slice(0, 120)}, typed ${JSON.stringify(want).slice(0, 120)}`);
      }
    }
    fail(problems);
    const now = dbFingerprint(srv.dbPath);
    assert.ok(before === now, `the refused forms changed the database:\n${fingerprintDiff(before, now)}`);
  });

  it('discards the draft: POST /admin/utkast/kasta', async () => {
    const title = `Kastas ${Date.now()}`;
    expect303(await anna.edit('/admin/resurser/disa', { title }), 'edit');
    assert.ok((await anna.get('/admin/utkast')).text.includes(title), '/admin/utkast lacks the edit');
    expect303(await anna.edit('/admin/utkast', {}, { action: '/admin/utkast/kasta' }), 'POST /admin/utkast/kasta');
    assert.ok(!(await anna.get('/admin/utkast')).text.includes(title), '/admin/utkast still shows the discarded edit');
    assert.ok(!(await anna.get('/admin/forhandsgranska/resurser/disa')).text.includes(title), 'the preview still shows the discarded edit');
    const { fields } = await anna.form('/admin/resurser/disa');
    assert.notEqual(fieldValue(fields, 'title'), title, 'the edit form still shows the discarded title');
  });

  const t1 = `Disa – första testtiteln ${process.pid}`;
  const t2 = `Disa – andra testtiteln ${process.pid}`;
  const affected = ['/resurser/disa', '/kategorier/utbildningar/grundniva', '/kategorier/utbildningar/alla-nivaer', '/nivaer/grundniva'];

  it('keeps an edit in the draft: in /admin/utkast and the preview (marked, no-store, noindex), not on the public site until published; then public within 3 s', async () => {
    const oldTitle = content.resources.find((r) => r.slug === 'disa').title;
    expect303(await anna.edit('/admin/resurser/disa', { title: t1 }), 'POST /admin/resurser/disa');

    const draft = await anna.get('/admin/utkast');
    assert.equal(draft.status, 200);
    const dt = visibleText(draft.text);
    assert.ok(dt.includes(t1), '/admin/utkast does not show the new title');
    assert.ok(dt.includes(oldTitle), '/admin/utkast does not show the old title beside the new one');

    const problems = [];
    for (const p of affected) {
      const pre = await anna.get(`/admin/forhandsgranska${p}`);
      if (pre.status !== 200) { problems.push(`GET /admin/forhandsgranska${p}: ${pre.status}`); continue; }
      if (!pre.text.includes(t1)) problems.push(`GET /admin/forhandsgranska${p}: no new title`);
      if (!/no-store/.test(pre.headers['cache-control'] ?? '')) problems.push(`GET /admin/forhandsgranska${p}: Cache-Control ${pre.headers['cache-control']}`);
      if (!/noindex/.test(pre.headers['x-robots-tag'] ?? '')) problems.push(`GET /admin/forhandsgranska${p}: X-Robots-Tag ${pre.headers['x-robots-tag']}`);
      if (!/förhandsgransk|förhandsvis/i.test(visibleText(pre.text))) problems.push(`GET /admin/forhandsgranska${p}: not visibly marked as a preview (no "förhandsgranskning" in its text)`);
    }
    const start = await anna.get('/admin/forhandsgranska/');
    if (start.status !== 200) problems.push(`GET /admin/forhandsgranska/: ${start.status}`);
    fail(problems);
    assert.equal(h1((await anna.get('/admin/forhandsgranska/resurser/disa')).text), t1, 'the preview h1');

    await sleep(1200); // longer than the reader's poll interval: a leak would show now
    for (const p of affected) {
      const pub = await get(srv.baseUrl, p);
      assert.ok(!pub.body.toString('utf8').includes(t1), `the public ${p} shows the unpublished draft`);
    }
    // Search sees published content only: the draft's new word finds nothing yet.
    const findsDisa = async () => /href="\/resurser\/disa"/.test((await get(srv.baseUrl, '/sok?q=testtiteln')).body.toString('utf8'));
    assert.equal(await findsDisa(), false, '/sok?q=testtiteln finds the unpublished draft title');

    const { id } = await publish(anna, 'Ny titel på Disa');
    rev1 = id;
    const { ok, res } = await waitPublic(srv.baseUrl, '/resurser/disa', (t) => h1(t) === t1, 3000);
    assert.ok(ok, `the public /resurser/disa does not show the published title within 3 s (h1 ${JSON.stringify(h1(res.text))})`);
    for (const p of affected) assert.ok((await get(srv.baseUrl, p)).body.toString('utf8').includes(t1), `public ${p} lacks the published title`);
    assert.equal(await findsDisa(), true, '/sok?q=testtiteln does not find the published title');
    assert.ok(!visibleText((await anna.get('/admin/utkast')).text).includes(t1), '/admin/utkast still lists the published change');
  });

  it('lists both revisions, compares field by field, and restores the earlier one byte for byte', async () => {
    assert.ok(rev1, 'needs the publish of the previous test');
    const pages = ['/', '/kategorier', '/nivaer', '/kategorier/utbildningar', ...affected];
    const snapshot = new Map();
    for (const p of pages) snapshot.set(p, (await get(srv.baseUrl, p)).body);

    const oldFormat = fieldValue((await anna.form('/admin/resurser/disa')).fields, 'format');
    const newFormat = `Webbkurs (ändrad ${process.pid})`;
    expect303(await anna.edit('/admin/resurser/disa', { title: t2, format: newFormat }), 'second edit');
    rev2 = (await publish(anna, 'Andra titeln')).id;
    assert.ok(rev2 > rev1, `revision ids ${rev1} then ${rev2}`);
    const { ok } = await waitPublic(srv.baseUrl, '/resurser/disa', (t) => h1(t) === t2, 3000);
    assert.ok(ok, 'the second publish is not public within 3 s');

    const list = await anna.get('/admin/historik');
    assert.equal(list.status, 200);
    const listed = revisionIds(list.text);
    assert.ok(listed.includes(rev1) && listed.includes(rev2), `/admin/historik links ${listed}, expected ${rev1} and ${rev2}`);

    const cmp = await anna.get(`/admin/historik/${rev2}`);
    assert.equal(cmp.status, 200);
    const ct = visibleText(cmp.text);
    for (const v of [t1, t2, oldFormat, newFormat]) assert.ok(ct.includes(v), `/admin/historik/${rev2} does not show ${JSON.stringify(v)} (field by field, old and new)`);
    const cmp2 = await anna.get(`/admin/historik/${rev2}?mot=${rev1}`);
    assert.equal(cmp2.status, 200, `/admin/historik/${rev2}?mot=${rev1}`);
    assert.ok(visibleText(cmp2.text).includes(t1) && visibleText(cmp2.text).includes(t2), `/admin/historik/${rev2}?mot=${rev1} does not compare the titles`);

    const r = await anna.post(`/admin/historik/${rev1}/aterstall`, {});
    expect303(r, `POST /admin/historik/${rev1}/aterstall`);
    const back = await waitPublic(srv.baseUrl, '/resurser/disa', (t) => h1(t) === t1, 3000);
    assert.ok(back.ok, `after the restore the public /resurser/disa shows ${JSON.stringify(h1(back.res.text))}, expected ${JSON.stringify(t1)}`);
    const problems = [];
    for (const p of pages) {
      const now = (await get(srv.baseUrl, p)).body;
      if (!now.equals(snapshot.get(p))) problems.push(`${p}: not byte for byte as before the second publish: ${firstDifference(snapshot.get(p), now)}`);
    }
    fail(problems);
    const after = revisionIds((await anna.get('/admin/historik')).text);
    assert.ok(after[0] > rev2, `the restore made no new revision: /admin/historik lists ${after}`);
  });

  it('renames a publisher in one edit: after publishing, every page that showed the old name shows the new one, and nothing else changed', async () => {
    const before = new Map();
    for (const p of readerList) before.set(p, (await get(srv.baseUrl, p)).body.toString('utf8'));
    const { fields } = await anna.form('/admin/utgivare/mcf');
    assert.equal(fieldValue(fields, 'name'), kOldName, 'the name in the publisher form');
    expect303(await anna.post('/admin/utgivare/mcf', withChanges(fields, { name: kNewName })), 'POST /admin/utgivare/mcf');
    await publish(anna, 'MSB heter nu MCF');
    const { ok } = await waitPublic(srv.baseUrl, '/resurser/disa', (t) => t.includes(kNewName), 3000);
    assert.ok(ok, 'the new name is not on /resurser/disa within 3 s');

    const problems = [];
    const changed = [];
    for (const p of readerList) {
      const now = (await get(srv.baseUrl, p)).body.toString('utf8');
      if (now.replaceAll(kNewName, kOldName) !== before.get(p)) problems.push(`${p}: differs by more than the name: ${firstDifference(Buffer.from(before.get(p)), Buffer.from(now.replaceAll(kNewName, kOldName)))}`);
      if (now !== before.get(p)) changed.push(p);
    }
    for (const s of mcfResources) {
      if (!changed.includes(`/resurser/${s}`)) problems.push(`/resurser/${s} (publisher mcf) does not show the new name`);
    }
    fail(problems);
    assert.ok(changed.length >= mcfResources.length, `only ${changed.length} pages changed`);
  });

  it('rewrites the start of addresses (https://www.msb.se/ → https://www.mcf.se/) everywhere in one edit: after publishing no /go/ leads to www.msb.se', async () => {
    const beforeLoc = new Map();
    for (const r of content.resources) beforeLoc.set(r.slug, (await rawRequest(srv.baseUrl, `/go/${r.slug}`)).headers.location);
    const moved = [...beforeLoc].filter(([, l]) => l?.startsWith(kFrom));
    assert.ok(moved.length > 0, 'no resource address starts with https://www.msb.se/ to begin with');
    const { fields } = await anna.form('/admin/adresser');
    expect303(await anna.post('/admin/adresser', withChanges(fields, { from: kFrom, to: kTo })), 'POST /admin/adresser');
    const draft = visibleText((await anna.get('/admin/utkast')).text);
    assert.ok(draft.includes(moved[0][1].replace(kFrom, kTo)), `/admin/utkast does not show ${moved[0][1].replace(kFrom, kTo)}`);
    await publish(anna, 'Adresser till mcf.se');
    const [slug0] = moved[0];
    const ok = await poll(async () => (await rawRequest(srv.baseUrl, `/go/${slug0}`)).headers.location?.startsWith(kTo), { timeoutMs: 3000 });
    assert.ok(ok, `/go/${slug0} does not lead to ${kTo} within 3 s`);
    const problems = [];
    for (const r of content.resources) {
      const res = await rawRequest(srv.baseUrl, `/go/${r.slug}`);
      const was = beforeLoc.get(r.slug);
      const want = was.startsWith(kFrom) ? kTo + was.slice(kFrom.length) : was;
      if (res.status !== 302 || res.headers.location !== want) problems.push(`/go/${r.slug}: ${res.status} to ${res.headers.location}, expected 302 to ${want}`);
      if (/^https?:\/\/www\.msb\.se(\/|$)/i.test(res.headers.location ?? '')) problems.push(`/go/${r.slug} still leads to ${res.headers.location}`);
    }
    for (const [s] of moved) {
      const t = (await get(srv.baseUrl, `/resurser/${s}`)).body.toString('utf8');
      if (t.includes(kFrom)) problems.push(`/resurser/${s} still shows an address on ${kFrom}`);
    }
    fail(problems);
  });

  it('adds a new resource and removes one, readers see both after publishing', async () => {
    const { fields } = await anna.form('/admin/resurser/ny');
    const res = await anna.post('/admin/resurser/ny', withChanges(fields, {
      slug: 'testresurs', title: 'Testresurs för redaktörer', url: 'https://example.org/testresurs', description: 'En beskrivning.', format: 'Webbsida', cost: 'free',
    }));
    expect303(res, 'POST /admin/resurser/ny');
    expect303(await anna.post('/admin/resurser/ants/ta-bort', {}), 'POST /admin/resurser/ants/ta-bort');
    assert.notEqual((await get(srv.baseUrl, '/resurser/testresurs')).status, 200, 'the new resource is public before publishing');
    await publish(anna, 'Ny och borttagen');
    const ok = await poll(async () => (await get(srv.baseUrl, '/resurser/testresurs')).status === 200, { timeoutMs: 3000 });
    assert.ok(ok, '/resurser/testresurs does not answer 200 within 3 s of publishing');
    const go = await rawRequest(srv.baseUrl, '/go/testresurs');
    assert.equal(go.status, 302);
    assert.equal(go.headers.location, 'https://example.org/testresurs');
    assert.equal((await get(srv.baseUrl, '/resurser/ants')).status, 404, 'the removed resource still answers');
    assert.equal((await rawRequest(srv.baseUrl, '/go/ants')).status, 404, 'the removed resource still redirects');
  });

  it('refuses with 409 to publish or discard a draft that changed after it was reviewed, and changes nothing', async () => {
    expect303(await anna.edit('/admin/resurser/disa', { title: 'Granskad titel' }), 'edit');
    try {
      const reviewed = await draftToken(anna);
      assert.ok(reviewed, 'no hidden draft field in the publish form of /admin/utkast');
      expect303(await anna.edit('/admin/resurser/disa', { title: 'Ändrad efter granskningen' }), 'edit');
      const before = dbFingerprint(srv.dbPath);
      const pub = await anna.post('/admin/publicera', { message: 'Inaktuell', draft: reviewed });
      assert.equal(pub.status, 409, `POST /admin/publicera with the draft token of an earlier draft: ${pub.status}`);
      const dis = await anna.post('/admin/utkast/kasta', { draft: reviewed });
      assert.equal(dis.status, 409, `POST /admin/utkast/kasta with the draft token of an earlier draft: ${dis.status}`);
      const now = dbFingerprint(srv.dbPath);
      assert.ok(before === now, `the refused publish/discard changed the database:\n${fingerprintDiff(before, now)}`);
    } finally {
      // Leave no draft behind for the next tests, whatever happened.
      if (await draftToken(anna)) expect303(await anna.edit('/admin/utkast', {}, { action: '/admin/utkast/kasta' }), 'POST /admin/utkast/kasta');
    }
  });

  it('keeps an audit log for admins: login, login_failed, edit, publish, restore, with account and UTC time, newest first, without passwords, session ids or tokens', async () => {
    const res = await root.get('/admin/logg');
    assert.equal(res.status, 200);
    const text = visibleText(res.text).replace(/\s+/g, ' ');
    for (const w of ['login', 'login_failed', 'edit', 'publish', 'restore']) {
      assert.match(text, new RegExp(`(^|[^a-z_])${w}([^a-z_]|$)`), `/admin/logg does not show "${w}"`);
    }
    for (const who of [kEditor.name, kAdmin.name, kFailedName]) assert.ok(text.includes(who), `/admin/logg does not name ${who}`);
    assert.match(text, /\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|UTC|\+00:?00)/, '/admin/logg shows no UTC time (…Z, UTC or +00:00)');
    const iRestore = text.search(/(^|[^a-z_])restore([^a-z_]|$)/);
    const iFailed = text.search(/(^|[^a-z_])login_failed([^a-z_]|$)/);
    assert.ok(iRestore < iFailed, 'the audit log is not newest first (the restore comes after the failed login)');
    const problems = [];
    const auditRows = sqlite(srv.dbPath, 'SELECT * FROM audit_log');
    assert.ok(auditRows.includes('publish'), `audit_log table: ${auditRows.slice(0, 300)}`);
    // The page's own forms carry the viewer's token (hidden csrf fields): that is not the log.
    const withoutOwnToken = res.text.replace(/<input\b[^>]*\bname\s*=\s*["']?csrf\b[^>]*>/gi, '');
    for (const s of secrets) {
      if (withoutOwnToken.includes(s)) problems.push(`/admin/logg contains a secret (${s.slice(0, 6)}…)`);
      if (auditRows.includes(s)) problems.push(`the audit_log table contains a secret (${s.slice(0, 6)}…)`);
      if (srv.output().includes(s)) problems.push(`the server log contains a secret (${s.slice(0, 6)}…)`);
    }
    fail(problems);
  });

  it('exports the published guide, imports it back and exports identical files', async () => {
    const tmp = tmpDir();
    try {
      const d1 = path.join(tmp, 'export1');
      const d2 = path.join(tmp, 'export2');
      const d3 = path.join(tmp, 'export3');
      const run = (args) => {
        const r = cli(args[1] === 'check' ? args : [...args, '--data', srv.dataDir]);
        assert.equal(r.status, 0, `cyberguide ${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
        return r;
      };
      run(['content', 'export', d1]);
      const files = listFiles(d1);
      for (const f of ['site.toml', 'levels.toml', 'publishers.toml', 'categories.toml', 'callouts.toml']) assert.ok(files.includes(f), `the export lacks ${f}: ${files.join(' ')}`);
      assert.ok(files.includes('resources/testresurs.toml') && !files.includes('resources/ants.toml'), 'the export is not the published guide');
      assert.ok(fs.readFileSync(path.join(d1, 'publishers.toml'), 'utf8').includes(kNewName), 'the export lacks the published publisher name');
      run(['content', 'check', d1]);
      run(['content', 'import', d1]);
      run(['content', 'export', d2]);
      run(['content', 'import', d1, '--publish']);
      run(['content', 'export', d3]);
      const problems = [];
      for (const d of [d2, d3]) {
        const other = listFiles(d);
        if (JSON.stringify(other) !== JSON.stringify(files)) problems.push(`${path.basename(d)} has files ${JSON.stringify(other)}, export1 ${JSON.stringify(files)}`);
        for (const f of files) {
          const a = fs.readFileSync(path.join(d1, f));
          const p = path.join(d, f);
          if (!fs.existsSync(p)) continue;
          const b = fs.readFileSync(p);
          if (!a.equals(b)) problems.push(`${path.basename(d)}/${f} differs from export1/${f}: ${firstDifference(a, b)}`);
        }
      }
      const log = visibleText((await root.get('/admin/logg')).text);
      if (!/(^|[^a-z_])import([^a-z_]|$)/.test(log)) problems.push('/admin/logg does not show the imports ("import")');
      fail(problems);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
