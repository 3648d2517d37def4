/* SPDX-License-Identifier: Apache-2.0 */
/* The module's clock. The module that is installed reads the system clock, nothing else; the
 * tests build a second copy (pam_iam_testclock.so, never installed) with PAM_IAM_TEST_CLOCK,
 * whose clock PAM_IAM_TEST_NOW (epoch seconds) sets, so that a trail can be made at chosen
 * moments (last use, unused-access findings). The refusal floor's monotonic clock is never
 * set by a test. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "pam_iam_private.h"

int64_t pam_iam_now(void) {
#ifdef PAM_IAM_TEST_CLOCK
    const char *v = secure_getenv("PAM_IAM_TEST_NOW");

    if (v && *v) {
        char *end;
        long long t = strtoll(v, &end, 10);

        if (*end == '\0' && t > 0)
            return (int64_t)t;
    }
#endif
    return (int64_t)time(NULL);
}

int64_t pam_iam_clock_ns(void) {
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        return -1;
    return (int64_t)ts.tv_sec * INT64_C(1000000000) + ts.tv_nsec;
}

void pam_iam_wait_until(int64_t deadline_ns) {
    struct timespec until;

    if (deadline_ns <= 0)
        return;
    until.tv_sec = (time_t)(deadline_ns / INT64_C(1000000000));
    until.tv_nsec = (long)(deadline_ns % INT64_C(1000000000));
    /* An absolute deadline: a signal that interrupts the wait does not shorten it. */
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
}
