// Black-box tests of several instances sharing one PostgreSQL database (docs/deployment.md): two
// servers on two loopback ports with one database in the throwaway test cluster that CTest starts
// (tests/pg/cluster.sh, named by CYBERGUIDE_TEST_PG). A publish on A is served by B within 2 s (heard
// by LISTEN/NOTIFY: the poll is set to 10 s), a login on A is valid on B, login throttling per account
// holds over both, and 1 000 followed links split over A and B are all in the database after both stop.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from './server.mjs';
import { Client, cli, kEditor, expect303, publish, poll } from './admin.mjs';
import { loadContent } from './content.mjs';
import { psql, dbUrl, testPgUrl } from './pg.mjs';

const adminUrl = testPgUrl;
const content = loadContent();



/** count GETs of pathName, `parallel` at a time, on keep-alive connections; resolves with the statuses. */
async function hammer(baseUrl, pathName, count, parallel = 25) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  const statuses = [];
  let next = 0;
  const one = () => new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}${pathName}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
  });
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      next += 1;
      statuses.push(await one());
    }
  }));
  agent.destroy();
  return statuses;
}

describe('several instances on one PostgreSQL database', { skip: adminUrl ? false : 'CYBERGUIDE_TEST_PG is not set (ctest sets it)', timeout: 180000 }, () => {
  const db = `cg_blackbox_${process.pid}`;
  const url = dbUrl(db);
  let a;
  let b;

  before(async () => {
    psql(adminUrl, `CREATE DATABASE ${db}`);
    // A poll every 10 s: a publish served by the other instance within 2 s was heard (LISTEN/NOTIFY).
    const args = ['--database', url, '--poll-interval-ms', '10000'];
    a = await startServer({ extraArgs: args, flushIntervalMs: 200 }); // fills the empty database
    b = await startServer({ extraArgs: args, flushIntervalMs: 200 });
    const r = cli(['user', 'add', kEditor.name, '--role', kEditor.role, '--password-stdin', '--database', url], { input: kEditor.password });
    assert.equal(r.status, 0, `user add: ${r.stdout}\n${r.stderr}`);
  });

  after(async () => {
    for (const s of [a, b]) {
      if (s) {
        await s.stop();
        s.cleanup();
      }
    }
    if (adminUrl) psql(adminUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  });

  it('serves the same guide from both, read from the one database', async () => {
    for (const s of [a, b]) {
      const res = await new Client(s.baseUrl).get('/');
      assert.equal(res.status, 200);
    }
    assert.equal(Number(psql(url, 'SELECT count(*) FROM resources')), content.resources.length);
  });

  it('serves a publish made on A from B within 2 s', async () => {
    const anna = new Client(a.baseUrl);
    await anna.loginOk(kEditor);
    const title = `Publicerad på A ${Date.now()}`;
    expect303(await anna.edit('/admin/resurser/disa', { title }), 'POST /admin/resurser/disa on A');
    await publish(anna, 'Från instans A');
    const started = Date.now();
    const seen = await poll(async () => (await new Client(b.baseUrl).get('/resurser/disa')).text.includes(title), { timeoutMs: 2000, intervalMs: 50 });
    assert.ok(seen, `B does not serve the title published on A within 2 s (waited ${Date.now() - started} ms)`);
  });

  it('takes a session made by a login on A on B', async () => {
    const onA = new Client(a.baseUrl);
    await onA.loginOk(kEditor);
    const onB = new Client(b.baseUrl);
    onB.jar = new Map(onA.jar);
    const res = await onB.get('/admin');
    assert.equal(res.status, 200, `GET /admin on B with A's session: ${res.status} ${res.rawLocation ?? ''}`);
    assert.match(res.text, /Logga ut/);
  });

  it('holds login throttling across instances: of 120 checks for one account over A and B, 100 are made', async () => {
    // Each attempt from an address of its own, so that only the per-account limit applies.
    const statuses = [];
    for (let i = 0; i < 120; i += 4) {
      statuses.push(...await Promise.all([0, 1, 2, 3].map(async (k) => {
        const srv = (i + k) % 2 === 0 ? a : b;
        const n = i + k;
        const res = await new Client(srv.baseUrl, { localAddress: `127.0.${10 + Math.floor(n / 200)}.${(n % 200) + 1}` })
          .login('ingen-sadan', `fel lösenord nummer ${n}`);
        return res.status;
      })));
    }
    const checked = statuses.filter((s) => s === 422).length;
    const refused = statuses.filter((s) => s === 429).length;
    assert.deepEqual([checked, refused, statuses.length], [100, 20, 120], `statuses: ${statuses.join(' ')}`);
  });

  it('adds up 1 000 followed links split over A and B, none lost after both stop', async () => {
    const slug = content.resources.find((r) => r.category).slug;
    const before = Number(psql(url, 'SELECT coalesce(sum(count), 0) FROM link_clicks'));
    const [sa, sb] = await Promise.all([hammer(a.baseUrl, `/go/${slug}`, 500), hammer(b.baseUrl, `/go/${slug}`, 500)]);
    assert.deepEqual([sa.length, sb.length, [...sa, ...sb].every((s) => s === 302)], [500, 500, true]);
    const [ea, eb] = await Promise.all([a.stop(), b.stop()]);
    assert.deepEqual([ea.code, eb.code], [0, 0], `exits after SIGTERM: ${JSON.stringify([ea, eb])}\n${a.output()}\n${b.output()}`);
    const after = Number(psql(url, 'SELECT coalesce(sum(count), 0) FROM link_clicks'));
    assert.equal(after - before, 1000);
  });
});
