/* main.c - Hark keyword spotting on an STM32 Nucleo-L476RG (Cortex-M4F, 80 MHz) with an I2S MEMS microphone.

   The microphone (INMP441, SPH0645 or similar, L/R pin to GND) is read by SAI1 block A as an I2S master receiver at
   16 kHz through a circular DMA double buffer of two 20 ms halves; each half goes into hark_kws_push in the main
   loop. A detection lights LD2 for half a second and prints a line on the ST-LINK virtual COM port (USART2, 115200).
   At start-up the firmware measures its own sample rate against the 32.768 kHz LSE crystal and warns if it is off.
   Every second it reports DMA overruns and the slowest push, so "too slow" is visible instead of silent.

   Written against the STM32CubeL4 HAL; it needs that SDK and is NOT built by Hark's tests (audio_capture.c and the
   library are). See README.md for the wiring and how to add it to a project. */
#include <stdio.h>
#include <string.h>

#include "stm32l4xx_hal.h"

#include "audio_capture.h"
#include "hark_kws.h"

#if HARK_FRONTEND_SAMPLE_RATE != 16000
#error "this example configures the SAI clock for 16 kHz: adapt PLLSAI1 and MCKDIV for another model rate"
#endif

#define HALF_SAMPLES 320        /* 20 ms per DMA half: the front end's stride */
#define LSE_HZ 32768u
#define RATE_CHECK_FROM 10u     /* skip the first halves (microphone start-up), then measure over 50 (1 s) */
#define RATE_CHECK_HALVES 50u

static SAI_HandleTypeDef hsai;
static DMA_HandleTypeDef hdma_sai;
static UART_HandleTypeDef huart;
static LPTIM_HandleTypeDef hlptim;

static int32_t dma_buffer[2 * HALF_SAMPLES]; /* one 32-bit slot per sample: only slot 0 (left) is active */
static int16_t block[HALF_SAMPLES];
static audio_capture capture;
static hark_kws kws;
static volatile uint16_t rate_tick_start, rate_tick_end;

static void fail(void)
{
    for (;;) {
        HAL_GPIO_TogglePin(GPIOA, GPIO_PIN_5);
        HAL_Delay(100);
    }
}

/* printf goes to the ST-LINK virtual COM port. */
int _write(int file, char *data, int length)
{
    (void)file;
    HAL_UART_Transmit(&huart, (uint8_t *)data, (uint16_t)length, 100);
    return length;
}

/* MSI 4 MHz, locked to the LSE crystal (MSI PLL mode), is the input of both PLLs (PLLM = 1):
     SYSCLK = 4 MHz * 40 / 2 = 80 MHz.
     SAI1 kernel clock = 4 MHz * 43 / 7 = 24.571 MHz (PLLSAI1P); with MCKDIV = 3 the SAI's frame rate is
     24.571 MHz / (2 * 3 * 256) = 15,997 Hz, 0.02 % below 16 kHz (the closest these dividers get; the workshop's
     clock tree was 11.6 % off and fed the model 17.9 kHz). The bit clock is 64 * fs = 1.024 MHz. */
