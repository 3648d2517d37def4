/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libnss_iam.so.2 through dlopen, every entry point, the glibc buffer contract with every
 * buffer size from 1 byte up, errno rules, initgroups_dyn semantics, enumeration, hostile
 * caches and reloading. Test order matters: the hostile caches run before any good cache
 * was mapped (a healthy mapping is re-checked only once a second).
 */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "iamtest.h"
#include "nss_fixture.h"

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getpwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getgrnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*getgrgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*getpwent_fn)(struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getgrent_fn)(struct group *, char *, size_t, int *);
typedef enum nss_status (*initgroups_fn)(const char *, gid_t, long int *, long int *, gid_t **,
                                         long int, int *);

static struct {
    void *dl;
    getpwnam_fn getpwnam;
    getpwuid_fn getpwuid;
    getgrnam_fn getgrnam;
    getgrgid_fn getgrgid;
    setent_fn setpwent, setgrent;
    endent_fn endpwent, endgrent;
    getpwent_fn getpwent;
    getgrent_fn getgrent;
    initgroups_fn initgroups;
    char *dir;
    char path[512];
} t;

static void *sym(const char *name) {
    void *p = dlsym(t.dl, name);

    if (!p)
        fail_msg("missing symbol %s: %s", name, dlerror());
    return p;
}

static int setup(void **state) {
    (void)state;
    t.dl = dlopen(NSS_IAM_SO, RTLD_NOW | RTLD_LOCAL);
    if (!t.dl) {
        fprintf(stderr, "dlopen %s: %s\n", NSS_IAM_SO, dlerror());
        return -1;
    }
    t.getpwnam = (getpwnam_fn)sym("_nss_iam_getpwnam_r");
    t.getpwuid = (getpwuid_fn)sym("_nss_iam_getpwuid_r");
    t.getgrnam = (getgrnam_fn)sym("_nss_iam_getgrnam_r");
    t.getgrgid = (getgrgid_fn)sym("_nss_iam_getgrgid_r");
    t.setpwent = (setent_fn)sym("_nss_iam_setpwent");
    t.setgrent = (setent_fn)sym("_nss_iam_setgrent");
    t.endpwent = (endent_fn)sym("_nss_iam_endpwent");
    t.endgrent = (endent_fn)sym("_nss_iam_endgrent");
    t.getpwent = (getpwent_fn)sym("_nss_iam_getpwent_r");
    t.getgrent = (getgrent_fn)sym("_nss_iam_getgrent_r");
    t.initgroups = (initgroups_fn)sym("_nss_iam_initgroups_dyn");
    t.dir = iamtest_mkdtemp();
    if (!t.dir)
        return -1;
    snprintf(t.path, sizeof(t.path), "%s/nss.cache", t.dir);
    setenv("IAM_NSS_CACHE", t.path, 1);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    iamtest_rmtree(t.dir);
    free(t.dir);
    /* glibc never unloads NSS modules either; keep the mapping's owner alive until exit. */
    return 0;
}

static void write_cache(const struct iam_nss_user *u, size_t nu, const struct iam_nss_group *g,
                        size_t ng) {
    struct iam_error err;

    iam_error_init(&err);
    if (iam_nss_cache_write(t.path, u, nu, g, ng, &err) < 0)
        fail_msg("cache write: %s", err.text);
}

/* Replace the cache file with raw bytes (by rename, as a writer would). */
static void put_raw(const void *data, size_t len, unsigned mode) {
    char tmp[600];
    char *p;

    snprintf(tmp, sizeof(tmp), "%s.raw", t.path);
    (void)unlink(tmp);
    p = iamtest_write_file(t.dir, "nss.cache.raw", data, len, mode);
    assert_non_null(p);
    free(p);
    assert_int_equal(rename(tmp, t.path), 0);
}

static enum nss_status pwnam(const char *name, int *err) {
    struct passwd pw;
    char buf[1024];

    *err = 0;
    return t.getpwnam(name, &pw, buf, sizeof(buf), err);
}

