// Black-box tests of the editor area's CSRF rules, roles and page headers (docs/admin.md
// "Sessions and CSRF", "Routes"): every refused request answers 403 and leaves the database as it
// was; GET never changes anything. One server for the file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, cli, startAdminServer, stopServer, kEditor, kAdmin, kLoginPath,
  dbFingerprint, fingerprintDiff, randomToken, withChanges, links, unsafeMarkup, fieldValue, draftToken,
} from './admin.mjs';
import { kSecurityHeaders } from './http.mjs';

const kBertil = { name: 'bertil', role: 'editor', password: 'bertils långa lösenord' };

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

describe('admin: CSRF, roles and headers', { timeout: 120000 }, () => {
  let srv;
  let anna; // editor
  let bertil; // editor, another session
  let root; // admin

  before(async () => {
    srv = await startAdminServer({ users: [kEditor, kAdmin, kBertil] });
    anna = new Client(srv.baseUrl);
    bertil = new Client(srv.baseUrl);
    root = new Client(srv.baseUrl);
    await anna.loginOk(kEditor);
    await bertil.loginOk(kBertil);
    await root.loginOk(kAdmin);
  }, { timeout: 60000 });
  after(async () => {
    const r = await stopServer(srv);
    if (r) assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}\n${srv.output()}`);
  });

  function unchanged(before, what) {
    const now = dbFingerprint(srv.dbPath);
    assert.ok(before === now, `${what} changed the database:\n${fingerprintDiff(before, now)}`);
  }

  it('refuses with 403 an edit without the right token or from another origin, and changes nothing', async () => {
    const { fields } = await anna.form('/admin/resurser/disa');
    const tokenA = fieldValue(fields, 'csrf');
    const tokenB = await bertil.csrf();
    assert.ok(tokenA && tokenB, 'no csrf tokens in the forms');
    assert.notEqual(tokenA, tokenB, 'two sessions share a CSRF token');
    const edit = withChanges(fields, { title: 'Ändrad via CSRF', csrf: null });
    const port = new URL(srv.baseUrl).port;
    const cases = [
      ['no csrf field', { csrf: null }],
      ['an empty csrf field', { csrf: '' }],
      ['a wrong token', { csrf: randomToken() }],
      ['the token with one character changed', { csrf: tokenA.slice(0, -1) + (tokenA.endsWith('A') ? 'B' : 'A') }],
      ["another session's token", { csrf: tokenB }],
      ['the right token, no Origin and no Sec-Fetch-Site', { csrf: tokenA, origin: null }],
      ['the right token, Origin https://evil.example', { csrf: tokenA, origin: 'https://evil.example' }],
      ['the right token, Origin null', { csrf: tokenA, origin: 'null' }],
      ['the right token, Origin of another port', { csrf: tokenA, origin: `http://127.0.0.1:${Number(port) === 1 ? 2 : Number(port) - 1}` }],
      ['the right token, Origin https:// of the same host', { csrf: tokenA, origin: `https://127.0.0.1:${port}` }],
      ['the right token, Origin http://localhost', { csrf: tokenA, origin: `http://localhost:${port}` }],
      ['the right token, right Origin, Sec-Fetch-Site: cross-site', { csrf: tokenA, headers: { 'Sec-Fetch-Site': 'cross-site' } }],
      ['the right token, no Origin, Sec-Fetch-Site: cross-site', { csrf: tokenA, origin: null, headers: { 'Sec-Fetch-Site': 'cross-site' } }],
      ['the right token, no Origin, Sec-Fetch-Site: same-site', { csrf: tokenA, origin: null, headers: { 'Sec-Fetch-Site': 'same-site' } }],
      ['the right token, no Origin, Sec-Fetch-Site: none', { csrf: tokenA, origin: null, headers: { 'Sec-Fetch-Site': 'none' } }],
    ];
    const before = dbFingerprint(srv.dbPath);
    const problems = [];
    for (const [what, opts] of cases) {
      const res = await anna.post('/admin/resurser/disa', edit, opts);
      if (res.status !== 403) problems.push(`POST /admin/resurser/disa with ${what}: ${res.status}, expected 403`);
    }
    // The token in the query string instead of the body.
    const q = await anna.post(`/admin/resurser/disa?csrf=${encodeURIComponent(tokenA)}`, edit, { csrf: null });
    if (q.status !== 403) problems.push(`POST /admin/resurser/disa?csrf=<token> without the field: ${q.status}, expected 403`);
    // The right token with no cookie at all.
    const anon = await new Client(srv.baseUrl).post('/admin/resurser/disa', edit, { csrf: tokenA });
    if (anon.status !== 403) problems.push(`POST with the token and no cookie: ${anon.status}, expected 403`);
    fail(problems);
    unchanged(before, 'the refused edits');
    const draft = await anna.get('/admin/utkast');
    assert.equal(draft.status, 200);
    assert.ok(!draft.text.includes('Ändrad via CSRF'), '/admin/utkast shows the refused edit');
    const pub = await anna.get('/admin/forhandsgranska/resurser/disa');
    assert.ok(!pub.text.includes('Ändrad via CSRF'), 'the preview shows the refused edit');
  });

  it('refuses with 403 every other POST without the right token or from another origin, and changes nothing', async () => {
    const tokenB = await bertil.csrf();
    const draft = await draftToken(anna);
    const routes = [
      ['/admin/publicera', { message: 'x', draft }],
      ['/admin/utkast/kasta', { draft }],
      ['/admin/adresser', { from: 'https://www.msb.se/', to: 'https://evil.example/' }],
      ['/admin/utgivare/mcf', { slug: 'mcf', short_name: 'X', name: 'X', former_names: '', home_page: 'https://evil.example/' }],
      ['/admin/resurser/ny', { slug: 'ny-resurs', title: 'Ny', publisher: 'mcf', category: '', level: '', order: '1', url: 'https://example.org/', cost: 'free', format: 'x', year: '', description: 'x', editor_note: '' }],
      ['/admin/resurser/disa/ta-bort', {}],
      ['/admin/texter', { title: 'Kapad' }],
      ['/admin/logga-ut', {}],
      ['/admin/historik/1/aterstall', {}],
    ];
    const before = dbFingerprint(srv.dbPath);
    const problems = [];
    for (const [p, fields] of routes) {
      for (const [what, opts] of [
        ['no token', { csrf: null }],
        ['a wrong token', { csrf: randomToken() }],
        ["another session's token", { csrf: tokenB }],
        ['a cross-site Origin', { origin: 'https://evil.example' }],
        ['Sec-Fetch-Site: cross-site', { headers: { 'Sec-Fetch-Site': 'cross-site' } }],
      ]) {
        const res = await anna.post(p, fields, opts);
        if (res.status !== 403) problems.push(`POST ${p} with ${what}: ${res.status}, expected 403`);
      }
    }
    const admin = [
      ['/admin/installningar', { owner_domains: 'evil.example' }],
      ['/admin/konton/ny', { username: 'mallory', role: 'admin', password: 'mallorys långa lösenord' }],
      ['/admin/konton/anna/stang', {}],
    ];
    for (const [p, fields] of admin) {
      for (const [what, opts] of [['a wrong token', { csrf: randomToken() }], ['a cross-site Origin', { origin: 'https://evil.example' }], ['no Origin', { origin: null }]]) {
        const res = await root.post(p, fields, opts);
        if (res.status !== 403) problems.push(`POST ${p} as admin with ${what}: ${res.status}, expected 403`);
      }
    }
    fail(problems);
    unchanged(before, 'the refused POSTs');
    assert.equal((await anna.get('/admin')).status, 200, 'a refused logout ended the session');
  });

  it('refuses with 403 a login from another origin, and sets no cookie', async () => {
    const problems = [];
    for (const [what, opts] of [
      ['Origin https://evil.example', { origin: 'https://evil.example' }],
      ['Sec-Fetch-Site: cross-site', { headers: { 'Sec-Fetch-Site': 'cross-site' } }],
      ['no Origin and no Sec-Fetch-Site', { origin: null }],
    ]) {
      const c = new Client(srv.baseUrl, { localAddress: '127.0.0.5' });
      const res = await c.login(kEditor.name, kEditor.password, opts);
      if (res.status !== 403) problems.push(`POST ${kLoginPath} with ${what}: ${res.status}, expected 403`);
      if (res.cookies.some((x) => /cg_session$/.test(x.name) && x.value)) problems.push(`POST ${kLoginPath} with ${what}: sets a session cookie`);
    }
    fail(problems);
    const ok = await new Client(srv.baseUrl).login(kEditor.name, kEditor.password, { origin: null, headers: { 'Sec-Fetch-Site': 'same-origin' } });
    assert.equal(ok.status, 303, `login with Sec-Fetch-Site: same-origin and no Origin: ${ok.status}`);
  });

  it('accepts the edit with the right token and Origin, or with Sec-Fetch-Site: same-origin', async () => {
    const a = await anna.edit('/admin/resurser/disa', { title: 'Disa – ändrad med rätt token' });
    assert.equal(a.status, 303, `with the right token and Origin: ${a.status}\n${a.text.slice(0, 400)}`);
    const b = await anna.edit('/admin/resurser/disa', { title: 'Disa – ändrad med Sec-Fetch-Site' }, { opts: { origin: null, headers: { 'Sec-Fetch-Site': 'same-origin' } } });
    assert.equal(b.status, 303, `with the right token and Sec-Fetch-Site: same-origin: ${b.status}\n${b.text.slice(0, 400)}`);
    const draft = await anna.get('/admin/utkast');
    assert.ok(draft.text.includes('Disa – ändrad med Sec-Fetch-Site'), '/admin/utkast does not show the accepted edit');
  });

  it('changes nothing on GET, not even on the routes that change things on POST', async () => {
    const before = dbFingerprint(srv.dbPath);
    const problems = [];
    const gets = [
      [anna, '/admin/publicera'],
      [anna, '/admin/publicera?message=x&csrf=' + encodeURIComponent(anna.token ?? '')],
      [anna, '/admin/utkast/kasta'],
      [anna, '/admin/resurser/disa/ta-bort'],
      [anna, '/admin/resurser/disa?title=Kapad&csrf=' + encodeURIComponent(anna.token ?? '')],
      [anna, '/admin/adresser?from=https%3A%2F%2Fwww.msb.se%2F&to=https%3A%2F%2Fevil.example%2F'],
      [anna, '/admin/historik/1/aterstall'],
      [anna, '/admin/logga-ut'],
      [root, '/admin/konton/anna/stang'],
      [root, '/admin/konton/ny?username=mallory&role=admin&password=mallorys+l%C3%A5nga+l%C3%B6senord'],
      [root, '/admin/installningar?owner_domains=evil.example'],
    ];
    for (const [c, p] of gets) {
      const res = await c.get(p);
      if (res.status >= 500) problems.push(`GET ${p}: ${res.status}`);
    }
    fail(problems);
    unchanged(before, 'the GETs');
    assert.equal((await anna.get('/admin')).status, 200, 'GET /admin/logga-ut ended the session');
    assert.equal((await new Client(srv.baseUrl).login(kEditor.name, kEditor.password)).status, 303, 'GET /admin/konton/anna/stang closed the account');
  });

  it('gives an editor 403 on the admin pages and their POSTs, changing nothing', async () => {
    const before = dbFingerprint(srv.dbPath);
    const problems = [];
    for (const p of ['/admin/konton', '/admin/logg', '/admin/installningar']) {
      const res = await anna.get(p);
      if (res.status !== 403) problems.push(`GET ${p} as editor: ${res.status}, expected 403`);
      // Every page under /admin, refusals included: no-store, noindex.
      if (!/no-store/.test(res.headers['cache-control'] ?? '')) problems.push(`GET ${p} as editor: Cache-Control ${res.headers['cache-control']}, expected no-store`);
      if (!/noindex/.test(res.headers['x-robots-tag'] ?? '')) problems.push(`GET ${p} as editor: X-Robots-Tag ${res.headers['x-robots-tag']}, expected noindex, nofollow`);
    }
    const missing = await anna.get('/admin/finns-inte');
    if (missing.status !== 404) problems.push(`GET /admin/finns-inte: ${missing.status}, expected 404`);
    if (!/no-store/.test(missing.headers['cache-control'] ?? '') || !/noindex/.test(missing.headers['x-robots-tag'] ?? '')) problems.push(`GET /admin/finns-inte: Cache-Control ${missing.headers['cache-control']}, X-Robots-Tag ${missing.headers['x-robots-tag']}`);
    for (const [p, fields] of [
      ['/admin/installningar', { owner_domains: 'evil.example' }],
      ['/admin/konton/ny', { username: 'mallory', role: 'admin', password: 'mallorys långa lösenord' }],
      ['/admin/konton/root/stang', {}],
      ['/admin/konton/bertil/stang', {}],
    ]) {
      const res = await anna.post(p, fields);
      if (res.status !== 403) problems.push(`POST ${p} as editor: ${res.status}, expected 403`);
    }
    fail(problems);
    unchanged(before, "the editor's refused requests");
    assert.doesNotMatch(cli(['user', 'list', '--data', srv.dataDir]).stdout, /mallory/);
    assert.equal((await bertil.get('/admin')).status, 200, "bertil's session ended");
  });

  it('lets an admin see accounts, log and settings, and add an account that can log in', async () => {
    for (const p of ['/admin/konton', '/admin/logg', '/admin/installningar']) {
      const res = await root.get(p);
      assert.equal(res.status, 200, `GET ${p} as admin`);
    }
    const res = await root.post('/admin/konton/ny', { username: 'dagny', role: 'editor', password: 'dagnys långa lösenord' });
    assert.equal(res.status, 303, `POST /admin/konton/ny: ${res.status}\n${res.text.slice(0, 400)}`);
    assert.match(cli(['user', 'list', '--data', srv.dataDir]).stdout, /dagny/);
    const d = new Client(srv.baseUrl);
    await d.loginOk({ name: 'dagny', password: 'dagnys långa lösenord' });
    const close = await root.post('/admin/konton/dagny/stang', {});
    assert.equal(close.status, 303, `POST /admin/konton/dagny/stang: ${close.status}`);
    const g = await d.get('/admin');
    assert.equal(g.status, 303, `a closed account's session: GET /admin ${g.status}`);
  });

  it('answers every admin page reachable from the overview with 200, no-store, noindex, the security headers and no unsafe markup', async () => {
    const seen = new Set(['/admin']);
    const queue = ['/admin'];
    const problems = [];
    for (let i = 0; i < queue.length && i < 36; i += 1) {
      const p = queue[i];
      const res = await root.get(p);
      if (res.status !== 200) { problems.push(`GET ${p}: ${res.status}`); continue; }
      if (res.headers['content-type'] !== 'text/html; charset=utf-8') problems.push(`GET ${p}: Content-Type ${res.headers['content-type']}`);
      if (!/no-store/.test(res.headers['cache-control'] ?? '')) problems.push(`GET ${p}: Cache-Control ${res.headers['cache-control']}, expected no-store`);
      if (!/noindex/.test(res.headers['x-robots-tag'] ?? '') || !/nofollow/.test(res.headers['x-robots-tag'] ?? '')) problems.push(`GET ${p}: X-Robots-Tag ${res.headers['x-robots-tag']}, expected noindex, nofollow`);
      for (const [h, v] of Object.entries(kSecurityHeaders)) if (res.headers[h] !== v) problems.push(`GET ${p}: ${h}: ${res.headers[h]}, expected ${v}`);
      problems.push(...unsafeMarkup(res.text, `GET ${p}`));
      for (const h of links(res.text)) {
        const u = h.replace(/#.*$/, '');
        if (!u.startsWith('/admin') || u.startsWith('/admin/forhandsgranska') || seen.has(u)) continue;
        if (/\/(logga-ut|ta-bort|aterstall|kasta|stang)$/.test(u)) continue;
        seen.add(u);
        queue.push(u);
      }
    }
    assert.ok(queue.length >= 8, `only ${queue.length} admin pages reachable from /admin: ${queue.join(' ')}`);
    fail(problems);
  });
});
