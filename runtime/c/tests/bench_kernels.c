/* Instruction-count benchmark for the Cortex-M4 (run under QEMU with tools/qemu-insn-count).
   Compile with -DBENCH_OP=1 (pointwise 25x5x64 -> 64), 2 (depthwise 3x3 on 25x5x64), 3 (whole DS-CNN-S:
   conv 10x4/2, 4 x (depthwise 3x3 + pointwise 64), average pool, fully connected 64->12, softmax), 4 (the
   pointwise layer given only its own hark_conv_s8_get_buffer_size), 5 (the first conv alone) or 6 (average pool,
   fully connected and softmax) and -DBENCH_REPS=N. Per-run cost = (count with N=11 - count with N=1) / 10, which
   cancels start-up.
   The other ops get the scratch a generated DS-CNN-S passes to every kernel: the largest hark_*_get_buffer_size of
   its layers (hark_conv_s8 runs a faster kernel where that leaves room for 4 im2col columns).
   Weights are random: the instruction count of these kernels does not depend on values (only on which path the
   quantization parameters select: these are typical, with every channel on the fast requantization). */
#include <stdio.h>

#include "../hark_nn.h"

#ifndef BENCH_OP
#define BENCH_OP 1
#endif
#ifndef BENCH_REPS
#define BENCH_REPS 1
#endif

static uint32_t g_rng = 0x2545F491u;
static uint32_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}
static void fill(int8_t *p, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++) p[i] = (int8_t)rnd();
}

#define CH 64
static int8_t g_a[25 * 5 * CH], g_b[25 * 5 * CH], g_input[49 * 10];
static int8_t g_w_first[CH * 10 * 4], g_w_dw[4][9 * CH], g_w_pw[4][CH * CH], g_w_fc[12 * CH];
static int32_t g_bias[CH], g_mult[CH];
static int8_t g_shift[CH];
static int16_t g_scratch[2 * 10 * 4 * CH];

