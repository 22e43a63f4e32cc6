// Black-box test of `cyberguide migrate --from sqlite:PATH --to postgresql://…` (docs/deployment.md):
// a SQLite guide with an edit, two revisions, accounts, an audit log and statistics is copied into an
// empty PostgreSQL database of the test cluster (CYBERGUIDE_TEST_PG, started by CTest); every table
// arrives whole, an instance on PostgreSQL serves byte-identical reader pages, the accounts log in, and
// a second migrate into the now filled database is refused.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from './server.mjs';
import { Client, cli, kEditor, expect303, publish, startAdminServer } from './admin.mjs';
import { get } from './http.mjs';
import { loadContent } from './content.mjs';
import { psql, dbUrl, testPgUrl } from './pg.mjs';

const adminUrl = testPgUrl;
const content = loadContent();


function sqlite(file, sql) {
  const r = spawnSync('sqlite3', [file, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.status}\n${r.stderr}`);
  return r.stdout.trim();
}

const kCounts = {
  resources: 'SELECT count(*) FROM resources',
  revisions: 'SELECT count(*) FROM revisions',
  users: 'SELECT count(*) FROM users',
  audit_log: 'SELECT count(*) FROM audit_log',
  clicks: 'SELECT coalesce(sum(count), 0) FROM link_clicks',
  views: 'SELECT coalesce(sum(count), 0) FROM page_views',
  searches: 'SELECT coalesce(sum(count), 0) FROM search_counts',
  version: 'SELECT version FROM content_state',
};

describe('cyberguide migrate from SQLite to PostgreSQL', { skip: adminUrl ? false : 'CYBERGUIDE_TEST_PG is not set (ctest sets it)', timeout: 180000 }, () => {
  it('copies the whole guide, and PostgreSQL then serves the same pages to the byte', async () => {
    const slug = content.resources.find((r) => r.category).slug;
    const cat = content.categories[0];
    const pages = ['/', '/kategorier', `/kategorier/${cat.slug}`, `/kategorier/${cat.slug}/${cat.levels[0]}`, '/nivaer',
      '/resurser/disa', `/resurser/${slug}`, '/om-webbplatsen'];

    // A SQLite guide with a history and statistics.
    const old = await startAdminServer({ flushIntervalMs: 200 });
    const db = `cg_migrate_${process.pid}`;
    const url = dbUrl(db);
    let onSqlite;
    let onPg;
    try {
      const anna = new Client(old.baseUrl);
      await anna.loginOk(kEditor);
      expect303(await anna.edit('/admin/resurser/disa', { title: 'Disa, flyttad med sin historik' }), 'POST /admin/resurser/disa');
      await publish(anna, 'Före flytten');
      for (let i = 0; i < 5; i += 1) assert.equal((await get(old.baseUrl, `/go/${slug}`)).status, 302);
      for (const p of pages) await get(old.baseUrl, p);
      await get(old.baseUrl, '/sok?q=incident');
      assert.equal((await old.stop()).code, 0);
      const file = path.join(old.dataDir, 'cyberguide.db');

      psql(adminUrl, `CREATE DATABASE ${db}`);
      const r = cli(['migrate', '--from', `sqlite:${file}`, '--to', url]);
      assert.equal(r.status, 0, `migrate: ${r.status}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /publicerad guide: sha256 [0-9a-f]{64} i båda/);

      const problems = [];
      for (const [what, sql] of Object.entries(kCounts)) {
        const a = sqlite(file, sql);
        const b = psql(url, sql);
        if (a !== b) problems.push(`${what}: ${a} in SQLite, ${b} in PostgreSQL`);
      }
      assert.deepEqual(problems, []);
      assert.ok(Number(sqlite(file, kCounts.revisions)) >= 2 && Number(sqlite(file, kCounts.clicks)) === 5);
      assert.equal(psql(url, 'SELECT count(*) FROM sessions'), '0', 'sessions were copied');

      onSqlite = await startServer({ dataDir: old.dataDir });
      onPg = await startServer({ extraArgs: ['--database', url] });
      for (const p of pages) {
        const [x, y] = await Promise.all([get(onSqlite.baseUrl, p), get(onPg.baseUrl, p)]);
        assert.equal(y.status, 200, `GET ${p} on PostgreSQL`);
        assert.ok(x.body.equals(y.body), `GET ${p}: PostgreSQL serves other bytes than SQLite`);
      }
      await new Client(onPg.baseUrl).loginOk(kEditor); // the accounts moved, with their passwords

      const again = cli(['migrate', '--from', `sqlite:${file}`, '--to', url]);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /innehåller redan en guide/);
    } finally {
      for (const s of [onSqlite, onPg]) if (s) await s.stop();
      onPg?.cleanup();
      old.cleanup();
      psql(adminUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }
  });
});
