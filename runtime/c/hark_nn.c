/* hark_nn.c - Hark int8 neural-network kernels - v0.2.0 - MIT licence (see hark_nn.h) */
#include "hark_nn.h"

#include <string.h>

/* HARK__COLD: only rare fallbacks, compiled for size (GCC, Clang; also marks the paths calling them unlikely). */
#if defined(__GNUC__)
#define HARK__INLINE static inline __attribute__((always_inline))
#define HARK__NOINLINE __attribute__((noinline))
#define HARK__COLD __attribute__((cold))
#else
#define HARK__INLINE static
#define HARK__NOINLINE
#define HARK__COLD
#endif

/* The DSP path uses GCC-style inline and naked-function assembly (GCC, Clang, Arm Compiler 6). */
#if !defined(HARK_NN_NO_DSP) && defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__)
#define HARK__DSP 1
#define HARK__DSP_NATIVE 1
#include <arm_acle.h>
#elif !defined(HARK_NN_NO_DSP) && defined(HARK_NN_EMULATE_DSP)
#define HARK__DSP 1
#endif

/* ---------------------------------------------------------------------------------------------------------------
   Requantization (TFLM default, double rounding). All wrap-around is done on unsigned values so it is defined C
   and matches the C# engine's unchecked arithmetic bit for bit. */

static int32_t hark__srdhm(int32_t a, int32_t b)
{
    int64_t ab;
    if (a == b && a == INT32_MIN) return INT32_MAX;
    ab = (int64_t)a * (int64_t)b;
    /* gemmlowp truncates (ab + nudge) / 2^31 towards zero; for both signs that is this floor shift. */
    return (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
}

static int32_t hark__rdbpot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static int32_t hark__wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

int32_t hark_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    return hark__rdbpot(hark__srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

static int8_t hark__output(int32_t acc, int32_t multiplier, int32_t shift, int32_t offset, hark_activation act)
{
    int32_t v = hark__wrap_add(hark_multiply_by_quantized_multiplier(acc, multiplier, shift), offset);
    if (v < act.min) v = act.min;
    if (v > act.max) v = act.max;
    return (int8_t)v;
}

static int8_t hark__clamp8(int32_t v, hark_activation act)
{
    if (v < act.min) v = act.min;
    if (v > act.max) v = act.max;
    return (int8_t)v;
}

/* ---------------------------------------------------------------------------------------------------------------
   Argument checks shared by the kernels. */

static int hark__dims_ok(const hark_dims *d)
{
    return d != 0 && d->n > 0 && d->h > 0 && d->w > 0 && d->c > 0;
}

static int hark__act_ok(hark_activation a) { return a.min >= -128 && a.max <= 127 && a.min <= a.max; }

/* Convolutions keep x + input_offset in int16 (every int8 model's offset, -zero_point, is in [-127, 128]). */
#define HARK__INPUT_OFFSET_MIN (-32767 + 128)
#define HARK__INPUT_OFFSET_MAX (32767 - 127)

static hark_nn_status hark__check_conv(int32_t input_offset, hark_tile stride, hark_activation act,
                                       const hark_dims *id, const int8_t *in, const hark_dims *fd,
                                       const int8_t *f, const hark_dims *od, const int8_t *out)
{
    if (in == 0 || f == 0 || out == 0) return HARK_NN_ERR_ARG;
    if (!hark__dims_ok(id) || !hark__dims_ok(fd) || !hark__dims_ok(od)) return HARK_NN_ERR_ARG;
    if (stride.h <= 0 || stride.w <= 0 || !hark__act_ok(act) || id->n != od->n) return HARK_NN_ERR_ARG;
    if (input_offset < HARK__INPUT_OFFSET_MIN || input_offset > HARK__INPUT_OFFSET_MAX) return HARK_NN_ERR_ARG;
    return HARK_NN_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
   DSP primitives: ACLE intrinsics on Cortex-M, C emulations for host testing of the same code path. */

#if HARK__DSP
static int32_t hark__lo16(uint32_t x) { return (int32_t)(int16_t)(uint16_t)(x & 0xFFFFu); }
static int32_t hark__hi16(uint32_t x) { return (int32_t)(int16_t)(uint16_t)(x >> 16); }
#if HARK__DSP_NATIVE
#define hark__sxtb16(x) ((uint32_t)__sxtb16((int32_t)(x)))
static uint32_t hark__sxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
#define hark__sxtab16(a, x) ((uint32_t)__sxtab16((int32_t)(a), (int32_t)(x)))
static uint32_t hark__sxtab16_ror8(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}
#define hark__smlad(a, b, acc) __smlad((int32_t)(a), (int32_t)(b), (acc))
#define hark__smlabb(a, b, acc) __smlabb((int32_t)(a), (int32_t)(b), (acc))
#define hark__smlabt(a, b, acc) __smlabt((int32_t)(a), (int32_t)(b), (acc))
#define hark__smlatb(a, b, acc) __smlatb((int32_t)(a), (int32_t)(b), (acc))
#define hark__smlatt(a, b, acc) __smlatt((int32_t)(a), (int32_t)(b), (acc))
#define hark__ssat8(x) __ssat((x), 8)
/* (acc * 2^32 + a * b + 2^31) >> 32, the high word of a rounded 64-bit multiply-accumulate. */
static int32_t hark__smmlar(int32_t a, int32_t b, int32_t acc)
{
    int32_t r;
    __asm("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
/* Per byte: max(x, lo) then min(.., hi), signed (SSUB8 sets the GE flags that SEL reads). */
static uint32_t hark__clamp4(uint32_t x, uint32_t lo, uint32_t hi)
{
    uint32_t t;
    __asm("ssub8 %1, %0, %2\n\t"
          "sel   %0, %0, %2\n\t"
          "ssub8 %1, %3, %0\n\t"
          "sel   %0, %0, %3"
          : "+r"(x), "=&r"(t) : "r"(lo), "r"(hi) : "cc");
    return x;
}
#else
static uint32_t hark__ror8(uint32_t x) { return (x >> 8) | (x << 24); }
static uint32_t hark__pack16(int32_t lo, int32_t hi) { return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16); }
static uint32_t hark__sxtb16(uint32_t x)
{
    return hark__pack16((int8_t)(uint8_t)(x & 0xFFu), (int8_t)(uint8_t)((x >> 16) & 0xFFu));
}
static uint32_t hark__sxtb16_ror8(uint32_t x) { return hark__sxtb16(hark__ror8(x)); }
static uint32_t hark__sxtab16(uint32_t a, uint32_t x)
{
    const uint32_t b = hark__sxtb16(x);
    return hark__pack16(hark__lo16(a) + hark__lo16(b), hark__hi16(a) + hark__hi16(b));
}
static uint32_t hark__sxtab16_ror8(uint32_t a, uint32_t x) { return hark__sxtab16(a, hark__ror8(x)); }
static int32_t hark__smlad(uint32_t a, uint32_t b, int32_t acc)
{
    const uint32_t lo = (uint32_t)(hark__lo16(a) * hark__lo16(b));
    const uint32_t hi = (uint32_t)(hark__hi16(a) * hark__hi16(b));
    return (int32_t)((uint32_t)acc + lo + hi);
}
static int32_t hark__smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(hark__lo16(a) * hark__lo16(b)));
}
HARK__INLINE int32_t hark__smlabt(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(hark__lo16(a) * hark__hi16(b)));
}
HARK__INLINE int32_t hark__smlatb(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(hark__hi16(a) * hark__lo16(b)));
}
static int32_t hark__smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(hark__hi16(a) * hark__hi16(b)));
}
static int32_t hark__ssat8(int32_t x) { return x < -128 ? -128 : x > 127 ? 127 : x; }
/* As the instruction: the 64-bit sum wraps, bits 63..32 are the result. */
static int32_t hark__smmlar(int32_t a, int32_t b, int32_t acc)
{
    const uint64_t sum = ((uint64_t)(uint32_t)acc << 32) + (uint64_t)((int64_t)a * b) + 0x80000000u;
    return (int32_t)(uint32_t)(sum >> 32);
}
static uint32_t hark__clamp4(uint32_t x, uint32_t lo, uint32_t hi)
{
    uint32_t r = 0;
    int i;
    for (i = 0; i < 32; i += 8) {
        int32_t v = (int8_t)(uint8_t)(x >> i);
        const int32_t l = (int8_t)(uint8_t)(lo >> i), h = (int8_t)(uint8_t)(hi >> i);
        if (v < l) v = l;
        if (v > h) v = h;
        r |= ((uint32_t)v & 0xFFu) << i;
    }
    return r;
}
#endif

static uint32_t hark__read_u32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
#endif /* HARK__DSP */

/* ---------------------------------------------------------------------------------------------------------------
   Convolution. */

int32_t hark_conv_s8_get_buffer_size(const hark_dims *input_dims, const hark_dims *filter_dims)
{
    (void)input_dims;
    if (filter_dims == 0) return 0;
    /* Two interleaved im2col columns of int16 values, plus 4 tail slots per column. */
    return (2 * (filter_dims->h * filter_dims->w * filter_dims->c & ~3) + 8) * (int32_t)sizeof(int16_t);
}

#if !HARK__DSP
static void hark__conv_portable(const hark_conv_params *p, const hark_per_channel_quant *q,
                                const hark_dims *id, const int8_t *in, const hark_dims *fd, const int8_t *f,
                                const int32_t *bias, const hark_dims *od, int8_t *out)
{
    int32_t b, oy, ox, oc, fy, fx, ic;
    const int32_t in_c = id->c;
    for (b = 0; b < od->n; b++)
        for (oy = 0; oy < od->h; oy++)
            for (ox = 0; ox < od->w; ox++) {
                const int32_t in_y0 = oy * p->stride.h - p->padding.h;
                const int32_t in_x0 = ox * p->stride.w - p->padding.w;
                int8_t *dst = out + ((b * od->h + oy) * od->w + ox) * od->c;
                for (oc = 0; oc < od->c; oc++) {
                    int32_t acc = 0;
                    for (fy = 0; fy < fd->h; fy++) {
                        const int32_t iy = in_y0 + fy;
                        if (iy < 0 || iy >= id->h) continue;
                        for (fx = 0; fx < fd->w; fx++) {
                            const int32_t ix = in_x0 + fx;
                            const int8_t *src, *w;
                            if (ix < 0 || ix >= id->w) continue;
                            src = in + ((b * id->h + iy) * id->w + ix) * in_c;
                            w = f + ((oc * fd->h + fy) * fd->w + fx) * in_c;
                            for (ic = 0; ic < in_c; ic++) acc += w[ic] * (src[ic] + p->input_offset);
                        }
                    }
                    if (bias) acc = hark__wrap_add(acc, bias[oc]);
                    dst[oc] = hark__output(acc, q->multiplier[oc], q->shift[oc], p->output_offset, p->activation);
                }
            }
}
#endif

#if HARK__DSP
/* ---------------------------------------------------------------------------------------------------------------
   Fast requantization, for kernels that can bound their accumulators: |acc| < 2^30, multiplier m >= 0 and a right
   shift r = -shift in [1, 30] (checked per call and channel by hark__rq_ok). With C = (2 * output_offset + 1) <<
   (r - 1) the kernels compute, from the doubled accumulator 2 * acc:
       out = SSAT8(SMMLAR(2 * acc, m, C - [acc < 0]) >> r)                  (ADD, SMMLAR, ASR, SSAT)
   which is TFLM's RoundingDivideByPOT(SRDHM(acc, m), r) + output_offset, saturated to int8, bit for bit:
   - SMMLAR(a, b, c) = c + floor((a * b + 2^31) / 2^32). For a = 2 * acc that is c + floor((acc * m + 2^30) / 2^31)
     = c + SRDHM(acc, m): gemmlowp's SRDHM truncates the nudged product towards zero, which for both signs is this
     floor (see hark__srdhm), and its saturating case needs acc = INT32_MIN.
   - RoundingDivideByPOT(s, r) = (s >> r) + (remainder > 2^(r-1) - 1 + [s < 0]) = floor((s + 2^(r-1) - [s < 0]) / 2^r)
     for r >= 1 (ties away from zero); adding output_offset * 2^r inside the floor adds output_offset outside.
   - [s < 0] is replaced by [acc < 0]: for m >= 0 they differ only when acc < 0 and s = 0, and then both roundings
     give floor((2^(r-1) - 1) / 2^r) = floor(2^(r-1) / 2^r) = 0.
   - Nothing overflows: |s| <= |acc| <= bound, so |s + C - [acc < 0]| <= bound + 2 + 2^(r-1) + |output_offset| * 2^r,
     which hark__rq_ok requires to be <= INT32_MAX; 2 * acc fits because bound < 2^30. A channel's bound is
     taps + |bias|: taps = K * 128 * max |x + input_offset| bounds the sum of products (|w| <= 128; padding adds 0).
   - SSAT to [-128, 127] followed by the activation clamp equals the reference clamp, [min, max] lying inside
     [-128, 127]; where the activation is not [-128, 127] the kernels clamp their outputs afterwards. */

