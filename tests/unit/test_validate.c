/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of iam_policy_validate(): positions, paths, the ValidatePolicy JSON shape, the
 * engine step, argument handling and the completeness of the catalogue (every check has its
 * vectors and its documentation). The per-check behaviour is in tests/vectors/validate/. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "iam/validate.h"
#include "iamtest.h"

static struct iam_findings *validate(const char *text, enum iam_policy_type type) {
    struct iam_findings *f = NULL;
    struct iam_error err;

    iam_error_init(&err);
    assert_int_equal(iam_policy_validate(text, strlen(text), type, &f, &err), 0);
    assert_non_null(f);
    return f;
}

static const struct iam_finding *find(const struct iam_findings *f, const char *code) {
    for (size_t i = 0; i < iam_findings_count(f); i++)
        if (strcmp(iam_findings_get(f, i)->issue_code, code) == 0)
            return iam_findings_get(f, i);
    return NULL;
}

static size_t count_code(const struct iam_findings *f, const char *code) {
    size_t n = 0;

    for (size_t i = 0; i < iam_findings_count(f); i++)
        n += strcmp(iam_findings_get(f, i)->issue_code, code) == 0;
    return n;
}

static const struct iam_finding *must_find(const struct iam_findings *f, const char *code) {
    const struct iam_finding *x = find(f, code);

    if (!x) {
        for (size_t i = 0; i < iam_findings_count(f); i++)
            print_error("  have %s\n", iam_findings_get(f, i)->issue_code);
        fail_msg("no %s finding", code);
    }
    return x;
}

/* ---- catalogue ------------------------------------------------------------------------- */

static void test_catalogue(void **state) {
    size_t n = iam_validate_check_count(), per_type[4] = {0};
    const char *vectors = getenv("IAM_VALIDATE_VECTORS");
    const char *docpath = getenv("IAM_FINDINGS_DOC");
    char *doc;

    (void)state;
    assert_true(n >= 60);
    assert_null(iam_validate_check(n));
    assert_non_null(vectors);
    assert_non_null(docpath);
    doc = iamtest_read_file(docpath, NULL);
    if (!doc) {
        fail_msg("cannot read %s", docpath);
        return; /* not reached: fail_msg ends the test (the analyser does not know) */
    }
    for (size_t i = 0; i < n; i++) {
        const struct iam_check_info *c = iam_validate_check(i);
        char path[4096], anchor[128];
        struct stat st;

        assert_non_null(c);
        assert_true(c->type <= IAM_FINDING_SUGGESTION);
        per_type[c->type]++;
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(iam_validate_check(j)->issue_code, c->issue_code);
        /* our own codes are prefixed; AWS codes link to AWS's reference */
        if (c->aws) {
            assert_true(strncmp(c->issue_code, "HOST_", 5) != 0);
            assert_non_null(strstr(c->learn_more, "access-analyzer-reference-policy-checks"));
        } else {
            assert_true(strncmp(c->issue_code, "HOST_", 5) == 0);
            assert_non_null(strstr(c->learn_more, c->issue_code));
        }
        snprintf(path, sizeof(path), "%s/%s/trigger.json", vectors, c->issue_code);
        if (stat(path, &st) < 0)
            fail_msg("check %s has no %s", c->issue_code, path);
        snprintf(path, sizeof(path), "%s/%s/clean.json", vectors, c->issue_code);
        if (stat(path, &st) < 0)
            fail_msg("check %s has no %s", c->issue_code, path);
        snprintf(anchor, sizeof(anchor), "<a name=\"%s\"></a>", c->issue_code);
        if (!strstr(doc, anchor))
            fail_msg("docs/findings.md does not document %s", c->issue_code);
    }
    for (int t = 0; t < 4; t++)
        assert_true(per_type[t] >= 5);
    free(doc);
}

static void test_names(void **state) {
    enum iam_policy_type t;

    (void)state;
    assert_string_equal(iam_finding_type_name(IAM_FINDING_ERROR), "ERROR");
    assert_string_equal(iam_finding_type_name(IAM_FINDING_SECURITY_WARNING), "SECURITY_WARNING");
    assert_string_equal(iam_finding_type_name(IAM_FINDING_WARNING), "WARNING");
    assert_string_equal(iam_finding_type_name(IAM_FINDING_SUGGESTION), "SUGGESTION");
    assert_int_equal(iam_policy_type_from_name("IDENTITY_POLICY", &t), 0);
    assert_int_equal(t, IAM_POLICY_IDENTITY);
    assert_int_equal(iam_policy_type_from_name("RESOURCE_POLICY", &t), 0);
    assert_int_equal(t, IAM_POLICY_RESOURCE);
    assert_int_equal(iam_policy_type_from_name("identity_policy", &t), -EINVAL);
    assert_int_equal(iam_policy_type_from_name("SERVICE_CONTROL_POLICY", &t), -EINVAL);
    assert_int_equal(iam_policy_type_from_name(NULL, &t), -EINVAL);
}

