// Shared helpers for the nerx gazetteer generators (see build.sh).
// Everything here is deterministic: no clocks, no randomness, no locale-
// dependent collation (sorting is by UTF-8 bytes, i.e. LC_ALL=C order).
import fs from 'node:fs';
import path from 'node:path';

export const TYPES = new Set(['PERSON', 'LOCATION', 'ORGANIZATION', 'GIVEN_NAME', 'SURNAME', 'DEMONYM']);
const ATTR_ORDER = ['id', 'pop', 'country', 'common', 'ambiguous'];

export function readJson(p) {
  return JSON.parse(fs.readFileSync(p, 'utf8'));
}

// Normalise a raw source string into a surface form, or return null when it
// is not usable as a gazetteer name.
//  - NFC, whitespace (incl. NBSP, tabs, newlines) collapsed to one space, trimmed
//  - surrounding quotes/brackets stripped (repeatedly)
//  - at least 2 code points and at least one letter (no digit/punct-only names)
const WRAPPERS = [['"', '"'], ["'", "'"], ['“', '”'], ['„', '“'], ['‘', '’'], ['«', '»'], ['(', ')'], ['[', ']'], ['{', '}'], ['`', '`']];
export function clean(raw) {
  if (raw === undefined || raw === null) return null;
  let s = String(raw);
  // UTF-8 that was decoded as Latin-1 ("Ãmer" with a C1 control for "Ömer"):
  // repair it when it round-trips cleanly, otherwise drop the string
  if (/[\u0080-\u009f]/.test(s)) {
    if (!/^[\u0000-\u00ff]*$/.test(s)) return null;
    const fixed = Buffer.from(s, 'latin1').toString('utf8');
    if (fixed.includes('\ufffd') || /[\u0080-\u009f]/.test(fixed)) return null;
    s = fixed;
  }
  s = s.normalize('NFC');
  // control characters become spaces; format characters (bidi marks, BOM,
  // soft hyphen) are dropped, except ZWNJ/ZWJ inside a word, which Persian and
  // Kurdish spelling needs ("علی‌پور")
  s = s.replace(/[\p{Cc}\u2028\u2029]/gu, ' ').replace(/[\p{Cf}]/gu, (c) => (c === '\u200c' || c === '\u200d' ? c : ''));
  s = s.replace(/[\s\u00a0]+/gu, ' ').trim();
  s = s.replace(/^[\u200c\u200d\s]+|[\u200c\u200d\s]+$/gu, '').replace(/ ?[\u200c\u200d]+ ?/gu, (m) => m.trim() || m);
  for (let changed = true; changed && s.length >= 2;) {
    changed = false;
    for (const [a, b] of WRAPPERS) {
      if (s.startsWith(a) && s.endsWith(b) && s.length >= 2) {
        const inner = s.slice(a.length, s.length - b.length);
        // only strip when the wrapper is not also used inside (e.g. "A" and "B")
        if (!inner.includes(a) && !inner.includes(b)) { s = inner.trim(); changed = true; }
      }
    }
  }
  // unbalanced leading/trailing straight or curly double quotes
  s = s.replace(/^["“”„«»]+/u, '').replace(/["“”„«»]+$/u, '').trim();
  if ([...s].length < 2) return null;
  if (!/\p{L}/u.test(s)) return null;
  // '#' starts a comment line in the TSV format; '!' would sort above the
  // '# ' header line in LC_ALL=C order.
  if (/^[#!]/.test(s)) return null;
  if (/[\t\n\r]/.test(s)) return null;
  return s;
}

// Split "Base (Inner) rest" / "Base [Inner]" into the base name (bracketed
// parts removed) and the list of bracketed inner strings.
export function splitBrackets(s) {
  const inner = [];
  const base = s.replace(/\s*[\(\[]([^()\[\]]*)[\)\]]\s*/g, (m, g) => { inner.push(g.trim()); return ' '; })
    .replace(/\s+/g, ' ').trim();
  return { base, inner };
}

// Plausible alternative name taken from inside brackets: starts upper-case,
// not a code ("SE-01"), not a dangling fragment ("Kingdom of the"), not an
// ordinary lower-case English word ("Republic", "stolitsa" is lower-case).
export function goodInnerAlias(s, common) {
  if (!s || !/^\p{Lu}/u.test(s)) return false;
  if (/\d/.test(s) && /^[\p{Lu}\d\s-]+$/u.test(s)) return false;
  if (/\b(of|the|and|de|du|des|la|le)$/i.test(s)) return false;
  if (/,/.test(s)) return false;
  if (common.has(s.toLowerCase())) return false;
  // every word except short connectors is capitalised ("Islas Malvinas", not "Dutch part")
  const CONNECTORS = new Set(['of', 'the', 'and', 'de', 'del', 'la', 'le', 'da', 'do', 'di', 'du', 'des', 'y', 'et', 'al', 'el']);
  for (const w of s.split(/[\s-]+/)) if (w && !CONNECTORS.has(w) && !/^[\p{Lu}\p{N}]/u.test(w)) return false;
  return true;
}

// Ordinary lower-case English words from Debian's wamerican word list.
export function loadCommonWords(dictPath = '/usr/share/dict/american-english') {
  const set = new Set();
  for (const w of fs.readFileSync(dictPath, 'utf8').split('\n')) {
    const t = w.trim().normalize('NFC');
    if (t && t === t.toLowerCase() && /\p{L}/u.test(t)) set.add(t);
  }
  return set;
}

// ASCII folding ("São Paulo" -> "Sao Paulo"). Returns null when the folded
// form is not pure printable ASCII (e.g. non-Latin scripts) or is unchanged.
const SPECIAL = {
  'ß': 'ss', 'ẞ': 'SS', 'ø': 'o', 'Ø': 'O', 'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ð': 'd', 'Ð': 'D',
  'þ': 'th', 'Þ': 'Th', 'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'ı': 'i', 'ħ': 'h', 'Ħ': 'H',
  'ŀ': 'l', 'Ŀ': 'L', 'ŧ': 't', 'Ŧ': 'T', 'ĸ': 'k', 'ŋ': 'ng', 'Ŋ': 'NG', 'ƒ': 'f',
  'ʻ': "'", 'ʼ': "'", '’': "'", '‘': "'", 'ʿ': "'", 'ʾ': "'", '`': "'", '´': "'",
  '–': '-', '—': '-', '‐': '-', '‑': '-',
};
export function asciiFold(s) {
  let t = s.normalize('NFD').replace(/\p{M}/gu, '');
  t = [...t].map((c) => SPECIAL[c] ?? c).join('').normalize('NFC');
  if (t === s || !/^[\x20-\x7e]+$/.test(t)) return null;
  return t;
}

// Compare two rank arrays (numbers compared numerically, strings by code unit).
function cmpRank(a, b) {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i], y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

// A gazetteer file: one line per distinct name; when a name is offered more
// than once the entry with the smallest rank array wins (ties are resolved by
// the serialised line itself, so the result never depends on input order).
export class Gazetteer {
  constructor(type, common) {
    if (!TYPES.has(type)) throw new Error(`bad type ${type}`);
    this.type = type;
    this.common = common;
    this.entries = new Map(); // name -> {line, rank}
    this.offered = 0;
    this.rejected = 0;
  }

  // attrs: {id, pop, country, ambiguous}; `common` is computed here.
  add(rawName, { subtype = '', canonical = '', attrs = {}, rank = [] } = {}) {
    this.offered++;
    const name = clean(rawName);
    if (!name) { this.rejected++; return null; }
    const canon = canonical ? clean(canonical) ?? '' : '';
    if (subtype && !/^[a-z]+$/.test(subtype)) throw new Error(`bad subtype ${subtype}`);
    const a = { ...attrs };
    if (this.common.has(name.toLowerCase())) a.common = 1;
    const attrStr = ATTR_ORDER.filter((k) => a[k] !== undefined && a[k] !== null && a[k] !== '')
      .map((k) => `${k}=${String(a[k])}`).join(';');
    for (const k of Object.keys(a)) if (!ATTR_ORDER.includes(k)) throw new Error(`bad attribute ${k}`);
    for (const k of ATTR_ORDER) if (a[k] !== undefined && /[\s;=]/.test(String(a[k]))) throw new Error(`bad attribute value ${k}=${a[k]}`);
    const line = [name, this.type, subtype, canon === name ? '' : canon, attrStr].join('\t');
    const r = [...rank, line];
    const prev = this.entries.get(name);
    if (!prev || cmpRank(r, prev.rank) < 0) this.entries.set(name, { line, rank: r });
    return name;
  }

  has(name) { return this.entries.has(name); }
  delete(name) { this.entries.delete(name); }

  lines() {
    return [...this.entries.values()].map((e) => e.line)
      .map((l) => Buffer.from(l, 'utf8'))
      .sort(Buffer.compare)
      .map((b) => b.toString('utf8'));
  }

  write(file, header) {
    const body = this.lines();
    for (const l of body) {
      if (l.split('\t').length !== 5) throw new Error(`bad column count: ${l}`);
      if (l < '#' || l.startsWith('#')) throw new Error(`name would sort before/as comment: ${l}`);
    }
    const head = header.map((h) => `# ${h}`);
    for (let i = 1; i < head.length; i++) if (Buffer.compare(Buffer.from(head[i - 1]), Buffer.from(head[i])) > 0) throw new Error('header lines must be in C order');
    const out = head.join('\n') + '\n' + body.join('\n') + '\n';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, out, 'utf8');
    fs.renameSync(tmp, file);
    return body.length;
  }
}
