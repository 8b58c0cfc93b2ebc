/* hark_nn.h - Hark int8 neural-network kernels for microcontrollers - v0.3.0 - MIT licence (end of file)

   Int8 kernels (convolution, depthwise convolution, fully connected, average/max pooling, softmax, residual
   add) with TFLite / TFLite Micro semantics, bit-identical to TFLM's reference kernels and to Hark's C# engine.
   Argument order and struct shapes follow CMSIS-NN, so CMSIS-NN kernels can be swapped in.

   USAGE
     Add hark_nn.c to the build and include this header. C99, no malloc, no stdio, no floating point.
     On Cortex-M cores with the DSP extension (__ARM_FEATURE_DSP: Cortex-M4/M7/M33 with DSP), built with GCC, Clang
     or Arm Compiler 6, convolution, 3x3 depthwise convolution and average pooling use SMLAD-based loops (partly
     assembly); everywhere else a portable C path runs. Both give identical outputs.

   CONVENTIONS (one place, used by every kernel)
     - Layout NHWC, int8 activations and weights, int32 bias (bias pointers may be NULL: no bias).
     - real = scale * (q - zero_point). input_offset = -input_zero_point, output_offset = +output_zero_point (TFLM).
       Convolutions keep x + input_offset in int16: input_offset in [-32639, 32640], else HARK_NN_ERR_ARG (an int8
       model's is in [-127, 128]).
     - A multiplier (m, shift) stands for m * 2^(shift - 31); positive shift = left shift (TFLite QuantizeMultiplier).
     - Requantization is TFLM's default double rounding:
         RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << max(shift,0), m), max(-shift,0)).
     - Conv filters are OHWI, dims {n = out channels, h, w, c = in channels}. Depthwise filters are {1, h, w, c}
       with depth multiplier 1. Fully connected filters are {n = outputs, 1, 1, c = depth}.
     - Dilation is 1. Padding is given as top/left amounts; positions outside the input contribute nothing.

   MEMORY
     Kernels that need scratch take a hark_nn_context whose buffer the caller owns; ask its size with the
     matching hark_*_get_buffer_size(). The size does not depend on the CPU path, so one arena fits both.
     Scratch buffers must be 4-byte aligned. The portable path ignores the buffer.
     - hark_conv_s8 needs 4*(K & ~3) + 16 bytes (K = kh*kw*in_c: two int16 im2col columns), as in v0.1. Given at
       least 8*K bytes (room for 4 columns) it computes 4 output pixels per pass instead of 2, about 18% fewer
       instructions: pass the whole arena's scratch, not just this call's minimum. A DS-CNN-S's scratch, sized by
       its depthwise layers, has that room (784 B >= 8 * 64).
     - hark_dw_conv_s8 with a 3x3 window (padding >= 0) needs one or two zero-padded int16 planes (column-major) of
       cols * pitch values each, cols = (out_w - 1) * stride_w + 3, pitch = ((out_h - 1) * stride_h + 4) & ~1:
       two where they fit in v0.1's size (one plane + 4 bytes per output pixel), else one; it never asks for more
       than v0.1 did. 784 bytes for a 25x5 map at stride 1 (v0.1: 880). Where not even one plane fits (some 1-row
       maps), and for other windows, it needs none.
     - DS-CNN-S (MLPerf Tiny KWS): 784 bytes in all (largest layer: the depthwise ones), v0.1: 880.
     Stack (arm-none-eabi-gcc 12.2 -O2, deepest call chain): hark_conv_s8 520 bytes, hark_dw_conv_s8 428 (v0.1:
     408 and 348).

   PERFORMANCE (Cortex-M4, arm-none-eabi-gcc 12.2 -O2, instructions counted under QEMU; not cycles)
     DS-CNN-S (2.66M MACs): 3.24M instructions with the DSP path (1.22 per MAC), 40.5M portable; v0.1: 5.83M.
     First conv 10x4/2 49x10x1->64: 0.40M. Depthwise 3x3 25x5x64: 0.17M. 1x1 conv 25x5x64->64: 0.54M (0.65M
     given only its own minimum scratch). Average pool + fully connected + softmax: 33k.
     - Fast requantization, 4 instructions + a store per output (ADD, SMMLAR, ASR, SSAT; exact TFLM double
       rounding, proof in hark_nn.c), where a call can prove |acc| < 2^30 from K, the input offset and each bias,
       every right shift r = -shift is in [1, 30], multipliers are >= 0 and that bound + |output_offset| * 2^r +
       2^(r-1) fits in int32 (any r <= 22 with int8 zero points); for convolutions also a bias, an even out_c and
       K % 4 == 0. Other calls run v0.1's generic DSP loops.
     - Convolution: 4 pixels x 1 channel, 8 window positions in 25 instructions (16 SMLAD; weights by LDRD, so the
       filter must be 4-byte aligned, and whole filter rows of 4-byte groups); else 2 pixels x 2 channels, 4
       positions in 15 instructions (8 SMLAD). Depthwise 3x3: 4 outputs of a column in 57 instructions (24 SMLAD /
       SMLABT / SMLATB) from planes built two channels at a time.
     - Code size of hark_nn.o: 10,076 bytes with the DSP path, 4,020 portable.

   THREAD SAFETY
     Kernels keep no state; calls with distinct scratch buffers may run concurrently.

   CONFIGURATION (define before compiling hark_nn.c)
     HARK_NN_NO_DSP       default undefined. Define to force the portable path on DSP-capable cores.
     HARK_NN_EMULATE_DSP  default undefined. Host testing only: run the DSP path with C emulations of the
                          instructions it uses (SMLAD, SMLABB/BT/TB/TT, SMMLAR, SSAT, SXTB16, SXTAB16, QADD,
                          SSUB8 + SEL; slow; lets sanitizers check the DSP-path logic).

   LIMITATIONS
     Depth multiplier 1 only; softmax rows up to 256 values; no broadcasting in ADD; dilation 1.
     The DSP path specializes convolution (any window, via im2col), depthwise convolution (3x3 over planes, other
     windows 4 channels at a time) and average pooling; other kernels run the portable code on every core. It reads
     weights and activations with unaligned word loads, which Cortex-M4/M7/M33 allow unless CCR.UNALIGN_TRP is set
     (it is clear after reset); LDRD/LDM only touch the scratch, int32 arrays and 4-byte aligned filters.

   HISTORY
     0.3.0  per-channel shifts are int8 (hark_per_channel_quant.shift): 3 bytes of flash less per channel.
     0.2.0  DSP path 1.8x faster on DS-CNN-S (fused fast requantization, 4-pixel convolution kernel, depthwise
            strips over column-major planes, average pooling); depthwise scratch never above v0.1's; convolutions
            refuse input offsets outside the int16 range, which the DSP path used to truncate.
     0.1.0  first release: conv, depthwise conv, fully connected, pooling, softmax, add.
*/
#ifndef HARK_NN_H
#define HARK_NN_H