/* ---- arguments ------------------------------------------------------------------------- */

static void test_bad_arguments(void **state) {
    struct iam_findings *f = NULL;
    struct iam_error err;

    (void)state;
    iam_error_init(&err);
    assert_int_equal(iam_policy_validate("{}", 2, IAM_POLICY_IDENTITY, NULL, &err), -EINVAL);
    assert_int_equal(iam_policy_validate(NULL, 5, IAM_POLICY_IDENTITY, &f, &err), -EINVAL);
    assert_int_equal(iam_policy_validate("{}", 2, (enum iam_policy_type)7, &f, &err), -EINVAL);
    assert_null(f);
    /* an empty document is a finding, not a failure */
    assert_int_equal(iam_policy_validate(NULL, 0, IAM_POLICY_IDENTITY, &f, NULL), 0);
    assert_non_null(find(f, "JSON_SYNTAX_ERROR"));
    assert_true(iam_findings_has_error(f));
    iam_findings_free(f);
    iam_findings_free(NULL);
    assert_false(iam_findings_has_error(NULL));
    assert_int_equal(iam_findings_count(NULL), 0);
    assert_null(iam_findings_get(NULL, 0));
}

/* ---- results --------------------------------------------------------------------------- */

static const char good[] =
    "{\n"
    "  \"Version\": \"2012-10-17\",\n"
    "  \"Statement\": [\n"
    "    {\"Sid\": \"OpsLogin\", \"Effect\": \"Allow\", \"Action\": \"host:Login\",\n"
    "     \"Resource\": \"arn:aws:ec2:us-east-1:123456789012:instance/*\",\n"
    "     \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"ops\"},\n"
    "                   \"IpAddress\": {\"aws:SourceIp\": [\"10.0.0.0/8\", \"127.0.0.1\"]}}},\n"
    "    {\"Sid\": \"NoTelnet\", \"Effect\": \"Deny\", \"Action\": \"host:*\", \"Resource\": "
    "\"*\",\n"
    "     \"Condition\": {\"StringEquals\": {\"host:Service\": \"telnet\"}}}\n"
    "  ]\n"
    "}\n";

static void test_good_policy_is_clean(void **state) {
    struct iam_findings *f = validate(good, IAM_POLICY_IDENTITY);
    char *json = NULL;

    (void)state;
    for (size_t i = 0; i < iam_findings_count(f); i++)
        print_error("unexpected %s: %s\n", iam_findings_get(f, i)->issue_code,
                    iam_findings_get(f, i)->details);
    assert_int_equal(iam_findings_count(f), 0);
    assert_false(iam_findings_has_error(f));
    assert_int_equal(iam_findings_to_json(f, 0, &json), 0);
    assert_string_equal(json, "{\"findings\":[]}");
    free(json);
    iam_findings_free(f);
}

static void test_many_findings_in_order(void **state) {
    const char *p = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"host:Logon\", "
                    "\"hostSudo\"], \"Resource\": \"ec2:x\", \"Condition\": {\"StringEqual\": "
                    "{\"host:Service\": \"sshd\"}}}]}";
    struct iam_findings *f = validate(p, IAM_POLICY_IDENTITY);

    (void)state;
    must_find(f, "MISSING_VERSION");
    must_find(f, "HOST_UNKNOWN_ACTION");
    must_find(f, "INVALID_ACTION");
    must_find(f, "INVALID_ARN_PREFIX");
    must_find(f, "INVALID_CONDITION_OPERATOR");
    assert_int_equal(iam_findings_count_type(f, IAM_FINDING_ERROR), 4);
    assert_int_equal(iam_findings_count_type(f, IAM_FINDING_WARNING), 1);
    /* document order */
    for (size_t i = 1; i < iam_findings_count(f); i++)
        assert_true(iam_findings_get(f, i - 1)->locations[0].start.offset <=
                    iam_findings_get(f, i)->locations[0].start.offset);
    /* the engine's rejection is explained by a check: no extra HOST_POLICY_REJECTED */
    assert_null(find(f, "HOST_POLICY_REJECTED"));
    iam_findings_free(f);
}

