/* hark_verify.c - the program `hark verify` builds against an exported library and runs on the host and, under
   QEMU with semihosting, on an emulated Cortex-M4. It reads a job file of commands and writes what the library
   computed, so C# can compare it with the reference int8 engine byte for byte.

   usage: hark_verify JOB OUT          (on the M4 built with -DHARK_VERIFY_SEMIHOSTING: reads verify_job.txt and
                                        writes verify_out.bin in QEMU's working directory)
   JOB, one command per line:
     clip PATH            classify one WAV (16-bit PCM, mono, the model's rate); writes int32 status,
                          HARK_MODEL_FRAMES * HARK_MODEL_FEATURES int8 features, HARK_MODEL_LABELS int8 scores
     stream SEED PATH     push a WAV through hark_kws_push in pseudo-random chunk sizes (0 to 2,000 samples, from
                          SEED); writes int32 status, int32 event count, events (int32 label, int64 sample, int32
                          score), int64 samples, frames and inferences, uint32 dropped events
     synth SECONDS SEED   push SECONDS of generated audio (xorshift noise with square-wave bursts, integer-only so C#
                          generates the same samples: see LongRunTests) in pseudo-random chunks; writes int32 status,
                          then each event as it fires (int32 label, int64 sample, int32 score), an int32 -1, then
                          int64 samples, frames and inferences and uint32 dropped events: the 24-hour check of
                          counters and timestamps
     bench HOPS PATH      (Cortex-M4) push HOPS hops of the WAV one stride at a time and run the network 5 times
                          directly, between marker calls the instruction-counting QEMU plugin sees, then classify
                          the WAV once; writes int32 status, uint32 stack bytes used by all those calls (the
                          painted-stack high-water mark, on the M4 only)
   Output is little-endian binary; the exit code is 0 when every command could run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hark_kws.h"

#define MAX_SAMPLES (HARK_FRONTEND_SAMPLE_RATE * 4)

static int16_t g_samples[MAX_SAMPLES];
static hark_kws g_kws;

/* Reads a 16-bit PCM mono WAV at the model's rate, from `offset` samples on, into g_samples. Returns the samples
   read (at most MAX_SAMPLES) or -1. *total gets the file's sample count. */
static int32_t read_wav(const char *path, int32_t offset, int32_t *total)
{
    unsigned char h[12], chunk[8];
    int ok_format = 0;
    int32_t got = -1;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0) goto done;
    while (fread(chunk, 1, 8, f) == 8) {
        const uint32_t size = (uint32_t)chunk[4] | (uint32_t)chunk[5] << 8 | (uint32_t)chunk[6] << 16 |
                              (uint32_t)chunk[7] << 24;
        if (memcmp(chunk, "fmt ", 4) == 0) {
            unsigned char fmt[16];
            uint32_t rate;
            if (size < 16 || fread(fmt, 1, 16, f) != 16) goto done;
            rate = (uint32_t)fmt[4] | (uint32_t)fmt[5] << 8 | (uint32_t)fmt[6] << 16 | (uint32_t)fmt[7] << 24;
            ok_format = fmt[0] == 1 && fmt[1] == 0 && fmt[2] == 1 && fmt[3] == 0 && fmt[14] == 16 && fmt[15] == 0 &&
                        rate == (uint32_t)HARK_FRONTEND_SAMPLE_RATE;
            if (fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR) != 0) goto done;
        } else if (memcmp(chunk, "data", 4) == 0) {
            int32_t n = (int32_t)(size / 2), i;
            unsigned char *bytes = (unsigned char *)g_samples;
            if (!ok_format) goto done;
            *total = n;
            if (offset > n) offset = n;
            n -= offset;
            if (n > MAX_SAMPLES) n = MAX_SAMPLES;
            if (fseek(f, (long)offset * 2, SEEK_CUR) != 0 || fread(bytes, 2, (size_t)n, f) != (size_t)n) goto done;
            for (i = 0; i < n; i++) g_samples[i] = (int16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8); /* any host endianness */
            got = n;
            goto done;
        } else if (fseek(f, (long)(size + (size & 1)), SEEK_CUR) != 0) {
            goto done;
        }
    }
done:
    fclose(f);
    return got;
}

static void put32(FILE *out, int32_t value)
{
    const uint32_t v = (uint32_t)value;
    unsigned char b[4];
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
    fwrite(b, 1, 4, out);
}

static void put64(FILE *out, uint64_t v)
{
    put32(out, (int32_t)(uint32_t)v);
    put32(out, (int32_t)(uint32_t)(v >> 32));
}

static int run_clip(const char *path, FILE *out)
{
    static int8_t features[HARK_MODEL_FRAMES * HARK_MODEL_FEATURES];
    hark_kws_result result;
    int32_t total = 0, status;
    const int32_t n = read_wav(path, 0, &total);
    memset(features, 0, sizeof features);
    memset(&result, 0, sizeof result);
    status = n < 0 ? -100 : hark_kws_classify(&g_kws, g_samples, n, &result);
    if (status == 0) hark_kws_features(&g_kws, features);
    put32(out, status);
    fwrite(features, 1, sizeof features, out);
    fwrite(result.scores, 1, sizeof result.scores, out);
    return status == 0;
}

