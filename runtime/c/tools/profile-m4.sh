#!/usr/bin/env bash
# Instructions per hark function for one ELF run under QEMU (ranges from nm -S). Usage: tools/profile-m4.sh prog.elf
set -euo pipefail
elf=$1
here=$(cd "$(dirname "$0")" && pwd)
lib=${BUILD:-build}/libinsn_count.so
mkdir -p "$(dirname "$lib")"
gcc -std=c99 -Wall -Wextra -Werror -O2 -shared -fPIC "$here/qemu-insn-count/insn_count.c" -o "$lib"
mapfile -t funcs < <(arm-none-eabi-nm -S "$elf" | awk '$3 ~ /^[tT]$/ && $4 ~ /hark/ {print $1, $2, $4}')
args=""; names=()
for f in "${funcs[@]}"; do
  read -r addr size name <<<"$f"
  args+=",range=0x$addr-0x$(printf '%x' $((16#$addr + 16#$size)))"; names+=("$name")
done
log=$(mktemp)
qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel "$elf" -plugin "$lib$args" -d plugin -D "$log" >/dev/null
head -1 "$log"
i=0
tail -n +2 "$log" | while read -r _ _ count; do printf '%12s  %s\n' "$count" "${names[$i]}"; i=$((i+1)); done | sort -rn | awk '$1 > 0'
rm -f "$log"
