/* SPDX-License-Identifier: Apache-2.0 */
/* Loading iam.conf and one user's record from the auth cache. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "iam/pull_state.h"
#include "iam_cache_dir.h"
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

/* What one phase loaded, for the next phases of the same login (PAM_IAM_DATA_LOADED). */
struct loaded {
    char config_path[PAM_IAM_MAX_PATH];
    struct stat config_st;
    struct iam_config *config;
    bool have_record;                  /* the lookup below was made */
    char cache_path[PAM_IAM_MAX_PATH]; /* the auth.cache it was made in, and its stat */
    struct stat cache_st;
    char user[IAM_AUTH_MAX_NAME + 1];
    struct iam_auth_record *record; /* NULL: user is not in that cache */
};

static void loaded_clear_record(struct loaded *l) {
    iam_auth_record_free(l->record); /* wipes */
    l->record = NULL;
    l->have_record = false;
}

static void loaded_cleanup(pam_handle_t *pamh, void *data, int error_status) {
    struct loaded *l = data;

    (void)pamh;
    (void)error_status;
    if (!l)
        return;
    loaded_clear_record(l);
    iam_config_free(l->config);
    free(l);
}

/* The handle's struct loaded, made on first use; NULL when it cannot be (out of memory):
 * then every phase loads for itself. */
static struct loaded *loaded_get(pam_handle_t *pamh) {
    union { /* pam_get_data() gives the pointer as const; it is ours to change */
        const void *data;
        struct loaded *l;
    } u = {NULL};
    struct loaded *l;

    if (pam_get_data(pamh, PAM_IAM_DATA_LOADED, &u.data) == PAM_SUCCESS && u.l)
        return u.l;
    l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    if (pam_set_data(pamh, PAM_IAM_DATA_LOADED, l, loaded_cleanup) != PAM_SUCCESS) {
        free(l);
        return NULL;
    }
    return l;
}

static bool same_file(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* iam.conf: the one an earlier phase parsed when the file is unchanged, else parsed now. */
static int load_config(pam_handle_t *pamh, struct pam_iam_handle *h, struct loaded *l) {
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    struct iam_error e;
    struct stat st;
    int r;

    /* a later phase: the file an earlier one parsed, when stat finds it unchanged */
    if (l && l->config && strcmp(l->config_path, h->args.config_path) == 0 &&
        stat(h->args.config_path, &st) == 0 && same_file(&st, &l->config_st)) {
        h->config = l->config;
        return 0;
    }
    iam_error_init(&e);
    r = iam_config_load_stat(h->args.config_path, &h->config, &st, &e);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot load %s: %s", h->args.config_path,
                   iam_error_format(&e, msg, sizeof(msg)));
        return r == -ENOENT ? -EIO : r; /* a missing config is not "no such user" */
    }
    /* kept for the next phases only when nothing is kept yet: a handle of this very call (a
     * role and its caller are loaded side by side) may still use what is kept */
    if (l && !l->config && strlen(h->args.config_path) < sizeof(l->config_path)) {
        l->config = h->config;
        l->config_st = st;
        memcpy(l->config_path, h->args.config_path, strlen(h->args.config_path) + 1);
    } else {
        h->owns_config = true;
    }
    return 0;
}

/* The user's record in the current auth.cache: the one an earlier phase read from the very
 * same file, or looked up now. */
static int load_record(pam_handle_t *pamh, struct pam_iam_handle *h, struct loaded *l,
                       const char *path) {
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32], cur[PAM_IAM_MAX_PATH];
    struct iam_auth_cache *cache = NULL;
    struct iam_error e;
    struct stat st;
    const char *opened;
    bool keyed;
    int r;

    /* a later phase: the record an earlier one read, when the file `current` names now is
     * the very file it was read from */
    if (l && l->have_record && strcmp(l->user, h->user_name) == 0 &&
        iam_cache_current_path(path, cur, sizeof(cur)) >= 0 && strcmp(l->cache_path, cur) == 0 &&
        stat(cur, &st) == 0 && same_file(&st, &l->cache_st)) {
        h->record = l->record;
        return h->record ? 0 : -ENOENT;
    }
    iam_error_init(&e);
    r = iam_auth_cache_open(path, &cache, &e);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot use the auth cache: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
        return r == -ENOENT ? -EIO : r; /* a missing cache is not "no such user" either */
    }
    /* the key for the next phases: the file just opened, by the path they will find it at */
    opened = iam_auth_cache_identity(cache, &st);
    keyed = l && strlen(opened) < sizeof(l->cache_path);
    if (keyed)
        memcpy(cur, opened, strlen(opened) + 1);
    iam_error_init(&e);
    r = iam_auth_cache_find(cache, h->user_name, &h->record, &e);
    iam_auth_cache_close(cache);
    if (r < 0 && r != -ENOENT) {
        /* without the name: it may be no user at all, but a password typed as one */
        pam_syslog(pamh, LOG_ERR, "auth cache lookup failed: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
        return r;
    }
    /* r == -ENOENT: not there, at the cost of a found user (see iam_auth_cache_find()) */
    if (keyed && !l->have_record) {
        /* kept for the next phases only when nothing is kept yet (see load_config()). Should
         * the cache switch afterwards, the next phase finds another file and looks up again. */
        l->record = h->record;
        l->have_record = true;
        l->cache_st = st;
        memcpy(l->cache_path, cur, strlen(cur) + 1);
        memcpy(l->user, h->user_name, strlen(h->user_name) + 1); /* name_valid: <= 64 */
    } else {
        h->owns_record = true;
    }
    return r;
}

int pam_iam_load(pam_handle_t *pamh, struct pam_iam_handle *h, const char *user_name) {
    struct loaded *l = loaded_get(pamh);
    struct iam_error e;
    char path[PAM_IAM_MAX_PATH], msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    h->user_name = user_name;
    h->name_valid = pam_iam_user_name_valid(user_name);
    h->owns_config = h->owns_record = false;
    if ((r = load_config(pamh, h, l)) < 0)
        return r;
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
    if (!h->name_valid) {
        /* no lookup, but the cache must be usable all the same (a missing or damaged cache
         * is never "no such user") */
        struct iam_auth_cache *cache = NULL;

        iam_error_init(&e);
        r = iam_auth_cache_open(path, &cache, &e);
        iam_auth_cache_close(cache);
        if (r < 0) {
            pam_syslog(pamh, LOG_ERR, "cannot use the auth cache: %s",
                       iam_error_format(&e, msg, sizeof(msg)));
            return r == -ENOENT ? -EIO : r;
        }
        return -ENOENT;
    }
    r = load_record(pamh, h, l, path);
    if (r < 0)
        return r;
    h->user = iam_auth_record_user(h->record);
    return 0;
}

void pam_iam_loaded_release(pam_handle_t *pamh) {
    union {
        const void *data;
        struct loaded *l;
    } u = {NULL};

    if (pam_get_data(pamh, PAM_IAM_DATA_LOADED, &u.data) == PAM_SUCCESS && u.l)
        loaded_clear_record(u.l);
    pam_iam_audit_release(pamh);
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
    if (h->owns_record)
        iam_auth_record_free(h->record);
    h->record = NULL;
    h->user = NULL;
    if (h->owns_config)
        iam_config_free(h->config);
    h->config = NULL;
}
