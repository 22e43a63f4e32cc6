// Helpers for the black-box and browser tests of the editor area (/admin), per docs/admin.md:
// accounts made with the real `cyberguide user add`, a small HTTP client with a cookie jar and the
// CSRF/Origin rules, an HTML tokenizer for forms and for finding markup that would execute, a
// fingerprint of the stored guide (to prove that a refused request changed nothing), and the
// hostile strings of the XSS tests.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startServer, binPath } from './server.mjs';

export const kLoginPath = '/admin/logga-in';
export const kLoginError = 'Fel användarnamn eller lösenord.';

/** The accounts most tests use. Passwords are long enough (12–256 code points). */
export const kEditor = { name: 'anna', role: 'editor', password: 'a long password 123' };
export const kAdmin = { name: 'root', role: 'admin', password: 'another long password 456' };

// ---------------------------------------------------------------------------------------------
// The command line.

/** Runs `cyberguide ARGS…` to completion. @returns {{status:number|null, stdout:string, stderr:string}} */
export function cli(args, { input, timeoutMs = 60000 } = {}) {
  const r = spawnSync(binPath, args, { input: input ?? '', encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `cyberguide user add NAME --role ROLE --password-stdin --data DIR`; throws unless it exits 0. */
export function addUser(dataDir, { name, role, password }) {
  const r = cli(['user', 'add', name, '--role', role, '--password-stdin', '--data', dataDir], { input: password });
  if (r.status !== 0) {
    throw new Error(`cyberguide user add ${name} --role ${role} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

/** startServer() with the given accounts added (with the real CLI) once it runs. */
export async function startAdminServer({ users = [kEditor, kAdmin], ...opts } = {}) {
  const srv = await startServer(opts);
  try {
    for (const u of users) addUser(srv.dataDir, u);
  } catch (e) {
    await srv.stop();
    srv.cleanup();
    throw e;
  }
  return srv;
}

/** Stops a server started by the tests and removes its data dir; returns the exit. */
export async function stopServer(srv) {
  if (!srv) return null;
  const r = await srv.stop();
  srv.cleanup();
  return r;
}

export function tmpDir(prefix = 'cyberguide-admin-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// ---------------------------------------------------------------------------------------------
// HTTP with a cookie jar.

/**
 * One request on its own connection. `localAddress` picks the client address (any 127.x.y.z on
 * Linux), so that one test can act as several clients for the per-client login throttling.
 */
export function rawRequest(baseUrl, reqPath, { method = 'GET', headers = {}, body, localAddress, timeoutMs = 30000 } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, method, path: reqPath, headers, agent: false, timeout: timeoutMs, localAddress,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: buf,
          text: buf.toString('utf8'),
          location: res.headers.location === undefined ? undefined : locationPath(baseUrl, res.headers.location),
          rawLocation: res.headers.location,
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${reqPath}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A Location made comparable: same-origin absolute URLs become their path (+query). */
export function locationPath(baseUrl, loc) {
  try {
    const u = new URL(loc, baseUrl);
    if (u.origin === new URL(baseUrl).origin) return u.pathname + u.search;
    return u.href;
  } catch {
    return loc;
  }
}

/** Parses one Set-Cookie header. */
export function parseSetCookie(line) {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  const out = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs: {}, raw: line };
  for (const a of attrs) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (k) out.attrs[k] = i < 0 ? true : a.slice(i + 1).trim();
  }
  return out;
}

export function setCookies(res) {
  const h = res.headers['set-cookie'];
  return (Array.isArray(h) ? h : h ? [h] : []).map(parseSetCookie);
}

function isDeletion(c) {
  if (c.value === '') return true;
  if (c.attrs['max-age'] !== undefined && Number(c.attrs['max-age']) <= 0) return true;
  if (typeof c.attrs.expires === 'string' && Date.parse(c.attrs.expires) < Date.now()) return true;
  return false;
}

export function formBody(fields) {
  const sp = new URLSearchParams();
  for (const [k, v] of entriesOf(fields)) sp.append(k, v);
  return sp.toString();
}

function entriesOf(fields) {
  if (Array.isArray(fields)) return fields;
  return Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]));
}

/**
 * A browser-like client: keeps the cookies it is given, sends `Origin: <baseUrl>` and the session's
 * CSRF token on POSTs unless told otherwise.
 */
export class Client {
  constructor(baseUrl, { localAddress } = {}) {
    this.baseUrl = baseUrl;
    this.localAddress = localAddress;
    this.jar = new Map();
    this.token = null; // the CSRF token last seen in a page of this session
  }

  get cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The session cookie {name, value}, or null. */
  get session() {
    for (const [name, value] of this.jar) if (/cg_session$/.test(name)) return { name, value };
    return null;
  }

  setCookie(name, value) {
    if (value === null) this.jar.delete(name);
    else this.jar.set(name, value);
  }

  async request(reqPath, { method = 'GET', headers = {}, body } = {}) {
    const h = { ...headers };
    if (this.jar.size > 0 && h.Cookie === undefined) h.Cookie = this.cookieHeader;
    const res = await rawRequest(this.baseUrl, reqPath, { method, headers: h, body, localAddress: this.localAddress });
    res.cookies = setCookies(res);
    for (const c of res.cookies) {
      if (isDeletion(c)) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const t = /<input\b[^>]*\bname\s*=\s*["']?csrf\b[^>]*>/i.exec(res.text);
    if (t && /^text\/html/.test(res.headers['content-type'] ?? '')) {
      const v = /\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(t[0]);
      if (v) this.token = decodeEntities(v[1] ?? v[2] ?? v[3]);
    }
    return res;
  }

  get(reqPath, headers = {}) {
    return this.request(reqPath, { headers });
  }

  /** The CSRF token of this session (from the overview page when none has been seen yet). */
  async csrf() {
    if (this.token === null) await this.get('/admin');
    if (this.token === null) throw new Error('no <input name="csrf"> in GET /admin');
    return this.token;
  }

  /**
   * POST a form. `csrf`: 'auto' adds the session's token unless `fields` has one, null sends none,
   * a string sends that. `origin`: the Origin header (null: none).
   */
  async post(reqPath, fields = {}, { csrf = 'auto', origin = this.baseUrl, headers = {} } = {}) {
    let entries = [...entriesOf(fields)];
    if (csrf === 'auto') {
      if (!entries.some(([k]) => k === 'csrf')) entries.push(['csrf', await this.csrf()]);
    } else if (typeof csrf === 'string') {
      entries = entries.filter(([k]) => k !== 'csrf');
      entries.push(['csrf', csrf]);
    } else {
      entries = entries.filter(([k]) => k !== 'csrf');
    }
    const h = { 'Content-Type': 'application/x-www-form-urlencoded', ...headers };
    if (origin !== null && h.Origin === undefined) h.Origin = origin;
    return this.request(reqPath, { method: 'POST', headers: h, body: formBody(entries) });
  }

  /** Logs in through the login form. Returns the POST's response. */
  async login(username, password, opts = {}) {
    const page = await this.get(kLoginPath);
    const form = parseForms(page.text).find((f) => f.fields.some(([k]) => k === 'password'));
    const fields = [];
    const csrf = form?.fields.find(([k]) => k === 'csrf');
    if (csrf) fields.push(csrf);
    fields.push(['username', username], ['password', password]);
    return this.post(kLoginPath, fields, { csrf: csrf ? csrf[1] : null, ...opts });
  }

  /** Logs in and asserts the 303 to /admin; throws with the answer otherwise. */
  async loginOk(user) {
    const res = await this.login(user.name, user.password);
    if (res.status !== 303 || res.location !== '/admin') {
      throw new Error(`login as ${user.name}: ${res.status} to ${res.rawLocation}, expected 303 to /admin\n${res.text.slice(0, 600)}`);
    }
    this.token = null;
    return res;
  }

  /**
   * GET `reqPath` and the form on it that posts to `action` (default: the page itself; null: the
   * page's main POST form, wherever it posts). `target` is where the form posts.
   */
  async form(reqPath, action = reqPath) {
    const res = await this.get(reqPath);
    if (res.status !== 200) throw new Error(`GET ${reqPath}: ${res.status}, expected 200 with a form\n${res.text.slice(0, 400)}`);
    const form = findForm(res.text, action, this.baseUrl, reqPath);
    return { res, form, target: form.target, fields: form.fields.map(([k, v]) => [k, v]) };
  }

  /**
   * Edits through the form of `reqPath`: every field as the page has it, `changes` applied
   * ({name: value} replaces all values of that name; null removes it; an array sets repeated values).
   */
  async edit(reqPath, changes, { action = reqPath, opts = {} } = {}) {
    const { fields, target } = await this.form(reqPath, action);
    const res = await this.post(target, withChanges(fields, changes), opts);
    return res;
  }
}

/** `fields` (entries) with `changes` applied, in the original order. */
export function withChanges(fields, changes) {
  const out = [];
  const done = new Set();
  for (const [k, v] of fields) {
    if (!(k in changes)) { out.push([k, v]); continue; }
    if (done.has(k)) continue;
    done.add(k);
    const c = changes[k];
    if (c === null) continue;
    for (const x of Array.isArray(c) ? c : [c]) out.push([k, String(x)]);
  }
  for (const [k, c] of Object.entries(changes)) {
    if (done.has(k) || c === null) continue;
    for (const x of Array.isArray(c) ? c : [c]) out.push([k, String(x)]);
  }
  return out;
}

export function fieldValue(fields, name) {
  return fields.find(([k]) => k === name)?.[1];
}

// ---------------------------------------------------------------------------------------------
// HTML.

export function decodeEntities(s) {
  const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return s.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (all, e) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      try { return String.fromCodePoint(cp); } catch { return all; }
    }
    return named[e] ?? all;
  });
}

const kRawText = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);

/**
 * A small HTML tokenizer, close enough to a browser's for finding tags and attributes: attribute
 * values may be quoted or not, and the content of script/style/textarea/title runs to its end tag.
 * Tokens: {type:'start', name, attrs:[{name, value}] (values entity-decoded), offset},
 * {type:'end', name}, {type:'text', text} (decoded), {type:'raw', parent, text} (decoded for
 * textarea/title, raw otherwise), {type:'comment', text}.
 */
export function tokenize(html) {
  const out = [];
  let i = 0;
  let text = '';
  const flush = () => { if (text) { out.push({ type: 'text', text: decodeEntities(text) }); text = ''; } };
  const n = html.length;
  while (i < n) {
    const c = html[i];
    if (c !== '<') { text += c; i += 1; continue; }
    if (html.startsWith('<!--', i)) {
      flush();
      const e = html.indexOf('-->', i + 4);
      const end = e < 0 ? n : e + 3;
      out.push({ type: 'comment', text: html.slice(i + 4, e < 0 ? n : e) });
      i = end;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      flush();
      const e = html.indexOf('>', i);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (html[i + 1] === '/' && /[a-zA-Z]/.test(html[i + 2] ?? '')) {
      flush();
      const m = /^<\/([^\s/>]+)[^>]*>?/.exec(html.slice(i, i + 300));
      out.push({ type: 'end', name: m[1].toLowerCase(), offset: i });
      const e = html.indexOf('>', i);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (!/[a-zA-Z]/.test(html[i + 1] ?? '')) { text += c; i += 1; continue; }
    flush();
    const start = i;
    i += 1;
    let name = '';
    while (i < n && !/[\s/>]/.test(html[i])) { name += html[i]; i += 1; }
    name = name.toLowerCase();
    const attrs = [];
    let selfClosing = false;
    for (;;) {
      while (i < n && /[\s/]/.test(html[i])) { if (html[i] === '/') selfClosing = true; i += 1; }
      if (i >= n) break;
      if (html[i] === '>') { i += 1; break; }
      selfClosing = false;
      let an = '';
      // The first character may be '=' (an attribute name, per the HTML tokenizer).
      an += html[i]; i += 1;
      while (i < n && !/[\s/>=]/.test(html[i])) { an += html[i]; i += 1; }
      while (i < n && /\s/.test(html[i])) i += 1;
      let value = '';
      if (html[i] === '=') {
        i += 1;
        while (i < n && /\s/.test(html[i])) i += 1;
        const q = html[i];
        if (q === '"' || q === "'") {
          const e = html.indexOf(q, i + 1);
          value = html.slice(i + 1, e < 0 ? n : e);
          i = e < 0 ? n : e + 1;
        } else {
          while (i < n && !/[\s>]/.test(html[i])) { value += html[i]; i += 1; }
        }
      }
      attrs.push({ name: an.toLowerCase(), value: decodeEntities(value) });
    }
    out.push({ type: 'start', name, attrs, selfClosing, offset: start, source: html.slice(start, i) });
    if (kRawText.has(name)) {
      const re = new RegExp(`</${name}[\\s/>]`, 'i');
      const rest = html.slice(i);
      const m = re.exec(rest);
      const raw = m ? rest.slice(0, m.index) : rest;
      out.push({ type: 'raw', parent: name, text: name === 'textarea' || name === 'title' ? decodeEntities(raw) : raw });
      i += raw.length;
    }
  }
  flush();
  return out;
}

export function attr(tok, name) {
  const a = tok.attrs.find((x) => x.name === name);
  return a === undefined ? undefined : a.value;
}

/**
 * Every form with the values a browser would submit (the button not included):
 * [{action, method, fields: [[name, value]…], controls: [{name, tag, type, value, checked}]}].
 */
export function parseForms(html) {
  const toks = tokenize(html);
  const forms = [];
  let form = null;
  let select = null;
  let option = null;
  for (let k = 0; k < toks.length; k += 1) {
    const t = toks[k];
    if (t.type === 'start' && t.name === 'form') {
      form = { action: attr(t, 'action') ?? '', method: (attr(t, 'method') ?? 'get').toLowerCase(), controls: [], fields: [] };
      forms.push(form);
      continue;
    }
    if (t.type === 'end' && t.name === 'form') { form = null; continue; }
    if (!form) continue;
    if (t.type === 'start' && t.name === 'input') {
      const type = (attr(t, 'type') ?? 'text').toLowerCase();
      const name = attr(t, 'name');
      const c = { tag: 'input', type, name, value: attr(t, 'value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : ''), checked: attr(t, 'checked') !== undefined, id: attr(t, 'id') };
      form.controls.push(c);
      if (!name || attr(t, 'disabled') !== undefined) continue;
      if (['submit', 'button', 'image', 'reset', 'file'].includes(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !c.checked) continue;
      form.fields.push([name, c.value]);
    } else if (t.type === 'start' && t.name === 'textarea') {
      const raw = toks[k + 1]?.type === 'raw' ? toks[k + 1].text : '';
      const value = raw.startsWith('\r\n') ? raw.slice(2) : raw.startsWith('\n') ? raw.slice(1) : raw;
      const name = attr(t, 'name');
      form.controls.push({ tag: 'textarea', type: 'textarea', name, value: value.replace(/\r\n/g, '\n'), id: attr(t, 'id') });
      if (name) form.fields.push([name, value.replace(/\r\n/g, '\n')]);
    } else if (t.type === 'start' && t.name === 'select') {
      select = { name: attr(t, 'name'), options: [], multiple: attr(t, 'multiple') !== undefined, id: attr(t, 'id') };
    } else if (t.type === 'start' && t.name === 'option' && select) {
      option = { value: attr(t, 'value'), selected: attr(t, 'selected') !== undefined, text: '' };
      select.options.push(option);
    } else if (t.type === 'text' && option) {
      option.text += t.text;
    } else if (t.type === 'end' && t.name === 'option') {
      option = null;
    } else if (t.type === 'end' && t.name === 'select' && select) {
      const chosen = select.options.filter((o) => o.selected);
      const picks = chosen.length > 0 ? chosen : select.multiple || select.options.length === 0 ? [] : [select.options[0]];
      for (const o of picks) {
        const v = o.value ?? o.text.trim();
        form.controls.push({ tag: 'select', type: 'select', name: select.name, value: v, options: select.options, id: select.id });
        if (select.name) form.fields.push([select.name, v]);
      }
      if (picks.length === 0) form.controls.push({ tag: 'select', type: 'select', name: select.name, value: null, options: select.options, id: select.id });
      select = null;
      option = null;
    }
  }
  return forms;
}

/**
 * The form of `html` whose action resolves to the path `action` (an empty action is the page
 * itself); with `action` null, the POST form with the most controls (the page's main form).
 * The form gets `target`: the path it posts to.
 */
export function findForm(html, action, baseUrl, pagePath) {
  const forms = parseForms(html);
  const base = new URL(pagePath, baseUrl);
  for (const x of forms) x.target = new URL(x.action || pagePath, base).pathname;
  let f;
  if (action === null) {
    f = forms.filter((x) => x.method === 'post').sort((a, b) => b.controls.length - a.controls.length)[0];
  } else {
    const target = new URL(action, baseUrl).pathname;
    f = forms.find((x) => x.method === 'post' && x.target === target);
  }
  if (!f) throw new Error(`no <form method="post"> posting to ${action} on ${pagePath}; forms: ${forms.map((x) => `${x.method} ${JSON.stringify(x.action)}`).join(', ') || 'none'}`);
  return f;
}

/** The visible text of a page (no tags, no script/style content), entity-decoded. */
export function visibleText(html) {
  return tokenize(html)
    .filter((t) => t.type === 'text' || (t.type === 'raw' && (t.parent === 'textarea' || t.parent === 'title')))
    .map((t) => t.text)
    .join(' ');
}

/** Every href of <a> (entity-decoded) on the page. */
export function links(html) {
  return tokenize(html).filter((t) => t.type === 'start' && t.name === 'a').map((t) => attr(t, 'href')).filter((h) => h !== undefined);
}

/** The inner HTML of the first element whose class list has `cls` (balanced on its tag name). */
export function elementByClass(html, cls) {
  const re = new RegExp(`<([a-z][a-z0-9]*)\\b[^>]*\\bclass\\s*=\\s*["'][^"']*\\b${cls}\\b[^"']*["'][^>]*>`, 'i');
  const m = re.exec(html);
  if (!m) return null;
  const tag = m[1].toLowerCase();
  let depth = 1;
  const tagRe = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'gi');
  tagRe.lastIndex = m.index + m[0].length;
  let t;
  while ((t = tagRe.exec(html))) {
    depth += t[1] ? -1 : 1;
    if (depth === 0) return html.slice(m.index + m[0].length, t.index);
  }
  return html.slice(m.index + m[0].length);
}

/** Every id="…" of the page. */
export function ids(html) {
  const out = new Set();
  for (const t of tokenize(html)) if (t.type === 'start') { const v = attr(t, 'id'); if (v !== undefined) out.add(v); }
  return out;
}

/**
 * Markup that a browser would run or that an attacker's string would have made: inline or foreign
 * scripts, event-handler attributes, javascript:/data:/vbscript: addresses, the hostile strings'
 * own <img src=x>, <iframe>/<object>/<embed>, meta refresh. Returns problems as strings.
 */
export function unsafeMarkup(html, where = '') {
  const problems = [];
  const toks = tokenize(html);
  for (let k = 0; k < toks.length; k += 1) {
    const t = toks[k];
    if (t.type !== 'start') continue;
    const src = t.source.length > 120 ? `${t.source.slice(0, 120)}…` : t.source;
    if (t.name === 'script') {
      const s = attr(t, 'src');
      const body = toks[k + 1]?.type === 'raw' ? toks[k + 1].text : '';
      if (s === undefined || !/^\/(?!\/)/.test(s) || body.trim() !== '') problems.push(`${where}: <script> element ${JSON.stringify(src)}${body.trim() ? ` with content ${JSON.stringify(body.slice(0, 80))}` : ''}`);
    }
    if (['iframe', 'object', 'embed', 'frame', 'frameset', 'applet', 'base'].includes(t.name)) problems.push(`${where}: <${t.name}> element ${JSON.stringify(src)}`);
    if (t.name === 'img' && (attr(t, 'src') ?? '') === 'x') problems.push(`${where}: the hostile <img src=x> as an element: ${JSON.stringify(src)}`);
    if (t.name === 'meta' && /refresh/i.test(attr(t, 'http-equiv') ?? '')) problems.push(`${where}: <meta http-equiv=refresh> ${JSON.stringify(src)}`);
    for (const a of t.attrs) {
      if (/^on/.test(a.name)) problems.push(`${where}: event-handler attribute ${a.name}= on <${t.name}>: ${JSON.stringify(src)}`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'srcdoc'].includes(a.name)) {
        // eslint-disable-next-line no-control-regex
        const v = a.value.replace(/[\u0000-\u0020\u007f-\u00a0\u2000-\u200f\u2028-\u202f\ufeff]/g, '').toLowerCase();
        if (/^(javascript|vbscript|data):/.test(v) || a.name === 'srcdoc') problems.push(`${where}: ${a.name}=${JSON.stringify(a.value.slice(0, 80))} on <${t.name}>`);
      }
      if (a.name === 'style' && /expression\(|url\(\s*['"]?\s*javascript:/i.test(a.value)) problems.push(`${where}: style with script on <${t.name}>`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// State.

/**
 * A fingerprint of everything the guide is made of in the database: every table but the ones that
 * change on any request (sessions, audit log, login attempts, click counts, migrations). Two equal
 * fingerprints: the request changed no content, draft, revision, account or setting.
 */
// Reader statistics (clicks, page views, searches) keep counting while a test runs: never part of it.
export function dbFingerprint(dbPath, { exclude = /session|audit|attempt|throttl|login|click|page_views|search_counts|migration|sqlite_/i } = {}) {
  const q = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', '-batch', '-bail', dbPath], { input: sql, encoding: 'utf8', timeout: 30000, maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`sqlite3 ${dbPath} ${JSON.stringify(sql.slice(0, 200))}: exit ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  const tables = q("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").split('\n').filter(Boolean).filter((t) => !exclude.test(t));
  const sql = ['.mode quote', ...tables.map((t) => `SELECT '== ${t}'; SELECT * FROM "${t}" ORDER BY 1;`)].join('\n');
  return q(sql);
}

/** The output of one sqlite3 statement on the database (a server may be running). */
export function sqlite(dbPath, sql) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', '-batch', dbPath, sql], { encoding: 'utf8', timeout: 30000, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`sqlite3 ${dbPath} ${JSON.stringify(sql)}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Lines of two fingerprints that differ (for a readable assertion message). */
export function fingerprintDiff(a, b, max = 12) {
  const A = a.split('\n');
  const B = b.split('\n');
  const setA = new Set(A);
  const setB = new Set(B);
  const out = [];
  for (const l of A) if (!setB.has(l)) out.push(`- ${l.slice(0, 200)}`);
  for (const l of B) if (!setA.has(l)) out.push(`+ ${l.slice(0, 200)}`);
  return out.slice(0, max).join('\n') + (out.length > max ? `\n… ${out.length - max} more` : '');
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir) {
  const out = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Calls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function poll(fn, { timeoutMs = 3000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() >= deadline) return v;
    await sleep(intervalMs);
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function randomToken(bytes = 32) {
  return randomBytes(bytes).toString('base64url');
}

// ---------------------------------------------------------------------------------------------
// Editing the guide through the forms.

/**
 * Publishes the draft the way an editor does: reviews /admin/utkast and posts its publish form,
 * with the hidden `draft` token of the reviewed draft. Returns {res, id} (the 303 goes to
 * /admin/historik/{id}).
 */
export async function publish(client, message = 'Test') {
  const { fields, target } = await client.form('/admin/utkast', '/admin/publicera');
  const res = await client.post(target, withChanges(fields, { message }));
  // docs/admin.md: 303 to /admin/historik/{id} (a query string, e.g. for a notice, is tolerated).
  const m = /^\/admin\/historik\/(\d+)(?:\?[^#]*)?$/.exec(res.location ?? '');
  if (res.status !== 303 || !m) {
    throw new Error(`POST /admin/publicera: ${res.status} to ${res.rawLocation}, expected 303 to /admin/historik/{id}\n${res.text.slice(0, 600)}`);
  }
  return { res, id: Number(m[1]) };
}

/** The hidden `draft` token of the publish form on /admin/utkast (the draft as reviewed now). */
export async function draftToken(client) {
  const res = await client.get('/admin/utkast');
  const form = parseForms(res.text).find((f) => f.method === 'post' && /\/admin\/publicera$/.test(f.action));
  return form ? fieldValue(form.fields, 'draft') ?? '' : ''; // no draft: no publish form
}

/** Asserts a POST answered 303 (Post/Redirect/Get); throws with the page otherwise. */
export function expect303(res, what) {
  if (res.status !== 303) {
    const summary = elementByClass(res.text, 'error-summary');
    throw new Error(`${what}: ${res.status}, expected 303${summary ? `\nerror summary: ${visibleText(summary).replace(/\s+/g, ' ').trim()}` : `\n${res.text.slice(0, 600)}`}`);
  }
  return res;
}

/** Waits until the public page `p` satisfies `pred(text)` (the reader site picks up a publish within a second). */
export async function waitPublic(baseUrl, p, pred, timeoutMs = 3000) {
  let last;
  const ok = await poll(async () => {
    last = await rawRequest(baseUrl, p);
    return pred(last.text, last);
  }, { timeoutMs, intervalMs: 100 });
  return { ok: !!ok, res: last };
}

/** Ids of the revisions linked from /admin/historik, descending. */
export function revisionIds(html) {
  const out = new Set();
  for (const h of links(html)) {
    const m = /^\/admin\/historik\/(\d+)(?:\?.*)?$/.exec(h);
    if (m) out.add(Number(m[1]));
  }
  return [...out].sort((a, b) => b - a);
}

// ---------------------------------------------------------------------------------------------
// Hostile strings.

export const kHostileParts = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  'javascript:alert(1)',
  '</textarea><script>alert(2)</script>',
  '{{x}}',
  '\u202Eevil\u202C',
  '\u0001\u0008\u000B\u001F\u007F', // control characters (no NUL)
];

/** Variants tried in turn when a form refuses the longer one (length bounds, control characters). */
export const kHostileVariants = [
  kHostileParts.join(' '),
  kHostileParts.slice(0, 7).join(' '),
  '<script>alert(1)</script>"><img src=x onerror=alert(1)>\'onmouseover=\'alert(1)',
  '<script>alert(1)</script>',
];

/** Extra Markdown-borne attacks for the long (textarea) fields. */
export const kHostileMarkdown = '\n\n[klicka](javascript:alert(1)) <a href="javascript:alert(1)">x</a> <img src=x onerror=alert(1)>\n\n<script>alert(3)</script>\n';

/** Fields that take slugs, addresses, numbers, choices or paths rather than text. */
const kNotText = new Set(['csrf', 'slug', 'url', 'home_page', 'publisher', 'category', 'level', 'order', 'year', 'position', 'page', 'cost', 'levels', 'url_is_home_page', 'owner_domains']);

function isTextControl(c) {
  if (!c.name || kNotText.has(c.name) || /^resource_\d+$/.test(c.name)) return false;
  if (c.tag === 'textarea') return true;
  return c.tag === 'input' && ['text', 'search', ''].includes(c.type);
}

/**
 * Puts the hostile strings into every text field of the form on `reqPath` and posts it. While the
 * answer is 422, the fields the error summary names (or all, when it names none) get the next,
 * shorter variant; every refused page is checked for unsafe markup too.
 * @returns {Promise<{variant:number, variants:Record<string, number>, fields:string[], problems:string[]}>}
 */
export async function postHostile(client, reqPath, { action = reqPath } = {}) {
  const problems = [];
  const level = {}; // field name -> index into kHostileVariants
  for (let round = 0; round < 4 * kHostileVariants.length; round += 1) {
    const { form, fields, target } = await client.form(reqPath, action);
    // A start pick's text only where the pick has a resource ("empty resource: unused").
    const text = form.controls.filter(isTextControl).filter((c) => {
      const m = /^text_(\d+)$/.exec(c.name);
      return !m || (fieldValue(fields, `resource_${m[1]}`) ?? '') !== '';
    });
    const changes = {};
    for (const c of text) {
      level[c.name] ??= 0;
      changes[c.name] = kHostileVariants[level[c.name]] + (c.tag === 'textarea' && c.name !== 'former_names' ? kHostileMarkdown : '');
    }
    const res = await client.post(target, withChanges(fields, changes));
    if (res.status === 303) {
      const names = text.map((c) => c.name);
      return { variant: Math.max(0, ...names.map((n) => level[n])), variants: { ...level }, fields: names, problems };
    }
    problems.push(...unsafeMarkup(res.text, `POST ${target} (refused, ${res.status})`));
    if (res.status !== 422) throw new Error(`POST ${target} with hostile text: ${res.status}, expected 303 (or 422 for a bounded field)\n${res.text.slice(0, 600)}`);
    const summary = elementByClass(res.text, 'error-summary') ?? '';
    const idToName = new Map(form.controls.filter((c) => c.id).map((c) => [c.id, c.name]));
    let named = links(summary).filter((h) => h.startsWith('#')).map((h) => idToName.get(decodeURIComponent(h.slice(1)))).filter((n) => n in changes);
    if (named.length === 0) named = Object.keys(changes);
    const stuck = named.filter((n) => level[n] >= kHostileVariants.length - 1);
    if (stuck.length) {
      throw new Error(`POST ${target}: every hostile variant refused with 422 for ${stuck.join(', ')}: ${visibleText(summary).replace(/\s+/g, ' ').trim()}`);
    }
    for (const n of named) level[n] += 1;
  }
  throw new Error(`POST ${action}: no hostile variant accepted`);
}

/** The first `/admin/<section>/<x>` edit link on a list page (not …/ny). */
export async function firstEditPath(client, listPath) {
  const res = await client.get(listPath);
  const re = new RegExp(`^${listPath}/(?!ny$)[^/?#]+$`);
  const p = links(res.text).find((h) => re.test(h));
  if (!p) throw new Error(`GET ${listPath}: no link to ${listPath}/{slug}`);
  return p;
}

/**
 * The hostile strings in every text field of a resource (disa), a publisher (mcf), the first
 * category, level and callout, the site texts and the start picks — as a draft, not published.
 * @returns {Promise<{edited: {path:string, variant:number, fields:string[]}[], problems:string[],
 *           category:string, level:string, calloutPage:string|undefined}>}
 */
export async function applyHostileEverywhere(client) {
  const category = await firstEditPath(client, '/admin/kategorier');
  const level = await firstEditPath(client, '/admin/nivaer');
  const callout = await firstEditPath(client, '/admin/utrop');
  const calloutPage = fieldValue((await client.form(callout, callout)).fields, 'page');
  const edited = [];
  const problems = [];
  for (const p of ['/admin/resurser/disa', '/admin/utgivare/mcf', category, level, callout, '/admin/texter', '/admin/borja-har']) {
    const r = await postHostile(client, p);
    edited.push({ path: p, variant: r.variant, variants: r.variants, fields: r.fields });
    problems.push(...r.problems);
  }
  return { edited, problems, category: category.split('/').pop(), level: level.split('/').pop(), calloutPage };
}

/** The hostile `<script>alert(1)</script>` as escaped text (any entity spelling). */
export const kEscapedScript = /(?:&lt;|&#0*60;|&#x0*3c;)script(?:&gt;|&#0*62;|&#x0*3e;)alert\(1\)/i;
