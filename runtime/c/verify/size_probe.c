/* size_probe.c - the smallest firmware that uses the whole library API: `hark export` and `hark verify` link it for
   the Cortex-M4 with --gc-sections and read the linker map, so the flash and RAM they report are what a real
   firmware pays for the library (no stdio, no test code). Never run. */
#include "hark_kws.h"

static hark_kws g_kws;
static volatile int16_t g_block[HARK_FRONTEND_STRIDE];
volatile int32_t hark_probe_sink;

int main(void)
{
    hark_kws_event events[2];
    hark_kws_result result;
    int16_t block[HARK_FRONTEND_STRIDE];
    int32_t i;
    for (i = 0; i < HARK_FRONTEND_STRIDE; i++) block[i] = g_block[i];
    if (hark_kws_init(&g_kws) != HARK_KWS_OK) return 1;
    hark_probe_sink = hark_kws_push(&g_kws, block, HARK_FRONTEND_STRIDE, events, 2);
    hark_probe_sink += hark_kws_classify(&g_kws, block, HARK_FRONTEND_STRIDE, &result);
    hark_probe_sink += result.top + *hark_kws_label(events[0].label);
    return 0;
}
