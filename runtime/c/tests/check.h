/* check.h - the few lines every standalone C test of the runtime shares: count checks, name each failure, and end
   with the "N passed, N failed" line test.sh reads. Include in one .c file per test program. */
#ifndef HARK_TESTS_CHECK_H
#define HARK_TESTS_CHECK_H

#include <stdio.h>

static int g_passed, g_failed;

static void check(int ok, const char *what)
{
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL: %s\n", what);
    }
}

/* Prints "<name>: N passed, N failed" and returns the exit status (1 if anything failed). */
static int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}

#endif
