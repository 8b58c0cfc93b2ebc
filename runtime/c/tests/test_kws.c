/* Standalone tests of hark_kws (the library API firmware calls) with a committed generated test model
   (tests/model: a small random DS-CNN-shaped network over the default front end, written by the C# ModelSourceWriter;
   CLibraryTests checks it is current). Parity with C# is proved elsewhere (hark verify, CLibraryTests); these cover
   the API contract on its own: argument checks, configuration validation, streaming in any chunk sizes (including
   0 and 1 sample and extreme sample values) giving the same events as one push, reset, one-window classification
   equal to the streaming window, dropped-event accounting, and the detector rules on a controlled score sequence.
   Prints "N passed, N failed"; exit status 1 on failure. */
#include <stdio.h>
#include <string.h>

#include "../hark_kws.h"
#include "check.h"


static uint32_t g_seed = 987654321u;
static uint32_t next_random(void)
{
    g_seed ^= g_seed << 13;
    g_seed ^= g_seed >> 17;
    g_seed ^= g_seed << 5;
    return g_seed;
}

#define SECONDS 12
#define SAMPLES (SECONDS * HARK_FRONTEND_SAMPLE_RATE)
#define MAX_EVENTS 256

static int16_t g_audio[SAMPLES];
static hark_kws g_kws;

/* Noise with loud square-wave bursts of changing pitch, full-scale clipping in places: the network answers
   differently over time, so events happen. */
