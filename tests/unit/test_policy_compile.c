/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compile: the grammar of the IAM JSON policy language and the element reference. Every
 * malformed policy is -EINVAL with the exact line and column of the offending node.
 */
#include "policy_test_util.h"

#define ID IAM_POLICY_IDENTITY
#define RES IAM_POLICY_RESOURCE

static void accepts_documented_shapes(void **state) {
    struct iam_policy *p;
    struct iam_statement_info info;
    (void)state;

    /* Statement as an object; no Version means 2008-10-17 (spaces keep the columns). */
    p = compile_ok("{         \"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
                   "\"Resource\":\"*\"}}");
    assert_string_equal(iam_policy_version(p), "2008-10-17");
    assert_int_equal(iam_policy_statement_count(p), 1);
    assert_int_equal(iam_policy_statement_info(p, 0, &info), 0);
    assert_null(info.sid);
    assert_int_equal(info.effect, IAM_EFFECT_ALLOW);
    assert_int_equal(info.start_line, 1);
    assert_int_equal(info.start_column, 23);
    assert_int_equal(info.end_column, 69);
    assert_int_equal(iam_policy_statement_info(p, 1, &info), -ENOENT);
    iam_policy_free(p);
    /* Statement as an array, Sid, Condition with JSON numbers and booleans. */
    p = compile_ok("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"One1\", "
                   "\"Effect\": \"Deny\", \"NotAction\": [\"s3:*\"], \"NotResource\": "
                   "[\"arn:aws:s3:::b\"],\n     \"Condition\": {\"NumericEquals\": {\"s:n\": 5}, "
                   "\"Bool\": {\"s:b\": true}}}\n  ]\n}");
    assert_string_equal(iam_policy_version(p), "2012-10-17");
    assert_int_equal(iam_policy_statement_info(p, 0, &info), 0);
    assert_string_equal(info.sid, "One1");
    assert_int_equal(info.effect, IAM_EFFECT_DENY);
    assert_int_equal(info.start_line, 4);
    assert_int_equal(info.start_column, 5);
    assert_int_equal(info.end_line, 5);
    iam_policy_free(p);
    /* Resource policies: Principal forms; Resource may be left out. */
    p = compile_res_ok("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                       "\"Principal\":{\"AWS\":[\"123456789012\",\"arn:aws:iam::123456789012:root\","
                       "\"arn:aws:iam::123456789012:user/a\",\"*\"],\"Service\":\"ec2.amazonaws.com\","
                       "\"Federated\":\"cognito-identity.amazonaws.com\",\"CanonicalUser\":\"abc\"},"
                       "\"Action\":\"*\"},{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":"
                       "\"arn:aws:iam::123456789012:user/a\"},\"Action\":\"*\",\"Resource\":\"*\"}]}");
    iam_policy_free(p);
    /* Id: allowed in a resource-based policy ("IAM JSON policy elements: Id"). */
    p = compile_res_ok("{\"Id\":\"x\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
                       "\"Action\":\"*\"}}");
    iam_policy_free(p);
}

static void rejects_bad_documents(void **state) {
    (void)state;
    /* Malformed JSON: the JSON reader's position. */
    compile_err("{\"Statement\": [}", ID, 1, 16, "");
    /* Duplicate keys. */
    compile_err("{\"Version\":\"2012-10-17\",\"Version\":\"2012-10-17\",\"Statement\":[]}", ID, 1,
                25, "uplicate");
    compile_err("[]", ID, 1, 1, "must be a JSON object");
    compile_err("{\"Version\":\"2012-10-17\",\"Foo\":1,\"Statement\":[]}", ID, 1, 25,
                "unknown top-level element 'Foo'");
    compile_err("{\"Version\":\"2012-10-18\",\"Statement\":[]}", ID, 1, 12, "Version must be");
    compile_err("{\"Version\":20121017,\"Statement\":[]}", ID, 1, 12, "Version must be");
    compile_err("{\"Version\":\"2012-10-17\"}", ID, 1, 1, "missing Statement");
    compile_err("{\"Version\":\"2012-10-17\",\"Statement\":[]}", ID, 1, 37,
                "must not be an empty array");
    compile_err("{\"Version\":\"2012-10-17\",\"Statement\":\"x\"}", ID, 1, 37,
                "must be an object or an array");
    compile_err("{\"Id\":5,\"Statement\":[]}", RES, 1, 7, "Id must be a string");
    /* ... and not allowed in an identity-based policy ("IAM JSON policy elements: Id"). */
    compile_err("{\"Id\":\"x\",\"Statement\":[]}", ID, 1, 2,
                "Id is not allowed in an identity-based policy");
}

