/* Front-end parity driver: runs audio written by the C# test (tests/Hark.Core.Tests/Export/CFrontEndParityTests.cs)
   through hark_frontend and writes the features back, so C# and C can be compared bit for bit.

   usage (host):      frontend_driver IN OUT
   on the M4 (QEMU):  built with -DHARK_DRIVER_SEMIHOSTING, reads fe_in.bin and writes fe_out.bin in QEMU's
                      working directory through semihosting.
   Little-endian. IN: int32 clip count, float quantization scale, int32 zero point; per clip: int32 sample count n,
   int32 chunk count, chunk count x (int32 length, int32 max_frames of the first push), int16 samples[n]; then int32
   raw count, float raw[raw count]. OUT: per clip: int32 frames, float clip features, int8 quantized clip features,
   int32 streamed frames, float streamed features; then int8 quantized raw values. Exit code 0 on success. */
#include <stdio.h>
#include <stdlib.h>

#include "../hark_frontend.h"

#define MAX_CLIP_SAMPLES 96000

static FILE *g_in;
static int g_bad;

static int32_t rd(void)
{
    int32_t v = 0;
    if (fread(&v, sizeof v, 1, g_in) != 1) g_bad = 1;
    return v;
}

static float rd_float(void)
{
    float v = 0.0f;
    if (fread(&v, sizeof v, 1, g_in) != 1) g_bad = 1;
    return v;
}

static int16_t g_samples[MAX_CLIP_SAMPLES];
static float g_features[MAX_CLIP_SAMPLES]; /* frames x features <= samples for every preset (stride >= 160) */
static int8_t g_quantized[sizeof g_features / sizeof g_features[0]];
static hark_frontend_state g_state;

static int run(FILE *out)
{
    const int32_t per_frame = hark_frontend_builtin_tables.features;
    const int32_t clips = rd();
    const float scale = rd_float();
    const int32_t zero_point = rd();
    int32_t c, raw, i;
    if (hark_frontend_init(&g_state, &hark_frontend_builtin_tables) != HARK_FRONTEND_OK) return 3;
    for (c = 0; c < clips && !g_bad; c++) {
        const int32_t n = rd(), chunks = rd();
        int32_t lengths[64], caps[64], frames, k, offset = 0, streamed = 0;
        if (n < 0 || n > MAX_CLIP_SAMPLES || chunks < 0 || chunks > 64) return 4;
        for (k = 0; k < chunks; k++) {
            lengths[k] = rd();
            caps[k] = rd();
        }
        if (n > 0 && fread(g_samples, sizeof(int16_t), (size_t)n, g_in) != (size_t)n) return 5;

        frames = hark_frontend_clip(&g_state, g_samples, n, g_features);
        if (frames < 0) return 6;
        hark_frontend_quantize(g_features, frames * per_frame, scale, zero_point, g_quantized);
        fwrite(&frames, sizeof frames, 1, out);
        fwrite(g_features, sizeof(float), (size_t)(frames * per_frame), out);
        fwrite(g_quantized, 1, (size_t)(frames * per_frame), out);

        hark_frontend_reset(&g_state);
        if (hark_frontend_frames_for(&g_state, n) * per_frame > MAX_CLIP_SAMPLES) return 4;
        for (k = 0; k < chunks; k++) {
            int32_t left = lengths[k], cap = caps[k];
            if (left < 0 || offset + left > n) return 7;
            do { /* the first push uses the file's max_frames (0 included), later ones 1 so they always progress */
                const int32_t made = hark_frontend_push(&g_state, g_samples + offset, left,
                                                        g_features + streamed * per_frame, cap);
                if (made < 0 || made > cap) return 8;
                streamed += made;
                offset += g_state.consumed;
                left -= g_state.consumed;
                cap = 1;
            } while (left > 0);
        }
        if (offset != n) return 9;
        fwrite(&streamed, sizeof streamed, 1, out);
        fwrite(g_features, sizeof(float), (size_t)(streamed * per_frame), out);
    }
    raw = rd();
    if (g_bad || raw < 0 || raw > (int32_t)(sizeof g_features / sizeof g_features[0])) return 10;
    for (i = 0; i < raw; i++) g_features[i] = rd_float();
    if (g_bad) return 10;
    hark_frontend_quantize(g_features, raw, scale, zero_point, g_quantized);
    fwrite(g_quantized, 1, (size_t)raw, out);
    return 0;
}

static int run_files(const char *in_path, const char *out_path)
{
    FILE *out;
    int status;
    g_in = fopen(in_path, "rb");
    out = fopen(out_path, "wb");
    if (!g_in || !out) {
        fprintf(stderr, "frontend_driver: cannot open %s or %s\n", in_path, out_path);
        return 2;
    }
    status = run(out);
    fclose(g_in);
    if (fclose(out) != 0 && status == 0) status = 11;
    if (status != 0) fprintf(stderr, "frontend_driver: failed with status %d\n", status);
    return status;
}

#ifdef HARK_DRIVER_SEMIHOSTING
int main(void)
{
#if defined(__ARM_FP)
    uint32_t fpscr;
    __asm__ volatile("vmrs %0, fpscr" : "=r"(fpscr));
    if (fpscr & (1u << 24)) {
        fprintf(stderr, "frontend_driver: FPSCR.FZ is set, subnormals would be flushed\n");
        return 12;
    }
#endif
    return run_files("fe_in.bin", "fe_out.bin");
}
#else
int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: frontend_driver IN OUT\n");
        return 2;
    }
    return run_files(argv[1], argv[2]);
}
#endif
