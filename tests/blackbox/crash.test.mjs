// Crash safety: the server is killed with SIGKILL at a random moment while an editor publishes, while
// other editor writes are saved and while readers flood /go/{slug} with counted clicks; after every
// kill the database must be sound and hold every state that was acknowledged:
//
//   - `PRAGMA integrity_check` answers exactly `ok` (and `PRAGMA foreign_key_check` nothing);
//   - the published guide (the published tables, as `cyberguide content export` writes them) is, file
//     for file, the document of the newest revision, and that revision is the last publish answered
//     303 or the one publish in flight at the kill: never a mixture (each publish changes the titles
//     of two resources at once, and both must come from the same publish, in the revision, in the
//     tables and on the pages the restarted server serves);
//   - every revision whose publish was answered 303 is stored with what was published;
//   - every editor write answered 303 is in the guide being edited (the draft, or the published guide
//     when a later publish took the draft), or else the one write in flight to the same field;
//   - clicks: the count stored after the kill is at least the clicks answered up to one flush window
//     (the flush interval plus a margin, CYBERGUIDE_CRASH_MARGIN_MS) before the kill, and at most the
//     clicks sent (answered or in flight);
//   - the restarted server serves that state: the reader pages show the published titles and start
//     text, the editor forms show the draft's values, and the editor's session (stored) still works.
//
// One data directory for the whole run; the server is restarted on it for each iteration.
// CYBERGUIDE_CRASH_ITERATIONS (default 20; `make test-long`: 1000), CYBERGUIDE_CRASH_SEED (to replay
// the same kill delays and pauses), CYBERGUIDE_CRASH_MARGIN_MS (default 700).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer } from './server.mjs';
import { loadContent, parseSimpleToml } from './content.mjs';
import { Client, cli, addUser, kEditor, withChanges, fieldValue, visibleText, tmpDir, listFiles, sleep } from './admin.mjs';

const kIterations = Math.max(1, Number(process.env.CYBERGUIDE_CRASH_ITERATIONS || 20));
const kSeed = process.env.CYBERGUIDE_CRASH_SEED ? Number(process.env.CYBERGUIDE_CRASH_SEED) >>> 0 : ((Date.now() ^ (process.pid << 16)) >>> 0);
const kFlushMs = 100; // --flush-interval-ms: how often the clicks are written
const kMarginMs = Number(process.env.CYBERGUIDE_CRASH_MARGIN_MS || 700); // a write waiting for a publish's transaction or a WAL checkpoint's fsync, scheduling on a busy machine
const kWindowMs = kFlushMs + kMarginMs;
const kKillAfterMs = [50, 1200]; // the kill comes this long after the load starts (uniform)
const kAfterPublishShare = 0.2; // the share of iterations killed after the first acknowledged publish (under load a publish takes 1–3 s with ASan)…
const kAfterPublishMaxMs = 1000; // …0…this later
const kConnections = 2; // keep-alive connections flooding /go/{slug}
const kWriterPauseMs = 120; // an editor writer waits 0…this between its writes (so that publishes get through)
const kPublisherDelayMs = 600; // the publisher starts its first publish 0…this after the load starts
const kReviewHoldMs = 30; // the other editors wait this long after the publish was posted (so that it is taken first)
const kPublishAttempts = 20; // a publish refused with 409 (the draft changed since it was reviewed) is reviewed and tried again
const kBrowser = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

const content = loadContent();
// A and B: retitled together by every publish; C: retitled by another editor; D: the flooded link.
const [resA, resB, resC, resD] = content.resources;
const kSlugs = { A: resA.slug, B: resB.slug, C: resC.slug };

