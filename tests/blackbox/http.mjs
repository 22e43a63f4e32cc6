// Small HTTP helpers over node:http and node:net, with bounded timeouts everywhere.

import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';

/**
 * One request on its own connection (Connection: close), the body read whole.
 * @returns {Promise<{status:number, headers:Record<string,string|string[]>, body:Buffer}>}
 */
export function request(baseUrl, reqPath, { method = 'GET', headers = {}, timeoutMs = 10000, body } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname,
      port: u.port,
      method,
      path: reqPath,
      headers,
      agent: false,
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${reqPath}`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function get(baseUrl, reqPath, headers = {}) {
  return request(baseUrl, reqPath, { method: 'GET', headers });
}

/** Decodes a body by its Content-Encoding (identity, gzip, br). */
export function decodeBody(res) {
  const enc = res.headers['content-encoding'];
  if (enc === undefined || enc === 'identity') return res.body;
  if (enc === 'gzip') return zlib.gunzipSync(res.body);
  if (enc === 'br') return zlib.brotliDecompressSync(res.body);
  throw new Error(`unexpected Content-Encoding ${enc}`);
}

/** Decodes the few HTML entities a template engine emits in attribute values. */
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    return String.fromCodePoint(parseInt(e.slice(1), 10));
  });
}

/** Every href of every <a> and <link> in the page, entity-decoded. */
export function hrefs(html) {
  const out = [];
  const re = /<(?:a|link|area)\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;
  let m;
  while ((m = re.exec(html))) out.push(decodeEntities(m[1] ?? m[2] ?? m[3]));
  return out;
}

/** The stylesheet hrefs of the page (<link rel="stylesheet" href=…>, attributes in any order). */
export function stylesheetHrefs(html) {
  const out = [];
  for (const tag of html.match(/<link\b[^>]*>/gi) ?? []) {
    if (!/\brel\s*=\s*["']?[^"'>]*\bstylesheet\b/i.test(tag)) continue;
    const m = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/i.exec(tag);
    if (m) out.push(decodeEntities(m[1] ?? m[2] ?? m[3]));
  }
  return out;
}

/** HTML-escapes text the way a template engine does (&, <, >; quotes are matched loosely by titleRegex). */
export function escapeHtmlText(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A regex matching `text` as escaped HTML text: & < > must be escaped, quotes may be raw or escaped. */
export function escapedTextRegex(text) {
  const parts = [];
  for (const ch of escapeHtmlText(text).match(/&(?:amp|lt|gt);|[\s\S]/g)) {
    if (ch === '"') parts.push('(?:"|&quot;|&#34;|&#x22;)');
    else if (ch === "'") parts.push("(?:'|&#39;|&#x27;|&apos;)");
    else parts.push(ch.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&'));
  }
  return new RegExp(parts.join(''));
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1 over one TCP connection, for keep-alive, pipelining, HEAD framing and limits.

/**
 * Parses as many complete responses as `buf` holds. `methods[i]` is the method of the i-th request
 * (HEAD responses have no body). A response with neither Content-Length nor chunked encoding
 * ends when the connection closes (`closed`). Returns {responses, rest}.
 */
export function parseResponses(buf, methods, closed = false) {
  const responses = [];
  let off = 0;
  while (responses.length < methods.length) {
    const end = buf.indexOf('\r\n\r\n', off, 'latin1');
    if (end < 0) break;
    const head = buf.subarray(off, end).toString('latin1');
    const [statusLine, ...lines] = head.split('\r\n');
    const sm = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!sm) throw new Error(`not an HTTP status line at byte ${off}: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const status = Number(sm[1]);
    const headers = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let bodyStart = end + 4;
    let body = Buffer.alloc(0);
    const method = methods[responses.length];
    const noBody = method === 'HEAD' || status === 304 || status === 204 || (status >= 100 && status < 200);
    if (!noBody) {
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        const parts = [];
        let p = bodyStart;
        for (;;) {
          const le = buf.indexOf('\r\n', p, 'latin1');
          if (le < 0) return { responses, rest: buf.subarray(off) };
          const size = parseInt(buf.subarray(p, le).toString('latin1'), 16);
          if (buf.length < le + 2 + size + 2) return { responses, rest: buf.subarray(off) };
          if (size === 0) { p = le + 4; break; }
          parts.push(buf.subarray(le + 2, le + 2 + size));
          p = le + 2 + size + 2;
        }
        body = Buffer.concat(parts);
        bodyStart = p;
      } else if (headers['content-length'] !== undefined) {
        const n = Number(headers['content-length']);
        if (buf.length < bodyStart + n) break;
        body = buf.subarray(bodyStart, bodyStart + n);
        bodyStart += n;
      } else if (closed) {
        body = buf.subarray(bodyStart);
        bodyStart = buf.length;
      } else {
        break; // delimited by the end of the connection: wait for it
      }
    }
    responses.push({ status, statusLine, headers, body });
    off = bodyStart;
  }
  return { responses, rest: buf.subarray(off) };
}

