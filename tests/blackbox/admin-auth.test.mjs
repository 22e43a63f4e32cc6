// Black-box tests of the editor area's accounts, login, sessions and login throttling
// (docs/admin.md: "Accounts", "Sessions and CSRF", "Login throttling"). One server for the file;
// tests that need a client address of their own use 127.0.0.x (all of 127/8 is loopback), so the
// per-client throttling of one test never reaches another.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer } from './server.mjs';
import {
  Client, cli, addUser, startAdminServer, stopServer, kEditor, kAdmin, kLoginPath, kLoginError,
  dbFingerprint, fingerprintDiff, parseForms, randomToken, poll, sleep, visibleText, tokenize, attr, sqlite, rawRequest,
} from './admin.mjs';

const kBertil = { name: 'bertil', role: 'editor', password: 'bertils långa lösenord' };
const kCecilia = { name: 'cecilia', role: 'editor', password: 'cecilias långa lösenord' };
const kErik = { name: 'erik', role: 'editor', password: 'eriks långa lösenord!' };
const kFredrik = { name: 'fredrik', role: 'editor', password: 'fredriks långa lösenord' };

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

const seenSecrets = []; // session ids and tokens met on the way: no log may contain them

function sessionCookies(res) {
  return res.cookies.filter((c) => /cg_session$/.test(c.name) && c.value !== '');
}

describe('admin: no account yet; the session cookie when public_url is https', { timeout: 40000 }, () => {
  const origin = 'https://guide.example';
  let srv;
  before(async () => { srv = await startServer({ extraArgs: ['--public-url', origin] }); }, { timeout: 30000 });
  after(async () => { await stopServer(srv); });

  it('serve says in its log how to create an account ("cyberguide user add") when there is none', async () => {
    const said = await poll(() => srv.output().includes('cyberguide user add'), { timeoutMs: 3000 });
    assert.ok(said, `no "cyberguide user add" in the log of a server without accounts\n${srv.output()}`);
    const res = await new Client(srv.baseUrl).get(kLoginPath);
    assert.equal(res.status, 200, `GET ${kLoginPath}`);
  });

  it('is __Host-cg_session with Secure (HttpOnly, SameSite=Strict, Path=/, no Domain); the site origin is public_url', async () => {
    addUser(srv.dataDir, kEditor);
    const plain = await new Client(srv.baseUrl).login(kEditor.name, kEditor.password);
    assert.equal(plain.status, 403, `login with Origin ${srv.baseUrl} when public_url is ${origin}: ${plain.status}, expected 403`);
    const c = new Client(srv.baseUrl);
    const res = await c.login(kEditor.name, kEditor.password, { origin });
    assert.equal(res.status, 303, `login with Origin ${origin}: ${res.status}`);
    const cookies = sessionCookies(res);
    assert.equal(cookies.length, 1, `Set-Cookie: ${JSON.stringify(res.headers['set-cookie'])}`);
    const [ck] = cookies;
    assert.equal(ck.name, '__Host-cg_session', ck.raw);
    assert.equal(ck.attrs.secure, true, `no Secure: ${ck.raw}`);
    assert.equal(ck.attrs.httponly, true, `no HttpOnly: ${ck.raw}`);
    assert.equal(String(ck.attrs.samesite).toLowerCase(), 'strict', ck.raw);
    assert.equal(ck.attrs.path, '/', ck.raw);
    assert.equal(ck.attrs.domain, undefined, ck.raw);
    assert.equal((await c.get('/admin')).status, 200, 'GET /admin with the __Host- cookie');
    const out = await c.post('/admin/logga-ut', {}, { origin });
    assert.equal(out.status, 303, `logout with Origin ${origin}: ${out.status}`);
  });
});

