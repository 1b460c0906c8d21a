# Shared by the command-line test scripts: count and print checks.
#   pass NAME              a check passed
#   fail NAME [LINE...]    a check failed, with lines saying why
#   finish                 prints "N passed, M failed"; status 1 if any failed
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS  $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL  $1"
  shift
  local line
  for line in "$@"; do printf '      %s\n' "$line"; done
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED == 0 ]]
}