#define S(body) "{\"Version\":\"2012-10-17\",\"Statement\":[\n" body "\n]}"

static void rejects_bad_statements(void **state) {
    (void)state;
    compile_err(S("{\"Action\":\"*\",\"Resource\":\"*\"}"), ID, 2, 1, "Statement[0]: missing Effect");
    compile_err(S("{\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}"), ID, 2, 11,
                "Effect must be \"Allow\" or \"Deny\"");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"*\",\"Resource\":\"*\"}"),
                ID, 2, 32, "'Action' and 'NotAction' cannot both be given");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"NotResource\":\"*\"}"),
                ID, 2, 47, "'Resource' and 'NotResource'");
    compile_err(S("{\"Effect\":\"Allow\",\"Resource\":\"*\"}"), ID, 2, 1, "missing Action");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\"}"), ID, 2, 1, "missing Resource");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Bogus\":1}"), ID, 2,
                47, "Statement[0]: unknown element 'Bogus'");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Principal\":\"*\"}"),
                ID, 2, 47, "Principal is not allowed in an identity-based policy");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"), RES, 2, 1,
                "missing Principal");
    compile_err(S("{\"Effect\":\"Allow\",\"Principal\":{\"Bob\":\"x\"},\"Action\":\"*\"}"), RES, 2,
                32, "unknown principal type 'Bob'");
    compile_err(S("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"alice\"},\"Action\":\"*\"}"), RES,
                2, 38, "must be \"*\", an account id or an IAM ARN");
    /* "You cannot use a wildcard to match part of a principal name or ARN". */
    compile_err(S("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:user/*\"},"
                  "\"Action\":\"*\"}"),
                RES, 2, 38, "a wildcard may only stand alone");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"s3\",\"Resource\":\"*\"}"), ID, 2, 28,
                "must be \"*\" or \"service:action\"");
    /* An empty NotAction/NotResource/NotPrincipal would exclude nothing: refused. An empty
     * Action/Resource/Principal names nothing and compiles (accepts_empty_lists). */
    compile_err(S("{\"Effect\":\"Deny\",\"NotAction\":[],\"Resource\":\"*\"}"), ID, 2, 30,
                "must not be an empty array");
    compile_err(S("{\"Effect\":\"Deny\",\"Action\":\"*\",\"NotResource\":[]}"), ID, 2, 45,
                "must not be an empty array");
    compile_err(S("{\"Effect\":\"Deny\",\"NotPrincipal\":{},\"Action\":\"*\"}"), RES, 2, 33,
                "must not be empty");
    compile_err(S("{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":[]},\"Action\":\"*\"}"), RES,
                2, 40, "must not be an empty array");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":[\"s3:x\",5],\"Resource\":\"*\"}"), ID, 2, 36,
                "Action[1] must be a string");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"bucket\"}"), ID, 2, 43,
                "must be an ARN or \"*\"");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:s3:::${aws:x\"}"),
                ID, 2, 43, "unterminated policy variable");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:s3:::${a, none}\"}"),
                ID, 2, 43, "single quotes");
    compile_err(S("{\"Sid\":\"a-b\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"), ID,
                2, 8, "letters and digits");
    compile_err(S("{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},\n"
                  "{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"),
                ID, 3, 8, "Statement[1]: Sid 'A' is used by Statement[0]");
    compile_err(S("5"), ID, 2, 1, "a statement must be an object");
}

#define C(cond) S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":" cond "}")
/* Column of the condition block's '{' in C(): 1 + strlen of the text before it. */
#define CC 59

