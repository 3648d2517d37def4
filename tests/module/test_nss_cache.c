/* SPDX-License-Identifier: Apache-2.0 */
/* The cache writer and the libc-only reader, without the NSS module around them. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>

#include "iamtest.h"
#include "nss_cache_read.h"
#include "nss_fixture.h"
#include "nss_iam_private.h"

static void *build(const struct iam_nss_user *u, size_t nu, const struct iam_nss_group *g,
                   size_t ng, size_t *size) {
    struct iam_error err;
    void *data = NULL;
    int r;

    iam_error_init(&err);
    r = iam_nss_cache_build(u, nu, g, ng, &data, size, &err);
    if (r < 0)
        fail_msg("build failed: %d %s", r, err.text);
    return data;
}

static void expect_reject(const struct iam_nss_user *u, size_t nu, const struct iam_nss_group *g,
                          size_t ng, int want, const char *text) {
    struct iam_error err;
    void *data = NULL;
    size_t size = 0;
    int r;

    iam_error_init(&err);
    r = iam_nss_cache_build(u, nu, g, ng, &data, &size, &err);
    assert_int_equal(r, want);
    assert_null(data);
    if (!strstr(err.text, text))
        fail_msg("error \"%s\" lacks \"%s\"", err.text, text);
}

static void str_is(const struct iam_nssc_str *s, const char *want) {
    assert_int_equal(s->len, strlen(want));
    assert_memory_equal(s->ptr, want, s->len);
    assert_int_equal(s->ptr[s->len], '\0');
}

static void test_roundtrip(void **state) {
    struct iam_nssc *c = NULL;
    struct iam_nssc_pw pw;
    struct iam_nssc_gr gr;
    const uint32_t *gids;
    const char *names;
    uint32_t n;
    size_t size;
    void *img = build(fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS, &size);

    (void)state;
    assert_int_equal(iam_nssc_open_memory(img, size, &c), 0);
    assert_int_equal(iam_nssc_n_users(c), 3);
    assert_int_equal(iam_nssc_n_groups(c), 6);

    assert_int_equal(iam_nssc_user_by_name(c, "alice", &pw), 0);
    str_is(&pw.name, "alice");
    str_is(&pw.gecos, "Alice Smith,,,");
    str_is(&pw.home, "/home/alice");
    str_is(&pw.shell, "/bin/bash");
    assert_int_equal(pw.uid, 200001);
    assert_int_equal(pw.gid, 200001);
    assert_int_equal(iam_nssc_user_by_name(c, "carol", &pw), 0);
    str_is(&pw.gecos, "");
    str_is(&pw.shell, "");
    assert_int_equal(iam_nssc_user_by_uid(c, 200002, &pw), 0);
    str_is(&pw.name, "bob");

    assert_int_equal(iam_nssc_user_by_name(c, "alic", &pw), -ENOENT);
    assert_int_equal(iam_nssc_user_by_name(c, "alicee", &pw), -ENOENT);
    assert_int_equal(iam_nssc_user_by_name(c, "", &pw), -ENOENT);
    assert_int_equal(iam_nssc_user_by_name(c, NULL, &pw), -ENOENT);
    assert_int_equal(iam_nssc_user_by_name(c, "devs", &pw), -ENOENT);
    assert_int_equal(iam_nssc_user_by_uid(c, 0, &pw), -ENOENT);
    assert_int_equal(iam_nssc_user_by_uid(c, 210000, &pw), -ENOENT);

    assert_int_equal(iam_nssc_group_by_name(c, "devs", &gr), 0);
    assert_int_equal(gr.gid, 210000);
    assert_int_equal(gr.n_members, 3);
    assert_int_equal(gr.members_size, 6 + 4 + 6);
    assert_int_equal(iam_nssc_group_member_names(c, &gr, &names), 0);
    assert_memory_equal(names, "alice\0bob\0carol\0", 16);
    assert_int_equal(iam_nssc_group_by_gid(c, 200001, &gr), 0);
    str_is(&gr.name, "alice");
    assert_int_equal(gr.n_members, 0);
    assert_int_equal(iam_nssc_group_by_gid(c, 1, &gr), -ENOENT);
    assert_int_equal(iam_nssc_group_by_name(c, "nogroup", &gr), -ENOENT);

    assert_int_equal(iam_nssc_member_gids(c, "bob", &gids, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(gids[0], 210000);
    assert_int_equal(gids[1], 210001);
    assert_int_equal(iam_nssc_member_gids(c, "localadmin", &gids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(gids[0], 210002);
    assert_int_equal(iam_nssc_member_gids(c, "alice", &gids, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(iam_nssc_member_gids(c, "nobody", &gids, &n), -ENOENT);
    assert_int_equal(iam_nssc_member_gids(c, "devs", &gids, &n), -ENOENT);

    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(iam_nssc_user_at(c, i, &pw), 0);
        str_is(&pw.name, fx_users[i].name);
    }
    assert_int_equal(iam_nssc_user_at(c, 3, &pw), -ENOENT);
    assert_int_equal(iam_nssc_group_at(c, 5, &gr), 0);
    str_is(&gr.name, "mixed");
    assert_int_equal(iam_nssc_group_at(c, 6, &gr), -ENOENT);
    assert_false(iam_nssc_is_damaged(c));
    iam_nssc_unref(c);
    free(img);
}

/* Many entries: tables with collisions, several blocks, every entry found, misses missed. */
static void test_many(void **state) {
    enum { N = 20000, G = 2000 };
    struct iam_nss_user *u = calloc(N, sizeof(*u));
    struct iam_nss_group *g = calloc(G, sizeof(*g));
    char(*names)[16] = calloc(N, 16), (*gnames)[16] = calloc(G, 16);
    const char **mem = calloc((size_t)N * 5, sizeof(char *));
    struct iam_nssc *c = NULL;
    struct iam_nssc_pw pw;
    struct iam_nssc_gr gr;
    size_t size, m = 0;
    void *img;

    (void)state;
    assert_non_null(u);
    assert_non_null(g);
    assert_non_null(mem);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], 16, "user%d", i);
        u[i] = (struct iam_nss_user){names[i], 300000 + i, 300000 + i, "", "/home/x", "/bin/sh"};
    }
    for (int i = 0; i < G; i++) {
        snprintf(gnames[i], 16, "grp%d", i);
        g[i].name = gnames[i];
        g[i].gid = 400000 + i;
        g[i].members = &mem[m];
        for (int k = 0; k < N; k++)
            if (k % G == i || (k + 1) % G == i) {
                mem[m++] = names[k];
                g[i].n_members++;
            }
    }
    img = build(u, N, g, G, &size);
    assert_int_equal(iam_nssc_open_memory(img, size, &c), 0);
    for (int i = 0; i < N; i++) {
        char miss[24];

        assert_int_equal(iam_nssc_user_by_name(c, names[i], &pw), 0);
        assert_int_equal(pw.uid, 300000 + i);
        assert_int_equal(iam_nssc_user_by_uid(c, 300000 + i, &pw), 0);
        str_is(&pw.name, names[i]);
        snprintf(miss, sizeof(miss), "nouser%d", i);
        assert_int_equal(iam_nssc_user_by_name(c, miss, &pw), -ENOENT);
        assert_int_equal(iam_nssc_user_by_uid(c, 500000 + i, &pw), -ENOENT);
    }
    for (int i = 0; i < G; i++) {
        assert_int_equal(iam_nssc_group_by_name(c, gnames[i], &gr), 0);
        assert_int_equal(gr.gid, 400000 + i);
        assert_int_equal(gr.n_members, g[i].n_members);
    }
    iam_nssc_unref(c);
    free(img);
    free(u);
    free(g);
    free(names);
    free(gnames);
    free(mem);
}

