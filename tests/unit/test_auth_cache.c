/* SPDX-License-Identifier: Apache-2.0 */
/* auth.cache: round trip, lookups, refusal of unsafe and damaged files, O(1) reads. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth_cache/format.h"
#include "iam/auth_cache.h"
#include "iamtest.h"

static const char *const groups_alice[] = {"admins", "devs"};

static struct iam_auth_key keys_alice[] = {
    {.id = "AKIAAAAAAAAAAAAAAAAA", .active = true, .create_date = 1700000000,
     .secret_hash = "$iamb2k$fake1"},
    {.id = "AKIABBBBBBBBBBBBBBBB", .active = false, .create_date = 1600000000,
     .secret_hash = "$iamb2k$fake2"},
};
static struct iam_auth_tag tags_alice[] = {{"env", "prod"}, {"team", "blue"}};
static const char pol_text[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"host:Login\","
    "\"Resource\":\"*\"}}";
static struct iam_auth_policy pols_alice[] = {
    {IAM_AUTH_POLICY_IDENTITY, "user", "user/alice/login", pol_text, sizeof(pol_text) - 1},
    {IAM_AUTH_POLICY_BOUNDARY, "boundary", "arn:aws:iam::123456789012:policy/b", pol_text,
     sizeof(pol_text) - 1},
};

static struct iam_auth_user make_alice(void) {
    struct iam_auth_user u = {
        .name = "alice",
        .user_id = "AIDAALICE0000000000001",
        .arn = "arn:aws:iam::123456789012:user/alice",
        .password_hash = "$argon2id$fake",
        .password_reset_required = true,
        .keys = keys_alice,
        .n_keys = 2,
        .tags = tags_alice,
        .n_tags = 2,
        .groups = groups_alice,
        .n_groups = 2,
        .policies = pols_alice,
        .n_policies = 2,
    };
    return u;
}

struct fx {
    char *dir;
    char *path;
};

static int setup(void **state) {
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->dir = iamtest_mkdtemp();
    assert_non_null(f->dir);
    assert_true(asprintf(&f->path, "%s/auth.cache", f->dir) > 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fx *f = *state;

    iamtest_rmtree(f->dir);
    free(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static void write_users(const char *path, const struct iam_auth_user *u, size_t n) {
    struct iam_error e;

    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_write(path, u, n, 42, &e), 0);
}

static void test_round_trip(void **state) {
    struct fx *f = *state;
    struct iam_auth_user users[2] = {make_alice(), {0}};
    struct iam_auth_cache *c = NULL;
    struct iam_auth_record *rec = NULL;
    const struct iam_auth_user *u;
    struct iam_error e;
    struct stat st;

    users[1].name = "bob";
    users[1].user_id = "AIDABOB";
    users[1].arn = "arn:aws:iam::123456789012:user/bob";
    write_users(f->path, users, 2);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_open(f->path, &c, &e), 0);
    assert_int_equal(iam_auth_cache_serial(c), 42);
    assert_int_equal(iam_auth_cache_n_users(c), 2);
    assert_int_equal(iam_auth_cache_verify(c, &e), 0);
    assert_int_equal(iam_auth_cache_find(c, "alice", &rec, &e), 0);
    u = iam_auth_record_user(rec);
    assert_string_equal(u->name, "alice");
    assert_string_equal(u->user_id, "AIDAALICE0000000000001");
    assert_string_equal(u->arn, "arn:aws:iam::123456789012:user/alice");
    assert_string_equal(u->password_hash, "$argon2id$fake");
    assert_true(u->password_reset_required);
    assert_int_equal(u->n_keys, 2);
    assert_string_equal(u->keys[0].id, "AKIAAAAAAAAAAAAAAAAA");
    assert_true(u->keys[0].active);
    assert_false(u->keys[1].active);
    assert_int_equal(u->keys[1].create_date, 1600000000);
    assert_string_equal(u->keys[1].secret_hash, "$iamb2k$fake2");
    assert_int_equal(u->n_tags, 2);
    assert_string_equal(u->tags[1].key, "team");
    assert_string_equal(u->tags[1].value, "blue");
    assert_int_equal(u->n_groups, 2);
    assert_string_equal(u->groups[0], "admins");
    assert_int_equal(u->n_policies, 2);
    assert_int_equal(u->policies[1].kind, IAM_AUTH_POLICY_BOUNDARY);
    assert_string_equal(u->policies[0].source_id, "user/alice/login");
    assert_int_equal(u->policies[0].text_len, sizeof(pol_text) - 1);
    assert_memory_equal(u->policies[0].text, pol_text, sizeof(pol_text));
    iam_auth_record_free(rec);
    rec = NULL;

    assert_int_equal(iam_auth_cache_find(c, "bob", &rec, &e), 0);
    u = iam_auth_record_user(rec);
    assert_null(u->password_hash);
    assert_false(u->password_reset_required);
    assert_int_equal(u->n_keys, 0);
    assert_null(u->keys);
    iam_auth_record_free(rec);
    rec = NULL;

    assert_int_equal(iam_auth_cache_find(c, "carol", &rec, &e), -ENOENT);
    assert_int_equal(iam_auth_cache_find(c, "", &rec, &e), -ENOENT);
    assert_int_equal(iam_auth_cache_find(c, "Alice", &rec, &e), -ENOENT);
    assert_null(rec);
    iam_auth_cache_close(c);
}

static void test_empty_and_long_name(void **state) {
    struct fx *f = *state;
    struct iam_auth_cache *c = NULL;
    struct iam_auth_record *rec = NULL;
    char longname[70000];
    struct iam_error e;

    write_users(f->path, NULL, 0);
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_open(f->path, &c, &e), 0);
    assert_int_equal(iam_auth_cache_verify(c, &e), 0);
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(iam_auth_cache_find(c, longname, &rec, &e), -ENOENT);
    assert_int_equal(iam_auth_cache_find(c, "alice", &rec, &e), -ENOENT);
    iam_auth_cache_close(c);
}

static void test_writer_rejects(void **state) {
    struct fx *f = *state;
    struct iam_auth_user users[2] = {make_alice(), make_alice()};
    struct iam_error e;
    char longname[80];

    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_write(f->path, users, 2, 1, &e), -EINVAL);
    assert_non_null(strstr(e.text, "duplicate user name \"alice\""));
    assert_int_equal(access(f->path, F_OK), -1); /* nothing written */

    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    users[0].name = longname;
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_write(f->path, users, 1, 1, &e), -EINVAL);

    users[0] = make_alice();
    users[0].user_id = NULL;
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_write(f->path, users, 1, 1, &e), -EINVAL);
}

