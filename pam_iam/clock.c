/* SPDX-License-Identifier: Apache-2.0 */
/* The module's clock. The module that is installed reads the system clock, nothing else; the
 * tests build a second copy (pam_iam_testclock.so, never installed) with PAM_IAM_TEST_CLOCK,
 * whose clock PAM_IAM_TEST_NOW (epoch seconds) sets, so that a trail can be made at chosen
 * moments (last use, unused-access findings). */
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
