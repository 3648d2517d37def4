/* SPDX-License-Identifier: Apache-2.0 */
/* Installing a pair of caches as one generation (caches.h), the SSH key cache beside them,
 * and telling nscd. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iam/caches.h"
#include "iam/config.h"
#include "iam/fileio.h"
#include "iam/ssh_keys.h"
#include "iam_cache_dir.h"
#include "ssh_keys/include/ssh_keys_read.h"

#define LOCK_TIMEOUT_MS 10000
#define TMP_SUFFIX ".new"
#define NSCD_SOCKET "/var/run/nscd/socket" /* glibc's _PATH_NSCDSOCKET */
#define NSCD_PROGRAM "/usr/sbin/nscd"      /* glibc's nscd and unscd alike */
#define NSCD_MARGIN_NS INT64_C(100000000)  /* past the readers' recheck: coarse clock ticks */

static bool is_nss_dir(const char *dir);
static bool nscd_running(void);

static int fail(struct iam_error *e, const char *path, int r, const char *what) {
    iam_error_set_source(e, path);
    iam_error_set(e, 0, 0, 0, "%s: %s", what, strerror(-r));
    return r;
}

/* The cache directory: created 0755 when missing; a directory (not a symbolic link) owned by
 * root or by us, closed to group and other writes, which is what the readers demand. */
static int open_cache_dir(const char *dir, int *ret_fd, struct iam_error *reterr) {
    struct stat st;
    int fd;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return fail(reterr, dir, -errno, "cannot create the cache directory");
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR) {
            iam_error_set_source(reterr, dir);
            iam_error_set(reterr, 0, 0, 0,
                          "refusing to use the cache directory: not a directory (a symbolic "
                          "link?)");
            return -EACCES;
        }
        return fail(reterr, dir, -errno, "cannot open the cache directory");
    }
    if (fstat(fd, &st) < 0) {
        int r = fail(reterr, dir, -errno, "cannot stat the cache directory");
        close(fd);
        return r;
    }
    if (!iam_cache_stat_ok(&st, true, geteuid())) {
        iam_error_set_source(reterr, dir);
        iam_error_set(reterr, 0, 0, 0,
                      "refusing to use the cache directory: not a root-owned directory closed "
                      "to group and other writes");
        close(fd);
        return -EACCES;
    }
    *ret_fd = fd;
    return 0;
}

static int lock_dir(int dfd, const char *dir, int *ret_fd, struct iam_error *reterr) {
    struct timespec start, now;
    struct stat st;
    int fd =
        openat(dfd, IAM_CACHES_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);

    if (fd < 0)
        return fail(reterr, dir, errno == ELOOP ? -EACCES : -errno, "cannot open the install lock");
    if (fstat(fd, &st) < 0 || !iam_cache_stat_ok(&st, false, geteuid())) {
        close(fd);
        return fail(reterr, dir, -EACCES, "unsafe install lock");
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        struct timespec ts = {0, 10 * 1000 * 1000};

        if (errno != EWOULDBLOCK && errno != EINTR) {
            int r = fail(reterr, dir, -errno, "cannot lock");
            close(fd);
            return r;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L >=
            LOCK_TIMEOUT_MS) {
            iam_error_set_source(reterr, dir);
            iam_error_set(reterr, 0, 0, 0, "another install holds the lock (waited %u ms)",
                          LOCK_TIMEOUT_MS);
            close(fd);
            return -EAGAIN;
        }
        nanosleep(&ts, NULL);
    }
    *ret_fd = fd;
    return 0;
}

/* Remove a generation directory and the files in it (only ours are there: the directory is
 * root's alone). Missing is fine. */
