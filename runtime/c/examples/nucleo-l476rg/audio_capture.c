/* audio_capture.c - see audio_capture.h. */
#include "audio_capture.h"

void audio_capture_init(audio_capture *ac, const int32_t *buffer, int32_t half, int32_t shift)
{
    ac->buffer = buffer;
    ac->half = half;
    ac->delivered = 0;
    ac->taken = 0;
    ac->overruns = 0;
    ac->shift = shift;
}

void audio_capture_on_half(audio_capture *ac) { ac->delivered++; }

int16_t audio_capture_sample(int32_t slot, int32_t shift)
{
    /* Shift right in two steps of unsigned arithmetic on the magnitude would be portable but slow; arithmetic right
       shift of a negative int32 is implementation-defined in C99, and every ARM and x86 compiler does it. */
    const int32_t v = slot >> shift;
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

int audio_capture_take(audio_capture *ac, int16_t *out)
{
    const uint32_t delivered = ac->delivered; /* one 32-bit read: atomic on Cortex-M */
    const int32_t *in;
    int32_t i;
    if (delivered == ac->taken) return 0;
    /* With two or more halves pending, the DMA is already refilling the oldest: only the newest is intact. */
    if (delivered - ac->taken > 1) {
        ac->overruns += delivered - ac->taken - 1;
        ac->taken = delivered - 1;
    }
    in = ac->buffer + (int32_t)(ac->taken & 1u) * ac->half;
    for (i = 0; i < ac->half; i++) out[i] = audio_capture_sample(in[i], ac->shift);
    ac->taken++;
    return 1;
}

double audio_capture_rate(uint32_t samples, uint32_t ticks, uint32_t reference_hz)
{
    return ticks == 0 ? 0.0 : (double)samples * (double)reference_hz / (double)ticks;
}

int audio_capture_rate_ok(double measured, double expected, double tolerance)
{
    const double error = measured > expected ? measured - expected : expected - measured;
    return error <= tolerance * expected;
}
