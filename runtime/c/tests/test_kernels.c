/* Kernel tests for hark_nn: hand-computed cases plus seeded random cases run through every compiled variant
   (native = DSP path on Cortex-M4, portable, and on the host an emulated DSP path). Every variant must give the
   expected values of the hand cases and byte-identical outputs on the random cases.
   Last line of output: "N passed, N failed". */
#include <stdio.h>
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
    static const int32_t mult[1] = {1 << 30}, shift[1] = {1};
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
    static const int32_t mult[2] = {1 << 30, 1 << 30}, shift[2] = {1, 0};
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
static void rnd_requant(int32_t *mult, int32_t *shift, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) {
        const uint32_t r = rnd() % 8;
        mult[i] = r == 0 ? INT32_MAX : r == 1 ? (int32_t)(rnd() >> 1) : rnd_range(1 << 30, INT32_MAX);
        shift[i] = r == 2 ? rnd_range(-31, 31) : rnd_range(-14, 1);
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
static hark_activation rnd_act(void)
{
    hark_activation a = {-128, 127};
    if (rnd() % 3 == 0) {
        a.min = rnd_range(-128, 20);
        a.max = rnd_range(a.min, 127);
    }
    return a;
}

static int8_t g_in[4096], g_in2[4096], g_filter[4096], g_out[TABLE_COUNT > 2 ? 3 : 2][8192];
static int32_t g_bias[256], g_mult[256], g_shift[256];

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

static void random_conv(int depthwise, int kernel3x3)
{
    hark_dims id, fd, od;
    int32_t pad_h, pad_w, stride, i, out_n;
    int t;
    id.n = rnd_range(1, 2);
    id.h = rnd_range(kernel3x3 ? 3 : 1, 9);
    id.w = rnd_range(kernel3x3 ? 3 : 1, 9);
    id.c = depthwise ? rnd_range(1, 13) : rnd_range(1, 11);
    fd.h = kernel3x3 ? 3 : rnd_range(1, id.h < 4 ? id.h : 4);
    fd.w = kernel3x3 ? 3 : rnd_range(1, id.w < 4 ? id.w : 4);
    fd.n = depthwise ? 1 : rnd_range(1, 9);
    fd.c = id.c;
    stride = rnd_range(1, 3);
    pad_h = rnd_range(0, fd.h - 1);
    pad_w = rnd_range(0, fd.w - 1);
    od.n = id.n;
    od.h = out_size(id.h, fd.h, stride, pad_h);
    od.w = out_size(id.w, fd.w, stride, pad_w);
    od.c = depthwise ? id.c : fd.n;
    rnd_fill(g_in, id.n * id.h * id.w * id.c);
    rnd_fill(g_filter, fd.n * fd.h * fd.w * fd.c);
    rnd_bias(g_bias, od.c);
    rnd_requant(g_mult, g_shift, od.c);
    out_n = od.n * od.h * od.w * od.c;
    {
        const hark_per_channel_quant q = {g_mult, g_shift};
        const int32_t in_off = rnd_range(-127, 128), out_off = rnd_range(-128, 127);
        const hark_activation act = rnd_act();
        const int use_bias = rnd() % 4 != 0;
        for (t = 0; t < TABLE_COUNT; t++) {
            hark_nn_status s;
            for (i = 0; i < out_n; i++) g_out[t][i] = 0x55;
            if (depthwise) {
                const hark_dw_conv_params p = {in_off, out_off, 1, {stride, stride}, {pad_h, pad_w}, act};
                s = g_tables[t]->dw_conv(&g_ctx, &p, &q, &id, g_in, &fd, g_filter, 0, use_bias ? g_bias : 0, &od, g_out[t]);
            } else {
                const hark_conv_params p = {in_off, out_off, {stride, stride}, {pad_h, pad_w}, act};
                s = g_tables[t]->conv(&g_ctx, &p, &q, &id, g_in, &fd, g_filter, 0, use_bias ? g_bias : 0, &od, g_out[t]);
            }
            check(s == HARK_NN_OK, depthwise ? "random depthwise status" : "random conv status", g_tables[t]->name);
        }
        compare_outputs(out_n, depthwise ? "random depthwise" : "random conv");
    }
}

static void random_pointwise_dscnn(void)
{
    /* The DS-CNN-S hot layer: 25x5x64 -> 64, 1x1. */
    const hark_dims id = {1, 25, 5, 64}, fd = {64, 1, 1, 64}, od = {1, 25, 5, 64};
    const hark_per_channel_quant q = {g_mult, g_shift};
    const hark_conv_params p = {rnd_range(-127, 128), rnd_range(-128, 127), {1, 1}, {0, 0}, {-128, 127}};
    static int8_t big_in[25 * 5 * 64];
    int t;
    rnd_fill(big_in, 25 * 5 * 64);
    rnd_fill(g_filter, 64 * 64);
    rnd_bias(g_bias, 64);
    rnd_requant(g_mult, g_shift, 64);
    for (t = 0; t < TABLE_COUNT; t++)
        check(g_tables[t]->conv(&g_ctx, &p, &q, &id, big_in, &fd, g_filter, 0, g_bias, &od, g_out[t]) == HARK_NN_OK,
              "pointwise 25x5x64 status", g_tables[t]->name);
    compare_outputs(25 * 5 * 64, "pointwise 25x5x64");
}

static void random_depthwise_dscnn(void)
{
    /* The DS-CNN-S depthwise layer: 25x5x64, 3x3, padding 1. */
    const hark_dims id = {1, 25, 5, 64}, fd = {1, 3, 3, 64}, od = {1, 25, 5, 64};
    const hark_per_channel_quant q = {g_mult, g_shift};
    const hark_dw_conv_params p = {rnd_range(-127, 128), rnd_range(-128, 127), 1, {1, 1}, {1, 1}, {-128, 127}};
    static int8_t big_in[25 * 5 * 64];
    int t;
    rnd_fill(big_in, 25 * 5 * 64);
    rnd_fill(g_filter, 9 * 64);
    rnd_bias(g_bias, 64);
    rnd_requant(g_mult, g_shift, 64);
    for (t = 0; t < TABLE_COUNT; t++)
        check(g_tables[t]->dw_conv(&g_ctx, &p, &q, &id, big_in, &fd, g_filter, 0, g_bias, &od, g_out[t]) == HARK_NN_OK,
              "depthwise 25x5x64 status", g_tables[t]->name);
    compare_outputs(25 * 5 * 64, "depthwise 25x5x64");
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
    rnd_requant(&q.multiplier, &q.shift, 1);
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
        random_conv(0, 0);
        random_conv(1, 0);
        random_conv(1, 1);
        random_fc();
        random_pool();
        random_softmax_and_add();
    }
    for (i = 0; i < 2; i++) {
        random_pointwise_dscnn();
        random_depthwise_dscnn();
    }
    printf("%d variants: ", TABLE_COUNT);
    for (i = 0; i < TABLE_COUNT; i++) printf("%s%s", g_tables[i]->name, i + 1 < TABLE_COUNT ? ", " : "\n");
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
