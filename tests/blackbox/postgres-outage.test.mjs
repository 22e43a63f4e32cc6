// Black-box test of PostgreSQL going away while cyberguide runs (docs/deployment.md): with a private
// throwaway cluster (tests/pg/cluster.sh pause/resume), readers keep getting pages and redirects, the
// editor area answers a Swedish 503 (no internals), /healthz tells monitoring the database is away,
// clicks are kept in memory; once the database is back, without a restart, the clicks arrive, /healthz
// is plain "ok" again and the editor's session edits and publishes.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, repoRoot } from './server.mjs';
import { Client, cli, kEditor, poll, expect303, publish } from './admin.mjs';
import { get } from './http.mjs';
import { loadContent } from './content.mjs';
import { psql, testPgUrl } from './pg.mjs';

const haveCluster = Boolean(testPgUrl); // ctest provides PostgreSQL when it sets this
const script = path.join(repoRoot, 'tests', 'pg', 'cluster.sh');
const content = loadContent();

function cluster(cmd, dir) {
  const r = spawnSync(script, [cmd, dir], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`cluster.sh ${cmd}: ${r.status}\n${r.stdout}\n${r.stderr}`);
}


describe('PostgreSQL going away and coming back', { skip: haveCluster ? false : 'CYBERGUIDE_TEST_PG is not set (ctest sets it)', timeout: 180000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-pg-outage-'));
  const url = `postgresql://postgres@/postgres?host=${dir}&port=5499`;
  const slug = content.resources.find((r) => r.category).slug;
  let srv;
  let anna;

  before(async () => {
    cluster('start', dir);
    srv = await startServer({ extraArgs: ['--database', url, '--poll-interval-ms', '200'], flushIntervalMs: 200 });
    const r = cli(['user', 'add', kEditor.name, '--role', kEditor.role, '--password-stdin', '--database', url], { input: kEditor.password });
    assert.equal(r.status, 0, `user add: ${r.stdout}\n${r.stderr}`);
    anna = new Client(srv.baseUrl);
    await anna.loginOk(kEditor);
  });

  after(async () => {
    if (srv) {
      await srv.stop();
      srv.cleanup();
    }
    cluster('stop', dir);
  });

  it('keeps serving readers, answers editors 503 in Swedish, keeps the clicks, and recovers without a restart', async () => {
    assert.equal((await get(srv.baseUrl, '/healthz')).body.toString(), 'ok\n');
    cluster('pause', dir);

    for (const p of ['/', `/resurser/${slug}`, '/sok?q=incident']) {
      assert.equal((await get(srv.baseUrl, p)).status, 200, `GET ${p} while the database is away`);
    }
    for (let i = 0; i < 10; i += 1) assert.equal((await get(srv.baseUrl, `/go/${slug}`)).status, 302);

    const admin = await anna.get('/admin');
    assert.equal(admin.status, 503, `GET /admin while the database is away: ${admin.status}`);
    assert.match(admin.text, /Redigeringen är tillfälligt otillgänglig/);
    assert.doesNotMatch(admin.text, /PostgreSQL|store_error|libpq|exception|socket/i);
    assert.equal(admin.headers['retry-after'], '30');

    const degraded = await poll(async () => (await get(srv.baseUrl, '/healthz')).body.toString() === 'ok\ndatabase unavailable\n', { timeoutMs: 5000 });
    assert.ok(degraded, '/healthz does not say "database unavailable" within 5 s');

    cluster('resume', dir);
    const healthy = await poll(async () => (await get(srv.baseUrl, '/healthz')).body.toString() === 'ok\n', { timeoutMs: 10000 });
    assert.ok(healthy, '/healthz is not plain "ok" within 10 s of the database coming back');
    const counted = await poll(() => Number(psql(url, 'SELECT coalesce(sum(count), 0) FROM link_clicks')) === 10, { timeoutMs: 10000 });
    assert.ok(counted, `the 10 clicks made during the outage are not in the database within 10 s (${psql(url, 'SELECT coalesce(sum(count), 0) FROM link_clicks')})`);
    const back = await poll(async () => (await anna.get('/admin')).status === 200, { timeoutMs: 10000 });
    assert.ok(back, 'the editor area does not answer 200 within 10 s of the database coming back');
    // Editing works again on the same session: an edit, a publish, and readers get it.
    const title = `Efter avbrottet ${Date.now()}`;
    expect303(await anna.edit('/admin/resurser/disa', { title }), 'POST /admin/resurser/disa after the outage');
    await publish(anna, 'Efter avbrottet');
    assert.match((await get(srv.baseUrl, '/resurser/disa')).body.toString('utf8'), new RegExp(title));
  });
});