static void rejects_bad_conditions(void **state) {
    (void)state;
    compile_err(C("{\"StringEqualz\":{\"a:b\":\"c\"}}"), ID, 2, CC + 1,
                "unknown condition operator 'StringEqualz'");
    compile_err(C("{\"NullIfExists\":{\"a:b\":\"true\"}}"), ID, 2, CC + 1,
                "unknown condition operator 'NullIfExists'");
    compile_err(C("{\"ForAnyValue:NullIfExists\":{\"a:b\":\"true\"}}"), ID, 2, CC + 1,
                "unknown condition");
    compile_err(C("{\"ForSomeValues:StringEquals\":{\"a:b\":\"c\"}}"), ID, 2, CC + 1,
                "unknown condition");
    compile_err(C("[]"), ID, 2, CC, "Condition must be an object");
    compile_err(C("{\"StringEquals\":\"x\"}"), ID, 2, CC + 16, "must be an object of condition keys");
    compile_err(C("{\"StringEquals\":{\"nokey\":\"x\"}}"), ID, 2, CC + 17, "must be \"prefix:name\"");
    compile_err(C("{\"StringEquals\":{\"a:b\":{\"x\":1}}}"), ID, 2, CC + 23,
                "must be a string, number or boolean");
    compile_err(C("{\"StringEquals\":{\"a:b\":[\"ok\",null]}}"), ID, 2, CC + 29,
                "must be a string, number or boolean");
    compile_err(C("{\"NumericEquals\":{\"a:b\":\"abc\"}}"), ID, 2, CC + 24, "'abc' is not a number");
    compile_err(C("{\"NumericLessThan\":{\"a:b\":[\"1\",\"1x\"]}}"), ID, 2, CC + 31, "not a number");
    compile_err(C("{\"DateLessThan\":{\"a:b\":\"2020-13-01\"}}"), ID, 2, CC + 23,
                "not an ISO 8601 date");
    compile_err(C("{\"DateEquals\":{\"a:b\":\"2021-02-29T00:00:00Z\"}}"), ID, 2, CC + 21,
                "not an ISO 8601 date");
    compile_err(C("{\"IpAddress\":{\"a:b\":\"10.0.0.0/33\"}}"), ID, 2, CC + 20,
                "not an IP address or CIDR");
    compile_err(C("{\"NotIpAddress\":{\"a:b\":\"10.0.0\"}}"), ID, 2, CC + 23, "not an IP address");
    compile_err(C("{\"IpAddress\":{\"a:b\":\"::1/129\"}}"), ID, 2, CC + 20, "not an IP address");
    compile_err(C("{\"Bool\":{\"a:b\":\"yes\"}}"), ID, 2, CC + 15, "not \"true\" or \"false\"");
    compile_err(C("{\"Null\":{\"a:b\":1}}"), ID, 2, CC + 15, "not \"true\" or \"false\"");
    compile_err(C("{\"BinaryEquals\":{\"a:b\":\"abc\"}}"), ID, 2, CC + 23, "not base64");
    compile_err(C("{\"StringLike\":{\"a:b\":\"${oops\"}}"), ID, 2, CC + 21, "unterminated");
}

/* Shapes Access Analyzer reports only as suggestions, because IAM accepts them: they compile
 * (how they evaluate is pinned by the conformance vectors). */
static void accepts_empty_lists(void **state) {
    static const char *const identity[] = {
        S("{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}"),
        S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":[]}"),
        C("{\"StringEquals\":{\"a:b\":[]}}"),
        C("{\"StringNotEqualsIfExists\":{\"a:b\":[]}}"),
        C("{\"ForAllValues:StringLike\":{\"a:b\":[]}}"),
        C("{\"StringEquals\":{}}"),
        C("{\"ForAllValues:Null\":{\"a:b\":\"true\"}}"),
        C("{\"ForAnyValue:Null\":{\"a:b\":[\"false\"]}}"),
    };
    static const char *const resource[] = {
        S("{\"Effect\":\"Allow\",\"Principal\":{},\"Action\":\"*\"}"),
        S("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[]},\"Action\":\"*\"}"),
    };

    (void)state;
    for (size_t i = 0; i < sizeof(identity) / sizeof(identity[0]); i++)
        iam_policy_free(compile_ok(identity[i]));
    for (size_t i = 0; i < sizeof(resource) / sizeof(resource[0]); i++)
        iam_policy_free(compile_res_ok(resource[i]));
}

