/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iamtest.h"

char *iamtest_mkdtemp(void) {
    const char *base = getenv("TMPDIR");
    char *path = NULL;

    if (!base || !*base)
        base = "/tmp";
    if (asprintf(&path, "%s/iamtest.XXXXXX", base) < 0)
        return NULL;
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

void iamtest_rmtree(const char *path) {
    if (path)
        (void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *iamtest_write_file(const char *dir, const char *name, const void *data, size_t len,
                         unsigned mode) {
    char *path = NULL;
    int fd;

    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return NULL;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        goto fail;
    if (len > 0 && write(fd, data, len) != (ssize_t)len) {
        close(fd);
        goto fail;
    }
    if (fchmod(fd, mode) < 0) {
        close(fd);
        goto fail;
    }
    close(fd);
    return path;
fail:
    free(path);
    return NULL;
}

char *iamtest_read_file(const char *path, size_t *ret_len) {
    FILE *f = fopen(path, "rbe");
    char *buf = NULL;
    size_t cap = 0, len = 0;

    if (!f)
        return NULL;
    for (;;) {
        size_t n;

        if (cap - len < 4096) {
            char *nb = realloc(buf, cap + 65536 + 1);

            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap += 65536;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    if (ret_len)
        *ret_len = len;
    return buf;
}