static void test_positions_and_path(void **state) {
    /* "é" is two bytes but one column: columns and offsets count code points */
    const char *p = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"é\", \"Effect\": "
                    "\"Allow\", \"Action\": [\"host:Login\", \"host:Logon\"], \"Resource\": "
                    "\"*\"}]}";
    struct iam_findings *f = validate(p, IAM_POLICY_IDENTITY);
    const struct iam_finding *x = must_find(f, "HOST_UNKNOWN_ACTION");
    const struct iam_finding_location *l = &x->locations[0];
    size_t byte = (size_t)(strstr(p, "\"host:Logon\"") - p);

    (void)state;
    assert_int_equal(x->type, IAM_FINDING_ERROR);
    assert_int_equal(x->n_locations, 1);
    assert_int_equal(l->start.line, 1);
    assert_int_equal(l->start.column, byte - 1);
    assert_int_equal(l->start.offset, byte - 1);
    assert_int_equal(l->end.offset, byte - 1 + strlen("\"host:Logon\""));
    assert_int_equal(l->end.column, l->start.column + strlen("\"host:Logon\""));
    assert_int_equal(l->n_path, 4);
    assert_int_equal(l->path[0].kind, IAM_PATH_VALUE);
    assert_string_equal(l->path[0].text, "Statement");
    assert_int_equal(l->path[1].kind, IAM_PATH_INDEX);
    assert_int_equal(l->path[1].index, 0);
    assert_int_equal(l->path[2].kind, IAM_PATH_VALUE);
    assert_string_equal(l->path[2].text, "Action");
    assert_int_equal(l->path[3].kind, IAM_PATH_INDEX);
    assert_int_equal(l->path[3].index, 1);
    /* the Sid "é" is also reported (non-alphanumeric in an identity policy) */
    x = must_find(f, "UNSUPPORTED_SID");
    assert_int_equal(x->locations[0].end.offset - x->locations[0].start.offset, 3);
    iam_findings_free(f);
}

static void test_key_and_substring_paths(void **state) {
    const char *p =
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", "
        "\"Action\": \"host:Login\", \"Resource\": \"*\", \"Condtion\": {},\n"
        "  \"Condition\": {\"StringEquals\": {\"host:OsUser\": \"u-${aws:username\"}}}\n}";
    struct iam_findings *f = validate(p, IAM_POLICY_IDENTITY);
    const struct iam_finding *x = must_find(f, "INVALID_POLICY_ELEMENT");
    const struct iam_finding_location *l = &x->locations[0];
    const char *key = strstr(p, "\"Condtion\"");
    const char *line3 = strstr(p, "  \"Statement\"");

    (void)state;
    assert_int_equal(l->n_path, 2);
    assert_int_equal(l->path[0].kind, IAM_PATH_VALUE);
    assert_string_equal(l->path[0].text, "Statement");
    assert_int_equal(l->path[1].kind, IAM_PATH_KEY);
    assert_string_equal(l->path[1].text, "Condtion");
    assert_int_equal(l->start.line, 3);
    assert_int_equal(l->start.column, key - line3);
    assert_int_equal(l->end.column, key - line3 + strlen("\"Condtion\""));

    x = must_find(f, "MISSING_BRACE_IN_VARIABLE");
    l = &x->locations[0];
    assert_int_equal(l->start.line, 4);
    assert_int_equal(l->n_path, 5);
    assert_int_equal(l->path[4].kind, IAM_PATH_SUBSTRING);
    assert_int_equal(l->path[4].start, 2); /* "u-" precedes the variable */
    assert_int_equal(l->path[4].length, strlen("${aws:username"));
    assert_int_equal(l->end.column - l->start.column, strlen("${aws:username"));
    iam_findings_free(f);
}

static void test_json_syntax_error(void **state) {
    const char *p = "{\"Version\": \"2012-10-17\",\n \"Statement\": [}\n";
    struct iam_findings *f = validate(p, IAM_POLICY_IDENTITY);
    const struct iam_finding *x = must_find(f, "JSON_SYNTAX_ERROR");

    (void)state;
    assert_int_equal(iam_findings_count(f), 1);
    assert_int_equal(x->locations[0].start.line, 2);
    assert_int_equal(x->locations[0].start.column, 15);
    assert_int_equal(x->locations[0].start.offset, (size_t)(strchr(p, '}') - p));
    assert_int_equal(x->locations[0].n_path, 0);
    assert_non_null(strstr(x->details, "line 2, column 15"));
    iam_findings_free(f);
}

