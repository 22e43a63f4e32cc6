// Black-box test of what the server writes to its log (JSON lines on stdout) and of the 500 page:
//   - no password (right or wrong), session id or CSRF token in any line of stdout or stderr, while
//     an editor logs in, fails a login, edits through a form (CSRF token), publishes and logs out;
//   - user input cannot forge a line: paths, queries, headers and form fields with CR, LF, ESC
//     sequences, quotes, backslashes and a whole fake JSON line; every line of stdout is one JSON
//     object and the attacker's text only ever sits inside a string of an access line;
//   - GET /__fault (CYBERGUIDE_FAULT_INJECTION=1) answers 500 with a generic Swedish page carrying an
//     incident id (src/http/server.cpp call_handler: "Händelse-id " + 16 hex digits) that is also in
//     the error line of the log, and nothing of the internals (the exception mentions
//     "sqlite3_step failed at /var/lib/cyberguide/cyberguide.db").
// One server for the file; its whole output is kept (not only the tail that srv.output() keeps).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { startServer } from './server.mjs';
import { get, request } from './http.mjs';
import {
  Client, cli, stopServer, expect303, publish, poll, kLoginPath,
} from './admin.mjs';

const hex = () => randomBytes(8).toString('hex');
const kPasswordCore = `pw${hex()}`;
const kWrongCore = `wrong${hex()}`;
// Distinctive, with a space, a non-ASCII letter and characters a form encodes (+ & = %).
const kUser = { name: 'loggtest', role: 'admin', password: `Hemligt ${kPasswordCore} lösen+&=%ord` };
const kWrongPassword = `Felaktigt ${kWrongCore} lösen+&=%ord`;
const kBearer = `bearer${hex()}`;

/** `s` with C0/C1 controls, DEL and U+FFFD written as \\uXXXX, so that a message shows them. */
function visible(s) {
  // eslint-disable-next-line no-control-regex
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function fail(problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

/** The whole stdout and stderr of a server, from its start (srv.output() keeps only a tail). */
function captureOutput(srv) {
  const m = /^--- stdout ---\n([\s\S]*)\n--- stderr ---\n([\s\S]*)$/.exec(srv.output());
  assert.ok(m, 'srv.output() has an unexpected shape');
  assert.ok(m[1].length < 8000 && m[2].length < 8000, 'the start-up output is longer than srv.output() keeps');
  let out = m[1];
  let err = m[2];
  srv.proc.stdout.on('data', (d) => { out += d; });
  srv.proc.stderr.on('data', (d) => { err += d; });
  return { stdout: () => out, stderr: () => err, all: () => `${out}\n${err}` };
}

/** Complete lines of stdout (a line still being written is left out). */
function stdoutLines(cap) {
  const s = cap.stdout();
  return s.slice(0, s.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '');
}

/** Waits until stdout has an access line for `path` (a line is written after its response). */
async function waitForAccess(cap, path) {
  const needle = `"path":${JSON.stringify(path)}`;
  const ok = await poll(() => cap.stdout().includes(needle), { timeoutMs: 5000, intervalMs: 50 });
  assert.ok(ok, `no access line for ${path} in the log`);
}

/** Writes raw bytes on a new connection; resolves with the status (0: none) once the server closes. */
function rawSend(port, bytes, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf.toString('latin1'));
      resolve(m ? Number(m[1]) : 0);
    });
    sock.on('connect', () => sock.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1')));
  });
}

// The attacker's fake line, and the same as a percent-encoded path segment.
const kForgedLine = '"}\n{"level":"error","msg":"forged","ts":"2000-01-01T00:00:00.000Z"}\n{"x":"';
const kForgedPath = `/${encodeURIComponent(kForgedLine)}`;
const kEsc = '\x1b[31m\x1b]0;title\x07\x1b[2J';

