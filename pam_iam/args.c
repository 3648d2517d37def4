/* SPDX-License-Identifier: Apache-2.0 */
/* Module arguments, Linux-PAM style. */
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "pam_iam_private.h"

static int parse_allow(const char *v, unsigned *ret) {
    unsigned bits = 0;
    const char *p = v;

    if (!*v)
        return -EINVAL;
    while (*p) {
        size_t n = strcspn(p, ",");

        if (n == 9 && strncmp(p, "accesskey", 9) == 0)
            bits |= PAM_IAM_ALLOW_ACCESSKEY;
        else if (n == 8 && strncmp(p, "password", 8) == 0)
            bits |= PAM_IAM_ALLOW_PASSWORD;
        else
            return -EINVAL;
        p += n;
        if (*p == ',') {
            p++;
            if (!*p)
                return -EINVAL;
        }
    }
    *ret = bits;
    return 0;
}

/* "service:Action": a non-empty service of [a-z0-9-], ':', an action of [A-Za-z0-9]; no
 * wildcards (an action is a request, not a pattern). */
static bool action_valid(const char *a) {
    const char *colon = strchr(a, ':');
    size_t n = strlen(a);

    if (!colon || colon == a || !colon[1] || n > PAM_IAM_MAX_ACTION)
        return false;
    for (const char *p = a; p < colon; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    for (const char *p = colon + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

int pam_iam_args_parse(pam_handle_t *pamh, int argc, const char **argv,
                       struct pam_iam_args *ret_args) {
    struct pam_iam_args a = {
        .config_path = IAM_CONFIG_DEFAULT_PATH,
        .action = iam_host_action_name(IAM_HOST_ACTION_LOGIN),
        .allow = PAM_IAM_ALLOW_ACCESSKEY | PAM_IAM_ALLOW_PASSWORD,
    };
    int r = 0;

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];

        if (!arg)
            continue;
        if (strcmp(arg, "debug") == 0) {
            a.debug = true;
        } else if (strcmp(arg, "use_first_pass") == 0) {
            a.use_first_pass = true;
        } else if (strcmp(arg, "try_first_pass") == 0) {
            a.try_first_pass = true;
        } else if (strncmp(arg, "config=", 7) == 0) {
            if (arg[7] != '/' || strlen(arg + 7) >= PAM_IAM_MAX_PATH) {
                pam_syslog(pamh, LOG_ERR, "bad argument \"%.100s\": config= needs an absolute "
                           "path", arg);
                r = -EINVAL;
            } else {
                a.config_path = arg + 7;
            }
        } else if (strncmp(arg, "action=", 7) == 0) {
            if (!action_valid(arg + 7)) {
                pam_syslog(pamh, LOG_ERR, "bad argument \"%.100s\": action= needs "
                           "service:Action", arg);
                r = -EINVAL;
            } else {
                a.action = arg + 7;
            }
        } else if (strcmp(arg, "mfa=optional") == 0) {
            a.mfa = PAM_IAM_MFA_OPTIONAL;
        } else if (strcmp(arg, "mfa=required") == 0) {
            a.mfa = PAM_IAM_MFA_REQUIRED;
        } else if (strncmp(arg, "mfa=", 4) == 0) {
            pam_syslog(pamh, LOG_ERR, "bad argument \"%.100s\": mfa= takes required or optional",
                       arg);
            r = -EINVAL;
        } else if (strncmp(arg, "allow=", 6) == 0) {
            if (parse_allow(arg + 6, &a.allow) < 0) {
                pam_syslog(pamh, LOG_ERR, "bad argument \"%.100s\": allow= takes accesskey, "
                           "password or both, comma-separated", arg);
                r = -EINVAL;
            }
        } else {
            pam_syslog(pamh, LOG_WARNING, "unknown argument \"%.100s\", ignoring", arg);
        }
    }
    if (r < 0)
        return r;
    *ret_args = a;
    return 0;
}
