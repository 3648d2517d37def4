/* SPDX-License-Identifier: Apache-2.0 */
/* The trail's pieces: the record scanner, the reader (plain, gzip, from the end, hostile
 * lines), which files make a log, and the engine's "could this be allowed" evaluation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "iam/audit.h"
#include "iam/policy.h"
#include "iam/trail.h"
#include "iamtest.h"

static void test_scan_fields(void **state) {
    const char *line =
        "{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-01-01T00:00:10Z\",\"eventSource\":"
        "\"pam_iam\",\"eventName\":\"Login\",\"userIdentity\":{\"type\":\"IAMUser\","
        "\"arn\":\"arn:aws:iam::1:user/a\",\"userName\":\"al\\\"ice\",\"x\":[1,{\"userName\":"
        "\"nested\"}],\"accessKeyId\":\"AKIA\"},\"requestParameters\":{\"hostArn\":\"h\","
        "\"action\":\"host:Login\"},\"additionalEventData\":{\"enforced\":true,\"decision\":"
        "\"allow\"},\"eventID\":\"e1\",\"readOnly\":false}";
    struct iam_trail_fields f;
    char buf[64];
    int64_t t;

    (void)state;
    assert_int_equal(iam_trail_scan(line, strlen(line), &f), 0);
    assert_true(iam_trail_span_eq(&f.f[IAM_TF_EVENT_NAME], "Login"));
    assert_true(f.f[IAM_TF_USER_NAME].escaped);
    assert_true(iam_trail_span_eq(&f.f[IAM_TF_USER_NAME], "al\"ice")); /* not "nested" */
    assert_int_equal(iam_trail_span_str(&f.f[IAM_TF_USER_NAME], buf, sizeof(buf)), 0);
    assert_string_equal(buf, "al\"ice");
    assert_true(iam_trail_span_eq(&f.f[IAM_TF_ACCESS_KEY_ID], "AKIA"));
    assert_true(iam_trail_span_eq(&f.f[IAM_TF_ACTION], "host:Login"));
    assert_false(f.f[IAM_TF_ENFORCED].is_string);
    assert_int_equal(f.f[IAM_TF_ENFORCED].n, 4);
    assert_false(f.f[IAM_TF_READ_ONLY].is_string);
    assert_null(f.f[IAM_TF_ROLE_ARN].p);
    assert_int_equal(iam_trail_parse_time(&f.f[IAM_TF_EVENT_TIME], &t), 0);
    assert_int_equal(t, 1767225610);
    assert_int_equal(iam_trail_span_str(&f.f[IAM_TF_USER_NAME], buf, 3), -E2BIG);

    /* escapes in keys count: "user\u004eame" is userName */
    line = "{\"eventTime\":\"2026-01-01T00:00:00+01:00\",\"userIdentity\":{\"user\\u004eame\":"
           "\"bob\"}}";
    assert_int_equal(iam_trail_scan(line, strlen(line), &f), 0);
    assert_true(iam_trail_span_eq(&f.f[IAM_TF_USER_NAME], "bob"));
    assert_int_equal(iam_trail_parse_time(&f.f[IAM_TF_EVENT_TIME], &t), 0);
    assert_int_equal(t, 1767222000);
}

static void test_scan_malformed(void **state) {
    static const char *const bad[] = {
        "", "{", "[]", "{\"a\":}", "{\"a\":1,}", "{\"a\":\"x}", "{\"a\":1} x", "{a:1}",
        "{\"a\":[1,2}", "{\"a\":\"\\\"}", "{\"eventTime\":\"2026\"", "{\"a\" 1}",
    };
    struct iam_trail_fields f;
    char deep[300];

    (void)state;
    for (size_t i = 0; i < IAM_ELEMENTSOF(bad); i++)
        assert_int_equal(iam_trail_scan(bad[i], strlen(bad[i]), &f), -EBADMSG);
    /* nesting is bounded */
    memset(deep, '[', sizeof(deep));
    deep[0] = '{';
    deep[1] = '"';
    deep[2] = 'a';
    deep[3] = '"';
    deep[4] = ':';
    assert_int_equal(iam_trail_scan(deep, sizeof(deep), &f), -EBADMSG);
    assert_int_equal(iam_trail_scan("{}", 2, &f), 0);
    assert_null(f.f[IAM_TF_EVENT_TIME].p);
}

