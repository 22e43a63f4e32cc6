#!/usr/bin/env node
// cyberguide against nginx on loopback, side by side (`make bench`; a benchmark, not a test).
//
// nginx (bench/nginx.conf: sendfile, keep-alive, open_file_cache, 2 workers, no access log) serves the
// very bytes cyberguide serves, saved to disk, and a bare `return 302`. wrk measures, in alternation
// (cyberguide, nginx, cyberguide, nginx, …):
//   - a category-level page, uncompressed and as brotli, at 64 and 256 connections;
//   - the counted redirect /go/{slug} against nginx's `return 302`, at 64 and 256 connections.
// Then cyberguide is stopped with SIGTERM and its click count is checked:
//   requests wrk reports ≤ counted ≤ wrk's requests + connections (requests in flight when wrk stops
//   are counted by the server but not by wrk).
// It prints a Markdown table of medians (req/s, p50, p99) with the ratio cyberguide/nginx and the
// resident memory of cyberguide, and writes it to bench/results/ with the machine's description.
//
//   node bench/http-bench.mjs [--pairs N] [--seconds S] [--only page|brotli|go] [--smoke]
// --smoke: one short pair at 16 connections, nothing written (make test runs it so it cannot rot).
// --only: run the scenarios whose key matches (for profiling); nothing written.
// CYBERGUIDE_BIN: the binary (default build/release/cyberguide).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.CYBERGUIDE_BIN ??= path.join(repoRoot, 'build', 'release', 'cyberguide');
const { startServer } = await import('../tests/blackbox/server.mjs');
const { loadContent } = await import('../tests/blackbox/content.mjs');

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const smoke = argv.includes('--smoke');
const pairs = Number(opt('--pairs', smoke ? 1 : 3));
const seconds = Number(opt('--seconds', smoke ? 1 : 5));
const only = opt('--only', '');
const connections = smoke ? [16] : [64, 256];