/* Every entry point answers UNAVAIL with this errno and leaves errno alone. */
static void expect_unavail(int want_errno) {
    struct passwd pw;
    struct group gr;
    char buf[1024];
    long int start = 1, size = 4;
    gid_t *groups = calloc(4, sizeof(gid_t));
    int err;

    errno = EDOM;
    err = 0;
    assert_int_equal(t.getpwnam("alice", &pw, buf, sizeof(buf), &err), NSS_STATUS_UNAVAIL);
    assert_int_equal(err, want_errno);
    assert_int_equal(errno, EDOM);
    err = 0;
    assert_int_equal(t.getpwuid(200001, &pw, buf, sizeof(buf), &err), NSS_STATUS_UNAVAIL);
    assert_int_equal(err, want_errno);
    err = 0;
    assert_int_equal(t.getgrnam("devs", &gr, buf, sizeof(buf), &err), NSS_STATUS_UNAVAIL);
    assert_int_equal(err, want_errno);
    err = 0;
    assert_int_equal(t.getgrgid(210000, &gr, buf, sizeof(buf), &err), NSS_STATUS_UNAVAIL);
    assert_int_equal(err, want_errno);
    err = 0;
    assert_int_equal(t.initgroups("bob", 1, &start, &size, &groups, 0, &err), NSS_STATUS_UNAVAIL);
    assert_int_equal(err, want_errno);
    assert_int_equal(start, 1);
    /* setpwent only maps the file: with a sound header and a damaged data block it may
     * succeed, and the first getpwent_r must then refuse. */
    if (t.setpwent(0) != NSS_STATUS_UNAVAIL)
        assert_int_equal(want_errno, EBADMSG);
    err = 0;
    assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_UNAVAIL);
    assert_int_equal(err, want_errno);
    assert_int_equal(t.endpwent(), NSS_STATUS_SUCCESS);
    if (t.setgrent(0) != NSS_STATUS_UNAVAIL)
        assert_int_equal(want_errno, EBADMSG);
    err = 0;
    assert_int_equal(t.getgrent(&gr, buf, sizeof(buf), &err), NSS_STATUS_UNAVAIL);
    assert_int_equal(err, want_errno);
    assert_int_equal(t.endgrent(), NSS_STATUS_SUCCESS);
    assert_int_equal(errno, EDOM);
    free(groups);
}

/* Runs first: nothing has been mapped yet, so each call re-opens the file. */
static void test_hostile(void **state) {
    size_t size;
    void *img = NULL;
    struct iam_error err;
    char junk[8192];
    struct iam_nssc_header h;
    int e;

    (void)state;
    expect_unavail(ENOENT); /* no cache at all */

    iam_error_init(&err);
    assert_int_equal(
        iam_nss_cache_build(fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS, &img, &size, &err), 0);
    put_raw("", 0, 0644);
    expect_unavail(EBADMSG);
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)(i * 131 + 17);
    put_raw(junk, sizeof(junk), 0644);
    expect_unavail(EBADMSG);
    put_raw(img, size / 2, 0644);
    expect_unavail(EBADMSG);
    put_raw(img, size - 1, 0644);
    expect_unavail(EBADMSG);
    /* Damaged data block: the header is fine, the lookup's block is not. */
    memcpy(&h, img, sizeof(h));
    ((uint8_t *)img)[h.sections[IAM_NSSC_USERS].offset + 1] ^= 0x40;
    put_raw(img, size, 0644);
    expect_unavail(EBADMSG);
    ((uint8_t *)img)[h.sections[IAM_NSSC_USERS].offset + 1] ^= 0x40;
    /* Unsafe modes. */
    put_raw(img, size, 0664);
    expect_unavail(EACCES);
    put_raw(img, size, 0666);
    expect_unavail(EACCES);
    /* Symlink to a good cache. */
    {
        char target[600];

        snprintf(target, sizeof(target), "%s/real.cache", t.dir);
        free(iamtest_write_file(t.dir, "real.cache", img, size, 0644));
        (void)unlink(t.path);
        assert_int_equal(symlink(target, t.path), 0);
        expect_unavail(EACCES);
        (void)unlink(t.path);
    }
    /* Not root's and not ours. */
    if (geteuid() == 0) {
        put_raw(img, size, 0644);
        assert_int_equal(chown(t.path, 65534, 65534), 0);
        expect_unavail(EACCES);
    }
    /* Override must be absolute. */
    setenv("IAM_NSS_CACHE", "relative/nss.cache", 1);
    expect_unavail(EINVAL);
    setenv("IAM_NSS_CACHE", t.path, 1);

    /* A good cache is used at once (nothing was mapped). */
    put_raw(img, size, 0644);
    assert_int_equal(pwnam("alice", &e), NSS_STATUS_SUCCESS);
    free(img);
}

