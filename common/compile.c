/* SPDX-License-Identifier: Apache-2.0 */
/* The compile hook (compile.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iam/compile.h"

/* cache_dir must exist as a directory owned by root (or us) and not writable by others;
 * created 0755 when missing (the nss cache in it is world-readable by design). */
static int ensure_cache_dir(const char *dir, struct iam_error *reterr) {
    struct stat st;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        int r = -errno;
        iam_error_set_source(reterr, dir);
        iam_error_set(reterr, 0, 0, 0, "cannot create the cache directory: %s", strerror(-r));
        return r;
    }
    if (lstat(dir, &st) < 0) {
        int r = -errno;
        iam_error_set_source(reterr, dir);
        iam_error_set(reterr, 0, 0, 0, "cannot stat the cache directory: %s", strerror(-r));
        return r;
    }
    if (!S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
        (st.st_mode & (S_IWGRP | S_IWOTH))) {
        iam_error_set_source(reterr, dir);
        iam_error_set(reterr, 0, 0, 0,
                      "refusing to use the cache directory: not a root-owned directory closed "
                      "to group and other writes");
        return -EACCES;
    }
    return 0;
}

int iam_compile_caches(const struct iam_config *config, const struct iam_db *db,
                       struct iam_error *reterr) {
    int r;

    if (!config || !db)
        return -EINVAL;
    r = ensure_cache_dir(config->cache_dir, reterr);
    if (r < 0)
        return r;
    return 0;
}
