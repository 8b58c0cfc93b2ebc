/* Kernel tests for hark_nn: hand-computed cases plus seeded random cases run through every compiled variant
   (native = DSP path on Cortex-M4, portable, and on the host an emulated DSP path). Every variant must give the
   expected values of the hand cases and byte-identical outputs on the random cases.
   Last line of output: "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_table.h"

static int g_passed, g_failed;

static const hark_kernel_table *const g_tables[] = {
    &hark_table_native, &hark_table_portable,
#ifdef HARK_TEST_EMULATED
    &hark_table_emulated,
#endif
};
#define TABLE_COUNT ((int)(sizeof g_tables / sizeof g_tables[0]))

static void check(int ok, const char *what, const char *variant)
{
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL: %s [%s]\n", what, variant);
    }
}

static int check_bytes(const int8_t *got, const int8_t *want, int32_t n, const char *what, const char *variant)
{
    int32_t i, bad = 0;
    for (i = 0; i < n; i++)
        if (got[i] != want[i]) {
            if (bad < 8) printf("  %s [%s] index %ld: got %d want %d\n", what, variant, (long)i, got[i], want[i]);
            bad++;
        }
    check(bad == 0, what, variant);
    return bad == 0;
}

/* Scratch big enough for every case below. */
static int16_t g_scratch[4 * 1024];
static const hark_nn_context g_ctx = {g_scratch, (int32_t)sizeof g_scratch};

/* ------------------------------------------------------------------------------------------------------------ */

static void test_requantize(void)
{
    /* 0.5 exactly: (1<<30, 0). */
    check(hark_multiply_by_quantized_multiplier(100, 1 << 30, 0) == 50, "mbqm 100*0.5", "native");
    /* 1.0 is (1<<30, 1) and must be exact for any x. */
    check(hark_multiply_by_quantized_multiplier(-5, 1 << 30, 1) == -5, "mbqm -5*1.0", "native");
    check(hark_multiply_by_quantized_multiplier(123456789, 1 << 30, 1) == 123456789, "mbqm big*1.0", "native");
    /* Double rounding: 5 * 0.25 -> SRDHM gives 3 (2.5 rounded up), then 3/2 rounds away from zero to 2. */
    check(hark_multiply_by_quantized_multiplier(5, 1 << 30, -1) == 2, "mbqm double rounding", "native");
    /* -5 * 0.25: SRDHM gives -2, then -2/2 = -1. */
    check(hark_multiply_by_quantized_multiplier(-5, 1 << 30, -1) == -1, "mbqm negative", "native");
    /* -3 * 0.5 = -1.5: gemmlowp's SRDHM rounds this tie upwards to -1 (only RoundingDivideByPOT rounds away from 0). */
    check(hark_multiply_by_quantized_multiplier(-3, 1 << 30, 0) == -1, "mbqm srdhm tie", "native");
    check(hark_multiply_by_quantized_multiplier(-6, 1 << 30, 0) == -3, "mbqm -6*0.5", "native");
    /* SRDHM(MIN, MIN) saturates to MAX, and the right shift of 0 leaves it. */
    check(hark_multiply_by_quantized_multiplier(INT32_MIN, INT32_MIN, 0) == INT32_MAX, "srdhm saturation", "native");
}