function need(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`]);
  if (r.status !== 0) {
    console.error(`http-bench: ${cmd} is not installed (make bench installs it from Debian: nginx, wrk)`);
    process.exit(2);
  }
}
const nginxBin = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
need(nginxBin);
need('wrk');
need('sqlite3');

function get(port, p, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// ---- wrk -------------------------------------------------------------------------------------

function toMs(v) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

function wrk(url, conns, headers = {}) {
  const args = ['-t1', `-c${conns}`, `-d${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  const r = spawnSync('wrk', args, { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  if (r.status !== 0) throw new Error(`wrk ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(out)?.[1] ?? '';
  if (!(rps > 0) || !(requests > 0)) throw new Error(`wrk printed no figures:\n${out}`);
  return { rps, requests, p50, p99, bad, errors };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// ---- the run ---------------------------------------------------------------------------------

const content = loadContent();
const category = content.categories.find((c) => c.levels.length > 0);
const pagePath = `/kategorier/${category.slug}/${category.levels[0]}`;
const resource = content.resources.find((r) => r.category);
const goPath = `/go/${resource.slug}`;

// wrk opens up to 256 connections from one address, as many as the default cap per address: no cap here
// (nginx has none either), so that a stray extra connection is never refused mid-run.
const cg = await startServer({ flushIntervalMs: 1000, extraArgs: ['--access-log', 'false', '--max-connections-per-ip', '0'] });
const problems = [];
let ngx;
const ngxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cyberguide-nginx-'));
fs.chmodSync(ngxDir, 0o755); // nginx's workers run as another user when started by root
try {
  // A publish serves quickly compressed pages first; the best bodies follow in the background (logged
  // as "snapshot recompressed"). Measure those, as a reader would get them a second after a publish.
  const polishedBy = Date.now() + 60000;
  while (!cg.output().includes('snapshot recompressed') && Date.now() < polishedBy) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!cg.output().includes('snapshot recompressed')) throw new Error(`no "snapshot recompressed" within 60 s\n${cg.output()}`);
  const rssStart = rssKb(cg.proc.pid);
  const plain = await get(cg.port, pagePath);
  const br = await get(cg.port, pagePath, { 'Accept-Encoding': 'br' });
  if (plain.status !== 200 || br.status !== 200 || br.headers['content-encoding'] !== 'br') {
    throw new Error(`cyberguide ${pagePath}: ${plain.status}, br ${br.status} ${br.headers['content-encoding']}`);
  }
  const root = path.join(ngxDir, 'root');
  fs.mkdirSync(path.join(root, path.dirname(pagePath.slice(1))), { recursive: true });
  fs.mkdirSync(path.join(root, 'br', path.dirname(pagePath.slice(1))), { recursive: true });
  fs.writeFileSync(path.join(root, pagePath.slice(1)), plain.body);
  fs.writeFileSync(path.join(root, 'br', pagePath.slice(1)), br.body);
  const ngxPort = await freePort();
  const conf = fs.readFileSync(path.join(repoRoot, 'bench', 'nginx.conf'), 'utf8')
    .replaceAll('@PREFIX@', ngxDir).replaceAll('@PORT@', String(ngxPort)).replaceAll('@ROOT@', root)
    .replaceAll('@GO_PATH@', goPath).replaceAll('@GO_TARGET@', resource.url);
  fs.writeFileSync(path.join(ngxDir, 'nginx.conf'), conf);
  ngx = spawn(nginxBin, ['-c', path.join(ngxDir, 'nginx.conf'), '-p', ngxDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let ngxErr = '';
  ngx.stderr.on('data', (d) => { ngxErr += d; });
  for (let i = 0; ; i += 1) {
    try {
      if ((await get(ngxPort, pagePath)).status === 200) break;
    } catch { /* not listening yet */ }
    if (i > 100) throw new Error(`nginx did not start on port ${ngxPort}\n${ngxErr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The same bytes from both.
  const np = await get(ngxPort, pagePath);
  const nb = await get(ngxPort, `/br${pagePath}`);
  if (!np.body.equals(plain.body) || !nb.body.equals(br.body)) throw new Error('nginx does not serve the bytes cyberguide serves');
  const ng = await get(ngxPort, goPath);
  const cgGo = await get(cg.port, goPath);
  if (ng.status !== 302 || cgGo.status !== 302 || ng.headers.location !== cgGo.headers.location) {
    throw new Error(`redirects differ: nginx ${ng.status} ${ng.headers.location}, cyberguide ${cgGo.status} ${cgGo.headers.location}`);
  }
  const warmClicks = 1; // the check above followed the link once

  const scenarios = [
    { key: 'page', name: `page ${pagePath}`, cg: pagePath, nginx: pagePath, headers: {} },
    { key: 'brotli', name: 'page, brotli', cg: pagePath, nginx: `/br${pagePath}`, headers: { 'Accept-Encoding': 'br' } },
    { key: 'go', name: `counted ${goPath} vs return 302`, cg: goPath, nginx: goPath, headers: {}, counted: true },
  ].filter((s) => !only || s.key === only);
  const rows = [];
  let wrkGo = 0;
  let goConns = 0;
  for (const s of scenarios) {
    for (const c of connections) {
      const a = [];
      const b = [];
      for (let i = 0; i < pairs; i += 1) {
        const ra = wrk(`http://127.0.0.1:${cg.port}${s.cg}`, c, s.headers);
        const rb = wrk(`http://127.0.0.1:${ngxPort}${s.nginx}`, c, s.headers);
        for (const [who, r] of [['cyberguide', ra], ['nginx', rb]]) {
          if (r.bad) problems.push(`${s.name} c=${c} ${who}: ${r.bad} responses not 2xx/3xx`);
        }
        if (s.counted) {
          wrkGo += ra.requests;
          goConns += c;
        }
        a.push(ra);
        b.push(rb);
      }
      const m = (xs, k) => median(xs.map((x) => x[k]));
      rows.push({
        name: s.name, c,
        cg: { rps: m(a, 'rps'), p50: m(a, 'p50'), p99: m(a, 'p99') },
        ngx: { rps: m(b, 'rps'), p50: m(b, 'p50'), p99: m(b, 'p99') },
      });
    }
  }
  const rssEnd = rssKb(cg.proc.pid);
  const exit = await cg.stop({ signal: 'SIGTERM' });
  if (exit.code !== 0) problems.push(`cyberguide exited ${JSON.stringify(exit)} after SIGTERM`);
  const counted = Number(spawnSync('sqlite3', [cg.dbPath, 'SELECT coalesce(sum(count), 0) FROM link_clicks'], { encoding: 'utf8' }).stdout.trim());
  const low = wrkGo + warmClicks;
  const high = wrkGo + warmClicks + goConns;
  const countOk = counted >= low && counted <= high;
  if (!countOk) problems.push(`clicks counted ${counted}, expected ${low} ≤ counted ≤ ${high}`);

  const f = (x) => x.toFixed(x < 10 ? 2 : 0);
  const lines = [];
  lines.push(`| scenario | conns | cyberguide req/s | nginx req/s | ratio | cyberguide p50 / p99 ms | nginx p50 / p99 ms |`);
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    lines.push(`| ${r.name} | ${r.c} | ${f(r.cg.rps)} | ${f(r.ngx.rps)} | ${(r.cg.rps / r.ngx.rps).toFixed(2)} | ${f(r.cg.p50)} / ${f(r.cg.p99)} | ${f(r.ngx.p50)} / ${f(r.ngx.p99)} |`);
  }
  const nginxVersion = spawnSync(nginxBin, ['-v'], { encoding: 'utf8' }).stderr.trim();
  const wrkVersion = (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] || '').trim();
  const machine = [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`,
    `- ${nginxVersion}; ${wrkVersion}; wrk -t1, ${seconds} s per run, ${pairs} pair(s) per row in alternation, medians`,
    `- cyberguide: ${process.env.CYBERGUIDE_BIN} (default threads = cores, access log off); page ${plain.body.length} B, brotli ${br.body.length} B`,
    `- resident memory of cyberguide: ${(rssStart / 1024).toFixed(1)} MB after start, ${(rssEnd / 1024).toFixed(1)} MB after the runs`,
    `- clicks counted ${counted}; wrk reported ${wrkGo} (+${warmClicks} check) over ${goConns} connections: ${countOk ? 'within bounds' : 'OUT OF BOUNDS'}`,
  ];
  const report = `# cyberguide vs nginx${smoke ? ' (smoke run)' : ''}\n\n${machine.join('\n')}\n\n${lines.join('\n')}\n`;
  process.stdout.write(`${report}\n`);
  if (!smoke && !only) {
    const out = path.join(repoRoot, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-http.md`);
    fs.writeFileSync(out, report);
    console.log(`written to ${path.relative(repoRoot, out)}`);
  }
} catch (e) {
  problems.push(String(e.stack ?? e));
} finally {
  if (ngx && ngx.exitCode === null) {
    ngx.kill('SIGQUIT');
    await new Promise((r) => { ngx.on('exit', r); setTimeout(r, 3000); });
  }
  await cg.stop();
  cg.cleanup();
  fs.rmSync(ngxDir, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`http-bench: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
