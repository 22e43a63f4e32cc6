// Black-box tests of `cyberguide backup FILE` and `cyberguide restore FILE`: a copy taken while the site
// is busy (clicks flooding in) is a sound database holding a consistent state; a copy of a stopped site,
// restored into an empty data folder, holds exactly the same rows; the restored site serves the guide;
// an existing target file and a file that is no backup are refused with a clear message. With the
// PostgreSQL test cluster: a backup of a PostgreSQL database restores into another.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './server.mjs';
import { cli, tmpDir, startAdminServer } from './admin.mjs';
import { get } from './http.mjs';
import { loadContent } from './content.mjs';
import { psql, dbUrl, testPgUrl } from './pg.mjs';

const content = loadContent();
const slug = content.resources.find((r) => r.category).slug;
const kTables = ['resources', 'revisions', 'users', 'sessions', 'audit_log', 'link_clicks', 'page_views', 'content_state'];

function sqlite(file, sql) {
  const r = spawnSync('sqlite3', [file, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.status}\n${r.stderr}`);
  return r.stdout.trim();
}

/** Every row of the tables above, as text: equal for equal databases. */
function rows(file) {
  return kTables.map((t) => `${t}:\n${sqlite(file, `SELECT * FROM ${t} ORDER BY 1, 2`)}`).join('\n');
}

describe('backup and restore', { timeout: 180000 }, () => {
  it('copies a busy site consistently; a restored copy holds the same rows and serves the guide', async () => {
    const work = tmpDir('cyberguide-backup-');
    const srv = await startAdminServer({ flushIntervalMs: 50 });
    const live = path.join(srv.dataDir, 'cyberguide.db');
    let restored;
    try {
      let flooding = true;
      const floods = Array.from({ length: 4 }, async () => {
        while (flooding) await get(srv.baseUrl, `/go/${slug}`);
      });
      await new Promise((r) => setTimeout(r, 300));
      const busy = path.join(work, 'under-last.db');
      const b = cli(['backup', busy, '--data', srv.dataDir]);
      flooding = false;
      await Promise.all(floods);
      assert.equal(b.status, 0, `backup while busy: ${b.stdout}\n${b.stderr}`);
      assert.equal(sqlite(busy, 'PRAGMA integrity_check'), 'ok');
      assert.equal(sqlite(busy, 'SELECT version FROM content_state'), sqlite(live, 'SELECT version FROM content_state'));
      assert.ok(Number(sqlite(busy, 'SELECT coalesce(sum(count), 0) FROM link_clicks')) > 0, 'no clicks in the copy taken under load');

      const again = cli(['backup', busy, '--data', srv.dataDir]);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /finns redan/);

      assert.equal((await srv.stop()).code, 0);
      const quiet = path.join(work, 'stilla.db');
      assert.equal(cli(['backup', quiet, '--data', srv.dataDir]).status, 0);
      const target = path.join(work, 'ny-data');
      const r = cli(['restore', quiet, '--data', target]);
      assert.equal(r.status, 0, `restore: ${r.stdout}\n${r.stderr}`);
      assert.equal(rows(path.join(target, 'cyberguide.db')), rows(live));

      restored = await startServer({ dataDir: target });
      assert.equal((await get(restored.baseUrl, `/resurser/${slug}`)).status, 200);

      fs.writeFileSync(path.join(work, 'annat.db'), 'not a database at all');
      const bad = cli(['restore', path.join(work, 'annat.db'), '--data', path.join(work, 'tredje')]);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /cyberguide restore: /);
      const missing = cli(['restore', path.join(work, 'saknas.db'), '--data', path.join(work, 'tredje')]);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /finns inte/);
    } finally {
      if (restored) {
        await restored.stop();
        restored.cleanup();
      }
      srv.cleanup();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('backs up a PostgreSQL database and restores it into another', { skip: testPgUrl ? false : 'CYBERGUIDE_TEST_PG is not set (ctest sets it)' }, async () => {
    const work = tmpDir('cyberguide-pg-backup-');
    const [from, to] = [`cg_backup_a_${process.pid}`, `cg_backup_b_${process.pid}`];
    psql(testPgUrl, `CREATE DATABASE ${from}`);
    psql(testPgUrl, `CREATE DATABASE ${to}`);
    try {
      const srv = await startServer({ extraArgs: ['--database', dbUrl(from)], flushIntervalMs: 50 });
      for (let i = 0; i < 3; i += 1) await get(srv.baseUrl, `/go/${slug}`);
      await srv.stop();
      srv.cleanup();
      const file = path.join(work, 'pg.db');
      assert.equal(cli(['backup', file, '--database', dbUrl(from)]).status, 0);
      const r = cli(['restore', file, '--database', dbUrl(to)]);
      assert.equal(r.status, 0, `restore: ${r.stdout}\n${r.stderr}`);
      for (const sql of ['SELECT count(*) FROM resources', 'SELECT coalesce(sum(count), 0) FROM link_clicks', 'SELECT version FROM content_state']) {
        assert.equal(psql(dbUrl(to), sql), psql(dbUrl(from), sql), sql);
      }
      assert.equal(psql(dbUrl(to), 'SELECT coalesce(sum(count), 0) FROM link_clicks'), '3');
    } finally {
      psql(testPgUrl, `DROP DATABASE IF EXISTS ${from} WITH (FORCE)`);
      psql(testPgUrl, `DROP DATABASE IF EXISTS ${to} WITH (FORCE)`);
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