/* Where IAM puts no wildcard: an action's service prefix, and the resource type of an ARN
 * whose service always names one (ec2, iam, sts). */
static void rejects_misplaced_wildcards(void **state) {
    static const char *const fine[] = {
        "arn:aws:ec2:*:*:*",           "arn:aws:ec2:us-east-1:123456789012:instance/*",
        "arn:aws:iam::123456789012:*", "arn:aws:iam::*:role/*",
        "arn:aws:s3:::*/*",            "arn:aws:sqs:*:*:*-dlq",
        "arn:aws:e*:*:*:instance/*",   "arn:aws:iam::123456789012:${aws:username}",
    };
    char text[512];

    (void)state;
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*:Login\",\"Resource\":\"*\"}"), ID, 2, 28,
                "the service prefix cannot hold a wildcard");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s?:Put*\"],\"Resource\":\"*\"}"),
                ID, 2, 39, "the service prefix cannot hold a wildcard");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:ec2:us-east-1:1:*/i-1\"}"),
                ID, 2, 43, "a wildcard cannot stand for the resource type");
    compile_err(S("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:iam::1:u*\"}"), ID, 2,
                43, "a wildcard cannot stand for the resource type");
    compile_err(S("{\"Effect\":\"Deny\",\"Action\":\"*\",\"NotResource\":\"arn:aws:sts::1:?ssumed-role/x\"}"),
                ID, 2, 45, "a wildcard cannot stand for the resource type");
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        snprintf(text, sizeof(text),
                 "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
                 "\"ec2:*\",\"Resource\":\"%s\"}}",
                 fine[i]);
        iam_policy_free(compile_ok(text));
    }
}

static void variables_only_under_2012(void **state) {
    struct iam_policy *p;
    (void)state;

    /* Under 2008-10-17 "${" is plain text, so an unterminated one is no error. */
    p = compile_ok("{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
                   "\"Resource\":\"arn:aws:s3:::${x\"}}");
    iam_policy_free(p);
    /* Not in Action: "${" there is literal text, and the action simply never matches. */
    p = compile_ok(S("{\"Effect\":\"Allow\",\"Action\":\"s3:${aws:username}\",\"Resource\":\"*\"}"));
    assert_int_equal(eval1(p, "s3:alice", "*", NULL), IMPLICIT);
    assert_int_equal(eval1(p, "s3:${aws:username}", "*", NULL), ALLOWED);
    iam_policy_free(p);
}

static void limits_and_arguments(void **state) {
    struct iam_policy *p = NULL;
    struct iam_error err;
    char *big;
    size_t n = IAM_POLICY_MAX_BYTES + 1;
    (void)state;

    iam_error_init(&err);
    assert_int_equal(iam_policy_compile(NULL, 0, ID, &p, &err), -EINVAL);
    big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    iam_error_init(&err);
    assert_int_equal(iam_policy_compile(big, n, ID, &p, &err), -E2BIG);
    assert_null(p);
    free(big);
    /* Deep nesting is refused by the JSON reader, not by the stack. */
    {
        char deep[400];
        size_t k = 0;

        k += (size_t)snprintf(deep, sizeof(deep), "{\"Statement\":");
        for (int i = 0; i < 100; i++)
            deep[k++] = '[';
        deep[k] = '\0';
        iam_error_init(&err);
        assert_true(iam_policy_compile(deep, k, ID, &p, &err) < 0);
        assert_true(err.set);
    }
    iam_policy_free(NULL);
    assert_int_equal(iam_policy_statement_count(NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_documented_shapes),
        cmocka_unit_test(rejects_bad_documents),
        cmocka_unit_test(rejects_bad_statements),
        cmocka_unit_test(rejects_bad_conditions),
        cmocka_unit_test(accepts_empty_lists),
        cmocka_unit_test(rejects_misplaced_wildcards),
        cmocka_unit_test(variables_only_under_2012),
        cmocka_unit_test(limits_and_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
