/* SPDX-License-Identifier: Apache-2.0 */
/* The db model and its API: lookups (case-insensitive names, uids, gids, ARNs, key ids),
 * resolved references, computed members and counts, effective policies (order, sources,
 * boundary), and the helpers (name rules, time, URL decoding, policy size, safe load). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db/db_private.h"
#include "iam/db.h"
#include "iam/json.h"
#include "iamtest.h"

static struct iam_db *load_base(void) {
    char *text;
    size_t len;
    struct iam_db *db = NULL;
    struct iam_error e;

    text = iamtest_read_file(IAM_TEST_VECTORS_DIR "/db/ok_base/input.json", &len);
    assert_non_null(text);
    iam_error_init(&e);
    if (iam_db_parse(text, len, "base", 0, &db, &e) != 0)
        fail_msg("base does not load: %u:%u %s", e.line, e.column, e.text);
    free(text);
    return db;
}

static void test_lookups(void **state) {
    struct iam_db *db = load_base();
    const struct iam_db_user *alice, *owner = NULL;
    const struct iam_db_group *devs;

    (void)state;
    assert_int_equal(db->n_users, 2);
    assert_int_equal(db->n_groups, 2);
    assert_int_equal(db->n_roles, 1);
    assert_int_equal(db->n_policies, 2);
    assert_int_equal(db->serial, 7);
    assert_int_equal(db->next_uid, 200010);
    assert_string_equal(db->account_id, "123456789012");
    alice = iam_db_find_user(db, "ALICE");
    assert_non_null(alice);
    assert_string_equal(alice->name, "alice");
    assert_ptr_equal(iam_db_find_user_by_uid(db, 200000), alice);
    assert_null(iam_db_find_user_by_uid(db, 200002)); /* a group's gid, not a user */
    assert_ptr_equal(iam_db_find_user_by_arn(db, "arn:aws:iam::123456789012:user/alice"), alice);
    assert_null(iam_db_find_user_by_arn(db, "arn:aws:iam::123456789012:user/other/alice"));
    assert_null(iam_db_find_user(db, "carol"));
    devs = iam_db_find_group(db, "Devs");
    assert_non_null(devs);
    assert_ptr_equal(iam_db_find_group_by_gid(db, 200002), devs);
    assert_non_null(iam_db_find_role(db, "DEPLOY"));
    assert_non_null(iam_db_find_policy(db, "arn:aws:iam::aws:policy/ReadOnlyAccess"));
    /* ARNs are exact */
    assert_null(iam_db_find_policy(db, "arn:aws:iam::aws:policy/readonlyaccess"));
    assert_non_null(iam_db_find_access_key(db, "AKIAAAAAAAAAAAAAAAA2", &owner));
    assert_ptr_equal(owner, alice);
    assert_null(iam_db_find_access_key(db, "akiaaaaaaaaaaaaaaaa2", NULL));
    /* the user's fields */
    assert_int_equal(alice->uid, 200000);
    assert_int_equal(alice->gid, 200000);
    assert_string_equal(alice->home, "/home/alice");
    assert_string_equal(alice->gecos, "Alice Example");
    assert_true(alice->keys[0].active);
    assert_non_null(alice->login_profile);
    assert_false(alice->login_profile->password_reset_required);
    assert_int_equal(alice->n_ssh_keys, 1);
    assert_int_equal(alice->n_tags, 1);
    assert_string_equal(alice->tags[0].value, "web");
    assert_null(iam_db_find_user(db, "bob")->home); /* absent: from the template */
    iam_db_free(db);
}

