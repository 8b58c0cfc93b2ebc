/* hark_kws.c - Hark keyword spotting: streaming, one-window classification and the detector, see hark_kws.h. */
#include "hark_kws.h"

#include <string.h>

#if HARK_MODEL_FRAMES != HARK_FRONTEND_CLIP_FRAMES || HARK_MODEL_FEATURES != HARK_FRONTEND_FEATURES
#error "hark_model.h and hark_frontend_tables.h come from different models: export the library again"
#endif

#ifdef HARK_KWS_CLOCK
#define HARK_KWS_TIME_BEGIN(var) const uint32_t var = (uint32_t)(HARK_KWS_CLOCK)
#define HARK_KWS_TIME_END(var, last, max)                                                                            \
    do {                                                                                                             \
        (last) = (uint32_t)(HARK_KWS_CLOCK) - (var);                                                                 \
        if ((last) > (max)) (max) = (last);                                                                          \
    } while (0)
#else
#define HARK_KWS_TIME_BEGIN(var) ((void)0)
#define HARK_KWS_TIME_END(var, last, max) ((void)0)
#endif

/* Shared by every hark_kws: inference is not re-entrant (see THREAD SAFETY). int32_t keeps them word-aligned, which
   the kernels' scratch needs and the arena's word loads like. */
static int32_t hark__arena[(HARK_MODEL_ARENA_BYTES + 3) / 4];
static int32_t hark__scratch[(HARK_MODEL_SCRATCH_BYTES + 3) / 4 + 1];

#ifdef HARK_FRONTEND_EXTERNAL_SCRATCH
/* The front end's frame scratch is only used while a frame is computed and the arena only during an inference; they
   never overlap in time, so the arena lends the front end its scratch when it is large enough. */
#if HARK_MODEL_ARENA_BYTES >= HARK_FRONTEND_SCRATCH_FLOATS * 4
#define HARK__FRONTEND_SCRATCH ((float *)hark__arena)
#else
static float hark__frontend_scratch[HARK_FRONTEND_SCRATCH_FLOATS];
#define HARK__FRONTEND_SCRATCH hark__frontend_scratch
#endif
#endif

const char *hark_kws_label(int32_t index)
{
    return index >= 0 && index < HARK_MODEL_LABELS ? hark_model_labels[index] : "";
}

static int hark__config_valid(const hark_kws_config *c)
{
    int32_t i;
    if (c->infer_every < 1 || c->smoothing < 1 || c->smoothing > HARK_KWS_MAX_SMOOTHING || c->min_count < 1 ||
        c->refractory < 0)
        return 0;
    for (i = 0; i < HARK_MODEL_LABELS; i++)
        if (c->threshold[i] > 256) return 0;
    return 1;
}

/* Forgets the stream but keeps the settings, the timing and the feature ring (whose rows are only read once
   HARK_MODEL_FRAMES new frames have been written, or by hark_kws_features). */
static void hark__restart(hark_kws *kws)
{
    int32_t i;
    hark_frontend_reset(&kws->frontend);
    kws->newest = HARK_MODEL_FRAMES - 1;
    kws->until_inference = HARK_MODEL_FRAMES;
    kws->samples = kws->frames_done = kws->window_end = kws->inferences = kws->last_event = 0;
    kws->has_event = 0;
    kws->history_next = 0;
    kws->dropped_events = 0;
    for (i = 0; i < HARK_MODEL_LABELS; i++) kws->run[i] = 0;
    memset(&kws->last, 0, sizeof kws->last);
}

void hark_kws_reset(hark_kws *kws)
{
    hark__restart(kws);
    memset(kws->frames, 0, sizeof kws->frames);
}

hark_kws_status hark_kws_configure(hark_kws *kws, const hark_kws_config *config)
{
    if (!kws || !config || !hark__config_valid(config)) return HARK_KWS_ERR_ARG;
    kws->config = *config;
    hark_kws_reset(kws);
    return HARK_KWS_OK;
}

hark_kws_status hark_kws_init(hark_kws *kws)
{
    hark_kws_config config;
    int32_t i;
    if (!kws) return HARK_KWS_ERR_ARG;
    memset(kws, 0, sizeof *kws);
    if (hark_frontend_init(&kws->frontend, &hark_frontend_builtin_tables) != HARK_FRONTEND_OK) return HARK_KWS_ERR_MODEL;
#ifdef HARK_FRONTEND_EXTERNAL_SCRATCH
    hark_frontend_set_scratch(&kws->frontend, HARK__FRONTEND_SCRATCH);
#endif
    config.infer_every = HARK_MODEL_INFER_EVERY;
    config.smoothing = HARK_MODEL_SMOOTHING;
    config.min_count = HARK_MODEL_MIN_COUNT;
    config.refractory = HARK_MODEL_REFRACTORY;
    for (i = 0; i < HARK_MODEL_LABELS; i++) config.threshold[i] = hark_model_thresholds[i];
    return hark_kws_configure(kws, &config);
}

/* Runs the network on the ring's frames, oldest first; fills kws->last. */
static hark_kws_status hark__infer(hark_kws *kws)
{
    int8_t *arena = (int8_t *)hark__arena;
    const int8_t *out = arena + HARK_MODEL_OUTPUT_OFFSET;
    int32_t i, top = 0;
    HARK_KWS_TIME_BEGIN(start);
    hark_kws_features(kws, arena + HARK_MODEL_INPUT_OFFSET);
    if (hark_model_invoke(arena, hark__scratch) != 0) return HARK_KWS_ERR_MODEL;
    for (i = 0; i < HARK_MODEL_LABELS; i++) {
        kws->last.scores[i] = out[i];
        if (out[i] > out[top]) top = i;
    }
    kws->last.top = top;
    kws->inferences++;
    HARK_KWS_TIME_END(start, kws->timing.inference_last, kws->timing.inference_max);
    return HARK_KWS_OK;
}

