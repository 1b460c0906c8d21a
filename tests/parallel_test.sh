#!/usr/bin/env bash
# nerx as a stateless mapper: a corpus of a few thousand JSON lines split by
# GNU parallel (--pipe -k) over several nerx processes gives output that is
# byte-identical to one process. The same holds for the way Hadoop Streaming
# (map-only) and Spark's RDD.pipe run it: each split or partition through its
# own process, outputs concatenated in order (simulated here with split(1)).
#
#   parallel_test.sh BIN FIXTURES_DIR [EXAMPLES_DIR]
#
# Exits 77 (skip) when GNU parallel or python3 is missing.
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"  # pass, fail, finish

BIN=${1:?usage: parallel_test.sh BIN FIXTURES_DIR [EXAMPLES_DIR]}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
FIX=$(cd "${2:?usage: parallel_test.sh BIN FIXTURES_DIR}" && pwd)
EXAMPLES=${3:-$FIX/../../examples}
if ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
  echo "GNU parallel not installed (Debian: apt-get install parallel): skipping"
  exit 77
fi
command -v python3 >/dev/null || { echo "python3 not found: skipping"; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nerx-parallel-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT


# A corpus: sentences of the fixtures and the example, mixed into records
# with ids and other fields, non-ASCII text. A second one has a few lines
# that nerx must report as errors in place.
python3 - "$TMP/corpus.jsonl" "$TMP/bad.jsonl" "$FIX" "$EXAMPLES" <<'EOF'
import glob, json, os, re, sys
out, bad, fix, examples = sys.argv[1:5]
texts = []
for path in sorted(glob.glob(os.path.join(examples, "*.txt")) +
                   [os.path.join(fix, n) for n in ("simple.txt", "unicode.txt", "lines.txt")]):
    if os.path.exists(path):
        text = open(path, encoding="utf-8").read()
        texts += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]
people = ["Ishaq Dar", "Amir Khan Muttaqi", "Angela Merkel", "Antonio Guterres", "Olaf Scholz"]
places = ["Kabul", "Islamabad", "Paris", "Geneva", "Z\u00fcrich", "Addis Ababa", "Berlin"]
orgs = ["the Taliban", "the World Health Organization", "the European Union", "Reuters"]
with open(out, "w", encoding="utf-8") as f, open(bad, "w", encoding="utf-8") as g:
    for i in range(4000):
        if i % 997 == 500:
            g.write("not json at all\n")
        t = texts[i % len(texts)]
        if i % 3 == 0:
            t += " %s met officials of %s in %s." % (people[i % 5], orgs[i % 4], places[i % 7])
        if i % 11 == 0:
            t = (t + " ") * (1 + i % 7)  # some longer records
        rec = {"doc": i, "text": t}
        if i % 5 == 0:
            rec["meta"] = {"source": "wire", "n": i % 13}
        line = json.dumps(rec, ensure_ascii=(i % 2 == 0)) + "\n"
        f.write(line)
        g.write(line)
EOF
lines=$(wc -l <"$TMP/corpus.jsonl")
bytes=$(wc -c <"$TMP/corpus.jsonl")
if ((lines >= 4000 && bytes > 200000)); then
  pass "corpus: $lines JSON lines, $bytes bytes"
else
  fail "corpus: a few thousand JSON lines" "$lines lines, $bytes bytes"
fi

"$BIN" --input jsonl <"$TMP/corpus.jsonl" >"$TMP/one.jsonl" 2>"$TMP/one.err"
ONE_RC=$?
if [[ $ONE_RC == 0 && $(wc -l <"$TMP/one.jsonl") == "$lines" ]] && grep -q '"entities":\[{' "$TMP/one.jsonl"; then
  pass "one process: a line out per line in"
else
  fail "one process: a line out per line in" "exit $ONE_RC, $(wc -l <"$TMP/one.jsonl") lines"
fi

# same NAME FILE: FILE must be byte-identical to one process's output.
same() {
  if cmp -s "$2" "$TMP/one.jsonl"; then
    pass "$1"
  else
    fail "$1" "$(wc -l <"$2") lines" "$(cmp "$2" "$TMP/one.jsonl" 2>&1 | head -1)"
  fi
}

parallel --will-cite --pipe -k --block 50k -j4 "$BIN" --input jsonl \
  <"$TMP/corpus.jsonl" >"$TMP/par.jsonl" 2>"$TMP/par.err"
same "parallel --pipe -k --block 50k -j4: byte-identical to one process" "$TMP/par.jsonl"

parallel --will-cite --pipe -k --block 20k -j3 "$BIN" --input jsonl -j 2 \
  <"$TMP/corpus.jsonl" >"$TMP/par2.jsonl" 2>/dev/null
same "parallel with smaller blocks and nerx -j 2: byte-identical" "$TMP/par2.jsonl"

# -S : is this machine through the remote-host machinery (no ssh needed).
parallel --will-cite --pipe -k --block 50k -S 2/: "$BIN" --input jsonl \
  <"$TMP/corpus.jsonl" >"$TMP/remote.jsonl" 2>/dev/null
same "parallel -S 2/: (the recipe for other hosts): byte-identical" "$TMP/remote.jsonl"

# Hadoop Streaming (-numReduceTasks 0) and Spark RDD.pipe: one process per
# split or partition, outputs concatenated in split order.
mkdir -p "$TMP/splits"
split -n l/7 -d "$TMP/corpus.jsonl" "$TMP/splits/part-"
for part in "$TMP"/splits/part-*; do
  "$BIN" --input jsonl <"$part" 2>/dev/null
done >"$TMP/splits.jsonl"
same "7 splits through 7 processes, concatenated (Hadoop/Spark): byte-identical" "$TMP/splits.jsonl"

# Lines that are not JSON objects: error records in place, on stderr and in
# the exit status, identical but for their line numbers, which count the
# lines of each process's own input.
"$BIN" --input jsonl <"$TMP/bad.jsonl" >"$TMP/bad-one.jsonl" 2>/dev/null
ONE_RC=$?
parallel --will-cite --pipe -k --block 50k -j4 "$BIN" --input jsonl \
  <"$TMP/bad.jsonl" >"$TMP/bad-par.jsonl" 2>"$TMP/bad-par.err"
PAR_RC=$?
if why=$(python3 - "$TMP/bad-one.jsonl" "$TMP/bad-par.jsonl" 2>&1 <<'EOF'
import json, re, sys
def load(path):
    out = []
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        if "error" in r:
            r.pop("line", None)
            r["error"] = re.sub(r"^stdin:[0-9]+:", "stdin:N:", r["error"])
        out.append(r)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
assert len(a) == len(b), "%d vs %d records" % (len(a), len(b))
assert sum("error" in r for r in a) >= 4, "too few error records"
for i, (x, y) in enumerate(zip(a, b)):
    assert x == y, "record %d: %r != %r" % (i + 1, x, y)
EOF
); then
  if [[ $ONE_RC == 1 ]] && ((PAR_RC > 0)) && grep -q 'invalid JSON' "$TMP/bad-par.err"; then
    pass "lines that are not JSON: error records in place, the same but for line numbers"
  else
    fail "lines that are not JSON: reported on stderr and in the exit status" "exit $ONE_RC / $PAR_RC"
  fi
else
  fail "lines that are not JSON: error records in place, the same but for line numbers" "$why"
fi

finish
