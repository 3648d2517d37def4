/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process-wide state of nss_iam: the cache in use (common/nss_cache/read.c: copied block by
 * block into private memory, never mapped from the file) and the two getent cursors, in one
 * struct behind one mutex (as systemd's GetentData). Every lookup holds the mutex from
 * finding the cache until its answer is copied into the caller's buffer, so a reload by
 * another thread can never free what is being read.
 *
 * Seeing a new cache without a restart, at less than the cost of a lookup:
 * the writer always installs a new file by rename, so "the cache changed" means "the path
 * names another inode (or the file's size, mtime or ctime moved)". Checking that costs one
 * lstat(), about 1.2 us here: more than a whole lookup. So the check is rate-limited by
 * CLOCK_MONOTONIC_COARSE, which glibc reads from the vDSO without a system call (a few ns):
 * an open, healthy cache is re-checked at most once per IAM_NSS_RECHECK_NS. A long-running
 * process (sshd, systemd) sees a newly compiled cache within one second; a new process maps
 * whatever is current. Without a usable cache (missing, damaged or unsafe file) there is
 * nothing to save, and every call tries again, so a cache that appears is used at once.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "nss_iam_private.h"

#define IAM_NSS_RECHECK_NS INT64_C(1000000000)

static struct {
    pthread_mutex_t lock;
    struct iam_nssc *cache;     /* current cache, one reference */
    int64_t checked_ns;         /* CLOCK_MONOTONIC_COARSE of the last check of the path */
    struct iam_nssc *pw_cursor; /* getpwent: the snapshot being enumerated, one reference */
    uint32_t pw_next;
    struct iam_nssc *gr_cursor;
    uint32_t gr_next;
} state = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

/*
 * fork() in one thread while another holds state.lock would leave the child's copy locked
 * forever, and its first lookup would hang. The handlers take the lock around fork, so the
 * child starts with it free. glibc ties handlers registered from a shared object to it
 * (__dso_handle) and drops them if it is ever unloaded.
 */
static void fork_prepare(void) {
    pthread_mutex_lock(&state.lock);
}

static void fork_release(void) {
    pthread_mutex_unlock(&state.lock);
}

static __attribute__((constructor)) void nss_iam_init(void) {
    (void)pthread_atfork(fork_prepare, fork_release, fork_release);
}

static int64_t now_ns(void) {
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) < 0)
        return -1;
    return (int64_t)ts.tv_sec * INT64_C(1000000000) + ts.tv_nsec;
}

/*
 * The path is fixed at build time. Tests may point elsewhere with IAM_NSS_CACHE, read with
 * secure_getenv() so a setuid or setgid program never honours it; such a cache may also be
 * owned by the caller's euid (a user can only fool their own unprivileged processes, which
 * they control anyway). The override must be an absolute path.
 */
static int cache_path(const char **ret_path, uid_t *ret_extra_owner) {
    const char *p = secure_getenv("IAM_NSS_CACHE");

    if (!p || !*p) {
        *ret_path = IAM_NSS_CACHE_PATH;
        *ret_extra_owner = (uid_t)-1;
        return 0;
    }
    if (p[0] != '/')
        return -EINVAL;
    *ret_path = p;
    *ret_extra_owner = geteuid();
    return 0;
}

/* Called with the lock held. */
static int get_cache(struct iam_nssc **ret) {
    struct iam_nssc *c = NULL;
    const char *path;
    uid_t extra_owner;
    int64_t now = now_ns();
    int r;

    if (state.cache && !iam_nssc_is_damaged(state.cache) && now >= state.checked_ns &&
        now - state.checked_ns < IAM_NSS_RECHECK_NS) {
        *ret = state.cache;
        return 0;
    }
    r = cache_path(&path, &extra_owner);
    if (r < 0)
        return r;
    if (state.cache && !iam_nssc_is_damaged(state.cache) && !iam_nssc_changed(state.cache, path)) {
        state.checked_ns = now;
        *ret = state.cache;
        return 0;
    }
    state.cache = iam_nssc_unref(state.cache);
    r = iam_nssc_open(path, extra_owner, &c);
    if (r == -ENOENT)
        return IAM_NSS_NO_CACHE; /* a missing cache is not a missing user */
    if (r < 0)
        return r;
    state.cache = c;
    state.checked_ns = now;
    *ret = c;
    return 0;
}