/* The detector step after an inference at time t (see STREAMING in hark_kws.h); returns the label to report or -1. */
static int32_t hark__detect(hark_kws *kws, uint64_t t, int32_t *score)
{
    const hark_kws_config *c = &kws->config;
    const int32_t slot = kws->history_next;
    const int32_t n = kws->inferences < (uint64_t)c->smoothing ? (int32_t)kws->inferences : c->smoothing;
    int32_t i, k, best = -1, best_sum = -1;
    for (i = 0; i < HARK_MODEL_LABELS; i++) kws->history[slot][i] = (uint8_t)(kws->last.scores[i] + 128);
    kws->history_next = slot + 1 == c->smoothing ? 0 : slot + 1;
    for (i = 0; i < HARK_MODEL_LABELS; i++) {
        int32_t sum = 0;
        for (k = 0; k < n; k++) sum += kws->history[k][i];
        if (c->threshold[i] > 0 && sum >= (int32_t)c->threshold[i] * n) {
            if (kws->run[i] < 0xFFFFu) kws->run[i]++;
        } else {
            kws->run[i] = 0;
        }
        if (kws->run[i] >= (uint32_t)c->min_count && sum > best_sum) {
            best = i;
            best_sum = sum;
        }
    }
    if (best < 0 || (kws->has_event && t - kws->last_event < (uint64_t)c->refractory)) return -1;
    kws->has_event = 1;
    kws->last_event = t;
    *score = best_sum / n;
    return best;
}

/* Takes samples through the front end until `count` are consumed or one frame is complete; a complete frame goes
   into the ring. Returns the samples taken (*frame_done tells whether a frame was completed). */
static int32_t hark__take(hark_kws *kws, const int16_t *samples, int32_t count, int *frame_done)
{
    float features[HARK_FRONTEND_FEATURES];
    int32_t frames;
    HARK_KWS_TIME_BEGIN(start);
    frames = hark_frontend_push(&kws->frontend, samples, count, features, 1);
    kws->samples += (uint64_t)kws->frontend.consumed;
    *frame_done = frames > 0;
    if (frames <= 0) return kws->frontend.consumed;
    kws->newest = kws->newest + 1 == HARK_MODEL_FRAMES ? 0 : kws->newest + 1;
    hark_frontend_quantize(features, HARK_MODEL_FEATURES, HARK_MODEL_INPUT_SCALE, HARK_MODEL_INPUT_ZERO_POINT,
                           kws->frames[kws->newest]);
    kws->window_end = kws->frames_done == 0 ? (uint64_t)HARK_FRONTEND_WINDOW
                                            : kws->window_end + (uint64_t)HARK_FRONTEND_STRIDE;
    kws->frames_done++;
    HARK_KWS_TIME_END(start, kws->timing.frontend_last, kws->timing.frontend_max);
    return kws->frontend.consumed;
}

int32_t hark_kws_push(hark_kws *kws, const int16_t *samples, int32_t count, hark_kws_event *events,
                      int32_t max_events)
{
    int32_t made = 0;
    if (!kws || count < 0 || (count > 0 && !samples) || max_events < 0 || (max_events > 0 && !events))
        return HARK_KWS_ERR_ARG;
    while (count > 0) {
        int frame_done;
        int32_t label, score = 0;
        const int32_t taken = hark__take(kws, samples, count, &frame_done);
        samples += taken;
        count -= taken;
        if (!frame_done || --kws->until_inference > 0) continue;
        kws->until_inference = kws->config.infer_every;
        if (hark__infer(kws) != HARK_KWS_OK) return HARK_KWS_ERR_MODEL;
        label = hark__detect(kws, kws->window_end, &score);
        if (label < 0) continue;
        if (made < max_events) {
            events[made].label = label;
            events[made].sample = kws->window_end;
            events[made].score = score;
            made++;
        } else {
            kws->dropped_events++;
        }
    }
    return made;
}

hark_kws_status hark_kws_classify(hark_kws *kws, const int16_t *samples, int32_t count, hark_kws_result *result)
{
    /* Streaming a clip and its zero padding gives hark_frontend_clip's frames without a clip-sized float buffer. */
    static const int16_t zeros[64] = {0};
    int32_t padding;
    int frame_done;
    if (!kws || !result || count < 0 || (count > 0 && !samples)) return HARK_KWS_ERR_ARG;
    hark__restart(kws);
    if (count > HARK_FRONTEND_CLIP_SAMPLES) count = HARK_FRONTEND_CLIP_SAMPLES;
    padding = HARK_FRONTEND_CLIP_SAMPLES - count;
    while (count > 0) {
        const int32_t taken = hark__take(kws, samples, count, &frame_done);
        samples += taken;
        count -= taken;
    }
    while (padding > 0) padding -= hark__take(kws, zeros, padding < 64 ? padding : 64, &frame_done);
    if (kws->frames_done != HARK_MODEL_FRAMES || hark__infer(kws) != HARK_KWS_OK) return HARK_KWS_ERR_MODEL;
    *result = kws->last;
    hark__restart(kws);
    return HARK_KWS_OK;
}

void hark_kws_features(const hark_kws *kws, int8_t *out)
{
    const int32_t oldest = kws->newest + 1 == HARK_MODEL_FRAMES ? 0 : kws->newest + 1;
    const int32_t tail = HARK_MODEL_FRAMES - oldest;
    memcpy(out, kws->frames[oldest], (size_t)tail * HARK_MODEL_FEATURES);
    memcpy(out + tail * HARK_MODEL_FEATURES, kws->frames[0], (size_t)oldest * HARK_MODEL_FEATURES);
}
