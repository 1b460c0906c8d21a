#!/usr/bin/env bash
# The progress line: shown on stderr when stderr is a terminal (run under a
# pseudo-terminal with util-linux `script`) and stdout is not; never when
# stderr is a file or a pipe, nor with --quiet, nor when the results go to
# the terminal; never a byte of it in stdout.
#
#   progress_cli_test.sh BIN
#
# Exits 77 (skip) if `script` is missing.
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"  # pass, fail, finish

BIN=${1:?usage: progress_cli_test.sh BIN}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
command -v script >/dev/null || { echo "util-linux 'script' not found: skipping"; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nerx-progress-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT


# Lines that arrive slowly, so that the run lasts longer than the progress
# line's first delay on any machine.
cat >"$TMP/slow.sh" <<'EOF'
for i in $(seq 1 12); do
  echo "Foreign Minister Ishaq Dar visited Kabul on day $i."
  sleep 0.1
done
EOF

# on_tty COMMAND: runs COMMAND (bash) with a pseudo-terminal as its terminal;
# what the terminal shows goes to $TMP/tty.
on_tty() {
  printf '%s\n' "$1" >"$TMP/cmd.sh"
  timeout 120 script -qec "bash $TMP/cmd.sh" /dev/null </dev/null >"$TMP/tty" 2>&1
  RC=$?
}
has_progress() { grep -q $'\r' "$1" && grep -q 'MB/s' "$1"; }
show() { head -c 300 "$1" | cat -A; }

# Reference output, with no terminal anywhere.
bash "$TMP/slow.sh" | "$BIN" --input lines >"$TMP/ref.jsonl" 2>"$TMP/ref.err"

# ---------------------------------------------------------------- shown
on_tty "bash $TMP/slow.sh | '$BIN' --input lines > $TMP/out.jsonl"
if [[ $RC == 0 ]] && has_progress "$TMP/tty" && grep -q 'records' "$TMP/tty"; then
  pass "stderr a terminal: progress line with records and MB/s"
else
  fail "stderr a terminal: progress line with records and MB/s" "exit $RC" "$(show "$TMP/tty")"
fi
if grep -q $'\e\\[K' "$TMP/tty" && [[ $(tail -c 4 "$TMP/tty" | od -An -c | tr -d ' ') == '\r033[K' ]]; then
  pass "the progress line is drawn over itself and cleared at the end"
else
  fail "the progress line is drawn over itself and cleared at the end" "$(tail -c 80 "$TMP/tty" | cat -A)"
fi
if cmp -s "$TMP/out.jsonl" "$TMP/ref.jsonl"; then
  pass "stdout is the same with the progress line on stderr"
else
  fail "stdout is the same with the progress line on stderr" "$(diff "$TMP/ref.jsonl" "$TMP/out.jsonl" | head -5)"
fi
if ! grep -q 'MB/s\|records' "$TMP/out.jsonl"; then
  pass "no progress in stdout"
else
  fail "no progress in stdout"
fi

# Files: a folder with a slow fifo in the middle.
mkdir -p "$TMP/tree"
for i in 01 02 03 04 05 06; do echo "Ishaq Dar visited Kabul ($i)." >"$TMP/tree/a$i.txt"; done
for i in 01 02 03 04 05 06; do echo "Pakistan and Afghanistan ($i)." >"$TMP/tree/c$i.txt"; done
# (A FIFO found inside a folder is skipped; one named on the command line is read.)
mkfifo "$TMP/b-slow"
on_tty "(sleep 1; echo 'Amir Khan Muttaqi flew to Islamabad.' > $TMP/b-slow) & '$BIN' -r $TMP/tree $TMP/b-slow > $TMP/tree.jsonl; wait"
if [[ $RC == 0 ]] && has_progress "$TMP/tty" && grep -q 'files' "$TMP/tty"; then
  pass "-r: the progress line counts files"
else
  fail "-r: the progress line counts files" "exit $RC" "$(show "$TMP/tty")"
fi
rm -f "$TMP/tree/b-slow"

# Regular files of known size: percent done (when the run is slow enough to
# be shown at all: it is not drawn in the first 200 ms).
mkdir -p "$TMP/big"
for i in $(seq -w 1 120); do
  for k in $(seq 1 30); do
    echo "Foreign Minister Ishaq Dar flew to Kabul to meet the Taliban ($i, $k). Pakistan's army chief met officials of the World Health Organization in Geneva."
  done >"$TMP/big/d$i.txt"
done
start=$(date +%s%N)
on_tty "'$BIN' -r $TMP/big > $TMP/big.jsonl"
ms=$((($(date +%s%N) - start) / 1000000))
if has_progress "$TMP/tty"; then
  if grep -q '% .*/120 files' "$TMP/tty"; then
    pass "-r with files of known size: percent and files done of total"
  else
    fail "-r with files of known size: percent and files done of total" "$(show "$TMP/tty")"
  fi
elif ((ms < 400)); then
  echo "SKIP  -r with files of known size (the run took $ms ms: too quick to show progress)"
else
  fail "-r with files of known size: percent and files done of total" "no progress line in $ms ms"
fi

# ---------------------------------------------------------------- not shown
on_tty "bash $TMP/slow.sh | '$BIN' --input lines > $TMP/out.jsonl 2> $TMP/err.txt"
if [[ ! -s $TMP/err.txt ]] && ! has_progress "$TMP/tty"; then
  pass "stderr a file: no progress line"
else
  fail "stderr a file: no progress line" "$(show "$TMP/err.txt")"
fi

on_tty "bash $TMP/slow.sh | '$BIN' --input lines 2>&1 > $TMP/out.jsonl | cat > $TMP/err.txt"
if [[ ! -s $TMP/err.txt ]] && ! has_progress "$TMP/tty"; then
  pass "stderr a pipe: no progress line"
else
  fail "stderr a pipe: no progress line" "$(show "$TMP/err.txt")"
fi

on_tty "bash $TMP/slow.sh | '$BIN' --input lines --quiet > $TMP/out.jsonl"
if [[ $RC == 0 ]] && ! has_progress "$TMP/tty" && cmp -s "$TMP/out.jsonl" "$TMP/ref.jsonl"; then
  pass "--quiet: no progress line"
else
  fail "--quiet: no progress line" "$(show "$TMP/tty")"
fi

printf 'a\0b' > "$TMP/binary.dat"  # a binary file: skipped with a warning
on_tty "bash $TMP/slow.sh | '$BIN' --input lines -q - $TMP/binary.dat > $TMP/out.jsonl"
if [[ $RC == 0 && ! -s $TMP/tty ]]; then
  pass "--quiet silences warnings"
else
  fail "--quiet silences warnings" "$(show "$TMP/tty")"
fi
on_tty "bash $TMP/slow.sh | '$BIN' --input lines - $TMP/binary.dat > $TMP/out.jsonl 2> $TMP/err.txt"
if [[ $(grep -c . "$TMP/err.txt") == 1 ]] && grep -q '^nerx: warning: .*binary' "$TMP/err.txt"; then
  pass "without --quiet the warning is one line on stderr"
else
  fail "without --quiet the warning is one line on stderr" "$(show "$TMP/err.txt")"
fi

on_tty "printf 'Ishaq Dar visited Kabul.\n' | '$BIN' -q missing-file.txt - > $TMP/out.jsonl"
if [[ $RC == 1 ]] && grep -q '^nerx: missing-file.txt: cannot read' "$TMP/tty"; then
  pass "--quiet still shows errors"
else
  fail "--quiet still shows errors" "exit $RC" "$(show "$TMP/tty")"
fi

on_tty "bash $TMP/slow.sh | '$BIN' --input lines"
if [[ $RC == 0 ]] && ! grep -q 'MB/s' "$TMP/tty" && grep -q '"entities"' "$TMP/tty"; then
  pass "results on the terminal: no progress line among them"
else
  fail "results on the terminal: no progress line among them" "$(show "$TMP/tty")"
fi

finish