static void test_references(void **state) {
    struct iam_db *db = load_base();
    const struct iam_db_user *alice = iam_db_find_user(db, "alice"),
                             *bob = iam_db_find_user(db, "bob");
    const struct iam_db_group *devs = iam_db_find_group(db, "devs"),
                              *ops = iam_db_find_group(db, "ops");
    const struct iam_db_managed_policy *hl =
        iam_db_find_policy(db, "arn:aws:iam::123456789012:policy/HostLogin");
    const struct iam_db_managed_policy *ro =
        iam_db_find_policy(db, "arn:aws:iam::aws:policy/ReadOnlyAccess");

    (void)state;
    assert_int_equal(alice->n_groups, 2);
    assert_ptr_equal(alice->groups[0], devs);
    assert_ptr_equal(alice->groups[1], ops);
    assert_true(iam_db_user_in_group(bob, devs));
    assert_false(iam_db_user_in_group(bob, ops));
    assert_int_equal(devs->n_members, 2);
    assert_ptr_equal(devs->members[0], alice);
    assert_ptr_equal(devs->members[1], bob);
    assert_int_equal(ops->n_members, 1);
    assert_ptr_equal(alice->attached[0].policy, hl);
    assert_ptr_equal(alice->boundary, ro);
    /* counts come from the references (the file's AttachmentCount is not trusted) */
    assert_int_equal(hl->attachment_count, 1);
    assert_int_equal(ro->attachment_count, 1);
    assert_int_equal(ro->boundary_usage_count, 1);
    assert_false(hl->aws_managed);
    assert_true(ro->aws_managed);
    assert_int_equal(hl->n_versions, 2);
    assert_ptr_equal(hl->default_version, &hl->versions[1]);
    assert_string_equal(hl->default_version->version_id, "v2");
    /* the URL-encoded document was decoded */
    assert_non_null(strstr(ro->default_version->document, "\"Action\":\"host:Login\""));
    {
        const struct iam_policy *a = NULL, *b = NULL, *t = NULL, *again = NULL;
        const struct iam_db_role *deploy = iam_db_find_role(db, "deploy");

        assert_int_equal(iam_db_policy_compiled(db, ro->default_version->document,
                                                IAM_POLICY_IDENTITY, &a),
                         0);
        assert_non_null(a);
        /* identical documents are compiled once, and a second call returns the same one */
        assert_int_equal(
            iam_db_policy_compiled(db, hl->versions[0].document, IAM_POLICY_IDENTITY, &a), 0);
        assert_int_equal(
            iam_db_policy_compiled(db, hl->versions[1].document, IAM_POLICY_IDENTITY, &b), 0);
        assert_ptr_equal(a, b);
        assert_int_equal(
            iam_db_policy_compiled(db, hl->versions[0].document, IAM_POLICY_IDENTITY, &again),
            0);
        assert_ptr_equal(a, again);
        assert_non_null(deploy->trust_policy);
        assert_int_equal(
            iam_db_policy_compiled(db, deploy->trust_policy, IAM_POLICY_RESOURCE, &t), 0);
        assert_non_null(t);
        assert_int_equal(iam_policy_statement_count(t), 1);
    }
    iam_db_free(db);
}

static void test_effective(void **state) {
    struct iam_db *db = load_base();
    const struct iam_db_user *alice = iam_db_find_user(db, "alice"),
                             *bob = iam_db_find_user(db, "bob");
    struct iam_db_effective *eff = NULL;

    (void)state;
    assert_int_equal(iam_db_user_effective_policies(db, alice, &eff), 0);
    /* own inline, own attached, then devs' inline + attached, ops has none */
    assert_int_equal(eff->n_identity, 4);
    assert_string_equal(eff->identity[0].source_id, "own");
    assert_string_equal(eff->identity[0].source_type, "user");
    assert_string_equal(eff->identity[1].source_id, "HostLogin");
    assert_string_equal(eff->identity[1].source_type, "user-managed");
    {
        const struct iam_policy *hl = NULL;
        assert_int_equal(
            iam_db_policy_compiled(db,
                                   iam_db_find_policy(db, "arn:aws:iam::123456789012:policy/HostLogin")
                                       ->default_version->document,
                                   IAM_POLICY_IDENTITY, &hl),
            0);
        assert_ptr_equal(eff->identity[1].policy, hl);
    }
    assert_string_equal(eff->identity[2].source_id, "login");
    assert_string_equal(eff->identity[2].source_type, "group");
    assert_string_equal(eff->identity[3].source_id, "ReadOnlyAccess");
    assert_string_equal(eff->identity[3].source_type, "aws-managed");
    for (size_t i = 0; i < eff->n_identity; i++)
        assert_non_null(eff->identity[i].policy);
    assert_int_equal(eff->n_boundary, 1);
    assert_string_equal(eff->boundary[0].source_id, "ReadOnlyAccess");
    iam_db_effective_free(eff);
    eff = NULL;
    assert_int_equal(iam_db_user_effective_policies(db, bob, &eff), 0);
    assert_int_equal(eff->n_identity, 2);
    assert_int_equal(eff->n_boundary, 0);
    iam_db_effective_free(eff);
    assert_int_equal(iam_db_user_effective_policies(db, NULL, &eff), -EINVAL);
    iam_db_effective_free(NULL);
    iam_db_free(db);
}