/**
 * Opens a connection and returns helpers to write requests and read a number of responses.
 */
export function rawConnect(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let closed = false;
    let waiter = null;
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); waiter?.(); });
    sock.on('close', () => { closed = true; waiter?.(); });
    sock.on('error', () => { closed = true; waiter?.(); });
    sock.once('connect', () => resolve({
      sock,
      write: (s) => sock.write(s),
      get closed() { return closed; },
      /** Reads `methods.length` responses; rejects on timeout or when the server closes first. */
      read(methods, timeoutMs = 5000) {
        return new Promise((res, rej) => {
          const timer = setTimeout(() => { waiter = null; rej(new Error(`timeout waiting for ${methods.length} responses; got ${buf.length} bytes: ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`)); }, timeoutMs);
          const check = () => {
            let parsed;
            try { parsed = parseResponses(buf, methods, closed); } catch (e) { clearTimeout(timer); waiter = null; rej(e); return; }
            if (parsed.responses.length === methods.length) {
              clearTimeout(timer); waiter = null; buf = Buffer.from(parsed.rest); res(parsed.responses);
            } else if (closed) {
              clearTimeout(timer); waiter = null;
              rej(new Error(`connection closed after ${parsed.responses.length} of ${methods.length} responses`));
            }
          };
          waiter = check;
          check();
        });
      },
      /** Resolves with the bytes received until the server closes (or the timeout passes: then closed=false). */
      readUntilClose(timeoutMs = 5000) {
        return new Promise((res) => {
          const timer = setTimeout(() => { waiter = null; res({ closed: false, data: buf }); }, timeoutMs);
          const check = () => { if (closed) { clearTimeout(timer); waiter = null; res({ closed: true, data: buf }); } };
          waiter = check;
          check();
        });
      },
      end: () => sock.destroy(),
    }));
    sock.once('error', reject);
    sock.setTimeout(15000, () => sock.destroy());
  });
}

export const kSecurityHeaders = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/**
 * The reader pages: `seeds` plus every same-site page linked from them, transitively (not /go/,
 * not /static/). Returns the paths in discovery order; fragments are dropped.
 */
export async function crawl(baseUrl, seeds, max = 500) {
  const seen = new Set(seeds);
  const queue = [...seeds];
  for (let i = 0; i < queue.length && i < max; i += 1) {
    const res = await get(baseUrl, queue[i]);
    if (!/^text\/html/.test(res.headers['content-type'] ?? '')) continue;
    for (const href of hrefs(res.body.toString('utf8'))) {
      if (!href.startsWith('/') || href.startsWith('//')) continue;
      const p = href.replace(/#.*$/, '');
      if (p.startsWith('/go/') || p.startsWith('/static/') || seen.has(p)) continue;
      seen.add(p);
      queue.push(p);
    }
  }
  return queue;
}