static void test_getpwnam_sizes(void **state) {
    size_t min = 0;

    (void)state;
    write_cache(fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS);
    for (size_t len = 1; len < 200; len++) {
        char *buf = malloc(len);
        struct passwd pw;
        int err = -1;
        enum nss_status st;

        assert_non_null(buf);
        errno = EDOM;
        st = t.getpwnam("alice", &pw, buf, len, &err);
        assert_int_equal(errno, EDOM);
        if (st == NSS_STATUS_TRYAGAIN) {
            assert_int_equal(err, ERANGE);
            assert_int_equal(min, 0); /* once it fits, it always fits */
        } else {
            assert_int_equal(st, NSS_STATUS_SUCCESS);
            if (!min)
                min = len;
            assert_string_equal(pw.pw_name, "alice");
            assert_string_equal(pw.pw_passwd, "*");
            assert_int_equal(pw.pw_uid, 200001);
            assert_int_equal(pw.pw_gid, 200001);
            assert_string_equal(pw.pw_gecos, "Alice Smith,,,");
            assert_string_equal(pw.pw_dir, "/home/alice");
            assert_string_equal(pw.pw_shell, "/bin/bash");
            assert_true(pw.pw_name >= buf && pw.pw_shell < buf + len);
        }
        free(buf);
    }
    /* name + "*" + gecos + home + shell, each NUL-terminated: exactly what it needs. */
    assert_int_equal(min, 6 + 2 + 15 + 12 + 10);
}

static void test_getpwuid_sizes(void **state) {
    size_t min = 0;

    (void)state;
    for (size_t len = 1; len < 100; len++) {
        char *buf = malloc(len);
        struct passwd pw;
        int err = -1;
        enum nss_status st = t.getpwuid(200003, &pw, buf, len, &err);

        if (st == NSS_STATUS_TRYAGAIN) {
            assert_int_equal(err, ERANGE);
        } else {
            assert_int_equal(st, NSS_STATUS_SUCCESS);
            if (!min)
                min = len;
            assert_string_equal(pw.pw_name, "carol");
            assert_string_equal(pw.pw_gecos, "");
            assert_string_equal(pw.pw_shell, "");
            assert_string_equal(pw.pw_dir, "/home/carol");
        }
        free(buf);
    }
    assert_int_equal(min, 6 + 2 + 1 + 12 + 1);
}

static void check_devs(const struct group *gr) {
    assert_string_equal(gr->gr_name, "devs");
    assert_string_equal(gr->gr_passwd, "x");
    assert_int_equal(gr->gr_gid, 210000);
    assert_int_equal((uintptr_t)gr->gr_mem % alignof(char *), 0);
    assert_string_equal(gr->gr_mem[0], "alice");
    assert_string_equal(gr->gr_mem[1], "bob");
    assert_string_equal(gr->gr_mem[2], "carol");
    assert_null(gr->gr_mem[3]);
}

static void test_group_sizes(void **state) {
    (void)state;
    /* Odd buffer addresses: gr_mem must still be aligned, and fit inside the buffer. */
    for (size_t shift = 0; shift < 8; shift++) {
        size_t min = 0;

        for (size_t len = 1; len < 120; len++) {
            char *raw = malloc(len + shift), *buf = raw + shift;
            struct group gr;
            int err = -1;
            enum nss_status st = shift % 2 ? t.getgrnam("devs", &gr, buf, len, &err)
                                           : t.getgrgid(210000, &gr, buf, len, &err);

            if (st == NSS_STATUS_TRYAGAIN) {
                assert_int_equal(err, ERANGE);
                assert_int_equal(min, 0);
            } else {
                assert_int_equal(st, NSS_STATUS_SUCCESS);
                if (!min)
                    min = len;
                check_devs(&gr);
                assert_true((char *)gr.gr_mem >= buf && (char *)(gr.gr_mem + 4) <= buf + len);
            }
            free(raw);
        }
        /* 4 pointers + "devs" "x" "alice" "bob" "carol" + alignment padding. */
        assert_int_equal(min, (alignof(char *) - shift % alignof(char *)) % alignof(char *) +
                                  4 * sizeof(char *) + 5 + 2 + 6 + 4 + 6);
    }
}

