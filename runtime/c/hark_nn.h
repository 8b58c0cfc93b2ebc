/* hark_nn.h - Hark int8 neural-network kernels for microcontrollers - v0.1.0 - MIT licence (end of file)

   Int8 kernels (convolution, depthwise convolution, fully connected, average/max pooling, softmax, residual
   add) with TFLite / TFLite Micro semantics, bit-identical to TFLM's reference kernels and to Hark's C# engine.
   Argument order and struct shapes follow CMSIS-NN, so CMSIS-NN kernels can be swapped in.

   USAGE
     Add hark_nn.c to the build and include this header. C99, no malloc, no stdio, no floating point.
     On Cortex-M cores with the DSP extension (__ARM_FEATURE_DSP: Cortex-M4/M7/M33 with DSP) the hot kernels use
     SMLAD-based loops; everywhere else a portable C path runs. Both give identical outputs.

   CONVENTIONS (one place, used by every kernel)
     - Layout NHWC, int8 activations and weights, int32 bias (bias pointers may be NULL: no bias).
     - real = scale * (q - zero_point). input_offset = -input_zero_point, output_offset = +output_zero_point (TFLM).
     - A multiplier (m, shift) stands for m * 2^(shift - 31); positive shift = left shift (TFLite QuantizeMultiplier).
     - Requantization is TFLM's default double rounding:
         RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << max(shift,0), m), max(-shift,0)).
     - Conv filters are OHWI, dims {n = out channels, h, w, c = in channels}. Depthwise filters are {1, h, w, c}
       with depth multiplier 1. Fully connected filters are {n = outputs, 1, 1, c = depth}.
     - Dilation is 1. Padding is given as top/left amounts; positions outside the input contribute nothing.

   MEMORY
     Kernels that need scratch take a hark_nn_context whose buffer the caller owns; ask its size with the
     matching hark_*_get_buffer_size(). The size does not depend on the CPU path, so one arena fits both.
     Scratch buffers must be 4-byte aligned. hark_conv_s8 needs 4*(K & ~3) + 16 bytes (K = kh*kw*in_c: two
     int16 im2col columns); 3x3 depthwise needs a zero-padded int16 plane of one channel plus one int32 per output
     pixel (1,028 bytes for a 25x5 map); other depthwise windows need none. The portable path ignores the buffer.

   PERFORMANCE (Cortex-M4, arm-none-eabi-gcc 12.2 -O2, instructions counted under QEMU; not cycles)
     DS-CNN-S (2.66M MACs): 7.39M instructions with the DSP path, 40.5M portable. 1x1 conv 25x5x64->64: 0.99M;
     depthwise 3x3 25x5x64: 0.61M. Hot loops: 2 output channels x 2 pixels x 4 values per 17 instructions (8 SMLAD).

   THREAD SAFETY
     Kernels keep no state; calls with distinct scratch buffers may run concurrently.

   CONFIGURATION (define before compiling hark_nn.c)
     HARK_NN_NO_DSP       default undefined. Define to force the portable path on DSP-capable cores.
     HARK_NN_EMULATE_DSP  default undefined. Host testing only: run the DSP path with C emulations of the
                          SMLAD / SXTB16 instructions (slow; lets sanitizers check the DSP-path logic).

   LIMITATIONS
     Depth multiplier 1 only; softmax rows up to 256 values; no broadcasting in ADD; dilation 1.
     The DSP path specializes convolution (any window, via im2col) and 3x3 depthwise; other kernels run the
     portable code on every core.

   HISTORY
     0.1.0  first release: conv, depthwise conv, fully connected, pooling, softmax, add.
*/
#ifndef HARK_NN_H
#define HARK_NN_H

#include <stdint.h>

#define HARK_NN_VERSION_MAJOR 0
#define HARK_NN_VERSION_MINOR 1
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

typedef struct { const int32_t *multiplier; const int32_t *shift; } hark_per_channel_quant;
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