static void test_conv_hand(void)
{
    /* 3x3 input 1..9, 2x2 filter [1 0; 0 1], multiplier 1.0: out = x[y][x] + x[y+1][x+1] + 2*input_offset + bias. */
    static const int8_t input[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const int8_t filter[4] = {1, 0, 0, 1};
    static const int32_t bias[1] = {10};
    static const int32_t mult[1] = {1 << 30};
    static const int8_t shift[1] = {1};
    static const int8_t want[4] = {6 + 10 + 2, 8 + 10 + 2, 12 + 10 + 2, 14 + 10 + 2};
    static const int8_t want_relu6ish[4] = {18, 20, 20, 20};
    const hark_dims id = {1, 3, 3, 1}, fd = {1, 2, 2, 1}, bd = {1, 1, 1, 1}, od = {1, 2, 2, 1};
    const hark_per_channel_quant q = {mult, shift};
    hark_conv_params p = {1, 0, {1, 1}, {0, 0}, {-128, 127}};
    int t;
    for (t = 0; t < TABLE_COUNT; t++) {
        int8_t out[4];
        check(g_tables[t]->conv(&g_ctx, &p, &q, &id, input, &fd, filter, &bd, bias, &od, out) == HARK_NN_OK,
              "conv status", g_tables[t]->name);
        check_bytes(out, want, 4, "conv 2x2 hand case", g_tables[t]->name);
        p.activation.max = 20;
        g_tables[t]->conv(&g_ctx, &p, &q, &id, input, &fd, filter, &bd, bias, &od, out);
        check_bytes(out, want_relu6ish, 4, "conv activation clamp", g_tables[t]->name);
        p.activation.max = 127;
    }
    {
        /* Padding 1, 3x3 all-ones filter over 2x2 of ones: every output sees all 4 inputs. Output offset -3. */
        static const int8_t in2[4] = {1, 1, 1, 1};
        static const int8_t f2[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        static const int8_t want2[4] = {1, 1, 1, 1};
        const hark_dims id2 = {1, 2, 2, 1}, fd2 = {1, 3, 3, 1}, od2 = {1, 2, 2, 1};
        const hark_conv_params p2 = {0, -3, {1, 1}, {1, 1}, {-128, 127}};
        for (t = 0; t < TABLE_COUNT; t++) {
            int8_t out[4];
            g_tables[t]->conv(&g_ctx, &p2, &q, &id2, in2, &fd2, f2, 0, 0, &od2, out);
            check_bytes(out, want2, 4, "conv padding", g_tables[t]->name);
        }
    }
    {
        /* Bad dims are reported, never crash. */
        const hark_dims bad = {1, 0, 2, 1};
        int8_t out[4];
        check(g_tables[0]->conv(&g_ctx, &p, &q, &bad, input, &fd, filter, 0, 0, &od, out) == HARK_NN_ERR_ARG,
              "conv rejects zero dims", g_tables[0]->name);
    }
}

static void test_dw_hand(void)
{
    /* 2x2x2 input, 2x2 filter per channel, valid: one output pixel per channel. Channel 1 has multiplier 0.5. */
    static const int8_t input[8] = {1, -1, 2, -2, 3, -3, 4, -4};
    static const int8_t filter[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    static const int32_t mult[2] = {1 << 30, 1 << 30};
    static const int8_t shift[2] = {1, 0};
    static const int8_t want[2] = {10, -5};
    const hark_dims id = {1, 2, 2, 2}, fd = {1, 2, 2, 2}, od = {1, 1, 1, 2};
    const hark_per_channel_quant q = {mult, shift};
    const hark_dw_conv_params p = {0, 0, 1, {1, 1}, {0, 0}, {-128, 127}};
    hark_dw_conv_params p3 = p;
    int t;
    p3.ch_mult = 2;
    for (t = 0; t < TABLE_COUNT; t++) {
        int8_t out[2];
        g_tables[t]->dw_conv(&g_ctx, &p, &q, &id, input, &fd, filter, 0, 0, &od, out);
        check_bytes(out, want, 2, "depthwise hand case", g_tables[t]->name);
        check(g_tables[t]->dw_conv(&g_ctx, &p3, &q, &id, input, &fd, filter, 0, 0, &od, out) == HARK_NN_ERR_UNSUPPORTED,
              "depthwise rejects multiplier 2", g_tables[t]->name);
    }
}

static void test_fc_hand(void)
{
    /* 2 outputs over depth 3; input zero point -1 (offset +1), output zero point 5, multiplier 1.0. */
    static const int8_t input[3] = {1, 2, 3};
    static const int8_t filter[6] = {1, 1, 1, -1, 0, 2};
    static const int32_t bias[2] = {0, -100};
    static const int8_t want[2] = {2 + 3 + 4 + 5, -2 + 8 - 100 + 5};
    const hark_dims id = {1, 1, 1, 3}, fd = {2, 1, 1, 3}, od = {1, 1, 1, 2};
    const hark_fc_params p = {1, 0, 5, {-128, 127}};
    const hark_per_tensor_quant q = {1 << 30, 1};
    int t;
    for (t = 0; t < TABLE_COUNT; t++) {
        int8_t out[2];
        g_tables[t]->fc(&g_ctx, &p, &q, &id, input, &fd, filter, 0, bias, &od, out);
        check_bytes(out, want, 2, "fully connected hand case", g_tables[t]->name);
    }
}

static void test_pool_hand(void)
{
    /* 1x2x3 input, 2x2 window stride 1 valid -> 1x2 outputs; then 1x2 windows whose averages are exact ties. */
    static const int8_t input[6] = {-3, -2, 3, 0, 0, 2};
    static const int8_t want_avg[2] = {-1, 1};     /* (-5-2)/4 = -1 (trunc), (3+2+2)/4 = 1 */
    static const int8_t want_max[2] = {0, 3};
    static const int8_t in2[2] = {-3, -2};         /* window 1x2: (-5 - 1) / 2 = -3 */
    static const int8_t in3[2] = {3, 2};           /* (5 + 1) / 2 = 3 */
    static const int8_t want2[1] = {-3}, want3[1] = {3};
    const hark_dims id = {1, 2, 3, 1}, fd = {1, 2, 2, 1}, od = {1, 1, 2, 1};
    const hark_dims id2 = {1, 1, 2, 1}, fd2 = {1, 1, 2, 1}, od2 = {1, 1, 1, 1};
    const hark_pool_params p = {{1, 1}, {0, 0}, {-128, 127}};
    int t;
    for (t = 0; t < TABLE_COUNT; t++) {
        int8_t out[2];
        g_tables[t]->avgpool(&g_ctx, &p, &id, input, &fd, &od, out);
        check_bytes(out, want_avg, 2, "avgpool hand case", g_tables[t]->name);
        g_tables[t]->maxpool(&g_ctx, &p, &id, input, &fd, &od, out);
        check_bytes(out, want_max, 2, "maxpool hand case", g_tables[t]->name);
        g_tables[t]->avgpool(&g_ctx, &p, &id2, in2, &fd2, &od2, out);
        check_bytes(out, want2, 1, "avgpool negative tie", g_tables[t]->name);
        g_tables[t]->avgpool(&g_ctx, &p, &id2, in3, &fd2, &od2, out);
        check_bytes(out, want3, 1, "avgpool positive tie", g_tables[t]->name);
    }
}

static void test_add_hand(void)
{
    /* Scales 1, zero points 0: multipliers (1<<30, 0) per input and (1<<30, -18) out give exactly x + y. */
    static const int8_t a[4] = {3, -7, 100, -100};
    static const int8_t b[4] = {4, 2, 100, -100};
    static const int8_t want[4] = {7, -5, 127, -128};
    const hark_add_params p = {0, 1 << 30, 0, 0, 1 << 30, 0, 0, 1 << 30, -18, 20, {-128, 127}};
    int t;
    for (t = 0; t < TABLE_COUNT; t++) {
        int8_t out[4];
        g_tables[t]->add(&p, a, b, out, 4);
        check_bytes(out, want, 4, "add hand case", g_tables[t]->name);
    }
}

static void test_softmax_properties(void)
{
    /* beta 1, input scale 1/16: multiplier/shift/diff_min as TFLite's PreprocessSoftmaxScaling computes them
       (real = 2^26/16 = 2^22 -> (1<<30, 23); radius = floor(31 * 2^26 / 2^23) = 248). */
    static const int8_t input[6] = {-20, 0, 40, 40, 100, -128};
    const hark_softmax_params p = {1 << 30, 23, -248};
    const hark_dims d = {1, 1, 1, 6};
    int t;
    for (t = 0; t < TABLE_COUNT; t++) {
        int8_t out[6];
        int32_t sum = 0, i;
        g_tables[t]->softmax(&p, &d, input, out);
        for (i = 0; i < 6; i++) sum += out[i] + 128;
        check(sum >= 250 && sum <= 262, "softmax sums to ~256", g_tables[t]->name);
        check(out[4] > out[2] && out[2] == out[3] && out[3] >= out[1] && out[1] >= out[0] && out[0] >= out[5],
              "softmax is monotonic", g_tables[t]->name);
        check(out[5] == -128, "softmax far below the max is -128", g_tables[t]->name);
    }
}

/* ------------------------------------------------------------------------------------------------------------
   Random cases: all variants must agree byte for byte. */

static uint32_t g_rng = 0x12345678u;
static uint32_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}
static int32_t rnd_range(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }
static int8_t rnd_i8(void)
{
    const uint32_t r = rnd() % 16;
    return r == 0 ? -128 : r == 1 ? 127 : (int8_t)rnd_range(-128, 127);
}
static void rnd_fill(int8_t *p, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) p[i] = rnd_i8();
}
static void rnd_requant(int32_t *mult, int8_t *shift, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) {
        const uint32_t r = rnd() % 8;
        mult[i] = r == 0 ? INT32_MAX : r == 1 ? (int32_t)(rnd() >> 1) : rnd_range(1 << 30, INT32_MAX);
        shift[i] = (int8_t)(r == 2 ? rnd_range(-31, 31) : rnd_range(-14, 1));
    }
}
/* Multipliers and shifts as a quantizer produces them for conv layers (real multiplier in [2^-23, 1)): the case the
   fused DSP path takes. */
