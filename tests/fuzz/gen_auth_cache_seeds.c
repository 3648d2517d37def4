/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes valid auth caches (built by the real writer) into a directory, as seeds for
 * fuzz_auth_cache: `gen_auth_cache_seeds DIR`. Rerun and recommit the seeds when the format
 * changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/auth_cache.h"

static int write_seed(const char *dir, const char *name, const struct iam_auth_user *users,
                      size_t n, uint64_t serial) {
    struct iam_error err;
    void *buf = NULL;
    size_t len = 0;
    char path[4096];
    FILE *f;
    int r;

    iam_error_init(&err);
    r = iam_auth_cache_build(users, n, serial, &buf, &len, &err);
    if (r < 0) {
        fprintf(stderr, "gen_auth_cache_seeds: %s: %s\n", name, err.text);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wbx");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        free(buf);
        return 1;
    }
    free(buf);
    return 0;
}

/* A build of users[0..n) patched (as a refresh does) with changed: name.cache. */
static int write_patched(const char *dir, const char *name, const struct iam_auth_user *users,
                         size_t n, const struct iam_auth_user *changed, size_t n_changed) {
    struct iam_error err;
    void *buf = NULL, *copy;
    size_t len = 0, n_app = 0;
    char path[4096];
    FILE *f;
    int r;

    iam_error_init(&err);
    r = iam_auth_cache_build(users, n, 77, &buf, &len, &err);
    copy = r == 0 ? malloc(len) : NULL;
    if (copy) {
        memcpy(copy, buf, len);
        r = iam_auth_cache_patch(buf, copy, len, changed, n_changed, 78, &n_app, &err);
    }
    free(buf);
    if (r != 0 || !copy) {
        fprintf(stderr, "gen_auth_cache_seeds: %s: %s\n", name, r == 1 ? "no room" : err.text);
        free(copy);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wbx");
    if (!f || fwrite(copy, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        free(copy);
        return 1;
    }
    free(copy);
    return 0;
}

int main(int argc, char *argv[]) {
    static const char pol[] = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                              "\"Action\":\"host:*\",\"Resource\":\"*\"}}";
    static const char bnd[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
                              "\"Action\":\"host:Sudo\",\"Resource\":\"*\"}]}";
    const struct iam_auth_key keys[] = {
        {"AKIAABCDEFGHIJKLMNOP", true, 1700000000,
         "$iamb2k$v=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        {"AKIAQRSTUVWXYZ234567", false, 1700000001,
         "$iamb2k$v=1$BBBBBBBBBBBBBBBBBBBBBB$BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"},
    };
    const struct iam_auth_tag tags[] = {{"team", "ops"}, {"env", "prod"}};
    const char *const groups[] = {"admins", "devs"};
    const struct iam_auth_policy pols[] = {
        {IAM_AUTH_POLICY_IDENTITY, "user", "user/alice/login", pol, sizeof(pol) - 1},
        {IAM_AUTH_POLICY_BOUNDARY, "managed", "arn:aws:iam::123456789012:policy/b", bnd,
         sizeof(bnd) - 1},
    };
    struct iam_auth_user users[4] = {
        {.name = "alice",
         .user_id = "AIDAALICE0000000000001",
         .arn = "arn:aws:iam::123456789012:user/alice",
         .password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$"
                          "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
         .keys = keys, .n_keys = 2, .tags = tags, .n_tags = 2, .groups = groups,
         .n_groups = 2, .policies = pols, .n_policies = 2},
        {.name = "bob",
         .user_id = "AIDABOB00000000000000002",
         .arn = "arn:aws:iam::123456789012:user/bob",
         .password_reset_required = true,
         .keys = keys + 1, .n_keys = 1, .policies = pols, .n_policies = 1},
        {.name = "u0",
         .user_id = "AIDAU0000000000000000003",
         .arn = "arn:aws:iam::123456789012:user/u0",
         .groups = groups, .n_groups = 1},
        {.name = "carol",
         .user_id = "AIDACAROL000000000000004",
         .arn = "arn:aws:iam::123456789012:user/carol",
         .tags = tags, .n_tags = 1, .policies = pols + 1, .n_policies = 1},
    };
    int bad = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: gen_auth_cache_seeds DIR\n");
        return 2;
    }
    bad |= write_seed(argv[1], "empty.cache", users, 0, 1);
    bad |= write_seed(argv[1], "one.cache", users, 1, 2);
    bad |= write_seed(argv[1], "four.cache", users, 4, 77);
    {
        /* patched: bob grown (into the records' room), u0 shrunk (in place), a new user
         * with a document of its own (into the documents' room) */
        static const char own[] = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":"
                                  "\"Allow\",\"Action\":\"host:Login\",\"Resource\":\"*\"}}";
        const struct iam_auth_policy own_pol = {IAM_AUTH_POLICY_IDENTITY, "user", "user/dave/own",
                                                own, sizeof(own) - 1};
        struct iam_auth_user changed[3] = {users[1], users[2],
                                           {.name = "dave",
                                            .user_id = "AIDADAVE0000000000000005",
                                            .arn = "arn:aws:iam::123456789012:user/dave",
                                            .policies = &own_pol, .n_policies = 1}};
        changed[0].tags = tags;
        changed[0].n_tags = 2;
        changed[1].n_groups = 0;
        bad |= write_patched(argv[1], "patched.cache", users, 4, changed, 3);
    }
    return bad;
}
