/* hark_frontend.h - Hark MFCC / log-mel feature front end for microcontrollers - v0.1.0 - MIT licence (end of file)

   Computes the features Hark models are trained on, bit for bit the same floats as Hark's C# front end
   (src/Hark.Core/Features/FrontEnd.cs): int16 audio in, float32 MFCC or log-mel frames out, then the int8 model
   input. C99, no malloc, no libm, no stdio.

   USAGE
     Add hark_frontend.c and the generated hark_frontend_tables.c to the build, and put the generated
     hark_frontend_tables.h on the include path (`hark export --format c` writes both for the model's front end).

       static hark_frontend_state fe;                      // about 5 KB for the default config, see MEMORY
       float features[HARK_FRONTEND_FEATURES];
       hark_frontend_init(&fe, &hark_frontend_builtin_tables);
       for (;;) {                                          // e.g. one DMA block of int16 microphone samples
           int32_t n = hark_frontend_push(&fe, block, block_len, features, 1);
           ...                                             // n frames written; fe.consumed samples taken
       }

   CONFIG (compile time, from the generated hark_frontend_tables.h; override HARK_FRONTEND_TABLES_HEADER to pick
   another file name)
     HARK_FRONTEND_WINDOW        samples per frame (W, 480 = 30 ms at 16 kHz by default)
     HARK_FRONTEND_STRIDE        samples between frame starts (320 = 20 ms)
     HARK_FRONTEND_FFT_SIZE      N, a power of two >= W (512)
     HARK_FRONTEND_MEL_BANDS     B (40)
     HARK_FRONTEND_FEATURES      floats per frame: MFCC coefficients or B for log-mel (10)
     HARK_FRONTEND_CLIP_SAMPLES  samples in one model input clip (16000); frames per clip HARK_FRONTEND_CLIP_FRAMES
     The state's buffers are sized from these, so they are the largest tables hark_frontend_init accepts.

   COMPUTATION (per frame, float32, no fused multiply-add: hark_frontend.c turns contraction off itself with a pragma
   for GCC and clang; other compilers need their -ffp-contract=off. Needs FLT_EVAL_METHOD 0: SSE on x86, ARM FPUs)
     x[n] = sample * 2^-15; pre-emphasis x[n] -= a x[n-1] from the last sample down (only if a != 0, x[-1] is the
     sample before the frame, 0 at the start); x[n] *= w[n]; zero to N; N-point real FFT as an N/2-point complex
     radix-2 FFT plus the split; |X|^2 or |X|; mel sums from 0 in increasing bin order; ln(mel + floor) with
     hark_frontend_log (fdlibm logf, fixed order, exactly HarkMath.Log); MFCC: DCT-II sums from 0 in band order.
     Subnormals must not be flushed (FPSCR.FZ = 0, the Cortex-M reset default; x86 SSE default).

   MEMORY (default config mfcc10, Cortex-M4)
     hark_frontend_state holds the overlap buffer (W int16 samples: the next frame from its first sample on) and the
     float scratch of one frame (HARK_FRONTEND_SCRATCH_FLOATS = 2 N + B floats): 5,232 bytes, all static, sized by the
     macros above. The scratch is only used while a frame is computed: with HARK_FRONTEND_EXTERNAL_SCRATCH defined
     (for hark_frontend.c and every file including this header) the state holds a pointer instead, set with
     hark_frontend_set_scratch, so the buffer can be shared with other work that never runs at the same time
     (hark_kws lends it the network's arena: 4,256 bytes less RAM). The tables are const (flash): 4,540 bytes (the
     window stored as its first half, the twiddles as cos[0..N/4], uint8 indices: see the layout macros); the code
     3,656 bytes (-O2). No heap; no recursion or arrays on the stack.

   PERFORMANCE (Cortex-M4F, arm-none-eabi-gcc 12.2 -O2, instructions counted under QEMU; not cycles)
     36,627 instructions per 20 ms hop (one frame) for mfcc10: `make bench-frontend-m4` (34,927 with full tables:
     the compact ones trade about 1,700 instructions per hop for 2,856 bytes of flash).
*/
#ifndef HARK_FRONTEND_H
#define HARK_FRONTEND_H

