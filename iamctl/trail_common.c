/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iam/lastused.h"
#include "trail_common.h"

static int parse_time_text(const char *v, int64_t *ret) {
    struct iam_trail_span s;
    char buf[64];
    size_t n = strlen(v);
    char *end;

    if (n == 0 || n >= 40)
        return -EINVAL;
    /* epoch seconds */
    if (strspn(v, "0123456789") == n) {
        long long t;

        errno = 0;
        t = strtoll(v, &end, 10);
        if (errno || *end)
            return -EINVAL;
        *ret = (int64_t)t;
        return 0;
    }
    /* a date alone is its midnight, UTC */
    if (n == 10) {
        snprintf(buf, sizeof(buf), "%sT00:00:00Z", v);
    } else if (n == 19 && v[10] == 'T') {
        snprintf(buf, sizeof(buf), "%sZ", v); /* no zone: UTC, as the AWS CLI takes it */
    } else {
        snprintf(buf, sizeof(buf), "%s", v);
    }
    s = (struct iam_trail_span){.p = buf, .n = strlen(buf), .is_string = true};
    return iam_trail_parse_time(&s, ret);
}

int64_t trail_now(void) {
    const char *v = secure_getenv("IAMCTL_NOW"); /* test override */
    int64_t t;

    if (v && *v && parse_time_text(v, &t) == 0)
        return t;
    return (int64_t)time(NULL);
}

int trail_time_arg(const char *opt, const char *value, int64_t *ret) {
    if (parse_time_text(value, ret) < 0)
        return iamctl_usage("--%s: '%.64s' is not a time (ISO 8601 such as "
                            "2024-05-01T10:00:00Z, or epoch seconds)",
                            opt, value);
    return 0;
}

static void fmt(int64_t t, char out[32], bool zulu) {
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        tt = 0; /* not a time a record can carry */
        if (!gmtime_r(&tt, &tm))
            memset(&tm, 0, sizeof(tm));
    }
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%s", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, zulu ? "Z" : "+00:00");
}

void trail_format_time(int64_t t, char out[32]) {
    fmt(t, out, false);
}

void trail_format_time_z(int64_t t, char out[32]) {
    fmt(t, out, true);
}

int64_t trail_password_last_used(const char *cache_dir, const char *user_id) {
    struct iam_error e;
    time_t when;

    iam_error_init(&e);
    if (!cache_dir || !user_id ||
        iam_lastused_read_password(cache_dir, user_id, &when, NULL, 0, &e) < 0)
        return 0;
    return (int64_t)when;
}

void trail_set_password_last_used(json_t *user, const char *cache_dir, const char *user_id) {
    int64_t t = trail_password_last_used(cache_dir, user_id);
    char buf[32];

    if (!t || !user)
        return;
    trail_format_time(t, buf);
    json_object_set_new(user, "PasswordLastUsed", json_string(buf));
}

int trail_load_config(struct iam_config **ret) {
    struct iam_error e;
    int r;

    iam_error_init(&e);
    r = iam_config_load(arg_config, ret, &e);
    if (r < 0)
        return iamctl_fail_error(&e);
    return 0;
}

int trail_files(const struct opt *audit_log, struct iam_config **ret_config,
                struct iam_trail_files *ret) {
    struct iam_error e;
    int r;

    iam_error_init(&e);
    if (audit_log && audit_log->n_list > 0) {
        for (size_t i = 0; i < audit_log->n_list; i++) {
            r = iam_trail_files_add_path(ret, audit_log->list[i], &e);
            if (r == -ENOMEM)
                return iamctl_fail("out of memory");
            if (r < 0)
                return iamctl_fail_error(&e);
        }
    } else {
        if (!*ret_config && (r = trail_load_config(ret_config)))
            return r;
        if (strcmp((*ret_config)->audit_log, "none") == 0)
            return iamctl_fail("%s: audit_log = none: this host keeps no trail (name trail "
                               "files with --audit-log)",
                               arg_config);
        r = iam_trail_files_add_log(ret, (*ret_config)->audit_log, &e);
        if (r == -ENOENT)
            r = 0; /* no directory yet: nothing was ever written, an empty trail */
        if (r == -ENOMEM)
            return iamctl_fail("out of memory");
        if (r < 0)
            return iamctl_fail_error(&e);
    }
    iam_trail_files_sort(ret);
    return 0;
}

static int64_t now_ms(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void trail_progress_init(struct trail_progress *p, const char *what) {
    *p = (struct trail_progress){.what = what, .tty = isatty(STDERR_FILENO) == 1,
                                 .last_ms = now_ms(), .last_pct = -1};
}

void trail_progress_cb(uint64_t done, uint64_t total, void *userdata) {
    struct trail_progress *p = userdata;
    int64_t t;
    int pct;

    if (!p || !p->tty || total == 0)
        return;
    t = now_ms();
    /* nothing for quick runs; then a few updates a second */
    if (t - p->last_ms < 300)
        return;
    pct = (int)(done * 100 / total);
    if (pct > 100)
        pct = 100;
    if (pct == p->last_pct)
        return;
    p->last_ms = t;
    p->last_pct = pct;
    p->shown = true;
    fprintf(stderr, "\riamctl: %s: %3d%%", p->what, pct);
    fflush(stderr);
}

void trail_progress_done(struct trail_progress *p) {
    if (p && p->shown) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
}
