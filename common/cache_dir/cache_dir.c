/* SPDX-License-Identifier: Apache-2.0 */
/* The cache directory's generations, as the readers see them (iam_cache_dir.h). libc only. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "iam_cache_dir.h"

/* How often a reader starts over when the generation it read in `current` is gone before it
 * could open it: each retry means a whole install happened meanwhile, so a few are plenty. */
#define OPEN_ATTEMPTS 4

void iam_cache_gen_name(uint64_t n, char out[IAM_CACHE_GEN_NAME_LEN + 1]) {
    static const char hex[] = "0123456789abcdef";

    memcpy(out, IAM_CACHE_GEN_PREFIX, 4);
    for (int i = 0; i < 16; i++)
        out[4 + i] = hex[(n >> (60 - 4 * i)) & 0xf];
    out[IAM_CACHE_GEN_NAME_LEN] = '\0';
}

bool iam_cache_gen_parse(const char *s, size_t len, uint64_t *ret_n) {
    uint64_t n = 0;

    if (len != IAM_CACHE_GEN_NAME_LEN || memcmp(s, IAM_CACHE_GEN_PREFIX, 4) != 0)
        return false;
    for (size_t i = 4; i < len; i++) {
        char c = s[i];
        unsigned v;

        if (c >= '0' && c <= '9')
            v = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (unsigned)(c - 'a' + 10);
        else
            return false;
        n = n << 4 | v;
    }
    *ret_n = n;
    return true;
}

bool iam_cache_stat_ok(const struct stat *st, bool want_dir, uid_t extra_owner) {
    if (want_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
        return false;
    if (st->st_uid != 0 && (extra_owner == (uid_t)-1 || st->st_uid != extra_owner))
        return false;
    return (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* path = <dir>/<name>: the directory part into dir (NUL-terminated), the name returned. */
static const char *split(const char *path, char *dir, size_t size) {
    const char *slash = strrchr(path, '/');
    size_t n;

    if (!slash) {
        if (size < 2)
            return NULL;
        memcpy(dir, ".", 2);
        return path;
    }
    n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= size || !slash[1])
        return NULL;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return slash + 1;
}

/* Read `current` in the directory dfd: 1 and the generation name in gen, 0 when there is none
 * (a directory of the older layout), -EACCES when it is not a well-formed link, -errno. */
static int read_current(int dfd, char gen[IAM_CACHE_GEN_NAME_LEN + 1]) {
    char buf[IAM_CACHE_GEN_NAME_LEN + 2];
    uint64_t n;
    ssize_t len = readlinkat(dfd, IAM_CACHE_CURRENT, buf, sizeof(buf));

    if (len < 0)
        return errno == ENOENT ? 0 : errno == EINVAL ? -EACCES : -errno;
    if (!iam_cache_gen_parse(buf, (size_t)len, &n))
        return -EACCES;
    memcpy(gen, buf, IAM_CACHE_GEN_NAME_LEN);
    gen[IAM_CACHE_GEN_NAME_LEN] = '\0';
    return 1;
}

/* openat(O_NOFOLLOW) then fstat and check. -ENOENT, -EACCES (a symbolic link, wrong type,
 * owner or mode) or -errno. */
static int open_checked(int at, const char *name, bool dir, uid_t extra_owner, int *ret_fd,
                        struct stat *ret_st) {
    int fd =
        openat(at, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | (dir ? O_DIRECTORY : 0));

    if (fd < 0)
        return errno == ELOOP || (dir && errno == ENOTDIR) ? -EACCES : -errno;
    if (fstat(fd, ret_st) < 0) {
        int r = -errno;
        close(fd);
        return r;
    }
    if (!iam_cache_stat_ok(ret_st, dir, extra_owner)) {
        close(fd);
        return -EACCES;
    }
    *ret_fd = fd;
    return 0;
}

int iam_cache_open(const char *path, uid_t extra_owner, int *ret_fd, struct stat *ret_st) {
    return iam_cache_open_current(path, extra_owner, ret_fd, ret_st, NULL, 0);
}

/* ret_cur: "<dir>/<gen>/<name>", or path itself when gen is NULL */
static int current_name(const char *path, const char *dir, const char *gen, const char *name,
                        char *ret_cur, size_t size) {
    int n = gen ? snprintf(ret_cur, size, "%s/%s/%s", dir, gen, name)
                : snprintf(ret_cur, size, "%s", path);

    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int iam_cache_open_current(const char *path, uid_t extra_owner, int *ret_fd, struct stat *ret_st,
                           char *ret_cur, size_t size) {
    char dir[PATH_MAX], gen[IAM_CACHE_GEN_NAME_LEN + 1];
    const char *name;
    int r = -ENOENT;

    if (!path || !ret_fd || !ret_st || (ret_cur && !size))
        return -EINVAL;
    name = split(path, dir, sizeof(dir));
    if (!name)
        return -ENAMETOOLONG;
    for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
        struct stat st;
        int dfd, gfd = -1;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
        if (dfd < 0)
            return -errno;
        r = read_current(dfd, gen);
        if (r == 0) {
            /* no generations: the file itself, as before */
            r = ret_cur ? current_name(path, dir, NULL, name, ret_cur, size) : 0;
            if (r == 0)
                r = open_checked(dfd, name, false, extra_owner, ret_fd, ret_st);
            close(dfd);
            return r;
        }
        if (r > 0) {
            /* `current` is only trusted in a directory nobody else can write */
            if (fstat(dfd, &st) < 0)
                r = -errno;
            else if (!iam_cache_stat_ok(&st, true, extra_owner))
                r = -EACCES;
            else if (ret_cur)
                r = current_name(path, dir, gen, name, ret_cur, size);
            if (r >= 0)
                r = open_checked(dfd, gen, true, extra_owner, &gfd, &st);
            if (r == 0) {
                r = open_checked(gfd, name, false, extra_owner, ret_fd, ret_st);
                close(gfd);
            }
        }
        close(dfd);
        if (r != -ENOENT)
            return r;
        /* the generation, or the file in it, went away under us: start over */
    }
    return r;
}

int iam_cache_current_path(const char *path, char *buf, size_t size) {
    char dir[PATH_MAX], link[PATH_MAX], target[IAM_CACHE_GEN_NAME_LEN + 2];
    const char *name;
    uint64_t gen;
    ssize_t len;
    int n;

    name = path ? split(path, dir, sizeof(dir)) : NULL;
    if (!name)
        return -ENAMETOOLONG;
    n = snprintf(link, sizeof(link), "%s/" IAM_CACHE_CURRENT, dir);
    if (n < 0 || (size_t)n >= sizeof(link))
        return -ENAMETOOLONG;
    len = readlink(link, target, sizeof(target));
    if (len < 0 && errno == ENOENT)
        n = snprintf(buf, size, "%s", path);
    else if (len < 0)
        return errno == EINVAL ? -EACCES : -errno;
    else if (!iam_cache_gen_parse(target, (size_t)len, &gen))
        return -EACCES;
    else
        n = snprintf(buf, size, "%s/%.*s/%s", dir, (int)len, target, name);
    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    return 0;
}
