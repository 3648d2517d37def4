/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "nss_iam_private.h"

/*
 * -ENOENT means "no such entry": NOTFOUND, so the next source in nsswitch.conf is asked.
 * -ERANGE and -ENOMEM are the caller's to retry: TRYAGAIN with the errno glibc looks for.
 * Anything else means the cache cannot be trusted (missing, damaged, unsafe): UNAVAIL, so
 * with the default actions glibc carries on with the other sources and never takes a
 * damaged cache's silence for an answer.
 */
enum nss_status iam_nss_status(int r, int *ret_errno) {
    if (r >= 0) {
        *ret_errno = 0;
        return NSS_STATUS_SUCCESS;
    }
    switch (r) {
    case -ENOENT:
        *ret_errno = ENOENT;
        return NSS_STATUS_NOTFOUND;
    case -ERANGE:
        *ret_errno = ERANGE;
        return NSS_STATUS_TRYAGAIN;
    case -ENOMEM:
        *ret_errno = ENOMEM;
        return NSS_STATUS_TRYAGAIN;
    case IAM_NSS_NO_CACHE:
        *ret_errno = ENOENT;
        return NSS_STATUS_UNAVAIL;
    default:
        *ret_errno = -r;
        return NSS_STATUS_UNAVAIL;
    }
}
