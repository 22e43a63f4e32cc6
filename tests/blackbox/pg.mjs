// PostgreSQL helpers of the black-box tests: the test cluster CTest starts (tests/pg/cluster.sh) is
// named by CYBERGUIDE_TEST_PG, e.g. postgresql://postgres@/postgres?host=/tmp/…&port=5499.

import { spawnSync } from 'node:child_process';

/** The admin URL of the test cluster, or '' when the tests run without one. */
export const testPgUrl = process.env.CYBERGUIDE_TEST_PG ?? '';

/** Runs SQL with psql against url; returns the rows (unaligned, tuples only). */
export function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.status}\n${r.stderr}`);
  return r.stdout.trim();
}

/** The URL of another database of the same cluster as adminUrl (default: the test cluster). */
export function dbUrl(name, adminUrl = testPgUrl) {
  return adminUrl.replace('/postgres?', `/${name}?`);
}