static void test_engine_step(void **state) {
    /* Nine policy variables in one value: no check objects, the engine refuses it (at most
     * eight per value). The refusal must still surface, at that value, as an ERROR. */
    const char *p = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
                    "\"Action\": \"host:Login\", \"Resource\": \"*\", \"Condition\": "
                    "{\"StringEquals\": {\"host:OsUser\": \"${aws:username}${aws:username}"
                    "${aws:username}${aws:username}${aws:username}${aws:username}${aws:username}"
                    "${aws:username}${aws:username}\"}}}}";
    struct iam_findings *f = validate(p, IAM_POLICY_IDENTITY);
    const struct iam_finding *x = must_find(f, "HOST_POLICY_REJECTED");
    size_t at = (size_t)(strstr(p, "\"${") - p);
    char *big;

    (void)state;
    assert_int_equal(x->type, IAM_FINDING_ERROR);
    assert_int_equal(count_code(f, "HOST_POLICY_REJECTED"), 1);
    assert_int_equal(x->locations[0].start.offset, at);
    assert_int_equal(x->locations[0].n_path, 4);
    assert_string_equal(x->locations[0].path[3].text, "host:OsUser");
    assert_non_null(strstr(x->details, "too many policy variables"));
    iam_findings_free(f);

    /* An empty operator block: only a suggestion, and the engine accepts it (no ERROR). */
    f = validate("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
                 "\"Action\": \"host:Login\", \"Resource\": \"*\", \"Condition\": "
                 "{\"StringEquals\": {}}}}",
                 IAM_POLICY_IDENTITY);
    assert_int_equal(must_find(f, "EMPTY_OBJECT_CONDITION")->type, IAM_FINDING_SUGGESTION);
    assert_false(iam_findings_has_error(f));
    iam_findings_free(f);

    /* over the engine's size limit */
    big = malloc(IAM_POLICY_MAX_BYTES + 2);
    assert_non_null(big);
    memset(big, ' ', IAM_POLICY_MAX_BYTES + 1);
    big[0] = '{';
    big[IAM_POLICY_MAX_BYTES] = '}';
    big[IAM_POLICY_MAX_BYTES + 1] = '\0';
    f = validate(big, IAM_POLICY_IDENTITY);
    assert_int_equal(iam_findings_count(f), 1);
    must_find(f, "HOST_POLICY_REJECTED");
    iam_findings_free(f);
    free(big);
}

/* What IAM refuses is an ERROR with AWS's code, never a second HOST_POLICY_REJECTED; a short
 * ARN says what the engine makes of it. */
static void test_wildcards_and_short_arns(void **state) {
    static const struct {
        const char *action, *resource, *code, *details;
        enum iam_policy_type type;
    } cases[] = {
        {"*:Login", "*", "INVALID_SERVICE_IN_ACTION", "holds a wildcard", IAM_POLICY_IDENTITY},
        {"host:Login", "arn:aws:ec2:us-east-1:123456789012:*/i-1", "INVALID_ARN_RESOURCE",
         "wildcard in the resource type", IAM_POLICY_IDENTITY},
        {"iam:GetUser", "arn:aws:iam::123456789012:u*", "INVALID_ARN_RESOURCE",
         "wildcard in the resource type", IAM_POLICY_IDENTITY},
        {"host:Login", "arn:aws:ec2", "MISSING_ARN_FIELD", "completes it with *",
         IAM_POLICY_IDENTITY},
        {"host:Login", "arn:aws:ec2", "MISSING_ARN_FIELD", "engine matches nothing",
         IAM_POLICY_RESOURCE},
    };
    char text[512];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iam_findings *f;
        const struct iam_finding *x;

        snprintf(text, sizeof(text),
                 "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", %s"
                 "\"Action\": \"%s\", \"Resource\": \"%s\"}}",
                 cases[i].type == IAM_POLICY_RESOURCE ? "\"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:user/alice\"}, "
                                                      : "",
                 cases[i].action, cases[i].resource);
        f = validate(text, cases[i].type);
        x = must_find(f, cases[i].code);
        assert_int_equal(x->type, IAM_FINDING_ERROR);
        assert_non_null(strstr(x->details, cases[i].details));
        assert_int_equal(count_code(f, "HOST_POLICY_REJECTED"), 0);
        iam_findings_free(f);
    }
}

