/* SPDX-License-Identifier: Apache-2.0 */
/* The record of the key sshd asked iam-authorized-keys about (ssh_keys_read.h): libc only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh_keys_read.h"

#define RECORD_MAX 1024

static bool word_ok(const char *s, size_t max) {
    size_t n = strnlen(s, max + 1);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

/* Records nobody took (the client went away before the account phase) older than
 * IAM_SSHK_LOGIN_MAX_AGE: removed by the next writer, so the directory stays small. */
static void sweep(const char *dir, int64_t now) {
    DIR *d = opendir(dir);
    struct dirent *de;
    struct stat st;

    if (!d)
        return;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            now - (int64_t)st.st_mtime > IAM_SSHK_LOGIN_MAX_AGE)
            (void)unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
}

int iam_sshk_login_write(const char *cache_dir, pid_t pid, const struct iam_sshk_login *l) {
    char path[PATH_MAX], tmp[PATH_MAX], text[RECORD_MAX];
    int fd, n, r = 0;

    if (!word_ok(l->user, sizeof(l->user) - 1) ||
        !word_ok(l->fingerprint, sizeof(l->fingerprint) - 1) || pid <= 0)
        return -EINVAL;
    n = snprintf(text, sizeof(text), "v1 %s %" PRIu32 " %s %" PRId64 "\n", l->user, l->uid,
                 l->fingerprint, l->time);
    if (n < 0 || (size_t)n >= sizeof(text) ||
        snprintf(path, sizeof(path), "%s/" IAM_SSHK_LOGIN_DIR "/%ld", cache_dir, (long)pid) >=
            (int)sizeof(path) ||
        snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
        return -E2BIG;
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (write(fd, text, (size_t)n) != n)
        r = errno ? -errno : -EIO;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
        (void)unlink(tmp);
        return r;
    }
    *strrchr(path, '/') = 0;
    sweep(path, l->time);
    return 0;
}

/* One number of the record: digits only, at most max. */
static int number(const char *s, unsigned long long max, unsigned long long *ret) {
    char *end;

    if (!s || s[0] < '0' || s[0] > '9')
        return -EBADMSG;
    errno = 0;
    *ret = strtoull(s, &end, 10);
    return errno || *end || *ret > max ? -EBADMSG : 0;
}

/* "v1 USER UID FINGERPRINT TIME\n" (text is modified). */
static int parse(char *text, struct iam_sshk_login *ret) {
    char *save = NULL, *f[6];
    unsigned long long uid, t;
    size_t n = strlen(text);

    if (n == 0 || text[n - 1] != '\n')
        return -EBADMSG;
    text[n - 1] = 0;
    f[0] = strtok_r(text, " ", &save);
    for (int i = 1; i < 6; i++)
        f[i] = strtok_r(NULL, " ", &save);
    if (!f[0] || strcmp(f[0], "v1") != 0 || !f[4] || f[5] ||
        !word_ok(f[1], sizeof(ret->user) - 1) || !word_ok(f[3], sizeof(ret->fingerprint) - 1) ||
        number(f[2], UINT32_MAX - 1, &uid) < 0 || uid == 0 || number(f[4], INT64_MAX, &t) < 0)
        return -EBADMSG;
    memcpy(ret->user, f[1], strlen(f[1]) + 1);
    memcpy(ret->fingerprint, f[3], strlen(f[3]) + 1);
    ret->uid = (uint32_t)uid;
    ret->time = (int64_t)t;
    return 0;
}

int iam_sshk_login_take(const char *cache_dir, pid_t pid, int64_t now, struct iam_sshk_login *ret) {
    char dir[PATH_MAX], path[PATH_MAX], text[RECORD_MAX + 1];
    struct stat ds, fs;
    ssize_t n;
    int fd, r;

    memset(ret, 0, sizeof(*ret));
    if (snprintf(dir, sizeof(dir), "%s/" IAM_SSHK_LOGIN_DIR, cache_dir) >= (int)sizeof(dir) ||
        snprintf(path, sizeof(path), "%s/%ld", dir, (long)pid) >= (int)sizeof(path))
        return -E2BIG;
    if (lstat(dir, &ds) < 0)
        return -errno;
    if (!S_ISDIR(ds.st_mode) || (ds.st_mode & 07777) != 0700)
        return -EACCES;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ELOOP ? -EACCES : -errno;
    if (fstat(fd, &fs) < 0) {
        r = -errno;
        goto out;
    }
    r = -EACCES;
    if (!S_ISREG(fs.st_mode) || fs.st_uid != ds.st_uid || fs.st_nlink != 1 ||
        (fs.st_mode & (S_IWGRP | S_IWOTH)))
        goto out;
    r = -EBADMSG;
    n = read(fd, text, RECORD_MAX);
    if (n <= 0 || n >= RECORD_MAX)
        goto out;
    text[n] = 0;
    if ((r = parse(text, ret)) < 0)
        goto out;
    r = ret->time > now + 5 || now - ret->time > IAM_SSHK_LOGIN_MAX_AGE ? -ENOENT : 0;
out:
    close(fd);
    (void)unlink(path); /* taken: a later process with the same pid finds nothing */
    if (r < 0)
        memset(ret, 0, sizeof(*ret));
    return r;
}