/* A role's record: no secret, its trust policy and MaxSessionDuration; what a role cannot
 * carry the writer refuses. */
static void test_role_record(void **state) {
    static const char trust[] = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                                "\"Principal\":{\"AWS\":\"123456789012\"},\"Action\":\"sts:AssumeRole\"}}";
    struct iam_auth_policy pols[] = {
        {IAM_AUTH_POLICY_IDENTITY, "role", "role/deploy/sudo", pol_text, sizeof(pol_text) - 1},
        {IAM_AUTH_POLICY_TRUST, "trust", "arn:aws:iam::123456789012:role/deploy", trust,
         sizeof(trust) - 1},
    };
    struct fx *f = *state;
    struct iam_auth_user users[2] = {make_alice(), {0}};
    struct iam_auth_cache *c = NULL;
    struct iam_auth_record *rec = NULL;
    const struct iam_auth_user *u;
    struct iam_error e;

    users[1] = (struct iam_auth_user){.name = "deploy",
                                      .user_id = "AROADEPLOY",
                                      .arn = "arn:aws:iam::123456789012:role/deploy",
                                      .tags = tags_alice,
                                      .n_tags = 1,
                                      .policies = pols,
                                      .n_policies = 2,
                                      .is_role = true,
                                      .max_session_duration = 7200};
    write_users(f->path, users, 2);
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_open(f->path, &c, &e), 0);
    assert_int_equal(iam_auth_cache_verify(c, &e), 0);
    assert_int_equal(iam_auth_cache_find(c, "deploy", &rec, &e), 0);
    u = iam_auth_record_user(rec);
    assert_true(u->is_role);
    assert_int_equal(u->max_session_duration, 7200);
    assert_null(u->password_hash);
    assert_int_equal(u->n_keys + u->n_groups + u->n_mfa, 0);
    assert_int_equal(u->n_policies, 2);
    assert_int_equal(u->policies[1].kind, IAM_AUTH_POLICY_TRUST);
    assert_memory_equal(u->policies[1].text, trust, sizeof(trust));
    iam_auth_record_free(rec);
    rec = NULL;
    assert_int_equal(iam_auth_cache_find(c, "alice", &rec, &e), 0);
    assert_false(iam_auth_record_user(rec)->is_role);
    iam_auth_record_free(rec);
    iam_auth_cache_close(c);

    /* a role with a password, a key or a group, or without a session maximum; a trust policy
     * in a user's record, or two in a role's */
    users[1].password_hash = "$argon2id$fake";
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_write(f->path, users, 2, 1, &e), -EINVAL);
    users[1].password_hash = NULL;
    users[1].groups = groups_alice;
    users[1].n_groups = 1;
    assert_int_equal(iam_auth_cache_write(f->path, users, 2, 1, &e), -EINVAL);
    users[1].n_groups = 0;
    users[1].max_session_duration = 0;
    assert_int_equal(iam_auth_cache_write(f->path, users, 2, 1, &e), -EINVAL);
    users[1].max_session_duration = 3600;
    users[1].is_role = false;
    assert_int_equal(iam_auth_cache_write(f->path, users, 2, 1, &e), -EINVAL);
    users[1].is_role = true;
    pols[0] = pols[1];
    assert_int_equal(iam_auth_cache_write(f->path, users, 2, 1, &e), -EINVAL);
}

