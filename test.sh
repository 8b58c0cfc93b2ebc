#!/usr/bin/env bash
# Runs every Hark test: the .NET suites and the C runtime suites. Installs what the tests need first.
# Exit status is non-zero if anything failed. Real-speech tests skip with a message when
# ../shared/data/speech-commands-dev is absent.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$root"

"$root/scripts/ensure-debs" espeak-ng flite make gcc gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm cppcheck
"$root/scripts/ensure-npm"

status=0
results="$root/.hark/test-results"
rm -rf "$results"; mkdir -p "$results"

dotnet build Hark.slnx -c Release --nologo -v q -warnaserror || exit 1
for proj in tests/*/*.csproj; do
  name="$(basename "$proj" .csproj)"
  echo "== $name"
  dotnet test "$proj" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

# The C runtime: host build, sanitizers, and the Cortex-M4 build under QEMU. Each prints "N passed, N failed".
c_passed=0; c_failed=0
for target in test-host test-sanitize test-m4; do
  echo "== runtime/c $target"
  if out=$(make -s -C runtime/c "$target" 2>&1); then :; else status=1; fi
  lines=$(echo "$out" | grep -oE '[0-9]+ passed, [0-9]+ failed' || true)
  echo "$out" | grep -E 'passed, [0-9]+ failed|rror' | tail -8
  if [ -z "$lines" ]; then echo "runtime/c $target printed no result line"; status=1; c_failed=$((c_failed + 1)); continue; fi
  while read -r p _ f _; do c_passed=$((c_passed + p)); c_failed=$((c_failed + f)); done <<<"$lines"
done
echo "== runtime/c cppcheck"
make -s -C runtime/c cppcheck || status=1

# One closing line over all suites, read from the trx reports and the C runs.
passed=$c_passed; failed=$c_failed; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
