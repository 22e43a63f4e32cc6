// Starts the real cyberguide binary for black-box and browser tests.
//
//   const srv = await startServer();          // fresh temp data dir, port chosen by the OS
//   ... srv.baseUrl ...
//   const { code, signal } = await srv.stop(); // SIGTERM, waits for exit (SIGKILL after a deadline)
//   srv.cleanup();                            // removes the temp data dir
//
// The contract with the C++ side: `cyberguide serve --listen 127.0.0.1 --port 0 --data DIR
// --content DIR --flush-interval-ms N` prints a line containing
// `listening on http://127.0.0.1:<port>` on stdout, and exits 0 on SIGTERM after writing every
// pending count.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binPath = process.env.CYBERGUIDE_BIN || path.join(repoRoot, 'build', 'debug', 'cyberguide');
export const contentDir = path.join(repoRoot, 'content');

const kListenRe = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const running = new Set();

// A test run must never leave a server behind, even when a test throws before its after() hook.
process.on('exit', () => {
  for (const proc of running) {
    try { proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/**
 * @param {object} [opts]
 * @param {string} [opts.content]           content directory (default <repo>/content)
 * @param {string} [opts.dataDir]           an existing data directory (default: a new temporary one)
 * @param {number} [opts.flushIntervalMs]   default 200
 * @param {number} [opts.startTimeoutMs]    default 20000
 * @param {string[]} [opts.extraArgs]
 * @param {Object<string,string>} [opts.env]  extra environment variables for the server
 * @returns {Promise<{port:number, baseUrl:string, dataDir:string, dbPath:string, proc:import('node:child_process').ChildProcess,
 *           output:()=>string, exited:Promise<{code:number|null, signal:string|null}>,
 *           stop:(opts?:{signal?:string, timeoutMs?:number})=>Promise<{code:number|null, signal:string|null}>, cleanup:()=>void}>}
 */
export async function startServer(opts = {}) {
  if (!fs.existsSync(binPath)) {
    throw new Error(`cyberguide binary not found at ${binPath} (build it, or set CYBERGUIDE_BIN)`);
  }
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cyberguide-test-'));
  const args = [
    'serve',
    '--listen', '127.0.0.1',
    '--port', '0',
    '--data', dataDir,
    '--content', opts.content ?? contentDir,
    '--flush-interval-ms', String(opts.flushIntervalMs ?? 200),
    ...(opts.extraArgs ?? []),
  ];
  const env = opts.env ? { ...process.env, ...opts.env } : process.env;
  const proc = spawn(binPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot, env });
  running.add(proc);

  let stdout = '';
  let stderr = '';
  const output = () => `--- stdout ---\n${stdout.slice(-8000)}\n--- stderr ---\n${stderr.slice(-8000)}`;
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      running.delete(proc);
      resolve({ code, signal });
    });
  });
  proc.on('error', () => { /* reported through 'exit' or the start timeout */ });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.setEncoding('utf8');

  const timeoutMs = opts.startTimeoutMs ?? 20000;
  let port;
  try {
    port = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "listening on http://127.0.0.1:<port>" line on stdout within ${timeoutMs} ms\n${output()}`)),
        timeoutMs);
      proc.stdout.on('data', (d) => {
        stdout += d;
        const m = kListenRe.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`cyberguide exited before listening (code ${code}, signal ${signal})\n${output()}`));
      });
    });
  } catch (err) {
    proc.kill('SIGKILL');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  let stopping = null;
  async function stop({ signal = 'SIGTERM', timeoutMs: stopTimeoutMs = 10000 } = {}) {
    if (!stopping) {
      stopping = (async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
        let timer;
        const killed = new Promise((resolve) => {
          timer = setTimeout(() => {
            proc.kill('SIGKILL');
            resolve(null);
          }, stopTimeoutMs);
        });
        const first = await Promise.race([exited, killed]);
        clearTimeout(timer);
        const result = await exited;
        return first === null ? { ...result, timedOut: true } : result;
      })();
    }
    return stopping;
  }

  function cleanup() {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    dbPath: path.join(dataDir, 'cyberguide.db'),
    proc,
    output,
    exited,
    stop,
    cleanup,
  };
}
