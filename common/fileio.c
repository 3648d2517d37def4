/* SPDX-License-Identifier: Apache-2.0 */
/* Safe file I/O (fileio.h): strict reads in the spirit of sshd's StrictModes, atomic
 * replace-by-rename writes and an exclusive advisory lock for writers. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iam/fileio.h"

static void set_err(struct iam_error *e, const char *path, int r, const char *what) {
    iam_error_set_source(e, path);
    iam_error_set(e, 0, 0, 0, "%s: %s", what, strerror(-r));
}

/* The checks of iam_file_check_fd() on a stat already made. */
static int check_stat(const struct stat *st, const char *path, struct iam_error *reterr) {
    iam_error_set_source(reterr, path);
    if (!S_ISREG(st->st_mode)) {
        iam_error_set(reterr, 0, 0, 0, "refusing to use: not a regular file");
        return -EACCES;
    }
    if (st->st_uid != 0 && st->st_uid != geteuid()) {
        iam_error_set(reterr, 0, 0, 0, "refusing to use: owned by uid %lu, not root",
                      (unsigned long)st->st_uid);
        return -EACCES;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        iam_error_set(reterr, 0, 0, 0, "refusing to use: writable by group or others (mode %04o)",
                      (unsigned)(st->st_mode & 07777));
        return -EACCES;
    }
    return 0;
}

int iam_file_check_fd(int fd, const char *path, struct iam_error *reterr) {
    struct stat st;

    if (fstat(fd, &st) < 0) {
        int r = -errno;
        set_err(reterr, path, r, "cannot stat");
        return r;
    }
    return check_stat(&st, path, reterr);
}

static int read_all(int fd, char *buf, size_t want, size_t *ret_got) {
    size_t got = 0;

    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    *ret_got = got;
    return 0;
}

int iam_file_read_safe(const char *path, size_t max_size, char **ret_buf, size_t *ret_len,
                       struct iam_error *reterr) {
    return iam_file_read_safe_stat(path, max_size, ret_buf, ret_len, NULL, reterr);
}

int iam_file_read_safe_stat(const char *path, size_t max_size, char **ret_buf, size_t *ret_len,
                            struct stat *ret_st, struct iam_error *reterr) {
    struct stat st;
    char *buf = NULL;
    size_t len = 0, cap;
    int fd = -1, r = -EINVAL;

    if (!path || !ret_buf || !ret_len)
        return -EINVAL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        r = -errno;
        if (r == -ELOOP) {
            /* O_NOFOLLOW on a symlink */
            iam_error_set_source(reterr, path);
            iam_error_set(reterr, 0, 0, 0, "refusing to use: is a symbolic link");
            r = -EACCES;
        } else {
            set_err(reterr, path, r, "cannot open");
        }
        goto out;
    }
    if (fstat(fd, &st) < 0) {
        r = -errno;
        set_err(reterr, path, r, "cannot stat");
        goto out;
    }
    r = check_stat(&st, path, reterr);
    if (r < 0)
        goto out;
    if ((uintmax_t)st.st_size > (uintmax_t)max_size) {
        iam_error_set_source(reterr, path);
        iam_error_set(reterr, 0, 0, 0, "file is too large (%jd bytes, limit %zu)",
                      (intmax_t)st.st_size, max_size);
        r = -E2BIG;
        goto out;
    }
    /* Read one byte more than the size so a file that grew meanwhile is noticed. */
    cap = (size_t)st.st_size + 1;
    buf = malloc(cap + 1);
    if (!buf) {
        r = -ENOMEM;
        goto out;
    }
    r = read_all(fd, buf, cap, &len);
    if (r < 0) {
        set_err(reterr, path, r, "cannot read");
        goto out;
    }
    if (len > max_size) {
        iam_error_set_source(reterr, path);
        iam_error_set(reterr, 0, 0, 0, "file is too large (limit %zu bytes)", max_size);
        r = -E2BIG;
        goto out;
    }
    if (len == cap) {
        /* grew while we read it: a writer that does not use rename; refuse a torn read */
        iam_error_set_source(reterr, path);
        iam_error_set(reterr, 0, 0, 0, "file changed while it was read");
        r = -EAGAIN;
        goto out;
    }
    buf[len] = '\0';
    *ret_buf = buf;
    buf = NULL;
    *ret_len = len;
    if (ret_st)
        *ret_st = st;
    r = 0;
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return r;
}