/* max |x + input_offset| over int8 x (<= 32767: hark__check_conv bounds the offset). */
static int32_t hark__input_abs_max(int32_t input_offset) { return input_offset < 0 ? 128 - input_offset : input_offset + 127; }

/* The fast requantization's conditions for a channel with |acc| <= taps + |bias| (taps < 2^30, from the caller). */
static HARK__NOINLINE int hark__rq_ok(int32_t multiplier, int32_t shift, uint32_t taps, int32_t bias,
                                     int32_t output_offset)
{
    const uint32_t b = bias < 0 ? 0u - (uint32_t)bias : (uint32_t)bias;
    const uint32_t offset = output_offset < 0 ? 0u - (uint32_t)output_offset : (uint32_t)output_offset;
    uint32_t room;
    if (multiplier < 0 || shift > -1 || shift < -30 || b >= (1u << 30) - taps) return 0;
    room = 0x7FFFFFFFu - (taps + b) - 2u - (1u << (-shift - 1)); /* bound < 2^30, 2^(r-1) <= 2^29: no wrap */
    return offset <= room >> -shift;
}

/* C for a channel that passed hark__rq_ok (k1 = 2 * output_offset + 1). */
HARK__INLINE int32_t hark__rq_c(int32_t k1, int32_t shift) { return (int32_t)((uint32_t)k1 << (-shift - 1)); }

HARK__INLINE int8_t hark__rq(int32_t acc2, int32_t multiplier, int32_t c, int32_t right)
{
    return (int8_t)hark__ssat8(hark__smmlar(acc2, multiplier, c - (acc2 < 0)) >> right);
}

/* Clamps n outputs to the activation range, 4 at a time (for fast paths, whose SSAT clamps to [-128, 127]). */
static void hark__clamp_run(int8_t *p, int32_t n, hark_activation act)
{
    const uint32_t lo = 0x01010101u * (uint8_t)act.min, hi = 0x01010101u * (uint8_t)act.max;
    if (act.min == -128 && act.max == 127) return;
    for (; n >= 4; n -= 4, p += 4) {
        const uint32_t v = hark__clamp4(hark__read_u32(p), lo, hi);
        memcpy(p, &v, sizeof v);
    }
    for (; n > 0; n--, p++) *p = hark__clamp8(*p, act);
}

/* Requantization with the per-channel constants hoisted out of the pixel loops, for the generic DSP paths, for
   channels where it is "fast": RoundingDivideByPOT(s, r) is computed as (s - (s < 0) + 2^(r-1)) >> r, which is the
   same rounding, with both additions saturating (QADD). Saturation can only happen when s is within 2^(r-1) of
   INT32_MAX, where the true result is 2^(31-r) and the saturated one 2^(31-r) - 1: for r <= 23 both exceed 127 + 128
   and clamp to the same int8 output. Channels with r > 23 or the multiplier INT32_MIN (SRDHM's saturating case) take
   hark__output. */
typedef struct {
    int32_t multiplier, shift, left, right, negative_adjust, round;
    int fast;
} hark__requant;

static hark__requant hark__requant_make(int32_t multiplier, int32_t shift)
{
    hark__requant r;
    r.multiplier = multiplier;
    r.shift = shift;
    r.left = shift > 0 ? shift : 0;
    r.right = shift > 0 ? 0 : -shift;
    r.negative_adjust = r.right > 0 ? -1 : 0;
    r.round = r.right > 0 ? (int32_t)((uint32_t)1 << (r.right - 1)) : 0;
    r.fast = multiplier != INT32_MIN && r.right <= 23;
    return r;
}

#if HARK__DSP_NATIVE
#define hark__qadd(a, b) __qadd((a), (b))
#else
static int32_t hark__qadd(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + b;
    return sum > INT32_MAX ? INT32_MAX : sum < INT32_MIN ? INT32_MIN : (int32_t)sum;
}
#endif

HARK__INLINE int8_t hark__requant_fast(int32_t acc, const hark__requant *r, int32_t offset, hark_activation act)
{
    const int32_t x = (int32_t)((uint32_t)acc << r->left);
    const int32_t s = (int32_t)(((int64_t)x * r->multiplier + ((int64_t)1 << 30)) >> 31);
    int32_t v = hark__qadd(hark__qadd(s, s < 0 ? r->negative_adjust : 0), r->round) >> r->right;
    v = hark__wrap_add(v, offset);
    if (v < act.min) v = act.min;
    if (v > act.max) v = act.max;
    return (int8_t)v;
}

/* Reads one aligned 32-bit word of int16 pairs that were written as int16_t. */
typedef uint32_t hark__u32_alias __attribute__((may_alias, aligned(4)));

/* im2col for a pair of output pixels, interleaved so one 4-word load feeds the inner loop: for every complete
   group of 4 filter-window values, col0 as (a,c),(b,d) then col1 as (a,c),(b,d) - the order SXTB16 and
   SXTB16-ROR8 produce when they unpack 4 filter bytes. The k_total % 4 leftover values follow, 4 slots per column.
   Values are scale * (x + input_offset), scale 1 or 2 (the fast path's doubled accumulators); padding is 0. */
typedef struct {
    int16_t *cols;
    int32_t k_grouped, offset, scale;
} hark__col;

/* Appends n values (src NULL: zeros) to a column, from position *k on. Where a whole group of 4 starts, 4 input
   bytes are converted at once: SXTAB16 adds input_offset to bytes 0 and 2, and to bytes 1 and 3 after ROR 8 -
   exactly the (a,c),(b,d) layout; for scale 2 a second SXTAB16 adds the bytes once more. */
static void hark__im2col_run(const hark__col *c, int32_t column, const int8_t *src, int32_t n, int32_t *k_io)
{
    static const uint8_t order[4] = {0, 2, 1, 3};
    const uint32_t offset = (uint32_t)(c->scale * c->offset);
    const uint32_t offset2 = (offset & 0xFFFFu) | (offset << 16);
    int32_t k = *k_io;
    while (n > 0) {
        const int32_t groups = (k & 3) == 0 ? (n < c->k_grouped - k ? n : c->k_grouped - k) >> 2 : 0;
        if (groups > 0) {
            hark__u32_alias *word = (hark__u32_alias *)(void *)(c->cols + 2 * k + 4 * column);
            hark__u32_alias *const end = word + 4 * groups;
            if (src == 0) {
                for (; word != end; word += 4) {
                    word[0] = 0;
                    word[1] = 0;
                }
            } else if (c->scale == 2) {
                for (; word != end; word += 4, src += 4) {
                    const uint32_t x = hark__read_u32(src);
                    word[0] = hark__sxtab16(hark__sxtab16(offset2, x), x);
                    word[1] = hark__sxtab16_ror8(hark__sxtab16_ror8(offset2, x), x);
                }
            } else {
                for (; word != end; word += 4, src += 4) {
                    const uint32_t x = hark__read_u32(src);
                    word[0] = hark__sxtab16(offset2, x);
                    word[1] = hark__sxtab16_ror8(offset2, x);
                }
            }
            k += 4 * groups;
            n -= 4 * groups;
        } else {
            const int16_t v = (int16_t)(src ? c->scale * (*src++ + c->offset) : 0);
            if (k < c->k_grouped) c->cols[2 * (k & ~3) + 4 * column + order[k & 3]] = v;
            else c->cols[2 * c->k_grouped + 4 * column + (k - c->k_grouped)] = v;
            k++;
            n--;
        }
    }
    *k_io = k;
}

/* One column (pixel oy, ox). Within one filter row the taps inside the input are one contiguous run of bytes (OHWI
   filter, NHWC input). */
static void hark__im2col_column(const hark_conv_params *p, const hark_dims *id, const int8_t *in_batch,
                                const hark_dims *fd, int32_t oy, int32_t ox, const hark__col *col, int32_t column)
{
    const int32_t in_y0 = oy * p->stride.h - p->padding.h;
    const int32_t in_x0 = ox * p->stride.w - p->padding.w;
    const int32_t fx0 = in_x0 < 0 ? -in_x0 : 0;
    const int32_t fx1 = id->w - in_x0 < fd->w ? id->w - in_x0 : fd->w;
    const int32_t c = fd->c;
    int32_t k = 0, fy;
    for (fy = 0; fy < fd->h; fy++) {
        const int32_t iy = in_y0 + fy;
        if (iy < 0 || iy >= id->h || fx1 <= fx0) {
            hark__im2col_run(col, column, 0, fd->w * c, &k);
            continue;
        }
        if (fx0 > 0) hark__im2col_run(col, column, 0, fx0 * c, &k);
        hark__im2col_run(col, column, in_batch + (iy * id->w + in_x0 + fx0) * c, (fx1 - fx0) * c, &k);
        if (fx1 < fd->w) hark__im2col_run(col, column, 0, (fd->w - fx1) * c, &k);
    }
}

/* The fast path's columns, where every filter row is a whole number of groups of 4 (fd->w * fd->c % 4 == 0): values
   2 * (x + input_offset). A padding position counts as the byte -input_offset (an int8 for every offset the fast
   path accepts), which converts to 0, so a group that is partly padding is gathered bytewise and converted like the
   others; groups entirely inside a row are converted straight from the input. */
HARK__INLINE uint32_t hark__doubled_ac(uint32_t offset2, uint32_t x) { return hark__sxtab16(hark__sxtab16(offset2, x), x); }
HARK__INLINE uint32_t hark__doubled_bd(uint32_t offset2, uint32_t x)
{
    return hark__sxtab16_ror8(hark__sxtab16_ror8(offset2, x), x);
}

/* Converts `groups` (>= 1) groups of 4 contiguous input bytes into word (a,c), word + 1 (b,d), doubled, for a block
   of 2 or 4 interleaved columns (groups 4 or 8 words apart): 8 instructions per group on the M4. */
#if HARK__DSP_NATIVE
#define HARK__DOUBLED_RUN(name, bytes)                                                                           \
    static void name(const int8_t *src, int32_t groups, hark__u32_alias *word, uint32_t offset2)                 \
    {                                                                                                            \
        uint32_t x, ac, bd;                                                                                      \
        __asm volatile("1:\n\t"                                                                                  \
                       "ldr     %[x], [%[src]], #4\n\t"                                                          \
                       "sxtab16 %[ac], %[o], %[x]\n\t"                                                           \
                       "sxtab16 %[ac], %[ac], %[x]\n\t"                                                          \
                       "sxtab16 %[bd], %[o], %[x], ror #8\n\t"                                                   \
                       "sxtab16 %[bd], %[bd], %[x], ror #8\n\t"                                                  \
                       "strd    %[ac], %[bd], [%[w]], #" #bytes "\n\t"                                           \
                       "subs    %[n], %[n], #1\n\t"                                                              \
                       "bne     1b\n"                                                                            \
                       : [src] "+r"(src), [w] "+r"(word), [n] "+r"(groups), [x] "=&r"(x), [ac] "=&r"(ac),      \
                         [bd] "=&r"(bd)                                                                          \
                       : [o] "r"(offset2)                                                                        \
                       : "cc", "memory");                                                                        \
    }
