// Black-box tests of the connection deadlines: a request that has begun must arrive whole within
// --read-timeout-ms (408, even when bytes keep trickling in), a kept-alive connection is closed after
// --idle-timeout-ms, and a connection that never sends anything is closed too. Short timeouts so the
// test takes a few seconds; the figures asserted are generous bounds, not speeds.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { rawConnect } from './http.mjs';

const kRead = 400;
const kIdle = 800;
let srv;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('connection deadlines', { timeout: 60000 }, () => {
  before(async () => {
    srv = await startServer({ extraArgs: ['--read-timeout-ms', String(kRead), '--idle-timeout-ms', String(kIdle)] });
  });
  after(async () => {
    if (srv) {
      const r = await srv.stop();
      srv.cleanup();
      assert.equal(r.code, 0, `server exit after SIGTERM: ${JSON.stringify(r)}`);
    }
  });

  it('answers 408 and closes when a begun request does not arrive whole in time', async () => {
    const conn = await rawConnect(srv.port);
    const started = Date.now();
    conn.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const { closed, data } = await conn.readUntilClose(10000);
    const took = Date.now() - started;
    conn.end();
    assert.ok(closed, 'the server did not close the connection');
    assert.match(data.toString('latin1'), /^HTTP\/1\.1 408 /);
    assert.ok(took >= kRead - 100 && took < kRead + 3000, `closed after ${took} ms`);
  });

  it('does not let a slow sender stretch the deadline by trickling bytes (slowloris)', async () => {
    const conn = await rawConnect(srv.port);
    const started = Date.now();
    const header = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(200);
    let i = 0;
    const timer = setInterval(() => { if (!conn.closed && i < header.length) conn.write(header[i++]); }, 50);
    const { closed, data } = await conn.readUntilClose(10000);
    clearInterval(timer);
    const took = Date.now() - started;
    conn.end();
    assert.ok(closed, 'the server did not close the connection');
    assert.match(data.toString('latin1'), /^HTTP\/1\.1 408 /);
    assert.ok(took < kRead + 3000, `closed after ${took} ms while bytes kept coming`);
  });

  it('closes a kept-alive connection that stays idle, without sending anything', async () => {
    const conn = await rawConnect(srv.port);
    conn.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const [a] = await conn.read(['GET']);
    assert.equal(a.status, 200);
    const started = Date.now();
    await sleep(kRead + 200); // past the read deadline: an idle connection has the longer idle deadline
    assert.equal(conn.closed, false, 'closed after the read timeout, before the idle timeout');
    const { closed, data } = await conn.readUntilClose(10000);
    const took = Date.now() - started;
    conn.end();
    assert.ok(closed, 'the server did not close the idle connection');
    assert.equal(data.length, 0, `sent ${JSON.stringify(data.toString('latin1').slice(0, 80))} before closing`);
    assert.ok(took >= kIdle - 100 && took < kIdle + 3000, `closed after ${took} ms`);
  });

  it('closes a connection that never sends a byte, and keeps serving others', async () => {
    const conn = await rawConnect(srv.port);
    const { closed, data } = await conn.readUntilClose(10000);
    conn.end();
    assert.ok(closed);
    assert.equal(data.length, 0);
    const other = await rawConnect(srv.port);
    other.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const [r] = await other.read(['GET']);
    other.end();
    assert.equal(r.status, 200);
  });
});
