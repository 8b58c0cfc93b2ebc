/* Instruction-count benchmark of the front end: primes one window, then pushes BENCH_HOPS hops of one stride each.
   tools/bench-frontend-m4.sh builds it with two hop counts and divides the difference, so start-up, audio
   generation and the first frame cancel out. Built with the generated tables of one config (default: mfcc10). */
#include "../hark_frontend.h"

#ifndef BENCH_HOPS
#define BENCH_HOPS 10
#endif
#define BENCH_MAX_HOPS 110
#define BENCH_SAMPLES (HARK_FRONTEND_WINDOW + BENCH_MAX_HOPS * HARK_FRONTEND_STRIDE)

static int16_t g_audio[BENCH_SAMPLES];
static float g_features[HARK_FRONTEND_FEATURES];
static hark_frontend_state g_state;
volatile float g_sink;

int main(void)
{
    uint32_t seed = 20261125u;
    int32_t i, frames = 0;
    for (i = 0; i < BENCH_SAMPLES; i++) { /* the same noise in every build, so it cancels out */
        seed = seed * 1664525u + 1013904223u;
        g_audio[i] = (int16_t)((int32_t)(seed >> 16) - 32768) / 4;
    }
    if (hark_frontend_init(&g_state, &hark_frontend_builtin_tables) != HARK_FRONTEND_OK) return 1;
    frames += hark_frontend_push(&g_state, g_audio, HARK_FRONTEND_WINDOW, g_features, 1);
    for (i = 0; i < BENCH_HOPS; i++)
        frames += hark_frontend_push(&g_state, g_audio + HARK_FRONTEND_WINDOW + i * HARK_FRONTEND_STRIDE,
                                     HARK_FRONTEND_STRIDE, g_features, 1);
    g_sink = g_features[0];
    return frames == BENCH_HOPS + 1 ? 0 : 2;
}
