/* Tests of examples/nucleo-l476rg/audio_capture.c, the board-independent part of the STM32 firmware: the DMA
   double-buffer bookkeeping (halves taken in order, overruns counted and skipped to the newest intact half), the I2S
   slot to int16 conversion, and the sample-rate check. Interrupts are simulated by calling audio_capture_on_half.
   Prints "N passed, N failed"; exit status 1 on failure. */
#include <stdio.h>

#include "../examples/nucleo-l476rg/audio_capture.h"
#include "check.h"


#define HALF 4
static int32_t g_dma[2 * HALF];

/* What the DMA writes: slot value = (half-buffer number << 16), so the int16 sample tells which half it came from. */
static void dma_fill(int32_t half, int32_t number)
{
    int32_t i;
    for (i = 0; i < HALF; i++) g_dma[half * HALF + i] = (number * 4 + i) * 65536;
}

int main(void)
{
    audio_capture ac;
    int16_t out[HALF];
    int32_t number = 0;

    audio_capture_init(&ac, g_dma, HALF, 16);
    check(!audio_capture_take(&ac, out), "nothing before the first interrupt");

    /* In time: every half taken before the next one completes. */
    for (number = 0; number < 6; number++) {
        dma_fill(number & 1, number);
        audio_capture_on_half(&ac);
        check(audio_capture_take(&ac, out) && out[0] == number * 4 && out[HALF - 1] == number * 4 + HALF - 1,
              "each half taken in order");
        check(!audio_capture_take(&ac, out), "and only once");
    }
    check(ac.overruns == 0, "no overrun when in time");

    /* Late: three halves complete before the main loop looks; only the newest is intact. */
    dma_fill(0, 6);
    audio_capture_on_half(&ac);
    dma_fill(1, 7);
    audio_capture_on_half(&ac);
    dma_fill(0, 8);
    audio_capture_on_half(&ac);
    check(audio_capture_take(&ac, out) && out[0] == 8 * 4, "after falling behind, the newest half");
    check(ac.overruns == 2, "the two lost halves are counted");
    check(!audio_capture_take(&ac, out), "then nothing until the next interrupt");
    dma_fill(1, 9);
    audio_capture_on_half(&ac);
    check(audio_capture_take(&ac, out) && out[0] == 9 * 4, "and back in step (half 1 next)");

    /* Two halves pending is already one too many: the oldest is being overwritten. */
    dma_fill(0, 10);
    audio_capture_on_half(&ac);
    dma_fill(1, 11);
    audio_capture_on_half(&ac);
    check(audio_capture_take(&ac, out) && out[0] == 11 * 4 && ac.overruns == 3, "two pending: newest, one lost");

    /* Slot conversion: top 16 bits, arithmetic shift, saturation with gain. */
    check(audio_capture_sample(0x7FFFFF00, 16) == 32767, "full scale positive");
    check(audio_capture_sample((int32_t)0x80000000u, 16) == -32768, "full scale negative");
    check(audio_capture_sample(-65536, 16) == -1, "negative values shift arithmetically");
    check(audio_capture_sample(0x10000000, 14) == 16384, "gain shift");
    check(audio_capture_sample(0x40000000, 14) == 32767 && audio_capture_sample(-0x40000000, 14) == -32768,
          "gain saturates");

    /* Sample rate against a 32.768 kHz crystal: 16,000 samples in 32,768 ticks is 16 kHz; the workshop's 17.9 kHz
       clock fails the 1 % check, the Nucleo's 15,997 Hz passes. */
    check(audio_capture_rate(16000, 32768, 32768) == 16000.0, "16 kHz exactly");
    check(audio_capture_rate(16000, 0, 32768) == 0.0, "no ticks: no rate");
    check(audio_capture_rate_ok(15997.0, 16000.0, 0.01), "15,997 Hz is within 1 %");
    check(!audio_capture_rate_ok(17856.0, 16000.0, 0.01), "17.9 kHz is not");
    check(!audio_capture_rate_ok(15800.0, 16000.0, 0.01), "-1.25 % is not");

    return check_summary("audio_capture");
}
