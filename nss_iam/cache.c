/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process-wide state of nss_iam: the cache in use (common/nss_cache/read.c: copied block by
 * block into private memory, never mapped from the file) and the two getent cursors, in one
 * struct behind one mutex (as systemd's GetentData). Every lookup holds the mutex from
 * finding the cache until its answer is copied into the caller's buffer, so a reload by
 * another thread can never free what is being read.
 *
 * Seeing a new cache without a restart, at less than the cost of a lookup:
 * the installer always brings a new generation (iam_cache_dir.h), so "the cache changed"
 * means "the path, through <cache_dir>/current, names another inode (or the file's size,
 * mtime or ctime moved)", or iam.conf changed. Checking that costs a stat() of iam.conf, a
 * readlink() and an lstat(), a few us: more than a whole lookup. So the check is rate-limited by
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

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "iam/config.h"
#include "iam_cache_dir.h"
#include "nss_iam_private.h"

#define IAM_NSS_RECHECK_NS IAM_CACHE_RECHECK_NS

static struct {
    pthread_mutex_t lock;
    struct iam_nssc *cache;     /* current cache, one reference */
    int64_t checked_ns;         /* CLOCK_MONOTONIC_COARSE of the last check of the path */
    struct iam_nssc *pw_cursor; /* getpwent: the snapshot being enumerated, one reference */
    uint32_t pw_next;
    struct iam_nssc *gr_cursor;
    uint32_t gr_next;
    /* the default iam.conf as last read, and the cache path it gave */
    bool conf_valid;
    struct stat conf_st;
    char path[PATH_MAX];
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
 * Where the cache is: <cache_dir>/nss.cache, cache_dir read from the default iam.conf with
 * the very parser pam_iam and iamctl use (config.c), so the three always agree; the built-in
 * IAM_STATEDIR when there is no iam.conf (nothing is installed there either). An iam.conf
 * that cannot be used (unsafe owner or mode, a bad line) gives -EACCES or -EINVAL: UNAVAIL,
 * as pam_iam then fails closed too. The file is parsed again only when its identity (inode,
 * size, times) changed, and looked at no more often than the cache itself.
 *
 * Tests may name an nss.cache file with IAM_NSS_CACHE, read with secure_getenv() so a setuid
 * or setgid program never honours it; such a cache (and its directory) may also be owned by
 * the caller's euid (a user can only fool their own unprivileged processes, which they
 * control anyway). The override must be an absolute path.
 */
static int cache_path(const char **ret_path, uid_t *ret_extra_owner) {
    const char *p = secure_getenv("IAM_NSS_CACHE");
    struct stat st;

    if (p && *p) {
        if (p[0] != '/')
            return -EINVAL;
        *ret_path = p;
        *ret_extra_owner = geteuid();
        return 0;
    }
    *ret_extra_owner = (uid_t)-1;
    if (stat(IAM_CONFIG_DEFAULT_PATH, &st) < 0) {
        if (errno != ENOENT)
            return errno > 0 ? -errno : -EIO;
        memset(&st, 0, sizeof(st)); /* "no file" has an identity of its own: all zero */
    }
    if (!state.conf_valid || st.st_dev != state.conf_st.st_dev ||
        st.st_ino != state.conf_st.st_ino || st.st_size != state.conf_st.st_size ||
        st.st_mtim.tv_sec != state.conf_st.st_mtim.tv_sec ||
        st.st_mtim.tv_nsec != state.conf_st.st_mtim.tv_nsec ||
        st.st_ctim.tv_sec != state.conf_st.st_ctim.tv_sec ||
        st.st_ctim.tv_nsec != state.conf_st.st_ctim.tv_nsec) {
        struct iam_config *c = NULL;
        struct iam_error e;
        int r, n;

        state.conf_valid = false;
        iam_error_init(&e);
        r = st.st_ino ? iam_config_load(IAM_CONFIG_DEFAULT_PATH, &c, &e) : -ENOENT;
        if (r == -ENOENT)
            n = snprintf(state.path, sizeof(state.path), "%s/%s", IAM_STATEDIR,
                         IAM_CACHE_NSS_NAME);
        else if (r < 0)
            return r;
        else
            n = snprintf(state.path, sizeof(state.path), "%s/%s", c->cache_dir,
                         IAM_CACHE_NSS_NAME);
        iam_config_free(c);
        if (n < 0 || (size_t)n >= sizeof(state.path))
            return -ENAMETOOLONG;
        state.conf_st = st;
        state.conf_valid = true;
    }
    *ret_path = state.path;
    return 0;
}

/* Called with the lock held. */
static int get_cache(struct iam_nssc **ret) {
    struct iam_nssc *c = NULL;
    const char *path = NULL;
    uid_t extra_owner = (uid_t)-1;
    int64_t now = now_ns();
    int r;

    if (state.cache && !iam_nssc_is_damaged(state.cache) && now >= state.checked_ns &&
        now - state.checked_ns < IAM_NSS_RECHECK_NS) {
        *ret = state.cache;
        return 0;
    }
    r = cache_path(&path, &extra_owner);
    if (r < 0) {
        state.cache = iam_nssc_unref(state.cache); /* an unusable iam.conf: nothing is known */
        return r;
    }
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