static uint32_t g_rng;
static uint32_t next_random(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}

#define MAX_STREAM_EVENTS 4096
static hark_kws_event g_events[MAX_STREAM_EVENTS];

static int run_stream(uint32_t seed, const char *path, FILE *out)
{
    int32_t total = 0, offset = 0, made = 0, status = 0, i;
    g_rng = seed ? seed : 1u;
    hark_kws_reset(&g_kws);
    do {
        const int32_t n = read_wav(path, offset, &total);
        int32_t at = 0;
        if (n < 0) {
            status = -100;
            break;
        }
        while (at < n) {
            int32_t chunk = (int32_t)(next_random() % 2001u), got;
            if (chunk > n - at) chunk = n - at;
            got = hark_kws_push(&g_kws, g_samples + at, chunk, g_events + made,
                                made < MAX_STREAM_EVENTS ? (int32_t)(MAX_STREAM_EVENTS - made) : 0);
            if (got < 0) {
                status = got;
                break;
            }
            made += got;
            at += chunk;
        }
        offset += n;
        if (n == 0) break;
    } while (status == 0 && offset < total);
    put32(out, status);
    put32(out, made);
    for (i = 0; i < made; i++) {
        put32(out, g_events[i].label);
        put64(out, g_events[i].sample);
        put32(out, g_events[i].score);
    }
    put64(out, g_kws.samples);
    put64(out, g_kws.frames_done);
    put64(out, g_kws.inferences);
    put32(out, (int32_t)g_kws.dropped_events);
    return status == 0;
}

/* The generated test signal of `synth`: sample i of a stream seeded with `state`. */
static int16_t synth_sample(uint64_t i, uint32_t *state)
{
    const uint64_t segment = i / 24000u;
    const int32_t phase = (int32_t)(segment % 5u), period = 8 + (int32_t)(segment * 7u % 23u);
    int32_t v;
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    v = (int32_t)(*state % 1601u) - 800;
    if (phase == 1 || phase == 3) v += (i / (uint64_t)period) % 2u ? 6000 + (int32_t)(segment % 4u) * 5000 : -6000 - (int32_t)(segment % 4u) * 5000;
    return (int16_t)v;
}

static int run_synth(long seconds, uint32_t seed, FILE *out)
{
    static int16_t block[4096];
    const uint64_t total = (uint64_t)seconds * (uint64_t)HARK_FRONTEND_SAMPLE_RATE;
    uint64_t at = 0;
    uint32_t state = seed ? seed : 1u;
    int32_t status = 0, i;
    g_rng = seed ^ 0x5bd1e995u;
    hark_kws_reset(&g_kws);
    put32(out, 0);
    while (at < total) {
        int32_t n = (int32_t)(next_random() % 4097u), got;
        if ((uint64_t)n > total - at) n = (int32_t)(total - at);
        for (i = 0; i < n; i++) block[i] = synth_sample(at + (uint64_t)i, &state);
        got = hark_kws_push(&g_kws, block, n, g_events, MAX_STREAM_EVENTS);
        if (got < 0) {
            status = got;
            break;
        }
        for (i = 0; i < got; i++) {
            put32(out, g_events[i].label);
            put64(out, g_events[i].sample);
            put32(out, g_events[i].score);
        }
        at += (uint64_t)n;
    }
    put32(out, -1);
    put64(out, g_kws.samples);
    put64(out, g_kws.frames_done);
    put64(out, g_kws.inferences);
    put32(out, (int32_t)g_kws.dropped_events);
    return status == 0;
}

/* ---- Cortex-M4 measurements ------------------------------------------------------------------------------------
   The QEMU plugin counts the instructions between the first instruction of a *_begin marker and the first of the
   matching *_end marker (tools/qemu-insn-count, mark=BEGIN:END). */
#if defined(__GNUC__)
#define HARK_NOINLINE __attribute__((noinline))
#else
#define HARK_NOINLINE
#endif
volatile uint32_t hark_verify_marks;
HARK_NOINLINE void hark_verify_hop_begin(void) { hark_verify_marks++; }
HARK_NOINLINE void hark_verify_hop_end(void) { hark_verify_marks++; }
HARK_NOINLINE void hark_verify_inference_begin(void) { hark_verify_marks++; }
HARK_NOINLINE void hark_verify_inference_end(void) { hark_verify_marks++; }
HARK_NOINLINE void hark_verify_detect_begin(void) { hark_verify_marks++; }
HARK_NOINLINE void hark_verify_detect_end(void) { hark_verify_marks++; }

#if defined(__arm__)
#define STACK_PAINT_WORDS 4096 /* 16 KB */
#define STACK_PAINT 0xA5C3E1F7u
static uint32_t *g_paint_low;
static const char *g_caller_sp;

/* Paints the stack below this function's own frame; stack_used() then tells how deep calls made from the caller
   (whose stack pointer was `caller_sp`) reached. */