static void rnd_requant_typical(int32_t *mult, int8_t *shift, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) {
        mult[i] = rnd_range(1 << 30, INT32_MAX);
        shift[i] = (int8_t)(rnd() % 8 == 0 ? rnd_range(-23, -1) : rnd_range(-12, -1));
    }
}

static void rnd_bias(int32_t *bias, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) {
        const uint32_t r = rnd() % 10;
        bias[i] = r == 0 ? INT32_MAX : r == 1 ? INT32_MIN : rnd_range(-40000, 40000);
    }
}
/* Biases for which every typical channel takes the fast requantization. */
static void rnd_bias_moderate(int32_t *bias, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) bias[i] = rnd_range(-40000, 40000);
}
static hark_activation rnd_act(void)
{
    hark_activation a = {-128, 127};
    if (rnd() % 3 == 0) {
        a.min = rnd_range(-128, 20);
        a.max = rnd_range(a.min, 127);
    }
    return a;
}

static int8_t g_in[8192], g_in2[4096], g_filter[4096 + 4], g_out[TABLE_COUNT > 2 ? 3 : 2][8192], g_out_exact[8192];
static int32_t g_bias[256], g_mult[256];
static int8_t g_shift[256];

static void compare_outputs(int32_t n, const char *what)
{
    int t;
    for (t = 1; t < TABLE_COUNT; t++) check_bytes(g_out[t], g_out[0], n, what, g_tables[t]->name);
}

/* Output size for a window that always overlaps the input (padding < window). */
static int32_t out_size(int32_t in, int32_t k, int32_t stride, int32_t pad)
{
    return (in + 2 * pad - k) / stride + 1;
}

/* One convolution or depthwise case (quantization in g_mult / g_shift). */
typedef struct {
    int depthwise;
    hark_dims id, fd, od;
    int32_t in_off, out_off;
    hark_tile stride, pad;
    hark_activation act;
    const int8_t *in, *filter;
    const int32_t *bias;
} conv_case;