int main(void)
{
    const hark_per_channel_quant q = {g_mult, g_shift};
    const hark_dims act = {1, 25, 5, CH}, pw_filter = {CH, 1, 1, CH}, dw_filter = {1, 3, 3, CH};
    const hark_dims in_dims = {1, 49, 10, 1}, first_filter = {CH, 10, 4, 1};
    const hark_conv_params pw = {-(-128), -128, {1, 1}, {0, 0}, {-128, 127}};
    const hark_dw_conv_params dw = {128, -128, 1, {1, 1}, {1, 1}, {-128, 127}};
    const int32_t first_need = hark_conv_s8_get_buffer_size(&in_dims, &first_filter);
    const int32_t pw_need = hark_conv_s8_get_buffer_size(&act, &pw_filter);
    const int32_t dw_need = hark_dw_conv_s8_get_buffer_size(&dw, &act, &dw_filter, &act);
    const int32_t model_need = first_need > pw_need ? (first_need > dw_need ? first_need : dw_need)
                                                    : (pw_need > dw_need ? pw_need : dw_need);
    const hark_nn_context ctx = {g_scratch, BENCH_OP == 4 ? pw_need : model_need};
    int32_t i, rep, layer = 0, status = 0;
    (void)pw;
    (void)dw;
    (void)layer;
    (void)pw_filter;
    (void)dw_filter;
    (void)q;
    for (i = 0; i < CH; i++) {
        g_bias[i] = (int32_t)(rnd() % 20000u) - 10000;
        g_mult[i] = (int32_t)((1u << 30) + (rnd() >> 2));
        g_shift[i] = (int8_t)(-7 - (int32_t)(rnd() % 3u));
    }
    fill(g_a, sizeof g_a);
    fill(g_input, sizeof g_input);
    fill(g_w_first, sizeof g_w_first);
    fill(&g_w_dw[0][0], sizeof g_w_dw);
    fill(&g_w_pw[0][0], sizeof g_w_pw);
    fill(g_w_fc, sizeof g_w_fc);
    for (rep = 0; rep < BENCH_REPS; rep++) {
#if BENCH_OP == 1 || BENCH_OP == 4
        status |= hark_conv_s8(&ctx, &pw, &q, &act, g_a, &pw_filter, g_w_pw[0], 0, g_bias, &act, g_b);
#elif BENCH_OP == 2
        status |= hark_dw_conv_s8(&ctx, &dw, &q, &act, g_a, &dw_filter, g_w_dw[0], 0, g_bias, &act, g_b);
#elif BENCH_OP == 5
        {
            const hark_conv_params first = {0, -128, {2, 2}, {4, 1}, {-128, 127}};
            status |= hark_conv_s8(&ctx, &first, &q, &in_dims, g_input, &first_filter, g_w_first, 0, g_bias, &act, g_b);
        }
#elif BENCH_OP == 6
        {
            const hark_dims pool_in = {1, 25, 5, CH}, pool_window = {1, 25, 5, 1}, pool_out = {1, 1, 1, CH};
            const hark_pool_params pool = {{1, 1}, {0, 0}, {-128, 127}};
            const hark_dims fc_in = {1, 1, 1, CH}, fc_filter = {12, 1, 1, CH}, fc_out = {1, 1, 1, 12};
            const hark_fc_params fc = {128, 0, 0, {-128, 127}};
            const hark_per_tensor_quant fq = {1 << 30, -6};
            const hark_softmax_params sm = {1 << 30, 23, -248};
            const hark_dims sm_dims = {1, 1, 1, 12};
            int8_t pooled[CH], logits[12];
            status |= hark_avgpool_s8(&ctx, &pool, &pool_in, g_a, &pool_window, &pool_out, pooled);
            status |= hark_fc_s8(&ctx, &fc, &fq, &fc_in, pooled, &fc_filter, g_w_fc, 0, g_bias, &fc_out, logits);
            status |= hark_softmax_s8(&sm, &sm_dims, logits, g_b);
        }
#else
        {
            const hark_conv_params first = {0, -128, {2, 2}, {4, 1}, {-128, 127}};
            const hark_dims pool_in = {1, 25, 5, CH}, pool_window = {1, 25, 5, 1}, pool_out = {1, 1, 1, CH};
            const hark_pool_params pool = {{1, 1}, {0, 0}, {-128, 127}};
            const hark_dims fc_in = {1, 1, 1, CH}, fc_filter = {12, 1, 1, CH}, fc_out = {1, 1, 1, 12};
            const hark_fc_params fc = {128, 0, 0, {-128, 127}};
            const hark_per_tensor_quant fq = {1 << 30, -6};
            const hark_softmax_params sm = {1 << 30, 23, -248};
            int8_t pooled[CH], logits[12], probs[12];
            status |= hark_conv_s8(&ctx, &first, &q, &in_dims, g_input, &first_filter, g_w_first, 0, g_bias, &act, g_a);
            for (layer = 0; layer < 4; layer++) {
                status |= hark_dw_conv_s8(&ctx, &dw, &q, &act, g_a, &dw_filter, g_w_dw[layer], 0, g_bias, &act, g_b);
                status |= hark_conv_s8(&ctx, &pw, &q, &act, g_b, &pw_filter, g_w_pw[layer], 0, g_bias, &act, g_a);
            }
            status |= hark_avgpool_s8(&ctx, &pool, &pool_in, g_a, &pool_window, &pool_out, pooled);
            status |= hark_fc_s8(&ctx, &fc, &fq, &fc_in, pooled, &fc_filter, g_w_fc, 0, g_bias, &fc_out, logits);
            {
                const hark_dims sm_dims = {1, 1, 1, 12};
                status |= hark_softmax_s8(&sm, &sm_dims, logits, probs);
            }
            g_b[0] = probs[0];
        }
#endif
    }
    printf("op %d reps %d status %ld checksum %d scratch %ld of %ld bytes\n", BENCH_OP, BENCH_REPS, (long)status,
           g_b[0] + g_b[100], (long)ctx.size, (long)model_need);
    return status == 0 ? 0 : 1;
}