static HARK_NOINLINE void paint_stack(const char *caller_sp)
{
    uint32_t *sp, *p;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    g_caller_sp = caller_sp;
    g_paint_low = sp - 16 - STACK_PAINT_WORDS;
    for (p = g_paint_low; p < sp - 16; p++) *p = STACK_PAINT;
}

static uint32_t stack_used(void)
{
    const uint32_t *p = g_paint_low;
    while (*p == STACK_PAINT) p++;
    return (uint32_t)(g_caller_sp - (const char *)p);
}
#endif

static int run_bench(int32_t hops, const char *path, FILE *out)
{
    static int32_t arena[(HARK_MODEL_ARENA_BYTES + 3) / 4], scratch[(HARK_MODEL_SCRATCH_BYTES + 3) / 4 + 1];
    hark_kws_event events[4];
    int32_t total = 0, n = read_wav(path, 0, &total), h, status = 0, at = 0;
    uint32_t stack = 0;
    if (n < HARK_FRONTEND_WINDOW) {
        put32(out, -100);
        put32(out, 0);
        return 0;
    }
#if defined(__arm__)
    {
        char *sp;
        __asm__ volatile("mov %0, sp" : "=r"(sp));
        paint_stack(sp);
    }
#endif
    hark_kws_reset(&g_kws);
    /* Warm-up: the first window, so every measured hop is a steady-state one. */
    for (h = 0; h < HARK_MODEL_FRAMES && status >= 0; h++) {
        const int32_t take = h == 0 ? HARK_FRONTEND_WINDOW : HARK_FRONTEND_STRIDE;
        if (at + take > n) at = 0;
        status = hark_kws_push(&g_kws, g_samples + at, take, events, 4);
        at += take;
    }
    for (h = 0; h < hops && status >= 0; h++) {
        const int infers = g_kws.until_inference == 1;
        if (at + HARK_FRONTEND_STRIDE > n) at = 0;
        if (infers) hark_verify_detect_begin();
        else hark_verify_hop_begin();
        status = hark_kws_push(&g_kws, g_samples + at, HARK_FRONTEND_STRIDE, events, 4);
        if (infers) hark_verify_detect_end();
        else hark_verify_hop_end();
        at += HARK_FRONTEND_STRIDE;
    }
    for (h = 0; h < 5 && status >= 0; h++) {
        hark_kws_features(&g_kws, (int8_t *)arena + HARK_MODEL_INPUT_OFFSET);
        hark_verify_inference_begin();
        status = hark_model_invoke((int8_t *)arena, scratch);
        hark_verify_inference_end();
    }
    if (status >= 0) {
        hark_kws_result result;
        status = hark_kws_classify(&g_kws, g_samples, n, &result);
    }
    if (status >= 0 && hark_model_scratch_needed() > HARK_MODEL_SCRATCH_BYTES) status = -101;
#if defined(__arm__)
    stack = stack_used();
#endif
    put32(out, status);
    put32(out, (int32_t)stack);
    return status >= 0;
}

static int run_job(FILE *job, FILE *out)
{
    char line[1100], path[1024];
    int ok = 1;
    unsigned long seed;
    long hops;
    if (hark_kws_init(&g_kws) != HARK_KWS_OK) return 3;
    /* The scratch the kernels ask for must fit the buffer the generator sized. */
    if (hark_model_scratch_needed() > HARK_MODEL_SCRATCH_BYTES) {
        fprintf(stderr, "hark_verify: kernels need %ld scratch bytes, the library has %d\n",
                (long)hark_model_scratch_needed(), HARK_MODEL_SCRATCH_BYTES);
        return 4;
    }
    while (fgets(line, sizeof line, job)) {
        line[strcspn(line, "\r\n")] = 0;
        if (sscanf(line, "clip %1023[^\n]", path) == 1) ok &= run_clip(path, out);
        else if (sscanf(line, "stream %lu %1023[^\n]", &seed, path) == 2) ok &= run_stream((uint32_t)seed, path, out);
        else if (sscanf(line, "bench %ld %1023[^\n]", &hops, path) == 2) ok &= run_bench((int32_t)hops, path, out);
        else if (sscanf(line, "synth %ld %lu", &hops, &seed) == 2) ok &= run_synth(hops, (uint32_t)seed, out);
        else if (line[0] != 0) {
            fprintf(stderr, "hark_verify: bad job line: %s\n", line);
            return 2;
        }
    }
    return ok ? 0 : 1;
}

static int run_files(const char *job_path, const char *out_path)
{
    int status;
    FILE *job = fopen(job_path, "r"), *out = fopen(out_path, "wb");
    if (!job || !out) {
        fprintf(stderr, "hark_verify: cannot open %s or %s\n", job_path, out_path);
        return 2;
    }
    status = run_job(job, out);
    fclose(job);
    if (fclose(out) != 0 && status == 0) status = 5;
    return status;
}

#ifdef HARK_VERIFY_SEMIHOSTING
int main(void) { return run_files("verify_job.txt", "verify_out.bin"); }
#else
int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hark_verify JOB OUT\n");
        return 2;
    }
    return run_files(argv[1], argv[2]);
}
#endif
