// Black-box test of the data directory failing under a running server: the disk filling up (a small
// tmpfs as data directory, filled with a filler file) and the database files becoming unwritable
// (`chattr +i` on the database and its WAL). In both cases:
//   - editor writes (a draft save, a publish, discarding the draft) are refused with a Swedish page
//     that says the change was not saved, with no internals (never a 500, never an SQLite message);
//   - nothing is half-written: once the files are writable again the published guide, the draft,
//     the revisions and the audit log are exactly what they were, and the database is sound;
//   - readers keep getting the same pages, search answers and /go/ redirects throughout;
//   - clicks made meanwhile are kept and reach the database once, after the space/permission is back,
//     without a restart, and editing works again on the same session.
// Meanwhile /healthz says "counts not written" and the editor area's read pages are served (a session
// whose "last seen" is due included); what a new login gets is recorded as a diagnostic.
// And the disk filling up in the middle of one editor action: with the free space scanned page by
// page around what a draft save and a publish write, each is either stored, audited and acknowledged
// (303) or refused and absent — never stored but reported as failed.
//
// Needs root (mount, chattr); CI runs as root. Every mount is unmounted and every immutable flag
// cleared in after(), also when a test fails.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, repoRoot } from './server.mjs';
import {
  Client, addUser, kEditor, publish, expect303, poll, sleep, sqlite, dbFingerprint, fingerprintDiff,
  withChanges, visibleText, waitPublic,
} from './admin.mjs';
import { request } from './http.mjs';

const kBrowser = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const kSlug = 'disa';
const kReaderPages = ['/', `/resurser/${kSlug}`, '/sok?q=disa', '/sok?q=incident'];
const kClicksWhileBroken = 7;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Unmounts `dir`, retrying while it is busy (a server just stopped); lazily as a last resort. */
async function unmount(dir) {
  for (let i = 0; i < 20; i += 1) {
    if (spawnSync('umount', [dir]).status === 0) return;
    await sleep(100);
  }
  run('umount', ['-l', dir]);
}

function isMountPoint(dir) {
  return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir);
}

/**
 * A parent directory where `chattr +i` makes writes through an already open descriptor fail (ext4,
 * xfs, btrfs: yes; tmpfs accepts the flag but keeps such writes working), or null.
 */