static int remove_gen(int dfd, const char *name) {
    int gfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *de;
    int r = 0;

    if (gfd < 0)
        return errno == ENOENT ? 0 : -errno;
    d = fdopendir(gfd);
    if (!d) {
        r = -errno;
        close(gfd);
        return r;
    }
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
            r = -errno;
    closedir(d);
    if (r == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        r = -errno;
    return r;
}

/* Remove every generation but keep1 and keep2, and temporary names a crash left behind. */
static int cleanup(int dfd, const char *keep1, const char *keep2) {
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d;
    struct dirent *de;
    int r = 0;

    if (fd < 0)
        return -errno;
    d = fdopendir(fd);
    if (!d) {
        r = -errno;
        close(fd);
        return r;
    }
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        size_t len = strlen(n), sl = strlen(TMP_SUFFIX);
        uint64_t g;
        int q = 0;

        if (iam_cache_gen_parse(n, len, &g)) {
            if ((keep1 && strcmp(n, keep1) == 0) || (keep2 && strcmp(n, keep2) == 0))
                continue;
            q = remove_gen(dfd, n);
        } else if (len > sl && strcmp(n + len - sl, TMP_SUFFIX) == 0 &&
                   (strncmp(n, IAM_CACHE_CURRENT ".", strlen(IAM_CACHE_CURRENT) + 1) == 0 ||
                    strncmp(n, IAM_CACHE_NSS_NAME ".", strlen(IAM_CACHE_NSS_NAME) + 1) == 0 ||
                    strncmp(n, IAM_CACHE_AUTH_NAME ".", strlen(IAM_CACHE_AUTH_NAME) + 1) == 0)) {
            if (unlinkat(dfd, n, 0) < 0 && errno != ENOENT)
                q = -errno;
        }
        if (q < 0 && r == 0)
            r = q;
    }
    closedir(d);
    return r;
}

static int write_file(int gfd, const char *name, const void *data, size_t len, mode_t mode) {
    const char *p = data;
    int fd = openat(gfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    int r = 0;

    if (fd < 0)
        return -errno;
    if (fchmod(fd, mode) < 0)
        r = -errno;
    while (r == 0 && len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    return r;
}

/* Bytes compared at a time between a new image and the previous one (a run of equal chunks
 * is one copy_file_range). */
#define DELTA_CHUNK (64u * 1024u)

static int pwrite_all(int fd, const char *p, size_t len, off_t off) {
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        off += n;
        len -= (size_t)n;
    }
    return 0;
}

/* [off, off + len) of src into fd at the same offset, in the kernel; written from data when
 * the file system cannot (or the source turns out shorter). */
static int copy_span(int src, int fd, const char *data, size_t len, off_t off) {
    loff_t in = off, out = off;
    size_t left = len;

    while (left > 0) {
        ssize_t n = copy_file_range(src, &in, fd, &out, left, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return pwrite_all(fd, data + (len - left), left, (off_t)out);
        left -= (size_t)n;
    }
    return 0;
}

/* The contents of a new file written as data, the spans it shares with prev (the bytes of
 * the file src) copied from src instead. */
static int write_delta(int fd, int src, const char *data, size_t len, const char *prev,
                       size_t prev_len) {
    size_t at = 0;
    int r = 0;

    while (r == 0 && at < len) {
        size_t end = at;
        bool same = false;

        /* a run of chunks that are all equal to prev's, or all not */
        for (;;) {
            size_t n = len - end < DELTA_CHUNK ? len - end : DELTA_CHUNK;
            bool eq = end + n <= prev_len && memcmp(data + end, prev + end, n) == 0;

            if (end > at && eq != same)
                break;
            same = eq;
            end += n;
            if (end >= len)
                break;
        }
        r = same ? copy_span(src, fd, data + at, end - at, (off_t)at)
                 : pwrite_all(fd, data + at, end - at, (off_t)at);
        at = end;
    }
    return r;
}

/* A new file of the generation from data; with prev (the bytes of from's file of the same
 * name) the spans equal to it copied from that file. */
static int write_file_from(int dfd, int gfd, const char *from, const char *name,
                           const void *data, size_t len, const void *prev, size_t prev_len,
                           mode_t mode) {
    char path[IAM_CACHE_GEN_NAME_LEN + 64];
    struct stat st;
    int fd, src, r = 0;

    if (!prev || !from)
        return write_file(gfd, name, data, len, mode);
    snprintf(path, sizeof(path), "%s/%s", from, name);
    src = openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (src < 0 || fstat(src, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != prev_len) {
        if (src >= 0)
            close(src);
        return write_file(gfd, name, data, len, mode);
    }
    fd = openat(gfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        r = -errno;
        close(src);
        return r;
    }
    if (fchmod(fd, mode) < 0)
        r = -errno;
    if (r == 0)
        r = write_delta(fd, src, data, len, prev, prev_len);
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    close(src);
    return r;
}

/* Point name (in dfd) at target, replacing whatever is there, by a temporary name + rename. */
static int replace_symlink(int dfd, const char *target, const char *name) {
    char tmp[64];

    snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, name);
    if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT)
        return -errno;
    if (symlinkat(target, dfd, tmp) < 0)
        return -errno;
    if (renameat(dfd, tmp, dfd, name) < 0) {
        int r = -errno;
        (void)unlinkat(dfd, tmp, 0);
        return r;
    }
    return 0;
}

/* <cache_dir>/<name> becomes a hard link to <gen>/<name>. */
static int replace_link(int dfd, const char *gen, const char *name) {
    char tmp[64], src[IAM_CACHE_GEN_NAME_LEN + 64];

    snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, name);
    snprintf(src, sizeof(src), "%s/%s", gen, name);
    if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT)
        return -errno;
    if (linkat(dfd, src, dfd, tmp, 0) < 0)
        return -errno;
    if (renameat(dfd, tmp, dfd, name) < 0) {
        int r = -errno;
        (void)unlinkat(dfd, tmp, 0);
        return r;
    }
    return 0;
}