static void test_failed_write_keeps_old(void **state) {
    struct fx *f = *state;
    struct iam_auth_user users[2] = {make_alice(), make_alice()};
    struct iam_auth_cache *c = NULL;
    struct iam_auth_record *rec = NULL;
    struct iam_error e;

    write_users(f->path, users, 1);
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_write(f->path, users, 2, 7, &e), -EINVAL);
    assert_int_equal(iam_auth_cache_open(f->path, &c, &e), 0);
    assert_int_equal(iam_auth_cache_serial(c), 42);
    assert_int_equal(iam_auth_cache_find(c, "alice", &rec, &e), 0);
    iam_auth_record_free(rec);
    iam_auth_cache_close(c);
}

static void test_unsafe_files(void **state) {
    struct fx *f = *state;
    struct iam_auth_user u = make_alice();
    struct iam_auth_cache *c = NULL;
    struct iam_error e;
    char *link = NULL;

    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_open(f->path, &c, &e), -ENOENT);
    write_users(f->path, &u, 1);
    assert_int_equal(chmod(f->path, 0644), 0);
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_open(f->path, &c, &e), -EACCES);
    assert_non_null(strstr(e.text, "unsafe"));
    assert_int_equal(chmod(f->path, 0620), 0);
    assert_int_equal(iam_auth_cache_open(f->path, &c, &e), -EACCES);
    assert_int_equal(chmod(f->path, 0600), 0);
    assert_true(asprintf(&link, "%s/link", f->dir) > 0);
    assert_int_equal(symlink(f->path, link), 0);
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_open(link, &c, &e), -EACCES);
    assert_int_equal(iam_auth_cache_open(f->dir, &c, &e), -EACCES);
    assert_null(c);
    free(link);
}

/* Flip each byte of a small cache in turn: every open+find either fails cleanly with
 * -EBADMSG/-ENOTSUP/-ENOENT or, when the flipped byte is one no lookup of "alice" reads,
 * still returns the right record; verify() catches every flip. */
