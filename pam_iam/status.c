/* SPDX-License-Identifier: Apache-2.0 */
/* The one place where -errno becomes a PAM code (docs/architecture.md, "PAM return codes"). */
#include <errno.h>

#include <security/pam_modules.h>

#include "pam_iam_private.h"

const char *pam_iam_phase_name(enum pam_iam_phase phase) {
    switch (phase) {
    case PAM_IAM_PHASE_AUTH:
        return "auth";
    case PAM_IAM_PHASE_ACCOUNT:
        return "account";
    case PAM_IAM_PHASE_SESSION:
        return "session";
    case PAM_IAM_PHASE_SETCRED:
        return "setcred";
    }
    return "?";
}

int pam_iam_status(enum pam_iam_phase phase, int r) {
    if (r == -ENOMEM)
        return PAM_BUF_ERR;
    switch (phase) {
    case PAM_IAM_PHASE_AUTH:
    case PAM_IAM_PHASE_ACCOUNT:
        if (r == -ENOENT)
            return PAM_USER_UNKNOWN;
        /* Missing, unsafe, corrupt, unknown version, I/O error: never success. */
        return PAM_AUTHINFO_UNAVAIL;
    case PAM_IAM_PHASE_SESSION:
    case PAM_IAM_PHASE_SETCRED:
        /* Not an IAM user, or we cannot tell: stay out of the stack's decision. */
        return PAM_IGNORE;
    }
    return PAM_AUTHINFO_UNAVAIL;
}
