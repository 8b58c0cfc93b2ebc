#!/usr/bin/env bash
# Host CPU of `hark listen` in real time: streams a WAV at its real speed (--realtime, as a microphone would deliver
# it) and reports the CPU the detector used per second of audio (from the command's own summary, which excludes
# start-up), plus the whole process's CPU from /usr/bin/time-style accounting (which includes start-up and JIT).
#   bench/scripts/listen-cpu.sh RUN FILE.wav
# Target: under 1 % of one core. Use a file of at least a few minutes (e.g. `hark stream-bench ... --minutes 5`).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
run=${1:?usage: listen-cpu.sh RUN FILE.wav}
wav=${2:?usage: listen-cpu.sh RUN FILE.wav}
log=$(mktemp)
start=$(date +%s.%N)
TIMEFORMAT='%U %S'
{ time "$root/hark" listen --model "$run" --realtime --quiet "$wav" >/dev/null 2>"$log"; } 2>"$log.time"
end=$(date +%s.%N)
grep 'of one core' "$log"
read -r user sys <"$log.time"
awk -v u="$user" -v s="$sys" -v a="$start" -v b="$end" \
  'BEGIN { printf "whole process (incl. start-up): %.2f s CPU over %.1f s wall = %.2f %% of one core\n", u + s, b - a, 100 * (u + s) / (b - a) }'
rm -f "$log" "$log.time"
