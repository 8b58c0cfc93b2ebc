/* hark_frontend.c - Hark feature front end, see hark_frontend.h. */
#include "hark_frontend.h"

#include <float.h>
#include <string.h>

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD > 0
#error "hark_frontend needs float arithmetic in float precision (FLT_EVAL_METHOD 0): on x86 build with SSE"
#endif
/* No fused multiply-add, whatever the build's flags: firmware projects often compile in GNU mode (-std=gnu11),
   where GCC contracts a*b+c into vfma and the last bits would differ from C#. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#if !defined(HARK_FRONTEND_SOFT_SQRT) && (defined(__GNUC__) || defined(__clang__)) && defined(__SSE__)
#include <xmmintrin.h>
#define HARK_FRONTEND_SSE_SQRT 1
#elif !defined(HARK_FRONTEND_SOFT_SQRT) && (defined(__GNUC__) || defined(__clang__)) && defined(__ARM_FP) && \
    (__ARM_FP & 4)
#define HARK_FRONTEND_VFP_SQRT 1
#endif

#define HARK_INPUT_SCALE (1.0f / 32768.0f) /* exact: int16 -> [-1, 1) */

static uint32_t float_bits(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

static float bits_float(uint32_t bits)
{
    float x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* ---- log: HarkMath.Log line for line ------------------------------------------------------------------------- */

static float log_normal(uint32_t bits, int32_t exponent_bias)
{
    const float sqrt2 = 0x1.6a09e6p+0f, ln2_hi = 0x1.62e4p-1f, ln2_lo = 0x1.7f7d1cp-20f;
    const float lg1 = 0x1.555554p-1f, lg2 = 0x1.999c26p-2f, lg3 = 0x1.23d3dcp-2f, lg4 = 0x1.f13c4cp-3f;
    int32_t k = (int32_t)(bits >> 23) - 127 + exponent_bias;
    float m = bits_float((bits & 0x007FFFFFu) | 0x3F800000u);
    float f, s, z, r, hfsq, fk, t;
    if (m > sqrt2) {
        m = m * 0.5f;
        k += 1;
    }
    f = m - 1.0f;
    s = f / (2.0f + f);
    z = s * s;
    r = lg4 * z;
    r = lg3 + r;
    r = r * z;
    r = lg2 + r;
    r = r * z;
    r = lg1 + r;
    r = r * z;
    hfsq = 0.5f * f;
    hfsq = hfsq * f;
    fk = (float)k;
    t = hfsq + r;
    t = s * t;
    t = t + fk * ln2_lo;
    t = hfsq - t;
    t = t - f;
    return fk * ln2_hi - t;
}

float hark_frontend_log(float x)
{
    const uint32_t bits = float_bits(x);
    if (bits - 0x00800000u < 0x7F000000u) return log_normal(bits, 0);
    if (x != x || x < 0.0f) return bits_float(0xFFC00000u);       /* NaN, as .NET's float.NaN */
    if (x == 0.0f) return bits_float(0xFF800000u);                /* -inf */
    if (bits == 0x7F800000u) return x;                            /* +inf */
    return log_normal(float_bits(x * 0x1p23f), -23);              /* subnormal: exact scaling */
}

/* ---- sqrt ---------------------------------------------------------------------------------------------------- */

#if !defined(HARK_FRONTEND_SSE_SQRT) && !defined(HARK_FRONTEND_VFP_SQRT)
/* fdlibm e_sqrtf.c: bit by bit, round to nearest even; exact like the IEEE instruction. */
static float soft_sqrt(float x)
{
    uint32_t ix = float_bits(x), q = 0, s = 0, r = 0x01000000u, t;
    int32_t m;
    if ((ix & 0x7F800000u) == 0x7F800000u) return x * x + x;     /* inf, NaN */
    if ((ix & 0x7FFFFFFFu) == 0) return x;                        /* +-0 */
    if (ix & 0x80000000u) return bits_float(0x7FC00000u);         /* negative */
    m = (int32_t)(ix >> 23);
    if (m == 0) {                                                 /* subnormal: normalise */
        int32_t i = 0;
        while ((ix & 0x00800000u) == 0) {
            ix <<= 1;
            i++;
        }
        m -= i - 1;
    }
    m -= 127;
    ix = (ix & 0x007FFFFFu) | 0x00800000u;
    if (m & 1) ix += ix;
    m = (m - (m & 1)) / 2; /* floor(m / 2) */
    ix += ix;
    while (r != 0) {
        t = s + r;
        if (t <= ix) {
            s = t + r;
            ix -= t;
            q += r;
        }
        ix += ix;
        r >>= 1;
    }
    if (ix != 0) q += q & 1;
    ix = (q >> 1) + 0x3F000000u;
    ix += (uint32_t)m << 23;
    return bits_float(ix);
}
#endif

float hark_frontend_sqrt(float x)
{
#if defined(HARK_FRONTEND_SSE_SQRT)
    return _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(x)));
#elif defined(HARK_FRONTEND_VFP_SQRT)
    float r;
    __asm__("vsqrt.f32 %0, %1" : "=t"(r) : "t"(x));
    return r;
#else
    return soft_sqrt(x);
#endif
}