/* Read a file through the reader, forward or from the end; the lines joined by '\n'. */
static char *read_all(const char *path, bool reverse, uint64_t *overlong) {
    struct iam_trail_files files = {0};
    struct iam_trail_reader *rd = NULL;
    struct iam_error e;
    const char *buf;
    size_t len, total = 0;
    char *out = NULL, **blocks = NULL;
    size_t *lens = NULL, n = 0;

    iam_error_init(&e);
    assert_int_equal(iam_trail_files_add_path(&files, path, &e), 0);
    assert_int_equal(files.n, 1);
    if (reverse)
        assert_int_equal(iam_trail_open_reverse(&files.v[0], &rd, &e), 0);
    else
        assert_int_equal(iam_trail_open(&files.v[0], &rd, &e), 0);
    while (iam_trail_read_block(rd, &buf, &len, NULL, NULL, NULL, &e) > 0) {
        char **nb = realloc(blocks, (n + 1) * sizeof(*blocks));
        size_t *nl = realloc(lens, (n + 1) * sizeof(*lens));

        assert_non_null(nb);
        assert_non_null(nl);
        blocks = nb;
        lens = nl;
        blocks[n] = malloc(len);
        memcpy(blocks[n], buf, len);
        lens[n++] = len;
        total += len;
    }
    *overlong = iam_trail_reader_overlong(rd);
    out = malloc(total + 1);
    total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = reverse ? n - 1 - i : i; /* reverse blocks come last first */

        memcpy(out + total, blocks[k], lens[k]);
        total += lens[k];
        free(blocks[k]);
    }
    out[total] = '\0';
    free(blocks);
    free(lens);
    iam_trail_close(rd);
    iam_trail_files_free(&files);
    return out;
}