#else
#define HARK__DOUBLED_RUN(name, bytes)                                                                           \
    static void name(const int8_t *src, int32_t groups, hark__u32_alias *word, uint32_t offset2)                 \
    {                                                                                                            \
        for (; groups > 0; groups--, src += 4, word += (bytes) / 4) {                                            \
            const uint32_t x = hark__read_u32(src);                                                              \
            word[0] = hark__doubled_ac(offset2, x);                                                              \
            word[1] = hark__doubled_bd(offset2, x);                                                              \
        }                                                                                                        \
    }
#endif
HARK__DOUBLED_RUN(hark__doubled_run2, 16)
HARK__DOUBLED_RUN(hark__doubled_run4, 32)
#undef HARK__DOUBLED_RUN

static HARK__NOINLINE void hark__im2col_doubled(const hark_conv_params *p, const hark_dims *id, const int8_t *in_batch,
                                               const hark_dims *fd, int32_t oy, int32_t ox, int16_t *cols,
                                               int32_t column, int32_t ncols)
{
    const int32_t c = fd->c, row_len = fd->w * c;
    const int32_t in_y0 = oy * p->stride.h - p->padding.h, in_x0 = ox * p->stride.w - p->padding.w;
    const int32_t lo = (in_x0 < 0 ? -in_x0 : 0) * c;                                  /* inside: row bytes [lo, hi) */
    const int32_t hi = (id->w - in_x0 < fd->w ? id->w - in_x0 : fd->w) * c;
    const uint32_t offset = 2u * (uint32_t)p->input_offset, offset2 = (offset & 0xFFFFu) | (offset << 16);
    const uint8_t pad = (uint8_t)(-p->input_offset);
    hark__u32_alias *word = (hark__u32_alias *)(void *)(cols + 4 * column);
    int32_t fy, k, j;
    if (row_len == 4 && id->w * c >= 4) {
        /* One group per filter row (a 10x4 window on one channel, say): window byte j is input row byte start + j;
           the word read at `at` (inside the row) holds the valid ones, shifted by start - at, the rest is pad. */
        const int32_t row_bytes = id->w * c, start = in_x0 * c;
        const int32_t at = start < 0 ? 0 : start > row_bytes - 4 ? row_bytes - 4 : start, d = 8 * (start - at);
        const uint32_t pad4 = 0x01010101u * pad;
        const uint32_t keep = hi > lo ? (0xFFFFFFFFu << (8 * lo)) & (0xFFFFFFFFu >> (8 * (4 - hi))) : 0;
        for (fy = 0; fy < fd->h; fy++, word += 2 * ncols) {
            const int32_t iy = in_y0 + fy;
            uint32_t x = pad4;
            if (iy >= 0 && iy < id->h && keep != 0) {
                const uint32_t v = hark__read_u32(in_batch + iy * row_bytes + at);
                x = ((d >= 0 ? v >> d : v << -d) & keep) | (pad4 & ~keep);
            }
            word[0] = hark__doubled_ac(offset2, x);
            word[1] = hark__doubled_bd(offset2, x);
        }
        return;
    }
    for (fy = 0; fy < fd->h; fy++) {
        const int32_t iy = in_y0 + fy;
        if (iy < 0 || iy >= id->h || hi <= lo) {
            for (k = 0; k < row_len; k += 4, word += 2 * ncols) word[0] = word[1] = 0;
        } else if (lo == 0 && hi == row_len) {
            (ncols == 4 ? hark__doubled_run4 : hark__doubled_run2)(in_batch + (iy * id->w + in_x0) * c, row_len >> 2,
                                                                   word, offset2);
            word += (row_len >> 1) * ncols;
        } else {
            const int8_t *row = in_batch + iy * id->w * c; /* window byte k of this row is row[in_x0 * c + k] */
            for (k = 0; k < row_len; k += 4, word += 2 * ncols) {
                uint32_t x = 0;
                if (k >= lo && k + 4 <= hi) {
                    x = hark__read_u32(row + in_x0 * c + k);
                } else {
                    for (j = 3; j >= 0; j--)
                        x = (x << 8) | (k + j >= lo && k + j < hi ? (uint8_t)row[in_x0 * c + k + j] : pad);
                }
                word[0] = hark__doubled_ac(offset2, x);
                word[1] = hark__doubled_bd(offset2, x);
            }
        }
    }
}

/* Requantizes one output channel of a pixel pair; out of line so its constants stay in registers. For an odd last
   pixel or channel the pair is a duplicate and the same value is simply stored twice. */
typedef struct {
    int32_t offset;
    hark_activation act;
} hark__out;

static HARK__NOINLINE void hark__requant_pair(int32_t acc0, int32_t acc1, int32_t multiplier, int32_t shift,
                                             int8_t *dst0, int8_t *dst1, const hark__out *o)
{
    const hark__requant r = hark__requant_make(multiplier, shift);
    int32_t acc = acc0;
    int8_t *dst = dst0;
    for (;;) { /* dst0, then dst1 (the same place for a duplicate pixel) */
        *dst = r.fast ? hark__requant_fast(acc, &r, o->offset, o->act)
                      : hark__output(acc, multiplier, shift, o->offset, o->act);
        if (dst == dst1) break;
        dst = dst1;
        acc = acc1;
    }
}

#if HARK__DSP_NATIVE
/* The inner loop of hark__mac_2x2 in assembly: GCC spills accumulators in the C version, and every spill costs an
   instruction per 16 MACs. 17 instructions per 16 MACs. state = {acc00, acc01, acc10, acc11, groups}. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
__attribute__((naked, noinline)) static void hark__mac_2x2_groups(const int8_t *w0, const int8_t *w1,
                                                                  const int16_t *cols, int32_t *state)
{
    __asm volatile(
        "push   {r3-r11, lr}\n\t"
        "ldr    lr, [r3, #16]\n\t"
        "ldm    r3, {r8-r11}\n\t"
        "add    lr, r2, lr, lsl #4\n\t"
        "cmp    r2, lr\n\t"
        "beq    2f\n"
        "1:\n\t"
        "ldmia  r2!, {r4-r7}\n\t"
        "ldr    r12, [r0], #4\n\t"
        "sxtb16 r3, r12\n\t"
        "sxtb16 r12, r12, ror #8\n\t"
        "smlad  r8, r3, r4, r8\n\t"
        "smlad  r8, r12, r5, r8\n\t"
        "smlad  r9, r3, r6, r9\n\t"
        "smlad  r9, r12, r7, r9\n\t"
        "ldr    r12, [r1], #4\n\t"
        "sxtb16 r3, r12\n\t"
        "sxtb16 r12, r12, ror #8\n\t"
        "smlad  r10, r3, r4, r10\n\t"
        "smlad  r10, r12, r5, r10\n\t"
        "smlad  r11, r3, r6, r11\n\t"
        "smlad  r11, r12, r7, r11\n\t"
        "cmp    r2, lr\n\t"
        "bne    1b\n"
        "2:\n\t"
        "pop    {r3}\n\t"
        "stm    r3, {r8-r11}\n\t"
        "pop    {r4-r11, pc}\n");
}
#pragma GCC diagnostic pop
#else
static void hark__mac_2x2_groups(const int8_t *w0, const int8_t *w1, const int16_t *cols, int32_t *state)
{
    const hark__u32_alias *x = (const hark__u32_alias *)(const void *)cols;
    const hark__u32_alias *const end = x + 4 * state[4];
    int32_t a00 = state[0], a01 = state[1], a10 = state[2], a11 = state[3];
    while (x != end) {
        const uint32_t x0ac = x[0], x0bd = x[1], x1ac = x[2], x1bd = x[3];
        uint32_t w = hark__read_u32(w0), wac = hark__sxtb16(w), wbd = hark__sxtb16_ror8(w);
        a00 = hark__smlad(wac, x0ac, a00);
        a00 = hark__smlad(wbd, x0bd, a00);
        a01 = hark__smlad(wac, x1ac, a01);
        a01 = hark__smlad(wbd, x1bd, a01);
        w = hark__read_u32(w1);
        wac = hark__sxtb16(w);
        wbd = hark__sxtb16_ror8(w);
        a10 = hark__smlad(wac, x0ac, a10);
        a10 = hark__smlad(wbd, x0bd, a10);
        a11 = hark__smlad(wac, x1ac, a11);
        a11 = hark__smlad(wbd, x1bd, a11);
        x += 4;
        w0 += 4;
        w1 += 4;
    }
    state[0] = a00;
    state[1] = a01;
    state[2] = a10;
    state[3] = a11;
}
#endif

/* acc[0] = w0.col0, acc[1] = w0.col1, acc[2] = w1.col0, acc[3] = w1.col1: 2 output channels x 2 pixels share
   every load, 16 MACs per 8 SMLADs (the layout of CMSIS-NN's arm_nn_mat_mult_kernel_s8_s16). */
static void hark__mac_2x2(const int8_t *w0, const int8_t *w1, const int16_t *cols, int32_t k_total, int32_t acc[5])
{
    const int32_t groups = k_total >> 2;
    const int16_t *tail = cols + 8 * groups;
    int32_t k;
    acc[4] = groups;
    hark__mac_2x2_groups(w0, w1, cols, acc);
    w0 += 4 * groups;
    w1 += 4 * groups;
    for (k = 0; k < (k_total & 3); k++) {
        acc[0] = hark__wrap_add(acc[0], w0[k] * tail[k]);
        acc[1] = hark__wrap_add(acc[1], w0[k] * tail[4 + k]);
        acc[2] = hark__wrap_add(acc[2], w1[k] * tail[k]);
        acc[3] = hark__wrap_add(acc[3], w1[k] * tail[4 + k]);
    }
}

/* The fast path: all output channels of one pixel pair, 2 channels x 2 pixels at a time, MACs and the fast
   requantization fused, for calls where every channel passes hark__rq_ok, out_c is even, K is a multiple of 4 and
   there is a bias. The columns hold doubled values, so the accumulators are 2 * acc. */
typedef struct {
    int8_t *dst0, *dst1;            /*  0,  4: outputs of the two pixels (channel 0) */
    const int32_t *mult;            /*  8 */
    const int8_t *shift;            /* 12 */
    const int32_t *bias;            /* 16 */
    const int16_t *cols, *cols_end; /* 20, 24 */
    int32_t entry;                  /* 28: set by the kernel */
    const int8_t *filter_end;       /* 32: filter + out_c * k_total */
    int32_t k1;                     /* 36: 2 * output_offset + 1 */
    int32_t k_total;                /* 40 */
    const int8_t *filter;           /* 44 */
    int32_t skip;                   /* 48: groups % 2, groups skipped on entering the 2-fold unrolled loop */
} hark__conv_job;

static HARK__NOINLINE int hark__conv_fast_ok(const hark_conv_params *p, const hark_per_channel_quant *q, const int32_t *bias,
                              int32_t out_c, int32_t k_total)
{
    const uint32_t in_max = (uint32_t)hark__input_abs_max(p->input_offset);
    int32_t c;
    if (bias == 0 || (out_c & 1) != 0 || (k_total & 3) != 0 || in_max > 16383 ||
        (uint32_t)k_total > ((1u << 30) - 1) / (128 * in_max))
        return 0;
    for (c = 0; c < out_c; c++)
        if (!hark__rq_ok(q->multiplier[c], q->shift[c], (uint32_t)k_total * 128 * in_max, bias[c], p->output_offset))
            return 0;
    return 1;
}

#if HARK__DSP_NATIVE
/* One group of 4 window positions for 2 channels x 2 pixels: 15 instructions, all 32-bit (60 bytes), so the
   unrolled loop can be entered at any group (Duff's device). r0/r1 = filter rows, r2 = columns, r8-r11 = accs. */
