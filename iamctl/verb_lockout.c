/* SPDX-License-Identifier: Apache-2.0 */
/* The failed-login tallies of this host (iam/faillock.h): list-lockouts shows them,
 * reset-lockout clears one user's (which ends a lock at once). Both work from iam.conf alone
 * (cache_dir), so they serve on a host that pulls its caches and has no store. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "iam/auth_cache.h"
#include "iam/db.h"
#include "iam/faillock.h"
#include "trail_common.h"
#include "verb_common.h"

static json_t *time_or_null(int64_t t) {
    char buf[32];

    if (t <= 0)
        return json_null();
    iam_db_format_time(t, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *lockout_json(const struct iam_faillock_state *s, int64_t now) {
    const struct iam_faillock_failure *last = s->n_failures ? &s->failures[s->n_failures - 1]
                                                            : NULL;
    bool locked = iam_faillock_locked(s, now);
    json_t *o;

    o = json_pack("{s:s,s:s,s:b,s:I,s:I}", "UserName", s->user_name, "UserId", s->user_id,
                  "Locked", locked, "FailedAttempts", (json_int_t)s->n_failures,
                  "RefusedWhileLocked", (json_int_t)s->refused);
    if (!o)
        return NULL;
    if (s->locked_until != 0) {
        json_object_set_new(o, "LockedSince", time_or_null(s->locked_since));
        /* null: until an administrator resets it */
        json_object_set_new(o, "LockedUntil", s->locked_until == IAM_FAILLOCK_FOREVER
                                                  ? json_null()
                                                  : time_or_null(s->locked_until));
    }
    if (last) {
        json_object_set_new(o, "LastFailure", time_or_null(last->when));
        json_object_set_new(o, "LastFailureService", json_string(last->service));
        json_object_set_new(o, "LastFailureSource", json_string(last->source));
    }
    return o;
}

static int load(struct iam_config **ret_cfg, struct iam_faillock_state **ret, size_t *ret_n) {
    struct iam_error e;
    int r;

    iam_error_init(&e);
    r = iam_config_load(arg_config, ret_cfg, &e);
    if (r < 0)
        return iamctl_fail_error(&e);
    iam_error_init(&e);
    r = iam_faillock_list((*ret_cfg)->cache_dir, ret, ret_n, &e);
    if (r == -ENOMEM)
        return iamctl_fail("out of memory");
    if (r < 0 && e.set)
        return iamctl_fail_error(&e);
    if (r < 0)
        return iamctl_fail("%s/%s: %s", (*ret_cfg)->cache_dir, IAM_FAILLOCK_DIR_NAME,
                           strerror(-r));
    return 0;
}

int verb_list_lockouts(int argc, char *argv[]) {
    struct opt opts[] = {{"locked-only", OPT_FLAG}, {NULL}};
    struct iam_faillock_state *all = NULL;
    struct iam_config *cfg = NULL;
    json_t *list = NULL;
    int64_t now = trail_now();
    size_t n = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = load(&cfg, &all, &n)))
        goto out;
    list = json_array();
    if (!list) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (opt_get(opts, "locked-only")->set && !iam_faillock_locked(&all[i], now))
            continue;
        if (json_array_append_new(list, lockout_json(&all[i], now)) < 0) {
            r = iamctl_fail("out of memory");
            goto out;
        }
    }
    r = print_json(json_pack("{s:o}", "Lockouts", list));
    list = NULL;
out:
    json_decref(list);
    free(all);
    iam_config_free(cfg);
    opts_free(opts);
    return r;
}

/* The user's id from this host's auth.cache: 1 found (id copied), 0 not there. */
static int id_from_cache(const struct iam_config *cfg, const char *name, char *id, size_t size) {
    struct iam_auth_cache *cache = NULL;
    struct iam_auth_record *rec = NULL;
    struct iam_error e;
    char path[4096];
    int found = 0;

    iam_error_init(&e);
    if (snprintf(path, sizeof(path), "%s/%s", cfg->cache_dir, IAM_AUTH_CACHE_NAME) <
            (int)sizeof(path) &&
        iam_auth_cache_open(path, &cache, &e) == 0 &&
        iam_auth_cache_find(cache, name, &rec, &e) == 0 && iam_auth_record_user(rec)->user_id) {
        snprintf(id, size, "%s", iam_auth_record_user(rec)->user_id);
        found = 1;
    }
    iam_auth_record_free(rec);
    iam_auth_cache_close(cache);
    return found;
}

/* The user is found by name in auth.cache (so that a damaged tally can be cleared too) and
 * among the tallies (a user deleted since keeps hers until she is reset). */
int verb_reset_lockout(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct iam_faillock_state *all = NULL;
    struct iam_config *cfg = NULL;
    struct iam_error e;
    char id[129] = "";
    const char *name;
    size_t n = 0, found = 0;
    int r, q;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    name = opt_value(opts, "user-name");
    iam_error_init(&e);
    r = iam_config_load(arg_config, &cfg, &e);
    if (r < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    r = 0;
    if (id_from_cache(cfg, name, id, sizeof(id))) {
        iam_error_init(&e);
        q = iam_faillock_reset(cfg->cache_dir, id, &e);
        if (q < 0 && q != -ENOENT) {
            r = e.set ? iamctl_fail_error(&e) : iamctl_fail("%s", strerror(-q));
            goto out;
        }
        found += q == 0;
    }
    iam_error_init(&e);
    q = iam_faillock_list(cfg->cache_dir, &all, &n, &e);
    if (q < 0 && !found) {
        r = e.set ? iamctl_fail_error(&e) : iamctl_fail("%s", strerror(-q));
        goto out;
    }
    for (size_t i = 0; q == 0 && i < n; i++) {
        /* IAM user names are unique regardless of case */
        if (strcasecmp(all[i].user_name, name) != 0 || strcmp(all[i].user_id, id) == 0)
            continue;
        iam_error_init(&e);
        q = iam_faillock_reset(cfg->cache_dir, all[i].user_id, &e);
        if (q < 0 && q != -ENOENT) {
            r = e.set ? iamctl_fail_error(&e) : iamctl_fail("%s", strerror(-q));
            goto out;
        }
        found++;
        q = 0;
    }
    if (!found)
        r = iamctl_fail("NoSuchEntity: no failed logins are recorded for user %.64s on this "
                        "host (list-lockouts shows those that are)", name);
out:
    free(all);
    iam_config_free(cfg);
    opts_free(opts);
    return r;
}
