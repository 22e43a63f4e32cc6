// Reads the content pack (docs/content-format.md) independently of the server, so that the tests
// compare what the server shows against the files, not against the server's own reading of them.
//
// A deliberately small reader: `[[table]]` headers start a record, top-level `key = value` lines
// with basic ("…"), literal ('…') strings, integers, booleans and one-line string arrays are read;
// multi-line strings ("""…""" / '''…''') are skipped over (their lines are never taken for keys).

import fs from 'node:fs';
import path from 'node:path';
import { contentDir } from './server.mjs';

function unescapeBasic(s) {
  return s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|["\\bfnrt])/g, (_, e) => {
    switch (e[0]) {
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'u': case 'U': return String.fromCodePoint(parseInt(e.slice(1), 16));
      default: return e;
    }
  });
}

// Parses one value at the start of `s`; returns undefined for what this reader does not handle.
function parseValue(s) {
  s = s.trim();
  let m;
  if ((m = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(s))) return unescapeBasic(m[1]);
  if ((m = /^'([^']*)'\s*(#.*)?$/.exec(s))) return m[1];
  if ((m = /^([+-]?\d[\d_]*)\s*(#.*)?$/.exec(s))) return Number(m[1].replace(/_/g, ''));
  if ((m = /^(true|false)\s*(#.*)?$/.exec(s))) return m[1] === 'true';
  if ((m = /^\[(.*)\]\s*(#.*)?$/.exec(s))) {
    const items = [];
    const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g;
    let it;
    while ((it = re.exec(m[1]))) items.push(it[1] !== undefined ? unescapeBasic(it[1]) : it[2]);
    return items;
  }
  return undefined;
}

/** @returns {{top: Record<string, any>, tables: Record<string, Record<string, any>[]>}} */
export function parseSimpleToml(text) {
  const top = {};
  const tables = {};
  let current = top;
  let inMulti = null; // the closing delimiter while inside a multi-line string
  let pendingArray = null; // {key, text} while a multi-line array is being read
  for (const raw of text.split(/\r?\n/)) {
    const line = raw;
    if (inMulti) {
      if (line.includes(inMulti)) inMulti = null;
      continue;
    }
    if (pendingArray) {
      pendingArray.text += ' ' + line.replace(/#.*$/, '');
      if (/\]\s*$/.test(pendingArray.text)) {
        current[pendingArray.key] = parseValue(pendingArray.text);
        pendingArray = null;
      }
      continue;
    }
    let m;
    if ((m = /^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]\s*(#.*)?$/.exec(line))) {
      current = {};
      (tables[m[1]] ??= []).push(current);
      continue;
    }
    if ((m = /^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$/.exec(line))) {
      current = {};
      tables[m[1]] = [current];
      continue;
    }
    if ((m = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line))) {
      const [, key, rest] = m;
      const v = rest.trim();
      for (const delim of ['"""', "'''"]) {
        if (v.startsWith(delim)) {
          const after = v.slice(3);
          if (!after.includes(delim)) inMulti = delim;
          else current[key] = after.slice(0, after.indexOf(delim));
        }
      }
      if (v.startsWith('"""') || v.startsWith("'''")) continue;
      if (v.startsWith('[') && !/\]\s*(#.*)?$/.test(v)) {
        pendingArray = { key, text: v };
        continue;
      }
      current[key] = parseValue(v);
    }
  }
  return { top, tables };
}

function readToml(file) {
  return parseSimpleToml(fs.readFileSync(file, 'utf8'));
}

/**
 * The guide as the content files describe it.
 * @returns {{categories: {slug:string, name:string, levels:string[]}[], levels: {slug:string, name:string}[],
 *            resources: {slug:string, title:string, category:string, level:string, url:string, order:number}[],
 *            publisherHomePages: string[]}}
 */
export function loadContent(dir = contentDir) {
  const categories = (readToml(path.join(dir, 'categories.toml')).tables.category ?? []).map((c) => ({
    slug: c.slug, name: c.name, levels: c.levels ?? [],
  }));
  const levels = (readToml(path.join(dir, 'levels.toml')).tables.level ?? []).map((l) => ({
    slug: l.slug, name: l.name,
  }));
  let publisherHomePages = [];
  const pubFile = path.join(dir, 'publishers.toml');
  if (fs.existsSync(pubFile)) {
    publisherHomePages = (readToml(pubFile).tables.publisher ?? []).map((p) => p.home_page).filter(Boolean);
  }
  const resDir = path.join(dir, 'resources');
  const resources = fs.readdirSync(resDir)
    .filter((f) => f.endsWith('.toml'))
    .sort()
    .map((f) => {
      const { top } = readToml(path.join(resDir, f));
      for (const key of ['slug', 'title', 'url']) {
        if (typeof top[key] !== 'string' || top[key] === '') {
          throw new Error(`${f}: top-level ${key} missing or not a one-line string`);
        }
      }
      return {
        file: f,
        slug: top.slug,
        title: top.title,
        category: top.category ?? '',
        level: top.level ?? '',
        url: top.url,
        order: typeof top.order === 'number' ? top.order : 0,
      };
    });
  if (categories.length === 0) throw new Error(`no [[category]] in ${dir}/categories.toml`);
  if (levels.length === 0) throw new Error(`no [[level]] in ${dir}/levels.toml`);
  if (resources.length === 0) throw new Error(`no resources in ${resDir}`);
  return { categories, levels, resources, publisherHomePages };
}

/** Every reader page that must answer 200, in a stable order. */
export function readerPages(content) {
  const pages = ['/'];
  for (const c of content.categories) {
    pages.push(`/kategorier/${c.slug}`);
    for (const l of c.levels) pages.push(`/kategorier/${c.slug}/${l}`);
    pages.push(`/kategorier/${c.slug}/alla-nivaer`);
  }
  for (const l of content.levels) pages.push(`/nivaer/${l.slug}`);
  for (const r of content.resources) pages.push(`/resurser/${r.slug}`);
  pages.push('/om-webbplatsen', '/tillganglighetsredogorelse');
  return pages;
}

/** An unknown path used for the 404 page. */
export const kNotFoundPath = '/finns-inte-har';
