#!/usr/bin/env bash
# The manual page and the bash completion: the page renders without warnings,
# every long option of `nerx --help` (and of its subcommands) is in both, the
# completion offers options and values, and `cmake --install` puts them where
# man and bash-completion look.
#
#   docs_test.sh BIN SOURCE_DIR BUILD_DIR [CMAKE]
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"  # pass, fail, finish

BIN=${1:?usage: docs_test.sh BIN SOURCE_DIR BUILD_DIR [CMAKE]}
SRC=$(cd "${2:?usage: docs_test.sh BIN SOURCE_DIR BUILD_DIR}" && pwd)
BUILD=${3:?usage: docs_test.sh BIN SOURCE_DIR BUILD_DIR}
CMAKE=${4:-cmake}
MANPAGE=$SRC/docs/nerx.1
COMPLETION=$SRC/completions/nerx.bash

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nerx-docs-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT


# ---------------------------------------------------------------- man page
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings -l "$MANPAGE" 2>&1 >/dev/null)
  if [[ -z $warnings ]]; then
    pass "man -l docs/nerx.1 renders without warnings"
  else
    fail "man -l docs/nerx.1 renders without warnings" "$warnings"
  fi
  MANWIDTH=80 man -l "$MANPAGE" 2>/dev/null >"$TMP/man.txt"
  missing=""
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS "INPUT MODES" OUTPUT OFFSETS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -qx "$section" "$TMP/man.txt" || missing+=" '$section'"
  done
  if [[ -z $missing ]]; then
    pass "the manual page has every section"
  else
    fail "the manual page has every section" "missing:$missing"
  fi
else
  echo "SKIP  man -l docs/nerx.1 renders without warnings (man not installed)"
fi

# The page's text without roff escapes for hyphens: \- and \(hy are "-".
sed -e 's/\\-/-/g' -e 's/\\(hy/-/g' "$MANPAGE" >"$TMP/man.src"

# ---------------------------------------------------------------- options
# Long options from the Options part of each help text (not the examples).
options_of() {
  "$BIN" "$@" --help | sed -n '/^Options:/,/^\(Subcommands\|Examples\):/p' |
    grep -o -- '--[a-z][a-z-]*' | sort -u
}
{
  options_of
  options_of eval
  options_of compile
} | sort -u >"$TMP/options"
if [[ $(wc -l <"$TMP/options") -ge 15 ]]; then
  pass "nerx --help lists $(wc -l <"$TMP/options") long options"
else
  fail "nerx --help lists the long options" "$(cat "$TMP/options")"
fi
not_in_man="" not_in_completion=""
while read -r opt; do
  grep -q -- "$opt\b" "$TMP/man.src" || not_in_man+=" $opt"
  grep -q -- "$opt\b" "$COMPLETION" || not_in_completion+=" $opt"
done <"$TMP/options"
if [[ -z $not_in_man ]]; then
  pass "every long option of --help is in the manual page"
else
  fail "every long option of --help is in the manual page" "missing:$not_in_man"
fi
if [[ -z $not_in_completion ]]; then
  pass "every long option of --help is in the bash completion"
else
  fail "every long option of --help is in the bash completion" "missing:$not_in_completion"
fi
# ... and every value of the options with a fixed set of values.
values=$("$BIN" --help | grep -o '{[a-z0-9,]*}' | tr -d '{}' | tr ',' '\n' | sort -u)
not_in_man="" not_in_completion=""
for v in $values; do
  grep -q -- "\b$v\b" "$TMP/man.src" || not_in_man+=" $v"
  grep -q -- "\b$v\b" "$COMPLETION" || not_in_completion+=" $v"
done
if [[ -n $values && -z $not_in_man && -z $not_in_completion ]]; then
  pass "every format, input mode and offset unit is in both ($(echo $values))"
else
  fail "every format, input mode and offset unit is in both" "man lacks:$not_in_man" \
    "completion lacks:$not_in_completion"
fi

# ---------------------------------------------------------------- completion
# complete WORDS...: the COMPREPLY for the command line WORDS, the cursor on
# the last word; one reply a line, sorted. BASH_COMPLETION: also load the
# bash-completion library first (its _filedir).
complete_words() {
  local lib=${BASH_COMPLETION:-}
  (cd "$SRC/tests/fixtures" && bash -c '
    [[ -n $1 ]] && source "$1" >/dev/null 2>&1
    source "$2" || exit 1
    shift 2
    complete -p nerx >/dev/null || { echo "no completion for nerx"; exit 1; }
    COMP_WORDS=(nerx "$@")
    COMP_CWORD=$#
    COMP_LINE="nerx $*"
    COMP_POINT=${#COMP_LINE}
    _nerx nerx "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$lib" "$COMPLETION" "$@")
}
expect() {
  local name=$1 want=$2
  shift 2
  local got
  got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
  if [[ $got == "$want" ]]; then
    pass "$name"
  else
    fail "$name" "nerx ${*}<TAB>: got [$got], want [$want]"
  fi
}
libs=("")
for lib in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
  if [[ -r $lib ]]; then
    libs+=("$lib")
    break
  fi
done
for BASH_COMPLETION in "${libs[@]}"; do
  with=${BASH_COMPLETION:+ (with bash-completion)}
  expect "completion: nerx --for<TAB> is --format$with" "--format" --for
  expect "completion: nerx --format <TAB> lists the formats$with" "conll html json jsonl tsv" --format ""
  expect "completion: nerx --format=ht<TAB>$with" "html" --format = ht
  expect "completion: nerx --input <TAB>$with" "jsonl lines text" --input ""
  expect "completion: nerx --offsets u<TAB>$with" "utf16" --offsets u
  expect "completion: nerx --types PERSON,<TAB> completes the list$with" \
    "PERSON,LOCATION PERSON,ORGANIZATION PERSON,PERSON" --types PERSON,
  expect "completion: nerx --no-<TAB>$with" "--no-default-model --no-propagate" --no-
  expect "completion: nerx ev<TAB> is the subcommand$with" "eval" ev
  expect "completion: nerx eval --<TAB> has the eval options$with" \
    "--errors --gazetteer --help --model --no-default-model --rules" eval --
  expect "completion: nerx compile --o<TAB>$with" "--output" compile --o
  expect "completion: nerx simp<TAB> completes file names$with" "simple.txt" simp
  expect "completion: nerx --gazetteer us<TAB> completes file names$with" "user.rules user.tsv" --gazetteer us
done

# ---------------------------------------------------------------- install
if "$CMAKE" --install "$BUILD" --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1; then
  if [[ -x $TMP/prefix/bin/nerx && -f $TMP/prefix/share/man/man1/nerx.1 &&
    -f $TMP/prefix/share/bash-completion/completions/nerx ]]; then
    pass "cmake --install: bin/nerx, share/man/man1/nerx.1, share/bash-completion/completions/nerx"
  else
    fail "cmake --install puts the page and the completion in place" "$(cd "$TMP/prefix" && find . -type f)"
  fi
  if command -v man >/dev/null; then
    if MANPATH=$TMP/prefix/share/man man -w nerx 2>/dev/null | grep -q "$TMP/prefix/share/man/man1/nerx.1"; then
      pass "man finds the installed page (man nerx)"
    else
      fail "man finds the installed page (man nerx)" "$(MANPATH=$TMP/prefix/share/man man -w nerx 2>&1)"
    fi
  fi
else
  fail "cmake --install works" "$(tail -5 "$TMP/install.log")"
fi

finish