static void test_reader(void **state) {
    char *dir = iamtest_mkdtemp(), *plain, *gzp = NULL, *got, *text;
    size_t big = 9u * 1024u * 1024u, n = 0;
    uint64_t overlong = 0;
    gzFile gz;

    (void)state;
    /* many lines over several blocks, one line longer than a block, no final '\n' */
    text = malloc(big + 64);
    for (unsigned i = 0; n + 40 < 5u * 1024u * 1024u; i++)
        n += (size_t)sprintf(text + n, "{\"line\":%u}\n", i);
    memset(text + n, 'x', IAM_TRAIL_MAX_LINE + 10);
    n += IAM_TRAIL_MAX_LINE + 10;
    text[n++] = '\n';
    n += (size_t)sprintf(text + n, "{\"after\":1}\n{\"tail\":2}");
    plain = iamtest_write_file(dir, "audit.jsonl", text, n, 0600);
    got = read_all(plain, false, &overlong);
    assert_int_equal(overlong, 1);
    assert_int_equal(strlen(got), n - IAM_TRAIL_MAX_LINE - 11);
    assert_non_null(strstr(got, "{\"after\":1}\n{\"tail\":2}"));
    free(got);
    got = read_all(plain, true, &overlong);
    assert_int_equal(overlong, 1);
    assert_int_equal(strlen(got), n - IAM_TRAIL_MAX_LINE - 11);
    assert_non_null(strstr(got, "{\"after\":1}\n{\"tail\":2}"));
    free(got);

    /* gzip in two members (as appended gzip writes): read as one stream */
    assert_true(asprintf(&gzp, "%s/audit.jsonl.2.gz", dir) > 0);
    gz = gzopen(gzp, "wb");
    assert_int_equal(gzwrite(gz, text, 1000), 1000);
    gzclose(gz);
    gz = gzopen(gzp, "ab");
    assert_int_equal(gzwrite(gz, text + 1000, 5000), 5000);
    gzclose(gz);
    got = read_all(gzp, false, &overlong);
    assert_int_equal(strlen(got), 6000);
    assert_memory_equal(got, text, 6000);
    free(got);
    {
        struct iam_trail_files files = {0};
        struct iam_trail_reader *rd = NULL;
        struct iam_error e;

        iam_error_init(&e);
        assert_int_equal(iam_trail_files_add_path(&files, gzp, &e), 0);
        assert_true(files.v[0].gzip);
        assert_int_equal(iam_trail_open_reverse(&files.v[0], &rd, &e), -ENOTSUP);
        /* a damaged gzip file is an error, not a short read */
        iam_trail_files_free(&files);
    }
    {
        char *bad = iamtest_write_file(dir, "bad.jsonl.gz", "\x1f\x8b\x08\x00garbagegarbage",
                                       18, 0600);
        struct iam_trail_files files = {0};
        struct iam_trail_reader *rd = NULL;
        struct iam_error e;
        const char *buf;
        size_t len;
        int r;

        iam_error_init(&e);
        assert_int_equal(iam_trail_files_add_path(&files, bad, &e), 0);
        assert_int_equal(iam_trail_open(&files.v[0], &rd, &e), 0);
        while ((r = iam_trail_read_block(rd, &buf, &len, NULL, NULL, NULL, &e)) > 0)
            ;
        assert_true(r < 0);
        iam_trail_close(rd);
        iam_trail_files_free(&files);
        free(bad);
    }
    free(gzp);
    free(plain);
    free(text);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_files(void **state) {
    char *dir = iamtest_mkdtemp(), *log = NULL, *p;
    static const char *const names[] = {"audit.jsonl",      "audit.jsonl.1",
                                        "audit.jsonl.10.gz", "audit.jsonl.2.gz",
                                        "audit.jsonl.x",    "audit.jsonl.digest",
                                        "other.jsonl"};
    struct iam_trail_files files = {0};
    struct iam_error e;

    (void)state;
    for (size_t i = 0; i < IAM_ELEMENTSOF(names); i++) {
        p = iamtest_write_file(dir, names[i], "{}\n", 3, 0600);
        free(p);
    }
    assert_true(asprintf(&log, "%s/audit.jsonl", dir) > 0);
    iam_error_init(&e);
    assert_int_equal(iam_trail_files_add_log(&files, log, &e), 0);
    iam_trail_files_sort(&files);
    assert_int_equal(files.n, 4); /* not .x, .digest, other.jsonl */
    assert_non_null(strstr(files.v[0].path, "audit.jsonl.10.gz"));
    assert_non_null(strstr(files.v[1].path, "audit.jsonl.2.gz"));
    assert_non_null(strstr(files.v[2].path, "audit.jsonl.1"));
    assert_string_equal(files.v[3].path, log);
    iam_trail_files_free(&files);
    /* a symbolic link is refused when named */
    assert_true(asprintf(&p, "%s/link.jsonl", dir) > 0);
    assert_int_equal(symlink(log, p), 0);
    assert_int_equal(iam_trail_files_add_path(&files, p, &e), -EACCES);
    iam_trail_files_free(&files);
    free(p);
    free(log);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_lookup_exact(void **state) {
    char *dir = iamtest_mkdtemp(), *path;
    const char *text =
        "{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-01-01T00:00:01Z\",\"userIdentity\":"
        "{\"userName\":\"alice\"},\"eventID\":\"a\"}\n"
        "{\"eventTime\":\"2026-01-01T00:00:02Z\",\"userIdentity\":{\"userName\":\"alicex\"},"
        "\"eventID\":\"b\",\"note\":\"alice\"}\n"
        "{\"eventTime\":\"2026-01-01T00:00:03Z\",\"userIdentity\":{\"userName\":\"\\u0061lice\"},"
        "\"eventID\":\"c\"}\n"
        "not json \"alice\"\n" /* looked at (it holds the value), not a record */
        "{\"eventTime\":\"2026-01-01T00:00:03Z\",\"userIdentity\":{\"userName\":\"alice\"},"
        "\"eventID\":\"d\"}\n";
    struct iam_trail_files files = {0};
    struct iam_lookup_query q = {.attr = IAM_LOOKUP_USERNAME, .value = "alice", .max_results = 2};
    struct iam_lookup_result res;
    struct iam_error e;

    (void)state;
    path = iamtest_write_file(dir, "audit.jsonl", text, strlen(text), 0600);
    iam_error_init(&e);
    assert_int_equal(iam_trail_files_add_path(&files, path, &e), 0);
    assert_int_equal(iam_trail_lookup(&files, &q, &res, &e), 0);
    /* a, c (escaped in the file) and d; not b (alicex, "alice" elsewhere); newest first with
     * the eventID breaking the tie */
    assert_int_equal(res.n, 2);
    assert_true(res.more);
    assert_string_equal(res.hits[0].key.event_id, "d");
    assert_string_equal(res.hits[1].key.event_id, "c");
    assert_int_equal(res.malformed, 1);
    q.has_after = true;
    q.after = res.hits[1].key;
    iam_lookup_result_free(&res);
    assert_int_equal(iam_trail_lookup(&files, &q, &res, &e), 0);
    assert_int_equal(res.n, 1);
    assert_false(res.more);
    assert_string_equal(res.hits[0].key.event_id, "a");
    assert_non_null(strstr(res.hits[0].line, "\"eventID\":\"a\""));
    iam_lookup_result_free(&res);
    iam_trail_files_free(&files);
    free(path);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_evaluate_potential(void **state) {
    const char *doc =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":\"host:Login\",\"Resource\":\"*\",\"Condition\":"
        "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"host:Sudo\",\"Resource\":\"arn:aws:ec2:*:*:instance/i-1\"},"
        "{\"Effect\":\"Deny\",\"Action\":\"host:Sudo\",\"Resource\":\"*\",\"Condition\":"
        "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"}}},"
        "{\"Effect\":\"Deny\",\"Action\":\"host:Login\",\"Resource\":\"arn:aws:ec2:*:*:instance/i-9\"}]}";
    struct iam_policy *p = NULL;
    struct iam_error e;
    struct iam_policy_ref ref;
    struct iam_policy_set set;
    struct iam_decision d;
    struct iam_request req = {.action = "host:Login", .resource = "arn:aws:ec2:r:1:instance/i-1"};

    (void)state;
    iam_error_init(&e);
    assert_int_equal(iam_policy_compile(doc, strlen(doc), IAM_POLICY_IDENTITY, &p, &e), 0);
    ref = (struct iam_policy_ref){.policy = p, .source_id = "p", .source_type = "user"};
    set = (struct iam_policy_set){.identity = &ref, .n_identity = 1};
    /* conditional Allow: not allowed now, but it could be */
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IAM_DECISION_IMPLICIT_DENY);
    assert_int_equal(iam_evaluate_potential(&set, &req, &d), 0);
    assert_int_equal(d.decision, IAM_DECISION_ALLOWED);
    /* a conditional Deny does not take the possibility away */
    req.action = "host:Sudo";
    assert_int_equal(iam_evaluate_potential(&set, &req, &d), 0);
    assert_int_equal(d.decision, IAM_DECISION_ALLOWED);
    req.resource = "arn:aws:ec2:r:1:instance/i-2";
    assert_int_equal(iam_evaluate_potential(&set, &req, &d), 0);
    assert_int_equal(d.decision, IAM_DECISION_IMPLICIT_DENY);
    /* an unconditional Deny does */
    req.action = "host:Login";
    req.resource = "arn:aws:ec2:r:1:instance/i-9";
    assert_int_equal(iam_evaluate_potential(&set, &req, &d), 0);
    assert_int_equal(d.decision, IAM_DECISION_EXPLICIT_DENY);
    iam_policy_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_fields),   cmocka_unit_test(test_scan_malformed),
        cmocka_unit_test(test_reader),        cmocka_unit_test(test_files),
        cmocka_unit_test(test_lookup_exact),  cmocka_unit_test(test_evaluate_potential),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