static void conv_case_init(conv_case *k, int depthwise, hark_dims id, int32_t kh, int32_t kw, int32_t out_c,
                           int32_t stride_h, int32_t stride_w, int32_t pad_h, int32_t pad_w)
{
    k->depthwise = depthwise;
    k->id = id;
    k->fd.n = depthwise ? 1 : out_c;
    k->fd.h = kh;
    k->fd.w = kw;
    k->fd.c = id.c;
    k->od.n = id.n;
    k->od.h = out_size(id.h, kh, stride_h, pad_h);
    k->od.w = out_size(id.w, kw, stride_w, pad_w);
    k->od.c = depthwise ? id.c : out_c;
    k->stride.h = stride_h;
    k->stride.w = stride_w;
    k->pad.h = pad_h;
    k->pad.w = pad_w;
    k->in_off = 128;
    k->out_off = -128;
    k->act.min = -128;
    k->act.max = 127;
    k->in = g_in;
    k->filter = g_filter;
    k->bias = g_bias;
}

static hark_nn_status conv_run(const hark_kernel_table *t, const conv_case *k, const hark_nn_context *ctx, int8_t *out)
{
    const hark_per_channel_quant q = {g_mult, g_shift};
    if (k->depthwise) {
        const hark_dw_conv_params p = {k->in_off, k->out_off, 1, k->stride, k->pad, k->act};
        return t->dw_conv(ctx, &p, &q, &k->id, k->in, &k->fd, k->filter, 0, k->bias, &k->od, out);
    } else {
        const hark_conv_params p = {k->in_off, k->out_off, k->stride, k->pad, k->act};
        return t->conv(ctx, &p, &q, &k->id, k->in, &k->fd, k->filter, 0, k->bias, &k->od, out);
    }
}

static int32_t conv_scratch(const conv_case *k)
{
    const hark_dw_conv_params p = {k->in_off, k->out_off, 1, k->stride, k->pad, k->act};
    return k->depthwise ? hark_dw_conv_s8_get_buffer_size(&p, &k->id, &k->fd, &k->od)
                        : hark_conv_s8_get_buffer_size(&k->id, &k->fd);
}

/* Runs a case through every variant twice: with the large static scratch and with exactly hark_*_get_buffer_size()
   bytes from the heap (the host's AddressSanitizer sees any overrun; on the DSP path the convolution picks its
   2-pixel kernel instead of the 4-pixel one). Every status must be `want`, and every output the first variant's. */
static void check_conv_case(const conv_case *k, hark_nn_status want, const char *what)
{
    const int32_t n = k->od.n * k->od.h * k->od.w * k->od.c, need = conv_scratch(k);
    void *exact = malloc(need > 0 ? (size_t)need : 1u);
    const hark_nn_context small = {exact, need};
    char label[96];
    int t;
    snprintf(label, sizeof label, "%s (exact scratch)", what);
    for (t = 0; t < TABLE_COUNT; t++) {
        memset(g_out[t], 0x55, (size_t)n);
        memset(g_out_exact, 0x55, (size_t)n);
        check(conv_run(g_tables[t], k, &g_ctx, g_out[t]) == want, what, g_tables[t]->name);
        check(conv_run(g_tables[t], k, &small, g_out_exact) == want, label, g_tables[t]->name);
        if (want == HARK_NN_OK) check_bytes(g_out_exact, g_out[0], n, label, g_tables[t]->name);
    }
    if (want == HARK_NN_OK) compare_outputs(n, what);
    free(exact);
}

static void random_conv(int depthwise, int kernel3x3, int typical)
{
    hark_dims id;
    conv_case k;
    int32_t stride, kh, kw;
    id.n = rnd_range(1, 2);
    id.h = rnd_range(kernel3x3 ? 3 : 1, 9);
    id.w = rnd_range(kernel3x3 ? 3 : 1, 9);
    id.c = depthwise ? rnd_range(1, 13) : typical ? 4 * rnd_range(1, 3) : rnd_range(1, 11);
    kh = kernel3x3 ? 3 : rnd_range(1, id.h < 4 ? id.h : 4);
    kw = kernel3x3 ? 3 : rnd_range(1, id.w < 4 ? id.w : 4);
    stride = rnd_range(1, 3);
    conv_case_init(&k, depthwise, id, kh, kw, depthwise ? id.c : typical ? 2 * rnd_range(1, 5) : rnd_range(1, 9), stride,
                   stride, rnd_range(0, kh - 1), rnd_range(0, kw - 1));
    rnd_fill(g_in, id.n * id.h * id.w * id.c);
    rnd_fill(g_filter, k.fd.n * k.fd.h * k.fd.w * k.fd.c);
    rnd_bias(g_bias, k.od.c);
    if (typical) rnd_requant_typical(g_mult, g_shift, k.od.c);
    else rnd_requant(g_mult, g_shift, k.od.c);
    k.in_off = rnd_range(-127, 128);
    k.out_off = rnd_range(-128, 127);
    k.act = rnd_act();
    if (!typical && rnd() % 4 == 0) k.bias = 0;
    check_conv_case(&k, HARK_NN_OK, depthwise ? "random depthwise" : "random conv");
}

