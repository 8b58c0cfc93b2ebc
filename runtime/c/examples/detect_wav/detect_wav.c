/* detect_wav.c - prints the keyword events of a WAV file: the library on a PC, for comparing with
   `hark detect --model RUN FILE.wav` (same events, same sample times).

   usage: detect_wav FILE.wav     (16-bit PCM, mono, at the model's sample rate; other formats: convert first)
   Prints one line per event: "<time in seconds> <label> <score 0..1>". */
#include <stdio.h>
#include <string.h>

#include "hark_kws.h"

static hark_kws kws;

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Positions `f` at the samples of a 16-bit mono WAV at the model's rate; returns their count or -1. */
static long find_samples(FILE *f, const char *path)
{
    unsigned char riff[12], chunk[8], fmt[16];
    int format_ok = 0;
    if (fread(riff, 1, 12, f) != 12 || memcmp(riff, "RIFF", 4) != 0 || memcmp(riff + 8, "WAVE", 4) != 0) {
        fprintf(stderr, "detect_wav: %s: not a WAV file\n", path);
        return -1;
    }
    while (fread(chunk, 1, 8, f) == 8) {
        const uint32_t size = le32(chunk + 4);
        if (memcmp(chunk, "fmt ", 4) == 0 && size >= 16 && fread(fmt, 1, 16, f) == 16) {
            format_ok = fmt[0] == 1 && fmt[1] == 0 && fmt[2] == 1 && fmt[3] == 0 && fmt[14] == 16 &&
                        le32(fmt + 4) == (uint32_t)HARK_FRONTEND_SAMPLE_RATE;
            if (fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR) != 0) break;
        } else if (memcmp(chunk, "data", 4) == 0) {
            if (format_ok) return (long)(size / 2);
            fprintf(stderr, "detect_wav: %s: needs 16-bit PCM mono at %d Hz\n", path, HARK_FRONTEND_SAMPLE_RATE);
            return -1;
        } else if (fseek(f, (long)(size + (size & 1)), SEEK_CUR) != 0) {
            break;
        }
    }
    fprintf(stderr, "detect_wav: %s: no audio data\n", path);
    return -1;
}

int main(int argc, char **argv)
{
    unsigned char bytes[1024];
    int16_t block[512];
    long left;
    FILE *f;
    if (argc != 2) {
        fprintf(stderr, "usage: detect_wav FILE.wav\n");
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "detect_wav: %s: cannot open\n", argv[1]);
        return 1;
    }
    left = find_samples(f, argv[1]);
    if (left < 0 || hark_kws_init(&kws) != HARK_KWS_OK) {
        fclose(f);
        return 1;
    }
    while (left > 0) {
        const size_t want = left < 512 ? (size_t)left : 512;
        const size_t got = fread(bytes, 2, want, f);
        hark_kws_event events[4];
        int32_t n, i;
        size_t k;
        for (k = 0; k < got; k++) block[k] = (int16_t)(uint16_t)(bytes[2 * k] | bytes[2 * k + 1] << 8);
        n = hark_kws_push(&kws, block, (int32_t)got, events, 4);
        for (i = 0; i < n; i++)
            printf("%.3f %s %.3f\n", (double)events[i].sample / HARK_FRONTEND_SAMPLE_RATE, hark_kws_label(events[i].label),
                   events[i].score / 256.0);
        if (got < want) break;
        left -= (long)got;
    }
    fclose(f);
    return 0;
}