/* ---- one frame ----------------------------------------------------------------------------------------------- */

/* One radix-2 butterfly on values in registers, twiddle c - i s: the arithmetic of C#'s RealFft.Butterfly. */
#define HARK_BFLY(ar, ai, br, bi, c, s)                \
    do {                                               \
        const float tr_ = (c) * (br) + (s) * (bi);     \
        const float ti_ = (c) * (bi) - (s) * (br);     \
        (br) = (ar) - tr_;                             \
        (bi) = (ai) - ti_;                             \
        (ar) = (ar) + tr_;                             \
        (ai) = (ai) + ti_;                             \
    } while (0)

/* The butterfly with the twiddle 1 + 0i (cos 0 and sin 0 are exactly 1 and 0 in the tables). 1*b is b and 0*b is a
   zero, so tr and ti equal br and bi except possibly for the sign of a zero; signs of zeros never reach a result,
   because every FFT output is squared (giving +0) before anything else uses it. Same features, no multiplies. */
#define HARK_BFLY_ONE(ar, ai, br, bi)                  \
    do {                                               \
        const float tr_ = (br), ti_ = (bi);            \
        (br) = (ar) - tr_;                             \
        (bi) = (ai) - ti_;                             \
        (ar) = (ar) + tr_;                             \
        (ai) = (ai) + ti_;                             \
    } while (0)

/* Two radix-2 stages (half sizes h, 2h) on the four points p, p + h, p + 2h, p + 3h (interleaved floats, `q` = 2h
   floats apart) in registers: stage h pairs (0,1), (2,3) with twiddle w1; stage 2h pairs (0,2) with w2, (1,3) with w3.
   These butterflies only ever touch these four points, so doing both stages here keeps C#'s bits. */
static void stage_pair(float *p, int32_t q, float c1, float s1, float c2, float s2, float c3, float s3, int32_t trivial)
{
    float x0r = p[0], x0i = p[1], x1r = p[q], x1i = p[q + 1];
    float x2r = p[2 * q], x2i = p[2 * q + 1], x3r = p[3 * q], x3i = p[3 * q + 1];
    if (trivial) { /* j = 0: w1 = w2 = 1 */
        HARK_BFLY_ONE(x0r, x0i, x1r, x1i);
        HARK_BFLY_ONE(x2r, x2i, x3r, x3i);
        HARK_BFLY_ONE(x0r, x0i, x2r, x2i);
    } else {
        HARK_BFLY(x0r, x0i, x1r, x1i, c1, s1);
        HARK_BFLY(x2r, x2i, x3r, x3i, c1, s1);
        HARK_BFLY(x0r, x0i, x2r, x2i, c2, s2);
    }
    HARK_BFLY(x1r, x1i, x3r, x3i, c3, s3);
    p[0] = x0r;
    p[1] = x0i;
    p[q] = x1r;
    p[q + 1] = x1i;
    p[2 * q] = x2r;
    p[2 * q + 1] = x2i;
    p[3 * q] = x3r;
    p[3 * q + 1] = x3i;
}

