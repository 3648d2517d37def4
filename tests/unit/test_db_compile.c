/* SPDX-License-Identifier: Apache-2.0 */
/* The compile hook: a database becomes nss.cache (read back with the NSS module's reader)
 * and auth.cache (read back with pam_iam's reader): users with home/shell defaults, groups
 * with members, private groups, secrets and effective policies in order; modes; and a
 * failed compile leaves the last good caches in place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iam/auth_cache.h"
#include "iam/cache_build.h"
#include "iam/config.h"
#include "iam/db.h"
#include "iamtest.h"
#include "nss_cache_read.h"

struct fx {
    char *dir, *cache;
    struct iam_db *db;
    struct iam_config *config;
};

static struct iam_config *config_for_gid(const char *cache, bool private_groups,
                                         const char *default_gid) {
    char *text = NULL;
    struct iam_config *c = NULL;
    struct iam_error e;

    iam_error_init(&e);
    assert_true(asprintf(&text,
                         "account_id = 123456789012\nhost_arn = arn:aws:ec2:eu-west-1:123456789012:"
                         "instance/i-1\ncache_dir = %s\nhome_template = /srv/home/%%u\n"
                         "default_shell = /bin/zsh\nprivate_groups = %s\n%s",
                         cache, private_groups ? "yes" : "no", default_gid) > 0);
    assert_int_equal(iam_config_parse(text, strlen(text), "test", &c, &e), 0);
    free(text);
    return c;
}

static struct iam_config *config_for(const char *cache, bool private_groups) {
    return config_for_gid(cache, private_groups, "");
}

static int setup(void **state) {
    struct fx *f = calloc(1, sizeof(*f));
    char *text;
    size_t len;
    struct iam_error e;

    f->dir = iamtest_mkdtemp();
    assert_true(asprintf(&f->cache, "%s/cache", f->dir) > 0);
    text = iamtest_read_file(IAM_TEST_VECTORS_DIR "/db/ok_base/input.json", &len);
    iam_error_init(&e);
    assert_int_equal(iam_db_parse(text, len, "base", 0, &f->db, &e), 0);
    free(text);
    f->config = config_for(f->cache, true);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fx *f = *state;

    iam_db_free(f->db);
    iam_config_free(f->config);
    iamtest_rmtree(f->dir);
    free(f->dir);
    free(f->cache);
    free(f);
    return 0;
}

static bool str_is(struct iam_nssc_str s, const char *want) {
    return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

static void test_nss(void **state) {
    struct fx *f = *state;
    struct iam_error e;
    struct iam_nssc *c = NULL;
    struct iam_nssc_pw pw;
    struct iam_nssc_gr gr;
    struct stat st;
    char *path = NULL;

    iam_error_init(&e);
    assert_int_equal(iam_compile_caches(f->config, f->db, &e), 0);
    assert_true(asprintf(&path, "%s/nss.cache", f->cache) > 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(iam_nssc_open(path, geteuid(), &c), 0);
    assert_int_equal(iam_nssc_user_by_name(c, "alice", &pw), 0);
    assert_int_equal(pw.uid, 200000);
    assert_int_equal(pw.gid, 200000);
    assert_true(str_is(pw.home, "/home/alice"));
    assert_true(str_is(pw.shell, "/bin/bash"));
    assert_true(str_is(pw.gecos, "Alice Example"));
    /* bob has no Home/Shell: the config's template and default */
    assert_int_equal(iam_nssc_user_by_uid(c, 200001, &pw), 0);
    assert_true(str_is(pw.name, "bob"));
    assert_true(str_is(pw.home, "/srv/home/bob"));
    assert_true(str_is(pw.shell, "/bin/zsh"));
    assert_int_equal(iam_nssc_group_by_name(c, "devs", &gr), 0);
    assert_int_equal(gr.gid, 200002);
    assert_int_equal(gr.n_members, 2);
    {
        const char *names = NULL;
        assert_int_equal(iam_nssc_group_member_names(c, &gr, &names), 0);
        assert_string_equal(names, "alice");
        assert_string_equal(names + strlen("alice") + 1, "bob");
    }
    /* private groups: named as the user, gid = uid */
    assert_int_equal(iam_nssc_group_by_gid(c, 200000, &gr), 0);
    assert_true(str_is(gr.name, "alice"));
    assert_int_equal(gr.n_members, 0);
    assert_int_equal(iam_nssc_user_by_name(c, "carol", &pw), -ENOENT);
    iam_nssc_unref(c);
    c = NULL;
    /* without private groups there are none */
    iam_config_free(f->config);
    f->config = config_for(f->cache, false);
    assert_int_equal(iam_compile_caches(f->config, f->db, &e), 0);
    assert_int_equal(iam_nssc_open(path, geteuid(), &c), 0);
    assert_int_equal(iam_nssc_group_by_gid(c, 200000, &gr), -ENOENT);
    assert_int_equal(iam_nssc_group_by_name(c, "alice", &gr), -ENOENT);
    assert_int_equal(iam_nssc_group_by_name(c, "ops", &gr), 0);
    /* and a primary gid that was the private group's becomes a real group's: default_gid */
    assert_int_equal(iam_nssc_user_by_name(c, "alice", &pw), 0);
    assert_int_equal(pw.uid, 200000);
    assert_int_equal(pw.gid, 100);
    iam_nssc_unref(c);
    c = NULL;
    iam_config_free(f->config);
    f->config = config_for_gid(f->cache, false, "default_gid = 200002\n");
    assert_int_equal(iam_compile_caches(f->config, f->db, &e), 0);
    assert_int_equal(iam_nssc_open(path, geteuid(), &c), 0);
    assert_int_equal(iam_nssc_user_by_name(c, "bob", &pw), 0);
    assert_int_equal(pw.gid, 200002); /* devs */
    iam_nssc_unref(c);
    free(path);
}