static void test_reject_fields(void **state) {
    struct iam_nss_user u = {"alice", 200001, 200001, "", "/home/alice", "/bin/sh"};
    struct iam_nss_group gr = {"devs", 210000, NULL, 0};
    const char *bad_names[] = {"",   "a:b",   "a,b", "a b", "a\nb", "a\tb", "-x",
                               "+x", "12345", ".",   "..",  "a/b",  "a\x7f"};
    char longname[300];

    (void)state;
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        struct iam_nss_user b = u;
        struct iam_nss_group bg = gr;
        const char *mem[] = {bad_names[i]};

        b.name = bad_names[i];
        expect_reject(&b, 1, NULL, 0, -EINVAL, "user 0");
        bg.name = bad_names[i];
        expect_reject(&u, 1, &bg, 1, -EINVAL, "group 0");
        bg = gr;
        bg.members = mem;
        bg.n_members = 1;
        expect_reject(&u, 1, &bg, 1, -EINVAL, "member 0");
        assert_int_equal(iam_nss_name_valid(bad_names[i]), -EINVAL);
    }
    memset(longname, 'a', 256);
    longname[256] = '\0';
    u.name = longname;
    expect_reject(&u, 1, NULL, 0, -EINVAL, "longer than 255");
    longname[255] = '\0';
    assert_int_equal(iam_nss_name_valid(longname), 0);
    assert_int_equal(iam_nss_name_valid("alice.smith@example.com"), 0);
    assert_int_equal(iam_nss_name_valid("a1"), 0);
    u.name = "alice";

    {
        struct iam_nss_user b = u;

        b.gecos = "a:b";
        expect_reject(&b, 1, NULL, 0, -EINVAL, "gecos contains ':'");
        b.gecos = "line\nbreak";
        expect_reject(&b, 1, NULL, 0, -EINVAL, "gecos contains a newline");
        b = u;
        b.home = "relative/home";
        expect_reject(&b, 1, NULL, 0, -EINVAL, "home is not an absolute path");
        b.home = "/home/a:b";
        expect_reject(&b, 1, NULL, 0, -EINVAL, "home contains ':'");
        b = u;
        b.shell = "/bin/sh\r";
        expect_reject(&b, 1, NULL, 0, -EINVAL, "shell contains");
        b = u;
        b.uid = 0;
        expect_reject(&b, 1, NULL, 0, -EINVAL, "not allowed");
        b.uid = (uid_t)-1;
        expect_reject(&b, 1, NULL, 0, -EINVAL, "not allowed");
        b.uid = 65535;
        expect_reject(&b, 1, NULL, 0, -EINVAL, "not allowed");
        b = u;
        b.gid = 0;
        expect_reject(&b, 1, NULL, 0, -EINVAL, "not allowed");
        b = u;
        b.gecos = "Comma, allowed";
        {
            size_t size;
            void *img = build(&b, 1, NULL, 0, &size);

            free(img);
        }
    }
    {
        struct iam_nss_group bg = gr;

        bg.gid = 0;
        expect_reject(&u, 1, &bg, 1, -EINVAL, "gid 0 not allowed");
        bg.gid = 210000;
        bg.n_members = 2;
        expect_reject(&u, 1, &bg, 1, -EINVAL, "members missing");
    }
}

