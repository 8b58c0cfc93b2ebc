#!/usr/bin/env bash
# Instructions per call of the hot kernels and of a whole DS-CNN-S inference on the emulated Cortex-M4, DSP path vs
# portable path: (count of 11 runs - count of 1 run) / 10, counted by tools/qemu-insn-count. Instructions, not cycles.
# Kernels get the scratch a generated DS-CNN-S gives them (see tests/bench_kernels.c); the last row gives the
# pointwise layer only its own hark_conv_s8_get_buffer_size.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}/bench
mkdir -p "$build"
flags="-std=c99 -Wall -Wextra -Werror -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -ffp-contract=off -O2"
ld="-T platform/mps2-an386/mps2-an386.ld -nostartfiles --specs=rdimon.specs -Wl,--gc-sections"
gcc -std=c99 -Wall -Wextra -Werror -O2 -shared -fPIC tools/qemu-insn-count/insn_count.c -o "$build/libinsn_count.so"
count() { # elf -> instructions
  timeout 600 qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel "$1" \
    -plugin "$build/libinsn_count.so" -d plugin -D "$1.log" >/dev/null
  sed -n 's/^insns: //p' "$1.log"
}
printf '%-34s %14s %14s\n' "operation (instructions per call)" "DSP path" "portable"
for op in 1:"pointwise 1x1 25x5x64 -> 64" 2:"depthwise 3x3 25x5x64" 3:"DS-CNN-S inference" \
  4:"pointwise, own minimum scratch" 5:"first conv 10x4/2 49x10x1 -> 64" 6:"avg pool + FC 64->12 + softmax"; do
  id=${op%%:*}; name=${op#*:}
  row=()
  for path in dsp portable; do
    extra=""; [ "$path" = portable ] && extra="-DHARK_NN_NO_DSP"
    for reps in 1 11; do
      elf="$build/bench_${id}_${path}_${reps}.elf"
      arm-none-eabi-gcc $flags $extra -DBENCH_OP=$id -DBENCH_REPS=$reps \
        hark_nn.c tests/bench_kernels.c platform/mps2-an386/startup.c $ld -lc -lrdimon -o "$elf"
    done
    c1=$(count "$build/bench_${id}_${path}_1.elf"); c11=$(count "$build/bench_${id}_${path}_11.elf")
    row+=($(( (c11 - c1) / 10 )))
  done
  printf '%-34s %14s %14s\n' "$name" "${row[0]}" "${row[1]}"
done