static void test_auth(void **state) {
    struct fx *f = *state;
    struct iam_error e;
    struct iam_auth_cache *ac = NULL;
    struct iam_auth_record *rec = NULL;
    const struct iam_auth_user *u;
    struct stat st;
    char *path = NULL;

    iam_error_init(&e);
    assert_int_equal(iam_compile_caches(f->config, f->db, &e), 0);
    assert_true(asprintf(&path, "%s/auth.cache", f->cache) > 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(iam_auth_cache_open(path, &ac, &e), 0);
    assert_int_equal(iam_auth_cache_verify(ac, &e), 0);
    assert_int_equal(iam_auth_cache_serial(ac), 7);
    assert_int_equal(iam_auth_cache_n_users(ac), 2);
    assert_int_equal(iam_auth_cache_find(ac, "alice", &rec, &e), 0);
    u = iam_auth_record_user(rec);
    assert_string_equal(u->user_id, "AIDAEXAMPLEALICE00001");
    assert_string_equal(u->arn, "arn:aws:iam::123456789012:user/alice");
    assert_int_equal(u->n_keys, 1);
    assert_string_equal(u->keys[0].id, "AKIAAAAAAAAAAAAAAAA2");
    assert_true(u->keys[0].active);
    assert_int_equal(u->keys[0].create_date, 1704164645);
    assert_non_null(u->password_hash);
    assert_int_equal(u->n_tags, 1);
    assert_int_equal(u->n_groups, 2);
    assert_string_equal(u->groups[0], "devs");
    /* own inline, own attached, devs' inline and attached, then the boundary */
    assert_int_equal(u->n_policies, 5);
    assert_string_equal(u->policies[0].source_id, "user/alice/own");
    assert_string_equal(u->policies[0].source_type, "user");
    assert_string_equal(u->policies[1].source_id, "arn:aws:iam::123456789012:policy/HostLogin");
    assert_string_equal(u->policies[1].source_type, "managed");
    assert_string_equal(u->policies[2].source_id, "group/devs/login");
    assert_string_equal(u->policies[3].source_id, "arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert_int_equal(u->policies[4].kind, IAM_AUTH_POLICY_BOUNDARY);
    assert_string_equal(u->policies[4].source_type, "boundary");
    /* the URL-encoded AWS-managed document is stored decoded */
    assert_non_null(strstr(u->policies[4].text, "\"Action\":\"host:Login\""));
    iam_auth_record_free(rec);
    rec = NULL;
    assert_int_equal(iam_auth_cache_find(ac, "bob", &rec, &e), 0);
    assert_null(iam_auth_record_user(rec)->password_hash);
    iam_auth_record_free(rec);
    iam_auth_cache_close(ac);
    free(path);
}

static void test_failure_keeps_caches(void **state) {
    struct fx *f = *state;
    struct iam_error e;
    char *nss = NULL, *before, *after;
    size_t blen, alen;

    iam_error_init(&e);
    assert_int_equal(iam_compile_caches(f->config, f->db, &e), 0);
    assert_true(asprintf(&nss, "%s/nss.cache", f->cache) > 0);
    before = iamtest_read_file(nss, &blen);
    /* an unsafe cache directory is refused and nothing is written */
    assert_int_equal(chmod(f->cache, 0777), 0);
    iam_error_init(&e);
    assert_int_equal(iam_compile_caches(f->config, f->db, &e), -EACCES);
    assert_non_null(strstr(e.text, "refusing to use the cache directory"));
    assert_int_equal(chmod(f->cache, 0755), 0);
    after = iamtest_read_file(nss, &alen);
    assert_int_equal(alen, blen);
    assert_memory_equal(before, after, blen);
    free(before);
    free(after);
    free(nss);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nss, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_keeps_caches, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