static void test_reject_duplicates(void **state) {
    struct iam_nss_user u2[] = {{"alice", 200001, 200001, "", "/h", "/bin/sh"},
                                {"alice", 200002, 200002, "", "/h", "/bin/sh"}};
    struct iam_nss_user u3[] = {{"alice", 200001, 200001, "", "/h", "/bin/sh"},
                                {"bob", 200001, 200002, "", "/h", "/bin/sh"}};
    struct iam_nss_group g2[] = {{"devs", 210000, NULL, 0}, {"devs", 210001, NULL, 0}};
    struct iam_nss_group g3[] = {{"devs", 210000, NULL, 0}, {"ops", 210000, NULL, 0}};
    const char *twice[] = {"alice", "bob", "alice"};
    struct iam_nss_group g4[] = {{"devs", 210000, twice, 3}};
    /* A user and a group sharing name and id is the private-group convention: fine. */
    struct iam_nss_group priv[] = {{"alice", 200001, NULL, 0}};
    size_t size;
    void *img;

    (void)state;
    expect_reject(u2, 2, NULL, 0, -EINVAL, "both named \"alice\"");
    expect_reject(u3, 2, NULL, 0, -EINVAL, "share uid 200001");
    expect_reject(u2, 1, g2, 2, -EINVAL, "both named \"devs\"");
    expect_reject(u2, 1, g3, 2, -EINVAL, "share gid 210000");
    expect_reject(u2, 1, g4, 1, -EINVAL, "member \"alice\" listed twice");
    img = build(u2, 1, priv, 1, &size);
    free(img);
    /* Empty account: valid, every lookup misses. */
    {
        struct iam_nssc *c = NULL;
        struct iam_nssc_pw pw;
        const uint32_t *gids;
        uint32_t n;

        img = build(NULL, 0, NULL, 0, &size);
        assert_int_equal(iam_nssc_open_memory(img, size, &c), 0);
        assert_int_equal(iam_nssc_user_by_name(c, "alice", &pw), -ENOENT);
        assert_int_equal(iam_nssc_user_by_uid(c, 5, &pw), -ENOENT);
        assert_int_equal(iam_nssc_user_at(c, 0, &pw), -ENOENT);
        assert_int_equal(iam_nssc_member_gids(c, "alice", &gids, &n), -ENOENT);
        iam_nssc_unref(c);
        free(img);
    }
}