describe('admin: accounts, login and sessions', { timeout: 120000 }, () => {
  let srv;
  let failStatus; // the status of a failed login (whatever it is, the same for name and password)

  before(async () => {
    srv = await startAdminServer({ users: [kEditor, kAdmin, kBertil, kCecilia, kErik, kFredrik] });
  }, { timeout: 60000 });
  after(async () => {
    const r = await stopServer(srv);
    if (r) assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}\n${srv.output()}`);
  });

  it('user list shows every account with its role and state', () => {
    const r = cli(['user', 'list', '--data', srv.dataDir]);
    assert.equal(r.status, 0, r.stderr);
    for (const u of [kEditor, kAdmin, kBertil]) {
      const line = r.stdout.split('\n').find((l) => new RegExp(`(^|\\s)${u.name}(\\s|$)`).test(l));
      assert.ok(line, `no line for ${u.name} in:\n${r.stdout}`);
      assert.match(line, new RegExp(`\\b${u.role}\\b`), `line for ${u.name}: ${line}`);
    }
    assert.ok(!r.stdout.includes(kEditor.password), 'user list prints a password');
  });

  it('answers GETs under /admin with 303 to /admin/logga-in and POSTs with 403 when not logged in, changing nothing', async () => {
    const c = new Client(srv.baseUrl);
    const before = dbFingerprint(srv.dbPath);
    const problems = [];
    for (const p of ['/admin', '/admin/', '/admin/resurser', '/admin/resurser/disa', '/admin/utgivare/mcf', '/admin/utkast', '/admin/historik', '/admin/konton', '/admin/logg', '/admin/installningar', '/admin/forhandsgranska/', '/admin/forhandsgranska/resurser/disa']) {
      const res = await c.get(p);
      if (res.status !== 303 || res.location !== kLoginPath) problems.push(`GET ${p}: ${res.status} to ${res.rawLocation}, expected 303 to ${kLoginPath}`);
    }
    for (const p of ['/admin/publicera', '/admin/resurser/disa', '/admin/resurser/ny', '/admin/utgivare/mcf', '/admin/adresser', '/admin/utkast/kasta', '/admin/logga-ut', '/admin/konton/ny', '/admin/installningar']) {
      const res = await c.post(p, { title: 'Ändrad', name: 'Ändrad', from: 'https://www.msb.se/', to: 'https://evil.example/', message: 'x', username: 'mallory', role: 'admin', password: 'mallorys långa lösenord' }, { csrf: randomToken() });
      if (res.status !== 403) problems.push(`POST ${p} without a session: ${res.status}, expected 403`);
    }
    fail(problems);
    const after = dbFingerprint(srv.dbPath);
    assert.ok(before === after, `the database changed:\n${fingerprintDiff(before, after)}`);
  });

  it('serves the login page with labelled username and password fields, no-store and noindex', async () => {
    const res = await new Client(srv.baseUrl).get(kLoginPath);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(res.headers['cache-control'] ?? '', /no-store/, 'Cache-Control');
    assert.match(res.headers['x-robots-tag'] ?? '', /noindex/, 'X-Robots-Tag');
    assert.match(res.headers['x-robots-tag'] ?? '', /nofollow/, 'X-Robots-Tag');
    assert.match(res.text, /<html\b[^>]*\blang\s*=\s*["']?sv/i, 'lang="sv"');
    const form = parseForms(res.text).find((f) => f.controls.some((x) => x.name === 'password'));
    assert.ok(form, 'no form with a password field');
    assert.equal(form.method, 'post');
    const user = form.controls.find((x) => x.name === 'username');
    const pass = form.controls.find((x) => x.name === 'password');
    assert.ok(user, 'no username field');
    assert.equal(pass.type, 'password', 'the password field is not type="password"');
    const labels = new Set(tokenize(res.text).filter((t) => t.type === 'start' && t.name === 'label').map((t) => attr(t, 'for')));
    for (const x of [user, pass]) assert.ok(x.id && labels.has(x.id), `field ${x.name} (id ${x.id}) has no <label for>`);
  });

  it('logs in: 303 to /admin with a new cg_session cookie (HttpOnly, SameSite=Strict, Path=/, no Secure over http) whose id is not stored in the database', async () => {
    const c = new Client(srv.baseUrl);
    const res = await c.login(kEditor.name, kEditor.password);
    assert.equal(res.status, 303, res.text.slice(0, 500));
    assert.equal(res.location, '/admin');
    const cookies = sessionCookies(res);
    assert.equal(cookies.length, 1, `Set-Cookie: ${JSON.stringify(res.headers['set-cookie'])}`);
    const [ck] = cookies;
    assert.equal(ck.name, 'cg_session', ck.raw);
    assert.equal(ck.attrs.httponly, true, `no HttpOnly: ${ck.raw}`);
    assert.equal(String(ck.attrs.samesite).toLowerCase(), 'strict', `SameSite: ${ck.raw}`);
    assert.equal(ck.attrs.path, '/', `Path: ${ck.raw}`);
    assert.equal(ck.attrs.secure, undefined, `Secure over plain http: ${ck.raw}`);
    assert.equal(ck.attrs.domain, undefined, `Domain: ${ck.raw}`);
    assert.ok(ck.value.length >= 43, `session id ${ck.value.length} characters: too short for 256 bits`);
    seenSecrets.push(ck.value, await c.csrf());
    // Stored only as a hash: the id appears in no database file.
    for (const f of [srv.dbPath, `${srv.dbPath}-wal`]) {
      if (fs.existsSync(f)) assert.ok(!fs.readFileSync(f).includes(Buffer.from(ck.value)), `the session id is stored as is in ${f}`);
    }
    const home = await c.get('/admin');
    assert.equal(home.status, 200, `GET /admin with the new cookie: ${home.status}`);
    // No open redirect: whatever the query says, a login goes to /admin.
    const c2 = new Client(srv.baseUrl);
    const fields = [['username', kEditor.name], ['password', kEditor.password]];
    const q = await c2.post(`${kLoginPath}?next=https%3A%2F%2Fevil.example%2F&return_to=%2F%2Fevil.example&redirect=https://evil.example`, fields, { csrf: null });
    assert.equal(q.status, 303, `login with ?next=…: ${q.status}`);
    assert.equal(q.rawLocation.replace(srv.baseUrl, ''), '/admin', `login with ?next=https://evil.example: Location ${q.rawLocation}`);
    assert.match(home.headers['cache-control'] ?? '', /no-store/);
    assert.match(home.headers['x-robots-tag'] ?? '', /noindex/);
  });

  it('gives a new session id at login: a cookie sent before login is not the one after, and is worth nothing', async () => {
    const c = new Client(srv.baseUrl);
    await c.get(kLoginPath);
    // A cookie the server handed out before login, or one an attacker planted.
    const planted = c.session ?? { name: 'cg_session', value: randomToken() };
    c.setCookie(planted.name, planted.value);
    const res = await c.login(kEditor.name, kEditor.password);
    assert.equal(res.status, 303, res.text.slice(0, 500));
    const after = c.session;
    assert.ok(after, 'no session cookie after login');
    assert.notEqual(after.value, planted.value, 'the session id before login is still the one after');
    const old = new Client(srv.baseUrl);
    old.setCookie(planted.name, planted.value);
    const r = await old.get('/admin');
    assert.equal(r.status, 303, `GET /admin with the pre-login cookie: ${r.status}`);
    assert.equal(r.location, kLoginPath);
    // A second login of the same account gets yet another id.
    const c2 = new Client(srv.baseUrl);
    await c2.loginOk(kEditor);
    assert.notEqual(c2.session.value, after.value, 'two logins got the same session id');
  });

  it('refuses a wrong password and an unknown name with the same status and message, no cookie, no echo of the password', async () => {
    const c = new Client(srv.baseUrl, { localAddress: '127.0.0.9' });
    const wrongPw = 'fel lösenord helt och hållet';
    const a = await c.login(kEditor.name, wrongPw);
    const b = await c.login('finns-inte', wrongPw);
    assert.notEqual(a.status, 303, 'a wrong password logged in');
    assert.notEqual(a.status, 429, 'throttled already at the first failure');
    assert.equal(b.status, a.status, `wrong password ${a.status}, unknown name ${b.status}`);
    for (const [what, res] of [['wrong password', a], ['unknown name', b]]) {
      assert.ok(visibleText(res.text).includes(kLoginError), `${what}: no "${kLoginError}" in the page`);
      assert.deepEqual(sessionCookies(res).map((x) => x.raw), [], `${what}: sets a session cookie`);
      assert.ok(!res.text.includes(wrongPw), `${what}: the page repeats the password`);
    }
    failStatus = a.status;
    // The texts of the two pages are the same but for the name typed.
    const norm = (res, name) => visibleText(res.text).replaceAll(name, 'NAMN').replace(/\s+/g, ' ');
    assert.equal(norm(b, 'finns-inte'), norm(a, kEditor.name), 'the pages for a wrong name and a wrong password differ');
    const ok = await c.login(kEditor.name, kEditor.password);
    assert.equal(ok.status, 303, 'the right password after two failures');
  });

  it('logs out: 303 to /admin/logga-in; the old cookie then gets 303 to the login page for GET and 403 for POST', async () => {
    const c = new Client(srv.baseUrl);
    await c.loginOk(kEditor);
    const old = c.session;
    const token = await c.csrf();
    seenSecrets.push(old.value, token);
    const out = await c.post('/admin/logga-ut', {});
    assert.equal(out.status, 303, out.text.slice(0, 400));
    assert.equal(out.location, kLoginPath);
    const replay = new Client(srv.baseUrl);
    replay.setCookie(old.name, old.value);
    const g = await replay.get('/admin');
    assert.equal(g.status, 303, `GET /admin with the logged-out cookie: ${g.status}`);
    assert.equal(g.location, kLoginPath);
    const before = dbFingerprint(srv.dbPath);
    const p = await replay.post('/admin/resurser/disa', { title: 'Efter utloggning' }, { csrf: token });
    assert.equal(p.status, 403, `POST with the logged-out cookie: ${p.status}`);
    const p2 = await replay.post('/admin/publicera', { message: 'x' }, { csrf: token });
    assert.equal(p2.status, 403, `POST /admin/publicera with the logged-out cookie: ${p2.status}`);
    const after = dbFingerprint(srv.dbPath);
    assert.ok(before === after, `the database changed:\n${fingerprintDiff(before, after)}`);
  });

  it('passwords: 12–256 code points, Unicode, never truncated; user passwd replaces it', async () => {
    const c = new Client(srv.baseUrl, { localAddress: '127.0.0.10' });
    const short = cli(['user', 'add', 'kort', '--role', 'editor', '--password-stdin', '--data', srv.dataDir], { input: 'elva tecken' });
    assert.notEqual(short.status, 0, 'an 11-character password was accepted');
    const tooLong = cli(['user', 'add', 'lang', '--role', 'editor', '--password-stdin', '--data', srv.dataDir], { input: 'x'.repeat(257) });
    assert.notEqual(tooLong.status, 0, 'a 257-character password was accepted');
    const badName = cli(['user', 'add', 'Stor Bokstav', '--role', 'editor', '--password-stdin', '--data', srv.dataDir], { input: 'ett långt lösenord' });
    assert.notEqual(badName.status, 0, 'the name "Stor Bokstav" was accepted');
    const list = cli(['user', 'list', '--data', srv.dataDir]).stdout;
    assert.doesNotMatch(list, /(^|\s)(kort|lang)(\s|$)/m, `refused accounts are listed:\n${list}`);

    // 256 code points, the last one different from a 255-prefix: all of it counts.
    const prefix = 'ett mycket långt lösenord med å, ä, ö och 🔐 ';
    const cps = [...prefix.repeat(10)].slice(0, 255);
    const full = [...cps, 'Ω'].join('');
    assert.equal([...full].length, 256);
    const hanna = { name: 'hanna', role: 'editor', password: full };
    addUser(srv.dataDir, hanna);
    await c.loginOk(hanna);
    const truncated = await c.login(hanna.name, [...cps, 'X'].join(''));
    assert.notEqual(truncated.status, 303, 'a password differing only in its 256th code point logged in');
    const first72 = await c.login(hanna.name, Buffer.from(full).subarray(0, 72).toString('utf8'));
    assert.notEqual(first72.status, 303, 'the first 72 bytes of the password logged in');

    // user passwd: 12 code points (24 bytes) are enough; the old password stops working.
    const twelve = 'åäöåäöåäöåäö';
    const pw = cli(['user', 'passwd', hanna.name, '--data', srv.dataDir], { input: twelve });
    assert.equal(pw.status, 0, `user passwd with a 12-code-point password: ${pw.stderr}`);
    const oldPw = await new Client(srv.baseUrl, { localAddress: '127.0.0.11' }).login(hanna.name, hanna.password);
    assert.notEqual(oldPw.status, 303, 'the old password still works after user passwd');
    await new Client(srv.baseUrl, { localAddress: '127.0.0.11' }).loginOk({ ...hanna, password: twelve });
  });

  it('checks passwords off the network threads: readers are served while logins are hashed', async () => {
    let done = false;
    const latencies = [];
    const reader = (async () => {
      while (!done) {
        const t = Date.now();
        const r = await rawRequest(srv.baseUrl, '/healthz');
        latencies.push(Date.now() - t);
        assert.equal(r.status, 200);
      }
    })();
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 8 }, (_, k) => new Client(srv.baseUrl, { localAddress: `127.0.3.${k + 1}` }).login(kBertil.name, `fel lösenord ${k} här`)));
    const busy = Date.now() - t0;
    done = true;
    await reader;
    const worst = Math.max(...latencies);
    // Only meaningful when the hashing kept the server busy for longer than the bound.
    if (busy > 600) assert.ok(worst < 500, `GET /healthz took up to ${worst} ms while 8 logins were checked (${busy} ms)`);
    assert.ok(latencies.length >= 5, `only ${latencies.length} reader requests answered during ${busy} ms of logins`);
  });

  it('user disable ends the account\'s sessions and its logins', async () => {
    const c = new Client(srv.baseUrl);
    await c.loginOk(kCecilia);
    assert.equal((await c.get('/admin')).status, 200);
    const r = cli(['user', 'disable', kCecilia.name, '--data', srv.dataDir]);
    assert.equal(r.status, 0, r.stderr);
    const g = await c.get('/admin');
    assert.equal(g.status, 303, `GET /admin with a disabled account's cookie: ${g.status}`);
    assert.equal(g.location, kLoginPath);
    const again = await new Client(srv.baseUrl, { localAddress: '127.0.0.12' }).login(kCecilia.name, kCecilia.password);
    assert.notEqual(again.status, 303, 'a disabled account logged in');
    const list = cli(['user', 'list', '--data', srv.dataDir]).stdout;
    const line = list.split('\n').find((l) => /(^|\s)cecilia(\s|$)/.test(l));
    assert.match(line ?? '', /disabled|avstängd|inaktiv|stängd/i, `user list line for cecilia: ${line}`);
  });

  let checkMs = Infinity; // how long one password check takes here (measured by the first throttling test)

  // The per-client tests use client addresses and accounts of their own: they run side by side.
  describe('login throttling per client', { concurrency: true }, () => {

    it('per client: after 3 failures in a row an attempt within 1 s gets 429 (even with the right password); other clients and accounts keep working; after the wait it works', async () => {
      const a = new Client(srv.baseUrl, { localAddress: '127.0.0.2' });
      const statuses = [];
      let t3 = 0;
      for (let i = 0; i < 3; i += 1) {
        const t0 = Date.now();
        const r = await a.login(kEditor.name, `fel lösenord nummer ${i}`);
        checkMs = Math.min(checkMs, Date.now() - t0);
        statuses.push(r.status);
        t3 = Date.now();
      }
      assert.deepEqual(statuses, [failStatus ?? statuses[0], failStatus ?? statuses[0], failStatus ?? statuses[0]], `three failures: ${statuses}`);
      assert.ok(!statuses.includes(429), `429 before the 4th attempt: ${statuses}`);
      const early = await a.login(kEditor.name, kEditor.password);
      assert.ok(Date.now() - t3 < 1000, 'the test was too slow to try within the 1 s wait');
      assert.equal(early.status, 429, `4th attempt ${Date.now() - t3} ms after the 3rd failure: ${early.status}, expected 429`);
      assert.deepEqual(sessionCookies(early).map((x) => x.raw), [], 'a 429 sets a session cookie');

      // Another client: both another account and the one under attack log in.
      const b = new Client(srv.baseUrl, { localAddress: '127.0.0.3' });
      await b.loginOk(kFredrik);
      await new Client(srv.baseUrl, { localAddress: '127.0.0.3' }).loginOk(kEditor);

      const wait = t3 + 1150 - Date.now();
      if (wait > 0) await sleep(wait);
      const later = await a.login(kEditor.name, kEditor.password);
      assert.equal(later.status, 303, `the right password 1 s after the 3rd failure: ${later.status}`);
    });

    it('per client: the wait grows to 2 s after the 4th failure', async () => {
      const c = new Client(srv.baseUrl, { localAddress: '127.0.0.4' });
      for (let i = 0; i < 3; i += 1) await c.login(kFredrik.name, `fel ${i} lösenordet`);
      await sleep(1150);
      const fourth = await c.login(kFredrik.name, 'fel 4 lösenordet');
      const t4 = Date.now();
      assert.notEqual(fourth.status, 429, 'the 4th attempt after waiting 1 s got 429');
      assert.notEqual(fourth.status, 303);
      const r1 = await c.login(kFredrik.name, kFredrik.password);
      assert.equal(r1.status, 429, `right away after the 4th failure: ${r1.status}`);
      await sleep(Math.max(0, t4 + 1250 - Date.now()));
      const r2 = await c.login(kFredrik.name, kFredrik.password);
      assert.equal(r2.status, 429, `1.25 s after the 4th failure (the wait is 2 s): ${r2.status}`);
      await sleep(Math.max(0, t4 + 2150 - Date.now()));
      const r3 = await c.login(kFredrik.name, kFredrik.password);
      assert.equal(r3.status, 303, `2.15 s after the 4th failure: ${r3.status}`);
    });

    it('per client: a client cannot escape the delay with X-Forwarded-For (not trusted by default)', async () => {
      const c = new Client(srv.baseUrl, { localAddress: '127.0.0.6' });
      for (let i = 0; i < 3; i += 1) {
        const r = await c.login(kBertil.name, `fel lösenord ${i}`, { headers: { 'X-Forwarded-For': `203.0.113.${i + 1}` } });
        assert.notEqual(r.status, 303);
      }
      const r = await c.login(kBertil.name, kBertil.password, { headers: { 'X-Forwarded-For': '203.0.113.99' } });
      assert.equal(r.status, 429, `4th attempt with a new X-Forwarded-For: ${r.status}, expected 429`);
    });

  });

  describe('login throttling per account', () => {
    it('per account: after 100 password checks in an hour the account answers 429, and other accounts keep working', async (t) => {
      // 100 argon2id checks: about 10 s on a 2-core machine with the debug build; worth it.
      // 34 client addresses × 3 wrong passwords = 102 attempts, none of them held back per client.
      const results = await Promise.all(Array.from({ length: 34 }, async (_, k) => {
        const c = new Client(srv.baseUrl, { localAddress: `127.0.1.${k + 1}` });
        const out = [];
        for (let i = 0; i < 3; i += 1) out.push((await c.login(kErik.name, `fel lösenord ${k}-${i}`)).status);
        return out;
      }));
      const all = results.flat();
      const checked = all.filter((s) => s !== 429).length;
      assert.ok(checked <= 100, `${checked} of 102 attempts were checked; at most 100 per hour`);
      assert.ok(all.filter((s) => s === 429).length >= 2, `statuses: ${all.join(' ')}`);
      const fresh = new Client(srv.baseUrl, { localAddress: '127.0.2.1' });
      const locked = await fresh.login(kErik.name, kErik.password);
      assert.equal(locked.status, 429, `the right password for the locked account from a new client: ${locked.status}`);
      await new Client(srv.baseUrl, { localAddress: '127.0.2.2' }).loginOk(kAdmin);
      await new Client(srv.baseUrl, { localAddress: '127.0.2.1' }).loginOk(kFredrik);
    });
  });

  it('never writes a password, a session id or a token to its log or the audit log', () => {
    const secrets = [kEditor, kAdmin, kBertil, kCecilia, kErik, kFredrik].map((u) => u.password)
      .concat(['fel lösenord helt och hållet', 'fel lösenord nummer 0'], seenSecrets);
    const log = srv.output();
    const audit = sqlite(srv.dbPath, 'SELECT * FROM audit_log');
    const problems = [];
    for (const x of secrets) {
      if (log.includes(x)) problems.push(`the server log contains ${JSON.stringify(x.slice(0, 8))}…`);
      if (audit.includes(x)) problems.push(`the audit log contains ${JSON.stringify(x.slice(0, 8))}…`);
    }
    assert.ok(seenSecrets.length >= 4, 'the earlier tests recorded no session ids');
    fail(problems);
  });
});
