#!/usr/bin/env bash
# Output formats from the real binary, each read back by its consumer:
# tsv by a TSV reader, conll by `nerx eval` and by a conlleval-style chunker,
# html by an HTML parser (hostile input must stay text), json by jq.
#
#   formats_cli_test.sh BIN FIXTURES_DIR [EXAMPLES_DIR]
#
# Prints one line per check and ends with "N passed, M failed"; exits 1 if
# any check failed, 77 (skip) if python3 is missing.
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"  # pass, fail, finish

BIN=${1:?usage: formats_cli_test.sh BIN FIXTURES_DIR [EXAMPLES_DIR]}
FIX=$(cd "${2:?usage: formats_cli_test.sh BIN FIXTURES_DIR}" && pwd)
EXAMPLES=${3:-$FIX/../../examples}
command -v python3 >/dev/null || { echo "python3 not found: skipping"; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nerx-formats-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT


OUT=$TMP/out
ERR=$TMP/err
run() {
  timeout 120 "$BIN" "$@" >"$OUT" 2>"$ERR"
  RC=$?
}
# check NAME PYTHON_CODE [ARGS...]: as in cli_test.sh; the code sees `out`
# (stdout as text), `err`, `rc`, FIX, TMP and the helpers below.
check() {
  local name=$1 code=$2
  shift 2
  local why
  if why=$(OUT="$OUT" ERR="$ERR" RC="$RC" FIX="$FIX" TMP="$TMP" python3 -c "$PY_PRELUDE
$code" "$@" 2>&1); then
    pass "$name"
  else
    fail "$name" "$why" "stderr: $(head -c 400 "$ERR")"
  fi
}

PY_PRELUDE='
import json, os, sys
raw = open(os.environ["OUT"], "rb").read()
out = raw.decode("utf-8")  # every format is valid UTF-8
err = open(os.environ["ERR"], "rb").read().decode("utf-8", "replace")
rc = int(os.environ["RC"])
FIX, TMP = os.environ["FIX"], os.environ["TMP"]
def need(cond, msg):
    if not cond:
        print(msg)
        sys.exit(1)
def jsonl(path):
    return [json.loads(l) for l in open(path, encoding="utf-8")]

# A conlleval-style chunker (the rules of conlleval.pl: a chunk ends before O,
# B-X, or I-Y after X), strict about the format: TOKEN<TAB>TAG, IOB2 tags
# over PER, LOC, ORG. Returns the chunks of each document as (type, tokens).
def conll_documents(text):
    docs, chunks, chunk, started = [], [], None, False
    def close():
        nonlocal chunk
        if chunk:
            chunks.append((chunk[0], " ".join(chunk[1])))
        chunk = None
    for line in text.split("\n"):
        if not line.strip():
            close()
            continue
        cols = line.split("\t")
        if cols[0] == "-DOCSTART-":
            close()
            if started:
                docs.append(chunks)
                chunks = []
            started = True
            continue
        need(len(cols) == 2 and cols[0] and " " not in cols[0], "not TOKEN<TAB>TAG: %r" % line)
        token, tag = cols
        need(tag == "O" or (tag[:2] in ("B-", "I-") and tag[2:] in ("PER", "LOC", "ORG")), "tag %r" % tag)
        kind = tag[2:] if tag != "O" else None
        if chunk and (tag == "O" or tag.startswith("B-") or kind != chunk[0]):
            close()
        if tag != "O":
            if chunk:
                chunk[1].append(token)
            else:
                need(tag.startswith("B-"), "not IOB2: a chunk starts with %r" % line)
                chunk = [kind, [token]]
    close()
    if started:
        docs.append(chunks)
    return docs
NAMES = {"PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}
'

SIMPLE=$FIX/simple.txt
HOSTILE=$FIX/hostile.txt
NEWS=$EXAMPLES/news.txt

# ------------------------------------------------------------------- help
run --help
check "--help names every format and --quiet" '
need(rc == 0, "exit %d" % rc)
for word in ("jsonl", "json", "tsv", "conll", "html", "--quiet", "Examples:"):
    need(word in out, "%s not in --help" % word)
'

run --format xml "$SIMPLE"
check "--format xml: exit 2, one line that lists the formats" '
need(rc == 2 and out == "", "exit %d, stdout %r" % (rc, out))
lines = err.strip("\n").split("\n")
need(len(lines) == 1, "more than one line: %r" % err)
need(all(w in lines[0] for w in ("--format", "xml", "jsonl", "tsv", "conll", "html")), lines[0])
'

# -------------------------------------------------------------------- tsv
run -r "$FIX/tree" "$SIMPLE" "$FIX/invalid-utf8.txt"
cp "$OUT" "$TMP/ref.jsonl"
run --format tsv -r "$FIX/tree" "$SIMPLE" "$FIX/invalid-utf8.txt"
check "tsv: header, then document, start, end, type, text per entity, as jsonl says" '
need(rc == 0, "exit %d" % rc)
rows = [r.split("\t") for r in out.rstrip("\n").split("\n")]
need(rows[0] == ["document", "start", "end", "type", "text"], "header %r" % rows[0])
need(all(len(r) == 5 for r in rows), "not 5 columns: %r" % [r for r in rows if len(r) != 5])
want = [[rec["path"], str(e["start"]), str(e["end"]), e["type"], e["text"]]
        for rec in jsonl(TMP + "/ref.jsonl") for e in rec["entities"]]
need(rows[1:] == want, "rows %r\nwant %r" % (rows[1:], want))
'

printf 'Ishaq Dar visited Kabul.\nnothing\nThe Taliban met in Islamabad.\n' >"$TMP/lines.txt"
run --format tsv --input lines --canonical --explain "$TMP/lines.txt"
check "tsv: lines input names path:line; --canonical and --explain add columns" '
need(rc == 0, "exit %d" % rc)
rows = [r.split("\t") for r in out.rstrip("\n").split("\n")]
need(rows[0] == ["document", "start", "end", "type", "text", "canonical", "ref", "rule", "list"], "header %r" % rows[0])
need(all(len(r) == 9 for r in rows), "columns: %r" % rows)
docs = [r[0] for r in rows[1:]]
need(docs[0] == TMP + "/lines.txt:1" and docs[-1] == TMP + "/lines.txt:3", "names %r" % docs)
need(all(r[7] for r in rows[1:]), "a row without its rule: %r" % rows)
'

printf '{"id":"a\\tb","text":"Ishaq Dar visited Kabul."}\n' >"$TMP/tab.jsonl"
run --format tsv --input jsonl "$TMP/tab.jsonl"
check "tsv: tabs in the document name are escaped" '
rows = out.rstrip("\n").split("\n")
need(len(rows) >= 2 and all(r.count("\t") == 4 for r in rows), "rows %r" % rows)
need(rows[1].startswith("a\\tb\t"), "row %r" % rows[1])
'

# ------------------------------------------------------------------ conll
run --format conll "$NEWS" "$SIMPLE" "$FIX/missing.txt" "$FIX/unicode.txt"
cp "$OUT" "$TMP/out.conll"
run "$NEWS" "$SIMPLE" "$FIX/missing.txt" "$FIX/unicode.txt"
cp "$OUT" "$TMP/ref.jsonl"
RC=0
cp "$TMP/out.conll" "$OUT"
check "conll: TOKEN<TAB>TAG lines, IOB2, one -DOCSTART- per record, same entities as jsonl" '
docs = conll_documents(out)
recs = jsonl(TMP + "/ref.jsonl")
need(out.count("-DOCSTART-\tO\n\n") == len(recs) == len(docs), "%d DOCSTART, %d records" % (out.count("-DOCSTART-"), len(recs)))
need("\n\n\n" not in out, "empty sentence")
for rec, chunks in zip(recs, docs):
    want = [(NAMES[e["type"]], e["text"]) for e in rec.get("entities", [])]
    squeeze = lambda pairs: [(k, "".join(t.split())) for k, t in pairs]
    need(squeeze(chunks) == squeeze(want), "%s: %r\nwant %r" % (rec.get("path"), chunks, want))
'

run eval "$TMP/out.conll"
check "conll: nerx eval reads the output and finds the same entities (F1 100)" '
need(rc == 0, "exit %d" % rc)
rows = {l.split()[0]: l.split() for l in out.strip().split("\n")}
need(rows["overall"][3] == "100.00" and int(rows["overall"][4]) > 10, "overall %r" % rows["overall"])
'

# The README pipeline: nerx --format conll ... | nerx eval
"$BIN" --format conll "$SIMPLE" >"$TMP/simple.conll" 2>"$ERR"
run eval "$TMP/simple.conll"
check "conll: simple.txt scores 100 against itself" '
need(rc == 0 and out.strip().split("\n")[-1].split()[3] == "100.00", out)
'

# ------------------------------------------------------------------- html
run --format html "$HOSTILE" "$SIMPLE" "$FIX/missing.txt" "$FIX/invalid-utf8.txt"
cp "$OUT" "$TMP/page.html"
"$BIN" "$HOSTILE" "$SIMPLE" "$FIX/missing.txt" "$FIX/invalid-utf8.txt" >"$TMP/ref.jsonl" 2>/dev/null
check "html: a page that parses, every entity highlighted, hostile input stays text" '
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.marks, self.mark, self.text_in = [], [], [], None, {}
        self.articles, self.errors = 0, []
        self.in_error = False
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        for k in a:
            need(not k.startswith("on"), "event handler attribute %r" % k)
            need(k not in ("src", "href", "action"), "a reference to outside: %r" % k)
        if tag == "mark":
            self.mark = [a.get("data-type"), ""]
        if tag == "article":
            self.articles += 1
        if tag == "p" and a.get("class") == "error":
            self.in_error = True
            self.errors.append("")
        if tag not in ("br", "meta"):
            self.stack.append(tag)
    def handle_endtag(self, tag):
        need(self.stack and self.stack[-1] == tag, "</%s> closes %r" % (tag, self.stack[-3:]))
        self.stack.pop()
        if tag == "mark":
            self.marks.append(tuple(self.mark))
            self.mark = None
        if tag == "p":
            self.in_error = False
    def handle_data(self, data):
        if self.mark is not None:
            self.mark[1] += data
        if self.in_error:
            self.errors[-1] += data
p = P()
p.feed(out)
p.close()
need(rc == 1, "exit %d (a file is missing)" % rc)
need(out.startswith("<!DOCTYPE html>"), "no doctype")
need(p.stack == [], "unclosed %r" % p.stack)
need("script" not in p.tags and "img" not in p.tags and "a" not in p.tags and "b" not in p.tags, "injected: %r" % sorted(set(p.tags)))
need(not any(t in out for t in ("http://", "https://", "<link")), "external assets")
recs = jsonl(TMP + "/ref.jsonl")
want = [(e["type"], e["text"]) for r in recs for e in r.get("entities", [])]
need(p.marks == want, "marks %r\nwant %r" % (p.marks, want))
need(p.articles == 4, "%d articles" % p.articles)
need(len(p.errors) == 1 and "missing.txt" in p.errors[0], "errors %r" % p.errors)
need("<script>alert(1)</script>" in open(FIX + "/hostile.txt").read(), "fixture")
need("&lt;script&gt;alert(1)&lt;/script&gt;" in out, "hostile text not shown escaped")
need("\ufffd" in out, "invalid UTF-8 not replaced")
need("documents" in out and "LOCATION" in out, "no summary")
'

# -------------------------------------------------------------------- json
if command -v jq >/dev/null; then
  run --format json "$SIMPLE" "$NEWS"
  n=$(jq 'length' "$OUT" 2>&1)
  m=$(jq '[.[].entities[]] | length' "$OUT" 2>&1)
  k=$("$BIN" "$SIMPLE" "$NEWS" | jq -s '[.[].entities[]] | length')
  if [[ $RC == 0 && $n == 2 && $m == "$k" && $m -gt 5 ]]; then
    pass "json: jq reads the array (2 records, $m entities, as jsonl)"
  else
    fail "json: jq reads the array" "rc $RC, length $n, entities $m vs $k"
  fi
else
  echo "SKIP  json read by jq (jq not installed)"
fi

finish