/* Damage: every byte of a small cache flipped in turn must give -EBADMSG somewhere (open or
 * lookup), never a crash or a wrong "found". */
static int probe_all(struct iam_nssc *c) {
    struct iam_nssc_pw pw;
    struct iam_nssc_gr gr;
    const uint32_t *p;
    const char *names;
    uint32_t n;
    int bad = 0;

    bad |= iam_nssc_user_by_name(c, "alice", &pw) == -EBADMSG;
    bad |= iam_nssc_user_by_uid(c, 200002, &pw) == -EBADMSG;
    bad |= iam_nssc_group_by_name(c, "devs", &gr) == -EBADMSG;
    if (iam_nssc_group_by_gid(c, 210000, &gr) == 0) {
        bad |= iam_nssc_group_member_names(c, &gr, &names) == -EBADMSG;
    } else {
        bad = 1;
    }
    bad |= iam_nssc_member_gids(c, "bob", &p, &n) == -EBADMSG;
    for (uint32_t i = 0; i < 4; i++)
        bad |= iam_nssc_user_at(c, i, &pw) == -EBADMSG;
    return bad;
}

static void test_damage(void **state) {
    size_t size;
    uint8_t *img = build(fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS, &size);
    uint8_t *copy = malloc(size);

    (void)state;
    assert_non_null(copy);
    for (size_t i = 0; i < size; i++) {
        struct iam_nssc *c = NULL;
        int r;

        memcpy(copy, img, size);
        copy[i] ^= 0x5a;
        r = iam_nssc_open_memory(copy, size, &c);
        if (r < 0) {
            assert_true(r == -EBADMSG || r == -ENOTSUP);
            continue;
        }
        /* The header and block table are hashed at open, the data area per block: a flip
         * anywhere is caught by the first lookup touching it (one block here). */
        if (!probe_all(c))
            fail_msg("flipped byte %zu of %zu went unnoticed", i, size);
        iam_nssc_unref(c);
    }
    /* Truncated at every length: refused at open. */
    for (size_t len = 0; len < size; len++) {
        struct iam_nssc *c = NULL;

        assert_int_equal(iam_nssc_open_memory(img, len, &c), -EBADMSG);
    }
    free(copy);
    free(img);
}

/* Flip one data byte: the header still validates, the first lookup touching the block fails
 * and the handle stays refused. */
static void test_damaged_block(void **state) {
    size_t size;
    uint8_t *img = build(fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS, &size);
    struct iam_nssc_header h;
    struct iam_nssc *c = NULL;
    struct iam_nssc_pw pw;

    (void)state;
    memcpy(&h, img, sizeof(h));
    img[h.sections[IAM_NSSC_USERS].offset + sizeof(struct iam_nssc_user) + 1] ^= 1;
    assert_int_equal(iam_nssc_open_memory(img, size, &c), 0);
    assert_int_equal(iam_nssc_user_by_name(c, "alice", &pw), -EBADMSG);
    assert_true(iam_nssc_is_damaged(c));
    assert_int_equal(iam_nssc_user_by_uid(c, 200002, &pw), -EBADMSG);
    iam_nssc_unref(c);
    free(img);
}

/* The file offset of user i's (group i's) record, from the enumeration index. */
static uint32_t rec_off(const uint8_t *img, unsigned index_section, uint32_t i) {
    struct iam_nssc_header h;
    uint32_t off;

    memcpy(&h, img, sizeof(h));
    memcpy(&off, img + h.sections[index_section].offset + (size_t)i * 4, 4);
    return off;
}