static void test_corruption(void **state) {
    struct fx *f = *state;
    struct iam_auth_user u = make_alice();
    size_t len = 0;
    char *orig;

    write_users(f->path, &u, 1);
    orig = iamtest_read_file(f->path, &len);
    assert_non_null(orig);
    for (size_t i = 0; i < len; i++) {
        struct iam_auth_cache *c = NULL;
        struct iam_auth_record *rec = NULL;
        struct iam_error e;
        char *copy = malloc(len);
        char *p;
        int r;

        assert_non_null(copy);
        memcpy(copy, orig, len);
        copy[i] ^= 0x5a;
        p = iamtest_write_file(f->dir, "bad.cache", copy, len, 0600);
        assert_non_null(p);
        iam_error_init(&e);
        r = iam_auth_cache_open(p, &c, &e);
        if (r == 0) {
            r = iam_auth_cache_find(c, "alice", &rec, &e);
            if (r == 0) {
                assert_string_equal(iam_auth_record_user(rec)->arn, u.arn);
                assert_string_equal(iam_auth_record_user(rec)->keys[0].secret_hash,
                                    u.keys[0].secret_hash);
            } else {
                assert_true(r == -EBADMSG || r == -ENOENT);
            }
            iam_auth_record_free(rec);
            rec = NULL;
            /* A name that is not there still reads a (decoy) record, damaged or not: the
             * answer stays "not there", or -EBADMSG for a damaged slot on its own probe. */
            r = iam_auth_cache_find(c, "carol", &rec, &e);
            assert_true(r == -ENOENT || r == -EBADMSG);
            assert_null(rec);
            assert_int_equal(iam_auth_cache_verify(c, &e), -EBADMSG);
            iam_auth_cache_close(c);
        } else {
            assert_true(r == -EBADMSG || r == -ENOTSUP);
        }
        free(p);
        free(copy);
    }
    /* Truncated at every length. */
    for (size_t n = 0; n < len; n += 7) {
        struct iam_auth_cache *c = NULL;
        struct iam_error e;
        char *p = iamtest_write_file(f->dir, "short.cache", orig, n, 0600);

        iam_error_init(&e);
        assert_int_equal(iam_auth_cache_open(p, &c, &e), -EBADMSG);
        free(p);
    }
    free(orig);
}

/* Many users: every one found, misses stay misses, verify passes. */
/* A cache of version 1 (the seed the version 1 writer made, committed as it was): still
 * read, so a host logs users in between a package upgrade and the recompile after it. */
static void test_reads_version_1(void **state) {
    struct fx *f = *state;
    struct iam_auth_cache *c = NULL;
    struct iam_auth_record *rec = NULL;
    const struct iam_auth_user *u;
    struct iam_error e;
    char *path = NULL, *copy, *data;
    size_t len;

    iam_error_init(&e);
    assert_true(asprintf(&path, "%s/v1-four.cache", IAM_TEST_AUTH_SEEDS) > 0);
    data = iamtest_read_file(path, &len);
    assert_non_null(data);
    copy = iamtest_write_file(f->dir, "v1.cache", data, len, 0600);
    assert_non_null(copy);
    assert_int_equal(iam_auth_cache_open(copy, &c, &e), 0);
    assert_int_equal(iam_auth_cache_serial(c), 77);
    assert_int_equal(iam_auth_cache_n_users(c), 4);
    assert_int_equal(iam_auth_cache_verify(c, &e), 0);
    assert_int_equal(iam_auth_cache_find(c, "alice", &rec, &e), 0);
    u = iam_auth_record_user(rec);
    assert_string_equal(u->arn, "arn:aws:iam::123456789012:user/alice");
    assert_int_equal(u->n_keys, 2);
    assert_int_equal(u->n_policies, 2);
    assert_int_equal(u->policies[1].kind, IAM_AUTH_POLICY_BOUNDARY);
    assert_string_equal(u->policies[0].source_id, "user/alice/login");
    assert_non_null(strstr(u->policies[1].text, "\"Deny\""));
    iam_auth_record_free(rec);
    assert_int_equal(iam_auth_cache_find(c, "nobody", &rec, &e), -ENOENT);
    iam_auth_cache_close(c);
    free(copy);
    free(data);
    free(path);
}