#include <stdint.h>

#define HARK_NN_VERSION_MAJOR 0
#define HARK_NN_VERSION_MINOR 3
#define HARK_NN_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    HARK_NN_OK = 0,
    HARK_NN_ERR_ARG = -1,         /* inconsistent dims, NULL pointer or parameter out of range */
    HARK_NN_ERR_BUFFER = -2,      /* scratch buffer missing or smaller than hark_*_get_buffer_size() */
    HARK_NN_ERR_UNSUPPORTED = -3  /* valid in TFLite but not supported here (e.g. depth multiplier != 1) */
} hark_nn_status;

typedef struct { void *buf; int32_t size; } hark_nn_context;
typedef struct { int32_t n, h, w, c; } hark_dims;
typedef struct { int32_t h, w; } hark_tile;
typedef struct { int32_t min, max; } hark_activation; /* output clamp, within [-128, 127] */

typedef struct {
    int32_t input_offset, output_offset;
    hark_tile stride, padding;
    hark_activation activation;
} hark_conv_params;

typedef struct {
    int32_t input_offset, output_offset;
    int32_t ch_mult; /* must be 1 */
    hark_tile stride, padding;
    hark_activation activation;
} hark_dw_conv_params;

typedef struct {
    int32_t input_offset, filter_offset, output_offset; /* filter_offset 0 for symmetric weights */
    hark_activation activation;
} hark_fc_params;