/* One file of the new generation: written from data, or, when data is NULL and from names a
 * generation, a hard link to that generation's file of the same name (the file is already
 * on disk; nothing is copied). */
static int put_file(int dfd, int gfd, const char *from, const char *name, const void *data,
                    size_t len, const void *prev, size_t prev_len, mode_t mode) {
    char src[IAM_CACHE_GEN_NAME_LEN + 64];

    if (data || !from)
        return write_file_from(dfd, gfd, from, name, data, len, data ? prev : NULL, prev_len,
                               mode);
    snprintf(src, sizeof(src), "%s/%s", from, name);
    return linkat(dfd, src, gfd, name, 0) < 0 ? -errno : 0;
}

int iam_caches_install(const char *cache_dir, const void *nss, size_t nss_len, const void *auth,
                       size_t auth_len, uint64_t *ret_generation, struct iam_error *reterr) {
    const struct iam_caches_set set = {
        .nss = nss, .nss_len = nss_len, .auth = auth, .auth_len = auth_len};

    if ((!nss && nss_len) || (!auth && auth_len))
        return -EINVAL;
    return iam_caches_install_set(cache_dir, &set, ret_generation, reterr);
}

int iam_caches_install_set(const char *cache_dir, const struct iam_caches_set *set,
                           uint64_t *ret_generation, struct iam_error *reterr) {
    char cur[IAM_CACHE_GEN_NAME_LEN + 2], gen[IAM_CACHE_GEN_NAME_LEN + 1];
    char prev[IAM_CACHE_GEN_NAME_LEN + 1] = "";
    struct timespec switched = {0, 0};
    uint64_t n = 0;
    ssize_t len;
    int dfd = -1, gfd = -1, lfd = -1, r;

    if (ret_generation)
        *ret_generation = 0;
    if (!cache_dir || cache_dir[0] != '/' || !set || (set->from && !set->from[0]) ||
        (!set->from && ((!set->nss && set->nss_len) || (!set->auth && set->auth_len))))
        return -EINVAL;
    r = open_cache_dir(cache_dir, &dfd, reterr);
    if (r < 0)
        goto out;
    r = lock_dir(dfd, cache_dir, &lfd, reterr);
    if (r < 0)
        goto out;
    /* the generation now current, if any: the next one is N + 1 */
    len = readlinkat(dfd, IAM_CACHE_CURRENT, cur, sizeof(cur));
    if (len >= 0) {
        if (!iam_cache_gen_parse(cur, (size_t)len, &n) || n == UINT64_MAX) {
            iam_error_set_source(reterr, cache_dir);
            iam_error_set(reterr, 0, 0, 0,
                          "refusing to install: \"%s\" is not a link to a generation of "
                          "caches (gen.<16 hex digits>); remove it",
                          IAM_CACHE_CURRENT);
            r = -EACCES;
            goto out;
        }
        memcpy(prev, cur, IAM_CACHE_GEN_NAME_LEN);
        prev[IAM_CACHE_GEN_NAME_LEN] = '\0';
    } else if (errno != ENOENT) {
        r = fail(reterr, cache_dir, errno == EINVAL ? -EACCES : -errno,
                 "refusing to install: cannot read the link \"" IAM_CACHE_CURRENT "\"");
        goto out;
    }
    if (set->from && strcmp(set->from, prev) != 0) {
        /* another install came in between: the files to link are not the current ones */
        iam_error_set_source(reterr, cache_dir);
        iam_error_set(reterr, 0, 0, 0, "the caches changed while the new ones were made");
        r = -ESTALE;
        goto out;
    }
    iam_cache_gen_name(n + 1, gen);
    /* what a crashed install may have left, the new generation's name included */
    r = cleanup(dfd, prev[0] ? prev : NULL, NULL);
    if (r < 0) {
        fail(reterr, cache_dir, r, "cannot remove an unfinished install");
        goto out;
    }

    /* 1. the new generation, complete on disk */
    if (mkdirat(dfd, gen, 0755) < 0) {
        r = fail(reterr, cache_dir, -errno, "cannot create the generation directory");
        goto out;
    }
    gfd = openat(dfd, gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (gfd < 0 || fchmod(gfd, 0755) < 0) {
        r = fail(reterr, cache_dir, -errno, "cannot open the generation directory");
        goto out;
    }
    r = put_file(dfd, gfd, set->from, IAM_CACHE_AUTH_NAME, set->auth, set->auth_len,
                 set->auth_prev, set->auth_prev_len, 0600);
    if (r == 0)
        r = put_file(dfd, gfd, set->from, IAM_CACHE_NSS_NAME, set->nss, set->nss_len,
                     set->nss_prev, set->nss_prev_len, 0644);
    if (r == 0 && set->state)
        r = write_file(gfd, IAM_CACHES_STATE_NAME, set->state, set->state_len, 0600);
    if (r == 0 && fsync(gfd) < 0)
        r = -errno;
    if (r < 0) {
        fail(reterr, cache_dir, r, "cannot write the new caches");
        (void)remove_gen(dfd, gen);
        goto out;
    }

    /* 2. the switch: one rename, then make it durable */
    r = replace_symlink(dfd, gen, IAM_CACHE_CURRENT);
    if (r < 0) {
        fail(reterr, cache_dir, r, "cannot switch to the new caches");
        (void)remove_gen(dfd, gen);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &switched);
    if (fsync(dfd) < 0) {
        r = fail(reterr, cache_dir, -errno, "cannot fsync the cache directory");
        goto out;
    }
    if (ret_generation)
        *ret_generation = n + 1;

    /* 3. the plain names follow, for tools and older readers; then the old generations go
     *    (the one before stays: a reader may have read `current` just before the switch) */
    r = replace_link(dfd, gen, IAM_CACHE_AUTH_NAME);
    if (r == 0)
        r = replace_link(dfd, gen, IAM_CACHE_NSS_NAME);
    if (r < 0) {
        fail(reterr, cache_dir, r, "the new caches are current, but the links to them failed");
        goto out;
    }
    r = cleanup(dfd, gen, prev[0] ? prev : NULL);
    if (r == 0 && fsync(dfd) < 0)
        r = -errno;
    if (r < 0) {
        fail(reterr, cache_dir, r, "the new caches are current, but old ones remain");
        goto out;
    }
    r = 0;
out:
    if (gfd >= 0)
        close(gfd);
    if (lfd >= 0)
        close(lfd); /* releases the lock */
    if (dfd >= 0)
        close(dfd);
    if (r == 0 && is_nss_dir(cache_dir) && nscd_running()) {
        /* nscd remembers what the host's NSS module answered. Its own copy of the module may
         * keep the old generation for IAM_CACHE_RECHECK_NS after the switch, and would hand
         * nscd the old answers again if nscd asked it sooner: wait that out, then tell it. */
        struct timespec now, ts;
        int64_t left;

        clock_gettime(CLOCK_MONOTONIC, &now);
        left = (int64_t)(switched.tv_sec - now.tv_sec) * INT64_C(1000000000) +
               (switched.tv_nsec - now.tv_nsec) + IAM_CACHE_RECHECK_NS + NSCD_MARGIN_NS;
        if (left > 0) {
            ts.tv_sec = (time_t)(left / INT64_C(1000000000));
            ts.tv_nsec = (long)(left % INT64_C(1000000000));
            while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        }
        if (iam_nscd_invalidate(reterr) < 0)
            r = 1;
    }
    return r;
}

/* Whether dir is the cache directory the host's NSS module reads. */
/* <cache_dir>/sshd-keys: where iam-authorized-keys, run by sshd as IAM_SSHK_COMMAND_USER,
 * notes the key sshd is checking for pam_iam's account phase (ssh_keys_read.h). Made 0700
 * for that user when missing; left as it is otherwise (an administrator who runs the command
 * as another user gives the directory to that user). */
static int ensure_login_dir(const char *cache_dir, struct iam_error *reterr) {
    struct passwd pw, *res = NULL;
    char *dir = NULL, buf[4096];
    int r = 0;

    if (asprintf(&dir, "%s/" IAM_SSHK_LOGIN_DIR, cache_dir) < 0)
        return fail(reterr, cache_dir, -ENOMEM, "cannot name the directory");
    if (mkdir(dir, 0700) < 0) {
        if (errno != EEXIST) {
            r = -errno;
            iam_error_set_source(reterr, dir);
            iam_error_set(reterr, 0, 0, 0, "cannot create the directory: %s", strerror(-r));
        }
        goto out;
    }
    if (geteuid() == 0 &&
        getpwnam_r(IAM_SSHK_COMMAND_USER, &pw, buf, sizeof(buf), &res) == 0 && res &&
        chown(dir, res->pw_uid, res->pw_gid) < 0) {
        r = -errno;
        iam_error_set_source(reterr, dir);
        iam_error_set(reterr, 0, 0, 0, "cannot give the directory to %s: %s",
                      IAM_SSHK_COMMAND_USER, strerror(-r));
        (void)rmdir(dir);
    }
out:
    free(dir);
    return r;
}

int iam_caches_install_ssh_keys(const char *cache_dir, const void *data, size_t len,
                                struct iam_error *reterr) {
    char *path = NULL;
    int r;

    if (asprintf(&path, "%s/" IAM_SSH_KEYS_CACHE_NAME, cache_dir) < 0)
        return fail(reterr, cache_dir, -ENOMEM, "cannot name the SSH key cache");
    r = iam_file_write_atomic(path, data, len, 0644, reterr);
    free(path);
    return r < 0 ? r : ensure_login_dir(cache_dir, reterr);
}

static bool is_nss_dir(const char *dir) {
    char *nss_dir = iam_caches_nss_dir();
    struct stat a, b;
    bool same = nss_dir && stat(nss_dir, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino;

    free(nss_dir);
    return same;
}

char *iam_caches_nss_dir(void) {
    struct iam_config *c = NULL;
    struct iam_error e;
    char *dir;
    int r;

    iam_error_init(&e);
    r = iam_config_load(IAM_CONFIG_DEFAULT_PATH, &c, &e);
    if (r == -ENOENT)
        return strdup(IAM_STATEDIR);
    if (r < 0)
        return NULL;
    dir = strdup(c->cache_dir);
    iam_config_free(c);
    return dir;
}

/* Whether a server listens on nscd's socket (connect succeeds). */
static bool nscd_running(void) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool up;

    if (fd < 0)
        return false;
    memcpy(sa.sun_path, NSCD_SOCKET, sizeof(NSCD_SOCKET));
    up = connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return up;
}

/* Run `nscd -i <db>`, quiet; 0 when it exited 0. */
static int nscd_invalidate_one(const char *db) {
    /* posix_spawn takes char *const []: writable copies, not casts of literals */
    char a0[] = "nscd", a1[] = "-i", a2[16], e0[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    char *const argv[] = {a0, a1, a2, NULL};
    char *const envp[] = {e0, NULL};
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st, r;

    if (snprintf(a2, sizeof(a2), "%s", db) >= (int)sizeof(a2))
        return -EINVAL;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -ENOMEM;
    if (posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -ENOMEM;
    }
    r = posix_spawn(&pid, NSCD_PROGRAM, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0)
        return -r;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

int iam_nscd_invalidate(struct iam_error *reterr) {
    int r;

    if (!nscd_running())
        return 1;
    r = nscd_invalidate_one("passwd");
    if (r == 0)
        r = nscd_invalidate_one("group");
    if (r < 0) {
        iam_error_set_source(reterr, NSCD_PROGRAM);
        iam_error_set(reterr, 0, 0, 0,
                      "nscd runs, but it could not be told to drop its caches (%s): run "
                      "`nscd -i passwd; nscd -i group`, or it answers from its old cache for "
                      "up to 10 minutes (passwd) and an hour (group)",
                      strerror(-r));
    }
    return r;
}
