#!/usr/bin/env bash
# Scores nerx on the shared evaluation sets and fails if any score falls below
# its floor in accuracy_floors.tsv. Skips (exit 77) without ../shared/eval.
set -uo pipefail
bin=$1 floors=$2 eval_dir=$3
if [ ! -d "$eval_dir" ]; then
  echo "SKIP: $eval_dir not found (the shared evaluation data sits beside the checkout in CI)"
  exit 77
fi
passed=0 failed=0
while IFS=$'\t' read -r set type floor; do
  case "$set" in ''|'#'*) continue ;; esac
  score=$("$bin" eval "$eval_dir/$set" | awk -v t="$type" '$1 == t { print $4 }')
  if [ -z "$score" ]; then
    echo "FAIL $set $type: no score"; failed=$((failed + 1)); continue
  fi
  if awk -v s="$score" -v f="$floor" 'BEGIN { exit !(s >= f) }'; then
    echo "ok   $set $type F1 $score (floor $floor)"; passed=$((passed + 1))
  else
    echo "FAIL $set $type F1 $score is below its floor $floor"; failed=$((failed + 1))
  fi
done < "$floors"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
