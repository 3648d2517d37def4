/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recompile an auth cache over and over with the real writer, as iamctl does after every
 * write: read the named users from PATH, then write them back COUNT times through
 * iam_auth_cache_write() (temp file, fsync, rename) with a new serial each time.
 *   race_recompile PATH COUNT NAME...
 * Prints "recompiled N times, serial A..B". Exit 0 only when every write succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/auth_cache.h"

int main(int argc, char *argv[]) {
    struct iam_auth_cache *c = NULL;
    struct rec_slot {
        struct iam_auth_record *rec;
    } *recs = NULL;
    struct iam_auth_user *users = NULL;
    struct iam_error e;
    unsigned long count;
    uint64_t serial;
    size_t n;
    int ret = 1, r;

    if (argc < 4) {
        fprintf(stderr, "usage: race_recompile PATH COUNT NAME...\n");
        return 2;
    }
    count = strtoul(argv[2], NULL, 10);
    n = (size_t)argc - 3;
    recs = calloc(n, sizeof(*recs));
    users = calloc(n, sizeof(*users));
    if (!recs || !users)
        goto out;
    iam_error_init(&e);
    r = iam_auth_cache_open(argv[1], &c, &e);
    if (r < 0) {
        fprintf(stderr, "race_recompile: %s: %s\n", argv[1], e.text[0] ? e.text : strerror(-r));
        goto out;
    }
    serial = iam_auth_cache_serial(c);
    for (size_t i = 0; i < n; i++) {
        iam_error_init(&e);
        r = iam_auth_cache_find(c, argv[3 + i], &recs[i].rec, &e);
        if (r < 0) {
            fprintf(stderr, "race_recompile: %s: %s\n", argv[3 + i], strerror(-r));
            goto out;
        }
        users[i] = *iam_auth_record_user(recs[i].rec);
    }
    for (unsigned long k = 0; k < count; k++) {
        iam_error_init(&e);
        r = iam_auth_cache_write(argv[1], users, n, serial + 1 + k, &e);
        if (r < 0) {
            fprintf(stderr, "race_recompile: write %lu: %s\n", k, e.text[0] ? e.text : strerror(-r));
            goto out;
        }
    }
    printf("recompiled %lu times, serial %llu..%llu\n", count, (unsigned long long)serial + 1,
           (unsigned long long)serial + count);
    ret = 0;
out:
    for (size_t i = 0; recs && i < n; i++)
        iam_auth_record_free(recs[i].rec);
    free(recs);
    free(users);
    iam_auth_cache_close(c);
    return ret;
}