static void test_name_rules(void **state) {
    (void)state;
    assert_null(iam_db_check_user_name("alice"));
    assert_null(iam_db_check_user_name("Alice.Smith"));
    assert_null(iam_db_check_user_name("dave@example.com"));
    assert_null(iam_db_check_user_name("_svc-1"));
    assert_non_null(iam_db_check_user_name(""));
    assert_non_null(iam_db_check_user_name("a,b"));
    assert_non_null(iam_db_check_user_name("a+b"));
    assert_non_null(iam_db_check_user_name("a=b"));
    assert_non_null(iam_db_check_user_name("@a"));
    assert_non_null(iam_db_check_user_name("-a"));
    assert_non_null(iam_db_check_user_name("1a"));
    assert_non_null(iam_db_check_user_name("a b"));
    assert_non_null(iam_db_check_user_name("a:b"));
    assert_non_null(iam_db_check_user_name("a/b"));
    assert_non_null(iam_db_check_user_name("\xc3\xa9t\xc3\xa9"));
    assert_null(iam_db_check_user_name("abcdefghijabcdefghijabcdefghijab"));      /* 32 */
    assert_non_null(iam_db_check_user_name("abcdefghijabcdefghijabcdefghijabc")); /* 33 */
    assert_null(iam_db_check_role_name("a+b=c,d")); /* roles never become POSIX names */
    assert_null(iam_db_check_managed_policy_name("Policy+=,.@_-1"));
    assert_non_null(iam_db_check_managed_policy_name("no spaces"));
    assert_null(iam_db_check_inline_policy_name("any:thing#ok"));
    assert_non_null(iam_db_check_inline_policy_name("a/b"));
    assert_non_null(iam_db_check_inline_policy_name("a*b"));
    assert_null(iam_db_check_path("/"));
    assert_null(iam_db_check_path("/a/b/"));
    assert_non_null(iam_db_check_path("a/"));
    assert_non_null(iam_db_check_path("/a"));
    assert_non_null(iam_db_check_path("/a b/"));
    assert_non_null(iam_db_check_path("/a//b/"));
    assert_null(iam_db_check_passwd_field("Alice Example", 256));
    assert_non_null(iam_db_check_passwd_field("a:b", 256));
    assert_non_null(iam_db_check_passwd_field("a,b", 256));
    assert_non_null(iam_db_check_passwd_field("a\nb", 256));
    assert_non_null(iam_db_check_passwd_field("a\x7f", 256));
    assert_non_null(iam_db_check_passwd_field("abc", 2));
}

static void test_helpers(void **state) {
    char *out = NULL, buf[32];
    size_t len;
    int64_t t;

    (void)state;
    assert_int_equal(iam_db_url_decode("%7B%22a%22%3A1%7D+", 18, &out, &len), 0);
    assert_string_equal(out, "{\"a\":1}+");
    assert_int_equal(len, 8);
    free(out);
    assert_int_equal(iam_db_url_decode("%7", 2, &out, &len), -EINVAL);
    assert_int_equal(iam_db_url_decode("%zz", 3, &out, &len), -EINVAL);
    assert_int_equal(iam_db_url_decode("a%00b", 5, &out, &len), -EINVAL);
    assert_int_equal(iam_db_policy_size("{ \"a\" :\n\t1 }", 12), 7);
    assert_int_equal(iam_db_policy_size("\"\xc3\xa9\"", 4), 3);
    assert_int_equal(iam_db_parse_time("2024-01-02T03:04:05Z", &t), 0);
    assert_int_equal(t, 1704164645);
    assert_int_equal(iam_db_parse_time("2024-01-02T03:04:05+00:00", &t), 0);
    assert_int_equal(t, 1704164645);
    assert_int_equal(iam_db_parse_time("2024-01-02T05:04:05.123+02:00", &t), 0);
    assert_int_equal(t, 1704164645);
    assert_int_equal(iam_db_parse_time("2024-01-02", &t), -EINVAL);
    assert_int_equal(iam_db_parse_time("2024-01-02T03:04:05", &t), -EINVAL);
    assert_int_equal(iam_db_parse_time("2024-01-02T03:04:05Zjunk", &t), -EINVAL);
    assert_int_equal(iam_db_parse_time("2024-00-02T03:04:05Z", &t), -EINVAL);
    iam_db_format_time(1704164645, buf, sizeof(buf));
    assert_string_equal(buf, "2024-01-02T03:04:05+00:00");
}

