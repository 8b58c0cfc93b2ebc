/* Minimal Cortex-M4F start-up for QEMU's mps2-an386 board: vector table, Reset_Handler, semihosting I/O.
   The Reset_Handler enables the FPU, copies .data, zeroes .bss, initialises newlib's semihosting handles and runs
   main(); main's return value becomes QEMU's exit code (via exit() -> semihosting SYS_EXIT). */
#include <stdint.h>
#include <stdlib.h>

extern int main(void);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);

extern uint32_t __etext, __data_start__, __data_end__, __bss_start__, __bss_end__, __StackTop;

void Reset_Handler(void);
void Default_Handler(void);

/* newlib's __libc_init_array calls these; there is nothing to do in them. */
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

void Reset_Handler(void)
{
    uint32_t *src = &__etext, *dst;
    /* Full access to CP10/CP11 (the FPU) before any floating-point instruction runs. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");
    for (dst = &__data_start__; dst < &__data_end__;) *dst++ = *src++;
    for (dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
    initialise_monitor_handles();
    __libc_init_array();
    exit(main());
}

void Default_Handler(void)
{
    /* A fault in a test: leave through semihosting with a distinctive code instead of locking up. */
    exit(99);
}

__attribute__((section(".vectors"), used)) static void (*const vector_table[16])(void) = {
    (void (*)(void))(&__StackTop),
    Reset_Handler,
    Default_Handler, /* NMI */
    Default_Handler, /* HardFault */
    Default_Handler, /* MemManage */
    Default_Handler, /* BusFault */
    Default_Handler, /* UsageFault */
    0, 0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    Default_Handler, /* SysTick */
};