/* Version 2 stores a policy document once however many users hold it. */
static void test_documents_shared(void **state) {
    static const char pol[] = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                              "\"Action\":\"host:Login\",\"Resource\":\"*\",\"Sid\":"
                              "\"AVeryLongSidThatMakesTheDocumentWorthSharingAcrossUsers\"}}";
    struct iam_auth_policy shared = {IAM_AUTH_POLICY_IDENTITY, "group", "group/devs/login", pol,
                                     sizeof(pol) - 1};
    struct iam_auth_user users[200];
    char names[200][16];
    void *img = NULL;
    size_t len = 0, copies = 0;
    struct iam_error e;

    (void)state;
    iam_error_init(&e);
    for (int i = 0; i < 200; i++) {
        snprintf(names[i], sizeof(names[i]), "user%d", i);
        users[i] = (struct iam_auth_user){.name = names[i],
                                          .user_id = "AIDAEXAMPLE0000000001",
                                          .arn = "arn:aws:iam::123456789012:user/x",
                                          .policies = &shared,
                                          .n_policies = 1};
    }
    assert_int_equal(iam_auth_cache_build(users, 200, 1, &img, &len, &e), 0);
    for (const char *p = img; (p = memmem(p, len - (size_t)(p - (const char *)img), pol,
                                          sizeof(pol) - 1));
         p++)
        copies++;
    assert_int_equal(copies, 1); /* one copy of the text, not 200 */
    sodium_memzero(img, len);
    free(img);
}

static void test_many_users(void **state) {
    struct fx *f = *state;
    enum { N = 5000 };
    struct iam_auth_user *users = calloc(N, sizeof(*users));
    char (*names)[16] = calloc(N, 16);
    struct iam_auth_cache *c = NULL;
    struct iam_error e;

    assert_non_null(users);
    assert_non_null(names);
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], 16, "user%zu", i);
        users[i] = make_alice();
        users[i].name = names[i];
    }
    write_users(f->path, users, N);
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_open(f->path, &c, &e), 0);
    assert_int_equal(iam_auth_cache_verify(c, &e), 0);
    for (size_t i = 0; i < N; i += 37) {
        struct iam_auth_record *rec = NULL;
        char miss[24];

        assert_int_equal(iam_auth_cache_find(c, names[i], &rec, &e), 0);
        assert_string_equal(iam_auth_record_user(rec)->name, names[i]);
        iam_auth_record_free(rec);
        snprintf(miss, sizeof(miss), "nouser%zu", i);
        assert_int_equal(iam_auth_cache_find(c, miss, &rec, &e), -ENOENT);
    }
    iam_auth_cache_close(c);
    free(users);
    free(names);
}

/* ---- a patch of an image (iam_auth_cache_patch) ----------------------------------------- */

#define PT_MAX 400
static char pt_name[PT_MAX][16], pt_arn[PT_MAX][64], pt_src[PT_MAX][32], pt_tagv[PT_MAX][16];
static struct iam_auth_tag pt_tag[PT_MAX];
static struct iam_auth_policy pt_pol[PT_MAX][2];
static const char pt_text2[] = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\","
                               "\"Action\":\"host:Sudo\",\"Resource\":\"*\"}}";

/* User i: one tag (team=t<gen>), its group's shared document and, when gen is odd, a
 * document of its own. */
static struct iam_auth_user pt_user(int i, int gen) {
    snprintf(pt_name[i], sizeof(pt_name[i]), "u%d", i);
    snprintf(pt_arn[i], sizeof(pt_arn[i]), "arn:aws:iam::123456789012:user/u%d", i);
    snprintf(pt_src[i], sizeof(pt_src[i]), "group/g%d/p", i % 4);
    snprintf(pt_tagv[i], sizeof(pt_tagv[i]), "t%d", gen);
    pt_tag[i] = (struct iam_auth_tag){"team", pt_tagv[i]};
    pt_pol[i][0] = (struct iam_auth_policy){IAM_AUTH_POLICY_IDENTITY, "group", pt_src[i],
                                            pol_text, sizeof(pol_text) - 1};
    pt_pol[i][1] = (struct iam_auth_policy){IAM_AUTH_POLICY_IDENTITY, "user", pt_arn[i],
                                            pt_text2, sizeof(pt_text2) - 1};
    return (struct iam_auth_user){.name = pt_name[i], .user_id = pt_name[i], .arn = pt_arn[i],
                                  .tags = &pt_tag[i], .n_tags = 1, .policies = pt_pol[i],
                                  .n_policies = gen % 2 ? 2 : 1};
}

/* The cache at path holds exactly users 0..n-1, user i of generation gen[i], and passes the
 * reader's whole check. */