/* Twiddles cos, sin(2 pi k / N), 0 < k < N/2, by range, so no loop decides per twiddle. With compact tables
   (HARK_FRONTEND_COMPACT_TWIDDLES: only cos[0..q], q = N/4) the values come from the symmetries the generator checked
   bit for bit: cos k = -cos(N/2 - k) for k > q, sin k = cos(q - k) for k <= q and cos(k - q) for k > q. Callers keep
   k = 0's sine out of every non-trivial butterfly. */
#if HARK_FRONTEND_COMPACT_TWIDDLES
#define HARK__COS_LOW(t, q, k) ((t)->fft_cos[(k)])
#define HARK__SIN_LOW(t, q, k) ((t)->fft_cos[(q) - (k)])
#define HARK__COS_HIGH(t, q, k) (-(t)->fft_cos[2 * (q) - (k)])
#define HARK__SIN_HIGH(t, q, k) ((t)->fft_cos[(k) - (q)])
#else
#define HARK__COS_LOW(t, q, k) ((t)->fft_cos[(k)])
#define HARK__SIN_LOW(t, q, k) ((t)->fft_sin[(k)])
#define HARK__COS_HIGH(t, q, k) ((t)->fft_cos[(k)])
#define HARK__SIN_HIGH(t, q, k) ((t)->fft_sin[(k)])
#endif

/* N/2-point complex radix-2 DIT FFT of z[n] = x[2n] + i x[2n+1] into z (interleaved re, im), exactly C#'s RealFft
   stages. Butterflies of one stage touch disjoint points, so their order does not matter; the gather runs the first
   two stages on four points in registers (as C# does) and later stages go two at a time (stage_pair). */
static void complex_fft(const hark_frontend_tables *t, const float *x, float *z)
{
    const int32_t m = t->fft_size / 2, end = 2 * m, q = m / 2;
    int32_t i, half = 1;
    if (m >= 4) {
        /* size-4 stage, j = 1: k = m/2 = q */
        const float c21 = HARK__COS_LOW(t, q, q), s21 = HARK__SIN_LOW(t, q, q);
        float *out = z;
        for (i = 0; i < m; i += 4, out += 8) {
            const float *p0 = x + 2 * t->bit_reverse[i], *p1 = x + 2 * t->bit_reverse[i + 1];
            const float *p2 = x + 2 * t->bit_reverse[i + 2], *p3 = x + 2 * t->bit_reverse[i + 3];
            float a0r = p0[0], a0i = p0[1], a1r = p1[0], a1i = p1[1];
            float a2r = p2[0], a2i = p2[1], a3r = p3[0], a3i = p3[1];
            HARK_BFLY_ONE(a0r, a0i, a1r, a1i);
            HARK_BFLY_ONE(a2r, a2i, a3r, a3i);
            HARK_BFLY_ONE(a0r, a0i, a2r, a2i);
            HARK_BFLY(a1r, a1i, a3r, a3i, c21, s21);
            out[0] = a0r;
            out[1] = a0i;
            out[2] = a1r;
            out[3] = a1i;
            out[4] = a2r;
            out[5] = a2i;
            out[6] = a3r;
            out[7] = a3i;
        }
        half = 4;
    } else {
        for (i = 0; i < m; i++) {
            const int32_t r = 2 * (int32_t)t->bit_reverse[i];
            z[2 * i] = x[r];
            z[2 * i + 1] = x[r + 1];
        }
    }
    for (; 2 * half < m; half <<= 2) {
        const int32_t step = m / half, step2 = step / 2, q2 = 2 * half, span = 8 * half;
        int32_t j, a;
        for (j = 0; j < half; j++) {
            /* k2 = j * step2 < q; k3 = k2 + q; k1 = 2 * k2. (j = 0 is the trivial pair: s1, s2 unused.) */
            const int32_t k2 = j * step2, k1 = j * step, k3 = (j + half) * step2;
            const float c2 = HARK__COS_LOW(t, q, k2), s2 = HARK__SIN_LOW(t, q, k2);
            const float c1 = k1 <= q ? HARK__COS_LOW(t, q, k1) : HARK__COS_HIGH(t, q, k1);
            const float s1 = k1 <= q ? HARK__SIN_LOW(t, q, k1) : HARK__SIN_HIGH(t, q, k1);
            const float c3 = k3 <= q ? HARK__COS_LOW(t, q, k3) : HARK__COS_HIGH(t, q, k3);
            const float s3 = k3 <= q ? HARK__SIN_LOW(t, q, k3) : HARK__SIN_HIGH(t, q, k3);
            for (a = 2 * j; a < end; a += span) stage_pair(z + a, q2, c1, s1, c2, s2, c3, s3, j == 0);
        }
    }
    if (half < m) { /* an odd number of stages: the last one alone */
        const int32_t step = m / half; /* 2: this stage is one block of all m points */
        int32_t j;
        float *pa = z, *pb = z + 2 * half;
        HARK_BFLY_ONE(pa[0], pa[1], pb[0], pb[1]);
        for (j = 1; j < half; j++) {
            const int32_t k = j * step;
            const float c = k <= q ? HARK__COS_LOW(t, q, k) : HARK__COS_HIGH(t, q, k);
            const float s = k <= q ? HARK__SIN_LOW(t, q, k) : HARK__SIN_HIGH(t, q, k);
            pa += 2;
            pb += 2;
            HARK_BFLY(pa[0], pa[1], pb[0], pb[1], c, s);
        }
    }
}

