/* SPDX-License-Identifier: Apache-2.0 */
/* Which files make up a trail: a log with its rotations, or the logs found under a directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iam/trail.h"

#define MAX_FILES 100000u /* far above any real trail; bounds a hostile directory tree */

void iam_trail_files_free(struct iam_trail_files *files) {
    if (!files)
        return;
    for (size_t i = 0; i < files->n; i++)
        free(files->v[i].path);
    free(files->v);
    files->v = NULL;
    files->n = 0;
    files->n_groups = 0;
}

/* Is the file gzip-compressed? By its first two bytes, whatever its name. */
static int sniff_gzip(int fd, bool *ret) {
    unsigned char m[2];
    ssize_t n;

    do
        n = pread(fd, m, sizeof(m), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    *ret = n == 2 && m[0] == 0x1f && m[1] == 0x8b;
    return 0;
}

/* Append one file (already known to exist) to the list. -ENOENT when it vanished. */
static int add_file(struct iam_trail_files *files, int dirfd, const char *name, const char *path,
                    unsigned rank, size_t group, struct iam_error *reterr) {
    struct iam_trail_file *nv, *f;
    struct stat st;
    bool gz = false;
    int fd, r;

    for (size_t i = 0; i < files->n; i++)
        if (strcmp(files->v[i].path, path) == 0)
            return 0; /* named twice: read once */
    if (files->n >= MAX_FILES) {
        iam_error_set(reterr, 0, 0, 0, "%s: more than %u trail files", path, MAX_FILES);
        return -E2BIG;
    }
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        r = errno == ELOOP ? -EACCES : -errno;
        if (r != -ENOENT)
            iam_error_set(reterr, 0, 0, 0, "%s: %s", path,
                          r == -EACCES ? "a symbolic link, refused" : strerror(-r));
        return r;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        iam_error_set(reterr, 0, 0, 0, "%s: not a regular file", path);
        return -EACCES;
    }
    r = sniff_gzip(fd, &gz);
    close(fd);
    if (r < 0) {
        iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(-r));
        return r;
    }
    nv = realloc(files->v, (files->n + 1) * sizeof(*nv));
    if (!nv)
        return -ENOMEM;
    files->v = nv;
    f = &files->v[files->n];
    *f = (struct iam_trail_file){.gzip = gz,
                                 .dev = st.st_dev,
                                 .ino = st.st_ino,
                                 .size = st.st_size,
                                 .mtime = (int64_t)st.st_mtime,
                                 .rank = rank,
                                 .group = group};
    f->path = strdup(path);
    if (!f->path)
        return -ENOMEM;
    files->n++;
    return 0;
}

/* After the log's own name: ".N", ".N.gz", "-SUFFIX", "-SUFFIX.gz" with SUFFIX made of
 * digits, '-', '_' (logrotate's numbered and dateext schemes). *rank gets N for the numbered
 * scheme and 1 for dated ones (ordered by time among themselves). */
static bool rotation_suffix(const char *s, unsigned *rank) {
    const char *p = s + 1, *end;
    size_t n;
    bool digits_only = true;

    if (s[0] != '.' && s[0] != '-')
        return false;
    end = p + strlen(p);
    if (end - p > 3 && strcmp(end - 3, ".gz") == 0)
        end -= 3;
    n = (size_t)(end - p);
    if (n == 0 || n > 32)
        return false;
    for (const char *c = p; c < end; c++) {
        if (*c >= '0' && *c <= '9')
            continue;
        if (*c == '-' || *c == '_') {
            digits_only = false;
            continue;
        }
        return false;
    }
    if (s[0] == '.') {
        unsigned long v;

        if (!digits_only || n > 6)
            return false;
        v = strtoul(p, NULL, 10);
        *rank = (unsigned)v + 1; /* leave 0 to the live log */
        return true;
    }
    *rank = 1;
    return true;
}

static int split_dir(const char *path, char **ret_dir, const char **ret_base) {
    const char *slash = strrchr(path, '/');
    char *dir;

    if (!slash) {
        dir = strdup(".");
        *ret_base = path;
    } else if (slash == path) {
        dir = strdup("/");
        *ret_base = slash + 1;
    } else {
        dir = strndup(path, (size_t)(slash - path));
        *ret_base = slash + 1;
    }
    if (!dir)
        return -ENOMEM;
    *ret_dir = dir;
    return 0;
}

int iam_trail_files_add_log(struct iam_trail_files *files, const char *path,
                            struct iam_error *reterr) {
    char *dir = NULL, *full = NULL;
    const char *base;
    size_t blen, group;
    DIR *d = NULL;
    struct dirent *de;
    int dfd = -1, r;

    if (!files || !path || !*path)
        return -EINVAL;
    r = split_dir(path, &dir, &base);
    if (r < 0)
        goto out;
    blen = strlen(base);
    if (blen == 0) {
        iam_error_set(reterr, 0, 0, 0, "%s: not a file name", path);
        r = -EINVAL;
        goto out;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        r = -errno;
        iam_error_set(reterr, 0, 0, 0, "%s: %s", dir, strerror(errno));
        goto out;
    }
    d = fdopendir(dfd);
    if (!d) {
        r = -errno;
        goto out;
    }
    dfd = -1;
    group = files->n_groups++;
    while ((errno = 0, de = readdir(d))) {
        unsigned rank = 0;

        if (strncmp(de->d_name, base, blen) != 0)
            continue;
        if (de->d_name[blen] != '\0' && !rotation_suffix(de->d_name + blen, &rank))
            continue;
        free(full);
        if (asprintf(&full, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, de->d_name) < 0) {
            full = NULL;
            r = -ENOMEM;
            goto out;
        }
        r = add_file(files, dirfd(d), de->d_name, full, rank, group, reterr);
        if (r == -ENOENT)
            continue; /* rotated away while we looked */
        if (r < 0)
            goto out;
    }
    if (errno) {
        r = -errno;
        goto out;
    }
    r = 0;
out:
    free(full);
    if (d)
        closedir(d);
    if (dfd >= 0)
        close(dfd);
    free(dir);
    return r;
}

