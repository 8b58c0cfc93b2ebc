/* Parity driver: runs kernel cases written by the C# tests (tests/Hark.Core.Tests/Engine/KernelParityTests.cs)
   through hark_nn and writes the outputs back, so C# and C can be compared byte for byte.

   usage: parity_driver CASES_IN OUTPUTS_OUT
   Both files are little-endian int32 streams. Input: case count, then per case a kernel id and its fields
   (see read_case). Output: per case the status, the output count and the output values (one int32 each).
   Convolutions run twice: with exactly hark_conv_s8_get_buffer_size() bytes of scratch and with room for the DSP
   path's 4-pixel kernel (8 bytes per window position); if the two disagree the status is STATUS_SCRATCH_MISMATCH. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hark_nn.h"

enum { K_CONV = 1, K_DW = 2, K_FC = 3, K_AVGPOOL = 4, K_MAXPOOL = 5, K_SOFTMAX = 6, K_ADD = 7 };
enum { STATUS_SCRATCH_MISMATCH = -100 };

static FILE *g_in;
static int g_bad;

static int32_t rd(void)
{
    int32_t v = 0;
    if (fread(&v, sizeof v, 1, g_in) != 1) g_bad = 1;
    return v;
}

static hark_dims rd_dims(void)
{
    hark_dims d;
    d.n = rd();
    d.h = rd();
    d.w = rd();
    d.c = rd();
    return d;
}

static int32_t flat(hark_dims d) { return d.n * d.h * d.w * d.c; }

static int8_t *rd_i8(int32_t n)
{
    int8_t *p = (int8_t *)malloc((size_t)(n > 0 ? n : 1));
    int32_t i;
    for (i = 0; i < n; i++) p[i] = (int8_t)rd();
    return p;
}

static int32_t *rd_i32(int32_t n)
{
    int32_t *p = (int32_t *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int32_t));
    int32_t i;
    for (i = 0; i < n; i++) p[i] = rd();
    return p;
}

static void wr(FILE *f, int32_t v) { fwrite(&v, sizeof v, 1, f); }

int main(int argc, char **argv)
{
    FILE *out;
    int32_t cases, k;
    if (argc != 3) {
        fprintf(stderr, "usage: parity_driver CASES_IN OUTPUTS_OUT\n");
        return 2;
    }
    g_in = fopen(argv[1], "rb");
    out = fopen(argv[2], "wb");
    if (!g_in || !out) {
        fprintf(stderr, "parity_driver: cannot open files\n");
        return 2;
    }
    cases = rd();
    for (k = 0; k < cases && !g_bad; k++) {
        const int32_t kernel = rd();
        hark_nn_status status = HARK_NN_ERR_ARG;
        int8_t *result = 0;
        int32_t count = 0, i;
        if (kernel == K_CONV || kernel == K_DW) {
            hark_conv_params p;
            hark_dims id, fd, od;
            int32_t has_bias, *bias, *mult;
            int8_t *shift;
            int8_t *input, *filter;
            hark_per_channel_quant q;
            hark_nn_context ctx;
            p.input_offset = rd();
            p.output_offset = rd();
            p.stride.h = rd();
            p.stride.w = rd();
            p.padding.h = rd();
            p.padding.w = rd();
            p.activation.min = rd();
            p.activation.max = rd();
            id = rd_dims();
            fd = rd_dims();
            od = rd_dims();
            has_bias = rd();
            input = rd_i8(flat(id));
            filter = rd_i8(flat(fd));
            bias = rd_i32(has_bias ? od.c : 0);
            mult = rd_i32(od.c);
            shift = rd_i8(od.c);
            q.multiplier = mult;
            q.shift = shift;
            count = flat(od);
            result = (int8_t *)malloc((size_t)count);
            if (kernel == K_CONV) {
                ctx.size = hark_conv_s8_get_buffer_size(&id, &fd);
                ctx.buf = malloc((size_t)ctx.size + 4);
                status = hark_conv_s8(&ctx, &p, &q, &id, input, &fd, filter, 0, has_bias ? bias : 0, &od, result);
                {
                    const int32_t roomy = 8 * fd.h * fd.w * fd.c + 16;
                    hark_nn_context big;
                    int8_t *again = (int8_t *)malloc((size_t)count);
                    hark_nn_status again_status;
                    big.buf = malloc((size_t)roomy);
                    big.size = roomy;
                    again_status = hark_conv_s8(&big, &p, &q, &id, input, &fd, filter, 0, has_bias ? bias : 0, &od, again);
                    if (again_status != status || (status == HARK_NN_OK && memcmp(again, result, (size_t)count) != 0))
                        status = (hark_nn_status)STATUS_SCRATCH_MISMATCH;
                    free(big.buf);
                    free(again);
                }
            } else {
                hark_dw_conv_params dp;
                dp.input_offset = p.input_offset;
                dp.output_offset = p.output_offset;
                dp.ch_mult = 1;
                dp.stride = p.stride;
                dp.padding = p.padding;
                dp.activation = p.activation;
                ctx.size = hark_dw_conv_s8_get_buffer_size(&dp, &id, &fd, &od);
                ctx.buf = malloc((size_t)ctx.size + 4);
                status = hark_dw_conv_s8(&ctx, &dp, &q, &id, input, &fd, filter, 0, has_bias ? bias : 0, &od, result);
            }
            free(ctx.buf);
            free(input);
            free(filter);
            free(bias);
            free(mult);
            free(shift);
        } else if (kernel == K_FC) {
            hark_fc_params p;
            hark_per_tensor_quant q;
            hark_dims id, fd, od;
            int32_t has_bias, *bias;
            int8_t *input, *filter;
            p.input_offset = rd();
            p.filter_offset = rd();
            p.output_offset = rd();
            p.activation.min = rd();
            p.activation.max = rd();
            q.multiplier = rd();
            q.shift = rd();
            id = rd_dims();
            fd = rd_dims();
            od = rd_dims();
            has_bias = rd();
            input = rd_i8(flat(id));
            filter = rd_i8(flat(fd));
            bias = rd_i32(has_bias ? fd.n : 0);
            count = flat(od);
            result = (int8_t *)malloc((size_t)count);
            status = hark_fc_s8(0, &p, &q, &id, input, &fd, filter, 0, has_bias ? bias : 0, &od, result);
            free(input);
            free(filter);
            free(bias);
        } else if (kernel == K_AVGPOOL || kernel == K_MAXPOOL) {
            hark_pool_params p;
            hark_dims id, fd = {1, 1, 1, 1}, od;
            int8_t *input;
            p.stride.h = rd();
            p.stride.w = rd();
            p.padding.h = rd();
            p.padding.w = rd();
            p.activation.min = rd();
            p.activation.max = rd();
            fd.h = rd();
            fd.w = rd();
            id = rd_dims();
            od = rd_dims();
            input = rd_i8(flat(id));
            count = flat(od);
            result = (int8_t *)malloc((size_t)count);
            status = kernel == K_AVGPOOL ? hark_avgpool_s8(0, &p, &id, input, &fd, &od, result)
                                         : hark_maxpool_s8(0, &p, &id, input, &fd, &od, result);
            free(input);
        } else if (kernel == K_SOFTMAX) {
            hark_softmax_params p;
            hark_dims d;
            int8_t *input;
            p.input_multiplier = rd();
            p.input_left_shift = rd();
            p.diff_min = rd();
            d = rd_dims();
            input = rd_i8(flat(d));
            count = flat(d);
            result = (int8_t *)malloc((size_t)count);
            status = hark_softmax_s8(&p, &d, input, result);
            free(input);
        } else if (kernel == K_ADD) {
            hark_add_params p;
            int8_t *a, *b;
            p.input1_offset = rd();
            p.input1_multiplier = rd();
            p.input1_shift = rd();
            p.input2_offset = rd();
            p.input2_multiplier = rd();
            p.input2_shift = rd();
            p.output_offset = rd();
            p.output_multiplier = rd();
            p.output_shift = rd();
            p.left_shift = rd();
            p.activation.min = rd();
            p.activation.max = rd();
            count = rd();
            a = rd_i8(count);
            b = rd_i8(count);
            result = (int8_t *)malloc((size_t)(count > 0 ? count : 1));
            status = hark_add_s8(&p, a, b, result, count);
            free(a);
            free(b);
        } else {
            fprintf(stderr, "parity_driver: unknown kernel id %ld in case %ld\n", (long)kernel, (long)k);
            return 2;
        }
        wr(out, (int32_t)status);
        wr(out, count);
        for (i = 0; i < count; i++) wr(out, result ? result[i] : 0);
        free(result);
    }
    fclose(g_in);
    if (fclose(out) != 0 || g_bad) {
        fprintf(stderr, "parity_driver: truncated case file or write error\n");
        return 2;
    }
    return 0;
}