/** A small seeded generator (mulberry32), so that a failing run can be replayed with its seed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One statement through the sqlite3 shell; with json, the rows as objects. */
function sql(dbPath, statement, { json = false } = {}) {
  const args = ['-cmd', '.timeout 10000', '-batch', '-bail', ...(json ? ['-json'] : []), dbPath, statement];
  const r = spawnSync('sqlite3', args, { encoding: 'utf8', timeout: 60000, maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`sqlite3 ${dbPath} ${JSON.stringify(statement)}: exit ${r.status}: ${r.stderr}`);
  if (!json) return r.stdout.replace(/\n$/, '');
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

/** A top-level string of a TOML file of the stored guide (one-line or multi-line). */
function tomlString(text, key) {
  if (typeof text !== 'string') return undefined;
  const v = parseSimpleToml(text).top[key];
  if (typeof v === 'string') return v;
  const m = new RegExp(`^${key}\\s*=\\s*("""|''')\\n?([\\s\\S]*?)\\1`, 'm').exec(text);
  return m ? m[2] : undefined;
}

/** What the test writes, read from a stored guide (the files of a revision or draft document). */
const kRead = {
  A: (files) => tomlString(files[`resources/${kSlugs.A}.toml`], 'title'),
  B: (files) => tomlString(files[`resources/${kSlugs.B}.toml`], 'title'),
  C: (files) => tomlString(files[`resources/${kSlugs.C}.toml`], 'title'),
  intro: (files) => tomlString(files['site.toml'], 'start_intro'),
};
const kWriteKeys = Object.keys(kRead);

const publishTitle = (marker, which) => `Krasch ${marker} publicering ${which}`;

function h1(html) {
  return visibleText(/<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1] ?? '').replace(/\s+/g, ' ').trim();
}
const oneLine = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const show = (v) => (v === undefined ? '(none)' : JSON.stringify(v.length > 90 ? `${v.slice(0, 90)}…` : v));

/** One GET of /go/{slug} on a kept-alive connection; resolves with the status once the answer has ended. */
function click(agent, port, slug) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/go/${slug}`, agent, headers: { 'User-Agent': kBrowser }, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout after 10000 ms')));
    req.on('error', reject);
  });
}

describe('crash safety: SIGKILL during publishes, editor writes and counted clicks', { timeout: 120000 + kIterations * 20000 }, () => {
  const work = tmpDir('cyberguide-crash-');
  const dataDir = path.join(work, 'data');
  const dbPath = path.join(dataDir, 'cyberguide.db');
  let srv = null;
  let keep = true; // the data directory stays unless the test passes

  after(async () => {
    if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) {
      srv.proc.kill('SIGKILL');
      await srv.exited;
    }
    if (keep) console.log(`# crash test: the data directory is kept in ${dataDir}`);
    else fs.rmSync(work, { recursive: true, force: true });
  });

  it(`keeps every acknowledged state over ${kIterations} kills (seed ${kSeed})`, async (t) => {
    assert.ok(resA && resB && resC && resD, 'the content needs at least four resources');
    // Two generators: the schedule (kill moments, publisher start) is drawn in a fixed order, so a seed
    // replays it; the writers' pauses are drawn as the writers run.
    const rnd = prng(kSeed);
    const between = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
    const pauses = prng(kSeed ^ 0x9e3779b9);
    fs.mkdirSync(dataDir);
    addUser(dataDir, kEditor);
    const client = new Client('http://127.0.0.1:1');

    // Carried from one iteration to the next: what is known to be stored.
    const acked = {}; // write key -> the value the guide being edited must have (last write answered 303 or found after a kill)
    const pub = { id: 0, marker: null }; // the newest revision and the marker of its titles (null: the original titles)
    let original = null; // write key -> value in revision 1
    let expectServed = null; // what the restarted server must show
    const totals = {
      iterations: 0, publishes: 0, conflicts: 0, writes: 0, clicksSent: 0, clicksAnswered: 0, clicksCounted: 0,
      maxLost: 0, maxLossWindowMs: 0, killsInPublish: 0, killsInWrite: 0, afterPublish: 0, publishInFlightCommitted: 0, writesInFlightCommitted: 0,
    };
    const started = performance.now();
    let lastIteration = '';

    const fail = (i, srvNow, problems, extra = '') => {
      assert.fail(`iteration ${i} of ${kIterations} (seed ${kSeed}; data kept in ${dataDir}):\n  ${problems.join('\n  ')}${extra}`
        + `${srvNow ? `\nlast server output:\n${srvNow.output()}` : ''}`);
    };

    /** The served state of a freshly started server against what the last check found stored. */
    async function checkServed(i) {
      const problems = [];
      if (!expectServed) return problems;
      const checks = [];
      for (const k of ['A', 'B', 'C']) {
        checks.push(async () => {
          const res = await client.get(`/resurser/${kSlugs[k]}`);
          if (res.status !== 200) problems.push(`GET /resurser/${kSlugs[k]}: ${res.status}`);
          else if (h1(res.text) !== oneLine(expectServed[k])) problems.push(`/resurser/${kSlugs[k]} shows the title ${show(h1(res.text))}, but the newest revision (${pub.id}) has ${show(expectServed[k])}`);
        });
        checks.push(async () => {
          const { fields } = await client.form(`/admin/resurser/${kSlugs[k]}`); // throws unless 200: the stored session works
          if (fieldValue(fields, 'title') !== acked[k]) problems.push(`the edit form of ${kSlugs[k]} shows the title ${show(fieldValue(fields, 'title'))}, the stored guide being edited has ${show(acked[k])}`);
        });
      }
      checks.push(async () => {
        const res = await client.get('/');
        if (res.status !== 200) problems.push(`GET /: ${res.status}`);
        else if (/^Krasch /.test(expectServed.intro) && !visibleText(res.text).includes(expectServed.intro)) problems.push(`the start page lacks the published start text ${show(expectServed.intro)} of revision ${pub.id}`);
      });
      checks.push(async () => {
        const { fields } = await client.form('/admin/texter');
        if (fieldValue(fields, 'start_intro') !== acked.intro) problems.push(`/admin/texter shows start_intro ${show(fieldValue(fields, 'start_intro'))}, the stored guide being edited has ${show(acked.intro)}`);
      });
      await Promise.all(checks.map((c) => c().catch((e) => problems.push(e.message.split('\n').slice(0, 3).join(' | ')))));
      if (problems.length) problems.unshift(`after the restart before iteration ${i}:`);
      return problems;
    }

    for (let i = 1; i <= kIterations; i += 1) {
      const iterStart = performance.now();
      const clickBase = i === 1 ? 0 : Number(sql(dbPath, `SELECT coalesce(sum(c.count), 0) FROM link_clicks c JOIN resources r ON r.id = c.resource_id WHERE r.slug = '${resD.slug}'`));
      try {
        srv = await startServer({ dataDir, flushIntervalMs: kFlushMs });
      } catch (e) {
        fail(i, null, [`the server did not start again after the kill: ${e.message}`]);
      }
      client.baseUrl = srv.baseUrl;
      const startMs = performance.now() - iterStart;
      if (i === 1) {
        await client.loginOk(kEditor); // the session is stored: it outlives every restart (no argon2 per iteration, no login throttle)
        const [rev1] = sql(dbPath, 'SELECT id, document FROM revisions ORDER BY id LIMIT 1', { json: true });
        assert.ok(rev1, 'no revision after the first start');
        const files = JSON.parse(rev1.document);
        original = Object.fromEntries(kWriteKeys.map((k) => [k, kRead[k](files)]));
        for (const k of kWriteKeys) assert.equal(typeof original[k], 'string', `revision 1 has no ${k}`);
        Object.assign(acked, original);
        pub.id = Number(sql(dbPath, 'SELECT max(id) FROM revisions'));
        pub.marker = null;
      }
      const served = await checkServed(i);
      if (served.length) fail(i, srv, served);

      // ---- the load, until the kill ----
      const it = {
        i, stopping: false, killed: false, problems: [], inflight: {}, publishInFlight: null, publishes: [], review: null, posting: 0,
        clickTimes: [], clicksSent: 0, writes: 0, conflicts: 0,
      };
      const guard = (what, fn) => fn().catch((e) => {
        if (!it.killed) it.problems.push(`${what} before the kill: ${e.message.split('\n').slice(0, 3).join(' | ')}`);
      });
      // An editor write through the form: GET the form, POST it with the change; 303 = acknowledged.
      // While the publisher reviews the draft (from when the saves already posted are answered, through
      // GET /admin/utkast, until its POST is under way), the other editors hold their next save: else
      // nearly every publish is refused with 409 (the draft changed since it was reviewed). Their saves
      // queue behind the publish instead.
      const waitReview = async () => { while (it.review) await it.review; };
      const write = async (key, reqPath, field, value) => {
        await waitReview();
        if (it.stopping) return false;
        const { fields, target } = await client.form(reqPath);
        await waitReview();
        if (it.stopping) return false;
        it.inflight[key] = value;
        it.posting += 1;
        const res = await client.post(target, withChanges(fields, { [field]: value })).finally(() => { it.posting -= 1; });
        if (res.status !== 303) throw new Error(`POST ${target} (${field} = ${value}): ${res.status}, expected 303: ${oneLine(visibleText(res.text)).slice(0, 300)}`);
        acked[key] = value;
        delete it.inflight[key];
        it.writes += 1;
        return true;
      };
      // (a) retitles A and B with one marker, publishes, and again. The first pair of titles is saved
      // before the load starts, so that the first publish comes early (a kill lands in one often).
      for (const k of ['A', 'B']) {
        await write(k, `/admin/resurser/${kSlugs[k]}`, 'title', publishTitle(`${i}-0`, k)).catch((e) => { it.problems.push(`saving the title of ${kSlugs[k]}: ${e.message}`); });
      }
      if (it.problems.length) fail(i, srv, it.problems);
      const publisherDelay = between(0, kPublisherDelayMs);
      const afterPublish = rnd() < kAfterPublishShare;
      const delay = between(kKillAfterMs[0], kKillAfterMs[1]);
      const extra = between(0, kAfterPublishMaxMs);
      const publisher = guard('the publisher', async () => {
        await sleep(publisherDelay); // the other editors' saves run alone first (a publish holds every save until it is served)
        for (let n = 0; ; n += 1) {
          const m = `${i}-${n}`;
          if (n > 0 && !(await write('A', `/admin/resurser/${kSlugs.A}`, 'title', publishTitle(m, 'A')))) return;
          if (n > 0 && !(await write('B', `/admin/resurser/${kSlugs.B}`, 'title', publishTitle(m, 'B')))) return;
          for (let attempt = 1; ; attempt += 1) {
            if (it.stopping) return;
            let open;
            const review = new Promise((r) => { open = r; });
            const endReview = () => { if (it.review === review) it.review = null; open(); };
            it.review = review;
            let res;
            let target = '/admin/publicera';
            try {
              while (it.posting > 0 && !it.stopping) await sleep(2); // saves already posted are taken before the review
              if (it.stopping) return;
              const form = await client.form('/admin/utkast', '/admin/publicera');
              target = form.target;
              const { fields } = form;
              if (it.stopping) return;
              it.publishInFlight = m;
              const posting = client.post(target, withChanges(fields, { message: `Krasch ${m}` }));
              setTimeout(endReview, kReviewHoldMs);
              res = await posting;
            } finally {
              endReview();
            }
            if (res.status === 409 && attempt < kPublishAttempts) { it.publishInFlight = null; it.conflicts += 1; continue; }
            const id = /^\/admin\/historik\/(\d+)(?:\?.*)?$/.exec(res.location ?? '')?.[1];
            if (res.status !== 303 || !id) throw new Error(`POST ${target} (attempt ${attempt}): ${res.status} to ${res.rawLocation}, expected 303 to /admin/historik/{id}: ${oneLine(visibleText(res.text)).slice(0, 300)}`);
            it.publishes.push({ id: Number(id), marker: m });
            it.publishInFlight = null;
            break;
          }
        }
      });
      // (b) two other editors: the title of C, the start page's text; each write waits for its answer.
      const writer = (key, reqPath, field, fmt) => guard(`the writer of ${key}`, async () => {
        for (let n = 1; ; n += 1) {
          if (!(await write(key, reqPath, field, fmt(`${i}-${n}`)))) return;
          await sleep(Math.floor(pauses() * (kWriterPauseMs + 1)));
        }
      });
      const writers = [
        writer('C', `/admin/resurser/${kSlugs.C}`, 'title', (m) => `Krasch ${m} skrivning`),
        writer('intro', '/admin/texter', 'start_intro', (m) => `Krasch ${m} startsida`),
      ];
      // (c) readers following the link to D on kept-alive connections.
      const agent = new http.Agent({ keepAlive: true, maxSockets: kConnections });
      const floods = Array.from({ length: kConnections }, () => guard('a click', async () => {
        while (!it.stopping) {
          it.clicksSent += 1;
          const r = await click(agent, srv.port, resD.slug);
          if (r.status !== 302 || r.location !== resD.url) throw new Error(`GET /go/${resD.slug}: ${r.status} to ${r.location}, expected 302 to ${resD.url}`);
          it.clickTimes.push(performance.now());
        }
      }));

      // Mostly a kill at a random moment of the load; in some iterations a random moment after the
      // first publish was answered (a publish under load takes longer than most kill delays).
      let killWhen;
      if (afterPublish) {
        const t0 = performance.now();
        while (it.publishes.length === 0 && it.problems.length === 0 && performance.now() - t0 < 30000) await sleep(10);
        if (it.publishes.length === 0 && it.problems.length === 0) it.problems.push(`no publish was answered within 30 s of the load's start`);
        await sleep(extra);
        killWhen = `${extra} ms after the first publish was answered (${(performance.now() - t0).toFixed(0)} ms into the load)`;
      } else {
        await sleep(delay);
        killWhen = `after ${delay} ms`;
      }
      it.stopping = true;
      it.killed = true;
      const killT = performance.now();
      const loadMs = killT - iterStart - startMs;
      srv.proc.kill('SIGKILL');
      const exit = await srv.exited;
      await Promise.all([publisher, ...writers, ...floods]);
      agent.destroy();
      const problems = [...it.problems];
      if (exit.signal !== 'SIGKILL') problems.push(`the server ended with ${JSON.stringify(exit)} before the kill`);
      const publishInFlight = it.publishInFlight;
      const writesInFlight = Object.keys(it.inflight);
      if (publishInFlight) totals.killsInPublish += 1;
      if (writesInFlight.length) totals.killsInWrite += 1;

      // ---- after the kill: the database as the next start will find it ----
      const integrity = sql(dbPath, 'PRAGMA integrity_check');
      if (integrity !== 'ok') problems.push(`PRAGMA integrity_check: ${JSON.stringify(integrity.slice(0, 2000))}, expected "ok"`);
      const fk = sql(dbPath, 'PRAGMA foreign_key_check');
      if (fk !== '') problems.push(`PRAGMA foreign_key_check: ${JSON.stringify(fk.slice(0, 2000))}, expected nothing`);
      if (problems.length) fail(i, srv, problems);

      // The published guide: the newest revision, the last acknowledged publish or the one in flight.
      const maxId = Number(sql(dbPath, 'SELECT coalesce(max(id), 0) FROM revisions'));
      const lastAcked = it.publishes.length ? it.publishes.at(-1) : { id: pub.id, marker: pub.marker };
      let expectMarker;
      if (maxId < lastAcked.id) problems.push(`the publish of revision ${lastAcked.id} was answered 303, but the newest stored revision is ${maxId}`);
      else if (maxId === lastAcked.id) expectMarker = lastAcked.marker;
      else if (maxId === lastAcked.id + 1 && publishInFlight) { expectMarker = publishInFlight; totals.publishInFlightCommitted += 1; }
      else problems.push(`the newest revision is ${maxId}, but the last publish answered 303 made ${lastAcked.id} and ${publishInFlight ? 'one publish was' : 'no publish was'} in flight at the kill`);
      const ids = [...new Set([...it.publishes.map((p) => p.id), maxId])];
      const docs = new Map(sql(dbPath, `SELECT id, document FROM revisions WHERE id IN (${ids.join(', ')})`, { json: true }).map((r) => [Number(r.id), JSON.parse(r.document)]));
      for (const p of it.publishes) {
        const d = docs.get(p.id);
        if (!d) { problems.push(`revision ${p.id} (publish ${p.marker}, answered 303) is not stored`); continue; }
        for (const k of ['A', 'B']) {
          if (kRead[k](d) !== publishTitle(p.marker, k)) problems.push(`revision ${p.id} (publish ${p.marker}, answered 303) has the title ${show(kRead[k](d))} for ${kSlugs[k]}, expected ${show(publishTitle(p.marker, k))}`);
        }
      }
      const latest = docs.get(maxId);
      if (!latest) problems.push(`no revision ${maxId}`);
      else if (expectMarker !== undefined) {
        const want = (k) => (expectMarker === null ? original[k] : publishTitle(expectMarker, k));
        const got = { A: kRead.A(latest), B: kRead.B(latest) };
        if (got.A !== want('A') || got.B !== want('B')) {
          problems.push(`the newest revision ${maxId} has the titles ${show(got.A)} and ${show(got.B)}, expected both from the publish ${expectMarker ?? '(the original guide)'}: ${show(want('A'))} and ${show(want('B'))}`);
        }
      }
      // The published tables, as `content export` writes them, must be that revision file for file.
      if (latest) {
        const out = path.join(work, `export-${i}`);
        const r = cli(['content', 'export', out, '--data', dataDir]);
        if (r.status !== 0) problems.push(`cyberguide content export after the kill: exit ${r.status}: ${r.stderr.slice(0, 1000)}`);
        else {
          const files = listFiles(out);
          const want = Object.keys(latest).sort();
          const missing = want.filter((f) => !files.includes(f));
          const extra = files.filter((f) => !(f in latest));
          const differ = want.filter((f) => files.includes(f) && fs.readFileSync(path.join(out, f), 'utf8') !== latest[f]);
          if (missing.length || extra.length || differ.length) {
            problems.push(`the published tables are not revision ${maxId}: missing ${JSON.stringify(missing.slice(0, 5))}, extra ${JSON.stringify(extra.slice(0, 5))}, different ${JSON.stringify(differ.slice(0, 5))}`
              + (differ.length ? `; e.g. ${differ[0]} titles ${show(tomlString(fs.readFileSync(path.join(out, differ[0]), 'utf8'), 'title'))} vs ${show(tomlString(latest[differ[0]], 'title'))}` : ''));
          }
        }
        fs.rmSync(out, { recursive: true, force: true });
      }

      // Every acknowledged editor write is in the guide being edited (draft, else the newest revision).
      const [draftRow] = sql(dbPath, 'SELECT document FROM draft WHERE id = 1', { json: true });
      const editing = draftRow ? JSON.parse(draftRow.document) : latest;
      if (editing) {
        for (const k of kWriteKeys) {
          const got = kRead[k](editing);
          const allowed = [acked[k], ...(k in it.inflight ? [it.inflight[k]] : [])];
          if (!allowed.includes(got)) {
            problems.push(`${k === 'intro' ? 'start_intro' : `the title of ${kSlugs[k]}`} in the ${draftRow ? 'draft' : 'published guide (no draft)'} is ${show(got)}, but the last write answered 303 made it ${show(acked[k])}`
              + `${k in it.inflight ? ` (and ${show(it.inflight[k])} was in flight)` : ' (and no write to it was in flight)'}`);
          } else {
            if (got !== acked[k]) totals.writesInFlightCommitted += 1;
            acked[k] = got;
          }
        }
      }

      // Clicks: the stored count against the answers and their times.
      const counted = Number(sql(dbPath, `SELECT coalesce(sum(c.count), 0) FROM link_clicks c JOIN resources r ON r.id = c.resource_id WHERE r.slug = '${resD.slug}'`)) - clickBase;
      const times = it.clickTimes;
      const answered = times.length;
      const due = times.filter((x) => x <= killT - kWindowMs).length;
      const lossWindow = counted < answered ? Math.max(0, killT - times[Math.max(0, counted)]) : 0;
      if (counted < due) {
        problems.push(`clicks: ${counted} stored, but ${due} of the ${answered} answered came more than ${kWindowMs} ms (flush ${kFlushMs} + margin ${kMarginMs}) before the kill; the ${answered - counted} lost go back ${lossWindow.toFixed(0)} ms before the kill`);
      }
      if (counted > it.clicksSent) problems.push(`clicks: ${counted} stored, but only ${it.clicksSent} were sent (${answered} answered)`);

      totals.iterations += 1;
      if (afterPublish) totals.afterPublish += 1;
      totals.publishes += it.publishes.length;
      totals.conflicts += it.conflicts;
      totals.writes += it.writes;
      totals.clicksSent += it.clicksSent;
      totals.clicksAnswered += answered;
      totals.clicksCounted += counted;
      totals.maxLost = Math.max(totals.maxLost, answered - counted);
      totals.maxLossWindowMs = Math.max(totals.maxLossWindowMs, lossWindow);
      lastIteration = `kill ${killWhen} (publisher from ${publisherDelay} ms); publishes ${it.publishes.map((p) => `${p.id}:${p.marker}`).join(',') || '-'}${publishInFlight ? ` (in flight ${publishInFlight})` : ''}; newest revision ${maxId}; `
        + `writes ${it.writes}${writesInFlight.length ? ` (in flight ${writesInFlight.join(',')})` : ''}; clicks sent ${it.clicksSent}, answered ${answered}, stored ${counted}, lost ${answered - counted} (${lossWindow.toFixed(0)} ms); ${(performance.now() - iterStart).toFixed(0)} ms (start ${startMs.toFixed(0)}, until the kill ${loadMs.toFixed(0)}, checks ${(performance.now() - killT).toFixed(0)})`;
      if (problems.length) fail(i, srv, problems, `\n(${lastIteration})`);
      if (process.env.CYBERGUIDE_CRASH_VERBOSE) t.diagnostic(`iteration ${i}: ${lastIteration}`);

      pub.id = maxId;
      pub.marker = expectMarker;
      expectServed = { A: kRead.A(latest), B: kRead.B(latest), C: kRead.C(latest), intro: kRead.intro(latest) };
    }

    // A last start: it serves the state found after the last kill, adds no click, and stops cleanly.
    const clicksBefore = sql(dbPath, 'SELECT coalesce(sum(count), 0) FROM link_clicks');
    srv = await startServer({ dataDir, flushIntervalMs: kFlushMs });
    client.baseUrl = srv.baseUrl;
    const served = await checkServed(kIterations + 1);
    if (served.length) fail(kIterations + 1, srv, served);
    const exit = await srv.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `the last start did not stop cleanly after SIGTERM\n${srv.output()}`);
    assert.equal(sql(dbPath, 'PRAGMA integrity_check'), 'ok');
    assert.equal(sql(dbPath, 'SELECT coalesce(sum(count), 0) FROM link_clicks'), clicksBefore, 'a start without clicks changed the stored clicks');

    const secs = (performance.now() - started) / 1000;
    const pct = totals.clicksAnswered ? ((100 * (totals.clicksAnswered - totals.clicksCounted)) / totals.clicksAnswered).toFixed(2) : '0';
    t.diagnostic(`${totals.iterations} kills in ${secs.toFixed(1)} s (seed ${kSeed}): ${totals.killsInPublish} during a publish (${totals.publishInFlightCommitted} of those publishes were stored), ${totals.killsInWrite} during an editor write (${totals.writesInFlightCommitted} unanswered writes found stored)`);
    t.diagnostic(`publishes acknowledged ${totals.publishes} (${totals.afterPublish} kills timed after one) (409 conflicts retried ${totals.conflicts}), editor writes acknowledged ${totals.writes}`);
    t.diagnostic(`clicks sent ${totals.clicksSent}, answered ${totals.clicksAnswered}, stored ${totals.clicksCounted} (${pct} % lost); most lost in one kill ${totals.maxLost}, reaching back at most ${totals.maxLossWindowMs.toFixed(0)} ms (allowed ${kWindowMs} ms)`);
    t.diagnostic(`last iteration: ${lastIteration}`);
    keep = false;
  });
});
