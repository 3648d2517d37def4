/* SPDX-License-Identifier: Apache-2.0 */
/* Loading iam.conf and one user's record from the auth cache. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "iam/pull_state.h"
#include "pam_iam_private.h"

/* IAM user names: 1..64 of [A-Za-z0-9+=,.@_-]. Anything else cannot be an IAM user: refused
 * without touching the cache (a 64 KB name, an empty one, control characters). */
bool pam_iam_user_name_valid(const char *name) {
    size_t n;

    if (!name)
        return false;
    n = strnlen(name, IAM_AUTH_MAX_NAME + 1);
    if (n == 0 || n > IAM_AUTH_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("+=,.@_-", c)))
            return false;
    }
    return true;
}

int pam_iam_load(pam_handle_t *pamh, struct pam_iam_handle *h, const char *user_name) {
    struct iam_auth_cache *cache = NULL;
    struct iam_error e;
    char path[PAM_IAM_MAX_PATH], msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    h->user_name = user_name;
    h->name_valid = pam_iam_user_name_valid(user_name);

    iam_error_init(&e);
    r = iam_config_load(h->args.config_path, &h->config, &e);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot load %s: %s", h->args.config_path,
                   iam_error_format(&e, msg, sizeof(msg)));
        return r == -ENOENT ? -EIO : r; /* a missing config is not "no such user" */
    }
    /* a host that pulls its account, with bundle_max_age: no IAM login on a bundle that old */
    iam_error_init(&e);
    r = iam_pull_check_fresh(h->config, (int64_t)time(NULL), &e);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "refusing IAM logins: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
        return r == -ENOENT ? -EIO : r;
    }
    if (snprintf(path, sizeof(path), "%s/%s", h->config->cache_dir, IAM_AUTH_CACHE_NAME) >=
        (int)sizeof(path)) {
        pam_syslog(pamh, LOG_ERR, "cache_dir too long");
        return -E2BIG;
    }
    iam_error_init(&e);
    r = iam_auth_cache_open(path, &cache, &e);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot use the auth cache: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
        return r == -ENOENT ? -EIO : r; /* a missing cache is not "no such user" either */
    }
    if (!h->name_valid) {
        r = -ENOENT;
        goto out;
    }
    iam_error_init(&e);
    r = iam_auth_cache_find(cache, user_name, &h->record, &e);
    if (r == -ENOENT)
        goto out; /* at the cost of a found user: see iam_auth_cache_find() */
    if (r < 0) {
        /* without the name: it may be no user at all, but a password typed as one */
        pam_syslog(pamh, LOG_ERR, "auth cache lookup failed: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
        goto out;
    }
    h->user = iam_auth_record_user(h->record);
    r = 0;
out:
    iam_auth_cache_close(cache);
    return r;
}

int pam_iam_nss_uid(const char *user_name, uid_t *ret_uid) {
    struct passwd pw, *res = NULL;
    size_t size = 4096;
    char *buf = NULL;
    int e, r;

    for (;;) {
        char *nb = realloc(buf, size);

        if (!nb) {
            r = -ENOMEM;
            goto out;
        }
        buf = nb;
        e = getpwnam_r(user_name, &pw, buf, size, &res);
        if (e != ERANGE || size >= (1u << 20))
            break;
        size *= 2;
    }
    if (e == 0 && res) {
        *ret_uid = res->pw_uid;
        r = 1;
    } else if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM) {
        r = 0; /* the values POSIX lists for "no such user" */
    } else {
        r = -e;
    }
out:
    free(buf);
    return r;
}

void pam_iam_handle_done(struct pam_iam_handle *h) {
    iam_auth_record_free(h->record);
    h->record = NULL;
    h->user = NULL;
    iam_config_free(h->config);
    h->config = NULL;
}