static void test_host_exemptions(void **state) {
#define HOST_EXEMPT_FMT                                                                            \
    "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"%s\", "    \
    "\"Resource\": \"*\", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": [\"10.0.0.0/8\", "     \
    "\"127.0.0.0/8\", \"::1\", \"fc00::/7\"]}}}}"
    char p[512];
    struct iam_findings *f;

    (void)state;
    snprintf(p, sizeof(p), HOST_EXEMPT_FMT, "host:Login");
    f = validate(p, IAM_POLICY_IDENTITY);
    assert_null(find(f, "PRIVATE_IP_ADDRESS"));
    assert_false(iam_findings_has_error(f));
    iam_findings_free(f);
    snprintf(p, sizeof(p), HOST_EXEMPT_FMT, "s3:GetObject");
    f = validate(p, IAM_POLICY_IDENTITY);
    assert_int_equal(must_find(f, "PRIVATE_IP_ADDRESS")->type, IAM_FINDING_ERROR);
    iam_findings_free(f);
    /* a statement that covers host actions through a wildcard is exempt too */
    snprintf(p, sizeof(p), HOST_EXEMPT_FMT, "*");
    f = validate(p, IAM_POLICY_IDENTITY);
    assert_null(find(f, "PRIVATE_IP_ADDRESS"));
    iam_findings_free(f);
}

static void test_never_true_analysis(void **state) {
    struct iam_findings *f;

    (void)state;
    /* overlapping range: fine */
    f = validate("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": "
                 "\"host:Login\", \"Resource\": \"*\", \"Condition\": {\"DateGreaterThan\": "
                 "{\"aws:CurrentTime\": \"2026-01-01\"}, \"DateLessThan\": {\"aws:CurrentTime\": "
                 "\"2026-02-01T00:00:00+01:00\"}}}}",
                 IAM_POLICY_IDENTITY);
    assert_int_equal(iam_findings_count(f), 0);
    iam_findings_free(f);
    /* empty date range, and a Deny: the security warning, not the warning */
    f = validate("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Deny\", \"Action\": "
                 "\"host:Login\", \"Resource\": \"*\", \"Condition\": {\"DateGreaterThan\": "
                 "{\"aws:CurrentTime\": \"2026-02-01\"}, \"DateLessThanEquals\": "
                 "{\"aws:CurrentTime\": \"2026-01-31T23:59:59Z\"}}}}",
                 IAM_POLICY_IDENTITY);
    assert_int_equal(must_find(f, "HOST_DENY_NEVER_APPLIES")->type, IAM_FINDING_SECURITY_WARNING);
    assert_null(find(f, "HOST_CONDITION_NEVER_TRUE"));
    iam_findings_free(f);
    /* equal bounds, both inclusive: one value fits */
    f = validate(
        "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": "
        "\"host:Login\", \"Resource\": \"*\", \"Condition\": {\"NumericGreaterThanEquals\": "
        "{\"aws:EpochTime\": \"5\"}, \"NumericLessThanEquals\": {\"aws:EpochTime\": "
        "\"5.0\"}}}}",
        IAM_POLICY_IDENTITY);
    assert_null(find(f, "HOST_CONDITION_NEVER_TRUE"));
    iam_findings_free(f);
    /* equal bounds, one strict: nothing fits */
    f = validate("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": "
                 "\"host:Login\", \"Resource\": \"*\", \"Condition\": {\"NumericGreaterThan\": "
                 "{\"aws:EpochTime\": \"5\"}, \"NumericLessThanEquals\": {\"aws:EpochTime\": "
                 "\"5.0\"}}}}",
                 IAM_POLICY_IDENTITY);
    must_find(f, "HOST_CONDITION_NEVER_TRUE");
    iam_findings_free(f);
    /* StringEquals x and StringNotEquals x on one key */
    f = validate("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": "
                 "\"host:Login\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": "
                 "{\"host:Service\": \"sshd\"}, \"StringNotEquals\": {\"host:Service\": "
                 "[\"sshd\", \"login\"]}}}}",
                 IAM_POLICY_IDENTITY);
    must_find(f, "HOST_CONDITION_NEVER_TRUE");
    iam_findings_free(f);
}

/* The validator knows the host's keys from iam/host.h, as pam_iam sets them: host:AuthMethod
 * on every request, to accesskey, password, publickey or none. */
static void test_host_vocabulary(void **state) {
    static const char *const methods[] = {"accesskey", "password", "publickey", "none"};
    struct iam_findings *f;
    char text[512];

    (void)state;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        snprintf(text, sizeof(text),
                 "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
                 "\"Action\": \"host:Login\", \"Resource\": \"*\", \"Condition\": "
                 "{\"StringEquals\": {\"host:AuthMethod\": \"%s\"}}}}",
                 methods[i]);
        f = validate(text, IAM_POLICY_IDENTITY);
        assert_int_equal(iam_findings_count(f), 0);
        iam_findings_free(f);
    }
    f = validate("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
                 "\"Action\": \"host:Login\", \"Resource\": \"*\", \"Condition\": "
                 "{\"StringEquals\": {\"host:AuthMethod\": \"kerberos\"}}}}",
                 IAM_POLICY_IDENTITY);
    must_find(f, "HOST_CONDITION_NEVER_TRUE");
    iam_findings_free(f);
    /* always present: a Deny on it always applies, and IfExists changes nothing */
    f = validate("{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Deny\", "
                 "\"Action\": \"host:Login\", \"Resource\": \"*\", \"Condition\": "
                 "{\"StringEquals\": {\"host:AuthMethod\": \"password\"}}}, {\"Effect\": "
                 "\"Allow\", \"Action\": \"host:Login\", \"Resource\": \"*\", \"Condition\": "
                 "{\"StringEqualsIfExists\": {\"host:AuthMethod\": \"accesskey\"}}}]}",
                 IAM_POLICY_IDENTITY);
    assert_null(find(f, "HOST_DENY_KEY_SOMETIMES_ABSENT"));
    must_find(f, "HOST_IFEXISTS_KEY_ALWAYS_PRESENT");
    iam_findings_free(f);
    /* an unknown host: key names the keys the host sets, from the same table */
    f = validate("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
                 "\"Action\": \"host:Login\", \"Resource\": \"*\", \"Condition\": "
                 "{\"StringEquals\": {\"host:Shell\": \"/bin/sh\"}}}}",
                 IAM_POLICY_IDENTITY);
    assert_non_null(strstr(must_find(f, "INVALID_SERVICE_CONDITION_KEY")->details,
                           "host:Service, host:RemoteHost, host:Tty, host:AuthMethod, host:SSHPublicKeyId, "
                           "host:OsUser, "
                           "host:RunAsUser, host:RunAsGroup, host:Command, host:CommandLine and "
                           "host:CommandArgs."));
    iam_findings_free(f);
}