#if defined(__GNUC__) || defined(__clang__)
#define HARK__INLINE __inline__ __attribute__((always_inline))
#else
#define HARK__INLINE
#endif

/* Bin k of the split: X[k] from the half-size FFT's bins k and m - k, then its power (or magnitude). */
static HARK__INLINE void split_bin(const float *z, int32_t m, int32_t k, float c, float s, int32_t magnitude, float *out)
{
    const float zr = z[2 * k], zi = z[2 * k + 1], yr = z[2 * (m - k)], yi = z[2 * (m - k) + 1];
    const float even_r = (zr + yr) * 0.5f, even_i = (zi - yi) * 0.5f;
    const float odd_r = (zi + yi) * 0.5f, odd_i = (yr - zr) * 0.5f;
    const float xr = even_r + (c * odd_r + s * odd_i);
    const float xi = even_i + (c * odd_i - s * odd_r);
    const float power = xr * xr + xi * xi;
    out[k] = magnitude ? hark_frontend_sqrt(power) : power;
}

/* Split of the half-size FFT into X[k] and its power (or magnitude), only for the bins the mel filters use. */
static void spectrum(const hark_frontend_tables *t, const float *z, float *out)
{
    const int32_t m = t->fft_size / 2, q = m / 2;
    const int32_t magnitude = t->magnitude;
    int32_t k = t->spectrum_first, last = t->spectrum_last;
    if (k == 0) {
        const float dc = z[0] + z[1];
        out[0] = magnitude ? hark_frontend_sqrt(dc * dc) : dc * dc;
        k = 1;
    }
    if (last == m) {
        const float nyquist = z[0] - z[1];
        out[m] = magnitude ? hark_frontend_sqrt(nyquist * nyquist) : nyquist * nyquist;
        last = m - 1;
    }
    {
        const int32_t low_last = last < q ? last : q;
        for (; k <= low_last; k++) split_bin(z, m, k, HARK__COS_LOW(t, q, k), HARK__SIN_LOW(t, q, k), magnitude, out);
        for (; k <= last; k++) split_bin(z, m, k, HARK__COS_HIGH(t, q, k), HARK__SIN_HIGH(t, q, k), magnitude, out);
    }
}