#define HARK__GROUP_ASM                                                                                          \
    "ldmia.w r2!, {r4-r7}\n\t"                                                                                  \
    "ldr.w  r12, [r0], #4\n\t"                                                                                  \
    "sxtb16 r3, r12\n\t"                                                                                        \
    "sxtb16 r12, r12, ror #8\n\t"                                                                               \
    "smlad  r8, r3, r4, r8\n\t"                                                                                 \
    "smlad  r8, r12, r5, r8\n\t"                                                                                \
    "smlad  r9, r3, r6, r9\n\t"                                                                                 \
    "smlad  r9, r12, r7, r9\n\t"                                                                                \
    "ldr.w  r12, [r1], #4\n\t"                                                                                  \
    "sxtb16 r3, r12\n\t"                                                                                        \
    "sxtb16 r12, r12, ror #8\n\t"                                                                               \
    "smlad  r10, r3, r4, r10\n\t"                                                                               \
    "smlad  r10, r12, r5, r10\n\t"                                                                              \
    "smlad  r11, r3, r6, r11\n\t"                                                                               \
    "smlad  r11, r12, r7, r11\n\t"

/* Fast requantization of one doubled accumulator (see hark__rq): reg = SSAT8(SMMLAR(reg, m, c + (reg >> 31)) >> r),
   r12 scratch. */
#define HARK__RQ_ASM(reg, m, c, r)                                                                               \
    "add    r12, " c ", " reg ", asr #31\n\t"                                                                   \
    "smmlar " reg ", " reg ", " m ", r12\n\t"                                                                   \
    "asr    " reg ", " reg ", " r "\n\t"                                                                        \
    "ssat   " reg ", #8, " reg "\n\t"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
/* Per channel pair: 9 instructions before the MACs, 15 per group of 4 positions + 2 per 2 groups, 39 after. The
   job's first 11 words are copied to the stack frame (same offsets), which the kernel updates. */
__attribute__((naked, noinline)) static void hark__conv_pairs_fast(const hark__conv_job *job)
{
    __asm volatile(
        "push   {r4-r11, lr}\n\t"
        "sub    sp, sp, #48\n\t"
        "mov    lr, r0\n\t"
        "ldmia  lr!, {r0-r10}\n\t"
        "stmia  sp, {r0-r10}\n\t"
        "ldmia  lr, {r0, r1}\n\t"
        "adr.w  r2, 3f\n\t"
        "mov    r3, #60\n\t"
        "mla    r2, r1, r3, r2\n\t"
        "orr    r2, r2, #1\n\t"
        "str    r2, [sp, #28]\n\t"
        "ldr    r3, [sp, #40]\n\t"
        "add    r1, r0, r3\n"
        "1:\n\t"
        "ldr    r2, [sp, #16]\n\t"
        "ldrd   r8, r10, [r2], #8\n\t"
        "str    r2, [sp, #16]\n\t"
        "lsl    r8, r8, #1\n\t"
        "lsl    r10, r10, #1\n\t"
        "mov    r9, r8\n\t"
        "mov    r11, r10\n\t"
        "ldrd   r2, lr, [sp, #20]\n\t"
        "ldr    pc, [sp, #28]\n"
        "3:\n\t"
        HARK__GROUP_ASM
        HARK__GROUP_ASM
        "cmp    r2, lr\n\t"
        "bne    3b\n\t"
        "ldrd   r2, r3, [sp, #8]\n\t"
        "ldrd   r4, r5, [r2], #8\n\t"
        "ldrsb  r6, [r3], #1\n\t" /* int8 shifts */
        "ldrsb  r7, [r3], #1\n\t"
        "strd   r2, r3, [sp, #8]\n\t"
        "ldr    r12, [sp, #36]\n\t"
        "mvn    r2, r6\n\t"
        "lsl    r2, r12, r2\n\t"
        "rsb    r6, r6, #0\n\t"
        "mvn    r3, r7\n\t"
        "lsl    r3, r12, r3\n\t"
        "rsb    r7, r7, #0\n\t"
        HARK__RQ_ASM("r8", "r4", "r2", "r6")
        HARK__RQ_ASM("r9", "r4", "r2", "r6")
        HARK__RQ_ASM("r10", "r5", "r3", "r7")
        HARK__RQ_ASM("r11", "r5", "r3", "r7")
        "ldrd   r2, r3, [sp, #0]\n\t"
        "strb   r10, [r2, #1]\n\t"
        "strb   r8, [r2], #2\n\t"
        "strb   r11, [r3, #1]\n\t"
        "strb   r9, [r3], #2\n\t"
        "strd   r2, r3, [sp, #0]\n\t"
        "mov    r0, r1\n\t"
        "ldr    r2, [sp, #40]\n\t"
        "add    r1, r1, r2\n\t"
        "ldr    r2, [sp, #32]\n\t"
        "cmp    r0, r2\n\t"
        "bne    1b\n\t"
        "add    sp, sp, #48\n\t"
        "pop    {r4-r11, pc}\n");
}
#pragma GCC diagnostic pop
#undef HARK__GROUP_ASM
#undef HARK__RQ_ASM
#else
static void hark__conv_pairs_fast(const hark__conv_job *job)
{
    const int8_t *w0 = job->filter;
    const int32_t *bias = job->bias, *mult = job->mult;
    const int8_t *shift = job->shift;
    int8_t *d0 = job->dst0, *d1 = job->dst1;
    for (; w0 != job->filter_end; w0 += 2 * job->k_total, bias += 2, mult += 2, shift += 2, d0 += 2, d1 += 2) {
        const int8_t *w1 = w0 + job->k_total;
        int32_t state[5];
        state[0] = state[1] = (int32_t)((uint32_t)bias[0] << 1);
        state[2] = state[3] = (int32_t)((uint32_t)bias[1] << 1);
        state[4] = (int32_t)(job->cols_end - job->cols) / 8;
        hark__mac_2x2_groups(w0, w1, job->cols, state);
        d0[0] = hark__rq(state[0], mult[0], hark__rq_c(job->k1, shift[0]), -shift[0]);
        d1[0] = hark__rq(state[1], mult[0], hark__rq_c(job->k1, shift[0]), -shift[0]);
        d0[1] = hark__rq(state[2], mult[1], hark__rq_c(job->k1, shift[1]), -shift[1]);
        d1[1] = hark__rq(state[3], mult[1], hark__rq_c(job->k1, shift[1]), -shift[1]);
    }
}
#endif

/* With room for 4 columns (8 * K bytes of scratch) and a 4-byte aligned filter, the fast path takes 4 output pixels
   at a time, 1 channel per pass: per 8 window positions one LDRD of weights, 4 SXTB16 and 16 SMLAD, 25
   instructions per 32 MACs instead of 30 for 2 channels x 2 pixels. The columns are interleaved per group of 4
   positions: pixel 0 (a,c), (b,d), pixel 1, pixel 2, pixel 3. */
typedef struct {
    int8_t *dst[4];                 /*  0..12: outputs of the 4 pixels (channel 0) */
    const int32_t *mult;            /* 16 */
    const int8_t *shift;            /* 20 */
    const int32_t *bias;            /* 24 */
    const int16_t *cols, *cols_end; /* 28, 32 */
    int32_t start, entry;           /* 36, 40: set by the kernel */
    const int8_t *filter_end;       /* 44: filter + out_c * k_total */
    int32_t k1;                     /* 48: 2 * output_offset + 1 */
    const int8_t *filter;           /* 52 */
    int32_t skip;                   /* 56: (4 - pairs % 4) % 4, pairs of groups skipped on entering the loop */
    int32_t pairs, odd;             /* 60, 64: K / 8, and whether K / 4 is odd */
} hark__quad_job;

#if HARK__DSP_NATIVE
/* Two groups (8 positions) of one channel for 4 pixels: 25 instructions, all 32-bit (100 bytes). r0 = filter row,
   r2 = columns, r8-r11 = accumulators of pixels 0-3. */
#define HARK__QUAD_PAIR_ASM                                                                                      \
    "ldrd   r3, r12, [r0], #8\n\t"                                                                              \
    "sxtb16 r1, r3, ror #8\n\t"                                                                                 \
    "sxtb16 r3, r3\n\t"                                                                                         \
    "ldmia.w r2!, {r4-r7}\n\t"                                                                                  \
    "smlad  r8, r3, r4, r8\n\t"                                                                                 \
    "smlad  r8, r1, r5, r8\n\t"                                                                                 \
    "smlad  r9, r3, r6, r9\n\t"                                                                                 \
    "smlad  r9, r1, r7, r9\n\t"                                                                                 \
    "ldmia.w r2!, {r4-r7}\n\t"                                                                                  \
    "smlad  r10, r3, r4, r10\n\t"                                                                               \
    "smlad  r10, r1, r5, r10\n\t"                                                                               \
    "smlad  r11, r3, r6, r11\n\t"                                                                               \
    "smlad  r11, r1, r7, r11\n\t"                                                                               \
    "sxtb16 r1, r12, ror #8\n\t"                                                                                \
    "sxtb16 r12, r12\n\t"                                                                                       \
    "ldmia.w r2!, {r4-r7}\n\t"                                                                                  \
    "smlad  r8, r12, r4, r8\n\t"                                                                                \
    "smlad  r8, r1, r5, r8\n\t"                                                                                 \
    "smlad  r9, r12, r6, r9\n\t"                                                                                \
    "smlad  r9, r1, r7, r9\n\t"                                                                                 \
    "ldmia.w r2!, {r4-r7}\n\t"                                                                                  \
    "smlad  r10, r12, r4, r10\n\t"                                                                              \
    "smlad  r10, r1, r5, r10\n\t"                                                                               \
    "smlad  r11, r12, r6, r11\n\t"                                                                              \
    "smlad  r11, r1, r7, r11\n\t"

#define HARK__QUAD_RQ_ASM(reg)                                                                                   \
    "add    r2, r3, " reg ", asr #31\n\t"                                                                       \
    "smmlar " reg ", " reg ", r12, r2\n\t"                                                                      \
    "asr    " reg ", " reg ", lr\n\t"                                                                           \
    "ssat   " reg ", #8, " reg "\n\t"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
/* Per channel: 9 instructions before the MACs, 25 per 8 positions (+ 13 for an odd group of 4) + 2 per 32
   positions, 33 after. The job's first 13 words are copied to the stack frame (same offsets). */
