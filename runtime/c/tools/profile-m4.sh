#!/usr/bin/env bash
# Instructions per hark function for one ELF run under QEMU (ranges from nm -S). Usage: tools/profile-m4.sh prog.elf
# The counting plugin takes at most 16 ranges per run, so the program runs once per 16 functions.
set -euo pipefail
elf=$1
here=$(cd "$(dirname "$0")" && pwd)
lib=${BUILD:-build}/libinsn_count.so
mkdir -p "$(dirname "$lib")"
gcc -std=c99 -Wall -Wextra -Werror -O2 -shared -fPIC "$here/qemu-insn-count/insn_count.c" -o "$lib"
mapfile -t funcs < <(arm-none-eabi-nm -S "$elf" | awk '$3 ~ /^[tT]$/ && $4 ~ /hark/ {print $1, $2, $4}')
log=$(mktemp)
out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT
for ((start = 0; start < ${#funcs[@]}; start += 16)); do
  args=""; names=()
  for f in "${funcs[@]:start:16}"; do
    read -r addr size name <<<"$f"
    args+=",range=0x$addr-0x$(printf '%x' $((16#$addr + 16#$size)))"; names+=("$name")
  done
  qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel "$elf" -plugin "$lib$args" -d plugin -D "$log" >/dev/null
  [ "$start" -eq 0 ] && head -1 "$log"
  i=0
  while read -r _ _ count; do printf '%12s  %s\n' "$count" "${names[$i]}"; i=$((i + 1)); done < <(tail -n +2 "$log") >>"$out"
done
sort -rn "$out" | awk '$1 > 0'