static void clock_config(void)
{
    RCC_OscInitTypeDef osc = {0};
    RCC_ClkInitTypeDef clk = {0};
    RCC_PeriphCLKInitTypeDef periph = {0};

    HAL_PWR_EnableBkUpAccess();
    __HAL_RCC_LSEDRIVE_CONFIG(RCC_LSEDRIVE_LOW);
    osc.OscillatorType = RCC_OSCILLATORTYPE_LSE | RCC_OSCILLATORTYPE_MSI;
    osc.LSEState = RCC_LSE_ON;
    osc.MSIState = RCC_MSI_ON;
    osc.MSICalibrationValue = 0;
    osc.MSIClockRange = RCC_MSIRANGE_6; /* 4 MHz */
    osc.PLL.PLLState = RCC_PLL_ON;
    osc.PLL.PLLSource = RCC_PLLSOURCE_MSI;
    osc.PLL.PLLM = 1;
    osc.PLL.PLLN = 40;
    osc.PLL.PLLP = RCC_PLLP_DIV7;
    osc.PLL.PLLQ = RCC_PLLQ_DIV2;
    osc.PLL.PLLR = RCC_PLLR_DIV2;
    if (HAL_RCC_OscConfig(&osc) != HAL_OK) fail();

    clk.ClockType = RCC_CLOCKTYPE_HCLK | RCC_CLOCKTYPE_SYSCLK | RCC_CLOCKTYPE_PCLK1 | RCC_CLOCKTYPE_PCLK2;
    clk.SYSCLKSource = RCC_SYSCLKSOURCE_PLLCLK;
    clk.AHBCLKDivider = RCC_SYSCLK_DIV1;
    clk.APB1CLKDivider = RCC_HCLK_DIV1;
    clk.APB2CLKDivider = RCC_HCLK_DIV1;
    if (HAL_RCC_ClockConfig(&clk, FLASH_LATENCY_4) != HAL_OK) fail();

    periph.PeriphClockSelection = RCC_PERIPHCLK_SAI1 | RCC_PERIPHCLK_USART2 | RCC_PERIPHCLK_LPTIM1;
    periph.Sai1ClockSelection = RCC_SAI1CLKSOURCE_PLLSAI1;
    periph.Usart2ClockSelection = RCC_USART2CLKSOURCE_PCLK1;
    periph.Lptim1ClockSelection = RCC_LPTIM1CLKSOURCE_LSE;
    periph.PLLSAI1.PLLSAI1Source = RCC_PLLSOURCE_MSI;
    periph.PLLSAI1.PLLSAI1M = 1;
    periph.PLLSAI1.PLLSAI1N = 43;
    periph.PLLSAI1.PLLSAI1P = RCC_PLLP_DIV7;
    periph.PLLSAI1.PLLSAI1Q = RCC_PLLQ_DIV2;
    periph.PLLSAI1.PLLSAI1R = RCC_PLLR_DIV2;
    periph.PLLSAI1.PLLSAI1ClockOut = RCC_PLLSAI1_SAI1CLK;
    if (HAL_RCCEx_PeriphCLKConfig(&periph) != HAL_OK) fail();
    HAL_RCCEx_EnableMSIPLLMode();
}

static void gpio_uart_config(void)
{
    GPIO_InitTypeDef pin = {0};
    __HAL_RCC_GPIOA_CLK_ENABLE();
    __HAL_RCC_USART2_CLK_ENABLE();

    pin.Pin = GPIO_PIN_5; /* LD2 */
    pin.Mode = GPIO_MODE_OUTPUT_PP;
    HAL_GPIO_Init(GPIOA, &pin);

    pin.Pin = GPIO_PIN_2 | GPIO_PIN_3; /* USART2 TX/RX: the ST-LINK virtual COM port */
    pin.Mode = GPIO_MODE_AF_PP;
    pin.Pull = GPIO_NOPULL;
    pin.Speed = GPIO_SPEED_FREQ_VERY_HIGH;
    pin.Alternate = GPIO_AF7_USART2;
    HAL_GPIO_Init(GPIOA, &pin);

    huart.Instance = USART2;
    huart.Init.BaudRate = 115200;
    huart.Init.WordLength = UART_WORDLENGTH_8B;
    huart.Init.StopBits = UART_STOPBITS_1;
    huart.Init.Parity = UART_PARITY_NONE;
    huart.Init.Mode = UART_MODE_TX_RX;
    huart.Init.HwFlowCtl = UART_HWCONTROL_NONE;
    huart.Init.OverSampling = UART_OVERSAMPLING_16;
    if (HAL_UART_Init(&huart) != HAL_OK) fail();
}