static int write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_dir_of(const char *path) {
    char *copy = strdup(path);
    int fd, r = 0;

    if (!copy)
        return -ENOMEM;
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
    } else {
        if (fsync(fd) < 0 && errno != EINVAL)
            r = -errno;
        close(fd);
    }
    free(copy);
    return r;
}

int iam_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                          struct iam_error *reterr) {
    char *tmp = NULL;
    int fd = -1, r = -EINVAL;

    if (!path || !*path || (!data && len > 0))
        return -EINVAL;
    if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
        tmp = NULL;
        r = -ENOMEM;
        goto out;
    }
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
        IAM_FREE(tmp);
        set_err(reterr, path, r, "cannot create a temporary file next to it");
        goto out;
    }
    /* mkostemp creates 0600; set the final mode before any byte is written */
    if (fchmod(fd, mode & 07777) < 0) {
        r = -errno;
        set_err(reterr, path, r, "cannot set the mode of the temporary file");
        goto out;
    }
    r = write_all(fd, data, len);
    if (r < 0) {
        set_err(reterr, path, r, "cannot write the temporary file");
        goto out;
    }
    if (fsync(fd) < 0) {
        r = -errno;
        set_err(reterr, path, r, "cannot fsync the temporary file");
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        r = -errno;
        set_err(reterr, path, r, "cannot close the temporary file");
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        r = -errno;
        set_err(reterr, path, r, "cannot rename the temporary file into place");
        goto out;
    }
    IAM_FREE(tmp); /* renamed: nothing to remove any more */
    r = fsync_dir_of(path);
    if (r < 0) {
        set_err(reterr, path, r, "cannot fsync the directory");
        goto out;
    }
    r = 0;
out:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        (void)unlink(tmp);
        free(tmp);
    }
    return r;
}

int iam_lock_acquire(const char *lock_path, unsigned timeout_ms, struct iam_error *reterr) {
    struct timespec start, now;
    int fd, r;

    fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        r = -errno;
        if (r == -ELOOP) {
            iam_error_set_source(reterr, lock_path);
            iam_error_set(reterr, 0, 0, 0, "refusing to use: is a symbolic link");
            return -EACCES;
        }
        set_err(reterr, lock_path, r, "cannot open the lock file");
        return r;
    }
    r = iam_file_check_fd(fd, lock_path, reterr);
    if (r < 0) {
        close(fd);
        return r;
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        long elapsed_ms;

        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            r = -errno;
            set_err(reterr, lock_path, r, "cannot lock");
            close(fd);
            return r;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed_ms = (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
        if (elapsed_ms >= (long)timeout_ms) {
            iam_error_set_source(reterr, lock_path);
            iam_error_set(reterr, 0, 0, 0, "another writer holds the lock (waited %u ms)",
                          timeout_ms);
            close(fd);
            return -EAGAIN;
        }
        {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

void iam_lock_release(int fd) {
    if (fd < 0)
        return;
    (void)flock(fd, LOCK_UN);
    close(fd);
}

void iam_prefault(void *p, size_t len) {
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start, end;

    if (!p || page <= 0 || len < (size_t)page * 16)
        return;
    start = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    end = ((uintptr_t)p + len) & ~((uintptr_t)page - 1);
#ifdef MADV_POPULATE_WRITE
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
    (void)start;
    (void)end;
#endif
}

int iam_state_dir_open(const char *parent, const char *name, bool create, mode_t forbidden,
                       struct iam_error *reterr) {
    char path[4096];
    struct stat st;
    int dfd, r;

    if (!parent || !name)
        return -EINVAL;
    if (snprintf(path, sizeof(path), "%s/%s", parent, name) >= (int)sizeof(path))
        return -E2BIG;
    dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 && errno == ENOENT && create) {
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
            r = -errno;
            iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(-r));
            return r;
        }
        dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (dfd < 0) {
        r = errno == ELOOP || errno == ENOTDIR ? -EACCES : -errno;
        if (r != -ENOENT)
            iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(errno));
        return r;
    }
    if (fstat(dfd, &st) < 0 || (st.st_uid != 0 && st.st_uid != geteuid()) ||
        (st.st_mode & forbidden)) {
        iam_error_set(reterr, 0, 0, 0, "%s: unsafe owner or mode (must be root's, %s)", path,
                      (forbidden & 0077) == 0077 ? "0700" : "writable by no one else");
        close(dfd);
        return -EACCES;
    }
    return dfd;
}
