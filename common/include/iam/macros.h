/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#define IAM_EXPORT __attribute__((visibility("default")))
#define IAM_WUR __attribute__((warn_unused_result))
#define IAM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define IAM_UNUSED __attribute__((unused))

#define IAM_ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Free *p and set it to NULL; returns NULL so `p = iam_free(p)` style also reads well. */
#define IAM_FREE(p)                                                                                \
    do {                                                                                           \
        free(p);                                                                                   \
        (p) = NULL;                                                                                \
    } while (0)

/* Move ownership out of a variable: `*ret = IAM_TAKE(x);` leaves x NULL. */
#define IAM_TAKE(p)                                                                                \
    ({                                                                                             \
        __typeof__(p) _iam_take_ = (p);                                                            \
        (p) = NULL;                                                                                \
        _iam_take_;                                                                                \
    })
