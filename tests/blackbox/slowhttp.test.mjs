// Slow clients with slowhttptest (Debian): slow headers (slowloris), slow body (R-U-Dead-Yet) and slow
// read, 1 000 connections each from 127.0.0.1, while a probe beside it asks for the start page from
// another address every 200 ms on a new connection. The site must answer every probe, whole, within
// the probe's 3 s. Once with the default caps (256 connections per address: the rest get 503), once
// with the per-address cap off so that all 1 000 slow connections are held and the read deadline
// has to end them.
//
// CYBERGUIDE_SLOW_SECONDS (default 12) sets how long each attack lasts (`make test-long`: 60).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './server.mjs';

const kSeconds = Number(process.env.CYBERGUIDE_SLOW_SECONDS ?? 12);
const kProbeEveryMs = 200;
const kProbeTimeoutMs = 3000;

function probeOnce(port) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.get({ host: '127.0.0.1', port, path: '/', localAddress: '127.0.0.2', agent: false, timeout: kProbeTimeoutMs }, (res) => {
      let n = 0;
      res.on('data', (d) => { n += d.length; });
      res.on('end', () => resolve({ status: res.statusCode, bytes: n, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('timeout', () => { req.destroy(new Error(`no answer within ${kProbeTimeoutMs} ms`)); });
    req.on('error', (e) => resolve({ error: e.message }));
  });
}

// Runs slowhttptest with `args` while probing; resolves with the probes and slowhttptest's CSV rows.
async function attack(port, args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cyberguide-slow-'));
  const prefix = path.join(dir, 'stats');
  const cmd = `ulimit -n 8192 && exec slowhttptest -c 1000 -r 500 -l ${kSeconds} -p 3 -g -o ${prefix} ${args.join(' ')}`;
  const tool = spawn('bash', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  tool.stdout.on('data', (d) => { out += d; });
  tool.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => tool.on('exit', (code) => resolve(code)));
  const probes = [];
  let done = false;
  exited.then(() => { done = true; });
  await new Promise((r) => setTimeout(r, 1000)); // let it open its connections
  while (!done) {
    const t = Date.now();
    probes.push(await probeOnce(port));
    await new Promise((r) => setTimeout(r, Math.max(0, kProbeEveryMs - (Date.now() - t))));
  }
  const code = await exited;
  const csv = fs.existsSync(`${prefix}.csv`) ? fs.readFileSync(`${prefix}.csv`, 'utf8') : '';
  fs.rmSync(dir, { recursive: true, force: true });
  // Seconds,Closed,Pending,Connected,Service Available
  const rows = csv.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  return { code, out, probes, rows };
}

function judge(name, r) {
  const problems = [];
  if (r.code !== 0) problems.push(`slowhttptest exited ${r.code}: ${r.out.slice(-600)}`);
  if (r.rows.length === 0) problems.push('slowhttptest wrote no statistics');
  const failed = r.probes.filter((p) => p.error || p.status !== 200 || p.bytes === 0);
  if (failed.length) problems.push(`${failed.length} of ${r.probes.length} probes failed: ${JSON.stringify(failed.slice(0, 5))}`);
  if (r.probes.length < Math.floor((kSeconds - 2) * 1000 / (kProbeEveryMs + 300))) problems.push(`only ${r.probes.length} probes were made`);
  const ms = r.probes.filter((p) => !p.error).map((p) => p.ms).sort((a, b) => a - b);
  const maxConnected = Math.max(0, ...r.rows.map((x) => x[3]));
  const maxClosed = Math.max(0, ...r.rows.map((x) => x[1]));
  console.log(`# ${name}: ${r.probes.length} probes, all answered 200; probe time median ${ms[Math.floor(ms.length / 2)]?.toFixed(1)} ms, max ${ms.at(-1)?.toFixed(1)} ms; slowhttptest: at most ${maxConnected} connected, ${maxClosed} closed`);
  return { problems, maxConnected, maxClosed, last: r.rows.at(-1) };
}

describe('slow clients (slowhttptest, 1 000 connections)', { timeout: (kSeconds + 30) * 4 * 1000 + 60000 }, () => {
  let capped;
  let uncapped;
  before(async () => {
    capped = await startServer({ extraArgs: ['--access-log', 'false'] });
    uncapped = await startServer({ extraArgs: ['--access-log', 'false', '--max-connections-per-ip', '0', '--read-timeout-ms', '4000'] });
  }, { timeout: 60000 });
  after(async () => {
    for (const srv of [capped, uncapped]) {
      if (!srv) continue;
      const r = await srv.stop();
      srv.cleanup();
      assert.equal(r.code, 0, `server exit: ${JSON.stringify(r)}\n${srv.output()}`);
    }
  });

  it('slow headers: the probe is answered throughout; past 256 connections from one address the rest get 503', async () => {
    const r = await attack(capped.port, ['-H', '-i', '2', '-x', '24', '-u', `http://127.0.0.1:${capped.port}/`]);
    const { problems, maxConnected, maxClosed } = judge('slow headers, capped', r);
    // slowhttptest counts a connection as connected until it reads the 503: a few over 256 at a time.
    if (maxConnected > 300) problems.push(`${maxConnected} connections held from one address (cap 256)`);
    if (maxClosed < 700) problems.push(`only ${maxClosed} connections were refused or closed`);
    assert.deepEqual(problems, []);
  });

  it('slow body: the probe is answered throughout', async () => {
    const r = await attack(capped.port, ['-B', '-i', '2', '-x', '24', '-s', '8192', '-u', `http://127.0.0.1:${capped.port}/sok`]);
    assert.deepEqual(judge('slow body, capped', r).problems, []);
  });

  it('slow read: the probe is answered throughout', async () => {
    const r = await attack(capped.port, ['-X', '-w', '512', '-y', '1024', '-n', '5', '-z', '32', '-k', '3', '-u', `http://127.0.0.1:${capped.port}/`]);
    assert.deepEqual(judge('slow read, capped', r).problems, []);
  });

  it('slow headers with no cap per address: all 1 000 are held, the probe is answered, and the read deadline ends them', async () => {
    const r = await attack(uncapped.port, ['-H', '-i', '1', '-x', '24', '-u', `http://127.0.0.1:${uncapped.port}/`]);
    const { problems, maxConnected, last } = judge('slow headers, no cap per address', r);
    if (maxConnected < 900) problems.push(`only ${maxConnected} connections were held at once`);
    // Every slow request is cut at its 4 s read deadline: slowhttptest ends before its time, saying that
    // no connection is left (its CSV misses that last second).
    if (!/No open connections left/.test(r.out)) problems.push('slowhttptest did not see every connection closed');
    if (!last || last[0] >= kSeconds) problems.push(`the attack lasted its whole ${kSeconds} s: the deadline did not end it`);
    assert.deepEqual(problems, [], JSON.stringify(r.rows) + r.out.slice(-400));
  });
});