/* SAI1 block A, I2S master receiver: 64-bit frames of two 32-bit slots, 24-bit data, only the left slot active. */
static void sai_config(void)
{
    GPIO_InitTypeDef pin = {0};
    __HAL_RCC_SAI1_CLK_ENABLE();
    __HAL_RCC_DMA2_CLK_ENABLE();

    pin.Pin = GPIO_PIN_8 | GPIO_PIN_9 | GPIO_PIN_10; /* SAI1_SCK_A, SAI1_FS_A, SAI1_SD_A */
    pin.Mode = GPIO_MODE_AF_PP;
    pin.Pull = GPIO_NOPULL;
    pin.Speed = GPIO_SPEED_FREQ_VERY_HIGH;
    pin.Alternate = GPIO_AF13_SAI1;
    HAL_GPIO_Init(GPIOA, &pin);

    hdma_sai.Instance = DMA2_Channel1;
    hdma_sai.Init.Request = DMA_REQUEST_1; /* SAI1_A */
    hdma_sai.Init.Direction = DMA_PERIPH_TO_MEMORY;
    hdma_sai.Init.PeriphInc = DMA_PINC_DISABLE;
    hdma_sai.Init.MemInc = DMA_MINC_ENABLE;
    hdma_sai.Init.PeriphDataAlignment = DMA_PDATAALIGN_WORD;
    hdma_sai.Init.MemDataAlignment = DMA_MDATAALIGN_WORD;
    hdma_sai.Init.Mode = DMA_CIRCULAR;
    hdma_sai.Init.Priority = DMA_PRIORITY_HIGH;
    if (HAL_DMA_Init(&hdma_sai) != HAL_OK) fail();
    __HAL_LINKDMA(&hsai, hdmarx, hdma_sai);
    HAL_NVIC_SetPriority(DMA2_Channel1_IRQn, 1, 0);
    HAL_NVIC_EnableIRQ(DMA2_Channel1_IRQn);

    hsai.Instance = SAI1_Block_A;
    hsai.Init.Protocol = SAI_FREE_PROTOCOL;
    hsai.Init.AudioMode = SAI_MODEMASTER_RX;
    hsai.Init.DataSize = SAI_DATASIZE_24;
    hsai.Init.FirstBit = SAI_FIRSTBIT_MSB;
    hsai.Init.ClockStrobing = SAI_CLOCKSTROBING_RISINGEDGE;
    hsai.Init.Synchro = SAI_ASYNCHRONOUS;
    hsai.Init.OutputDrive = SAI_OUTPUTDRIVE_DISABLE;
    hsai.Init.NoDivider = SAI_MASTERDIVIDER_ENABLE;
    hsai.Init.FIFOThreshold = SAI_FIFOTHRESHOLD_1QF;
    hsai.Init.AudioFrequency = SAI_AUDIO_FREQUENCY_MCKDIV; /* set the divider ourselves, see clock_config */
    hsai.Init.Mckdiv = 3;
    hsai.Init.MonoStereoMode = SAI_STEREOMODE;
    hsai.Init.CompandingMode = SAI_NOCOMPANDING;
    hsai.FrameInit.FrameLength = 64;
    hsai.FrameInit.ActiveFrameLength = 32;
    hsai.FrameInit.FSDefinition = SAI_FS_CHANNEL_IDENTIFICATION;
    hsai.FrameInit.FSPolarity = SAI_FS_ACTIVE_LOW;
    hsai.FrameInit.FSOffset = SAI_FS_BEFOREFIRSTBIT;
    hsai.SlotInit.FirstBitOffset = 0;
    hsai.SlotInit.SlotSize = SAI_SLOTSIZE_32B;
    hsai.SlotInit.SlotNumber = 2;
    hsai.SlotInit.SlotActive = SAI_SLOTACTIVE_0;
    if (HAL_SAI_Init(&hsai) != HAL_OK) fail();
}

/* LPTIM1 counts the LSE crystal: the independent clock the sample rate is checked against. */
static void lptim_config(void)
{
    __HAL_RCC_LPTIM1_CLK_ENABLE();
    hlptim.Instance = LPTIM1;
    hlptim.Init.Clock.Source = LPTIM_CLOCKSOURCE_APBCLOCK_LPOSC;
    hlptim.Init.Clock.Prescaler = LPTIM_PRESCALER_DIV1;
    hlptim.Init.Trigger.Source = LPTIM_TRIGSOURCE_SOFTWARE;
    hlptim.Init.OutputPolarity = LPTIM_OUTPUTPOLARITY_HIGH;
    hlptim.Init.UpdateMode = LPTIM_UPDATE_IMMEDIATE;
    hlptim.Init.CounterSource = LPTIM_COUNTERSOURCE_INTERNAL;
    if (HAL_LPTIM_Init(&hlptim) != HAL_OK || HAL_LPTIM_Counter_Start(&hlptim, 0xFFFF) != HAL_OK) fail();
}

/* The counter runs on another clock: read until two reads agree (RM0351, LPTIM_CNT). */
static uint16_t lse_ticks(void)
{
    uint32_t a, b;
    do {
        a = LPTIM1->CNT;
        b = LPTIM1->CNT;
    } while (a != b);
    return (uint16_t)a;
}