__attribute__((naked, noinline)) static void hark__conv_quads_fast(const hark__quad_job *job)
{
    __asm volatile(
        "push   {r4-r11, lr}\n\t"
        "sub    sp, sp, #56\n\t"
        "mov    lr, r0\n\t"
        "ldmia  lr!, {r0-r12}\n\t"
        "stmia  sp, {r0-r12}\n\t"
        "ldmia  lr, {r0-r3}\n\t"
        "adr.w  r4, 3f\n\t"
        "mov    r5, #100\n\t"
        "mla    r4, r1, r5, r4\n\t"
        "cbnz   r2, 5f\n\t"
        "adr.w  r4, 4f\n"
        "5:\n\t"
        "orr    r4, r4, #1\n\t"
        "str    r4, [sp, #40]\n\t"
        "cbz    r3, 6f\n\t"
        "adr.w  r4, 2f\n\t"
        "orr    r4, r4, #1\n"
        "6:\n\t"
        "str    r4, [sp, #36]\n"
        "1:\n\t"
        "ldr    r1, [sp, #24]\n\t"
        "ldr    r8, [r1], #4\n\t"
        "str    r1, [sp, #24]\n\t"
        "lsl    r8, r8, #1\n\t"
        "mov    r9, r8\n\t"
        "mov    r10, r8\n\t"
        "mov    r11, r8\n\t"
        "ldrd   r2, lr, [sp, #28]\n\t"
        "ldr    pc, [sp, #36]\n"
        "2:\n\t"
        "ldr    r12, [r0], #4\n\t"
        "sxtb16 r3, r12\n\t"
        "sxtb16 r12, r12, ror #8\n\t"
        "ldmia  r2!, {r4-r7}\n\t"
        "smlad  r8, r3, r4, r8\n\t"
        "smlad  r8, r12, r5, r8\n\t"
        "smlad  r9, r3, r6, r9\n\t"
        "smlad  r9, r12, r7, r9\n\t"
        "ldmia  r2!, {r4-r7}\n\t"
        "smlad  r10, r3, r4, r10\n\t"
        "smlad  r10, r12, r5, r10\n\t"
        "smlad  r11, r3, r6, r11\n\t"
        "smlad  r11, r12, r7, r11\n\t"
        "ldr    pc, [sp, #40]\n"
        "3:\n\t"
        HARK__QUAD_PAIR_ASM
        HARK__QUAD_PAIR_ASM
        HARK__QUAD_PAIR_ASM
        HARK__QUAD_PAIR_ASM
        "cmp    r2, lr\n\t"
        "bne    3b\n"
        "4:\n\t"
        "ldrd   r2, r3, [sp, #16]\n\t"
        "ldr    r12, [r2], #4\n\t"
        "ldrsb  lr, [r3], #1\n\t" /* int8 shift */
        "strd   r2, r3, [sp, #16]\n\t"
        "mvn    r2, lr\n\t"
        "rsb    lr, lr, #0\n\t"
        "ldr    r3, [sp, #48]\n\t"
        "lsl    r3, r3, r2\n\t"
        HARK__QUAD_RQ_ASM("r8")
        HARK__QUAD_RQ_ASM("r9")
        HARK__QUAD_RQ_ASM("r10")
        HARK__QUAD_RQ_ASM("r11")
        "ldm    sp, {r2, r3, r12, lr}\n\t"
        "strb   r8, [r2], #1\n\t"
        "strb   r9, [r3], #1\n\t"
        "strb   r10, [r12], #1\n\t"
        "strb   r11, [lr], #1\n\t"
        "stm    sp, {r2, r3, r12, lr}\n\t"
        "ldr    r2, [sp, #44]\n\t"
        "cmp    r0, r2\n\t"
        "bne    1b\n\t"
        "add    sp, sp, #56\n\t"
        "pop    {r4-r11, pc}\n");
}
#pragma GCC diagnostic pop
#undef HARK__QUAD_PAIR_ASM
#undef HARK__QUAD_RQ_ASM
#else
static void hark__conv_quads_fast(const hark__quad_job *job)
{
    const int8_t *w = job->filter;
    const int32_t *bias = job->bias, *mult = job->mult;
    const int8_t *shift = job->shift;
    int8_t *d[4];
    int32_t j;
    for (j = 0; j < 4; j++) d[j] = job->dst[j];
    for (; w != job->filter_end; bias++, mult++, shift++) {
        const hark__u32_alias *x = (const hark__u32_alias *)(const void *)job->cols;
        const hark__u32_alias *const end = (const hark__u32_alias *)(const void *)job->cols_end;
        int32_t acc[4];
        for (j = 0; j < 4; j++) acc[j] = (int32_t)((uint32_t)bias[0] << 1);
        for (; x != end; x += 8, w += 4) {
            const uint32_t v = hark__read_u32(w), wac = hark__sxtb16(v), wbd = hark__sxtb16_ror8(v);
            for (j = 0; j < 4; j++) acc[j] = hark__smlad(wbd, x[2 * j + 1], hark__smlad(wac, x[2 * j], acc[j]));
        }
        for (j = 0; j < 4; j++) *d[j]++ = hark__rq(acc[j], mult[0], hark__rq_c(job->k1, shift[0]), -shift[0]);
    }
}
#endif

/* The generic DSP path for one pixel pair: output channels in pairs (an odd last one with itself). */
static HARK__NOINLINE void hark__conv_pair_generic(const hark_per_channel_quant *q, const int8_t *f, const int32_t *bias,
                                                  int32_t out_c, int32_t k_total, const int16_t *cols, int8_t *dst0,
                                                  int8_t *dst1, const hark__out *o)
{
    int32_t oc;
    for (oc = 0; oc < out_c; oc += 2) {
        const int32_t oc1 = oc + 1 < out_c ? oc + 1 : oc;
        int32_t acc[5];
        acc[0] = acc[1] = bias ? bias[oc] : 0;
        acc[2] = acc[3] = bias ? bias[oc1] : 0;
        hark__mac_2x2(f + oc * k_total, f + oc1 * k_total, cols, k_total, acc);
        hark__requant_pair(acc[0], acc[1], q->multiplier[oc], q->shift[oc], dst0 + oc, dst1 + oc, o);
        hark__requant_pair(acc[2], acc[3], q->multiplier[oc1], q->shift[oc1], dst0 + oc1, dst1 + oc1, o);
    }
}

/* Where a convolution's columns come from: one call builds column `column` of a block of ncols for a pixel. */
typedef struct {
    const hark_conv_params *p;
    const hark_dims *id, *fd, *od;
    const int8_t *in_batch;
    hark__col col; /* the generic builder's settings */
    int doubled_rows;
} hark__conv_src;

static HARK__NOINLINE void hark__conv_column(const hark__conv_src *src, int32_t pixel, int32_t column, int32_t ncols)
{
    const int32_t oy = pixel / src->od->w, ox = pixel % src->od->w;
    if (src->doubled_rows) {
        hark__im2col_doubled(src->p, src->id, src->in_batch, src->fd, oy, ox, src->col.cols, column, ncols);
    } else {
        hark__im2col_column(src->p, src->id, src->in_batch, src->fd, oy, ox, &src->col, column);
    }
}

/* Output pixels in pairs (an odd last pixel is paired with itself) and output channels in pairs (an odd last
   channel with itself); the duplicate results are simply not stored. */
static void hark__conv_dsp(const hark_conv_params *p, const hark_per_channel_quant *q,
                           const hark_dims *id, const int8_t *in, const hark_dims *fd, const int8_t *f,
                           const int32_t *bias, const hark_dims *od, int8_t *out, int16_t *cols, int32_t cols_bytes)
{
    const int32_t k_total = fd->h * fd->w * fd->c;
    const int32_t pixels = od->h * od->w;
    const int32_t out_c = od->c;
    const int fast = hark__conv_fast_ok(p, q, bias, out_c, k_total);
    const int doubled_rows = fast && (fd->w * fd->c) % 4 == 0;
    const int quads = doubled_rows && cols_bytes / 8 >= k_total && ((uintptr_t)f & 3u) == 0;
    hark__quad_job quad;
    hark__conv_job job;
    hark__conv_src src;
    hark__out o;
    int32_t b, pix;
    o.offset = p->output_offset;
    o.act = p->activation;
    src.p = p;
    src.id = id;
    src.fd = fd;
    src.od = od;
    src.col.cols = cols;
    src.col.k_grouped = k_total & ~3;
    src.col.offset = p->input_offset;
    src.col.scale = fast ? 2 : 1;
    src.doubled_rows = doubled_rows;
    job.mult = quad.mult = q->multiplier;
    job.shift = quad.shift = q->shift;
    job.bias = quad.bias = bias;
    job.cols = quad.cols = cols;
    job.cols_end = cols + 2 * k_total;
    quad.cols_end = cols + 4 * k_total;
    job.entry = quad.start = quad.entry = 0;
    job.filter_end = quad.filter_end = f + out_c * k_total;
    job.k1 = quad.k1 = 2 * p->output_offset + 1;
    job.k_total = k_total;
    job.filter = quad.filter = f;
    job.skip = quad.odd = (k_total >> 2) & 1;
    quad.pairs = k_total >> 3;
    quad.skip = (4 - quad.pairs % 4) % 4;
    for (b = 0; b < od->n; b++) {
        int8_t *out_batch = out + b * pixels * out_c;
        src.in_batch = in + b * id->h * id->w * id->c;
        pix = 0;
        if (quads) {
            for (; pix + 4 <= pixels; pix += 4) {
                int32_t j;
                for (j = 0; j < 4; j++) {
                    hark__conv_column(&src, pix + j, j, 4);
                    quad.dst[j] = out_batch + (pix + j) * out_c;
                }
                hark__conv_quads_fast(&quad);
            }
        }
        for (; pix < pixels; pix += 2) {
            const int32_t pix1 = pix + 1 < pixels ? pix + 1 : pix;
            int8_t *dst0 = out_batch + pix * out_c, *dst1 = out_batch + pix1 * out_c;
            hark__conv_column(&src, pix, 0, 2);
            hark__conv_column(&src, pix1, 1, 2);
            if (fast) {
                job.dst0 = dst0;
                job.dst1 = dst1;
                hark__conv_pairs_fast(&job);
                continue;
            }
            hark__conv_pair_generic(q, f, bias, out_c, k_total, cols, dst0, dst1, &o);
        }
    }
    if (fast) hark__clamp_run(out, od->n * pixels * out_c, p->activation);
}
#endif /* HARK__DSP */