static void random_pointwise_dscnn(int typical)
{
    /* The DS-CNN-S hot layer: 25x5x64 -> 64, 1x1. */
    static int8_t big_in[25 * 5 * 64];
    const hark_dims id = {1, 25, 5, 64};
    conv_case k;
    conv_case_init(&k, 0, id, 1, 1, 64, 1, 1, 0, 0);
    k.in = big_in;
    k.in_off = rnd_range(-127, 128);
    k.out_off = rnd_range(-128, 127);
    rnd_fill(big_in, 25 * 5 * 64);
    rnd_fill(g_filter, 64 * 64);
    rnd_bias(g_bias, 64);
    if (typical) rnd_requant_typical(g_mult, g_shift, 64);
    else rnd_requant(g_mult, g_shift, 64);
    check_conv_case(&k, HARK_NN_OK, "pointwise 25x5x64");
}

static void random_depthwise_dscnn(void)
{
    /* The DS-CNN-S depthwise layer: 25x5x64, 3x3, padding 1. */
    static int8_t big_in[25 * 5 * 64];
    const hark_dims id = {1, 25, 5, 64};
    conv_case k;
    conv_case_init(&k, 1, id, 3, 3, 64, 1, 1, 1, 1);
    k.in = big_in;
    k.in_off = rnd_range(-127, 128);
    k.out_off = rnd_range(-128, 127);
    rnd_fill(big_in, 25 * 5 * 64);
    rnd_fill(g_filter, 9 * 64);
    rnd_bias(g_bias, 64);
    rnd_requant(g_mult, g_shift, 64);
    check_conv_case(&k, HARK_NN_OK, "depthwise 25x5x64");
}

/* ------------------------------------------------------------------------------------------------------------
   Edge cases of the DSP fast paths (fast requantization, 4-pixel convolution, depthwise planes and strips). */

/* Accumulators at the fast requantization's limit: every product is +-32640 (weights -128, x + input_offset =
   -+255) and the bias brings |acc| to exactly 2^30 - 1 (the largest the fast path takes) or 2^30 (just outside:
   doubled it would overflow, so this must take the generic path). Right shifts of 25-30 keep the outputs
   unsaturated, so the roundings at the extreme are compared, ties included (INT32_MAX * (2^30 - 1) / 2^61 is about
   1/2); the output offset is then 0, as (2 * offset + 1) * 2^(r - 1) must fit as well. Shifts of 8-22 take
   extreme output offsets and saturate. */
static void test_fast_bound(void)
{
    static const int32_t mults[6] = {INT32_MAX, 1 << 30, 1518500250, 1073741825, 2147483000, 1234567890};
    static const int8_t shifts[2][6] = {{-30, -29, -28, -27, -26, -25}, {-22, -20, -18, -15, -12, -8}};
    static const int32_t out_offs[3] = {0, -128, 127};
    int depthwise, sign, over, set, c;
    for (depthwise = 0; depthwise < 2; depthwise++)
        for (sign = -1; sign <= 1; sign += 2)
            for (over = 0; over < 2; over++)
                for (set = 0; set < 3; set++) {
                    const hark_dims id = {1, 5, 4, depthwise ? 6 : 8};
                    const int32_t taps = (depthwise ? 9 : 8) * 128 * 255;
                    conv_case k;
                    conv_case_init(&k, depthwise, id, depthwise ? 3 : 1, depthwise ? 3 : 1, 6, 1, 1, 0, 0);
                    k.in_off = sign > 0 ? -127 : 128;
                    k.out_off = out_offs[set];
                    memset(g_in, sign > 0 ? -128 : 127, (size_t)(id.h * id.w * id.c));
                    memset(g_filter, -128, (size_t)(k.fd.n * k.fd.h * k.fd.w * k.fd.c));
                    for (c = 0; c < 6; c++) {
                        g_bias[c] = sign * ((1 << 30) - 1 + over - taps);
                        g_mult[c] = mults[c];
                        g_shift[c] = shifts[set > 0][c];
                    }
                    check_conv_case(&k, HARK_NN_OK, over ? "|acc| = 2^30 (generic)" : "|acc| = 2^30 - 1 (fast)");
                }
}

/* Multipliers and shifts at the ends of the fast path's range (shift -1 and -30, multiplier 0, 1 and INT32_MAX)
   and just outside it (shift 0, -31 and left shifts, negative multipliers, INT32_MIN), per channel. Shift -30 needs
   output offset 0 (see test_fast_bound); with offsets -128 and 127 the far end is -22. */
static void test_requant_extremes(void)
{
    static const int32_t fast_m[8] = {INT32_MAX, 1 << 30, 1, 0, INT32_MAX, 1 << 30, 1518500250, 1073741825};
    static const int8_t fast_s[8] = {-1, -1, -30, -5, -30, -2, -12, -7};
    static const int32_t mixed_m[8] = {INT32_MAX, 1 << 30, 1 << 30, INT32_MAX, INT32_MIN, -5, 1 << 30, 0};
    static const int8_t mixed_s[8] = {0, 1, 31, -31, -5, -3, -1, 0};
    static const int32_t out_offs[3] = {0, -128, 127};
    int depthwise, mixed, o, c;
    for (depthwise = 0; depthwise < 2; depthwise++)
        for (mixed = 0; mixed < 2; mixed++)
            for (o = 0; o < 3; o++) {
                const hark_dims id = {1, 3, 5, depthwise ? 8 : 4};
                conv_case k;
                conv_case_init(&k, depthwise, id, depthwise ? 3 : 1, depthwise ? 3 : 1, 8, 1, 1, depthwise, depthwise);
                k.in_off = o == 1 ? -127 : 128;
                k.out_off = out_offs[o];
                rnd_fill(g_in, id.h * id.w * id.c);
                rnd_fill(g_filter, k.fd.n * k.fd.h * k.fd.w * k.fd.c);
                for (c = 0; c < 8; c++) {
                    g_bias[c] = rnd_range(-40000, 40000);
                    g_mult[c] = mixed ? mixed_m[c] : fast_m[c];
                    g_shift[c] = mixed ? mixed_s[c] : o > 0 && fast_s[c] == -30 ? -22 : fast_s[c];
                }
                check_conv_case(&k, HARK_NN_OK, mixed ? "requantization outside the fast range" : "fast range ends");
            }
}