/* Forged caches with correct hashes: structural checks alone must hold. */
static void test_forged(void **state) {
    size_t size;
    uint8_t *img = build(fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS, &size);
    uint8_t *copy = malloc(size);
    struct iam_nssc_header h;
    struct iam_nssc *c;
    struct iam_nssc_pw pw;
    struct iam_nssc_gr gr;
    const uint32_t *gids;
    uint32_t n;
    uint32_t alice = rec_off(img, IAM_NSSC_USER_INDEX, 0), bob = rec_off(img, IAM_NSSC_USER_INDEX, 1);
    uint32_t devs = rec_off(img, IAM_NSSC_GROUP_INDEX, 3), ops = rec_off(img, IAM_NSSC_GROUP_INDEX, 4);

    (void)state;
    memcpy(&h, img, sizeof(h));
#define FORGE_BEGIN                                                                                \
    memcpy(copy, img, size);                                                                       \
    {                                                                                              \
        struct iam_nssc_header *fh = (struct iam_nssc_header *)(void *)copy;                       \
        (void)fh;
#define FORGE_END(open_result)                                                                     \
    }                                                                                              \
    fx_rehash(copy, size);                                                                         \
    c = NULL;                                                                                      \
    assert_int_equal(iam_nssc_open_memory(copy, size, &c), open_result)

    FORGE_BEGIN fh->version = 1;
    FORGE_END(-ENOTSUP);
    FORGE_BEGIN fh->file_size += 8;
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->sections[IAM_NSSC_USERS].offset += 4;
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->sections[IAM_NSSC_USERS].count = 1000000;
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->sections[IAM_NSSC_GROUPS].count += 4096;
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->sections[IAM_NSSC_USER_BY_NAME].count = 0;
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->sections[IAM_NSSC_USER_BY_NAME].count -= 1; /* not whole lines */
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->sections[IAM_NSSC_USER_BY_NAME].offset = 8;
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->sections[IAM_NSSC_USER_INDEX].count += 1;
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->n_blocks += 1;
    FORGE_END(-EBADMSG);
    FORGE_BEGIN fh->data_offset = 0;
    FORGE_END(-EBADMSG);

    /* User records whose lengths run past the section, or put a NUL elsewhere. */
    FORGE_BEGIN {
        uint16_t big = 0xffff;
        uint8_t zero = 0;

        memcpy(copy + alice + offsetof(struct iam_nssc_user, home_len), &big, 2);
        memcpy(copy + bob + offsetof(struct iam_nssc_user, name_len), &zero, 1);
    }
    FORGE_END(0);
    assert_int_equal(iam_nssc_user_by_name(c, "alice", &pw), -EBADMSG);
    assert_int_equal(iam_nssc_user_at(c, 1, &pw), -EBADMSG);
    assert_int_equal(iam_nssc_user_at(c, 2, &pw), 0);
    iam_nssc_unref(c);
    FORGE_BEGIN copy[alice + offsetof(struct iam_nssc_user, gecos_len)] += 1;
    FORGE_END(0);
    assert_int_equal(iam_nssc_user_by_uid(c, 200001, &pw), -EBADMSG);
    assert_int_equal(iam_nssc_user_by_uid(c, 200002, &pw), 0);
    iam_nssc_unref(c);
    /* A group list longer than the record. */
    FORGE_BEGIN {
        uint32_t many = 0x40000000u;

        memcpy(copy + bob + offsetof(struct iam_nssc_user, n_gids), &many, 4);
    }
    FORGE_END(0);
    assert_int_equal(iam_nssc_member_gids(c, "bob", &gids, &n), -EBADMSG);
    assert_int_equal(iam_nssc_member_gids(c, "localadmin", &gids, &n), 0);
    iam_nssc_unref(c);

    /* Groups whose member names run past the section or are too few for their count; slots
     * pointing past the records, at a misaligned offset, or into another section. */
    FORGE_BEGIN {
        uint32_t big = 0x7fffffff, many = 1000;
        struct iam_nssc_slot *s =
            (struct iam_nssc_slot *)(void *)(copy + h.sections[IAM_NSSC_USER_BY_UID].offset);
        struct iam_nssc_slot *g =
            (struct iam_nssc_slot *)(void *)(copy + h.sections[IAM_NSSC_GROUP_BY_GID].offset);

        memcpy(copy + devs + offsetof(struct iam_nssc_group, members_size), &big, 4);
        memcpy(copy + ops + offsetof(struct iam_nssc_group, n_members), &many, 4);
        for (uint32_t i = 0; i < h.sections[IAM_NSSC_USER_BY_UID].count; i++)
            if (s[i].off)
                s[i].off = s[i].key == 200001 ? 0xfffffff8u : s[i].off + 4;
        for (uint32_t i = 0; i < h.sections[IAM_NSSC_GROUP_BY_GID].count; i++)
            if (g[i].off)
                g[i].off = alice;
    }
    FORGE_END(0);
    assert_int_equal(iam_nssc_group_by_name(c, "devs", &gr), -EBADMSG);
    assert_int_equal(iam_nssc_group_by_name(c, "ops", &gr), -EBADMSG);
    assert_int_equal(iam_nssc_group_by_name(c, "mixed", &gr), 0);
    assert_int_equal(iam_nssc_user_by_uid(c, 200001, &pw), -EBADMSG);
    assert_int_equal(iam_nssc_user_by_uid(c, 200002, &pw), -EBADMSG);
    assert_int_equal(iam_nssc_group_by_gid(c, 210002, &gr), -EBADMSG);
    iam_nssc_unref(c);

    /* Member name lengths that disagree with the names: packing refuses the group. */
    FORGE_BEGIN {
        uint8_t *lens = copy + devs + sizeof(struct iam_nssc_group) + strlen("devs") + 1;

        lens[0] = 3; /* "alice" is 5 */
    }
    FORGE_END(0);
    {
        struct group grp;
        char buf[1024];

        assert_int_equal(iam_nssc_group_by_name(c, "devs", &gr), 0);
        assert_int_equal(iam_nss_pack_group(c, &gr, &grp, buf, sizeof(buf)), -EBADMSG);
        assert_int_equal(iam_nssc_group_by_name(c, "ops", &gr), 0);
        assert_int_equal(iam_nss_pack_group(c, &gr, &grp, buf, sizeof(buf)), 0);
        assert_string_equal(grp.gr_mem[0], "bob");
        assert_null(grp.gr_mem[1]);
    }
    iam_nssc_unref(c);
    FORGE_BEGIN {
        uint8_t *lens = copy + devs + sizeof(struct iam_nssc_group) + strlen("devs") + 1;

        lens[2] = 200; /* "carol" is 5: past the names */
    }
    FORGE_END(0);
    {
        struct group grp;
        char buf[1024];

        assert_int_equal(iam_nssc_group_by_name(c, "devs", &gr), 0);
        assert_int_equal(iam_nss_pack_group(c, &gr, &grp, buf, sizeof(buf)), -EBADMSG);
    }
    iam_nssc_unref(c);

    /* A full table (no empty slot): lookups stop after count probes. */
    FORGE_BEGIN {
        struct iam_nssc_slot *s =
            (struct iam_nssc_slot *)(void *)(copy + h.sections[IAM_NSSC_USER_BY_NAME].offset);
        for (uint32_t i = 0; i < h.sections[IAM_NSSC_USER_BY_NAME].count; i++)
            s[i] = (struct iam_nssc_slot){.key = 1, .off = alice};
    }
    FORGE_END(0);
    assert_int_equal(iam_nssc_user_by_name(c, "nosuchuser", &pw), -ENOENT);
    iam_nssc_unref(c);
#undef FORGE_BEGIN
#undef FORGE_END
    free(copy);
    free(img);
}