function immutableCapableDir() {
  if (!isRoot) return null;
  for (const parent of [os.tmpdir(), '/var/tmp', path.join(repoRoot, 'build')]) {
    let dir;
    let fd;
    let file;
    try {
      dir = fs.mkdtempSync(path.join(parent, 'cg-chattr-probe-'));
      file = path.join(dir, 'f');
      fs.writeFileSync(file, 'x');
      fd = fs.openSync(file, 'r+');
      if (spawnSync('chattr', ['+i', file]).status !== 0) continue;
      try {
        fs.writeSync(fd, 'y', 0);
      } catch (e) {
        if (e.code === 'EPERM' || e.code === 'EACCES' || e.code === 'EROFS') return parent;
      }
    } catch {
      // not usable
    } finally {
      if (file) spawnSync('chattr', ['-i', file]);
      if (fd !== undefined) fs.closeSync(fd);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return null;
}

/**
 * Fills the file system of `dir` with one file until ENOSPC, then gives back `leavePages` pages of
 * 4 KiB (tmpfs allocates whole pages); returns the file's path.
 */
function fill(dir, leavePages = 0) {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const buf = Buffer.alloc(size, 0x5a);
      try {
        for (;;) fs.writeSync(fd, buf);
      } catch (e) {
        if (e.code !== 'ENOSPC') throw e;
      }
    }
    if (leavePages > 0) fs.ftruncateSync(fd, Math.max(0, fs.fstatSync(fd).size - leavePages * 4096));
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Checkpoints and truncates the WAL (a server may be running), so that every write needs new blocks. */
async function truncateWal(dbPath) {
  let res;
  const done = await poll(() => (res = sqlite(dbPath, 'PRAGMA wal_checkpoint(TRUNCATE);').trim()).startsWith('0|'), { timeoutMs: 5000 });
  assert.ok(done, `PRAGMA wal_checkpoint(TRUNCATE): ${res}`);
}

function clicksOf(dbPath, slug) {
  return Number(sqlite(dbPath, `SELECT coalesce(sum(c.count), 0) FROM link_clicks c JOIN resources r ON r.id = c.resource_id WHERE r.slug = '${slug}'`).trim());
}

function auditCount(dbPath) {
  return Number(sqlite(dbPath, 'SELECT count(*) FROM audit_log').trim());
}

function oneLine(html) {
  return visibleText(html).replace(/\s+/g, ' ').trim();
}

/** The visible text of a page's <main> (the whole page without one), on one line. */
function mainText(html) {
  return oneLine(/<main\b[^>]*>([\s\S]*?)<\/main>/i.exec(html)?.[1] ?? html);
}

/**
 * A refused editor write: a Swedish HTML page (503 "try again later", or 507), never a 500 or a
 * redirect, saying that the change was not saved, with nothing technical in it.
 */
function assertRefused(res, what) {
  const text = oneLine(res.text);
  assert.equal(res.status, 503, `${what}: ${res.status}, expected 503 with a Swedish page\n${text.slice(0, 400)}`);
  assert.equal(res.headers['cache-control'], 'no-store', `${what}: Cache-Control`);
  assert.ok(Number(res.headers['retry-after']) > 0, `${what}: no Retry-After`);
  assert.match(res.text, /<h1>Ändringen sparades inte<\/h1>/, `${what}: not the page for a refused write: ${text.slice(0, 400)}`);
  assert.match(res.headers['content-type'] ?? '', /^text\/html/, `${what}: Content-Type`);
  assert.match(res.text, /<html[^>]*\blang="sv"/, `${what}: not a Swedish page`);
  assert.match(text, /inte sparades|sparades inte|inte sparats|har inte sparats|inte sparad/i,
    `${what}: the page does not say that the change was not saved: ${text.slice(0, 400)}`);
  assert.doesNotMatch(res.text, /SQLite|sqlite3?_|disk I\/O|database or disk|disk is full|read-?only|store_error|errno|ENOSPC|EPERM|EROFS|exception|what\(\)|\berror\b|\bfailed\b/i,
    `${what}: technical or English text in the page: ${text.slice(0, 400)}`);
}

/**
 * The whole scenario on a running server. `breakIt()` makes the data directory unwritable,
 * `repairIt()` makes it writable again; `srv` is what startServer() returned.
 */
function outageTests(name, ctx) {
  const readerBefore = new Map();
  const state = {};
  let anna; // the editor, logged in before the outage (a fresh session: not touched during it)
  let aged; // a second session of the editor whose last_seen_at is old (its next request touches it)

  it(`${name}: before the outage an edit and a publish work, and a draft is saved`, async () => {
    const { srv } = ctx;
    anna = new Client(srv.baseUrl);
    await anna.loginOk(kEditor);
    state.publishedTitle = `Disa publicerad före (${name})`;
    state.draftTitle = `Disa utkast före (${name})`;
    state.brokenTitle = `Disa skriven under avbrottet (${name})`;
    expect303(await anna.edit(`/admin/resurser/${kSlug}`, { title: state.publishedTitle }), `POST /admin/resurser/${kSlug}`);
    await publish(anna, 'Före avbrottet');
    const shown = await waitPublic(srv.baseUrl, `/resurser/${kSlug}`, (t) => t.includes(state.publishedTitle), 10000);
    assert.ok(shown.ok, `the published title is not on /resurser/${kSlug} within 10 s`);
    expect303(await anna.edit(`/admin/resurser/${kSlug}`, { title: state.draftTitle }), `POST /admin/resurser/${kSlug} (draft)`);

    aged = new Client(srv.baseUrl);
    await aged.loginOk(kEditor);
    const hash = createHash('sha256').update(aged.session.value).digest('hex');
    const changed = sqlite(srv.dbPath, `UPDATE sessions SET last_seen_at = last_seen_at - 120 WHERE id_hash = '${hash}'; SELECT changes();`).trim();
    assert.equal(changed, '1', 'the second session is not in the sessions table under the SHA-256 of its cookie');

    // The forms the editor has open when the outage starts (fetched now: the writes are what we test).
    state.editForm = await anna.form(`/admin/resurser/${kSlug}`);
    state.publishForm = await anna.form('/admin/utkast', '/admin/publicera');
    state.discardForm = await anna.form('/admin/utkast', '/admin/utkast/kasta');
    state.draftPage = oneLine((await anna.get('/admin/utkast')).text);
    assert.match(state.draftPage, new RegExp(state.draftTitle.replace(/[()]/g, '\\$&')), 'the draft page does not show the draft');

    // Every count made so far is written, so that what arrives later is the outage's clicks only.
    await sleep(500);
    state.clicksBefore = clicksOf(srv.dbPath, kSlug);
    state.fingerprint = dbFingerprint(srv.dbPath);
    state.audit = auditCount(srv.dbPath);
    for (const p of kReaderPages) {
      const res = await request(srv.baseUrl, p);
      assert.equal(res.status, 200, `GET ${p}`);
      readerBefore.set(p, res.body.toString('utf8'));
    }
    const head = await request(srv.baseUrl, `/go/${kSlug}`, { method: 'HEAD', headers: { 'User-Agent': kBrowser } });
    assert.equal(head.status, 302);
    state.goLocation = head.headers.location;
    state.healthBefore = (await request(srv.baseUrl, '/healthz')).body.toString();
    assert.equal(state.healthBefore, 'ok\n');
  });

  it(`${name}: during the outage readers get the same pages and redirects; editor writes are refused in Swedish; clicks are kept`, async (t) => {
    const { srv } = ctx;
    await ctx.breakIt(t);

    for (const p of kReaderPages) {
      const res = await request(srv.baseUrl, p);
      assert.equal(res.status, 200, `GET ${p} during the outage`);
      assert.equal(res.body.toString('utf8'), readerBefore.get(p), `GET ${p} during the outage: not the page served before`);
    }
    for (let i = 0; i < kClicksWhileBroken; i += 1) {
      const res = await request(srv.baseUrl, `/go/${kSlug}`, { headers: { 'User-Agent': kBrowser } });
      assert.equal(res.status, 302, `GET /go/${kSlug} during the outage`);
      assert.equal(res.headers.location, state.goLocation);
    }

    const edit = await anna.post(state.editForm.target, withChanges(state.editForm.fields, { title: state.brokenTitle }));
    assertRefused(edit, `POST ${state.editForm.target} (draft save) during the outage`);
    const pub = await anna.post(state.publishForm.target, withChanges(state.publishForm.fields, { message: 'Under avbrottet' }));
    assertRefused(pub, 'POST /admin/publicera during the outage');
    const discard = await anna.post(state.discardForm.target, state.discardForm.fields);
    assertRefused(discard, 'POST /admin/utkast/kasta during the outage');

    // The count writer has tried (and failed) at least once while the outage lasted; nothing arrived.
    const tried = await poll(() => /writing counts failed/.test(srv.output()), { timeoutMs: 3000 });
    assert.ok(tried, `no failed count write logged during the outage\n${srv.output()}`);
    for (const p of kReaderPages) assert.equal((await request(srv.baseUrl, p)).status, 200, `GET ${p} during the outage (again)`);

    // Monitoring hears that counts are not being written (pages are still served: 200).
    const health = await request(srv.baseUrl, '/healthz');
    state.healthDuring = `${health.status} ${JSON.stringify(health.body.toString())}`;
    t.diagnostic(`/healthz during the outage: ${state.healthDuring}`);
    assert.equal(health.status, 200);
    assert.equal(health.body.toString(), 'ok\ncounts not written\n');
    // The editor's read pages need no write: served, also for a session whose "last seen" is due.
    const overview = await anna.get('/admin');
    t.diagnostic(`GET /admin (fresh session) during the outage: ${overview.status}`);
    assert.equal(overview.status, 200, 'GET /admin during the outage');
    const agedOverview = await aged.get('/admin');
    t.diagnostic(`GET /admin (session last seen 2 min ago: its touch is a write) during the outage: ${agedOverview.status} ${mainText(agedOverview.text).slice(0, 90)}`);
    assert.equal(agedOverview.status, 200, 'GET /admin with an old session during the outage');
    const login = await new Client(srv.baseUrl, { localAddress: '127.0.0.21' }).login(kEditor.name, kEditor.password);
    t.diagnostic(`login during the outage: ${login.status} ${login.rawLocation ?? mainText(login.text).slice(0, 90)}`);
    assert.notEqual(login.status, 500, 'login during the outage: 500');
    if (login.status !== 303) assert.match(login.text, /<html[^>]*\blang="sv"/, 'login during the outage: not a Swedish page');

    // Read while still broken (the sqlite3 shell only reads): the clicks are not in the database yet.
    if (ctx.canReadWhileBroken) {
      assert.equal(clicksOf(srv.dbPath, kSlug), state.clicksBefore, 'clicks reached the database while it could not be written?');
    }
  });

  it(`${name}: once writable again, nothing is half-written, the clicks arrive once, and editing works without a restart`, async (t) => {
    const { srv } = ctx;
    await ctx.repairIt(t);

    const want = state.clicksBefore + kClicksWhileBroken;
    let got;
    const arrived = await poll(() => (got = clicksOf(srv.dbPath, kSlug)) >= want, { timeoutMs: 8000, intervalMs: 200 });
    assert.ok(arrived, `the ${kClicksWhileBroken} clicks made during the outage are not in the database within 8 s (${got - state.clicksBefore} arrived)\n${srv.output()}`);
    await sleep(600); // a few more flushes: a count written twice would show now
    assert.equal(clicksOf(srv.dbPath, kSlug), want, 'clicks made during the outage counted more than once');

    assert.equal(sqlite(srv.dbPath, 'PRAGMA integrity_check').trim(), 'ok');
    const fp = dbFingerprint(srv.dbPath);
    assert.ok(fp === state.fingerprint, `the stored guide, draft, revisions or accounts changed through refused writes:\n${fingerprintDiff(state.fingerprint, fp)}`);
    assert.equal(auditCount(srv.dbPath), state.audit, 'the audit log records something that was refused');
    assert.equal(oneLine((await anna.get('/admin/utkast')).text), state.draftPage, 'the draft page is not what it was before the outage');
    for (const p of kReaderPages) {
      const res = await request(srv.baseUrl, p);
      assert.equal(res.status, 200, `GET ${p} after the outage`);
      assert.equal(res.body.toString('utf8'), readerBefore.get(p), `GET ${p} after the outage: not the page served before`);
    }

    const healthy = await poll(async () => (await request(srv.baseUrl, '/healthz')).body.toString() === 'ok\n', { timeoutMs: 5000 });
    assert.ok(healthy, '/healthz is not plain "ok" after the outage');

    // The same session edits and publishes again; readers get it.
    const title = `Disa efter avbrottet (${name})`;
    expect303(await anna.edit(`/admin/resurser/${kSlug}`, { title }), `POST /admin/resurser/${kSlug} after the outage`);
    await publish(anna, 'Efter avbrottet');
    const shown = await waitPublic(srv.baseUrl, `/resurser/${kSlug}`, (x) => x.includes(title), 10000);
    assert.ok(shown.ok, `the title published after the outage is not on /resurser/${kSlug} within 10 s`);
    t.diagnostic(`/healthz during the outage was ${state.healthDuring}`);
  });
}

// ---------------------------------------------------------------------------------------------

describe('disk full: the data directory on a small tmpfs fills up', { skip: isRoot ? false : 'needs root (mount -t tmpfs)', timeout: 120000 }, () => {
  const kSize = 16 * 1024 * 1024;
  const ctx = { canReadWhileBroken: true };
  let mnt;
  let mounted = false;
  let filler;

  before(async () => {
    mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-diskfull-'));
    run('mount', ['-t', 'tmpfs', '-o', `size=${kSize},mode=0700`, 'tmpfs', mnt]);
    mounted = true;
    // Should the process end without running after() (an uncaught error): server.mjs kills the
    // server in its own exit handler, registered first; this one then unmounts.
    process.on('exit', () => {
      if (mounted) spawnSync('umount', ['-l', mnt]);
    });
    addUser(mnt, kEditor); // creates the database; serve fills it with the content pack
    ctx.srv = await startServer({ dataDir: mnt, flushIntervalMs: 200, extraArgs: ['--poll-interval-ms', '200'] });
    const st = fs.statfsSync(mnt);
    const used = (st.blocks - st.bfree) * st.bsize;
    // The database after startup must fit with room to spare, else the test measures nothing.
    assert.ok(used < kSize / 4, `the data directory uses ${used} bytes after startup: too much for a ${kSize}-byte tmpfs`);
  });

  after(async () => {
    try {
      if (ctx.srv) {
        const exit = await ctx.srv.stop();
        if (exit.code !== 0) console.error(`server exit ${JSON.stringify(exit)}\n${ctx.srv.output()}`);
      }
    } finally {
      if (mounted) await unmount(mnt);
      mounted = false;
      if (mnt && !isMountPoint(mnt)) fs.rmSync(mnt, { recursive: true, force: true });
    }
  });

  ctx.breakIt = async (t) => {
    const { srv } = ctx;
    // Empty the WAL first: a checkpointed WAL is rewritten from its start in blocks the file already
    // owns, so a write could still succeed on a full disk; truncated, any write needs a new block.
    await truncateWal(srv.dbPath);
    const st0 = fs.statfsSync(mnt);
    t.diagnostic(`data directory before filling: ${(st0.blocks - st0.bfree) * st0.bsize} bytes used of ${st0.blocks * st0.bsize}; ${fs.readdirSync(mnt).map((f) => `${f} ${fs.statSync(path.join(mnt, f)).size}`).join(', ')}`);
    filler = fill(mnt);
    const st = fs.statfsSync(mnt);
    assert.equal(st.bavail, 0, 'the tmpfs is not full after filling');
  };
  ctx.repairIt = async () => {
    fs.rmSync(filler, { force: true });
    assert.ok(fs.statfsSync(mnt).bavail > 0);
  };

  outageTests('disk full', ctx);

  // The disk can also fill up in the middle of what one editor action writes. Scanning the free space
  // page by page around the size of the action's writes: at every point the action is either done
  // whole and acknowledged (303, audited) or refused and absent — never done but reported as failed
  // (the editor would redo it) or done without its audit entry.
  it('disk full at every point of an action: a draft save and a publish are whole and acknowledged, or refused and absent', async (t) => {
    const { srv } = ctx;
    const anna = new Client(srv.baseUrl);
    await anna.loginOk(kEditor);
    const walPath = `${srv.dbPath}-wal`;
    const draftRow = () => sqlite(srv.dbPath, "SELECT updated_at || ' ' || updated_by || ' ' || document FROM draft");
    const revisionCount = () => Number(sqlite(srv.dbPath, 'SELECT count(*) FROM revisions').trim());
    const settle = async () => { await sleep(300); await truncateWal(srv.dbPath); }; // pending counts written first

    const problems = [];
    const scan = async (what, measure, attempt) => {
      await settle();
      expect303(await measure(), `${what} (measuring its writes)`);
      const pages = Math.ceil(fs.statSync(walPath).size / 4096);
      const outcomes = [];
      for (let leave = Math.max(0, pages - 4); leave <= pages + 12; leave += 1) {
        const { res, done, audited } = await attempt(leave);
        outcomes.push(`${leave} pages free: ${res.status}${done ? ' stored' : ''}${audited ? ' audited' : ''}`);
        if (res.status === 303) {
          if (!done || !audited) problems.push(`${what} with ${leave} pages free: 303 but ${done ? 'not audited' : 'not stored'}`);
          t.diagnostic(`${what} (writes ${pages} pages of WAL): ${outcomes.join('; ')}`);
          return;
        }
        assertRefused(res, `${what} with ${leave} pages free`);
        if (done) {
          problems.push(`${what} with ${leave} pages free: answered ${res.status} "${mainText(res.text).slice(0, 260)}" although the change WAS stored${audited ? '' : ' (and the audit log lacks it)'}`);
        } else if (audited) {
          problems.push(`${what} with ${leave} pages free: refused and not stored, but audited`);
        }
      }
      problems.push(`${what} never succeeded with up to ${pages + 12} pages free: ${outcomes.join('; ')}`);
    };

    const withFull = async (leave, fn) => {
      await settle();
      const file = fill(path.dirname(srv.dbPath), leave);
      try {
        return await fn();
      } finally {
        fs.rmSync(file, { force: true });
      }
    };

    // Titles of a new length each time: an update of the draft with a value of the same length is
    // written in place (a few pages), one of another length rewrites the whole document.
    let n = 0;
    const title = () => `Disa gränsfall ${'x'.repeat((n += 1))}`;
    expect303(await anna.edit(`/admin/resurser/${kSlug}`, { title: title() }), 'a draft to update');
    await scan('a draft save', () => anna.edit(`/admin/resurser/${kSlug}`, { title: title() }), async (leave) => {
      const form = await anna.form(`/admin/resurser/${kSlug}`);
      const before = draftRow();
      const audit = auditCount(srv.dbPath);
      const res = await withFull(leave, () => anna.post(form.target, withChanges(form.fields, { title: title() })));
      return { res, done: draftRow() !== before, audited: auditCount(srv.dbPath) > audit };
    });

    await scan('a publish', () => publish(anna, 'Gränsfall mätning').then((x) => x.res), async (leave) => {
      if (draftRow().trim() === '') expect303(await anna.edit(`/admin/resurser/${kSlug}`, { title: title() }), 'a draft to publish');
      const form = await anna.form('/admin/utkast', '/admin/publicera');
      const revisions = revisionCount();
      const audit = auditCount(srv.dbPath);
      const res = await withFull(leave, () => anna.post(form.target, withChanges(form.fields, { message: `Gränsfall ${leave}` })));
      return { res, done: revisionCount() > revisions, audited: auditCount(srv.dbPath) > audit };
    });
    assert.equal(sqlite(srv.dbPath, 'PRAGMA integrity_check').trim(), 'ok');
    assert.deepEqual(problems, [], `half-written editor actions on a full disk:\n  ${problems.join('\n  ')}`);
  });
});

// ---------------------------------------------------------------------------------------------

// Root ignores permission bits, and a file system that has files open for writing cannot be
// remounted read-only (EBUSY), so the database is made unwritable with the immutable attribute on
// a file system that enforces it on open descriptors (not tmpfs). The -shm file is left alone: it is
// memory-mapped, and a write fault on an immutable mapping can kill the process with SIGBUS (ext4),
// which is not what a read-only database does.
const roParent = immutableCapableDir();

describe('read-only database: the database file and its WAL become unwritable', {
  skip: !isRoot ? 'needs root (chattr)' : roParent ? false : 'no file system here enforces chattr +i on open files (tmpfs does not)',
  timeout: 120000,
}, () => {
  const ctx = { canReadWhileBroken: false };
  let dir;
  let files = [];

  const clearImmutable = () => {
    for (const f of files) if (fs.existsSync(f)) spawnSync('chattr', ['-i', f]);
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(roParent, 'cg-readonly-'));
    process.on('exit', clearImmutable); // an immutable file would outlive the test and resist removal
    addUser(dir, kEditor);
    ctx.srv = await startServer({ dataDir: dir, flushIntervalMs: 200, extraArgs: ['--poll-interval-ms', '200'] });
  });

  after(async () => {
    try {
      clearImmutable();
      if (ctx.srv) {
        const exit = await ctx.srv.stop();
        if (exit.code !== 0) console.error(`server exit ${JSON.stringify(exit)}\n${ctx.srv.output()}`);
      }
    } finally {
      clearImmutable();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  ctx.breakIt = async () => {
    files = ['cyberguide.db', 'cyberguide.db-wal'].map((f) => path.join(dir, f));
    for (const f of files) assert.ok(fs.existsSync(f), `${f} does not exist while the server runs`);
    run('chattr', ['+i', ...files]);
    for (const f of files) assert.match(run('lsattr', [f]), /^\S*i/, `${f} is not immutable`);
  };
  ctx.repairIt = async () => {
    run('chattr', ['-i', ...files]);
  };

  outageTests('read-only', ctx);
});