describe('secrets and logs', { timeout: 90000 }, () => {
  let srv;
  let cap;
  let cliOutput = '';
  const secrets = new Map(); // what → value: none may appear in the output

  before(async () => {
    srv = await startServer({ env: { CYBERGUIDE_FAULT_INJECTION: '1' } });
    cap = captureOutput(srv);
    const r = cli(['user', 'add', kUser.name, '--role', kUser.role, '--password-stdin', '--data', srv.dataDir], { input: kUser.password });
    assert.equal(r.status, 0, `user add: ${r.status}\n${r.stdout}\n${r.stderr}`);
    cliOutput = r.stdout + r.stderr;
  }, { timeout: 40000 });

  after(async () => { await stopServer(srv); });

  function addPassword(what, pw, core) {
    secrets.set(what, pw);
    secrets.set(`${what} (distinctive part)`, core);
    secrets.set(`${what} (form-encoded)`, new URLSearchParams({ p: pw }).toString().slice(2));
    secrets.set(`${what} (percent-encoded)`, encodeURIComponent(pw));
    secrets.set(`${what} (JSON-escaped)`, JSON.stringify(pw).slice(1, -1));
  }

  function secretProblems(text, where) {
    const p = [];
    for (const [what, v] of secrets) {
      if (v && text.includes(v)) {
        const line = text.split('\n').find((l) => l.includes(v));
        p.push(`${where}: the ${what} ${JSON.stringify(v)} appears, e.g. in ${JSON.stringify(line.slice(0, 300))}`);
      }
    }
    return p;
  }

  it('writes no password, session id or CSRF token to its log while an editor works (login, failed login, form posts, publish, logout)', async () => {
    addPassword('password', kUser.password, kPasswordCore);
    addPassword('wrong password', kWrongPassword, kWrongCore);
    secrets.set('bearer token', kBearer);

    const c = new Client(srv.baseUrl);
    const bad = await c.login(kUser.name, kWrongPassword);
    assert.equal(bad.status, 422, `login with a wrong password: ${bad.status}`);
    await c.loginOk(kUser);
    const s1 = c.session;
    assert.ok(s1, 'no session cookie after login');
    secrets.set('session id (1st login)', s1.value);
    secrets.set('SHA-256 of the session id (1st login)', createHash('sha256').update(s1.value).digest('hex'));
    const t1 = await c.csrf();
    secrets.set('CSRF token (1st session)', t1);

    // Editor work, every POST carrying the CSRF token of the session.
    expect303(await c.edit('/admin/resurser/disa', { title: `Ny titel ${hex()}` }), 'POST /admin/resurser/disa');
    expect303(await c.edit('/admin/texter', { tagline: `Ny slogan ${hex()}` }), 'POST /admin/texter');
    await publish(c, 'Loggtest');
    const refused = await c.post('/admin/resurser/disa', { title: 'x' }, { csrf: `${t1.slice(0, -4)}AAAA` });
    assert.equal(refused.status, 403, `POST with a wrong CSRF token: ${refused.status}`);
    // A password in a query string (a form misused as GET): the access log has the path only.
    await c.get(`${kLoginPath}?username=${kUser.name}&password=${encodeURIComponent(kUser.password)}`);
    // Credentials in headers of reader requests.
    await get(srv.baseUrl, '/', { Cookie: `${s1.name}=${s1.value}`, Authorization: `Bearer ${kBearer}` });
    await get(srv.baseUrl, `/sok?q=${encodeURIComponent(kUser.password)}`, { 'X-Csrf-Token': t1 });
    expect303(await c.post('/admin/logga-ut', {}), 'POST /admin/logga-ut');

    // A second session: new id, new token.
    const c2 = new Client(srv.baseUrl);
    await c2.loginOk(kUser);
    secrets.set('session id (2nd login)', c2.session.value);
    secrets.set('CSRF token (2nd session)', await c2.csrf());
    expect303(await c2.post('/admin/logga-ut', {}), 'POST /admin/logga-ut (2nd)');
    assert.notEqual(c2.session?.value, s1.value);

    const sentinel = `/loggtest-klar-${hex()}`;
    await get(srv.baseUrl, sentinel);
    await waitForAccess(cap, sentinel);
    const problems = [
      ...secretProblems(cap.stdout(), 'server stdout'),
      ...secretProblems(cap.stderr(), 'server stderr'),
      ...secretProblems(cliOutput, '`cyberguide user add` output'),
    ];
    // The log did see this work (otherwise the grep proves nothing).
    if (!/"msg":"login failed"/.test(cap.stdout())) problems.push('no "login failed" line in the log');
    if (!cap.stdout().includes('"path":"/admin/logga-ut"')) problems.push('no access line for /admin/logga-ut');
    fail(problems);
  });

  it('lets no user input forge a log line: CR, LF, ESC, quotes, backslashes and a fake JSON line in paths, queries, headers and form fields', async () => {
    const b = srv.baseUrl;
    const marker = `forged${hex()}`; // in every hostile input, to find the lines they reached
    const fake = kForgedLine; // a whole line with msg "forged", as an attacker would write it
    const statuses = [];
    const send = async (what, p) => { statuses.push([what, (await p).status]); };

    // Percent-encoded (as a browser or curl sends them).
    await send('fake line in path', get(b, `${kForgedPath}${marker}`));
    await send('fake line in /go/', get(b, `/go/${encodeURIComponent(fake)}${marker}`));
    await send('fake line under /admin', get(b, `/admin/${encodeURIComponent(fake)}${marker}`));
    await send('CR LF in path', get(b, `/a%0D%0A${marker}%0d%0a{"level":"error","msg":"forged"}`.replace(/[{}"]/g, encodeURIComponent)));
    await send('ESC sequences in path', get(b, `/${encodeURIComponent(kEsc)}${marker}%1b[0m`.replace(/\[/g, '%5B')));
    await send('quotes and backslashes in path', get(b, `/%22%5C%22%5Cn%5Cu001b${marker}`));
    await send('fake line in query', get(b, `/sok?q=${encodeURIComponent(fake + kEsc + marker)}`));
    await send('fake line in a /__fault query', get(b, `/__fault?x=${encodeURIComponent(fake + marker)}`));
    // Headers (node refuses raw CR/LF in them; quotes, backslashes, braces are fine).
    await send('hostile headers', request(b, '/', { headers: {
      'User-Agent': `"}{"level":"error","msg":"forged"} \\ ${marker}`,
      Referer: `http://x/"}\\{"msg":"forged"}${marker}`,
      'X-Forwarded-For': `"}{"msg":"forged"}${marker}`,
      Cookie: `cg_session="}{"msg":"forged"}${marker}`,
    } }));
    await send('hostile cookie on /admin', request(b, '/admin', { headers: { Cookie: `cg_session=\\"}{"msg":"forged"}${marker}` } }));
    // Form fields: a login whose user name is the fake line with ESC (from an address of its own,
    // so that the login throttling of this client touches no other test).
    const hostileLogin = new Client(b, { localAddress: '127.0.0.3' });
    await send('login with a hostile user name', hostileLogin.login(`${fake}${kEsc}${marker}`, `${fake}${kEsc}${marker}`));

    // Raw bytes, where the parser lets them through (it refuses CR, LF and ESC in the request line
    // and header values with 400, which must not reach the log either).
    const rawCases = [
      ['raw quotes, braces, backslashes in path', `GET /"},{"level":"error","msg":"forged"}\\\\${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
      ['raw LF in path', `GET /a\n{"level":"error","msg":"forged"}${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
      ['raw CR in path', `GET /a\r{"level":"error","msg":"forged"}${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
      ['raw ESC in path', `GET /a${kEsc}${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
      ['raw ESC in a header', `GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: ${kEsc}${marker}\r\nConnection: close\r\n\r\n`],
      ['bare LF in a header', `GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a\n{"level":"error","msg":"forged"}${marker}\r\nConnection: close\r\n\r\n`],
      ['obs-fold header', `GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n {"level":"error","msg":"forged"}${marker}\r\nConnection: close\r\n\r\n`],
      ['hostile method', `"}{"msg":"forged"} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
      ['method with ESC', `G\x1bET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
      ['hostile absolute-form target', `GET http://x"}{"msg":"forged"}/a\\"${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
    ];
    for (const [what, bytes] of rawCases) statuses.push([what, await rawSend(srv.port, bytes)]);

    const sentinel = `/loggtest-injektion-klar-${hex()}`;
    await get(b, sentinel);
    await waitForAccess(cap, sentinel);

    const problems = [];
    const lines = stdoutLines(cap);
    let reached = 0;
    for (const [i, line] of lines.entries()) {
      let o;
      try {
        o = JSON.parse(line);
      } catch (e) {
        problems.push(`stdout line ${i + 1} is not JSON (${e.message}): ${JSON.stringify(line.slice(0, 300))}`);
        continue;
      }
      if (o === null || typeof o !== 'object' || Array.isArray(o)) { problems.push(`stdout line ${i + 1} is not a JSON object: ${line.slice(0, 200)}`); continue; }
      if (o.msg === 'forged' || o.level === undefined && o.type !== 'access') problems.push(`stdout line ${i + 1} is not one of the server's (level or type access missing, or msg "forged"): ${line.slice(0, 300)}`);
      if (typeof o.ts !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(o.ts) || o.ts.startsWith('2000-')) problems.push(`stdout line ${i + 1}: ts ${JSON.stringify(o.ts)}`);
      if (line.includes('forged')) {
        reached += 1;
        // The attacker's text may only sit inside a string value of the server's own line.
        const values = Object.values(o).filter((v) => typeof v === 'string' && v.includes('forged'));
        if (values.length === 0) problems.push(`stdout line ${i + 1}: "forged" outside any string value: ${line.slice(0, 300)}`);
        if (o.type !== 'access') problems.push(`stdout line ${i + 1}: attacker text in a ${o.level} line (expected only access lines to carry it): ${line.slice(0, 300)}`);
      }
    }
    if (reached < 5) problems.push(`only ${reached} log lines carry the hostile input: the test did not reach the log (statuses ${JSON.stringify(statuses)})`);
    const all = cap.all();
    const esc = all.indexOf('\x1b');
    if (esc >= 0) problems.push(`a raw ESC byte (0x1b) in the output: …${JSON.stringify(all.slice(Math.max(0, esc - 80), esc + 40))}…`);
    const bel = all.indexOf('\x07');
    if (bel >= 0) problems.push(`a raw BEL byte (0x07, ends an OSC sequence) in the output: …${JSON.stringify(all.slice(Math.max(0, bel - 80), bel + 20))}…`);
    if (/\r/.test(cap.stdout())) problems.push('a raw CR in stdout');
    fail(problems);
  });

  it('writes no C1 control character (U+0080–U+009F, e.g. U+009B, the one-character CSI) raw into the log', async () => {
    const marker = `c1${hex()}`;
    // U+009B as UTF-8 (C2 9B) and U+0085 (NEL, a line break for some readers), raw in the path.
    const status = await rawSend(srv.port, Buffer.concat([
      Buffer.from('GET /c1-'), Buffer.from([0xc2, 0x9b]), Buffer.from('31m'), Buffer.from([0xc2, 0x85]), Buffer.from(`${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    ]));
    const sentinel = `/loggtest-c1-klar-${hex()}`;
    await get(srv.baseUrl, sentinel);
    await waitForAccess(cap, sentinel);
    const line = stdoutLines(cap).find((l) => l.includes(marker));
    // The parser may refuse the bytes (then no line carries them); a line that does must escape them.
    const problems = [];
    // eslint-disable-next-line no-control-regex
    const c1 = /[\u0080-\u009f]/.exec(cap.all());
    if (c1) problems.push(`a raw ${`U+${c1[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`} in the output (request answered ${status}): ${visible(line)}`);
    fail(problems);
  });

  it('writes only valid UTF-8 to its log, whatever bytes a request path holds', async () => {
    const marker = `utf8${hex()}`;
    const status = await rawSend(srv.port, Buffer.concat([
      Buffer.from('GET /utf8-'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(`${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    ]));
    const sentinel = `/loggtest-utf8-klar-${hex()}`;
    await get(srv.baseUrl, sentinel);
    await waitForAccess(cap, sentinel);
    // The output is decoded as UTF-8 as it arrives: an invalid sequence becomes U+FFFD.
    const line = stdoutLines(cap).find((l) => l.includes(marker));
    assert.ok(!cap.all().includes('\ufffd'), `invalid UTF-8 in the log (request answered ${status}; a JSON text must be UTF-8, RFC 8259 8.1): ${visible(line)}`);
  });

  it('answers an exception in a handler with 500: a generic Swedish page with an incident id that is also in the error line of the log, and no internals', async () => {
    const problems = [];
    const ids = [];
    for (let i = 0; i < 2; i += 1) {
      const res = await get(srv.baseUrl, '/__fault');
      const text = res.body.toString('utf8');
      if (res.status !== 500) { problems.push(`GET /__fault: status ${res.status}, expected 500 (is CYBERGUIDE_FAULT_INJECTION honoured?)`); continue; }
      if (!/^text\/html/.test(res.headers['content-type'] ?? '')) problems.push(`Content-Type ${res.headers['content-type']}`);
      if (!/<html\b[^>]*\blang="sv"/.test(text)) problems.push(`no <html lang="sv">: ${text.slice(0, 200)}`);
      if (!/Något gick fel/.test(text)) problems.push(`no Swedish "Något gick fel" on the page: ${text}`);
      const m = /Händelse-id ([0-9a-f]{16})\b/.exec(text);
      if (!m) { problems.push(`no "Händelse-id <16 hex digits>" on the page: ${text}`); continue; }
      ids.push(m[1]);
      const internals = [
        [/sqlite/i, 'the database engine'], [/\/var\/lib/, 'a server path'], [/cyberguide\.db/, 'the database file'],
        [/exception/i, '"exception"'], [/what\(\)/, 'what()'], [/runtime_error|std::|boost/i, 'C++ types'],
        [/injected|fault/i, 'the exception text'], [/\.(?:cpp|hpp|h|cc)\b/, 'a source file'],
        [/(?:^|[\s"'(>=])\/(?:var|usr|home|tmp|etc|opt|srv|root|proc|work|build|src)\//, 'a file path'],
        [/\bat [^\s<]+:\d+|#\d+\s+0x[0-9a-f]+|0x[0-9a-f]{8,}|backtrace|stack/i, 'a stack trace'],
      ];
      for (const [re, what] of internals) if (re.test(text)) problems.push(`the 500 page shows ${what} (${re}): ${text}`);
      for (const [k, v] of Object.entries(res.headers)) {
        if (/sqlite|\/var\/lib|injected|exception/i.test(String(v))) problems.push(`header ${k}: ${v} shows internals`);
      }
    }
    if (ids.length === 2 && ids[0] === ids[1]) problems.push(`two failures got the same incident id ${ids[0]}`);
    // Each id is in one error line of the log, with the path and the exception (for operators).
    for (const id of ids) {
      const found = await poll(() => stdoutLines(cap).some((l) => l.includes(id)), { timeoutMs: 3000, intervalMs: 50 });
      const lines = stdoutLines(cap).filter((l) => l.includes(id)).map((l) => JSON.parse(l));
      if (!found || lines.length !== 1) { problems.push(`incident ${id}: ${lines.length} log lines, expected 1`); continue; }
      const [o] = lines;
      if (o.level !== 'error') problems.push(`incident ${id}: level ${o.level}, expected error`);
      if (o.incident !== id) problems.push(`incident ${id}: field "incident" is ${JSON.stringify(o.incident)}`);
      if (o.path !== '/__fault') problems.push(`incident ${id}: path ${JSON.stringify(o.path)}`);
      if (!/sqlite3_step failed/.test(o.error ?? '')) problems.push(`incident ${id}: the log line lacks the error itself: ${JSON.stringify(o)}`);
    }
    fail(problems);
  });

  it('holds no secret in its whole output after a clean shutdown either', async () => {
    assert.ok(secrets.size >= 10, 'the first test recorded no secrets');
    const r = await srv.stop();
    assert.equal(r.code, 0, `exit after SIGTERM: ${JSON.stringify(r)}`);
    fail([...secretProblems(cap.stdout(), 'server stdout'), ...secretProblems(cap.stderr(), 'server stderr')]);
    assert.match(cap.stdout(), /"msg":"stopped"/, 'no "stopped" line: the output is not whole');
  });
});