#include <stdint.h>

#ifndef HARK_FRONTEND_TABLES_HEADER
#define HARK_FRONTEND_TABLES_HEADER "hark_frontend_tables.h"
#endif
#include HARK_FRONTEND_TABLES_HEADER

/* Table layouts (hark_frontend_tables.h says which its tables use): a window stored as its first half, twiddles
   stored as cos[0..N/4]. Compile-time, so no frame pays for a choice at run time. */
#ifndef HARK_FRONTEND_SYMMETRIC_WINDOW
#define HARK_FRONTEND_SYMMETRIC_WINDOW 0
#endif
#ifndef HARK_FRONTEND_COMPACT_TWIDDLES
#define HARK_FRONTEND_COMPACT_TWIDDLES 0
#endif
/* The index tables' element type: uint8_t when every index fits (the generator decides), else uint16_t. */
#ifndef HARK_FRONTEND_INDEX_TYPE
#define HARK_FRONTEND_INDEX_TYPE uint16_t
#endif
typedef HARK_FRONTEND_INDEX_TYPE hark_frontend_index;

#ifdef __cplusplus
extern "C" {
#endif

#define HARK_FRONTEND_CLIP_FRAMES \
    (HARK_FRONTEND_CLIP_SAMPLES < HARK_FRONTEND_WINDOW ? 0 \
     : 1 + (HARK_FRONTEND_CLIP_SAMPLES - HARK_FRONTEND_WINDOW) / HARK_FRONTEND_STRIDE)

/* Floats of scratch one frame needs: the samples then the spectrum (N), the FFT's work (N), the mel energies (B). */
#define HARK_FRONTEND_SCRATCH_FLOATS (2 * HARK_FRONTEND_FFT_SIZE + HARK_FRONTEND_MEL_BANDS)

typedef enum { HARK_FRONTEND_MFCC = 0, HARK_FRONTEND_LOG_MEL = 1 } hark_frontend_output;

typedef enum {
    HARK_FRONTEND_OK = 0,
    HARK_FRONTEND_ERR_ARG = -1,       /* NULL pointer or negative count */
    HARK_FRONTEND_ERR_TABLES = -2     /* tables larger than this build's HARK_FRONTEND_* sizes, or inconsistent */
} hark_frontend_status;

/* Every constant of one front-end config, generated from C# (FrontEndTablesWriter) as exact floats. */
typedef struct {
    int32_t sample_rate, window, stride, fft_size, mel_bands, features, clip_samples;
    int32_t magnitude;                   /* 1: mel filters see |X|, 0: |X|^2 */
    hark_frontend_output output;
    float pre_emphasis, log_floor;
    int32_t symmetric_window;            /* 1: window_fn holds w[0..window/2] and w[i] = w[window - i] beyond */
    const float *window_fn;              /* [window], or [window / 2 + 1] when symmetric */
    int32_t compact_twiddles;            /* 1: only fft_cos[0..N/4] is stored (fft_sin NULL), see below */
    const float *fft_cos, *fft_sin;      /* [fft_size / 2]: cos, sin(2 pi k / N). Compact (when C#'s tables obey these
                                            exactly, as they do for every preset): with q = N/4, cos k = -cos(N/2 - k)
                                            for k > q, sin k = cos(|q - k|) for 0 < k < N/2 */
    const hark_frontend_index *bit_reverse; /* [fft_size / 2] */
    int32_t spectrum_first, spectrum_last; /* the only bins any mel band uses (inclusive) */
    const hark_frontend_index *mel_start, *mel_length, *mel_offset; /* [mel_bands] */
    const float *mel_weights;            /* band b, bin mel_start[b] + j: mel_weights[mel_offset[b] + j] */
    const float *dct;                    /* [features][mel_bands] row-major; NULL for log-mel */
} hark_frontend_tables;

typedef struct {
    const hark_frontend_tables *tables;
    int16_t pending[HARK_FRONTEND_WINDOW]; /* samples of the next frame, from its first sample on */
    int32_t pending_count;
    int16_t previous;                     /* the sample just before pending[0], 0 at the start */
    int32_t consumed;                     /* samples the last hark_frontend_push took */
#ifdef HARK_FRONTEND_EXTERNAL_SCRATCH
    float *scratch;                       /* HARK_FRONTEND_SCRATCH_FLOATS floats, see hark_frontend_set_scratch */
#else
    float scratch[HARK_FRONTEND_SCRATCH_FLOATS];
#endif
} hark_frontend_state;

/* The tables of the config this library was generated for (defined in the generated hark_frontend_tables.c). */
extern const hark_frontend_tables hark_frontend_builtin_tables;

/* Binds the tables and forgets all audio. Fails if the tables do not fit this build's buffers. */
hark_frontend_status hark_frontend_init(hark_frontend_state *state, const hark_frontend_tables *tables);

#ifdef HARK_FRONTEND_EXTERNAL_SCRATCH
/* Lends the state HARK_FRONTEND_SCRATCH_FLOATS floats (4-byte aligned) for computing frames; push and clip fail
   with HARK_FRONTEND_ERR_ARG until it is set. Nothing in it survives between calls. */
void hark_frontend_set_scratch(hark_frontend_state *state, float *scratch);
#endif

/* Forgets all pushed audio: the next sample pushed is sample 0 of a new signal. */
void hark_frontend_reset(hark_frontend_state *state);

/* Frames that pushing `count` more samples would produce with unlimited output space (negative count: 0). */
int32_t hark_frontend_frames_for(const hark_frontend_state *state, int32_t count);

/* Streams audio. Frame i covers samples [i * stride, i * stride + window) of everything pushed since init/reset and
   is bit-identical to frame i of hark_frontend_clip on the same samples. Writes up to `max_frames` frames of
   `tables->features` floats each to features_out and returns how many. It consumes all `count` samples unless the
   output fills up: then it takes every sample up to, not including, the one that would complete frame
   max_frames + 1 (so max_frames 0 only buffers). state->consumed tells how many samples were taken; push the rest
   (samples + consumed) again later. Returns HARK_FRONTEND_ERR_ARG on bad arguments (nothing consumed). */
int32_t hark_frontend_push(hark_frontend_state *state, const int16_t *samples, int32_t count, float *features_out,
                           int32_t max_frames);

/* One model-input clip: the first clip_samples of `samples` (zero-padded if shorter) -> clip frames x features
   floats, row-major [frame][feature] (HARK_FRONTEND_CLIP_FRAMES * HARK_FRONTEND_FEATURES floats for the built-in
   tables). Uses (and resets) `state` for scratch. Returns the frames written or a negative status. */
int32_t hark_frontend_clip(hark_frontend_state *state, const int16_t *samples, int32_t count, float *features_out);

/* The model's int8 input: clamp(round_half_away_from_zero(x / scale) + zero_point, -128, 127), the division and the
   addition in float32, NaN -> zero_point (exactly Hark's Quantizer.QuantizeValues). */
void hark_frontend_quantize(const float *features, int32_t count, float scale, int32_t zero_point, int8_t *out);

/* Natural logarithm, float32, bit-identical to HarkMath.Log (fdlibm logf with a fixed evaluation order). */
float hark_frontend_log(float x);

/* Correctly rounded square root (the FPU instruction where there is one, else an exact integer method). */
float hark_frontend_sqrt(float x);

#ifdef __cplusplus
}
#endif

#endif /* HARK_FRONTEND_H */

/* MIT License. Copyright (c) 2026 the Hark authors.
   Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
   documentation files (the "Software"), to deal in the Software without restriction, including without limitation
   the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
   permit persons to whom the Software is furnished to do so, subject to the following conditions: The above
   copyright notice and this permission notice shall be included in all copies or substantial portions of the
   Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED. */