static void test_write_file(void **state) {
    char *dir = iamtest_mkdtemp();
    char path[512], msg[600];
    struct iam_error err;
    struct stat st;
    struct iam_nssc *c = NULL;
    struct iam_nssc_pw pw;
    struct iam_nss_user bad = {"bad:name", 200009, 200009, "", "/h", "/bin/sh"};
    mode_t old;
    DIR *d;
    struct dirent *de;
    int n = 0;

    (void)state;
    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/nss.cache", dir);
    old = umask(077);
    iam_error_init(&err);
    assert_int_equal(iam_nss_cache_write(path, fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS, &err),
                     0);
    umask(old);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(st.st_uid, geteuid());
    assert_int_equal(iam_nssc_open(path, geteuid(), &c), 0);
    assert_int_equal(iam_nssc_user_by_name(c, "bob", &pw), 0);
    assert_false(iam_nssc_changed(c, path));

    /* A bad input changes nothing: same inode, no temporary file left. */
    iam_error_init(&err);
    assert_int_equal(iam_nss_cache_write(path, &bad, 1, NULL, 0, &err), -EINVAL);
    iam_error_format(&err, msg, sizeof(msg));
    if (!strstr(msg, path) || !strstr(msg, "bad:name"))
        fail_msg("error lacks path or name: %s", msg);
    assert_false(iam_nssc_changed(c, path));

    /* A good rewrite replaces the inode; the old mapping stays readable. */
    iam_error_init(&err);
    assert_int_equal(iam_nss_cache_write(path, fx_users, 1, NULL, 0, &err), 0);
    assert_true(iam_nssc_changed(c, path));
    assert_int_equal(iam_nssc_user_by_name(c, "carol", &pw), 0);
    str_is(&pw.home, "/home/carol");
    iam_nssc_unref(c);

    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    assert_int_equal(n, 1);

    /* A rename that fails (the path is a directory) leaves no temporary file behind. */
    snprintf(path, sizeof(path), "%s/adir", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    iam_error_init(&err);
    assert_int_equal(iam_nss_cache_write(path, fx_users, 1, NULL, 0, &err), -EISDIR);
    assert_non_null(strstr(err.text, "rename"));
    d = opendir(dir);
    assert_non_null(d);
    n = 0;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    assert_int_equal(n, 2); /* nss.cache and adir */

    /* A missing directory is an error with a message, and nothing is left behind. */
    snprintf(path, sizeof(path), "%s/missing/nss.cache", dir);
    iam_error_init(&err);
    assert_int_equal(iam_nss_cache_write(path, fx_users, 1, NULL, 0, &err), -ENOENT);
    assert_true(err.set);
    iamtest_rmtree(dir);
    free(dir);
}

/* The file checks of iam_nssc_open. */
static void test_open_checks(void **state) {
    char *dir = iamtest_mkdtemp();
    char path[512], link[512], sub[512];
    struct iam_error err;
    struct iam_nssc *c = NULL;

    (void)state;
    snprintf(path, sizeof(path), "%s/nss.cache", dir);
    iam_error_init(&err);
    assert_int_equal(iam_nss_cache_write(path, fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS, &err),
                     0);
    /* Owner: ours is accepted only when asked for. */
    if (geteuid() != 0) {
        assert_int_equal(iam_nssc_open(path, (uid_t)-1, &c), -EACCES);
    } else {
        assert_int_equal(iam_nssc_open(path, (uid_t)-1, &c), 0);
        c = iam_nssc_unref(c);
        assert_int_equal(chown(path, 65534, 65534), 0);
        assert_int_equal(iam_nssc_open(path, (uid_t)-1, &c), -EACCES);
        assert_int_equal(iam_nssc_open(path, 0, &c), -EACCES);
        assert_int_equal(iam_nssc_open(path, 65534, &c), 0);
        c = iam_nssc_unref(c);
        assert_int_equal(chown(path, 0, 0), 0);
    }
    assert_int_equal(chmod(path, 0664), 0);
    assert_int_equal(iam_nssc_open(path, geteuid(), &c), -EACCES);
    assert_int_equal(chmod(path, 0646), 0);
    assert_int_equal(iam_nssc_open(path, geteuid(), &c), -EACCES);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(iam_nssc_open(path, geteuid(), &c), 0);
    c = iam_nssc_unref(c);
    assert_int_equal(chmod(path, 0644), 0);

    snprintf(link, sizeof(link), "%s/link.cache", dir);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(iam_nssc_open(link, geteuid(), &c), -EACCES);

    snprintf(sub, sizeof(sub), "%s/dir.cache", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(iam_nssc_open(sub, geteuid(), &c), -EACCES);

    free(iamtest_write_file(dir, "empty", "", 0, 0644));
    snprintf(sub, sizeof(sub), "%s/empty", dir);
    assert_int_equal(iam_nssc_open(sub, geteuid(), &c), -EBADMSG);
    {
        char junk[4096];

        for (size_t i = 0; i < sizeof(junk); i++)
            junk[i] = (char)(i * 31 + 7);
        free(iamtest_write_file(dir, "junk", junk, sizeof(junk), 0644));
    }
    snprintf(sub, sizeof(sub), "%s/junk", dir);
    assert_int_equal(iam_nssc_open(sub, geteuid(), &c), -EBADMSG);
    snprintf(sub, sizeof(sub), "%s/none", dir);
    assert_int_equal(iam_nssc_open(sub, geteuid(), &c), -ENOENT);
    assert_null(c);
    iamtest_rmtree(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),     cmocka_unit_test(test_many),
        cmocka_unit_test(test_reject_fields), cmocka_unit_test(test_reject_duplicates),
        cmocka_unit_test(test_damage),        cmocka_unit_test(test_damaged_block),
        cmocka_unit_test(test_forged),        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_open_checks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