/* Activation limits: SSAT alone for [-128, 127], the 4-bytes-at-a-time clamp otherwise (min = max included). */
static void test_activation_limits(void)
{
    static const hark_activation acts[7] = {{-128, 127}, {-128, -128}, {127, 127}, {-128, 0}, {0, 127}, {-7, 9}, {5, 5}};
    int depthwise, a;
    for (depthwise = 0; depthwise < 2; depthwise++)
        for (a = 0; a < 7; a++) {
            const hark_dims id = {1, 5, 3, depthwise ? 6 : 16};
            conv_case k;
            conv_case_init(&k, depthwise, id, depthwise ? 3 : 1, depthwise ? 3 : 1, 8, 1, 1, depthwise, depthwise);
            k.act = acts[a];
            k.out_off = rnd_range(-20, 20);
            rnd_fill(g_in, id.h * id.w * id.c);
            rnd_fill(g_filter, k.fd.n * k.fd.h * k.fd.w * k.fd.c);
            rnd_bias_moderate(g_bias, k.od.c);
            rnd_requant_typical(g_mult, g_shift, k.od.c);
            check_conv_case(&k, HARK_NN_OK, depthwise ? "depthwise activation limits" : "conv activation limits");
        }
}
/* Shapes around the fast paths' boundaries, with typical quantization so they are taken: maps of 1 to 5 pixels
   (the 4-pixel kernel needs 4, the rest go in pairs), K % 8 = 4 (an odd group of 4), K = 4, 10x4 windows with
   padding (gathered columns), strides, odd and even channel counts (one or two depthwise planes per pass, 1-row
   maps without planes), unaligned filter and input pointers (no 4-pixel kernel; unaligned word loads). */
static void test_shape_sweep(void)
{
    static const int32_t maps[9][2] = {{1, 1}, {1, 2}, {1, 3}, {2, 2}, {1, 5}, {3, 3}, {4, 4}, {5, 3}, {9, 7}};
    static const int32_t windows[4][2] = {{1, 1}, {3, 3}, {2, 1}, {3, 2}};
    static const int32_t dw_strides[5][2] = {{1, 1}, {2, 2}, {1, 2}, {2, 1}, {3, 1}};
    int m, w, ch, st, shift_ptr;
    for (m = 0; m < 9; m++)
        for (w = 0; w < 4; w++)
            for (ch = 0; ch < 3; ch++)
                for (shift_ptr = 0; shift_ptr < 3; shift_ptr++) {
                    static const int32_t in_cs[3] = {4, 12, 8};
                    const hark_dims id = {1, maps[m][0] + windows[w][0] - 1, maps[m][1] + windows[w][1] - 1, in_cs[ch]};
                    const int32_t stride = 1 + (m + w) % 2, pad = windows[w][0] > 1 ? (m % 2) : 0;
                    conv_case k;
                    conv_case_init(&k, 0, id, windows[w][0], windows[w][1], 2 + 2 * (int32_t)(rnd() % 4), stride, stride,
                                   pad, windows[w][1] > 1 ? pad : 0);
                    k.in_off = rnd_range(-127, 128);
                    k.out_off = rnd_range(-128, 127);
                    k.filter = g_filter + (shift_ptr == 1);
                    k.in = g_in + (shift_ptr == 2);
                    rnd_fill(g_in, 1 + id.h * id.w * id.c);
                    rnd_fill(g_filter, 1 + k.fd.n * k.fd.h * k.fd.w * k.fd.c);
                    rnd_bias_moderate(g_bias, k.od.c);
                    rnd_requant_typical(g_mult, g_shift, k.od.c);
                    check_conv_case(&k, HARK_NN_OK, "conv shape sweep");
                }
    for (m = 0; m < 9; m++)
        for (st = 0; st < 5; st++)
            for (ch = 1; ch <= 6; ch++) {
                const hark_dims id = {1 + (m == 8 && ch < 6), maps[m][0] * dw_strides[st][0] + 2, maps[m][1] * dw_strides[st][1] + 2,
                                      ch == 6 ? 13 : ch};
                conv_case k;
                conv_case_init(&k, 1, id, 3, 3, id.c, dw_strides[st][0], dw_strides[st][1], (m + ch) % 3, (m + st) % 3);
                k.in_off = rnd_range(-127, 128);
                k.out_off = rnd_range(-128, 127);
                rnd_fill(g_in, id.n * id.h * id.w * id.c);
                rnd_fill(g_filter, 9 * id.c);
                rnd_bias_moderate(g_bias, id.c);
                rnd_requant_typical(g_mult, g_shift, id.c);
                if (ch == 3) g_shift[1] = 0; /* one channel off the fast path */
                check_conv_case(&k, HARK_NN_OK, "depthwise shape sweep");
            }
}