static void test_misses(void **state) {
    struct passwd pw;
    struct group gr;
    char buf[1024];
    int err;
    const char *names[] = {"", "nobody", "root", "alice2", "ALICE", "devs", "a:b", NULL};

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        err = 0;
        errno = EDOM;
        assert_int_equal(t.getpwnam(names[i], &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
        assert_int_equal(err, ENOENT);
        assert_int_equal(errno, EDOM);
    }
    err = 0;
    assert_int_equal(t.getpwuid(0, &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
    assert_int_equal(err, ENOENT);
    assert_int_equal(t.getpwuid(210000, &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
    assert_int_equal(t.getgrnam("nogroup", &gr, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
    assert_int_equal(t.getgrnam("alic", &gr, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
    assert_int_equal(t.getgrgid(0, &gr, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
    assert_int_equal(t.getgrgid(200004, &gr, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
    /* A miss with a 1-byte buffer is still NOTFOUND, not ERANGE. */
    assert_int_equal(t.getpwnam("nobody", &pw, buf, 1, &err), NSS_STATUS_NOTFOUND);
    /* NULL buffers: ERANGE, never a write through NULL. */
    assert_int_equal(t.getpwnam("alice", &pw, NULL, 0, &err), NSS_STATUS_TRYAGAIN);
    assert_int_equal(err, ERANGE);
    assert_int_equal(t.getgrnam("devs", &gr, NULL, 0, &err), NSS_STATUS_TRYAGAIN);
    assert_int_equal(err, ERANGE);
}

static void test_enumerate(void **state) {
    struct passwd pw;
    struct group gr;
    char small[8], buf[1024];
    int err, n;

    (void)state;
    assert_int_equal(t.setpwent(1), NSS_STATUS_SUCCESS);
    for (n = 0;; n++) {
        /* A short buffer first: ERANGE must not advance the cursor. */
        err = 0;
        enum nss_status st = t.getpwent(&pw, small, sizeof(small), &err);

        if (st == NSS_STATUS_NOTFOUND)
            break;
        assert_int_equal(st, NSS_STATUS_TRYAGAIN);
        assert_int_equal(err, ERANGE);
        assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
        assert_string_equal(pw.pw_name, fx_users[n].name);
        assert_int_equal(pw.pw_uid, fx_users[n].uid);
    }
    assert_int_equal(n, FX_N_USERS);
    assert_int_equal(err, ENOENT);
    assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
    assert_int_equal(t.endpwent(), NSS_STATUS_SUCCESS);
    /* Without setpwent: starts from the beginning. */
    assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "alice");
    assert_int_equal(t.setpwent(0), NSS_STATUS_SUCCESS);
    assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "alice");
    assert_int_equal(t.endpwent(), NSS_STATUS_SUCCESS);

    assert_int_equal(t.setgrent(0), NSS_STATUS_SUCCESS);
    for (n = 0;; n++) {
        enum nss_status st = t.getgrent(&gr, buf, sizeof(buf), &err);

        if (st == NSS_STATUS_NOTFOUND)
            break;
        assert_int_equal(st, NSS_STATUS_SUCCESS);
        assert_string_equal(gr.gr_name, fx_groups[n].name);
        assert_int_equal(gr.gr_gid, fx_groups[n].gid);
        for (size_t k = 0; k < fx_groups[n].n_members; k++)
            assert_string_equal(gr.gr_mem[k], fx_groups[n].members[k]);
        assert_null(gr.gr_mem[fx_groups[n].n_members]);
    }
    assert_int_equal(n, FX_N_GROUPS);
    assert_int_equal(t.endgrent(), NSS_STATUS_SUCCESS);
}

static void test_initgroups(void **state) {
    long int start, size;
    gid_t *groups;
    int err;

    (void)state;
    /* bob: primary 200002 given by the caller, in devs and ops; array grows from 1. */
    start = 1;
    size = 1;
    groups = malloc(sizeof(gid_t));
    groups[0] = 200002;
    errno = EDOM;
    assert_int_equal(t.initgroups("bob", 200002, &start, &size, &groups, 0, &err),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(errno, EDOM);
    assert_int_equal(start, 3);
    assert_true(size >= 3);
    assert_int_equal(groups[0], 200002);
    assert_int_equal(groups[1], 210000);
    assert_int_equal(groups[2], 210001);
    free(groups);

    /* The `group` argument is skipped, duplicates already present are not added again. */
    start = 2;
    size = 2;
    groups = malloc(2 * sizeof(gid_t));
    groups[0] = 5;
    groups[1] = 210001;
    assert_int_equal(t.initgroups("bob", 210000, &start, &size, &groups, 0, &err),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(start, 2);
    assert_int_equal(size, 2);
    free(groups);

    /* limit: never grow past it, stop quietly when full. */
    start = 1;
    size = 1;
    groups = malloc(sizeof(gid_t));
    groups[0] = 1;
    assert_int_equal(t.initgroups("alice", 1, &start, &size, &groups, 2, &err), NSS_STATUS_SUCCESS);
    assert_int_equal(start, 2);
    assert_int_equal(size, 2);
    assert_int_equal(groups[1], 210000);
    free(groups);

    /* A local account listed in an IAM group, an IAM user in no group, a stranger. */
    start = 0;
    size = 4;
    groups = malloc(4 * sizeof(gid_t));
    assert_int_equal(t.initgroups("localadmin", 1000, &start, &size, &groups, 0, &err),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(start, 1);
    assert_int_equal(groups[0], 210002);
    start = 0;
    assert_int_equal(t.initgroups("carol", 200003, &start, &size, &groups, 0, &err),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(start, 1);
    assert_int_equal(groups[0], 210000);
    start = 0;
    err = 0;
    assert_int_equal(t.initgroups("stranger", 1000, &start, &size, &groups, 0, &err),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(err, ENOENT);
    assert_int_equal(start, 0);
    free(groups);
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* A compile is seen without a restart (within the 1 s re-check), a damaged replacement is
 * refused (fail closed), and a repaired cache is used again at once. */
static void test_reload(void **state) {
    struct iam_nss_user dave[] = {{"dave", 200010, 200010, "", "/home/dave", "/bin/sh"}};
    int err;

    (void)state;
    assert_int_equal(pwnam("alice", &err), NSS_STATUS_SUCCESS);
    write_cache(dave, 1, NULL, 0);
    sleep_ms(1100);
    assert_int_equal(pwnam("dave", &err), NSS_STATUS_SUCCESS);
    assert_int_equal(pwnam("alice", &err), NSS_STATUS_NOTFOUND);

    put_raw("garbage", 7, 0644);
    sleep_ms(1100);
    assert_int_equal(pwnam("dave", &err), NSS_STATUS_UNAVAIL);
    assert_int_equal(err, EBADMSG);

    write_cache(fx_users, FX_N_USERS, fx_groups, FX_N_GROUPS);
    assert_int_equal(pwnam("alice", &err), NSS_STATUS_SUCCESS);

    /* Enumeration keeps its snapshot across a reload. */
    {
        struct passwd pw;
        char buf[512];

        assert_int_equal(t.setpwent(0), NSS_STATUS_SUCCESS);
        assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
        assert_string_equal(pw.pw_name, "alice");
        write_cache(dave, 1, NULL, 0);
        sleep_ms(1100);
        assert_int_equal(pwnam("dave", &err), NSS_STATUS_SUCCESS);
        assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
        assert_string_equal(pw.pw_name, "bob");
        assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
        assert_string_equal(pw.pw_name, "carol");
        assert_int_equal(t.getpwent(&pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
        assert_int_equal(t.endpwent(), NSS_STATUS_SUCCESS);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile),        cmocka_unit_test(test_getpwnam_sizes),
        cmocka_unit_test(test_getpwuid_sizes), cmocka_unit_test(test_group_sizes),
        cmocka_unit_test(test_misses),         cmocka_unit_test(test_enumerate),
        cmocka_unit_test(test_initgroups),     cmocka_unit_test(test_reload),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