static void test_json_shape(void **state) {
    const char *p = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
                    "\"Action\": \"host:Logon\", \"Resource\": \"*\", \"Condition\": "
                    "{\"StringEquals\": {\"host:OsUser\": \"${aws:username\"}}}}";
    struct iam_findings *f = validate(p, IAM_POLICY_IDENTITY);
    static const char *const members[] = {"findingDetails", "findingType", "issueCode",
                                          "learnMoreLink", "locations"};
    json_t *root, *list, *item, *loc, *span, *path;
    json_error_t jerr;
    char *json = NULL;
    const char *key;
    json_t *value;
    size_t k;
    bool seen_substring = false;

    (void)state;
    assert_int_equal(iam_findings_to_json(f, 4, &json), 0);
    root = json_loads(json, JSON_PRESERVE_ORDER, &jerr);
    assert_non_null(root);
    list = json_object_get(root, "findings");
    assert_true(json_is_array(list));
    assert_int_equal(json_array_size(list), iam_findings_count(f));
    json_array_foreach(list, k, item) {
        const struct iam_finding *x = iam_findings_get(f, k);
        size_t m = 0;

        /* members in the API's order */
        json_object_foreach(item, key, value) {
            assert_true(m < 5);
            assert_string_equal(key, members[m++]);
        }
        assert_int_equal(m, 5);
        assert_string_equal(json_string_value(json_object_get(item, "issueCode")), x->issue_code);
        assert_string_equal(json_string_value(json_object_get(item, "findingType")),
                            iam_finding_type_name(x->type));
        loc = json_array_get(json_object_get(item, "locations"), 0);
        span = json_object_get(loc, "span");
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(span, "start"), "line")),
            x->locations[0].start.line);
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(span, "start"), "column")),
            x->locations[0].start.column);
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(span, "end"), "offset")),
            x->locations[0].end.offset);
        path = json_object_get(loc, "path");
        assert_int_equal(json_array_size(path), x->locations[0].n_path);
        for (size_t i = 0; i < json_array_size(path); i++) {
            json_t *el = json_array_get(path, i);

            assert_int_equal(json_object_size(el), 1);
            if (json_object_get(el, "substring")) {
                seen_substring = true;
                assert_non_null(json_object_get(json_object_get(el, "substring"), "start"));
                assert_non_null(json_object_get(json_object_get(el, "substring"), "length"));
            }
        }
    }
    assert_true(seen_substring);
    json_decref(root);
    free(json);
    iam_findings_free(f);
}

static void test_resource_policy(void **state) {
    const char *p = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"Ops Login\", "
                    "\"Effect\": \"Allow\", \"Principal\": {\"AWS\": "
                    "[\"arn:aws:iam::123456789012:user/alice\", \"123456789012\"]}, \"Action\": "
                    "\"host:Login\", \"Resource\": \"*\"}]}";
    struct iam_findings *f = validate(p, IAM_POLICY_RESOURCE);

    (void)state;
    /* a Sid with a space is fine in a resource policy; Principal is required and present */
    assert_int_equal(iam_findings_count(f), 0);
    iam_findings_free(f);
    f = validate(p, IAM_POLICY_IDENTITY);
    must_find(f, "UNSUPPORTED_PRINCIPAL");
    must_find(f, "UNSUPPORTED_SID");
    iam_findings_free(f);
}

/* A role's trust policy (AWS::IAM::AssumeRolePolicyDocument): the trust rules only with the
 * resource type, at each offending action and at the Resource/NotResource/NotAction keys; STS
 * actions in any case and sts: wildcards pass; the type needs RESOURCE_POLICY. */