int iam_nss_getpwnam(const char *name, struct passwd *pwd, char *buf, size_t buflen) {
    struct iam_nssc_pw pw;
    struct iam_nssc *c;
    int r;

    pthread_mutex_lock(&state.lock);
    r = get_cache(&c);
    if (r >= 0)
        r = iam_nssc_user_by_name(c, name, &pw);
    if (r >= 0)
        r = iam_nss_pack_passwd(&pw, pwd, buf, buflen);
    pthread_mutex_unlock(&state.lock);
    return r;
}

int iam_nss_getpwuid(uid_t uid, struct passwd *pwd, char *buf, size_t buflen) {
    struct iam_nssc_pw pw;
    struct iam_nssc *c;
    int r;

    if (uid > UINT32_MAX)
        return -ENOENT;
    pthread_mutex_lock(&state.lock);
    r = get_cache(&c);
    if (r >= 0)
        r = iam_nssc_user_by_uid(c, (uint32_t)uid, &pw);
    if (r >= 0)
        r = iam_nss_pack_passwd(&pw, pwd, buf, buflen);
    pthread_mutex_unlock(&state.lock);
    return r;
}

int iam_nss_getgrnam(const char *name, struct group *grp, char *buf, size_t buflen) {
    struct iam_nssc_gr gr;
    struct iam_nssc *c;
    int r;

    pthread_mutex_lock(&state.lock);
    r = get_cache(&c);
    if (r >= 0)
        r = iam_nssc_group_by_name(c, name, &gr);
    if (r >= 0)
        r = iam_nss_pack_group(c, &gr, grp, buf, buflen);
    pthread_mutex_unlock(&state.lock);
    return r;
}

int iam_nss_getgrgid(gid_t gid, struct group *grp, char *buf, size_t buflen) {
    struct iam_nssc_gr gr;
    struct iam_nssc *c;
    int r;

    if (gid > UINT32_MAX)
        return -ENOENT;
    pthread_mutex_lock(&state.lock);
    r = get_cache(&c);
    if (r >= 0)
        r = iam_nssc_group_by_gid(c, (uint32_t)gid, &gr);
    if (r >= 0)
        r = iam_nss_pack_group(c, &gr, grp, buf, buflen);
    pthread_mutex_unlock(&state.lock);
    return r;
}

/* Enumeration works on the snapshot opened when it started: a reload in the middle neither
 * repeats nor skips entries. */
int iam_nss_setpwent(void) {
    struct iam_nssc *c;
    int r;

    pthread_mutex_lock(&state.lock);
    state.pw_cursor = iam_nssc_unref(state.pw_cursor);
    state.pw_next = 0;
    r = get_cache(&c);
    if (r >= 0)
        state.pw_cursor = iam_nssc_ref(c);
    pthread_mutex_unlock(&state.lock);
    return r < 0 ? r : 0;
}

void iam_nss_endpwent(void) {
    pthread_mutex_lock(&state.lock);
    state.pw_cursor = iam_nssc_unref(state.pw_cursor);
    state.pw_next = 0;
    pthread_mutex_unlock(&state.lock);
}

int iam_nss_getpwent(struct passwd *pwd, char *buf, size_t buflen) {
    struct iam_nssc_pw pw;
    struct iam_nssc *c;
    int r = 0;

    pthread_mutex_lock(&state.lock);
    if (!state.pw_cursor) {
        r = get_cache(&c);
        if (r >= 0) {
            state.pw_cursor = iam_nssc_ref(c);
            state.pw_next = 0;
        }
    }
    if (r >= 0)
        r = iam_nssc_user_at(state.pw_cursor, state.pw_next, &pw);
    if (r >= 0)
        r = iam_nss_pack_passwd(&pw, pwd, buf, buflen);
    if (r >= 0)
        state.pw_next++; /* not on -ERANGE: glibc retries the same entry with more room */
    pthread_mutex_unlock(&state.lock);
    return r;
}

