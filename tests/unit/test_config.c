/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "iam/config.h"
#include "iamtest.h"

#define BASE                                                                                       \
    "account_id = 123456789012\nhost_arn = arn:aws:ec2:us-east-1:123456789012:instance/i-0abc\n"

static int parse(const char *text, struct iam_config **c, struct iam_error *e) {
    iam_error_init(e);
    return iam_config_parse(text, strlen(text), "iam.conf", c, e);
}

static void test_defaults(void **state) {
    struct iam_config *c = NULL;
    struct iam_error e;
    char *home;

    (void)state;
    assert_int_equal(parse(BASE, &c, &e), 0);
    assert_string_equal(c->account_id, "123456789012");
    assert_string_equal(c->database, IAM_SYSCONFDIR "/iam.db");
    assert_string_equal(c->cache_dir, IAM_STATEDIR);
    assert_string_equal(c->audit_log, "/var/log/iam/audit.jsonl");
    assert_null(c->resource_policy);
    assert_int_equal(c->uid_min, 200000);
    assert_int_equal(c->uid_max, 299999);
    assert_string_equal(c->home_template, "/home/%u");
    assert_string_equal(c->default_shell, "/bin/bash");
    assert_true(c->private_groups);
    assert_int_equal(c->default_gid, 100);
    assert_true(c->enforce);
    assert_int_equal(c->max_access_key_age_days, 0);
    assert_int_equal(c->n_host_tags, 0);
    home = iam_config_home_for(c, "alice");
    assert_string_equal(home, "/home/alice");
    free(home);
    iam_config_free(c);
}

static void test_all_keys(void **state) {
    struct iam_config *c = NULL;
    struct iam_error e;
    char *home;

    (void)state;
    assert_int_equal(parse("# comment\n\n" BASE "database = /tmp/x/iam.db\r\n"
                           "  cache_dir=/tmp/x/cache  \n audit_log = none\n"
                           "resource_policy = /etc/iam/host-policy.json\n"
                           "uid_min = 5000\nuid_max = 6000\nhome_template = /srv/%%/%u\n"
                           "default_shell = /bin/sh\nprivate_groups = no\ndefault_gid = 1234\n"
                           "max_access_key_age_days = 90\nenforce = off\n"
                           "host_tag.Environment = prod # not a comment\n"
                           "host_tag.team = web \xc3\xa9quipe\n",
                           &c, &e),
                     0);
    assert_string_equal(c->database, "/tmp/x/iam.db");
    assert_string_equal(c->cache_dir, "/tmp/x/cache");
    assert_string_equal(c->audit_log, "none");
    assert_string_equal(c->resource_policy, "/etc/iam/host-policy.json");
    assert_int_equal(c->uid_min, 5000);
    assert_int_equal(c->uid_max, 6000);
    assert_false(c->private_groups);
    assert_int_equal(c->default_gid, 1234);
    assert_false(c->enforce);
    assert_int_equal(c->max_access_key_age_days, 90);
    assert_int_equal(c->n_host_tags, 2);
    assert_string_equal(c->host_tags[0].key, "Environment");
    assert_string_equal(c->host_tags[0].value, "prod # not a comment");
    assert_string_equal(c->host_tags[1].key, "team");
    home = iam_config_home_for(c, "bob");
    assert_string_equal(home, "/srv/%/bob");
    free(home);
    iam_config_free(c);
}

struct bad {
    const char *text;
    unsigned line, column;
    const char *msg;
};