typedef struct {
    hark_tile stride, padding;
    hark_activation activation;
} hark_pool_params;

/* One multiplier and shift per output channel. Shifts are int8 (all fit in [-31, 31]); CMSIS-NN's equivalent holds
   int32 shifts: 3 bytes of flash less per channel (1,728 B for DS-CNN-S). */
typedef struct { const int32_t *multiplier; const int8_t *shift; } hark_per_channel_quant;
typedef struct { int32_t multiplier, shift; } hark_per_tensor_quant;

/* Computed on the host from beta and the input scale (TFLite PreprocessSoftmaxScaling / CalculateInputRadius).
   The output has scale 1/256 and zero point -128. */
typedef struct { int32_t input_multiplier, input_left_shift, diff_min; } hark_softmax_params;

/* TFLite int8 ADD: left_shift is 20; input shifts and output shift are <= 0. */
typedef struct {
    int32_t input1_offset, input1_multiplier, input1_shift;
    int32_t input2_offset, input2_multiplier, input2_shift;
    int32_t output_offset, output_multiplier, output_shift;
    int32_t left_shift;
    hark_activation activation;
} hark_add_params;

int32_t hark_conv_s8_get_buffer_size(const hark_dims *input_dims, const hark_dims *filter_dims);
hark_nn_status hark_conv_s8(const hark_nn_context *ctx, const hark_conv_params *params,
                            const hark_per_channel_quant *quant,
                            const hark_dims *input_dims, const int8_t *input,
                            const hark_dims *filter_dims, const int8_t *filter,
                            const hark_dims *bias_dims, const int32_t *bias,
                            const hark_dims *output_dims, int8_t *output);

int32_t hark_dw_conv_s8_get_buffer_size(const hark_dw_conv_params *params, const hark_dims *input_dims,
                                        const hark_dims *filter_dims, const hark_dims *output_dims);
hark_nn_status hark_dw_conv_s8(const hark_nn_context *ctx, const hark_dw_conv_params *params,
                               const hark_per_channel_quant *quant,
                               const hark_dims *input_dims, const int8_t *input,
                               const hark_dims *filter_dims, const int8_t *filter,
                               const hark_dims *bias_dims, const int32_t *bias,
                               const hark_dims *output_dims, int8_t *output);

hark_nn_status hark_fc_s8(const hark_nn_context *ctx, const hark_fc_params *params,
                          const hark_per_tensor_quant *quant,
                          const hark_dims *input_dims, const int8_t *input,
                          const hark_dims *filter_dims, const int8_t *filter,
                          const hark_dims *bias_dims, const int32_t *bias,
                          const hark_dims *output_dims, int8_t *output);

/* filter_dims gives the pooling window in h and w. */
hark_nn_status hark_avgpool_s8(const hark_nn_context *ctx, const hark_pool_params *params,
                               const hark_dims *input_dims, const int8_t *input,
                               const hark_dims *filter_dims,
                               const hark_dims *output_dims, int8_t *output);
hark_nn_status hark_maxpool_s8(const hark_nn_context *ctx, const hark_pool_params *params,
                               const hark_dims *input_dims, const int8_t *input,
                               const hark_dims *filter_dims,
                               const hark_dims *output_dims, int8_t *output);

/* Softmax over the last dimension: rows = n*h*w, row length c (1..256). */
hark_nn_status hark_softmax_s8(const hark_softmax_params *params, const hark_dims *dims,
                               const int8_t *input, int8_t *output);

/* Element-wise add of two tensors of `size` values each. */
hark_nn_status hark_add_s8(const hark_add_params *params, const int8_t *input1, const int8_t *input2,
                           int8_t *output, int32_t size);

/* Requantization rule shared by all kernels (exposed for tests and for generated code). */
int32_t hark_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift);

#ifdef __cplusplus
}
#endif

#endif /* HARK_NN_H */

/*
MIT License

Copyright (c) 2026 the Hark authors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of
the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
*/