static void test_load_file(void **state) {
    char *text, *dir = iamtest_mkdtemp(), *p;
    size_t len;
    struct iam_db *db = NULL;
    struct iam_error e;

    (void)state;
    text = iamtest_read_file(IAM_TEST_VECTORS_DIR "/db/ok_base/input.json", &len);
    p = iamtest_write_file(dir, "iam.json", text, len, 0600);
    iam_error_init(&e);
    assert_int_equal(iam_db_load(p, 0, &db, &e), 0);
    iam_db_free(db);
    db = NULL;
    assert_int_equal(chmod(p, 0640 | 0020), 0);
    iam_error_init(&e);
    assert_int_equal(iam_db_load(p, 0, &db, &e), -EACCES);
    assert_null(db);
    assert_string_equal(e.source, p);
    /* an export is not a database: our extensions are required */
    assert_int_equal(chmod(p, 0600), 0);
    free(p);
    p = iamtest_write_file(dir, "export.json", "{\"UserDetailList\": []}", 22, 0600);
    iam_error_init(&e);
    assert_int_equal(iam_db_load(p, 0, &db, &e), -EINVAL);
    assert_non_null(strstr(e.text, "missing \"FormatVersion\""));
    iam_error_init(&e);
    /* and as an export it has no account id to go by */
    assert_int_equal(iam_db_load(p, IAM_DB_PARSE_EXPORT, &db, &e), -EINVAL);
    assert_non_null(strstr(e.text, "account id"));
    free(p);
    free(text);
    iamtest_rmtree(dir);
    free(dir);
}

/* The loader checks a document in place (iam_policy_compile_json on the file's tree) instead
 * of compiling its text: for every policy of the engine's and validate-policy's vectors, and
 * a few built here, both give the same verdict, message, position and statements. */
static void compare_compile(const char *text, size_t len, enum iam_policy_type type,
                            const char *what) {
    struct iam_json_doc *doc = NULL;
    struct iam_policy *a = NULL, *b = NULL;
    struct iam_error ea, eb, ej;
    int ra, rb;

    iam_error_init(&ea);
    iam_error_init(&eb);
    iam_error_init(&ej);
    /* the db's reader: default depth limit (64), duplicates refused */
    if (iam_json_parse(text, len, NULL, &doc, &ej) < 0) {
        /* not JSON at all: the db's own parse reports it; the engine must refuse it too */
        assert_true(iam_policy_compile(text, len, type, &a, &ea) < 0);
        return;
    }
    /* the value's own text, as the loader had it (leading and trailing blanks excluded) */
    {
        const struct iam_json *root = iam_json_root(doc);
        ra = iam_policy_compile(text + root->start.offset, root->end.offset - root->start.offset,
                                type, &a, &ea);
    }
    rb = iam_policy_compile_json(iam_json_root(doc), type, &b, &eb);
    if ((ra < 0) != (rb < 0))
        fail_msg("%s (type %d): text %d (%s) vs tree %d (%s)", what, (int)type, ra, ea.text, rb,
                 eb.text);
    if (ra < 0) {
        if (ra != rb || ea.line != eb.line || ea.column != eb.column ||
            ea.offset != eb.offset || strcmp(ea.text, eb.text) != 0)
            fail_msg("%s (type %d): text %d %u:%u@%zu %s vs tree %d %u:%u@%zu %s", what,
                     (int)type, ra, ea.line, ea.column, ea.offset, ea.text, rb, eb.line,
                     eb.column, eb.offset, eb.text);
    } else {
        assert_int_equal(iam_policy_statement_count(a), iam_policy_statement_count(b));
        assert_string_equal(iam_policy_version(a), iam_policy_version(b));
        for (size_t i = 0; i < iam_policy_statement_count(a); i++) {
            struct iam_statement_info x, y;
            assert_int_equal(iam_policy_statement_info(a, i, &x), 0);
            assert_int_equal(iam_policy_statement_info(b, i, &y), 0);
            assert_int_equal(x.effect, y.effect);
            assert_int_equal(x.start_line, y.start_line);
            assert_int_equal(x.start_column, y.start_column);
            assert_int_equal(x.end_line, y.end_line);
            assert_int_equal(x.end_column, y.end_column);
            assert_true((!x.sid && !y.sid) || (x.sid && y.sid && strcmp(x.sid, y.sid) == 0));
        }
        /* check-only mode gives the same verdict */
        iam_error_init(&eb);
        assert_int_equal(iam_policy_compile_json(iam_json_root(doc), type, NULL, &eb), 0);
    }
    iam_policy_free(a);
    iam_policy_free(b);
    iam_json_doc_free(doc);
}