int iam_nss_setgrent(void) {
    struct iam_nssc *c;
    int r;

    pthread_mutex_lock(&state.lock);
    state.gr_cursor = iam_nssc_unref(state.gr_cursor);
    state.gr_next = 0;
    r = get_cache(&c);
    if (r >= 0)
        state.gr_cursor = iam_nssc_ref(c);
    pthread_mutex_unlock(&state.lock);
    return r < 0 ? r : 0;
}

void iam_nss_endgrent(void) {
    pthread_mutex_lock(&state.lock);
    state.gr_cursor = iam_nssc_unref(state.gr_cursor);
    state.gr_next = 0;
    pthread_mutex_unlock(&state.lock);
}

int iam_nss_getgrent(struct group *grp, char *buf, size_t buflen) {
    struct iam_nssc_gr gr;
    struct iam_nssc *c;
    int r = 0;

    pthread_mutex_lock(&state.lock);
    if (!state.gr_cursor) {
        r = get_cache(&c);
        if (r >= 0) {
            state.gr_cursor = iam_nssc_ref(c);
            state.gr_next = 0;
        }
    }
    if (r >= 0)
        r = iam_nssc_group_at(state.gr_cursor, state.gr_next, &gr);
    if (r >= 0)
        r = iam_nss_pack_group(state.gr_cursor, &gr, grp, buf, buflen);
    if (r >= 0)
        state.gr_next++;
    pthread_mutex_unlock(&state.lock);
    return r;
}

/*
 * glibc's initgroups_dyn contract: append to (*groupsp)[*start...] the gids of the groups
 * listing user, except `skip` (the primary group, which the caller adds itself) and gids
 * already present; grow the array (malloc'd by glibc) by doubling, never beyond limit when
 * limit > 0, and stop quietly once it is full at limit.
 */
int iam_nss_initgroups(const char *user, gid_t skip, long int *start, long int *size,
                       gid_t **groupsp, long int limit) {
    const uint32_t *gids = NULL;
    struct iam_nssc *c;
    uint32_t n = 0;
    long int first;
    int r;

    if (!start || !size || !groupsp || !*groupsp || *start < 0 || *size < *start)
        return -EINVAL;
    pthread_mutex_lock(&state.lock);
    r = get_cache(&c);
    if (r < 0)
        goto out;
    first = *start;
    r = iam_nssc_member_gids(c, user, &gids, &n);
    if (r < 0)
        goto out;
    /* The cache lists each of a member's groups once (the writer refuses a member twice in
     * a group, and gids are unique), so only the entries the caller already had can repeat. */
    for (uint32_t i = 0; i < n; i++) {
        gid_t g = gids[i];
        bool dup = g == skip;

        for (long int k = 0; k < first && !dup; k++)
            dup = (*groupsp)[k] == g;
        if (dup)
            continue;
        if (*start == *size) {
            long int newsize;
            gid_t *ng;

            if (limit > 0 && *size >= limit)
                break;
            newsize = *size > 0 && *size <= LONG_MAX / 2 ? *size * 2 : *size + 8;
            if (limit > 0 && newsize > limit)
                newsize = limit;
            if ((unsigned long)newsize > SIZE_MAX / sizeof(gid_t)) {
                r = -ENOMEM;
                goto out;
            }
            ng = realloc(*groupsp, (size_t)newsize * sizeof(gid_t));
            if (!ng) {
                r = -ENOMEM;
                goto out;
            }
            *groupsp = ng;
            *size = newsize;
        }
        (*groupsp)[(*start)++] = g;
    }
    r = 0;
out:
    pthread_mutex_unlock(&state.lock);
    return r;
}