static void test_trust_policy(void **state) {
    static const char bad[] =
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
        "{\"AWS\": \"123456789012\"}, \"Action\": [\"sts:AssumeRole\", \"s3:GetObject\", "
        "\"STS:TagSession\", \"sts:Set*\", \"*\"], \"Resource\": \"*\"}, {\"Effect\": \"Deny\", "
        "\"Principal\": \"*\", \"NotAction\": \"sts:AssumeRole\", \"NotResource\": \"*\"}]}";
    static const char trusted[] =
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
        "{\"AWS\": \"123456789012\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]}]}";
    enum iam_validate_resource_type rt = IAM_VALIDATE_RESOURCE_NONE;
    struct iam_findings *f = NULL;
    struct iam_error err;
    size_t actions = 0, resources = 0;

    (void)state;
    assert_int_equal(iam_validate_resource_type_from_name("AWS::IAM::AssumeRolePolicyDocument",
                                                          &rt),
                     0);
    assert_int_equal(rt, IAM_VALIDATE_RESOURCE_ROLE_TRUST);
    assert_string_equal(iam_validate_resource_type_name(rt), "AWS::IAM::AssumeRolePolicyDocument");
    assert_int_equal(iam_validate_resource_type_from_name("AWS::S3::Bucket", &rt), -EOPNOTSUPP);
    assert_int_equal(iam_validate_resource_type_from_name("aws::iam::assumerolepolicydocument", &rt),
                     -EINVAL);
    iam_error_init(&err);
    assert_int_equal(iam_policy_validate_for(trusted, strlen(trusted), IAM_POLICY_IDENTITY,
                                             IAM_VALIDATE_RESOURCE_ROLE_TRUST, &f, &err),
                     -EINVAL);
    /* without the resource type: none of the trust rules */
    f = validate(bad, IAM_POLICY_RESOURCE);
    assert_null(find(f, "UNSUPPORTED_ACTION_IN_POLICY"));
    assert_null(find(f, "UNSUPPORTED_RESOURCE_ARN_IN_POLICY"));
    iam_findings_free(f);
    f = NULL;
    assert_int_equal(iam_policy_validate_for(bad, strlen(bad), IAM_POLICY_RESOURCE,
                                             IAM_VALIDATE_RESOURCE_ROLE_TRUST, &f, &err),
                     0);
    for (size_t i = 0; i < iam_findings_count(f); i++) {
        const struct iam_finding *x = iam_findings_get(f, i);
        const struct iam_finding_location *l = &x->locations[0];

        assert_int_equal(x->n_locations, 1);
        if (strcmp(x->issue_code, "UNSUPPORTED_ACTION_IN_POLICY") == 0) {
            assert_int_equal(x->type, IAM_FINDING_ERROR);
            actions++;
            /* s3:GetObject (index 1), "*" (index 4), and the second statement's NotAction */
            if (l->n_path == 4)
                assert_true(l->path[3].index == 1 || l->path[3].index == 4);
            else
                assert_string_equal(l->path[2].text, "NotAction");
        } else if (strcmp(x->issue_code, "UNSUPPORTED_RESOURCE_ARN_IN_POLICY") == 0) {
            assert_int_equal(x->type, IAM_FINDING_ERROR);
            assert_int_equal(l->n_path, 3);
            assert_int_equal(l->path[2].kind, IAM_PATH_KEY);
            assert_string_equal(l->path[2].text, l->path[1].index == 0 ? "Resource" : "NotResource");
            resources++;
        }
    }
    assert_int_equal(actions, 3);
    assert_int_equal(resources, 2);
    iam_findings_free(f);
    f = NULL;
    assert_int_equal(iam_policy_validate_for(trusted, strlen(trusted), IAM_POLICY_RESOURCE,
                                             IAM_VALIDATE_RESOURCE_ROLE_TRUST, &f, &err),
                     0);
    assert_false(iam_findings_has_error(f));
    assert_null(find(f, "HOST_ALLOW_ALL_PRINCIPALS"));
    iam_findings_free(f);
}

/* A trust policy that lets everyone assume the role without a condition: a SECURITY_WARNING
 * with the resource type; none with a condition, with the account as principal, or for a
 * resource policy of no given type. */