static void make_audio(void)
{
    int32_t i;
    for (i = 0; i < SAMPLES; i++) {
        const int32_t burst = (i / 8000) % 3 != 0, period = 12 + (i / 8000) % 7 * 5;
        int32_t v = (int32_t)(next_random() % 2001u) - 1000;
        if (burst) v += (i / period) % 2 ? 24000 : -24000;
        if ((i / 16000) % 4 == 3 && burst) v = (i / period) % 2 ? 32767 : -32768;
        g_audio[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
}

typedef struct {
    hark_kws_event events[MAX_EVENTS];
    int32_t count;
    uint64_t samples, frames, inferences;
    int8_t last_scores[HARK_MODEL_LABELS];
} run_result;

/* Streams g_audio in chunks: chunk 0 = random sizes 0..max_chunk, otherwise fixed size. */
static void stream(run_result *r, int32_t fixed_chunk, int32_t max_chunk)
{
    int32_t at = 0;
    memset(r, 0, sizeof *r);
    hark_kws_reset(&g_kws);
    while (at < SAMPLES) {
        int32_t n = fixed_chunk > 0 ? fixed_chunk : (int32_t)(next_random() % (uint32_t)(max_chunk + 1)), got;
        if (n > SAMPLES - at) n = SAMPLES - at;
        got = hark_kws_push(&g_kws, g_audio + at, n, r->events + r->count, MAX_EVENTS - r->count);
        if (got < 0) {
            check(0, "push returned an error");
            return;
        }
        r->count += got;
        at += n;
    }
    r->samples = g_kws.samples;
    r->frames = g_kws.frames_done;
    r->inferences = g_kws.inferences;
    memcpy(r->last_scores, g_kws.last.scores, sizeof r->last_scores);
}

static int same_run(const run_result *a, const run_result *b)
{
    int32_t i;
    if (a->count != b->count || a->samples != b->samples || a->frames != b->frames || a->inferences != b->inferences ||
        memcmp(a->last_scores, b->last_scores, sizeof a->last_scores) != 0)
        return 0;
    for (i = 0; i < a->count; i++)
        if (a->events[i].label != b->events[i].label || a->events[i].sample != b->events[i].sample ||
            a->events[i].score != b->events[i].score)
            return 0;
    return 1;
}

static void test_arguments(void)
{
    hark_kws_event ev;
    hark_kws_result result;
    hark_kws_config config = g_kws.config;
    int16_t one = 0;
    check(hark_kws_init(0) == HARK_KWS_ERR_ARG, "init(NULL)");
    check(hark_kws_push(0, &one, 1, &ev, 1) == HARK_KWS_ERR_ARG, "push(NULL kws)");
    check(hark_kws_push(&g_kws, 0, 1, &ev, 1) == HARK_KWS_ERR_ARG, "push(NULL samples, 1)");
    check(hark_kws_push(&g_kws, &one, -1, &ev, 1) == HARK_KWS_ERR_ARG, "push(count -1)");
    check(hark_kws_push(&g_kws, &one, 1, 0, 1) == HARK_KWS_ERR_ARG, "push(NULL events, 1)");
    check(hark_kws_push(&g_kws, &one, 1, &ev, -1) == HARK_KWS_ERR_ARG, "push(max_events -1)");
    check(hark_kws_push(&g_kws, 0, 0, 0, 0) == 0, "push of nothing is fine");
    check(hark_kws_classify(&g_kws, 0, 5, &result) == HARK_KWS_ERR_ARG, "classify(NULL samples)");
    check(hark_kws_classify(&g_kws, &one, 1, 0) == HARK_KWS_ERR_ARG, "classify(NULL result)");
    check(hark_kws_configure(&g_kws, 0) == HARK_KWS_ERR_ARG, "configure(NULL)");
    config.infer_every = 0;
    check(hark_kws_configure(&g_kws, &config) == HARK_KWS_ERR_ARG, "infer_every 0 refused");
    config = g_kws.config;
    config.smoothing = HARK_KWS_MAX_SMOOTHING + 1;
    check(hark_kws_configure(&g_kws, &config) == HARK_KWS_ERR_ARG, "smoothing above the maximum refused");
    config = g_kws.config;
    config.min_count = 0;
    check(hark_kws_configure(&g_kws, &config) == HARK_KWS_ERR_ARG, "min_count 0 refused");
    config = g_kws.config;
    config.refractory = -1;
    check(hark_kws_configure(&g_kws, &config) == HARK_KWS_ERR_ARG, "negative refractory refused");
    config = g_kws.config;
    config.threshold[0] = 257;
    check(hark_kws_configure(&g_kws, &config) == HARK_KWS_ERR_ARG, "threshold above 256 refused");
    check(g_kws.config.threshold[0] == hark_model_thresholds[0], "a refused configuration changes nothing");
    check(strcmp(hark_kws_label(0), hark_model_labels[0]) == 0 && hark_kws_label(-1)[0] == 0 &&
              hark_kws_label(HARK_MODEL_LABELS)[0] == 0, "labels, and empty names out of range");
}

static void test_chunking(void)
{
    static run_result whole, other;
    hark_kws_config config = g_kws.config;
    int32_t i, k;
    /* Low thresholds: the random network fires often, which is what this test needs to compare. */
    for (i = 0; i < HARK_MODEL_LABELS; i++) config.threshold[i] = 80;
    config.refractory = 4000;
    check(hark_kws_configure(&g_kws, &config) == HARK_KWS_OK, "configure for chunk tests");
    stream(&whole, SAMPLES, 0);
    check(whole.count > 3, "the test stream produces events");
    check(whole.samples == SAMPLES, "every sample counted");
    check(whole.frames == 1 + (SAMPLES - HARK_FRONTEND_WINDOW) / HARK_FRONTEND_STRIDE, "frame count");
    check(whole.inferences == 1 + (whole.frames - HARK_MODEL_FRAMES) / (uint64_t)config.infer_every, "inference count");
    for (i = 0; i < whole.count; i++) {
        const uint64_t t = whole.events[i].sample;
        check(t >= HARK_FRONTEND_WINDOW + (uint64_t)(HARK_MODEL_FRAMES - 1) * HARK_FRONTEND_STRIDE &&
                  (t - HARK_FRONTEND_WINDOW) % ((uint64_t)HARK_FRONTEND_STRIDE * (uint64_t)config.infer_every) ==
                      (uint64_t)(HARK_MODEL_FRAMES - 1) * HARK_FRONTEND_STRIDE % ((uint64_t)HARK_FRONTEND_STRIDE * (uint64_t)config.infer_every),
              "event times fall on inference times");
        if (i > 0) check(t - whole.events[i - 1].sample >= (uint64_t)config.refractory, "refractory respected");
        check(whole.events[i].score >= 80 && whole.events[i].score <= 255, "event score above threshold");
    }
    for (k = 1; k <= 3; k++) {
        stream(&other, k, 0);
        check(same_run(&whole, &other), "1..3-sample chunks give the same events");
    }
    for (k = 0; k < 6; k++) {
        stream(&other, 0, k < 3 ? 700 : 5000);
        check(same_run(&whole, &other), "random chunk sizes (0 included) give the same events");
    }
    stream(&other, HARK_FRONTEND_STRIDE, 0);
    check(same_run(&whole, &other), "stride-sized chunks give the same events");
}

static void test_dropped_events(void)
{
    hark_kws_event one;
    int32_t made;
    static run_result whole;
    stream(&whole, SAMPLES, 0);
    hark_kws_reset(&g_kws);
    made = hark_kws_push(&g_kws, g_audio, SAMPLES, &one, 1);
    check(made == (whole.count > 0 ? 1 : 0), "with room for one event, one is written");
    check(g_kws.dropped_events == (uint32_t)(whole.count - made), "the rest are counted as dropped");
    check(made == 0 || (one.label == whole.events[0].label && one.sample == whole.events[0].sample),
          "the written one is the first");
    hark_kws_reset(&g_kws);
    made = hark_kws_push(&g_kws, g_audio, SAMPLES, 0, 0);
    check(made == 0 && g_kws.dropped_events == (uint32_t)whole.count, "no room: all counted, nothing written");
}

static void test_classify_equals_stream_window(void)
{
    static int8_t streamed[HARK_MODEL_FRAMES * HARK_MODEL_FEATURES], classified[HARK_MODEL_FRAMES * HARK_MODEL_FEATURES];
    hark_kws_result result;
    hark_kws_event ev[8];
    int8_t scores[HARK_MODEL_LABELS];
    const int32_t offset = 3 * HARK_FRONTEND_STRIDE * g_kws.config.infer_every;
    /* The window of the first inference after `offset` samples of lead-in covers exactly one clip's samples. */
    hark_kws_reset(&g_kws);
    check(hark_kws_push(&g_kws, g_audio, offset + HARK_FRONTEND_WINDOW + (HARK_MODEL_FRAMES - 1) * HARK_FRONTEND_STRIDE,
                        ev, 8) >= 0, "stream a window");
    hark_kws_features(&g_kws, streamed);
    memcpy(scores, g_kws.last.scores, sizeof scores);
    check(hark_kws_classify(&g_kws, g_audio + offset, HARK_FRONTEND_CLIP_SAMPLES, &result) == HARK_KWS_OK, "classify");
    hark_kws_features(&g_kws, classified);
    check(memcmp(streamed, classified, sizeof streamed) == 0, "classify's features equal the streamed window's");
    check(memcmp(scores, result.scores, sizeof scores) == 0, "and so do the scores");
    check(g_kws.samples == 0 && g_kws.inferences == 0, "classify leaves a fresh stream");
    check(hark_kws_classify(&g_kws, g_audio, 100, &result) == HARK_KWS_OK, "a short clip is zero-padded");
    check(hark_kws_classify(&g_kws, g_audio, 0, &result) == HARK_KWS_OK, "an empty clip is all padding");
    {
        int32_t i, top = 0;
        for (i = 1; i < HARK_MODEL_LABELS; i++)
            if (result.scores[i] > result.scores[top]) top = i;
        check(result.top == top, "top is the highest score");
    }
}

static void test_extremes(void)
{
    static int16_t extreme[4 * HARK_FRONTEND_SAMPLE_RATE];
    hark_kws_event ev[64];
    int32_t i, total = 0, got;
    for (i = 0; i < (int32_t)(sizeof extreme / sizeof extreme[0]); i++)
        extreme[i] = (int16_t)(i % 3 == 0 ? -32768 : i % 3 == 1 ? 32767 : 0);
    hark_kws_reset(&g_kws);
    got = hark_kws_push(&g_kws, extreme, (int32_t)(sizeof extreme / sizeof extreme[0]), ev, 64);
    check(got >= 0, "full-scale input is accepted");
    for (i = 0; i < HARK_MODEL_LABELS; i++) total += g_kws.last.scores[i] + 128;
    check(total >= 255 - HARK_MODEL_LABELS && total <= 256 + HARK_MODEL_LABELS, "softmax of full-scale input sums to ~1");
    memset(extreme, 0, sizeof extreme);
    hark_kws_reset(&g_kws);
    check(hark_kws_push(&g_kws, extreme, (int32_t)(sizeof extreme / sizeof extreme[0]), ev, 64) >= 0, "digital silence");
}

/* min_count through the public API: with smoothing 1 and refractory 0, min_count 1 fires at every inference where
   some label is above threshold, so each min_count 4 event must sit at the end of four such consecutive inferences.
   (The C# KeywordDetector tests script exact score sequences; CLibraryTests prove C equals it.) */
static void test_min_count(void)
{
    static run_result base, strict;
    hark_kws_config config = g_kws.config;
    int32_t i;
    for (i = 0; i < HARK_MODEL_LABELS; i++) config.threshold[i] = 80;
    config.smoothing = 1;
    config.refractory = 0;
    config.min_count = 1;
    check(hark_kws_configure(&g_kws, &config) == HARK_KWS_OK, "configure min_count 1");
    stream(&base, 1000, 0);
    config.min_count = 4;
    check(hark_kws_configure(&g_kws, &config) == HARK_KWS_OK, "configure min_count 4");
    stream(&strict, 1000, 0);
    check(strict.count <= base.count, "a larger min_count never adds events");
    for (i = 0; i < strict.count; i++) {
        /* With refractory 0 and smoothing 1, min_count 1 fires at every above-threshold inference: the strict event
           must be one of them, preceded by three more at consecutive inference times. */
        int32_t j, found = 0;
        const uint64_t step = (uint64_t)HARK_FRONTEND_STRIDE * (uint64_t)config.infer_every;
        for (j = 0; j < base.count; j++)
            if (base.events[j].sample == strict.events[i].sample) found = j + 1;
        check(found >= 4 && base.events[found - 4].sample + 3 * step == strict.events[i].sample,
              "a min_count 4 event follows 4 consecutive above-threshold inferences");
    }
}

/* The timing hooks: filled when hark_kws.c is built with HARK_KWS_CLOCK (the host build uses the TSC), left at 0
   otherwise. */
static void test_timing(void)
{
    hark_kws_event ev[8];
    hark_kws_reset(&g_kws);
    check(hark_kws_push(&g_kws, g_audio, 3 * HARK_FRONTEND_SAMPLE_RATE, ev, 8) >= 0, "push for timing");
#ifdef HARK_KWS_CLOCK
    check(g_kws.timing.frontend_max > 0 && g_kws.timing.inference_max > 0, "timing hooks record hops and inferences");
    check(g_kws.timing.frontend_max >= g_kws.timing.frontend_last && g_kws.timing.inference_max >= g_kws.timing.inference_last,
          "the maximum is at least the last");
#else
    check(g_kws.timing.frontend_max == 0 && g_kws.timing.inference_max == 0, "no clock, no timing");
#endif
}

int main(void)
{
    make_audio();
    check(hark_kws_init(&g_kws) == HARK_KWS_OK, "init");
    check(hark_model_scratch_needed() <= HARK_MODEL_SCRATCH_BYTES, "the kernels' scratch fits the generated buffer");
    test_arguments();
    test_chunking();
    test_dropped_events();
    test_classify_equals_stream_window();
    test_extremes();
    test_min_count();
    test_timing();
    return check_summary("kws");
}