hark_nn_status hark_conv_s8(const hark_nn_context *ctx, const hark_conv_params *params,
                            const hark_per_channel_quant *quant,
                            const hark_dims *input_dims, const int8_t *input,
                            const hark_dims *filter_dims, const int8_t *filter,
                            const hark_dims *bias_dims, const int32_t *bias,
                            const hark_dims *output_dims, int8_t *output)
{
    hark_nn_status status;
    (void)bias_dims;
    if (params == 0 || quant == 0 || quant->multiplier == 0 || quant->shift == 0) return HARK_NN_ERR_ARG;
    status = hark__check_conv(params->input_offset, params->stride, params->activation, input_dims, input, filter_dims, filter,
                              output_dims, output);
    if (status != HARK_NN_OK) return status;
    if (filter_dims->n != output_dims->c || filter_dims->c != input_dims->c) return HARK_NN_ERR_ARG;
#if HARK__DSP
    if (ctx == 0 || ctx->buf == 0 || ((uintptr_t)ctx->buf & 3u) != 0 ||
        ctx->size < hark_conv_s8_get_buffer_size(input_dims, filter_dims))
        return HARK_NN_ERR_BUFFER;
    hark__conv_dsp(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output, (int16_t *)ctx->buf,
                   ctx->size);
#else
    (void)ctx;
    hark__conv_portable(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output);
#endif
    return HARK_NN_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
   Depthwise convolution (depth multiplier 1). */

/* 3x3 windows run channel by channel over zero-padded int16 planes (see hark__dw3x3_dsp) when the padding is >= 0,
   |x + input_offset| fits comfortably in int16 and the planes need no more scratch than v0.1's layout did (one
   plane + one int32 per output); count = 0 otherwise. Depends only on the arguments, not on the CPU path.
   The planes are stored transposed (column-major): plane column x holds plane rows 0 .. rows - 1 top to bottom,
   pitch values apart (pitch even, so columns are word-aligned). Two planes (two channels converted per pass) where
   they fit, else one. */
typedef struct {
    int32_t cols, rows, pitch, count;
} hark__dw_geom;

static hark__dw_geom hark__dw_geometry(const hark_dw_conv_params *p, const hark_dims *fd, const hark_dims *od)
{
    hark__dw_geom g;
    int32_t v01, plane;
    g.count = 0;
    g.cols = (od->w - 1) * p->stride.w + 3;
    g.rows = (od->h - 1) * p->stride.h + 3;
    g.pitch = (g.rows + 1) & ~1;
    if (fd->h != 3 || fd->w != 3 || p->stride.h <= 0 || p->stride.w <= 0 || p->padding.h < 0 || p->padding.w < 0 ||
        p->input_offset < -16383 + 128 || p->input_offset > 16383 - 127)
        return g;
    v01 = ((g.rows * g.cols + 1) & ~1) * (int32_t)sizeof(int16_t) + od->h * od->w * (int32_t)sizeof(int32_t);
    plane = g.cols * g.pitch * (int32_t)sizeof(int16_t);
    g.count = 2 * plane <= v01 ? 2 : plane <= v01 ? 1 : 0;
    return g;
}

int32_t hark_dw_conv_s8_get_buffer_size(const hark_dw_conv_params *params, const hark_dims *input_dims,
                                        const hark_dims *filter_dims, const hark_dims *output_dims)
{
    hark__dw_geom g;
    (void)input_dims;
    if (params == 0 || !hark__dims_ok(filter_dims) || !hark__dims_ok(output_dims)) return 0;
    g = hark__dw_geometry(params, filter_dims, output_dims);
    return g.count * g.cols * g.pitch * (int32_t)sizeof(int16_t);
}

/* One output pixel, channels [c_begin, c_end), portable. In DSP builds only a fallback (leftover channels, channels
   the fast requantization cannot take). */
#if HARK__DSP
HARK__COLD
#endif
static void hark__dw_pixel_portable(const hark_dw_conv_params *p, const hark_per_channel_quant *q,
                                    const hark_dims *id, const int8_t *in_batch, const hark_dims *fd,
                                    const int8_t *f, const int32_t *bias, int32_t oy, int32_t ox,
                                    int32_t c_begin, int32_t c_end, int8_t *dst)
{
    const int32_t channels = id->c;
    const int32_t in_y0 = oy * p->stride.h - p->padding.h;
    const int32_t in_x0 = ox * p->stride.w - p->padding.w;
    int32_t c, fy, fx;
    for (c = c_begin; c < c_end; c++) {
        int32_t acc = 0;
        for (fy = 0; fy < fd->h; fy++) {
            const int32_t iy = in_y0 + fy;
            if (iy < 0 || iy >= id->h) continue;
            for (fx = 0; fx < fd->w; fx++) {
                const int32_t ix = in_x0 + fx;
                if (ix < 0 || ix >= id->w) continue;
                acc += f[(fy * fd->w + fx) * channels + c] * (in_batch[(iy * id->w + ix) * channels + c] + p->input_offset);
            }
        }
        if (bias) acc = hark__wrap_add(acc, bias[c]);
        dst[c] = hark__output(acc, q->multiplier[c], q->shift[c], p->output_offset, p->activation);
    }
}

#if HARK__DSP
/* Other windows: four channels at a time: one word load gives 4 channels of one tap; SXTAB16 adds the input offset
   to two channels at once and SMLABB/SMLATT multiply-accumulate per channel (SMLAD would mix channels). */
static void hark__dw_pixel_dsp(const hark_dw_conv_params *p, const hark_per_channel_quant *q,
                               const hark_dims *id, const int8_t *in_batch, const hark_dims *fd, const int8_t *f,
                               const int32_t *bias, int32_t oy, int32_t ox, int8_t *dst)
{
    const int32_t channels = id->c;
    const int32_t in_y0 = oy * p->stride.h - p->padding.h;
    const int32_t in_x0 = ox * p->stride.w - p->padding.w;
    const int32_t fy0 = in_y0 < 0 ? -in_y0 : 0;
    const int32_t fy1 = id->h - in_y0 < fd->h ? id->h - in_y0 : fd->h;
    const int32_t fx0 = in_x0 < 0 ? -in_x0 : 0;
    const int32_t fx1 = id->w - in_x0 < fd->w ? id->w - in_x0 : fd->w;
    const uint32_t offset2 = ((uint32_t)p->input_offset & 0xFFFFu) | ((uint32_t)p->input_offset << 16);
    const int32_t in_row_stride = id->w * channels;
    const int32_t f_row_stride = fd->w * channels;
    int32_t c, fy, fx;
    for (c = 0; c + 3 < channels; c += 4) {
        int32_t a[4] = {0, 0, 0, 0}, k;
        const int8_t *in_row = in_batch + ((in_y0 + fy0) * id->w + in_x0) * channels + c;
        const int8_t *f_row = f + fy0 * f_row_stride + c;
        for (fy = fy0; fy < fy1; fy++, in_row += in_row_stride, f_row += f_row_stride) {
            for (fx = fx0; fx < fx1; fx++) {
                const uint32_t x = hark__read_u32(in_row + fx * channels);
                const uint32_t w = hark__read_u32(f_row + fx * channels);
                const uint32_t x02 = hark__sxtab16(offset2, x), x13 = hark__sxtab16_ror8(offset2, x);
                const uint32_t w02 = hark__sxtb16(w), w13 = hark__sxtb16_ror8(w);
                a[0] = hark__smlabb(x02, w02, a[0]);
                a[2] = hark__smlatt(x02, w02, a[2]);
                a[1] = hark__smlabb(x13, w13, a[1]);
                a[3] = hark__smlatt(x13, w13, a[3]);
            }
        }
        for (k = 0; k < 4; k++)
            dst[c + k] = hark__output(bias ? hark__wrap_add(a[k], bias[c + k]) : a[k], q->multiplier[c + k],
                                      q->shift[c + k], p->output_offset, p->activation);
    }
    if (c < channels) hark__dw_pixel_portable(p, q, id, in_batch, fd, f, bias, oy, ox, c, channels, dst);
}

/* Converts channel c (and c + 1 when `two`; its plane follows the first) of the input into the transposed planes,
   adding input_offset: plane column padding.w + ix holds input column ix from row padding.h down. Two input rows
   at a time: their bytes packed as (row0 c, row0 c+1, row1 c, row1 c+1) give each plane's vertical pair with one
   SXTAB16 (bytes 0 and 2) or SXTAB16-ROR8 (bytes 1 and 3). The zero padding around is written once per call. */
static HARK__NOINLINE void hark__dw_planes(const hark_dw_conv_params *p, const hark_dims *id, const int8_t *src,
                                          const hark__dw_geom *g, int two, int16_t *plane)
{
    const int32_t row_bytes = id->w * id->c, offset = p->input_offset, plane_size = g->cols * g->pitch;
    const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
    const int32_t x1 = p->padding.w + id->w < g->cols ? p->padding.w + id->w : g->cols;
    const int32_t y1 = p->padding.h + id->h < g->rows ? p->padding.h + id->h : g->rows;
    const int32_t n = y1 - p->padding.h;
    int32_t x, i;
    for (x = p->padding.w; x < x1; x++) {
        const int8_t *in = src + (x - p->padding.w) * id->c;
        int16_t *dst = plane + x * g->pitch + p->padding.h;
        if (two) {
            for (i = 0; i + 1 < n; i += 2, in += 2 * row_bytes, dst += 2) {
                uint16_t r0, r1;
                uint32_t a, b;
                memcpy(&r0, in, sizeof r0);
                memcpy(&r1, in + row_bytes, sizeof r1);
                a = hark__sxtab16(offset2, (uint32_t)r0 | ((uint32_t)r1 << 16));
                b = hark__sxtab16_ror8(offset2, (uint32_t)r0 | ((uint32_t)r1 << 16));
                memcpy(dst, &a, sizeof a);
                memcpy(dst + plane_size, &b, sizeof b);
            }
            if (i < n) {
                dst[0] = (int16_t)(in[0] + offset);
                dst[plane_size] = (int16_t)(in[1] + offset);
            }
        } else {
            for (i = 0; i + 1 < n; i += 2, in += 2 * row_bytes, dst += 2) {
                const uint32_t a = hark__sxtab16(offset2, (uint32_t)(uint8_t)in[0] | ((uint32_t)(uint8_t)in[row_bytes] << 16));
                memcpy(dst, &a, sizeof a);
            }
            if (i < n) dst[0] = (int16_t)(in[0] + offset);
        }
    }
}

/* One channel over its plane, for channels that pass hark__rq_ok: every output is, per filter column fx (plane
   column x * stride_w + fx), one SMLAD on a vertical pair of taps and one SMLABT/SMLATB on the third, with the
   weights doubled so the accumulator is 2 * acc. With stride_h 1 the outputs go down each column in strips of 4,
   which share their word loads: rows y..y+5 of a column are words A, B, C and
       out(y) += A.(w0,w1) + B.lo w2      out(y+1) += A.hi w0 + B.(w1,w2)
       out(y+2) += B.(w0,w1) + C.lo w2    out(y+3) += B.hi w0 + C.(w1,w2)
   The rest (and every output when stride_h > 1) go one at a time. */
typedef struct {
    int32_t multiplier, c, right, dst_stride; /*  0..12: requantization (hark__rq); dst_stride: one output row */
    uint32_t w[6];                            /* 16..36: per filter column fx: (w0, w1), (w1, w2) of it, doubled */
    int32_t bias2;                            /* 40: 2 * bias */
    const int16_t *plane;                     /* 44: plane column of output column 0 */
    int8_t *dst;                              /* 48: output (0, 0) of the channel */
    int32_t col_step, dst_col_step;           /* 52, 56: bytes from one output column to the next */
    int32_t columns;                          /* 60: output width */
    int32_t strips4, strips1;                 /* 64, 68: per output column */
    int32_t pitch, y_step;                    /* 72, 76: bytes between plane columns / single outputs' rows */
} hark__dw_job;

#if HARK__DSP_NATIVE
/* Filter column fx of a strip of 4 (q = plane column pointer, advanced by the strip): r4-r6 = A, B, C. */
#define HARK__DW_COLUMN4_ASM(q, woff)                                                                            \
    "ldrd   r2, r3, [sp, #" woff "]\n\t"                                                                        \
    "ldmia  " q "!, {r4, r5}\n\t"                                                                               \
    "ldr    r6, [" q "]\n\t"                                                                                    \
    "smlad  r8, r4, r2, r8\n\t"                                                                                 \
    "smlatb r9, r4, r2, r9\n\t"                                                                                 \
    "smlad  r10, r5, r2, r10\n\t"                                                                               \
    "smlatb r11, r5, r2, r11\n\t"                                                                               \
    "smlabt r8, r5, r3, r8\n\t"                                                                                 \
    "smlad  r9, r5, r3, r9\n\t"                                                                                 \
    "smlabt r10, r6, r3, r10\n\t"                                                                               \
    "smlad  r11, r6, r3, r11\n\t"
/* The first filter column, whose MACs start from the bias in r8. */
#define HARK__DW_FIRST4_ASM                                                                                      \
    "ldrd   r2, r3, [sp, #16]\n\t"                                                                               \
    "ldmia  r0!, {r4, r5}\n\t"                                                                                   \
    "ldr    r6, [r0]\n\t"                                                                                        \
    "smlatb r9, r4, r2, r8\n\t"                                                                                  \
    "smlad  r10, r5, r2, r8\n\t"                                                                                 \
    "smlatb r11, r5, r2, r8\n\t"                                                                                 \
    "smlad  r8, r4, r2, r8\n\t"                                                                                  \
    "smlabt r8, r5, r3, r8\n\t"                                                                                  \
    "smlad  r9, r5, r3, r9\n\t"                                                                                  \
    "smlabt r10, r6, r3, r10\n\t"                                                                                \
    "smlad  r11, r6, r3, r11\n\t"
#define HARK__DW_COLUMN1_ASM(q, woff)                                                                            \
    "ldrd   r2, r3, [sp, #" woff "]\n\t"                                                                        \
    "ldr    r4, [" q "]\n\t"                                                                                    \
    "ldrsh  r5, [" q ", #4]\n\t"                                                                                \
    "add    " q ", " q ", r9\n\t"                                                                               \
    "smlad  r8, r4, r2, r8\n\t"                                                                                 \
    "smlabt r8, r5, r3, r8\n\t"
/* reg = hark__rq(reg) with r2 = multiplier, r3 = c, r4 = right; r6 scratch. */
#define HARK__DW_RQ_ASM(reg)                                                                                     \
    "add    r6, r3, " reg ", asr #31\n\t"                                                                       \
    "smmlar " reg ", " reg ", r2, r6\n\t"                                                                       \
    "asr    " reg ", " reg ", r4\n\t"                                                                           \
    "ssat   " reg ", #8, " reg "\n\t"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
/* 57 instructions per strip of 4 outputs + 2 per strip, 26 + 2 per single output, about 20 per column. The job is copied
   to the stack frame (same offsets). Registers: r0, r1, r12 = the three plane columns, r7 = output, lr = count. */
__attribute__((naked, noinline)) static void hark__dw3x3_channel(const hark__dw_job *job)
{
    __asm volatile(
        "push   {r4-r11, lr}\n\t"
        "sub    sp, sp, #80\n\t"
        "ldmia  r0!, {r1-r12}\n\t"
        "stmia  sp, {r1-r12}\n\t"
        "ldmia  r0, {r1-r8}\n\t"
        "add    r9, sp, #48\n\t"
        "stmia  r9, {r1-r8}\n"
        "1:\n\t"
        "ldrd   r0, r7, [sp, #44]\n\t"
        "ldrd   r2, r3, [sp, #52]\n\t"
        "add    r2, r0, r2\n\t"
        "add    r3, r7, r3\n\t"
        "strd   r2, r3, [sp, #44]\n\t"
        "ldr    r2, [sp, #72]\n\t"
        "add    r1, r0, r2\n\t"
        "add    r12, r1, r2\n\t"
        "ldr    lr, [sp, #64]\n\t"
        "cmp    lr, #0\n\t"
        "beq    5f\n"
        "4:\n\t"
        "ldr    r8, [sp, #40]\n\t"
        HARK__DW_FIRST4_ASM
        HARK__DW_COLUMN4_ASM("r1", "24")
        HARK__DW_COLUMN4_ASM("r12", "32")
        "ldm    sp, {r2-r5}\n\t"
        HARK__DW_RQ_ASM("r8")
        HARK__DW_RQ_ASM("r9")
        HARK__DW_RQ_ASM("r10")
        HARK__DW_RQ_ASM("r11")
        "strb   r8, [r7]\n\t"
        "strb   r9, [r7, r5]\n\t"
        "add    r7, r7, r5, lsl #1\n\t"
        "strb   r10, [r7]\n\t"
        "strb   r11, [r7, r5]\n\t"
        "add    r7, r7, r5, lsl #1\n\t"
        "subs   lr, lr, #1\n\t"
        "bne    4b\n"
        "5:\n\t"
        "ldr    lr, [sp, #68]\n\t"
        "cmp    lr, #0\n\t"
        "beq    7f\n\t"
        "ldr    r9, [sp, #76]\n"
        "6:\n\t"
        "ldr    r8, [sp, #40]\n\t"
        HARK__DW_COLUMN1_ASM("r0", "16")
        HARK__DW_COLUMN1_ASM("r1", "24")
        HARK__DW_COLUMN1_ASM("r12", "32")
        "ldm    sp, {r2-r5}\n\t"
        HARK__DW_RQ_ASM("r8")
        "strb   r8, [r7]\n\t"
        "add    r7, r7, r5\n\t"
        "subs   lr, lr, #1\n\t"
        "bne    6b\n"
        "7:\n\t"
        "ldr    r2, [sp, #60]\n\t"
        "subs   r2, r2, #1\n\t"
        "str    r2, [sp, #60]\n\t"
        "bne    1b\n\t"
        "add    sp, sp, #80\n\t"
        "pop    {r4-r11, pc}\n");
}
#pragma GCC diagnostic pop
#undef HARK__DW_COLUMN4_ASM
#undef HARK__DW_FIRST4_ASM
#undef HARK__DW_COLUMN1_ASM
#undef HARK__DW_RQ_ASM
#else
static void hark__dw3x3_channel(const hark__dw_job *j)
{
    const uint8_t *column = (const uint8_t *)j->plane;
    int8_t *dst_column = j->dst;
    int32_t x, s, fx;
    for (x = 0; x < j->columns; x++, column += j->col_step, dst_column += j->dst_col_step) {
        const uint8_t *q[3];
        int8_t *d = dst_column;
        q[0] = column;
        q[1] = column + j->pitch;
        q[2] = column + 2 * j->pitch;
        for (s = 0; s < j->strips4; s++, d += 4 * j->dst_stride) {
            int32_t a0, a1, a2, a3;
            a0 = a1 = a2 = a3 = j->bias2;
            for (fx = 0; fx < 3; fx++) {
                const uint32_t A = hark__read_u32(q[fx]), B = hark__read_u32(q[fx] + 4), C = hark__read_u32(q[fx] + 8);
                const uint32_t w01 = j->w[2 * fx], w12 = j->w[2 * fx + 1];
                a0 = hark__smlabt(B, w12, hark__smlad(A, w01, a0));
                a1 = hark__smlad(B, w12, hark__smlatb(A, w01, a1));
                a2 = hark__smlabt(C, w12, hark__smlad(B, w01, a2));
                a3 = hark__smlad(C, w12, hark__smlatb(B, w01, a3));
                q[fx] += 8;
            }
            d[0] = hark__rq(a0, j->multiplier, j->c, j->right);
            d[j->dst_stride] = hark__rq(a1, j->multiplier, j->c, j->right);
            d[2 * j->dst_stride] = hark__rq(a2, j->multiplier, j->c, j->right);
            d[3 * j->dst_stride] = hark__rq(a3, j->multiplier, j->c, j->right);
        }
        for (s = 0; s < j->strips1; s++, d += j->dst_stride) {
            int32_t a0 = j->bias2;
            for (fx = 0; fx < 3; fx++) {
                a0 = hark__smlad(hark__read_u32(q[fx]), j->w[2 * fx], a0);
                int16_t third;
                memcpy(&third, q[fx] + 4, sizeof third);
                a0 = hark__smlabt((uint32_t)(uint16_t)third, j->w[2 * fx + 1], a0);
                q[fx] += j->y_step;
            }
            d[0] = hark__rq(a0, j->multiplier, j->c, j->right);
        }
    }
}
#endif

static uint32_t hark__pack_doubled(int32_t lo, int32_t hi) { return ((uint32_t)(2 * lo) & 0xFFFFu) | ((uint32_t)(2 * hi) << 16); }

/* 3x3 depthwise, one or two channels at a time: their inputs are converted once into zero-padded int16 planes
   (input_offset added), then each channel runs hark__dw3x3_channel with its weights and requantization constants,
   so there are no bounds checks, and the outputs are stored as they are computed. */
static void hark__dw3x3_dsp(const hark_dw_conv_params *p, const hark_per_channel_quant *q, const hark_dims *id,
                            const int8_t *in_batch, const int8_t *f, const int32_t *bias, const hark_dims *od,
                            int8_t *out_batch, const hark__dw_geom *geom, int16_t *planes)
{
    const hark__dw_geom g = *geom;
    const int32_t channels = id->c, plane_size = g.cols * g.pitch;
    const uint32_t taps = 9 * 128 * (uint32_t)hark__input_abs_max(p->input_offset); /* < 2^30: offset <= 16383 */
    hark__dw_job j;
    int32_t c, k;
    memset(planes, 0, (size_t)g.count * (size_t)plane_size * sizeof(int16_t));
    j.dst_stride = od->w * channels;
    j.col_step = p->stride.w * g.pitch * (int32_t)sizeof(int16_t);
    j.dst_col_step = channels;
    j.columns = od->w;
    j.strips4 = p->stride.h == 1 ? od->h / 4 : 0;
    j.strips1 = od->h - 4 * j.strips4;
    j.pitch = g.pitch * (int32_t)sizeof(int16_t);
    j.y_step = p->stride.h * (int32_t)sizeof(int16_t);
    for (c = 0; c < channels; c += g.count) {
        const int two = g.count == 2 && c + 1 < channels;
        hark__dw_planes(p, id, in_batch + c, &g, two, planes);
        for (k = c; k < c + 1 + two; k++) {
            const int16_t *plane = planes + (k - c) * plane_size;
            const int8_t *w = f + k;
            const int32_t b = bias ? bias[k] : 0, shift = q->shift[k];
            if (hark__rq_ok(q->multiplier[k], shift, taps, b, p->output_offset)) {
                int32_t fx;
                j.multiplier = q->multiplier[k];
                j.c = hark__rq_c(2 * p->output_offset + 1, shift);
                j.right = -shift;
                for (fx = 0; fx < 3; fx++) {
                    j.w[2 * fx] = hark__pack_doubled(w[fx * channels], w[(3 + fx) * channels]);
                    j.w[2 * fx + 1] = hark__pack_doubled(w[(3 + fx) * channels], w[(6 + fx) * channels]);
                }
                j.bias2 = (int32_t)((uint32_t)b << 1);
                j.plane = plane;
                j.dst = out_batch + k;
                hark__dw3x3_channel(&j);
            } else {
                const hark_dims fd = {1, 3, 3, channels};
                int32_t oy, ox;
                for (oy = 0; oy < od->h; oy++)
                    for (ox = 0; ox < od->w; ox++)
                        hark__dw_pixel_portable(p, q, id, in_batch, &fd, f, bias, oy, ox, k, k + 1,
                                                out_batch + (oy * od->w + ox) * channels);
            }
        }
    }
    hark__clamp_run(out_batch, od->h * od->w * channels, p->activation);
}
#endif

hark_nn_status hark_dw_conv_s8(const hark_nn_context *ctx, const hark_dw_conv_params *params,
                               const hark_per_channel_quant *quant,
                               const hark_dims *input_dims, const int8_t *input,
                               const hark_dims *filter_dims, const int8_t *filter,
                               const hark_dims *bias_dims, const int32_t *bias,
                               const hark_dims *output_dims, int8_t *output)
{
    hark_nn_status status;
    int32_t b, oy, ox;
    (void)ctx;
    (void)bias_dims;
    if (params == 0 || quant == 0 || quant->multiplier == 0 || quant->shift == 0) return HARK_NN_ERR_ARG;
    status = hark__check_conv(params->input_offset, params->stride, params->activation, input_dims, input, filter_dims, filter,
                              output_dims, output);
    if (status != HARK_NN_OK) return status;
    if (params->ch_mult != 1) return HARK_NN_ERR_UNSUPPORTED;
    if (filter_dims->n != 1 || filter_dims->c != output_dims->c || input_dims->c != output_dims->c)
        return HARK_NN_ERR_ARG;
#if HARK__DSP
    {
        const hark__dw_geom g = hark__dw_geometry(params, filter_dims, output_dims);
        if (g.count > 0) {
            if (ctx == 0 || ctx->buf == 0 || ((uintptr_t)ctx->buf & 3u) != 0 ||
                ctx->size < hark_dw_conv_s8_get_buffer_size(params, input_dims, filter_dims, output_dims))
                return HARK_NN_ERR_BUFFER;
            for (b = 0; b < output_dims->n; b++)
                hark__dw3x3_dsp(params, quant, input_dims, input + b * input_dims->h * input_dims->w * input_dims->c,
                                filter, bias, output_dims, output + b * output_dims->h * output_dims->w * output_dims->c,
                                &g, (int16_t *)ctx->buf);
            return HARK_NN_OK;
        }
    }
#endif
    for (b = 0; b < output_dims->n; b++) {
        const int8_t *in_batch = input + b * input_dims->h * input_dims->w * input_dims->c;
        for (oy = 0; oy < output_dims->h; oy++)
            for (ox = 0; ox < output_dims->w; ox++) {
                int8_t *dst = output + ((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c;
#if HARK__DSP
                hark__dw_pixel_dsp(params, quant, input_dims, in_batch, filter_dims, filter, bias, oy, ox, dst);
#else
                hark__dw_pixel_portable(params, quant, input_dims, in_batch, filter_dims, filter, bias, oy, ox, 0,
                                        output_dims->c, dst);
#endif
            }
    }
    return HARK_NN_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
   Fully connected. */

hark_nn_status hark_fc_s8(const hark_nn_context *ctx, const hark_fc_params *params,
                          const hark_per_tensor_quant *quant,
                          const hark_dims *input_dims, const int8_t *input,
                          const hark_dims *filter_dims, const int8_t *filter,
                          const hark_dims *bias_dims, const int32_t *bias,
                          const hark_dims *output_dims, int8_t *output)
{
    int32_t depth, out_c, b, o, d;
    (void)ctx;
    (void)bias_dims;
    if (params == 0 || quant == 0 || input == 0 || filter == 0 || output == 0) return HARK_NN_ERR_ARG;
    if (!hark__dims_ok(input_dims) || !hark__dims_ok(filter_dims) || !hark__dims_ok(output_dims)) return HARK_NN_ERR_ARG;
    if (!hark__act_ok(params->activation)) return HARK_NN_ERR_ARG;
    depth = filter_dims->h * filter_dims->w * filter_dims->c;
    out_c = filter_dims->n;
    if (input_dims->n != output_dims->n || input_dims->h * input_dims->w * input_dims->c != depth ||
        output_dims->h * output_dims->w * output_dims->c != out_c)
        return HARK_NN_ERR_ARG;
    for (b = 0; b < output_dims->n; b++) {
        const int8_t *x = input + b * depth;
        for (o = 0; o < out_c; o++) {
            const int8_t *w = filter + o * depth;
            int32_t acc = 0;
            for (d = 0; d < depth; d++) acc += (w[d] + params->filter_offset) * (x[d] + params->input_offset);
            if (bias) acc = hark__wrap_add(acc, bias[o]);
            output[b * out_c + o] = hark__output(acc, quant->multiplier, quant->shift, params->output_offset, params->activation);
        }
    }
    return HARK_NN_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
   Pooling. */

/* Rounded average as TFLite computes it (ties away from zero). */
static int32_t hark__average(int32_t sum, int32_t count)
{
    return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

#if HARK__DSP
/* Average pooling of one window, channels in fours: a word load gives 4 channels of a pixel, and SXTAB16 /
   SXTAB16-ROR8 add them to two int16-pair accumulators, flushed into int32 after each window row (rows of up to 256
   pixels, so the int16 sums cannot overflow). Returns the number of channels done. */
static int32_t hark__avg_channels_dsp(const int8_t *in, const hark_dims *id, int32_t y0, int32_t y1, int32_t x0,
                                      int32_t x1, hark_activation act, int8_t *dst)
{
    const int32_t channels = id->c, count = (y1 - y0) * (x1 - x0);
    int32_t c, iy, k;
    if (x1 - x0 > 256) return 0;
    for (c = 0; c + 3 < channels; c += 4) {
        int32_t sum[4] = {0, 0, 0, 0};
        for (iy = y0; iy < y1; iy++) {
            const int8_t *px = in + (iy * id->w + x0) * channels + c, *const end = px + (x1 - x0) * channels;
            uint32_t ac = 0, bd = 0;
            for (; px != end; px += channels) {
                const uint32_t x = hark__read_u32(px);
                ac = hark__sxtab16(ac, x);
                bd = hark__sxtab16_ror8(bd, x);
            }
            sum[0] += hark__lo16(ac);
            sum[1] += hark__lo16(bd);
            sum[2] += hark__hi16(ac);
            sum[3] += hark__hi16(bd);
        }
        for (k = 0; k < 4; k++) dst[c + k] = hark__clamp8(hark__average(sum[k], count), act);
    }
    return c;
}
#endif

static hark_nn_status hark__pool(const hark_pool_params *p, const hark_dims *id, const int8_t *in,
                                 const hark_dims *fd, const hark_dims *od, int8_t *out, int average)
{
    int32_t b, oy, ox, c, iy, ix;
    if (p == 0 || in == 0 || out == 0 || fd == 0 || fd->h <= 0 || fd->w <= 0) return HARK_NN_ERR_ARG;
    if (!hark__dims_ok(id) || !hark__dims_ok(od) || id->n != od->n || id->c != od->c) return HARK_NN_ERR_ARG;
    if (p->stride.h <= 0 || p->stride.w <= 0 || !hark__act_ok(p->activation)) return HARK_NN_ERR_ARG;
    for (b = 0; b < od->n; b++)
        for (oy = 0; oy < od->h; oy++)
            for (ox = 0; ox < od->w; ox++) {
                const int32_t in_y0 = oy * p->stride.h - p->padding.h;
                const int32_t in_x0 = ox * p->stride.w - p->padding.w;
                const int32_t y0 = in_y0 < 0 ? 0 : in_y0;
                const int32_t y1 = in_y0 + fd->h < id->h ? in_y0 + fd->h : id->h;
                const int32_t x0 = in_x0 < 0 ? 0 : in_x0;
                const int32_t x1 = in_x0 + fd->w < id->w ? in_x0 + fd->w : id->w;
                const int32_t count = (y1 - y0) * (x1 - x0);
                int8_t *dst = out + ((b * od->h + oy) * od->w + ox) * od->c;
                if (y1 <= y0 || x1 <= x0) {
                    if (average) return HARK_NN_ERR_ARG; /* window entirely in the padding */
                }
                c = 0;
#if HARK__DSP
                if (average) c = hark__avg_channels_dsp(in + b * id->h * id->w * id->c, id, y0, y1, x0, x1, p->activation, dst);
#endif
                for (; c < od->c; c++) {
                    int32_t acc = average ? 0 : -128;
                    for (iy = y0; iy < y1; iy++)
                        for (ix = x0; ix < x1; ix++) {
                            const int32_t v = in[((b * id->h + iy) * id->w + ix) * id->c + c];
                            if (average) acc += v;
                            else if (v > acc) acc = v;
                        }
                    if (average) acc = hark__average(acc, count);
                    dst[c] = hark__clamp8(acc, p->activation);
                }
            }
    return HARK_NN_OK;
}

hark_nn_status hark_avgpool_s8(const hark_nn_context *ctx, const hark_pool_params *params,
                               const hark_dims *input_dims, const int8_t *input, const hark_dims *filter_dims,
                               const hark_dims *output_dims, int8_t *output)
{
    (void)ctx;
    return hark__pool(params, input_dims, input, filter_dims, output_dims, output, 1);
}

hark_nn_status hark_maxpool_s8(const hark_nn_context *ctx, const hark_pool_params *params,
                               const hark_dims *input_dims, const int8_t *input, const hark_dims *filter_dims,
                               const hark_dims *output_dims, int8_t *output)
{
    (void)ctx;
    return hark__pool(params, input_dims, input, filter_dims, output_dims, output, 0);
}

/* ---------------------------------------------------------------------------------------------------------------
   Softmax: TFLite's reference int8 kernel with gemmlowp fixed point (raw int32 values; "Qk" = k integer bits). */

/* Softmax runs once per inference on a few values: its many SRDHMs share one out-of-line copy. */
static HARK__NOINLINE int32_t hark__srdhm_shared(int32_t a, int32_t b) { return hark__srdhm(a, b); }

static int32_t hark__sat_mul_pot(int32_t x, int32_t exponent)
{
    int32_t threshold;
    if (exponent == 0) return x;
    if (exponent < 0) return hark__rdbpot(x, -exponent);
    threshold = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1u);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
}

static int32_t hark__exp_quarter(int32_t a)
{
    const int32_t constant_term = 1895147668;       /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    const int32_t x = a + (1 << 28);
    const int32_t x2 = hark__srdhm_shared(x, x);
    const int32_t x3 = hark__srdhm_shared(x2, x);
    const int32_t x4 = hark__srdhm_shared(x2, x2);
    const int32_t x4_over_4 = hark__sat_mul_pot(x4, -2);
    const int32_t poly = hark__sat_mul_pot(hark__srdhm_shared(x4_over_4 + x3, constant_1_over_3) + x2, -1);
    return constant_term + hark__srdhm_shared(constant_term, x + poly);
}

/* exp(a) for a <= 0 in Q5.26; result in Q0.31. */
static int32_t hark__exp_on_negative_values_q5(int32_t a)
{
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int32_t integer_bits = 5, fractional_bits = 26;
    const int32_t one_quarter = 1 << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod = (a & mask) - one_quarter;
    int32_t result = hark__exp_quarter(hark__sat_mul_pot(a_mod, integer_bits));
    const int32_t remainder = a_mod - a;
    int32_t i;
    for (i = 0; i < 7; i++)
        if (remainder & (1 << (fractional_bits + i - 2))) result = hark__srdhm_shared(result, multipliers[i]);
    return a == 0 ? INT32_MAX : result;
}

static int32_t hark__one_over_one_plus_x(int32_t a)
{
    const int32_t constant_48_over_17 = 1515870810, constant_neg_32_over_17 = -1010580540;
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    int32_t x = constant_48_over_17 + hark__srdhm_shared(half_denominator, constant_neg_32_over_17);
    int32_t i;
    for (i = 0; i < 3; i++) {
        const int32_t one_minus = (1 << 29) - hark__srdhm_shared(half_denominator, x);
        x += hark__sat_mul_pot(hark__srdhm_shared(x, one_minus), 2);
    }
    return hark__sat_mul_pot(x, 1);
}

static int32_t hark__clz(uint32_t x)
{
    int32_t n = 0;
    if (x == 0) return 32;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

hark_nn_status hark_softmax_s8(const hark_softmax_params *params, const hark_dims *dims,
                               const int8_t *input, int8_t *output)
{
    const int32_t accumulation_integer_bits = 12;
    int32_t rows, depth, r, c;
    if (params == 0 || input == 0 || output == 0 || !hark__dims_ok(dims) || dims->c > 256) return HARK_NN_ERR_ARG;
    if (params->input_left_shift < 0 || params->input_left_shift > 31 || params->diff_min > 0) return HARK_NN_ERR_ARG;
    depth = dims->c;
    rows = dims->n * dims->h * dims->w;
    for (r = 0; r < rows; r++) {
        const int8_t *x = input + r * depth;
        int8_t *y = output + r * depth;
        int32_t max_in_row = -128, sum_of_exps = 0, headroom_plus_one, num_bits_over_unit, shifted_scale, exponent;
        for (c = 0; c < depth; c++)
            if (x[c] > max_in_row) max_in_row = x[c];
        for (c = 0; c < depth; c++) {
            const int32_t diff = x[c] - max_in_row;
            if (diff >= params->diff_min) {
                const int32_t scaled = hark__srdhm_shared((int32_t)((uint32_t)diff << params->input_left_shift), params->input_multiplier);
                sum_of_exps += hark__sat_mul_pot(hark__exp_on_negative_values_q5(scaled), -accumulation_integer_bits);
            }
        }
        headroom_plus_one = hark__clz((uint32_t)sum_of_exps);
        num_bits_over_unit = accumulation_integer_bits - headroom_plus_one;
        shifted_scale = hark__one_over_one_plus_x(
            (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - ((uint32_t)1 << 31)));
        exponent = num_bits_over_unit + 31 - 8;
        for (c = 0; c < depth; c++) {
            const int32_t diff = x[c] - max_in_row;
            if (diff >= params->diff_min) {
                const int32_t scaled = hark__srdhm_shared((int32_t)((uint32_t)diff << params->input_left_shift), params->input_multiplier);
                const int32_t exp_in_0 = hark__exp_on_negative_values_q5(scaled);
                const int32_t unsat = hark__rdbpot(hark__srdhm_shared(shifted_scale, exp_in_0), exponent);
                int32_t v = unsat - 128;
                y[c] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
            } else {
                y[c] = -128;
            }
        }
    }
    return HARK_NN_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
   Residual add. */

hark_nn_status hark_add_s8(const hark_add_params *params, const int8_t *input1, const int8_t *input2,
                           int8_t *output, int32_t size)
{
    int32_t i;
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0 || size < 0) return HARK_NN_ERR_ARG;
    if (!hark__act_ok(params->activation) || params->left_shift < 0 || params->left_shift > 30) return HARK_NN_ERR_ARG;
    if (params->input1_shift > 0 || params->input2_shift > 0 || params->output_shift > 0 || params->input1_shift < -31 ||
        params->input2_shift < -31 || params->output_shift < -31)
        return HARK_NN_ERR_ARG;
    for (i = 0; i < size; i++) {
        const int32_t a = (int32_t)((uint32_t)(input1[i] + params->input1_offset) << params->left_shift);
        const int32_t b = (int32_t)((uint32_t)(input2[i] + params->input2_offset) << params->left_shift);
        const int32_t sum = hark__wrap_add(
            hark_multiply_by_quantized_multiplier(a, params->input1_multiplier, params->input1_shift),
            hark_multiply_by_quantized_multiplier(b, params->input2_multiplier, params->input2_shift));
        output[i] = hark__output(sum, params->output_multiplier, params->output_shift, params->output_offset,
                                 params->activation);
    }
    return HARK_NN_OK;
}