/* The DS-CNN-S first layer: 10x4 window, stride 2, padding 4 (top) and 1 (left), 49x10x1 -> 25x5x64. K = 40: the
   4-pixel kernel enters its unrolled loop in the middle; border columns are gathered. */
static void test_dscnn_first_conv(void)
{
    const hark_dims id = {1, 49, 10, 1};
    conv_case k;
    int i;
    for (i = 0; i < 2; i++) {
        conv_case_init(&k, 0, id, 10, 4, 64, 2, 2, 4, 1);
        k.od.h = 25;
        k.od.w = 5;
        k.in_off = i ? 0 : 83;
        k.out_off = -128;
        rnd_fill(g_in, 49 * 10);
        rnd_fill(g_filter, 64 * 40);
        rnd_bias_moderate(g_bias, 64);
        rnd_requant_typical(g_mult, g_shift, 64);
        check_conv_case(&k, HARK_NN_OK, "DS-CNN-S first conv");
    }
}

/* x + input_offset must fit int16: the limits are accepted (generic paths) and one beyond is refused, by every
   variant alike. */
static void test_input_offset_limits(void)
{
    static const int32_t offsets[4] = {-32767 + 128, 32767 - 127, -32767 + 127, 32767 - 126};
    int depthwise, o;
    for (depthwise = 0; depthwise < 2; depthwise++)
        for (o = 0; o < 4; o++) {
            const hark_dims id = {1, 4, 3, 4};
            conv_case k;
            conv_case_init(&k, depthwise, id, 3, 3, 2, 1, 1, 1, 1);
            k.in_off = offsets[o];
            rnd_fill(g_in, id.h * id.w * id.c);
            rnd_fill(g_filter, k.fd.n * 9 * id.c);
            rnd_bias_moderate(g_bias, k.od.c);
            rnd_requant_typical(g_mult, g_shift, k.od.c);
            check_conv_case(&k, o < 2 ? HARK_NN_OK : HARK_NN_ERR_ARG, o < 2 ? "input offset at its limit" : "input offset beyond its limit");
        }
}

/* Average pooling over large windows: the DSP path's int16 sums are flushed after every window row (rows of more
   than 256 pixels take the scalar path). All -128 and all 127 over 400 pixels would overflow unflushed sums. */
static void test_avgpool_large(void)
{
    static const int32_t windows[3][2] = {{20, 20}, {1, 300}, {16, 16}};
    static const int8_t fills[3] = {-128, 127, 0};
    int w, f, t;
    for (w = 0; w < 3; w++)
        for (f = 0; f < 3; f++) {
            const hark_dims id = {1, windows[w][0], windows[w][1], 5 + 4 * (w == 2)}, fd = {1, windows[w][0], windows[w][1], 1};
            const hark_dims od = {1, 1, 1, id.c};
            const hark_pool_params p = {{1, 1}, {0, 0}, {-128, 127}};
            static int8_t in[20 * 20 * 9 + 300 * 5];
            int32_t i;
            for (i = 0; i < id.h * id.w * id.c; i++) in[i] = f < 2 ? fills[f] : rnd_i8();
            for (t = 0; t < TABLE_COUNT; t++) {
                check(g_tables[t]->avgpool(&g_ctx, &p, &id, in, &fd, &od, g_out[t]) == HARK_NN_OK, "large avgpool status",
                      g_tables[t]->name);
                if (f < 2) {
                    int8_t want[9];
                    memset(want, fills[f], sizeof want);
                    check_bytes(g_out[t], want, id.c, "large avgpool of a constant", g_tables[t]->name);
                }
            }
            compare_outputs(id.c, "large avgpool");
        }
}

/* The scratch sizes: the convolution's is v0.1's (2 int16 im2col columns), the depthwise's never exceeds v0.1's
   (one plane + one int32 per output), so arenas sized by v0.1's rules (Hark's model writer) stay large enough. */
static void test_buffer_sizes(void)
{
    int32_t h, w, s, k, bad = 0;
    for (h = 1; h <= 40; h++)
        for (w = 1; w <= 40; w++)
            for (s = 1; s <= 3; s++) {
                const hark_dims od = {1, h, w, 8}, dw_f = {1, 3, 3, 8};
                const hark_dw_conv_params p = {128, -128, 1, {s, 4 - s}, {1, 1}, {-128, 127}};
                const int32_t rows = (h - 1) * s + 3, cols = (w - 1) * (4 - s) + 3;
                const int32_t v01 = ((rows * cols + 1) & ~1) * 2 + h * w * 4;
                if (hark_dw_conv_s8_get_buffer_size(&p, &od, &dw_f, &od) > v01) bad++;
            }
    check(bad == 0, "depthwise scratch never above v0.1's", "native");
    for (k = 1; k <= 200; k += 7) {
        const hark_dims id = {1, 8, 8, k}, fd = {4, 1, 1, k};
        if (hark_conv_s8_get_buffer_size(&id, &fd) != (2 * (k & ~3) + 8) * 2) bad++;
    }
    check(bad == 0, "conv scratch is v0.1's", "native");
}

