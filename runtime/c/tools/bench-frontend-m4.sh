#!/usr/bin/env bash
# Instructions per 20 ms hop (one frame) of the feature front end on the emulated Cortex-M4F, default preset tables
# (tests/mfcc10, or TABLES=dir for another generated config): (count of 110 hops - count of 10 hops) / 100, counted
# by tools/qemu-insn-count, plus the per-function split of one hop. Instructions, not cycles.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}/bench-frontend
tables=${TABLES:-tests/mfcc10}
label=${LABEL:-$(basename "$tables")}
mkdir -p "$build"
flags="-std=c99 -Wall -Wextra -Werror -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -ffp-contract=off -O2"
ld="-T platform/mps2-an386/mps2-an386.ld -nostartfiles --specs=rdimon.specs -Wl,--gc-sections"
gcc -std=c99 -Wall -Wextra -Werror -O2 -shared -fPIC tools/qemu-insn-count/insn_count.c -o "$build/libinsn_count.so"
for hops in 10 110; do
  arm-none-eabi-gcc $flags -I"$tables" -I. -DBENCH_HOPS=$hops hark_frontend.c "$tables/hark_frontend_tables.c" \
    tests/bench_frontend.c platform/mps2-an386/startup.c $ld -lc -lrdimon -o "$build/bench_frontend_$hops.elf"
done
elf="$build/bench_frontend_110.elf"
# Per-function ranges of the front end's code (static functions that gcc inlined are counted in their caller).
names=""; ranges=""
while read -r address size kind name; do
  case "$kind:$name" in
    [tT]:hark_frontend_builtin_tables) ;;
    [tT]:hark_frontend_*|[tT]:complex_fft|[tT]:spectrum|[tT]:compute_frame|[tT]:log_normal|[tT]:soft_sqrt)
      lo=$(( 0x$address & ~1 )); names+="$name"$'\n'; ranges+=$(printf ",range=0x%x-0x%x" "$lo" $(( lo + 0x$size ))) ;;
  esac
done < <(arm-none-eabi-nm -S --defined-only "$elf")
count() { # elf [plugin args] -> log
  timeout 600 qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel "$1" \
    -plugin "$build/libinsn_count.so$2" -d plugin -D "$1.log" >/dev/null
}
count "$build/bench_frontend_10.elf" ""
count "$elf" "$ranges"
c10=$(sed -n 's/^insns: //p' "$build/bench_frontend_10.elf.log")
c110=$(sed -n 's/^insns: //p' "$elf.log")
echo "front end $label: $(( (c110 - c10) / 100 )) instructions per hop (one frame), Cortex-M4F, -O2"
echo "per function over 111 frames (110 hops + the first window; inlined code counts in its caller):"
paste <(printf "%s" "$names") <(sed -n 's/^range .*: //p' "$elf.log") | awk '$2 > 0 { printf "  %-28s %10d  (%d per frame)\n", $1, $2, $2 / 111 }'
