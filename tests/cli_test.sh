#!/usr/bin/env bash
# Command-line tests: run the real nerx binary on the fixtures and check the
# contract in DESIGN.md (output shape, offsets, input modes, exit codes).
#
#   cli_test.sh BIN FIXTURES_DIR
#
# Prints one line per check and ends with "N passed, M failed"; exits 1 if
# any check failed, 77 (skip) if python3 is missing.
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"  # pass, fail, finish

BIN=${1:?usage: cli_test.sh BIN FIXTURES_DIR}
FIX=${2:?usage: cli_test.sh BIN FIXTURES_DIR}
FIX=$(cd "$FIX" && pwd)
command -v python3 >/dev/null || { echo "python3 not found: skipping"; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nerx-cli-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT


# run ARGS...: runs nerx with a time limit; sets RC, OUT (file), ERR (file).
OUT=$TMP/out
ERR=$TMP/err
run() {
  timeout 120 "$BIN" "$@" >"$OUT" 2>"$ERR"
  RC=$?
}
# run_in INPUT ARGS...: the same with INPUT on stdin.
run_in() {
  local input=$1
  shift
  timeout 120 "$BIN" "$@" <"$input" >"$OUT" 2>"$ERR"
  RC=$?
}

# check NAME PYTHON_CODE [ARGS...]: runs the Python check; it reads the last
# run's stdout/stderr/exit code from the OUT/ERR/RC environment variables and
# exits non-zero (printing why) on failure.
check() {
  local name=$1 code=$2
  shift 2
  local why
  if why=$(OUT="$OUT" ERR="$ERR" RC="$RC" FIX="$FIX" TMP="$TMP" python3 -c "$code" "$@" 2>&1); then
    pass "$name"
  else
    fail "$name" "$why" "stderr: $(head -c 400 "$ERR")"
  fi
}

# Python helpers shared by the checks.
PY_PRELUDE='
import json, os, sys
out = open(os.environ["OUT"], "rb").read().decode("utf-8")
err = open(os.environ["ERR"], "rb").read().decode("utf-8", "replace")
rc = int(os.environ["RC"])
FIX = os.environ["FIX"]
def records():
    lines = out.split("\n")
    assert lines[-1] == "", "stdout does not end with a newline: %r" % out[-80:]
    return [json.loads(l) for l in lines[:-1]]
def ents(rec):
    return [(e["text"], e["type"]) for e in rec["entities"]]
def need(cond, msg):
    if not cond:
        print(msg)
        sys.exit(1)
'
py() { printf '%s\n%s' "$PY_PRELUDE" "$1"; }

SIMPLE=$FIX/simple.txt
UNICODE=$FIX/unicode.txt

# ---------------------------------------------------------------- basics
run --version
check "--version exits 0 and names nerx" "$(py '
need(rc == 0, "exit code %d" % rc)
need(out.startswith("nerx "), "stdout: %r" % out)
')"

run --help
check "--help exits 0 and shows the options" "$(py '
need(rc == 0, "exit code %d" % rc)
need("--input" in out and "--offsets" in out, "no options in help: %r" % out[:300])
')"

run_in "$SIMPLE"
check "stdin: one record, id 1, no path, PERSON and LOCATION" "$(py '
need(rc == 0, "exit code %d" % rc)
r = records()
need(len(r) == 1, "%d records" % len(r))
need(r[0].get("id") == 1, "id: %r" % r[0].get("id"))
need("path" not in r[0], "stdin record has a path")
need(("Ishaq Dar", "PERSON") in ents(r[0]), "no PERSON Ishaq Dar: %r" % ents(r[0]))
need(("Kabul", "LOCATION") in ents(r[0]), "no LOCATION Kabul: %r" % ents(r[0]))
e = [e for e in r[0]["entities"] if e["text"] == "Ishaq Dar"][0]
need((e["start"], e["end"]) == (17, 26), "Ishaq Dar at %r" % ((e["start"], e["end"]),))
')"

run_in "$SIMPLE" - "$FIX/tree/b.txt"
check "'-' reads stdin among files" "$(py '
r = records()
need(rc == 0 and len(r) == 2, "rc %d, %d records" % (rc, len(r)))
need("path" not in r[0] and r[1]["path"].endswith("tree/b.txt"), "%r" % r)
need(("Kabul", "LOCATION") in ents(r[0]), "stdin record: %r" % ents(r[0]))
')"

run "$SIMPLE"
check "file input: record has the path as given" "$(py '
r = records()
need(rc == 0 and len(r) == 1, "rc %d, %d records" % (rc, len(r)))
need(r[0].get("path") == FIX + "/simple.txt", "path: %r" % r[0].get("path"))
need(list(r[0].keys()) == ["id", "path", "entities"], "keys: %r" % list(r[0].keys()))
for e in r[0]["entities"]:
    need(list(e.keys())[:4] == ["text", "type", "start", "end"], "entity keys %r" % list(e.keys()))
    need(e["type"] in ("PERSON", "LOCATION", "ORGANIZATION"), "type %r" % e["type"])
')"

# ---------------------------------------------------------------- folders
run "$FIX/tree"
check "folder without -r: exit 1, message names the folder and -r" "$(py '
need(rc == 1, "exit code %d, expected 1" % rc)
need(FIX + "/tree" in err and "-r" in err, "stderr: %r" % err)
r = records()
need(len(r) == 1 and "error" in r[0], "stdout: %r" % out)
')"

run -r "$FIX/tree"
check "-r reads the folder tree in sorted order" "$(py '
need(rc == 0, "exit code %d" % rc)
r = records()
paths = [x.get("path") for x in r]
want = [FIX + "/tree/a.txt", FIX + "/tree/b.txt", FIX + "/tree/sub/c.txt"]
need(paths == want, "paths %r" % paths)
need([x["id"] for x in r] == [1, 2, 3], "ids %r" % [x["id"] for x in r])
need(("Kabul", "LOCATION") in ents(r[0]), "a.txt: %r" % ents(r[0]))
')"

# ---------------------------------------------------------------- lines
run --input lines "$FIX/lines.txt"
check "--input lines: one record per line, in order, with line numbers" "$(py '
need(rc == 0, "exit code %d" % rc)
r = records()
need(len(r) == 4, "%d records for 4 lines" % len(r))
need([x.get("line") for x in r] == [1, 2, 3, 4], "lines %r" % [x.get("line") for x in r])
need([x.get("id") for x in r] == [1, 2, 3, 4], "ids %r" % [x.get("id") for x in r])
need(all(x.get("path") == FIX + "/lines.txt" for x in r), "paths %r" % [x.get("path") for x in r])
need(("Ishaq Dar", "PERSON") in ents(r[0]), "line 1: %r" % ents(r[0]))
need(r[1]["entities"] == [] and r[2]["entities"] == [], "lines 2-3: %r %r" % (r[1], r[2]))
need(("Pakistan", "LOCATION") in ents(r[3]), "line 4: %r" % ents(r[3]))
text = open(FIX + "/lines.txt", encoding="utf-8").read().split("\n")
for x in r:
    line = text[x["line"] - 1]
    for e in x["entities"]:
        need(line[e["start"]:e["end"]] == e["text"], "offsets are not relative to the line: %r" % e)
')"

# Streaming: the first record must arrive before the second line is written.
stream_check() {
  local name="--input lines${*:+ $*} streams: a record per line, flushed before the next line"
  local first="" second="" why=""
  coproc NERX { timeout 60 "$BIN" --input lines "$@" 2>"$TMP/stream.err"; }
  local out_fd=${NERX[0]} in_fd=${NERX[1]} pid=$NERX_PID
  echo "Foreign Minister Ishaq Dar visited Kabul." >&"$in_fd"
  if ! IFS= read -r -t 10 first <&"$out_fd"; then
    why="no record within 10 s after the first line (output is not flushed per line)"
  fi
  echo "Pakistan and Afghanistan agreed." >&"$in_fd" 2>/dev/null
  eval "exec ${in_fd}>&-"
  if [[ -z $why ]] && ! IFS= read -r -t 10 second <&"$out_fd"; then
    why="no second record"
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [[ -z $why ]]; then
    why=$(python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert a["line"] == 1 and b["line"] == 2, (a, b)
assert any(e["text"] == "Ishaq Dar" for e in a["entities"]), a
assert any(e["text"] == "Pakistan" for e in b["entities"]), b
' "$first" "$second" 2>&1) || true
  fi
  if [[ -z $why ]]; then
    pass "$name"
  else
    fail "$name" "$why" "first: $first" "second: $second"
  fi
}
stream_check
stream_check -j 2

# ---------------------------------------------------------------- jsonl
run --input jsonl "$FIX/records.jsonl"
check "--input jsonl echoes the other fields in order" "$(py '
need(rc == 0, "exit code %d" % rc)
r = records()
need(len(r) == 2, "%d records" % len(r))
need(list(r[0].keys()) == ["id", "source", "tags", "n", "entities"], "keys %r" % list(r[0].keys()))
need(r[0]["id"] == "r1" and r[0]["source"] == "wire" and r[0]["tags"] == ["a", "b"] and r[0]["n"] == 1, "%r" % r[0])
need(list(r[1].keys()) == ["id", "meta", "entities"], "keys %r" % list(r[1].keys()))
need(r[1]["meta"] == {"lang": "en", "score": 0.5}, "%r" % r[1])
need("text" not in r[0], "the text field is echoed")
need(("Ishaq Dar", "PERSON") in ents(r[0]), "%r" % ents(r[0]))
need(("Afghanistan", "LOCATION") in ents(r[1]), "%r" % ents(r[1]))
')"

run --input jsonl --text-field body "$FIX/body.jsonl"
check "--text-field picks the text and echoes the rest" "$(py '
need(rc == 0, "exit code %d" % rc)
r = records()
need(len(r) == 1, "%d records" % len(r))
need(list(r[0].keys()) == ["id", "text", "entities"], "keys %r" % list(r[0].keys()))
need(r[0]["text"] == "not this one", "%r" % r[0])
need(("Ishaq Dar", "PERSON") in ents(r[0]), "entities not from body: %r" % ents(r[0]))
')"

printf '{"text":"Foreign Minister Ishaq Dar visited Kabul."}\nnot json\n{"body":"x"}\n' >"$TMP/bad.jsonl"
run --input jsonl "$TMP/bad.jsonl"
check "--input jsonl: bad lines are error records in place, exit 1" "$(py '
need(rc == 1, "exit code %d, expected 1" % rc)
r = records()
need(len(r) == 3, "%d records" % len(r))
need("entities" in r[0] and "error" in r[1] and "error" in r[2], "%r" % r)
need(r[1].get("line") == 2 and r[2].get("line") == 3, "%r" % r)
need("bad.jsonl:2" in err and "bad.jsonl:3" in err, "stderr does not name file and line: %r" % err)
')"

# ---------------------------------------------------------------- offsets
OFFSET_CHECK='
text = open(FIX + "/unicode.txt", "rb").read()
unit = sys.argv[1]
need(rc == 0, "exit code %d" % rc)
r = records()
need(len(r) == 1, "%d records" % len(r))
es = r[0]["entities"]
need(len(es) >= 3, "too few entities: %r" % es)
s = text.decode("utf-8")
u16 = s.encode("utf-16-le")
for e in es:
    a, b = e["start"], e["end"]
    if unit == "codepoint":
        got = s[a:b]
    elif unit == "byte":
        got = text[a:b].decode("utf-8", "replace")
    else:
        got = u16[2 * a:2 * b].decode("utf-16-le", "replace")
    need(got == e["text"], "%s [%d,%d) slices %r, entity text %r" % (unit, a, b, got, e["text"]))
# Entities after the emoji and CJK characters prove the units differ.
names = [e["text"] for e in es]
need("Islamabad" in names, "Islamabad (after the emoji) not found: %r" % names)
'
for unit in codepoint byte utf16; do
  run --offsets "$unit" "$UNICODE"
  check "--offsets $unit slices the non-ASCII text exactly" "$(py "$OFFSET_CHECK")" "$unit"
done
run "$UNICODE"
cp "$OUT" "$TMP/default.out"
run --offsets codepoint "$UNICODE"
if cmp -s "$OUT" "$TMP/default.out"; then
  pass "code points are the default offset unit"
else
  fail "code points are the default offset unit"
fi

# Bytes that are not UTF-8 count one unit each, in every unit. Python's
# surrogateescape decoding gives exactly one code point per such byte.
INVALID_CHECK='
raw = open(FIX + "/invalid-utf8.txt", "rb").read()
unit = sys.argv[1]
need(rc == 0, "exit code %d" % rc)
r = records()
es = r[0]["entities"]
need(any(e["text"] == "Kabul" for e in es), "Kabul not found: %r" % es)
s = raw.decode("utf-8", "surrogateescape")
u16 = s.encode("utf-16-le", "surrogatepass")
for e in es:
    a, b = e["start"], e["end"]
    if unit == "codepoint":
        got = s[a:b]
    elif unit == "byte":
        got = raw[a:b].decode("utf-8", "surrogateescape")
    else:
        got = u16[2 * a:2 * b].decode("utf-16-le", "surrogatepass")
    need(got == e["text"], "%s [%d,%d) slices %r, entity text %r" % (unit, a, b, got, e["text"]))
'
for unit in codepoint byte utf16; do
  run --offsets "$unit" "$FIX/invalid-utf8.txt"
  check "--offsets $unit: each invalid byte is one unit" "$(py "$INVALID_CHECK")" "$unit"
done

# ---------------------------------------------------------------- formats
run --format json "$SIMPLE" "$UNICODE"
check "--format json is one JSON array" "$(py '
need(rc == 0, "exit code %d" % rc)
j = json.loads(out)
need(isinstance(j, list) and len(j) == 2, "%r" % out[:200])
need(j[0]["path"] == FIX + "/simple.txt", "%r" % j[0])
')"

run --format tsv "$SIMPLE"
check "--format tsv has a header and one row per entity" "$(py '
need(rc == 0, "exit code %d" % rc)
rows = out.rstrip("\n").split("\n")
need(rows[0].split("\t") == ["document", "start", "end", "type", "text"], "header %r" % rows[0])
need(any(r.split("\t")[3:] == ["PERSON", "Ishaq Dar"] for r in rows[1:]), "rows %r" % rows)
')"

run --types PERSON "$SIMPLE"
check "--types PERSON reports only people" "$(py '
need(rc == 0, "exit code %d" % rc)
r = records()
need(ents(r[0]) == [("Ishaq Dar", "PERSON")], "%r" % ents(r[0]))
')"

# ---------------------------------------------------------------- -j
run -j 1 -r "$FIX/tree" "$SIMPLE" "$UNICODE" "$FIX/does-not-exist.txt" "$SIMPLE"
cp "$OUT" "$TMP/j1.out"
RC1=$RC
run -j 2 -r "$FIX/tree" "$SIMPLE" "$UNICODE" "$FIX/does-not-exist.txt" "$SIMPLE"
if [[ $RC1 == "$RC" ]] && cmp -s "$OUT" "$TMP/j1.out" && [[ -s $OUT ]]; then
  pass "-j 2 output is identical to -j 1"
else
  fail "-j 2 output is identical to -j 1" "exit codes $RC1 / $RC" "$(diff "$TMP/j1.out" "$OUT" | head -5)"
fi
run --input lines -j 2 "$FIX/lines.txt"
cp "$OUT" "$TMP/lines-j2.out"
run --input lines -j 1 "$FIX/lines.txt"
if cmp -s "$OUT" "$TMP/lines-j2.out"; then
  pass "-j 2 output is identical to -j 1 with --input lines"
else
  fail "-j 2 output is identical to -j 1 with --input lines"
fi

# ---------------------------------------------------------------- errors
run --no-such-flag "$SIMPLE"
check "unknown flag: exit 2, one error line naming the flag, no output" "$(py '
need(rc == 2, "exit code %d, expected 2" % rc)
need(out == "", "stdout: %r" % out)
lines = err.rstrip("\n").split("\n")
errs = [l for l in lines if l.startswith("nerx:")]
need(len(errs) == 1 and "--no-such-flag" in errs[0], "stderr: %r" % err)
need(len(lines) <= 2, "more than an error line and a hint: %r" % err)
')"

run --offsets furlongs "$SIMPLE"
check "bad --offsets value: exit 2, one error line naming it, no output" "$(py '
need(rc == 2, "exit code %d, expected 2" % rc)
need(out == "", "stdout: %r" % out)
lines = err.rstrip("\n").split("\n")
errs = [l for l in lines if l.startswith("nerx:")]
need(len(errs) == 1 and "--offsets" in errs[0] and "furlongs" in errs[0], "stderr: %r" % err)
need(len(lines) <= 2, "more than an error line and a hint: %r" % err)
')"

run --types PEOPLE "$SIMPLE"
check "bad --types value: exit 2" "$(py '
need(rc == 2, "exit code %d, expected 2" % rc)
need(out == "", "stdout: %r" % out)
need("PEOPLE" in err, "stderr: %r" % err)
')"

run "$SIMPLE" "$FIX/missing-file.txt" "$UNICODE"
check "missing file: exit 1, path on stderr, other files still processed" "$(py '
need(rc == 1, "exit code %d, expected 1" % rc)
need(FIX + "/missing-file.txt" in err, "stderr does not name the file: %r" % err)
r = records()
need(len(r) == 3, "%d records" % len(r))
need("entities" in r[0] and "entities" in r[2], "%r" % r)
need(r[1].get("path") == FIX + "/missing-file.txt" and "error" in r[1], "%r" % r[1])
need([x["id"] for x in r] == [1, 2, 3], "ids %r" % [x["id"] for x in r])
')"
check "stdout carries only JSON (every line parses)" "$(py '
for i, l in enumerate(out.split("\n")[:-1]):
    try:
        json.loads(l)
    except Exception as e:
        need(False, "line %d is not JSON: %r" % (i + 1, l))
need(out.endswith("\n"), "no final newline")
')"

# Unreadable input (needs a user that permissions apply to: as root, run the
# binary as "nobody" through setpriv).
AS=()
CAN_DENY=1
if [[ $(id -u) == 0 ]]; then
  if command -v setpriv >/dev/null; then
    AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else
    CAN_DENY=0
  fi
fi
# unreadable_check NAME LOCKED: a tree with ok/a.txt and LOCKED (a file or
# folder nobody may read); nerx -r must exit 1 and name LOCKED on stderr.
unreadable_check() {
  local name=$1 locked=$2
  if [[ $CAN_DENY == 0 ]]; then
    echo "SKIP  $name (root without setpriv)"
    return
  fi
  local d=$TMP/perm-$RANDOM
  mkdir -p "$d/tree/ok"
  echo "Kabul is far." >"$d/tree/ok/a.txt"
  if [[ $locked == */ ]]; then
    mkdir -p "$d/tree/$locked"
    echo "Herat is near." >"$d/tree/$locked/b.txt"
  else
    echo "secret" >"$d/tree/$locked"
  fi
  chmod 755 "$TMP" "$d" "$d/tree" "$d/tree/ok"
  chmod 644 "$d/tree/ok/a.txt"
  chmod 000 "$d/tree/$locked"
  timeout 60 "${AS[@]}" "$BIN" -r "$d/tree" >"$OUT" 2>"$ERR"
  RC=$?
  chmod 755 "$d/tree/$locked"
  check "$name" "$(py '
locked = sys.argv[1].rstrip("/")
need(rc == 1, "exit code %d, expected 1" % rc)
need("tree/" + locked in err, "%s is not named on stderr: %r" % (locked, err))
r = records()
need(any(x.get("path", "").endswith("ok/a.txt") and "entities" in x for x in r), "readable file missing: %r" % r)
')" "$locked"
}
unreadable_check "-r with an unreadable file: exit 1, file named on stderr" secret.txt
unreadable_check "-r with an unreadable folder: exit 1, folder named on stderr" locked/

# ---------------------------------------------------------------- eval
run eval "$FIX/gold.conll"
check "nerx eval prints PERSON, LOCATION, ORGANIZATION rows, then overall" "$(py '
need(rc == 0, "exit code %d" % rc)
rows = [l.split()[0] for l in out.strip("\n").split("\n") if l.strip()]
need(rows[-4:] == ["PERSON", "LOCATION", "ORGANIZATION", "overall"], "rows %r" % rows)
overall = out.strip("\n").split("\n")[-1].split()
need(len(overall) >= 4, "overall row %r" % overall)
for v in overall[1:4]:
    f = float(v)
    need(0 <= f <= 100, "score %r" % v)
')"

run eval --errors "$FIX/gold.conll"
check "nerx eval --errors still ends with the overall row" "$(py '
need(rc == 0, "exit code %d" % rc)
need(out.strip("\n").split("\n")[-1].startswith("overall"), "%r" % out[-200:])
')"

# ---------------------------------------------------------------- user lists, rules and models
printf 'Agent Quux Bond joined Zorblat Industries in Kabul.\n' >"$TMP/user.txt"
USER_CHECK='
need(rc == 0, "exit code %d" % rc)
r = records()
e = ents(r[0])
need(("Zorblat Industries", "ORGANIZATION") in e, "no user ORGANIZATION: %r" % e)
need(("Bond", "PERSON") in e, "no PERSON after the user title: %r" % e)
need(("Kabul", "LOCATION") in e, "default model lost: %r" % e)
'
# The documented form "nerx [options] [PATH ...]": a PATH after a
# repeatable option must stay a PATH, not become a second list or rule file.
run --gazetteer "$FIX/user.tsv" --rules "$FIX/user.rules" "$TMP/user.txt"
check "--gazetteer and --rules add names (nerx --rules FILE PATH)" "$(py "$USER_CHECK")"
run "$TMP/user.txt" --gazetteer "$FIX/user.tsv" --rules "$FIX/user.rules"
check "--gazetteer and --rules add names (PATH first)" "$(py "$USER_CHECK")"

run compile -o "$TMP/user.nerxmodel" --gazetteer "$FIX/user.tsv" --rules "$FIX/user.rules"
COMPILE_RC=$RC
if [[ $COMPILE_RC == 0 && -s $TMP/user.nerxmodel ]]; then
  pass "nerx compile writes a model"
else
  fail "nerx compile writes a model" "exit code $COMPILE_RC" "$(cat "$ERR")"
fi
run --model "$TMP/user.nerxmodel" "$TMP/user.txt"
check "--model uses the compiled model (nerx --model FILE PATH)" "$(py "$USER_CHECK")"
run "$TMP/user.txt" --model "$TMP/user.nerxmodel"
check "--model uses the compiled model (PATH first)" "$(py "$USER_CHECK")"

run compile -o "$TMP/bad.nerxmodel" --rules "$FIX/bad.rules"
check "nerx compile with a bad rule: exit 1, file:line:column on stderr" "$(py '
need(rc == 1, "exit code %d, expected 1" % rc)
need((FIX + "/bad.rules:2:") in err, "stderr: %r" % err)
need(out == "", "stdout: %r" % out)
')"

printf 'not a model at all, just some text that is long enough to be a header....................................................................................................\n' >"$TMP/junk.nerxmodel"
run --model "$TMP/junk.nerxmodel" "$SIMPLE"
check "--model with a corrupt file: exit 1 naming the file" "$(py '
need(rc == 1, "exit code %d, expected 1" % rc)
need("junk.nerxmodel" in err, "stderr: %r" % err)
need(out == "", "stdout: %r" % out)
')"

finish