/* Features of the frame whose first `available` (<= window) samples are given, zeros after them. */
static void compute_frame(hark_frontend_state *st, const int16_t *samples, int32_t available, int16_t previous,
                          float *out)
{
    const hark_frontend_tables *t = st->tables;
    const int32_t w = t->window, n = t->fft_size, bands = t->mel_bands;
    float *x = st->scratch, *work = st->scratch + HARK_FRONTEND_FFT_SIZE, *mel = work + HARK_FRONTEND_FFT_SIZE;
    const float a = t->pre_emphasis, floor_value = t->log_floor;
    /* Window entries [0, mid] are read forwards; a symmetric window's later ones are its earlier ones mirrored. */
    const int32_t mid = HARK_FRONTEND_SYMMETRIC_WINDOW ? w / 2 : w - 1;
    int32_t i, b;
    if (a != 0.0f) {
        for (i = 0; i < available; i++) x[i] = (float)samples[i] * HARK_INPUT_SCALE;
        for (; i < w; i++) x[i] = 0.0f;
        for (i = w - 1; i > 0; i--) x[i] = x[i] - a * x[i - 1];
        x[0] = x[0] - a * ((float)previous * HARK_INPUT_SCALE);
        for (i = 0; i <= mid; i++) x[i] = x[i] * t->window_fn[i];
        for (; i < w; i++) x[i] = x[i] * t->window_fn[w - i];
    } else { /* the same two roundings per sample, in one pass */
        const int32_t forward = available <= mid ? available : mid + 1;
        for (i = 0; i < forward; i++) x[i] = ((float)samples[i] * HARK_INPUT_SCALE) * t->window_fn[i];
        for (; i < available; i++) x[i] = ((float)samples[i] * HARK_INPUT_SCALE) * t->window_fn[w - i];
        for (; i <= mid; i++) x[i] = 0.0f * t->window_fn[i];
        for (; i < w; i++) x[i] = 0.0f * t->window_fn[w - i];
    }
    for (i = w; i < n; i++) x[i] = 0.0f;
    complex_fft(t, x, work);
    spectrum(t, work, x); /* the samples are no longer needed */
    for (b = 0; b < bands; b++) {
        const float *weights = t->mel_weights + t->mel_offset[b];
        const float *bins = x + t->mel_start[b];
        const int32_t length = t->mel_length[b];
        float sum = 0.0f;
        int32_t j;
        for (j = 0; j < length; j++) sum = sum + weights[j] * bins[j];
        mel[b] = hark_frontend_log(sum + floor_value);
    }
    if (t->output == HARK_FRONTEND_LOG_MEL) {
        for (b = 0; b < bands; b++) out[b] = mel[b];
    } else {
        int32_t k;
        for (k = 0; k < t->features; k++) {
            const float *row = t->dct + k * bands;
            float sum = 0.0f;
            for (b = 0; b < bands; b++) sum = sum + row[b] * mel[b];
            out[k] = sum;
        }
    }
}

/* ---- public API ---------------------------------------------------------------------------------------------- */

static int tables_fit(const hark_frontend_tables *t)
{
    const int32_t half = t->fft_size / 2;
    if (t->window < 1 || t->window > HARK_FRONTEND_WINDOW || t->stride < 1 || t->stride > t->window) return 0;
    if (t->fft_size < 4 || t->fft_size > HARK_FRONTEND_FFT_SIZE || (t->fft_size & (t->fft_size - 1)) != 0) return 0;
    if (t->fft_size < t->window || t->clip_samples < t->window) return 0;
    if (t->mel_bands < 1 || t->mel_bands > HARK_FRONTEND_MEL_BANDS) return 0;
    if (t->spectrum_first < 0 || t->spectrum_last > half || t->spectrum_first > t->spectrum_last) return 0;
    if (t->symmetric_window != HARK_FRONTEND_SYMMETRIC_WINDOW || t->compact_twiddles != HARK_FRONTEND_COMPACT_TWIDDLES)
        return 0; /* the layout this build's hark_frontend_tables.h was generated for */
    if (!t->window_fn || !t->fft_cos || (!t->compact_twiddles && !t->fft_sin) ||
        !t->bit_reverse || !t->mel_start || !t->mel_length ||
        !t->mel_offset || !t->mel_weights)
        return 0;
    if (t->output == HARK_FRONTEND_MFCC) return t->dct != 0 && t->features >= 1 && t->features <= t->mel_bands;
    return t->output == HARK_FRONTEND_LOG_MEL && t->features == t->mel_bands;
}

hark_frontend_status hark_frontend_init(hark_frontend_state *state, const hark_frontend_tables *tables)
{
    if (!state || !tables) return HARK_FRONTEND_ERR_ARG;
    if (!tables_fit(tables)) return HARK_FRONTEND_ERR_TABLES;
    state->tables = tables;
    hark_frontend_reset(state);
    return HARK_FRONTEND_OK;
}