static void pt_check(const char *path, int n, const int *gen) {
    struct iam_auth_cache *c = NULL;
    struct iam_error e;

    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_open(path, &c, &e), 0);
    assert_int_equal(iam_auth_cache_verify(c, &e), 0);
    assert_int_equal(iam_auth_cache_n_users(c), n);
    for (int i = 0; i < n; i++) {
        struct iam_auth_record *rec = NULL;
        const struct iam_auth_user *u;
        char name[16], tag[16];

        snprintf(name, sizeof(name), "u%d", i);
        snprintf(tag, sizeof(tag), "t%d", gen[i]);
        assert_int_equal(iam_auth_cache_find(c, name, &rec, &e), 0);
        u = iam_auth_record_user(rec);
        assert_string_equal(u->name, name);
        assert_int_equal(u->n_tags, 1);
        assert_string_equal(u->tags[0].value, tag);
        assert_int_equal(u->n_policies, gen[i] % 2 ? 2 : 1);
        assert_memory_equal(u->policies[0].text, pol_text, sizeof(pol_text) - 1);
        if (gen[i] % 2)
            assert_memory_equal(u->policies[1].text, pt_text2, sizeof(pt_text2) - 1);
        iam_auth_record_free(rec);
    }
    iam_auth_cache_close(c);
}

/* Patches piled on a whole build answer as the users say, until one declines (1); what a
 * patch cannot do is declined or refused, never written wrong. */
static void test_patch(void **state) {
    struct fx *f = *state;
    struct iam_auth_user all[PT_MAX], ch[4];
    int gen[PT_MAX] = {0}, n = 160, declined = 0, patched = 0;
    struct iam_error e;
    void *img = NULL;
    size_t len = 0, n_app = 0;
    uint8_t *copy;
    char *p;

    for (int i = 0; i < n; i++)
        all[i] = pt_user(i, 0);
    iam_error_init(&e);
    assert_int_equal(iam_auth_cache_build(all, (size_t)n, 1, &img, &len, &e), 0);
    copy = malloc(len);
    assert_non_null(copy);

    /* refused: two changed users of one name; a room that is not empty */
    ch[0] = pt_user(3, 1);
    ch[1] = ch[0];
    memcpy(copy, img, len);
    assert_int_equal(iam_auth_cache_patch(img, copy, len, ch, 2, 2, &n_app, &e), -EINVAL);
    {
        uint8_t *bad = malloc(len);
        struct iam_auth_user first = pt_user(0, 0);
        uint64_t records_off;
        assert_non_null(bad);
        memcpy(bad, img, len);
        memcpy(&records_off, bad + offsetof(struct ac_header2, records_off), sizeof(records_off));
        bad[records_off] = 1; /* the first byte of the records' room */
        memcpy(copy, bad, len);
        assert_int_equal(iam_auth_cache_patch(bad, copy, len, &first, 1, 2, &n_app, &e),
                         -EBADMSG);
        free(bad);
    }

    /* the user whose record ends the file cannot grow (the last record ends the file) */
    ch[0] = pt_user(n - 1, 1);
    memcpy(copy, img, len);
    assert_int_equal(iam_auth_cache_patch(img, copy, len, ch, 1, 2, &n_app, &e), 1);

    /* patches piled up: a changed user (alternately growing and shrinking), a new one */
    for (int round = 0; round < PT_MAX - 160 && !declined; round++) {
        int r, k = (round * 7) % 159; /* not u159, whose record ends the file */

        ch[0] = pt_user(k, gen[k] + 1);
        ch[1] = pt_user(n, 0);
        memcpy(copy, img, len);
        r = iam_auth_cache_patch(img, copy, len, ch, 2, (uint64_t)round + 2, &n_app, &e);
        assert_true(r == 0 || r == 1);
        if (r == 1) {
            declined = 1;
            break;
        }
        assert_int_equal(n_app, 1);
        gen[k]++;
        n++;
        memcpy(img, copy, len);
        p = iamtest_write_file(f->dir, "patched.cache", img, len, 0600);
        assert_non_null(p);
        pt_check(p, n, gen);
        free(p);
        patched++;
    }
    print_message("%d patches, then a decline\n", patched);
    /* the room (an eighth and a little) took several patches, then ran out */
    assert_true(patched >= 5);
    assert_true(declined);
    free(copy);
    free(img);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_long_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corruption, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads_version_1, setup, teardown),
        cmocka_unit_test(test_documents_shared),
        cmocka_unit_test_setup_teardown(test_many_users, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