static size_t compare_dir(const char *dir, const char *const *names) {
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    assert_non_null(d);
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        for (const char *const *f = names; *f; f++) {
            char path[4096];
            size_t len;
            char *text;

            snprintf(path, sizeof(path), "%s/%s/%s", dir, de->d_name, *f);
            text = iamtest_read_file(path, &len);
            if (!text)
                continue;
            compare_compile(text, len, IAM_POLICY_IDENTITY, path);
            compare_compile(text, len, IAM_POLICY_RESOURCE, path);
            free(text);
            n++;
        }
    }
    closedir(d);
    return n;
}

static void test_compile_json_matches_text(void **state) {
    static const char *const policy_files[] = {"policy.json", NULL};
    static const char *const validate_files[] = {"trigger.json", "clean.json", NULL};
    static const char *const built[] = {
        "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
        "\"Action\": \"host:Login\", \"Resource\": \"*\"}}",
        "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"a:b\", "
        "\"Resource\": \"*\"},\n    {\"Effect\": \"Deny\",\n     \"Action\": \"nocolon\", "
        "\"Resource\": \"*\"}\n  ]\n}",
        "[]",
        "\"a string\"",
        "{}",
        "{\"Statement\": []}",
        "{\"Version\": \"2012-10-17\", \"Id\": \"x\", \"Statement\": {\"Effect\": \"Allow\", "
        "\"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}",
        NULL};
    size_t n;

    (void)state;
    n = compare_dir(IAM_TEST_VECTORS_DIR "/policy", policy_files);
    assert_true(n >= 700);
    n = compare_dir(IAM_TEST_VECTORS_DIR "/validate", validate_files);
    assert_true(n >= 100);
    for (const char *const *t = built; *t; t++)
        compare_compile(*t, strlen(*t), IAM_POLICY_IDENTITY, *t);
    /* nesting: 32 levels pass, 33 do not, at the same container either way */
    for (int depth = 28; depth <= 40; depth++) {
        char buf[512];
        int k = snprintf(buf, sizeof(buf),
                         "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"a:b\", "
                         "\"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"k\": ");
        for (int i = 0; i < depth - 5; i++)
            buf[k++] = '[';
        k += snprintf(buf + k, sizeof(buf) - (size_t)k, "\"v\"");
        for (int i = 0; i < depth - 5; i++)
            buf[k++] = ']';
        k += snprintf(buf + k, sizeof(buf) - (size_t)k, "}}}]}");
        compare_compile(buf, (size_t)k, IAM_POLICY_IDENTITY, buf);
    }
}

/* The word-at-a-time scans agree with the byte-by-byte rules on random documents. */
static size_t ref_size(const unsigned char *t, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!(t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') && (t[i] & 0xc0) != 0x80)
            n++;
    return n;
}

static size_t ref_bad(const unsigned char *t, size_t len) {
    for (size_t i = 0; i < len; i++)
        if ((t[i] < 0x20 && t[i] != '\t' && t[i] != '\n' && t[i] != '\r') || t[i] == 0x7f ||
            t[i] >= 0xc4)
            return i;
    return len;
}

static void test_doc_scans(void **state) {
    /* printable ASCII weighted up, then every boundary the scans care about */
    static const unsigned char special[] = {0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x21,
                                            0x7e, 0x7f, 0x80, 0xbf, 0xc2, 0xc3, 0xc4, 0xff};
    unsigned char buf[80];
    unsigned seed = 12345;

    (void)state;
    for (int round = 0; round < 200000; round++) {
        size_t len = (size_t)(round % 80);
        int rare = 1 + round % 40; /* one special byte in `rare` on average */
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % (unsigned)rare == 0)
                buf[i] = special[(seed >> 8) % sizeof(special)];
            else
                buf[i] = (unsigned char)(0x20 + (seed >> 20) % 95);
        }
        assert_int_equal(iam_db_policy_size((const char *)buf, len), ref_size(buf, len));
        assert_int_equal(db_doc_bad_char((const char *)buf, len), ref_bad(buf, len));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups),   cmocka_unit_test(test_references),
        cmocka_unit_test(test_effective), cmocka_unit_test(test_name_rules),
        cmocka_unit_test(test_helpers),   cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_compile_json_matches_text), cmocka_unit_test(test_doc_scans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
