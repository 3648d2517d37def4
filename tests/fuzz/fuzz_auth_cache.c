/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the auth cache reader (what pam_iam runs at every login) on arbitrary
 * file contents. Each input is written to a private 0600 file, opened, looked up under a few
 * names and fully verified. Whatever a lookup returns is read field by field, so a record
 * view pointing outside its buffer is an ASan report. A lookup that succeeds on a file that
 * verify() rejects is a finding only if the record is inconsistent; a verify() that accepts
 * must make every lookup by a verified name succeed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iam/auth_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[256];
static char path[300];
static int fd = -1;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_auth_cache: invariant broken: %s\n", what);
        abort();
    }
}

static void cleanup(void) {
    if (fd >= 0)
        close(fd);
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    const char *tmp = getenv("TMPDIR");

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof(dir), "%s/fuzz_auth_cache.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    check(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof(path), "%s/%s", dir, IAM_AUTH_CACHE_NAME);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    check(fd >= 0, "create the cache file");
    atexit(cleanup);
    return 0;
}

static size_t touch(const char *s) {
    return s ? strlen(s) : 0;
}

static void read_user(const struct iam_auth_user *u) {
    size_t n = 0;

    check(u != NULL && u->name != NULL, "record has a user with a name");
    n += touch(u->name) + touch(u->user_id) + touch(u->arn) + touch(u->password_hash);
    for (size_t i = 0; i < u->n_keys; i++)
        n += touch(u->keys[i].id) + touch(u->keys[i].secret_hash);
    for (size_t i = 0; i < u->n_tags; i++)
        n += touch(u->tags[i].key) + touch(u->tags[i].value);
    for (size_t i = 0; i < u->n_groups; i++)
        n += touch(u->groups[i]);
    for (size_t i = 0; i < u->n_policies; i++) {
        const struct iam_auth_policy *p = &u->policies[i];

        check(p->kind == IAM_AUTH_POLICY_IDENTITY || p->kind == IAM_AUTH_POLICY_BOUNDARY,
              "policy kind in range");
        n += touch(p->source_type) + touch(p->source_id);
        if (p->text_len > 0) {
            check(p->text != NULL, "policy text present");
            /* The last byte of the text must be readable (ASan checks the bounds). */
            n += (unsigned char)p->text[p->text_len - 1];
        }
    }
    /* Keep the compiler from dropping the reads. */
    __asm__ volatile("" : : "r"(n) : "memory");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[] = {"alice", "bob", "carol", "u0", "u1", "Alice", "",
                                        "a:b", "x\n"};
    struct iam_auth_cache *c = NULL;
    struct iam_error err;
    int verified;

    check(ftruncate(fd, 0) == 0, "truncate");
    check(pwrite(fd, data, size, 0) == (ssize_t)size, "write");
    iam_error_init(&err);
    if (iam_auth_cache_open(path, &c, &err) < 0) {
        check(c == NULL, "no handle on error");
        return 0;
    }
    (void)iam_auth_cache_serial(c);
    (void)iam_auth_cache_n_users(c);
    iam_error_init(&err);
    verified = iam_auth_cache_verify(c, &err) == 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct iam_auth_record *rec = NULL;
        int r;

        iam_error_init(&err);
        r = iam_auth_cache_find(c, names[i], &rec, &err);
        if (r == 0) {
            read_user(iam_auth_record_user(rec));
            iam_auth_record_free(rec);
        } else {
            check(rec == NULL, "no record on error");
            if (verified)
                check(r == -ENOENT, "a verified cache answers found or not found");
        }
    }
    iam_auth_cache_close(c);
    return 0;
}