static void test_trust_policy_everyone(void **state) {
    static const char open_trust[] =
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
        "{\"AWS\": \"*\"}, \"Action\": \"sts:Assume*\"}]}";
    static const char conditioned[] =
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
        "\"*\", \"Action\": \"sts:AssumeRole\", \"Condition\": {\"StringEquals\": "
        "{\"aws:PrincipalTag/team\": \"ops\"}}}]}";
    struct iam_findings *f = NULL;
    struct iam_error err;
    const struct iam_finding *x;

    (void)state;
    iam_error_init(&err);
    assert_int_equal(iam_policy_validate_for(open_trust, strlen(open_trust), IAM_POLICY_RESOURCE,
                                             IAM_VALIDATE_RESOURCE_ROLE_TRUST, &f, &err),
                     0);
    x = must_find(f, "HOST_ALLOW_ALL_PRINCIPALS");
    assert_int_equal(x->type, IAM_FINDING_SECURITY_WARNING);
    assert_non_null(strstr(x->details, "assume the role"));
    iam_findings_free(f);
    f = validate(open_trust, IAM_POLICY_RESOURCE);
    assert_null(find(f, "HOST_ALLOW_ALL_PRINCIPALS"));
    iam_findings_free(f);
    f = NULL;
    assert_int_equal(iam_policy_validate_for(conditioned, strlen(conditioned), IAM_POLICY_RESOURCE,
                                             IAM_VALIDATE_RESOURCE_ROLE_TRUST, &f, &err),
                     0);
    assert_null(find(f, "HOST_ALLOW_ALL_PRINCIPALS"));
    iam_findings_free(f);
}

/* The promise of the engine step, on many damaged policies: whatever the engine refuses has an
 * ERROR finding (so a write that validation lets through always compiles), and validation
 * itself never fails on content. Mutations: truncation and single-byte replacements of every
 * vector policy, at a stride, deterministic. */
static void mutate_one(const char *text, size_t len, enum iam_policy_type type, size_t *runs) {
    struct iam_findings *f = NULL;
    struct iam_policy *p = NULL;
    struct iam_error err;
    int engine;

    iam_error_init(&err);
    engine = iam_policy_compile(text, len, type, &p, &err);
    iam_policy_free(p);
    iam_error_init(&err);
    assert_int_equal(iam_policy_validate(text, len, type, &f, &err), 0);
    if (engine < 0 && !iam_findings_has_error(f))
        fail_msg("the engine refuses (%s) but validation has no ERROR for:\n%.*s", err.text,
                 (int)len, text);
    (*runs)++;
    iam_findings_free(f);
}

static void test_engine_refusals_are_errors(void **state) {
    const char *vectors = getenv("IAM_VALIDATE_VECTORS");
    static const char subst[] = {'"', '}', '*', '$', ':', 'x', '0', ' '};
    struct dirent *de;
    size_t runs = 0;
    DIR *d;

    (void)state;
    assert_non_null(vectors);
    d = opendir(vectors);
    assert_non_null(d);
    while ((de = readdir(d))) {
        for (int which = 0; which < 2 && de->d_name[0] != '.'; which++) {
            char path[4096], *text, *buf, *ptype;
            enum iam_policy_type type = IAM_POLICY_IDENTITY;
            size_t len;

            snprintf(path, sizeof(path), "%s/%s/policy-type", vectors, de->d_name);
            ptype = iamtest_read_file(path, NULL);
            if (ptype && strncmp(ptype, "RESOURCE_POLICY", 15) == 0)
                type = IAM_POLICY_RESOURCE;
            free(ptype);
            snprintf(path, sizeof(path), "%s/%s/%s", vectors, de->d_name,
                     which ? "clean.json" : "trigger.json");
            text = iamtest_read_file(path, &len);
            if (!text || len > 16384) {
                free(text);
                continue;
            }
            buf = malloc(len + 1);
            assert_non_null(buf);
            for (size_t at = 0; at < len; at += 47) {
                mutate_one(text, at, type, &runs); /* truncated */
                for (size_t k = 0; k < sizeof(subst); k++) {
                    memcpy(buf, text, len);
                    buf[at] = subst[(at + k) % sizeof(subst)];
                    if (k % 3 == 0)
                        mutate_one(buf, len, type, &runs);
                }
            }
            free(buf);
            free(text);
        }
    }
    closedir(d);
    assert_true(runs > 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_good_policy_is_clean),
        cmocka_unit_test(test_many_findings_in_order),
        cmocka_unit_test(test_positions_and_path),
        cmocka_unit_test(test_key_and_substring_paths),
        cmocka_unit_test(test_json_syntax_error),
        cmocka_unit_test(test_engine_step),
        cmocka_unit_test(test_wildcards_and_short_arns),
        cmocka_unit_test(test_host_exemptions),
        cmocka_unit_test(test_never_true_analysis),
        cmocka_unit_test(test_host_vocabulary),
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test(test_resource_policy),
        cmocka_unit_test(test_trust_policy),
        cmocka_unit_test(test_trust_policy_everyone),
        cmocka_unit_test(test_engine_refusals_are_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
