#!/usr/bin/env bash
# The html format in a real browser: headless Chromium renders the page of
# some fixtures (hostile markup among them) to a PNG, which must have the
# window's size, show text and the three highlight colours; the DOM Chromium
# builds must hold every entity as a <mark> and no element from the input.
#
#   html_render_test.sh BIN FIXTURES_DIR
#
# Exits 77 (skip) when chromium or python3 is not installed.
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"  # pass, fail, finish

BIN=${1:?usage: html_render_test.sh BIN FIXTURES_DIR}
FIX=$(cd "${2:?usage: html_render_test.sh BIN FIXTURES_DIR}" && pwd)
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $CHROMIUM ]]; then
  echo "chromium not installed (Debian: apt-get install chromium): skipping"
  exit 77
fi
command -v python3 >/dev/null || { echo "python3 not found: skipping"; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nerx-html-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT


INPUTS=("$FIX/hostile.txt" "$FIX/simple.txt" "$FIX/unicode.txt" "$FIX/invalid-utf8.txt" "$FIX/missing.txt")
"$BIN" --format html "${INPUTS[@]}" >"$TMP/page.html" 2>"$TMP/nerx.err"
"$BIN" "${INPUTS[@]}" >"$TMP/ref.jsonl" 2>/dev/null
if [[ -s $TMP/page.html ]]; then
  pass "nerx --format html writes a page"
else
  fail "nerx --format html writes a page" "$(cat "$TMP/nerx.err")"
fi

# A profile and home of its own, so the browser touches nothing else.
browser() {
  HOME=$TMP timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox --no-first-run \
    --user-data-dir="$TMP/profile" "$@" "file://$TMP/page.html" 2>>"$TMP/chromium.err"
}

# ---------------------------------------------------------------- screenshot
browser --screenshot="$TMP/out.png" --window-size=1200,800 >/dev/null
if why=$(python3 - "$TMP/out.png" 2>&1 <<'EOF'
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
assert len(data) > 20000, "only %d bytes: a blank page?" % len(data)
width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
assert (width, height) == (1200, 800), "size %dx%d, asked for 1200x800" % (width, height)
assert depth == 8 and colour in (2, 6), "depth %d colour type %d" % (depth, colour)
# Decode the pixels (no PIL): inflate the IDAT chunks and undo the filters.
at, idat = 8, b""
while at < len(data):
    n, kind = struct.unpack(">I4s", data[at:at + 8])
    if kind == b"IDAT":
        idat += data[at + 8:at + 8 + n]
    at += 12 + n
raw = zlib.decompress(idat)
bpp = 4 if colour == 6 else 3
stride = width * bpp
prev = bytearray(stride)
colours = {}
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        for i in range(stride):
            line[i] = (line[i] + prev[i]) & 255
    elif f == 3:
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + pred) & 255
    for x in range(0, stride, bpp * 2):  # every other pixel is enough
        px = bytes(line[x:x + 3])
        colours[px] = colours.get(px, 0) + 1
    prev = line
total = sum(colours.values())
def share(rgb):
    return colours.get(bytes.fromhex(rgb), 0) / total
for name, rgb in (("PERSON", "aa9cfc"), ("LOCATION", "feca74"), ("ORGANIZATION", "7aecec")):
    assert share(rgb) > 0.001, "no %s highlight (#%s) in the screenshot" % (name, rgb)
dark = sum(n for px, n in colours.items() if max(px) < 100) / total
assert dark > 0.002, "hardly any text drawn (%.4f of the pixels are dark): fonts missing?" % dark
white = share("ffffff")
assert white < 0.98, "the page is blank (%.3f white)" % white
print("%dx%d, %d bytes, %d colours, text %.3f" % (width, height, len(data), len(colours), dark))
EOF
); then
  pass "screenshot: a 1200x800 PNG with text and the three highlight colours ($why)"
else
  fail "screenshot: a 1200x800 PNG with text and the three highlight colours" "$why" \
    "$(tail -3 "$TMP/chromium.err")"
fi

# ---------------------------------------------------------------- DOM
browser --dump-dom >"$TMP/dom.html"
if why=$(python3 - "$TMP/dom.html" "$TMP/ref.jsonl" 2>&1 <<'EOF'
import json, sys
from html.parser import HTMLParser
dom = open(sys.argv[1], encoding="utf-8").read()
records = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.marks, self.mark = [], [], None
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        assert not any(k.startswith("on") for k in a), "event handler in %s: %r" % (tag, a)
        if tag == "mark":
            self.mark = [a.get("data-type"), a.get("class"), ""]
    def handle_endtag(self, tag):
        if tag == "mark":
            self.marks.append(tuple(self.mark))
            self.mark = None
    def handle_data(self, data):
        if self.mark is not None:
            self.mark[2] += data
p = P()
p.feed(dom)
assert len(dom) > 1000 and "</html>" in dom, "no DOM: %r" % dom[:200]
for tag in ("script", "img", "a", "b", "textarea", "iframe"):
    assert tag not in p.tags, "an injected <%s> element is in the DOM" % tag
assert "<script" not in dom and "<img" not in dom, "markup from the input in the DOM"
assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom, "the hostile text is not shown as text"
want = [(e["type"], "e e-" + e["type"], e["text"]) for r in records for e in r.get("entities", [])]
assert p.marks == want, "marks %r\nwant %r" % (p.marks, want)
assert p.tags.count("article") == len(records), "%d articles for %d records" % (p.tags.count("article"), len(records))
print("%d entity marks, %d documents" % (len(p.marks), len(records)))
EOF
); then
  pass "DOM: every entity is a <mark> of its type; no element from the input ($why)"
else
  fail "DOM: every entity is a <mark> of its type; no element from the input" "$why" \
    "$(tail -3 "$TMP/chromium.err")"
fi

finish