static void on_half(void)
{
    audio_capture_on_half(&capture);
    if (capture.delivered == RATE_CHECK_FROM) rate_tick_start = lse_ticks();
    if (capture.delivered == RATE_CHECK_FROM + RATE_CHECK_HALVES) rate_tick_end = lse_ticks();
}

void HAL_SAI_RxHalfCpltCallback(SAI_HandleTypeDef *sai) { (void)sai; on_half(); }
void HAL_SAI_RxCpltCallback(SAI_HandleTypeDef *sai) { (void)sai; on_half(); }
void DMA2_Channel1_IRQHandler(void) { HAL_DMA_IRQHandler(&hdma_sai); }
void SysTick_Handler(void) { HAL_IncTick(); }

static void check_sample_rate(void)
{
    const uint32_t samples = RATE_CHECK_HALVES * HALF_SAMPLES;
    double rate;
    while (capture.delivered < RATE_CHECK_FROM + RATE_CHECK_HALVES) {
    }
    rate = audio_capture_rate(samples, (uint16_t)(rate_tick_end - rate_tick_start), LSE_HZ);
    printf("hark: sample rate %.0f Hz against the LSE crystal (%+.2f %% from %d Hz)\r\n", rate,
           (rate / HARK_FRONTEND_SAMPLE_RATE - 1.0) * 100.0, HARK_FRONTEND_SAMPLE_RATE);
    if (!audio_capture_rate_ok(rate, HARK_FRONTEND_SAMPLE_RATE, 0.01))
        printf("hark: WARNING: the microphone runs more than 1 %% off the model's rate; detection will suffer. "
               "Check the SAI clock (PLLSAI1, MCKDIV).\r\n");
}

int main(void)
{
    hark_kws_event events[2];
    uint32_t led_off_at = 0, next_report = 0, reported_overruns = 0;
    HAL_Init();
    clock_config();
    gpio_uart_config();
    lptim_config();
    sai_config();
    /* The DWT cycle counter feeds hark_kws.timing when hark_kws.c is built with
       -DHARK_KWS_CLOCK="(*(volatile uint32_t *)0xE0001004u)". */
    CoreDebug->DEMCR |= CoreDebug_DEMCR_TRCENA_Msk;
    DWT->CYCCNT = 0;
    DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;

    if (hark_kws_init(&kws) != HARK_KWS_OK) fail();
    audio_capture_init(&capture, dma_buffer, HALF_SAMPLES, 14);
    printf("hark: listening for %s (model %s)\r\n", hark_kws_label(0), HARK_MODEL_NAME);
    if (HAL_SAI_Receive_DMA(&hsai, (uint8_t *)dma_buffer, 2 * HALF_SAMPLES) != HAL_OK) fail();
    check_sample_rate();

    for (;;) {
        const uint32_t now = HAL_GetTick();
        if (audio_capture_take(&capture, block)) {
            const int32_t n = hark_kws_push(&kws, block, HALF_SAMPLES, events, 2);
            int32_t i;
            for (i = 0; i < n; i++) {
                printf("hark: %s at %.2f s (score %.2f)\r\n", hark_kws_label(events[i].label),
                       (double)events[i].sample / HARK_FRONTEND_SAMPLE_RATE, events[i].score / 256.0);
                HAL_GPIO_WritePin(GPIOA, GPIO_PIN_5, GPIO_PIN_SET);
                led_off_at = now + 500;
            }
        }
        if (led_off_at != 0 && (int32_t)(now - led_off_at) >= 0) {
            HAL_GPIO_WritePin(GPIOA, GPIO_PIN_5, GPIO_PIN_RESET);
            led_off_at = 0;
        }
        if ((int32_t)(now - next_report) >= 0) {
            next_report = now + 1000;
            if (capture.overruns != reported_overruns) {
                printf("hark: WARNING: %lu audio halves lost (processing slower than real time); slowest hop %lu + "
                       "inference %lu cycles, budget per half %lu\r\n", (unsigned long)capture.overruns,
                       (unsigned long)kws.timing.frontend_max, (unsigned long)kws.timing.inference_max,
                       (unsigned long)(SystemCoreClock / 50u));
                reported_overruns = capture.overruns;
            }
        }
    }
}