static void random_fc(void)
{
    const int32_t depth = rnd_range(1, 200), outs = rnd_range(1, 20), batches = rnd_range(1, 3);
    const hark_dims id = {batches, 1, 1, depth}, fd = {outs, 1, 1, depth}, od = {batches, 1, 1, outs};
    const hark_fc_params p = {rnd_range(-127, 128), rnd() % 4 == 0 ? rnd_range(-127, 128) : 0, rnd_range(-128, 127), rnd_act()};
    hark_per_tensor_quant q;
    int t;
    rnd_fill(g_in, batches * depth);
    rnd_fill(g_filter, outs * depth);
    rnd_bias(g_bias, outs);
    {
        int8_t shift;
        rnd_requant(&q.multiplier, &shift, 1);
        q.shift = shift;
    }
    for (t = 0; t < TABLE_COUNT; t++) g_tables[t]->fc(&g_ctx, &p, &q, &id, g_in, &fd, g_filter, 0, g_bias, &od, g_out[t]);
    compare_outputs(batches * outs, "random fully connected");
}

static void random_pool(void)
{
    hark_dims id, fd, od;
    hark_pool_params p;
    int32_t stride;
    int t;
    id.n = rnd_range(1, 2);
    id.h = rnd_range(1, 9);
    id.w = rnd_range(1, 9);
    id.c = rnd_range(1, 10);
    fd.n = 1;
    fd.c = 1;
    fd.h = rnd_range(1, id.h);
    fd.w = rnd_range(1, id.w);
    stride = rnd_range(1, 3);
    p.stride.h = p.stride.w = stride;
    p.padding.h = rnd_range(0, fd.h - 1);
    p.padding.w = rnd_range(0, fd.w - 1);
    p.activation = rnd_act();
    od.n = id.n;
    od.h = out_size(id.h, fd.h, stride, p.padding.h);
    od.w = out_size(id.w, fd.w, stride, p.padding.w);
    od.c = id.c;
    rnd_fill(g_in, id.n * id.h * id.w * id.c);
    for (t = 0; t < TABLE_COUNT; t++) g_tables[t]->avgpool(&g_ctx, &p, &id, g_in, &fd, &od, g_out[t]);
    compare_outputs(od.n * od.h * od.w * od.c, "random avgpool");
    for (t = 0; t < TABLE_COUNT; t++) g_tables[t]->maxpool(&g_ctx, &p, &id, g_in, &fd, &od, g_out[t]);
    compare_outputs(od.n * od.h * od.w * od.c, "random maxpool");
}

static void random_softmax_and_add(void)
{
    const hark_dims d = {rnd_range(1, 3), 1, 1, rnd_range(1, 40)};
    const int32_t n = d.n * d.c;
    const int32_t shift = rnd_range(20, 30);
    const hark_softmax_params sp = {rnd_range(1 << 30, INT32_MAX), shift, -(int32_t)((31.0 * (1 << 26)) / (double)(1u << shift))};
    hark_add_params ap;
    int t;
    rnd_fill(g_in, n);
    rnd_fill(g_in2, n);
    for (t = 0; t < TABLE_COUNT; t++) g_tables[t]->softmax(&sp, &d, g_in, g_out[t]);
    compare_outputs(n, "random softmax");
    ap.input1_offset = rnd_range(-127, 128);
    ap.input2_offset = rnd_range(-127, 128);
    ap.output_offset = rnd_range(-128, 127);
    ap.input1_multiplier = rnd_range(1 << 30, INT32_MAX);
    ap.input2_multiplier = rnd_range(1 << 30, INT32_MAX);
    ap.output_multiplier = rnd_range(1 << 30, INT32_MAX);
    ap.input1_shift = rnd_range(-3, 0);
    ap.input2_shift = rnd_range(-3, 0);
    ap.output_shift = rnd_range(-22, -15);
    ap.left_shift = 20;
    ap.activation = rnd_act();
    for (t = 0; t < TABLE_COUNT; t++) g_tables[t]->add(&ap, g_in, g_in2, g_out[t], n);
    compare_outputs(n, "random add");
}

int main(void)
{
    int i;
    test_requantize();
    test_conv_hand();
    test_dw_hand();
    test_fc_hand();
    test_pool_hand();
    test_add_hand();
    test_softmax_properties();
    for (i = 0; i < 150; i++) {
        random_conv(0, 0, 0);
        random_conv(0, 0, 1);
        random_conv(1, 0, 0);
        random_conv(1, 1, 0);
        random_fc();
        random_pool();
        random_softmax_and_add();
    }
    for (i = 0; i < 2; i++) {
        random_pointwise_dscnn(i);
        random_depthwise_dscnn();
    }
    test_fast_bound();
    test_requant_extremes();
    test_activation_limits();
    test_shape_sweep();
    test_dscnn_first_conv();
    test_input_offset_limits();
    test_avgpool_large();
    test_buffer_sizes();
    printf("%d variants: ", TABLE_COUNT);
    for (i = 0; i < TABLE_COUNT; i++) printf("%s%s", g_tables[i]->name, i + 1 < TABLE_COUNT ? ", " : "\n");
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
