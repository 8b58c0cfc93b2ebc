/* audio_capture.h - microphone DMA double buffer for Hark on a microcontroller, without any board SDK.

   The SAI/I2S (or PDM) peripheral fills one half of a circular DMA buffer while the main loop processes the other.
   The DMA interrupts only count finished halves (audio_capture_on_half); the main loop takes the next one
   (audio_capture_take), converts it to int16 and pushes it into hark_kws. The interrupt writes only `delivered` and
   the main loop only `taken` and `overruns`, so no lock is needed. If the main loop falls a whole half behind, the
   DMA has overwritten audio that was never taken: the lost halves are counted (overruns), never silent, and the
   loop resumes with the newest half. audio_capture_rate tells the real sample rate from a count
   of samples against an independent reference clock (the 32.768 kHz LSE crystal on the Nucleo), because a
   misconfigured clock tree that feeds the model 17.9 kHz audio instead of 16 kHz looks fine until nothing is heard.

   Used by main.c (STM32 Nucleo-L476RG); Hark's tests compile it with arm-none-eabi-gcc and run its logic on the host. */
#ifndef AUDIO_CAPTURE_H
#define AUDIO_CAPTURE_H

#include <stdint.h>

typedef struct {
    const int32_t *buffer;     /* the circular DMA buffer: 2 halves of `half` 32-bit I2S slots each */
    int32_t half;              /* samples per half */
    volatile uint32_t delivered; /* halves the DMA finished since start (interrupt side); half k is k % 2 */
    uint32_t taken;            /* halves the main loop took or skipped */
    uint32_t overruns;         /* halves overwritten before the main loop could take them */
    int32_t shift;             /* right shift from the 32-bit slot to int16 (16 = top 16 bits) */
} audio_capture;

/* `buffer` holds 2 * half slots; `shift` maps the microphone's left-justified 24-bit samples to int16 (16 for the
   top 16 bits; 14 gives 12 dB more gain for quiet MEMS microphones, saturating). */
void audio_capture_init(audio_capture *ac, const int32_t *buffer, int32_t half, int32_t shift);

/* From the DMA half-transfer and transfer-complete interrupts (in that order, alternating). */
void audio_capture_on_half(audio_capture *ac);

/* Main loop: if a half is ready, converts the oldest one still intact to int16 into `out` (`half` samples) and
   returns 1, else 0. */
int audio_capture_take(audio_capture *ac, int16_t *out);

/* One I2S slot to int16: arithmetic right shift with saturation. */
int16_t audio_capture_sample(int32_t slot, int32_t shift);

/* The sample rate implied by `samples` delivered over `ticks` of a `reference_hz` clock, in Hz. */
double audio_capture_rate(uint32_t samples, uint32_t ticks, uint32_t reference_hz);

/* 1 if `measured` is within `tolerance` (e.g. 0.01 = 1 %) of `expected`, else 0. */
int audio_capture_rate_ok(double measured, double expected, double tolerance);

#endif /* AUDIO_CAPTURE_H */
