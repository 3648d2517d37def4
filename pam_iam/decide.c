/* SPDX-License-Identifier: Apache-2.0 */
/* The account decision: the user's policies on the host ARN (iam_host_decide()), logged. */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "iam/host_decide.h"
#include "pam_iam_private.h"

int pam_iam_decide(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *action,
                   const struct iam_context *ctx, struct pam_iam_decision *ret) {
    struct iam_host_decision d;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    memset(ret, 0, sizeof(*ret));
    iam_error_init(&e);
    r = iam_host_decide(h->config, h->user, action, ctx, &d, &e);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "the policies of \"%.64s\" cannot be evaluated: %s",
                   h->user->name, iam_error_format(&e, msg, sizeof(msg)));
        return r;
    }
    ret->allowed = d.allowed;
    ret->kind = d.kind;
    memcpy(ret->policy, d.policy, sizeof(ret->policy));
    memcpy(ret->statement, d.statement, sizeof(ret->statement));
    return 0;
}

bool pam_iam_sudo_plugin_loaded(void) {
    /* RTLD_NOLOAD finds the plugin by its soname whatever path sudo.conf gave, and never
     * loads anything; the symbol check makes sure it is ours. */
    void *dso = dlopen("iam_approval.so", RTLD_LAZY | RTLD_NOLOAD);
    bool ours;

    if (!dso)
        return false;
    ours = dlsym(dso, "iam_approval") != NULL;
    dlclose(dso);
    return ours;
}