static void test_errors(void **state) {
    static const struct bad cases[] = {
        {BASE "colour = blue\n", 3, 1, "unknown key \"colour\""},
        {BASE "uid_min = 5000\n  uid_min = 6000\n", 4, 3, "duplicate key \"uid_min\""},
        {BASE "uid_min = abc\n", 3, 11, "bad value for uid_min"},
        {BASE "uid_min = 99999999999\n", 3, 11, "bad value for uid_min"},
        {BASE "uid_min = 10\n", 3, 11, "bad value for uid_min"},
        {BASE "enforce = maybe\n", 3, 11, "bad value for enforce"},
        {BASE "default_gid = 0\n", 3, 15, "bad value for default_gid"},
        {BASE "default_gid = 65534\n", 3, 15, "bad value for default_gid"},
        {BASE "default_gid = 4294967295\n", 3, 15, "bad value for default_gid"},
        {BASE "default_gid = users\n", 3, 15, "bad value for default_gid"},
        {BASE "home_template = /home/user\n", 3, 17, "bad value for home_template"},
        {BASE "home_template = /home/%x/%u\n", 3, 17, "bad value for home_template"},
        {BASE "default_shell = bin/sh\n", 3, 17, "bad value for default_shell"},
        {BASE "default_shell = /bin/s:h\n", 3, 17, "bad value for default_shell"},
        {BASE "database = relative.json\n", 3, 12, "bad value for database"},
        {BASE "max_access_key_age_days = -1\n", 3, 27, "bad value for max_access_key_age_days"},
        {BASE "just words\n", 3, 1, "expected \"key = value\""},
        {BASE " = x\n", 3, 2, "missing key"},
        {BASE "host_tag.bad!key = v\n", 3, 10, "bad host tag key"},
        {BASE "host_tag.Env = a\nhost_tag.env = b\n", 4, 1, "duplicate host tag"},
        {BASE "shell = /bin/sh\x01\n", 3, 16, "control character"},
        {BASE "default_shell = /bin/b\xffsh\n", 3, 23, "invalid UTF-8"},
        {BASE "host_tag.team = caf\xc3\n", 3, 20, "invalid UTF-8"},
        {BASE "host_tag.team = \xed\xa0\x80\n", 3, 17, "invalid UTF-8"},
        {"account_id = 12345\n", 1, 14, "bad value for account_id"},
        {"account_id = 123456789012\nhost_arn = arn:aws::\n", 2, 12, "bad value for host_arn"},
        {"host_arn = arn:aws:ec2:us-east-1:123456789012:instance/i-1\n", 0, 0,
         "missing required key account_id"},
        {"account_id = 123456789012\n", 0, 0, "missing required key host_arn"},
        {BASE "uid_min = 7000\nuid_max = 6000\n", 0, 0, "uid_min (7000) is greater"},
        {BASE "uid_min = 60000\nuid_max = 70000\n", 0, 0, "contains 65534"},
        {BASE "bundle_url = http://example.com/b\n", 3, 14, "bad value for bundle_url"},
        {BASE "bundle_url = https:///b\n", 3, 14, "bad value for bundle_url"},
        {BASE "bundle_url = https://a b/\n", 3, 14, "bad value for bundle_url"},
        {BASE "bundle_url = https://example.com/b\n", 0, 0, "bundle_url needs"},
        {BASE "bundle_public_key = AAAA\n", 3, 21, "bad value for bundle_public_key"},
        {BASE "bundle_max_age = 7w\n", 3, 18, "bad value for bundle_max_age"},
        {BASE "bundle_max_age = 99999999999999999999\n", 3, 18, "bad value for bundle_max_age"},
        {BASE "bundle_max_size = 1\n", 3, 19, "bad value for bundle_max_size"},
        {BASE "bundle_max_size = 17G\n", 3, 19, "bad value for bundle_max_size"},
        {BASE "bundle_timeout = 0\n", 3, 18, "bad value for bundle_timeout"},
        {BASE "signing_key = key\n", 3, 15, "bad value for signing_key"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iam_config *c = NULL;
        struct iam_error e;
        int r = parse(cases[i].text, &c, &e);

        if (r != -EINVAL || e.line != cases[i].line || e.column != cases[i].column ||
            !strstr(e.text, cases[i].msg))
            fail_msg("case %zu: r=%d at %u:%u \"%s\"", i, r, e.line, e.column, e.text);
        assert_null(c);
        assert_string_equal(e.source, "iam.conf");
    }
}

static void test_fleet_keys(void **state) {
    struct iam_config *c = NULL;
    struct iam_error e;

    (void)state;
    /* an admin host: its keys beside the store by default */
    assert_int_equal(parse(BASE "database = /srv/iam/iam.db\n", &c, &e), 0);
    assert_string_equal(c->signing_key, "/srv/iam/bundle-signing.key");
    assert_string_equal(c->fleet_key, "/srv/iam/fleet.key");
    assert_null(c->bundle_url);
    assert_int_equal(c->bundle_max_age, 0);
    assert_int_equal(c->bundle_max_size, 256u * 1024 * 1024);
    assert_int_equal(c->bundle_timeout, 30);
    iam_config_free(c);
    /* a pulling host */
    assert_int_equal(parse(BASE "bundle_url = https://bundles.example.com/prod/\n"
                                "bundle_public_key = sjQHsiwxulYHrsJ9anZBBd4i5CZjYc7gj83R39a9bRE=\n"
                                "bundle_secret_key = /etc/iam/fleet.key\n"
                                "bundle_ca_file = /etc/iam/ca.pem\nbundle_max_age = 7d\n"
                                "bundle_max_size = 64M\nbundle_timeout = 5\n",
                           &c, &e),
                     0);
    assert_string_equal(c->bundle_url, "https://bundles.example.com/prod/");
    assert_string_equal(c->bundle_secret_key, "/etc/iam/fleet.key");
    assert_string_equal(c->bundle_ca_file, "/etc/iam/ca.pem");
    assert_int_equal(c->bundle_max_age, 7 * 86400);
    assert_int_equal(c->bundle_max_size, 64u * 1024 * 1024);
    assert_int_equal(c->bundle_timeout, 5);
    iam_config_free(c);
    assert_int_equal(parse(BASE "bundle_url = file:///srv/bundle\nbundle_max_age = 90m\n"
                                "bundle_public_key = sjQHsiwxulYHrsJ9anZBBd4i5CZjYc7gj83R39a9bRE=\n"
                                "bundle_secret_key = /etc/iam/fleet.key\n",
                           &c, &e),
                     0);
    assert_int_equal(c->bundle_max_age, 90 * 60);
    iam_config_free(c);
}

static void test_load_file(void **state) {
    char *dir = iamtest_mkdtemp(), *p;
    struct iam_config *c = NULL;
    struct iam_error e;

    (void)state;
    p = iamtest_write_file(dir, "iam.conf", BASE, strlen(BASE), 0644);
    iam_error_init(&e);
    assert_int_equal(iam_config_load(p, &c, &e), 0);
    iam_config_free(c);
    c = NULL;
    assert_int_equal(chmod(p, 0666), 0);
    iam_error_init(&e);
    assert_int_equal(iam_config_load(p, &c, &e), -EACCES);
    assert_null(c);
    free(p);
    iamtest_rmtree(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_fleet_keys),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
