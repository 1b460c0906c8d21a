#!/usr/bin/env bash
# Hostile input and faults for the real nerx binary (issue 6): bad bytes,
# bad JSON Lines, odd files and folders, bad options, bad lists and rules,
# closed pipes, full disks and signals. Every check counts crashes, lost or
# misaligned records and unclear messages.
#
#   hostile_cli_test.sh BIN FIXTURES_DIR [main|big]
#
# "main" (default) runs everything but the 200 MB file; "big" runs only the
# 200 MB file (CTest label "slow"). Prints one line per check and ends with
# "N passed, M failed"; exits 1 if any check failed, 77 (skip) without python3.
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"  # pass, fail, finish

BIN=${1:?usage: hostile_cli_test.sh BIN FIXTURES_DIR [main|big]}
FIX=${2:?usage: hostile_cli_test.sh BIN FIXTURES_DIR [main|big]}
SECTION=${3:-main}
FIX=$(cd "$FIX" && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
command -v python3 >/dev/null || { echo "python3 not found: skipping"; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nerx-hostile.XXXXXX")
trap 'chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1


OUT=$TMP/out
ERR=$TMP/err
# run ARGS...: nerx with a time limit and stdin from /dev/null; sets RC.
run() {
  timeout 120 "$BIN" "$@" </dev/null >"$OUT" 2>"$ERR"
  RC=$?
}
# run_in INPUT ARGS...: the same with INPUT on stdin.
run_in() {
  local input=$1
  shift
  timeout 120 "$BIN" "$@" <"$input" >"$OUT" 2>"$ERR"
  RC=$?
}

# check NAME PYTHON_CODE [ARGS...]: the Python code sees the last run's
# stdout (out, raw), stderr (err), exit code (rc); it exits non-zero, saying
# why, on failure.
check() {
  local name=$1 code=$2
  shift 2
  local why
  if why=$(OUT="$OUT" ERR="$ERR" RC="$RC" FIX="$FIX" TMP="$TMP" BIN="$BIN" \
    python3 -c "$PY_PRELUDE
$code" "$@" 2>&1); then
    pass "$name"
  else
    fail "$name" "$why" "stderr: $(head -c 600 "$ERR")"
  fi
}

PY_PRELUDE='
import json, os, sys
raw = open(os.environ["OUT"], "rb").read()
out = raw.decode("utf-8")  # stdout is always valid UTF-8
err = open(os.environ["ERR"], "rb").read().decode("utf-8", "replace")
rc = int(os.environ["RC"])
TMP = os.environ["TMP"]
FIX = os.environ["FIX"]
def need(cond, msg):
    if not cond:
        print(msg)
        sys.exit(1)
def records():
    need(out == "" or out.endswith("\n"), "stdout does not end with a newline: %r" % out[-80:])
    recs = []
    for i, l in enumerate(out.split("\n")[:-1]):
        try:
            recs.append(json.loads(l))
        except ValueError as e:
            need(False, "stdout line %d is not JSON (%s): %r" % (i + 1, e, l[:200]))
    return recs
def no_crash():
    need(rc in (0, 1), "exit code %d (a crash or a signal?)" % rc)
    for word in ("Segmentation", "Aborted", "terminate called", "AddressSanitizer", "runtime error", "core dumped"):
        need(word not in err, "stderr shows a crash: %r" % err[:300])
def messages():
    return [l for l in err.split("\n") if l]
# Offsets slice the text in every unit; each byte that is not UTF-8 is one
# unit (Python: surrogateescape gives one code point per such byte).
def check_offsets(rec, data, unit):
    s = data.decode("utf-8", "surrogateescape")
    u16 = s.encode("utf-16-le", "surrogatepass") if unit == "utf16" else None  # once: data may be 200 MB
    for e in rec["entities"]:
        a, b = e["start"], e["end"]
        if unit == "codepoint":
            got = s[a:b]
        elif unit == "byte":
            got = data[a:b].decode("utf-8", "surrogateescape")
        else:
            got = u16[2 * a:2 * b].decode("utf-16-le", "surrogatepass")
        # Entity texts show an invalid byte as U+FFFD.
        want = "".join("\ufffd" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in got)
        need(want == e["text"], "%s [%d,%d) slices %r, entity text %r" % (unit, a, b, got, e["text"]))
'

# ================================================================== big
if [[ $SECTION == big ]]; then
  # 200 MB, no newline: 200 blocks of 1 MiB, each a sentence with names
  # (after non-ASCII text, so the units differ) and spaces to fill.
  python3 - <<'EOF'
block_text = "Caf\u00e9 \U0001F469\U0001F3FD\u200D\U0001F4BB \u05e9\u05dc\u05d5\u05dd Foreign Minister Ishaq Dar visited Kabul. "
with open("big.txt", "wb") as f:
    for i in range(200):
        b = block_text.encode("utf-8")
        f.write(b + b" " * ((1 << 20) - len(b)))
EOF
  for unit in codepoint utf16; do
    start=$(date +%s)
    run --offsets "$unit" big.txt
    took=$(($(date +%s) - start))
    check "200 MB without a newline, --offsets $unit: one record, every name found, offsets slice (${took}s)" '
no_crash()
need(rc == 0, "exit code %d" % rc)
r = records()
need(len(r) == 1, "%d records" % len(r))
data = open("big.txt", "rb").read()
check_offsets(r[0], data, sys.argv[1])
kabul = [e for e in r[0]["entities"] if e["text"] == "Kabul"]
need(len(kabul) == 200, "%d of 200 Kabul found" % len(kabul))
' "$unit"
  done
  run --input lines big.txt
  check "200 MB without a newline, --input lines: one record for the one line" '
no_crash()
r = records()
need(rc == 0 and len(r) == 1 and r[0]["line"] == 1, "rc %d, %d records" % (rc, len(r)))
need(sum(1 for e in r[0]["entities"] if e["text"] == "Kabul") == 200, "names missing")
'
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED == 0 ]]
  exit
fi

# ================================================================== text
# Invalid UTF-8 of every kind between names: stray continuation and 0xFF
# bytes, truncated sequences, overlong forms, UTF-16 surrogates.
printf 'Foreign Minister Ishaq Dar \x80 visited \xff\xfe Kabul \xe2\x82 and \xc0\xaf Paris \xe0\x80\xaf met Angela Merkel \xed\xa0\x80\xed\xb0\x80 in Berlin \xf4\x90\x80\x80 and \xf8\x88\x80\x80\x80 Islamabad \xf0\x9f\x98' >invalid.txt
for unit in codepoint byte utf16; do
  run --offsets "$unit" invalid.txt
  check "invalid UTF-8 (stray, truncated, overlong, surrogates), --offsets $unit: each bad byte one unit" '
no_crash()
need(rc == 0, "exit code %d" % rc)
r = records()
need(len(r) == 1, "%d records" % len(r))
names = [e["text"] for e in r[0]["entities"]]
for n in ("Ishaq Dar", "Kabul", "Paris", "Berlin", "Islamabad"):
    need(n in names, "%s not found: %r" % (n, names))
check_offsets(r[0], open("invalid.txt", "rb").read(), sys.argv[1])
' "$unit"
done

printf 'Ishaq Dar\x00visited\x00Kabul.' >nul.txt
run nul.txt
check "NUL bytes: a binary file, skipped with a warning and a record in its place" '
no_crash()
need(rc == 0, "exit code %d" % rc)
r = records()
need(len(r) == 1 and r[0].get("path") == "nul.txt" and "binary" in r[0].get("skipped", ""), "%r" % r)
need(r[0].get("entities") == [], "%r" % r)
need(len(messages()) == 1 and "warning" in err and "nul.txt" in err, "stderr: %r" % err)
'
run --binary text nul.txt
check "NUL bytes with --binary text: read, NUL separates words, offsets slice" '
no_crash()
r = records()
need(rc == 0 and len(r) == 1 and err == "", "rc %d, %r, %r" % (rc, r, err))
names = [e["text"] for e in r[0]["entities"]]
need("Kabul" in names, "%r" % names)
check_offsets(r[0], open("nul.txt", "rb").read(), "codepoint")
'
python3 -c '
import sys
sys.stdout.buffer.write(b"Ishaq Dar visited Kabul. " * 4000 + b"\x00 Then Herat.")' >late-nul.txt
run late-nul.txt
check "a NUL byte after the first 64 KiB: read as text (as grep decides)" '
r = records()
need(rc == 0 and len(r) == 1 and "skipped" not in r[0], "rc %d %r" % (rc, str(r)[:200]))
need(any(e["text"] == "Herat" for e in r[0]["entities"]), "Herat not found")
'

printf '\xef\xbb\xbfIshaq Dar visited Kabul.\r\nAngela Merkel\rvisited Paris.\r' >bom.txt
for unit in codepoint byte utf16; do
  run --offsets "$unit" bom.txt
  check "BOM, CRLF and lone CR, --offsets $unit: the BOM is one character of the text" '
no_crash()
r = records()
need(rc == 0 and len(r) == 1, "rc %d" % rc)
names = [e["text"] for e in r[0]["entities"]]
need("Kabul" in names and "Paris" in names, "%r" % names)
check_offsets(r[0], open("bom.txt", "rb").read(), sys.argv[1])
' "$unit"
done
run --input lines bom.txt
check "--input lines splits at \\n only: CRLF loses its CR, a lone CR stays in the line" '
r = records()
need(rc == 0 and len(r) == 2, "rc %d, %d records" % (rc, len(r)))
lines = open("bom.txt", "rb").read().split(b"\n")
need([x["line"] for x in r] == [1, 2], "%r" % r)
for x in r:
    text = lines[x["line"] - 1]
    if text.endswith(b"\r"):
        text = text[:-1]
    check_offsets(x, text, "codepoint")
need(any(e["text"] == "Paris" for e in r[1]["entities"]), "%r" % r[1])
'

: >empty.txt
printf ' \t\r\n\n   \f\v \n' >blank.txt
run empty.txt blank.txt
check "an empty file and a whitespace-only file: one record each, no entities" '
no_crash()
r = records()
need(rc == 0 and len(r) == 2, "rc %d, %d records" % (rc, len(r)))
need(r[0] == {"id": 1, "path": "empty.txt", "entities": []}, "%r" % r[0])
need(r[1]["entities"] == [], "%r" % r[1])
'
run_in empty.txt
check "empty stdin: one record" '
r = records()
need(rc == 0 and r == [{"id": 1, "entities": []}], "rc %d %r" % (rc, r))
'
run --input lines empty.txt
check "empty file in --input lines: no lines, no records, success" '
need(rc == 0 and out == "" and err == "", "rc %d out %r err %r" % (rc, out, err))
'

python3 -c 'import sys; sys.stdout.write("a" * (5 << 20))' >word.txt
python3 -c 'import sys; sys.stdout.write("\u00c9" * (5 << 19) + " then Kabul")' >word2.txt
run word.txt word2.txt
check "a single 5 MB word (ASCII and non-ASCII): one record each, quickly" '
no_crash()
r = records()
need(rc == 0 and len(r) == 2, "rc %d, %d records" % (rc, len(r)))
need(r[0]["entities"] == [], "%r" % r[0]["entities"][:3])
check_offsets(r[1], open("word2.txt", "rb").read(), "codepoint")
'

# Scripts of every direction, combining marks (precomposed and not), emoji
# with skin tones and ZWJ sequences, flags, glued to names.
python3 - <<'EOF'
text = (
    "\u0627\u0644\u0642\u0627\u0647\u0631\u0629 (Cairo) \u05d9\u05e8\u05d5\u05e9\u05dc\u05d9\u05dd "
    "Angela Merkel \u0928\u092e\u0938\u094d\u0924\u0947 \u5317\u4eac\u5e02 \u041c\u043e\u0441\u043a\u0432\u0430 visited Paris.\n"
    "\u202eIshaq Dar\u202c flew to Kabul \U0001F469\U0001F3FD\u200D\U0001F4BB\U0001F1F5\U0001F1F0 then Islamabad.\n"
    "Zu\u0308rich and Z\u00fcrich; \U0001F468\u200D\U0001F469\u200D\U0001F467Berlin\U0001F44D\U0001F3FF Vienna.\n"
    "e\u0301\u0301\u0301\u0301 A\u0300\u0316\u0301 Mr. Jos\u00e9 Mar\u00eda Aznar met \u00c1ngela in M\u00e9xico.\n"
)
open("scripts.txt", "w", encoding="utf-8").write(text)
EOF
for unit in codepoint byte utf16; do
  run --offsets "$unit" scripts.txt
  check "mixed scripts, RTL, combining marks, emoji ZWJ and skin tones, --offsets $unit" '
no_crash()
r = records()
need(rc == 0 and len(r) == 1, "rc %d" % rc)
names = [e["text"] for e in r[0]["entities"]]
for n in ("Angela Merkel", "Paris", "Kabul", "Islamabad", "Vienna"):
    need(n in names, "%s not found: %r" % (n, names))
check_offsets(r[0], open("scripts.txt", "rb").read(), sys.argv[1])
' "$unit"
done

# Text that used to crash or stall: a long run of capitalised words, a word
# of alternating combining marks, one name mentioned 50000 times.
python3 - <<'EOF'
open("caps.txt", "w").write("Abcdef " * 50000)
open("marks.txt", "w").write("A" + "\u0301\u0316" * 50000 + " Kabul")
open("mentions.txt", "w").write("Kabul visited. " * 20000)
EOF
start=$(date +%s)
run caps.txt marks.txt mentions.txt
took=$(($(date +%s) - start))
check "pathological text (50000 capitalised words, 100000 combining marks, 20000 mentions) in ${took}s" '
no_crash()
r = records()
need(rc == 0 and len(r) == 3, "rc %d, %d records" % (rc, len(r)))
need(len(r[2]["entities"]) == 20000, "%d mentions" % len(r[2]["entities"]))
need(int(sys.argv[1]) < 60, "took %s s" % sys.argv[1])
' "$took"

# ================================================================== jsonl
python3 - <<'EOF'
lines = [
    b'{"id":1,"text":"Ishaq Dar visited Kabul."}',
    b'not json at all',
    b'{"id":3,"body":"no text field"}',
    b'{"id":4,"text":42}',
    b'{"id":5,"text":null}',
    b'',
    b'   ',
    b'{"id":8,"text":"' + b"x" * (5 << 20) + b' Kabul"}',
    b'{"id":9,"x":' + b"[" * 100000 + b"]" * 100000 + b',"text":"deep"}',
    b'{"id":10,"text":"Paris","id":11,"text":"Herat is dry."}',
    b'{"id":12,"text":"Kabul \xff\xfe Paris"}',
    b'{"id":13,"text":"\\ud800 lone surrogate"}',
    b'["text","array"]',
    b'{"id":15,"text":"trailing"} garbage',
    b'{"id":16,"text":"tab\\tand \\u0000 NUL and \\u00e9 Angela Merkel in Paris"}',
    b'\xef\xbb\xbf{"id":17,"text":"BOM mid-file"}',
    b'{"id":18,"text":"last line, no newline: Kabul"}',
]
open("bad.jsonl", "wb").write(b"\n".join(lines))
EOF
for jobs in 1 3; do
  run --input jsonl -j "$jobs" bad.jsonl
  cp "$OUT" "jsonl-j$jobs.out"
  check "jsonl with every kind of bad line (-j $jobs): one output line per input line, errors in place" '
no_crash()
need(rc == 1, "exit code %d, expected 1" % rc)
r = records()
need(len(r) == 17, "%d output records for 17 input lines" % len(r))
good = {1: "Kabul", 8: "Kabul", 10: "Herat", 15: "Paris", 17: "Kabul"}
for i, rec in enumerate(r, 1):
    if i in good:
        need("entities" in rec, "line %d: %r" % (i, str(rec)[:200]))
        need(any(e["text"] == good[i] for e in rec["entities"]), "line %d: %r" % (i, str(rec)[:300]))
    elif i == 16:  # a BOM before the object: read (as a BOM at the start of a file) or an error
        need("error" in rec or "entities" in rec, "line 16: %r" % rec)
    else:
        need("error" in rec and rec.get("line") == i and rec.get("path") == "bad.jsonl", "line %d: %r" % (i, str(rec)[:200]))
        need(("bad.jsonl:%d: " % i) in rec["error"], "line %d error: %r" % (i, rec["error"]))
        need(("bad.jsonl:%d: " % i) in err, "stderr does not name line %d" % i)
need(r[0] == {"id": 1, "entities": r[0]["entities"]}, "fields: %r" % r[0])
need(r[9]["id"] == 11 and list(r[9].keys()) == ["id", "entities"], "duplicate keys: %r" % r[9])
need("nested deeper than" in r[8]["error"], "%r" % r[8])
need("UTF-8" in r[10]["error"], "%r" % r[10])
need("no \"text\" field" in r[2]["error"] and "not a string" in r[3]["error"], "%r %r" % (r[2], r[3]))
need("blank line" in r[5]["error"] and "blank line" in r[6]["error"], "%r" % r[5])
for l in messages():
    need(l.startswith("nerx: "), "stderr line %r" % l)
need(len(messages()) == 11, "%d stderr lines for 11 bad lines: %r" % (len(messages()), err[:500]))
# Offsets slice each record text (as Python decodes the JSON string).
src = open("bad.jsonl", "rb").read().split(b"\n")
for i in good:
    text = json.loads(src[i - 1])["text"]
    for e in r[i - 1]["entities"]:
        need(text[e["start"]:e["end"]] == e["text"], "line %d: %r" % (i, e))
'
done
if cmp -s jsonl-j1.out jsonl-j3.out; then pass "jsonl: -j 3 output identical to -j 1"; else fail "jsonl: -j 3 output identical to -j 1"; fi

run --input jsonl --on-error fail bad.jsonl
check "--on-error fail: stops at the first bad line, records before it written, exit 1" '
no_crash()
need(rc == 1, "exit code %d" % rc)
r = records()
need(len(r) == 1 and r[0]["id"] == 1 and "entities" in r[0], "%r" % r)
need("bad.jsonl:2:" in err and "--on-error fail" in err, "stderr: %r" % err)
'
run --input jsonl -j 2 --on-error fail "$FIX/records.jsonl" bad.jsonl
check "--on-error fail with -j 2 over two files: everything before the first bad line" '
r = records()
need(rc == 1 and len(r) == 3, "rc %d, %d records" % (rc, len(r)))
need([x.get("id") for x in r] == ["r1", "r2", 1], "%r" % r)
'
run --input lines --on-error fail "$FIX/lines.txt" missing.txt "$FIX/lines.txt"
check "--on-error fail in lines mode: a missing file stops the run after the lines before it" '
r = records()
need(rc == 1 and len(r) == 4, "rc %d, %d records" % (rc, len(r)))
need("missing.txt" in err, "stderr: %r" % err)
'
run --on-error skip "$FIX/simple.txt"
check "--on-error skip is not an option (records are never dropped): exit 2" '
need(rc == 2 and out == "" and len(messages()) == 1, "rc %d %r" % (rc, err))
need("record" in err and "fail" in err, "does not list the choices: %r" % err)
'

# ================================================================== files and folders
run does-not-exist.txt "$FIX/simple.txt"
check "missing path: an error record in place naming it, exit 1" '
no_crash()
r = records()
need(rc == 1 and len(r) == 2 and "error" in r[0] and "entities" in r[1], "rc %d %r" % (rc, r))
need("does-not-exist.txt" in err and "No such file" in err, "stderr: %r" % err)
'
run "$FIX/tree"
check "folder without -r: exit 1, the message says to use -r" '
r = records()
need(rc == 1 and len(r) == 1 and "-r" in r[0]["error"], "rc %d %r" % (rc, r))
'

mkdir -p tree/sub tree/empty
echo "Ishaq Dar visited Kabul." >tree/a.txt
echo "Angela Merkel visited Paris." >tree/sub/b.txt
ln -s .. tree/sub/up                 # a loop
ln -s "$TMP/tree" tree/sub/again      # a loop by an absolute path
ln -s nowhere tree/dangling           # a broken link
ln -s self tree/self                  # a link to itself
printf 'ELF\x00\x01\x02' >tree/prog.bin
mkfifo tree/pipe
run -r tree
check "-r with links that loop, a broken link, a binary file and a FIFO: no hang, clear messages" '
no_crash()
need(rc == 1, "exit code %d (the broken links are errors)" % rc)
r = records()
paths = [x["path"] for x in r]
need(paths == ["tree/a.txt", "tree/dangling", "tree/pipe", "tree/prog.bin", "tree/self", "tree/sub/b.txt"], "paths %r" % paths)
by = {x["path"]: x for x in r}
need("broken symbolic link" in by["tree/dangling"]["error"], "%r" % by["tree/dangling"])
need("symbolic link loop" in by["tree/self"]["error"], "%r" % by["tree/self"])
need("FIFO" in by["tree/pipe"].get("skipped", ""), "%r" % by["tree/pipe"])
need("binary" in by["tree/prog.bin"].get("skipped", ""), "%r" % by["tree/prog.bin"])
need([x["id"] for x in r] == list(range(1, 7)), "ids %r" % [x["id"] for x in r])
need(err.count("loop") >= 3, "loops not reported: %r" % err)
need("tree/sub/up" in err and "tree/sub/again" in err, "loops not named: %r" % err)
'

# Unreadable files: as root, run nerx as "nobody" (setpriv) or skip.
AS=()
CAN_DENY=1
if [[ $(id -u) == 0 ]]; then
  if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else
    CAN_DENY=0
  fi
fi
if [[ $CAN_DENY == 1 ]]; then
  mkdir -p perm
  echo "Kabul" >perm/ok.txt
  echo "secret" >perm/locked.txt
  chmod 755 "$TMP" perm
  chmod 644 perm/ok.txt
  chmod 000 perm/locked.txt
  timeout 60 "${AS[@]}" "$BIN" perm/locked.txt perm/ok.txt >"$OUT" 2>"$ERR" </dev/null
  RC=$?
  check "permission denied: an error record naming the file, the next file still read" '
no_crash()
r = records()
need(rc == 1 and len(r) == 2 and "Permission denied" in r[0]["error"] and "entities" in r[1], "rc %d %r" % (rc, r))
need("perm/locked.txt" in err, "stderr: %r" % err)
'
else
  echo "SKIP  permission denied (running as root without setpriv)"
fi

# A file that grows while it is read: one complete record, whatever was read.
python3 -c 'open("growing.txt", "w").write("Ishaq Dar visited Kabul. " * 50000)'
(for i in $(seq 1 200); do echo "Then Herat." >>growing.txt; done) &
GROWER=$!
run growing.txt
wait "$GROWER"
check "a file that grows while it is read: one complete record" '
no_crash()
r = records()
need(rc == 0 and len(r) == 1 and len(r[0]["entities"]) > 1000, "rc %d" % rc)
'
# Files that vanish while a folder is read.
mkdir -p vanish
for i in $(seq 100 399); do echo "Kabul $i" >"vanish/f$i.txt"; done
(sleep 0.05; rm -f vanish/f2*.txt vanish/f3*.txt) &
REMOVER=$!
run -r vanish
wait "$REMOVER"
check "files that vanish while a folder is read: a record (entities or error) for each file listed" '
no_crash()
r = records()
need(100 <= len(r) <= 300, "%d records for 300 files" % len(r))
paths = [x["path"] for x in r]
need(paths == sorted(set(paths)), "records out of order or repeated")
for x in r:
    need("entities" in x or "No such file" in x.get("error", ""), "%r" % x)
need(rc == (1 if any("error" in x for x in r) else 0), "exit code %d" % rc)
'

mkfifo fifo
(printf 'Ishaq Dar visited Kabul.\nAngela Merkel\n' >fifo) &
run --input lines fifo
check "a FIFO named on the command line is read" '
r = records()
need(rc == 0 and len(r) == 2 and r[0]["path"] == "fifo", "rc %d %r" % (rc, r))
'
echo "Angela Merkel visited Paris." | timeout 60 "$BIN" /dev/stdin - >"$OUT" 2>"$ERR"
RC=$?
check "/dev/stdin and - together: stdin read once, then empty" '
r = records()
need(rc == 0 and len(r) == 2 and r[0]["path"] == "/dev/stdin", "rc %d %r" % (rc, r))
need(any(e["text"] == "Paris" for e in r[0]["entities"]), "%r" % r[0])
need(r[1]["entities"] == [], "%r" % r[1])
'

# ================================================================== options
# one_line_error NAME ARGS...: exit 2, nothing on stdout, one line on stderr.
one_line_error() {
  local name=$1 want=$2
  shift 2
  run "$@"
  check "$name" '
need(rc == 2, "exit code %d, expected 2" % rc)
need(out == "", "stdout: %r" % out)
m = messages()
need(len(m) == 1 and m[0].startswith("nerx: "), "not one line: %r" % err)
for w in sys.argv[1].split("|"):
    need(w in m[0], "%r not in %r" % (w, m[0]))
' "$want"
}
one_line_error "unknown flag: names it and points to --help" "--no-such-flag|--help" --no-such-flag "$FIX/simple.txt"
one_line_error "misspelt flag: suggests the right one" "--offset|did you mean '--offsets'" --offset byte "$FIX/simple.txt"
one_line_error "-j 0: says the range" "--jobs|'0'|1 to 256" -j 0 "$FIX/simple.txt"
one_line_error "-j abc: says the range" "--jobs|'abc'" -j abc "$FIX/simple.txt"
one_line_error "--input xml: lists the choices" "--input|'xml'|text, lines or jsonl" --input xml
one_line_error "--format without a value: lists the choices" "--format|jsonl, json, tsv, conll or html" --format
one_line_error "--types PEOPLE: names the bad type" "PEOPLE|PERSON" --types PEOPLE
one_line_error "--no-default-model alone: nothing to find with" "--no-default-model|--gazetteer" --no-default-model "$FIX/simple.txt"
one_line_error "eval without a gold file: shows the usage" "nerx eval GOLD.conll" eval
one_line_error "extraction options with eval: do not apply" "--format|eval" --format tsv eval "$FIX/gold.conll"
one_line_error "model options before eval: say where they go" "--gazetteer|nerx eval --gazetteer FILE" \
  --gazetteer "$FIX/user.tsv" eval "$FIX/gold.conll"
one_line_error "--no-default-model before eval: says where it goes" "--no-default-model|nerx eval --no-default-model" \
  --no-default-model eval "$FIX/gold.conll"
one_line_error "model options before compile: say where they go" "--rules|nerx compile --rules FILE" \
  --rules "$FIX/user.rules" compile -o x.nerxmodel
one_line_error "--gazetteer that does not exist" "--gazetteer|missing.tsv" --gazetteer missing.tsv "$FIX/simple.txt"
one_line_error "--rules given a folder" "--rules|directory" --rules "$FIX" "$FIX/simple.txt"

# ignored_option NAME WANT OPTION ARGS...: OPTION (words split on spaces)
# merely does not apply to the run ARGS, so it is ignored: exit 0, the same
# stdout as ARGS alone, and one warning line on stderr that has each of the
# |-separated WANT; with -q, no warning.
ignored_option() {
  local name=$1 want=$2 option=$3
  shift 3
  local -a option_words
  read -r -a option_words <<<"$option"
  run "$@"
  cp "$OUT" ignored-base.out
  run "${option_words[@]}" "$@"
  check "$name" '
need(rc == 0, "exit code %d, expected 0" % rc)
need(len(records()) >= 1, "no records on stdout")
need(raw == open("ignored-base.out", "rb").read(), "stdout differs from the run without the option")
m = messages()
need(len(m) == 1 and m[0].startswith("nerx: warning: "), "not one warning line: %r" % err)
for w in sys.argv[1].split("|"):
    need(w in m[0], "%r not in %r" % (w, m[0]))
' "$want"
  run -q "${option_words[@]}" "$@"
  check "$name, silenced by -q" '
need(rc == 0, "exit code %d, expected 0" % rc)
need(err == "", "stderr with -q: %r" % err)
need(raw == open("ignored-base.out", "rb").read(), "stdout differs from the run without the option")
'
}
ignored_option "--text-field without --input jsonl: a warning, ignored" "--text-field|--input jsonl|ignored" \
  "--text-field body" "$FIX/simple.txt"
ignored_option "--text-field with --input lines: a warning, ignored" "--text-field|--input jsonl|ignored" \
  "--text-field body" --input lines "$FIX/lines.txt"
ignored_option "--binary with --input jsonl: a warning, ignored" "--binary|jsonl|ignored" \
  "--binary text" --input jsonl "$FIX/records.jsonl"
ignored_option "--binary=skip with --input jsonl: a warning, ignored" "--binary|jsonl|ignored" \
  "--binary=skip" --input jsonl "$FIX/records.jsonl"

# ================================================================== user lists and rules
# user_error NAME WANT ARGS...: exit 1, one line "nerx: FILE:LINE:COL: ...", no stdout.
user_error() {
  local name=$1 want=$2
  shift 2
  run "$@"
  check "$name" '
no_crash()
need(rc == 1, "exit code %d, expected 1" % rc)
need(out == "", "stdout: %r" % out[:200])
m = messages()
need(len(m) == 1, "not one line: %r" % err[:500])
for w in sys.argv[1].split("|"):
    need(w in m[0], "%r not in %r" % (w, m[0]))
' "$want"
}
printf 'Acme Rockets\tORGANIZATION\n# fine so far\nAcme\n' >g-cols.tsv
user_error "gazetteer: a line without a type" "g-cols.tsv:3:5:" --gazetteer g-cols.tsv "$FIX/simple.txt"
printf 'Acme\torganisation\n' >g-type.tsv
user_error "gazetteer: an unknown type" "g-type.tsv:1:6:|organisation|PERSON, LOCATION, ORGANIZATION" --gazetteer g-type.tsv "$FIX/simple.txt"
printf 'Kabulistan\tLOCATOIN\tcity\n' >g-typo.tsv
user_error "gazetteer: a misspelt type that no rule uses" "g-typo.tsv:1:12:|LOCATOIN|never be reported" --gazetteer g-typo.tsv "$FIX/simple.txt"
printf 'Acme\tORG\t\t\tpop=lots\n' >g-attr.tsv
user_error "gazetteer: a bad attribute" "g-attr.tsv:1:" --gazetteer g-attr.tsv "$FIX/simple.txt"
printf 'Ac\xffme\tORG\n' >g-utf8.tsv
user_error "gazetteer: invalid UTF-8" "g-utf8.tsv:1:3:|UTF-8" --gazetteer g-utf8.tsv "$FIX/simple.txt"
head -c 3000 /bin/sh >g-binary.tsv
user_error "gazetteer: a binary file" "g-binary.tsv:" --gazetteer g-binary.tsv "$FIX/simple.txt"
printf 'r: [PERSON: /(unclosed/]\n' >r-regex.rules
user_error "rules: an invalid regular expression, with its column" "r-regex.rules:1:|regular expression" --rules r-regex.rules "$FIX/simple.txt"
printf 'r: [PERSONS: Xx]\n' >r-type.rules
user_error "rules: an unknown type" "r-type.rules:1:|PERSONS" --rules r-type.rules "$FIX/simple.txt"
python3 -c 'print("r: [PERSON: " + "(" * 100000 + "Xx" + ")" * 100000 + "]")' >r-deep.rules
user_error "rules: parentheses nested 100000 deep" "r-deep.rules:1:|nested too deeply" --rules r-deep.rules "$FIX/simple.txt"
python3 -c '
print("let A0 = Xx Xx")
for i in range(1, 40): print("let A%d = $A%d $A%d" % (i, i - 1, i - 1))
print("r: [PERSON: $A39]")' >r-exp.rules
user_error "rules: named patterns that double 40 times" "r-exp.rules:|too large" --rules r-exp.rules "$FIX/simple.txt"
head -c 3000 /bin/sh >r-binary.rules
user_error "rules: a binary file" "r-binary.rules:" --rules r-binary.rules "$FIX/simple.txt"
head -c 5000 /bin/sh >m-binary.nerxmodel
user_error "--model: a binary file that is not a model" "m-binary.nerxmodel|not a valid nerx model" --model m-binary.nerxmodel "$FIX/simple.txt"
: >g-empty.tsv
: >r-empty.rules
run --gazetteer g-empty.tsv --rules r-empty.rules "$FIX/simple.txt"
check "empty gazetteer and rule files are fine" '
need(rc == 0 and len(records()) == 1 and err == "", "rc %d %r" % (rc, err))
'
python3 -c '
with open("g-big.tsv", "w") as f:
    for i in range(100000):
        f.write("Zq%dx Corp\tORGANIZATION\tcompany\n" % i)
    f.write("Zorblat Industries\tORGANIZATION\tcompany\n")' 
printf 'Zq12345x Corp met Zorblat Industries.\n' >big-user.txt
run --gazetteer g-big.tsv big-user.txt
check "an enormous gazetteer (100000 names) loads and works" '
no_crash()
r = records()
need(rc == 0, "exit code %d" % rc)
names = [e["text"] for e in r[0]["entities"]]
need("Zorblat Industries" in names and "Zq12345x Corp" in names, "%r" % names)
'

# ================================================================== faults
python3 -c '
with open("many-lines.txt", "w") as f:
    for i in range(200000):
        f.write("Line %d: Foreign Minister Ishaq Dar visited Kabul.\n" % i)'
for jobs in 1 2; do
  timeout 60 "$BIN" --input lines -j "$jobs" many-lines.txt 2>"$ERR" | head -1 >"$OUT"
  RC=${PIPESTATUS[0]}
  check "nerx ... | head -1 (-j $jobs): quiet end, status 0 or 141 (SIGPIPE)" '
need(rc in (0, 141), "exit code %d" % rc)
need(err == "", "stderr: %r" % err)
need(len(records()) == 1, "head got %r" % out)
'
  (trap '' PIPE; timeout 60 "$BIN" --input lines -j "$jobs" many-lines.txt 2>"$ERR" | head -1 >"$OUT"; exit "${PIPESTATUS[0]}")
  RC=$?
  check "nerx ... | head -1 with SIGPIPE ignored (-j $jobs): still quiet, status 141" '
need(rc == 141, "exit code %d" % rc)
need(err == "", "stderr: %r" % err)
'
done
if [[ -w /dev/full ]]; then
  timeout 60 "$BIN" --input lines many-lines.txt >/dev/full 2>"$ERR"
  RC=$?
  : >"$OUT"
  check "stdout to /dev/full: exit 1 and a message, not a silent truncation" '
need(rc == 1, "exit code %d" % rc)
m = messages()
need(len(m) == 1 and "cannot write output" in m[0] and "No space left" in m[0], "stderr: %r" % err)
'
else
  echo "SKIP  /dev/full is not writable here"
fi
timeout 60 "$BIN" "$FIX/simple.txt" >&- 2>"$ERR"
RC=$?
: >"$OUT"
check "stdout closed: exit 1 and a message" '
need(rc == 1 and "cannot write output" in err, "rc %d, stderr %r" % (rc, err))
'

# Signals, from Python so that SIGINT is not ignored as in a background job.
SIGNAL_CHECK='
import signal, subprocess, time
BIN = os.environ["BIN"]
def start(args, **kw):
    # Unbuffered: readline() takes no more than a line, so communicate() gets the rest.
    return subprocess.Popen([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, **kw)
def finish(p, timeout=20):
    try:
        out, errs = p.communicate(timeout=timeout)  # reads the output while waiting
    except subprocess.TimeoutExpired:
        p.kill()
        need(False, "still running %d s after the signal" % timeout)
    return p.returncode, out.decode("utf-8"), errs.decode("utf-8", "replace")
# Output split after each newline (not at U+2028 or CR, which JSON strings
# may hold); a last piece without a newline is an incomplete record.
def pieces(text):
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
def all_json(lines):
    for l in lines:
        need(l.endswith("\n"), "incomplete record: %r" % l[-100:])
        json.loads(l)
for sig in (signal.SIGINT, signal.SIGTERM):
    name = signal.Signals(sig).name
    # 1. A live stream: five lines written, then silence. The signal ends the
    #    run promptly with exactly those five records.
    p = start(["--input", "lines"], stdin=subprocess.PIPE)
    got = []
    for i in range(5):
        p.stdin.write(b"Ishaq Dar visited Kabul.\n")
        p.stdin.flush()
        got.append(p.stdout.readline().decode("utf-8"))
    p.send_signal(sig)
    rc, rest, errs = finish(p, 5)
    need(rc == -sig, "%s on a silent pipe: returncode %r (shell status %d expected)" % (name, rc, 128 + sig))
    need(rest == "", "%s: output after the signal: %r" % (name, rest[:200]))
    all_json(got)
    need(errs == "", "%s: stderr %r" % (name, errs))
    # 2. Mid-way through a big file: only complete records, in order, a prefix.
    for jobs in ("1", "2"):
        p = start(["--input", "lines", "-j", jobs, "many-lines.txt"])
        first = p.stdout.readline().decode("utf-8")
        p.send_signal(sig)
        rc, rest, errs = finish(p)
        need(rc == -sig, "%s mid-file -j %s: returncode %r" % (name, jobs, rc))
        lines = [first] + pieces(rest)
        all_json(lines)
        recs = [json.loads(l) for l in lines]
        need(len(recs) < 200000, "%s: the run was not stopped" % name)
        need([r["line"] for r in recs] == list(range(1, len(recs) + 1)), "%s: records out of order or missing" % name)
        need(errs == "", "%s: stderr %r" % (name, errs))
# 3. A second signal ends a long extraction at once; so it does when the
#    reader takes no output (a write blocked on a full pipe).
p = start(["--input", "lines", "many-lines.txt"])
time.sleep(1)
p.send_signal(signal.SIGTERM)
time.sleep(0.3)
p.send_signal(signal.SIGTERM)
for i in range(50):
    if p.poll() is not None:
        break
    time.sleep(0.1)
need(p.poll() is not None, "second SIGTERM, blocked write: still running after 5 s")
rc, rest, errs = finish(p, 10)
need(rc == -signal.SIGTERM, "second SIGTERM, blocked write: returncode %r" % rc)
p = start(["caps.txt", "caps.txt", "caps.txt"])
time.sleep(0.5)
p.send_signal(signal.SIGTERM)
time.sleep(0.3)
p.send_signal(signal.SIGTERM)
rc, rest, errs = finish(p, 10)
need(rc == -signal.SIGTERM, "second SIGTERM: returncode %r" % rc)
all_json(pieces(rest))
'
: >"$OUT" >"$ERR"
RC=0
check "SIGINT and SIGTERM: exit 130/143, only complete records, promptly even on a silent pipe" "$SIGNAL_CHECK"

# ================================================================== determinism
HOSTILE_SET=(-r tree invalid.txt nul.txt bom.txt scripts.txt does-not-exist.txt "$FIX/simple.txt" mentions.txt)
run -j 1 "${HOSTILE_SET[@]}"
cp "$OUT" det-1.out
SAME=1
for jobs in 2 4 1; do
  run -j "$jobs" "${HOSTILE_SET[@]}"
  cmp -s "$OUT" det-1.out || SAME=0
done
if [[ $SAME == 1 && -s det-1.out ]]; then
  pass "hostile set: byte-identical output for -j 1, 2, 4 and across runs"
else
  fail "hostile set: byte-identical output for -j 1, 2, 4 and across runs" "$(diff det-1.out "$OUT" | head -5)"
fi

finish
