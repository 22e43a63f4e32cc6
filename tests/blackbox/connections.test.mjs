// Caps on open connections: per client address and in all. A connection over a cap gets a Swedish
// 503 with Retry-After and is closed; a connection that ends frees its place at once.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './server.mjs';

// A kept-alive connection from `localAddress` that has been answered once (so it was accepted and
// counted); `answer` is the first response's head.
function open(port, localAddress) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    let buf = '';
    let closed = false;
    sock.setEncoding('utf8');
    sock.on('error', () => {});
    sock.on('close', () => { closed = true; });
    sock.on('data', (d) => {
      buf += d;
      const m = /^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n/.exec(buf);
      if (m) resolve({ sock, status: Number(m[1]), head: m[0], get closed() { return closed; }, buf: () => buf });
    });
    sock.on('connect', () => sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    setTimeout(() => reject(new Error(`no answer from ${localAddress}`)), 5000);
  });
}

const waitClosed = (c) => new Promise((resolve) => {
  if (c.closed) resolve(true);
  c.sock.on('close', () => resolve(true));
  setTimeout(() => resolve(false), 3000);
});

describe('connection caps', { timeout: 60000 }, () => {
  let srv;
  const conns = [];
  before(async () => {
    srv = await startServer({ extraArgs: ['--max-connections', '12', '--max-connections-per-ip', '5'] });
  }, { timeout: 30000 });
  after(async () => {
    for (const c of conns) c.sock.destroy();
    if (!srv) return;
    const r = await srv.stop();
    srv.cleanup();
    assert.equal(r.code, 0, `server exit: ${JSON.stringify(r)}\n${srv.output()}`);
  });

  it('logs the caps in force at start', () => {
    assert.match(srv.output(), /"max_connections":"12","max_connections_per_ip":"5"/);
  });

  it('answers the sixth connection from one address 503 with Retry-After and closes it; another address is served', async () => {
    for (let i = 0; i < 5; i++) {
      const c = await open(srv.port, '127.0.0.1');
      conns.push(c);
      assert.equal(c.status, 200, `connection ${i + 1}`);
    }
    const sixth = await open(srv.port, '127.0.0.1');
    assert.equal(sixth.status, 503);
    assert.match(sixth.head, /\r\nRetry-After: 5\r\n/);
    assert.match(sixth.head, /\r\nConnection: close\r\n/);
    assert.match(sixth.head, /\r\nCache-Control: no-store\r\n/);
    assert.ok(await waitClosed(sixth), 'the refused connection was closed');
    assert.match(sixth.buf(), /för många öppna anslutningar/);
    const other = await open(srv.port, '127.0.0.2');
    conns.push(other);
    assert.equal(other.status, 200);
  });

  it('frees the place of a connection that ends', async () => {
    const gone = conns.shift();
    gone.sock.destroy();
    await waitClosed(gone);
    await new Promise((r) => setTimeout(r, 200));
    const again = await open(srv.port, '127.0.0.1');
    conns.push(again);
    assert.equal(again.status, 200);
  });

  it('refuses any address once 12 connections are open in all, and serves again when one ends', async () => {
    // Open now: 5 from .1, 1 from .2. Six more from .2, .3 fill the total.
    for (const addr of ['127.0.0.2', '127.0.0.2', '127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3']) {
      const c = await open(srv.port, addr);
      conns.push(c);
      assert.equal(c.status, 200, addr);
    }
    const over = await open(srv.port, '127.0.0.4');
    assert.equal(over.status, 503);
    assert.ok(await waitClosed(over));
    const last = conns.pop();
    last.sock.destroy();
    await waitClosed(last);
    await new Promise((r) => setTimeout(r, 200));
    const fresh = await open(srv.port, '127.0.0.4');
    conns.push(fresh);
    assert.equal(fresh.status, 200);
  });
});