#ifdef HARK_FRONTEND_EXTERNAL_SCRATCH
void hark_frontend_set_scratch(hark_frontend_state *state, float *scratch)
{
    if (state) state->scratch = scratch;
}
#define HARK__HAS_SCRATCH(state) ((state)->scratch != 0)
#else
#define HARK__HAS_SCRATCH(state) 1
#endif

void hark_frontend_reset(hark_frontend_state *state)
{
    state->pending_count = 0;
    state->previous = 0;
    state->consumed = 0;
}

int32_t hark_frontend_frames_for(const hark_frontend_state *state, int32_t count)
{
    const int64_t total = (int64_t)state->pending_count + (count > 0 ? count : 0), w = state->tables->window;
    return total < w ? 0 : (int32_t)(1 + (total - w) / state->tables->stride);
}

int32_t hark_frontend_push(hark_frontend_state *state, const int16_t *samples, int32_t count, float *features_out,
                           int32_t max_frames)
{
    const hark_frontend_tables *t;
    int32_t frames = 0, used = 0;
    if (!state || !state->tables || !HARK__HAS_SCRATCH(state)) return HARK_FRONTEND_ERR_ARG;
    state->consumed = 0;
    if (count < 0 || max_frames < 0 || (count > 0 && !samples) || (max_frames > 0 && !features_out))
        return HARK_FRONTEND_ERR_ARG;
    t = state->tables;
    for (;;) {
        const int32_t room = t->window - state->pending_count; /* samples until the next frame is complete */
        int32_t take = count - used;
        if (frames == max_frames && take > room - 1) take = room - 1;
        else if (take > room) take = room;
        memcpy(state->pending + state->pending_count, samples + used, (size_t)take * sizeof(int16_t));
        used += take;
        state->pending_count += take;
        if (state->pending_count < t->window) break;
        compute_frame(state, state->pending, t->window, state->previous, features_out + frames * t->features);
        frames++;
        /* Keep the overlap with the next frame (stride <= window, so no sample is skipped). */
        state->previous = state->pending[t->stride - 1];
        memmove(state->pending, state->pending + t->stride, (size_t)(t->window - t->stride) * sizeof(int16_t));
        state->pending_count -= t->stride;
    }
    state->consumed = used;
    return frames;
}

int32_t hark_frontend_clip(hark_frontend_state *state, const int16_t *samples, int32_t count, float *features_out)
{
    const hark_frontend_tables *t;
    int32_t frames, f;
    if (!state || !state->tables || !HARK__HAS_SCRATCH(state) || count < 0 || (count > 0 && !samples) || !features_out)
        return HARK_FRONTEND_ERR_ARG;
    t = state->tables;
    if (count > t->clip_samples) count = t->clip_samples;
    frames = 1 + (t->clip_samples - t->window) / t->stride;
    for (f = 0; f < frames; f++) {
        const int32_t start = f * t->stride;
        int32_t available = count - start;
        const int16_t previous = start > 0 && start - 1 < count ? samples[start - 1] : 0;
        if (available < 0) available = 0;
        if (available > t->window) available = t->window;
        compute_frame(state, samples + (available > 0 ? start : 0), available, previous,
                      features_out + f * t->features);
    }
    return frames;
}

/* Round half away from zero without libm: truncation and the fraction are exact below 2^23. */
static float round_half_away(float v)
{
    float whole, fraction;
    if (!(v > -8388608.0f && v < 8388608.0f)) return v; /* NaN, infinities and large values are already whole */
    whole = (float)(int32_t)v;
    fraction = v - whole;
    if (fraction >= 0.5f) whole = whole + 1.0f;
    else if (fraction <= -0.5f) whole = whole - 1.0f;
    return whole;
}

void hark_frontend_quantize(const float *features, int32_t count, float scale, int32_t zero_point, int8_t *out)
{
    int32_t i;
    for (i = 0; i < count; i++) {
        const float clamped = round_half_away(features[i] / scale) + (float)zero_point;
        out[i] = clamped >= 127.0f ? (int8_t)127
                 : clamped <= -128.0f ? (int8_t)-128
                 : clamped != clamped ? (int8_t)zero_point
                                      : (int8_t)(int32_t)clamped;
    }
}