/* The log a collected file belongs to: its directory plus its name up to the end of
 * ".jsonl" (host1/audit.jsonl.2.gz and host1/audit.jsonl are one log). */
static int log_key(const char *path, char **ret) {
    const char *base = strrchr(path, '/'), *j;
    size_t n;

    base = base ? base + 1 : path;
    j = strstr(base, ".jsonl");
    n = j ? (size_t)(j - path) + 6 : strlen(path);
    *ret = strndup(path, n);
    return *ret ? 0 : -ENOMEM;
}

struct files_walk {
    struct iam_trail_files *files;
    char **keys; /* log key of each group added by this walk */
    size_t n_keys;
    size_t first_group;
};

static int walk_dir(struct files_walk *w, int dfd, const char *path, unsigned depth,
                    struct iam_error *reterr) {
    DIR *d;
    struct dirent *de;
    int r = 0;

    if (depth > IAM_TRAIL_MAX_DEPTH) {
        iam_error_set(reterr, 0, 0, 0, "%s: directories nested deeper than %d", path,
                      IAM_TRAIL_MAX_DEPTH);
        close(dfd);
        return -E2BIG;
    }
    d = fdopendir(dfd);
    if (!d) {
        r = -errno;
        close(dfd);
        return r;
    }
    while ((errno = 0, de = readdir(d))) {
        char *full = NULL, *key = NULL;
        struct stat st;
        unsigned rank = 0;
        size_t g;

        if (de->d_name[0] == '.' &&
            (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
            continue;
        if (asprintf(&full, "%s/%s", path, de->d_name) < 0) {
            r = -ENOMEM;
            break;
        }
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            free(full);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), de->d_name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

            if (sub >= 0)
                r = walk_dir(w, sub, full, depth + 1, reterr);
            free(full);
            if (r < 0)
                break;
            continue;
        }
        if (!S_ISREG(st.st_mode) || !strstr(de->d_name, ".jsonl")) {
            free(full);
            continue;
        }
        r = log_key(full, &key);
        if (r < 0) {
            free(full);
            break;
        }
        {
            const char *b = strrchr(key, '/');

            b = b ? b + 1 : key;
            if (strlen(de->d_name) > strlen(b))
                (void)rotation_suffix(de->d_name + strlen(b), &rank);
        }
        for (g = 0; g < w->n_keys; g++)
            if (strcmp(w->keys[g], key) == 0)
                break;
        if (g == w->n_keys) {
            char **nk = realloc(w->keys, (w->n_keys + 1) * sizeof(*nk));

            if (!nk) {
                free(key);
                free(full);
                r = -ENOMEM;
                break;
            }
            w->keys = nk;
            w->keys[w->n_keys++] = key;
            key = NULL;
            w->files->n_groups++;
        }
        free(key);
        r = add_file(w->files, dirfd(d), de->d_name, full, rank, w->first_group + g, reterr);
        free(full);
        if (r == -ENOENT)
            r = 0;
        if (r < 0)
            break;
    }
    if (r == 0 && errno)
        r = -errno;
    closedir(d);
    return r;
}

int iam_trail_files_add_path(struct iam_trail_files *files, const char *path,
                             struct iam_error *reterr) {
    struct stat st;
    int r;

    if (!files || !path || !*path)
        return -EINVAL;
    if (lstat(path, &st) < 0) {
        r = -errno;
        iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(errno));
        return r;
    }
    if (S_ISDIR(st.st_mode)) {
        struct files_walk w = {.files = files, .first_group = files->n_groups};
        int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (dfd < 0) {
            r = -errno;
            iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(errno));
            return r;
        }
        r = walk_dir(&w, dfd, path, 0, reterr);
        for (size_t i = 0; i < w.n_keys; i++)
            free(w.keys[i]);
        free(w.keys);
        return r;
    }
    if (S_ISLNK(st.st_mode)) {
        iam_error_set(reterr, 0, 0, 0, "%s: a symbolic link, refused (name its target)", path);
        return -EACCES;
    }
    {
        char *dir = NULL;
        const char *base;
        int dfd;

        r = split_dir(path, &dir, &base);
        if (r < 0)
            return r;
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
            r = -errno;
            iam_error_set(reterr, 0, 0, 0, "%s: %s", dir, strerror(errno));
            free(dir);
            return r;
        }
        r = add_file(files, dfd, base, path, 0, files->n_groups++, reterr);
        close(dfd);
        free(dir);
    }
    return r;
}

static int cmp_files(const void *a, const void *b) {
    const struct iam_trail_file *x = a, *y = b;

    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    /* the live log (rank 0) is the newest; among rotations a higher rank is older */
    if ((x->rank == 0) != (y->rank == 0))
        return x->rank == 0 ? 1 : -1;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;
    if (x->mtime != y->mtime)
        return x->mtime < y->mtime ? -1 : 1;
    return strcmp(x->path, y->path);
}

void iam_trail_files_sort(struct iam_trail_files *files) {
    if (files && files->n > 1)
        qsort(files->v, files->n, sizeof(files->v[0]), cmp_files);
}
