/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evaluation: action and resource matching, every condition operator family, missing keys,
 * set operators, policy variables, and the decision logic (IAM User Guide: "Policy evaluation
 * logic", "Condition operators", "Single-valued vs. multivalued context keys", "Policy
 * variables"). test_policy_noalloc.c shows that iam_evaluate() allocates nothing.
 */
#include "policy_test_util.h"

#include <pthread.h>

#define P1(stmt) "{\"Version\":\"2012-10-17\",\"Statement\":" stmt "}"

/* ---- Action matching (Action element: case-insensitive, * and ?) ------------------------ */

static void action_case_insensitive_wildcards(void **state) {
    const char *p = P1("{\"Effect\":\"Allow\",\"Action\":[\"S3:Get*\",\"ec2:Describe?nstances\"],"
                       "\"Resource\":\"*\"}");
    (void)state;
    assert_int_equal(decide(p, "s3:GetObject", "*", NOCTX), ALLOWED);
    assert_int_equal(decide(p, "S3:GETOBJECT", "*", NOCTX), ALLOWED);
    assert_int_equal(decide(p, "s3:Get", "*", NOCTX), ALLOWED);
    assert_int_equal(decide(p, "s3:PutObject", "*", NOCTX), IMPLICIT);
    assert_int_equal(decide(p, "ec2:DescribeInstances", "*", NOCTX), ALLOWED);
    assert_int_equal(decide(p, "ec2:DescribeXnstances", "*", NOCTX), ALLOWED);
    assert_int_equal(decide(p, "ec2:DescribeInstancesX", "*", NOCTX), IMPLICIT);
    assert_int_equal(decide(p, "s3x:GetObject", "*", NOCTX), IMPLICIT);
}

static void action_star_and_notaction(void **state) {
    const char *all = P1("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}");
    const char *na = P1("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                        "{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]");
    (void)state;
    assert_int_equal(decide(all, "anything:AtAll", "arn:aws:s3:::b", NOCTX), ALLOWED);
    /* Deny with NotAction denies everything but the listed actions. */
    assert_int_equal(decide(na, "s3:GetObject", "*", NOCTX), EXPLICIT);
    assert_int_equal(decide(na, "iam:CreateUser", "*", NOCTX), ALLOWED);
}

/* ---- Resource matching (ARN segments, case-sensitive) ---------------------------------- */

static void resource_arn_segments(void **state) {
    const char *p = P1("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":["
                       "\"arn:aws:s3:::bucket/*\",\"arn:aws:ec2:*:123456789012:instance/i-?\","
                       "\"arn:aws:host:us-*:*:h*\"]}");
    (void)state;
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::bucket/a/b:c", NOCTX), ALLOWED);
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::bucket", NOCTX), IMPLICIT);
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::Bucket/x", NOCTX), IMPLICIT); /* case */
    assert_int_equal(decide(p, "s:a", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1",
                            NOCTX),
                     ALLOWED);
    assert_int_equal(decide(p, "s:a", "arn:aws:ec2:eu-west-1:123456789012:instance/i-12",
                            NOCTX),
                     IMPLICIT);
    /* A '*' in the region segment does not reach across ':' into the account. */
    assert_int_equal(decide(p, "s:a", "arn:aws:ec2:a:b:123456789012:instance/i-1", NOCTX),
                     IMPLICIT);
    /* '*' in the resource part crosses '/' and ':'. */
    assert_int_equal(decide(p, "s:a", "arn:aws:host:us-east-1:1:h/x:y/z", NOCTX), ALLOWED);
    assert_int_equal(decide(p, "s:a", "arn:aws:HOST:us-east-1:1:h", NOCTX), IMPLICIT);
    assert_int_equal(decide(p, "s:a", "*", NOCTX), IMPLICIT);
}

static void resource_star_and_notresource(void **state) {
    const char *p = P1("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                       "{\"Effect\":\"Deny\",\"Action\":\"*\",\"NotResource\":"
                       "\"arn:aws:s3:::safe/*\"}]");
    (void)state;
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::safe/k", NOCTX), ALLOWED);
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::other/k", NOCTX), EXPLICIT);
    assert_int_equal(decide(p, "s:a", "*", NOCTX), EXPLICIT);
}

/* ---- String operators ------------------------------------------------------------------ */

static void string_equals_family(void **state) {
    (void)state;
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEquals\":{\"aws:username\":\"alice\"}}"),
                                 CTX("aws:username|s|alice")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEquals\":{\"aws:username\":\"alice\"}}"),
                                 CTX("aws:username|s|Alice")),
                     IMPLICIT);
    /* Key names are case-insensitive. */
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEquals\":{\"AWS:UserName\":\"alice\"}}"),
                                 CTX("aws:username|s|alice")),
                     ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}"),
                    CTX("aws:username|s|aLiCe")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringNotEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}"),
                    CTX("aws:username|s|alice")),
        IMPLICIT);
    /* Values are ORed. */
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}"),
                    CTX("aws:username|s|alice")),
        ALLOWED);
    /* Negated operators are NOR over values. */
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringNotEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}"),
                    CTX("aws:username|s|alice")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringNotEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}"),
                    CTX("aws:username|s|carol")),
        ALLOWED);
    /* StringEquals has no wildcards. */
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEquals\":{\"aws:username\":\"a*\"}}"),
                                 CTX("aws:username|s|alice")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEquals\":{\"aws:username\":\"a*\"}}"),
                                 CTX("aws:username|s|a*")),
                     ALLOWED);
}

static void string_like(void **state) {
    (void)state;
    assert_int_equal(cond_decide(COND_POLICY("{\"StringLike\":{\"s3:prefix\":\"home/*/x?\"}}"),
                                 CTX("s3:prefix|s|home/a/b/xy")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringLike\":{\"s3:prefix\":\"home/*/x?\"}}"),
                                 CTX("s3:prefix|s|Home/a/xy")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringNotLike\":{\"s3:prefix\":\"tmp*\"}}"),
                                 CTX("s3:prefix|s|tmpfile")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringNotLike\":{\"s3:prefix\":\"tmp*\"}}"),
                                 CTX("s3:prefix|s|home")),
                     ALLOWED);
}

/* ---- Numeric, Date, Bool, Binary, IP, ARN ---------------------------------------------- */

static void numeric_ops(void **state) {
    (void)state;
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericEquals\":{\"s:n\":\"10\"}}"),
                                 CTX("s:n|n|10.0")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericEquals\":{\"s:n\":10}}"),
                                 CTX("s:n|n|1e1")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericNotEquals\":{\"s:n\":\"10\"}}"),
                                 CTX("s:n|n|10")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericLessThan\":{\"s:n\":\"10\"}}"),
                                 CTX("s:n|n|9.999")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericLessThan\":{\"s:n\":\"10\"}}"),
                                 CTX("s:n|n|10")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericLessThanEquals\":{\"s:n\":\"10\"}}"),
                                 CTX("s:n|n|10")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericGreaterThan\":{\"s:n\":\"-1\"}}"),
                                 CTX("s:n|n|0")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericGreaterThan\":{\"s:n\":\"-1\"}}"),
                                 CTX("s:n|n|-2")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericGreaterThanEquals\":{\"s:n\":\"0.5\"}}"),
                                 CTX("s:n|n|.5")),
                     ALLOWED);
    /* A string-typed context value that is not a number never matches. */
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericEquals\":{\"s:n\":\"1\"}}"),
                                 CTX("s:n|s|one")),
                     IMPLICIT);
}

static void date_ops(void **state) {
    (void)state;
    /* ISO 8601 and epoch seconds compare as instants. */
    assert_int_equal(
        cond_decide(COND_POLICY("{\"DateEquals\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}"),
                    CTX("aws:CurrentTime|d|1577836800")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"DateEquals\":{\"aws:CurrentTime\":\"2020-01-01\"}}"),
                    CTX("aws:CurrentTime|d|2020-01-01T01:00:00+01:00")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"DateLessThan\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}"),
                    CTX("aws:CurrentTime|d|2019-12-31T23:59:59.999Z")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"DateLessThan\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}"),
                    CTX("aws:CurrentTime|d|2020-01-01T00:00:00Z")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"DateLessThanEquals\":{\"aws:CurrentTime\":\"2020-01-01\"}}"),
                    CTX("aws:CurrentTime|d|2020-01-01T00:00:00Z")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-01-01\"}}"),
                    CTX("aws:CurrentTime|d|2020-01-01T00:00:00.001Z")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":1577836800}}"),
                    CTX("aws:CurrentTime|d|2019-12-31T19:00:00-05:00")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2020-01-01\"}}"),
                    CTX("aws:CurrentTime|d|2020-01-02")),
        ALLOWED);
}

static void bool_binary_ip_arn(void **state) {
    (void)state;
    assert_int_equal(
        cond_decide(COND_POLICY("{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}"),
                    CTX("aws:MultiFactorAuthPresent|b|true")),
        ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"Bool\":{\"aws:MultiFactorAuthPresent\":true}}"),
                                 CTX("aws:MultiFactorAuthPresent|b|false")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"BinaryEquals\":{\"s:bin\":\"QmluYXJ5\"}}"),
                                 CTX("s:bin|x|QmluYXJ5")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"BinaryEquals\":{\"s:bin\":\"QmluYXJ5\"}}"),
                                 CTX("s:bin|x|QmluYXJ6")),
                     IMPLICIT);
    /* IPv4 CIDRs, /0 /32, IPv6 /128, and IPv4-mapped IPv6. */
    assert_int_equal(cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}"),
                                 CTX("aws:SourceIp|i|10.200.3.4")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}"),
                                 CTX("aws:SourceIp|i|11.0.0.1")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}"),
                                 CTX("aws:SourceIp|i|203.0.113.9")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}"),
                                 CTX("aws:SourceIp|i|2001:db8::1")),
                     IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.7/32\"}}"),
                    CTX("aws:SourceIp|i|192.0.2.7")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.7/32\"}}"),
                    CTX("aws:SourceIp|i|192.0.2.8")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}"),
                    CTX("aws:SourceIp|i|2001:DB8:ffff::1")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::1/128\"}}"),
                    CTX("aws:SourceIp|i|2001:db8::2")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}"),
                    CTX("aws:SourceIp|i|::ffff:192.0.2.55")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"::1\"]}}"),
                    CTX("aws:SourceIp|i|::1")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"::1\"]}}"),
                    CTX("aws:SourceIp|i|192.168.1.1")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ArnLike\":{\"aws:PrincipalArn\":"
                                "\"arn:aws:iam::*:user/ops-*\"}}"),
                    CTX("aws:PrincipalArn|s|arn:aws:iam::123456789012:user/ops-bob")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ArnEquals\":{\"aws:PrincipalArn\":"
                                "\"arn:aws:iam::*:user/ops-*\"}}"),
                    CTX("aws:PrincipalArn|s|arn:aws:iam::123456789012:user/dev-bob")),
        IMPLICIT);
    /* '*' in the account segment does not cross ':'. */
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/x\"}}"),
                    CTX("aws:PrincipalArn|s|arn:aws:iam::1:2:user/x")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/x\"}}"),
                    CTX("aws:PrincipalArn|s|arn:aws:iam::1:user/y")),
        ALLOWED);
}

/* ---- Missing keys, IfExists, Null, set operators ---------------------------------------- */

static void missing_keys(void **state) {
    (void)state;
    /* A missing key: positive operators false, negated true, IfExists true. */
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEquals\":{\"s:k\":\"v\"}}"), NOCTX),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringNotEquals\":{\"s:k\":\"v\"}}"), NOCTX),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"NotIpAddress\":{\"aws:SourceIp\":\"1.2.3.4\"}}"),
                                 NOCTX),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEqualsIfExists\":{\"s:k\":\"v\"}}"), NOCTX),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEqualsIfExists\":{\"s:k\":\"v\"}}"),
                                 CTX("s:k|s|w")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"NumericLessThanIfExists\":{\"s:n\":\"3\"}}"),
                                 CTX("s:n|n|2")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"Null\":{\"s:k\":\"true\"}}"), NOCTX), ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"Null\":{\"s:k\":\"true\"}}"), CTX("s:k|s|v")),
                     IMPLICIT);
    assert_int_equal(cond_decide(COND_POLICY("{\"Null\":{\"s:k\":false}}"), CTX("s:k|s|v")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"Null\":{\"s:k\":\"false\"}}"), NOCTX), IMPLICIT);
}

static void set_operators(void **state) {
    (void)state;
    /* ForAllValues: every request value in the policy set; vacuously true if missing/empty. */
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}"),
                    CTX("aws:TagKeys|sL|a|b")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}"),
                    CTX("aws:TagKeys|sL|a|c")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\"]}}"),
                    NOCTX),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\"]}}"),
                    CTX("aws:TagKeys|sL")),
        ALLOWED);
    /* ForAnyValue: at least one request value matches; false if missing or empty. */
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"a\"]}}"),
                    CTX("aws:TagKeys|sL|x|a")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"a\"]}}"),
                    NOCTX),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"a\"]}}"),
                    CTX("aws:TagKeys|sL")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAnyValue:StringEqualsIfExists\":{\"aws:TagKeys\":\"a\"}}"),
                    NOCTX),
        ALLOWED);
    /* Negated under a set operator: per request value, matches none of the policy values. */
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":\"a\"}}"),
                    CTX("aws:TagKeys|sL|b|c")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":\"a\"}}"),
                    CTX("aws:TagKeys|sL|b|a")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":\"a\"}}"),
                    CTX("aws:TagKeys|sL|a|b")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ForAnyValue:StringLike\":{\"aws:TagKeys\":\"team-*\"}}"),
                    CTX("aws:TagKeys|sL|x|team-a")),
        ALLOWED);
    /* A single-valued operator on a multivalued key: any value matching holds. */
    assert_int_equal(cond_decide(COND_POLICY("{\"StringEquals\":{\"aws:TagKeys\":\"a\"}}"),
                                 CTX("aws:TagKeys|sL|x|a")),
                     ALLOWED);
    assert_int_equal(cond_decide(COND_POLICY("{\"StringNotEquals\":{\"aws:TagKeys\":\"a\"}}"),
                                 CTX("aws:TagKeys|sL|x|a")),
                     IMPLICIT);
}

static void operators_and_keys_anded(void **state) {
    const char *p = COND_POLICY("{\"StringEquals\":{\"s:a\":\"1\",\"s:b\":\"2\"},"
                                "\"Bool\":{\"s:c\":\"true\"}}");
    (void)state;
    assert_int_equal(cond_decide(p, CTX("s:a|s|1", "s:b|s|2", "s:c|b|true")), ALLOWED);
    assert_int_equal(cond_decide(p, CTX("s:a|s|1", "s:b|s|3", "s:c|b|true")), IMPLICIT);
    assert_int_equal(cond_decide(p, CTX("s:a|s|1", "s:b|s|2", "s:c|b|false")), IMPLICIT);
    assert_int_equal(cond_decide(p, CTX("s:a|s|1", "s:b|s|2")), IMPLICIT);
}

/* ---- Policy variables ------------------------------------------------------------------ */

static void variables_in_resource(void **state) {
    const char *p = P1("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
                       "\"arn:aws:s3:::home/${aws:username}/*\"}");
    const char *d = P1("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
                       "\"arn:aws:s3:::t/${aws:PrincipalTag/team, 'none'}/*\"}");
    const char *esc = P1("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
                         "\"arn:aws:s3:::lit/${*}${?}${$}\"}");
    const char *old = "{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"*\",\"Resource\":\"arn:aws:s3:::home/${aws:username}\"}}";
    (void)state;
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::home/alice/f", CTX("aws:username|s|alice")),
                     ALLOWED);
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::home/bob/f", CTX("aws:username|s|alice")),
                     IMPLICIT);
    /* Missing key, no default: the entry matches nothing. */
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::home//f", NOCTX), IMPLICIT);
    /* The substituted value is literal: a '*' in it is no wildcard. */
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::home/anything/f", CTX("aws:username|s|*")),
                     IMPLICIT);
    assert_int_equal(decide(p, "s:a", "arn:aws:s3:::home/*/f", CTX("aws:username|s|*")),
                     ALLOWED);
    /* Defaults. */
    assert_int_equal(decide(d, "s:a", "arn:aws:s3:::t/none/x", NOCTX), ALLOWED);
    assert_int_equal(decide(d, "s:a", "arn:aws:s3:::t/red/x", CTX("aws:PrincipalTag/Team|s|red")),
                     ALLOWED);
    assert_int_equal(decide(d, "s:a", "arn:aws:s3:::t/none/x", CTX("aws:PrincipalTag/team|s|red")),
                     IMPLICIT);
    /* Escapes are literal characters. */
    assert_int_equal(decide(esc, "s:a", "arn:aws:s3:::lit/*?$", NOCTX), ALLOWED);
    assert_int_equal(decide(esc, "s:a", "arn:aws:s3:::lit/ab$", NOCTX), IMPLICIT);
    /* Under 2008-10-17 a variable is literal text. */
    assert_int_equal(decide(old, "s:a", "arn:aws:s3:::home/${aws:username}",
                            CTX("aws:username|s|alice")),
                     ALLOWED);
    assert_int_equal(decide(old, "s:a", "arn:aws:s3:::home/alice", CTX("aws:username|s|alice")),
                     IMPLICIT);
}

static void variables_in_conditions(void **state) {
    (void)state;
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringEquals\":{\"s:owner\":\"${aws:username}\"}}"),
                    CTX("s:owner|s|alice", "aws:username|s|alice")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringLike\":{\"s:path\":\"home/${aws:username}/*\"}}"),
                    CTX("s:path|s|home/alice/x", "aws:username|s|alice")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringLike\":{\"s:path\":\"home/${aws:username}/*\"}}"),
                    CTX("s:path|s|home/bob/x", "aws:username|s|alice")),
        IMPLICIT);
    /* A variable with no value is null: no value equals it, so a positive operator fails and
     * a negated one holds (IAM User Guide, "Policy variables with no value"). */
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringEquals\":{\"s:owner\":\"${aws:username}\"}}"),
                    CTX("s:owner|s|alice")),
        IMPLICIT);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"StringNotEquals\":{\"s:owner\":\"${aws:username}\"}}"),
                    CTX("s:owner|s|alice")),
        ALLOWED);
    assert_int_equal(
        cond_decide(COND_POLICY("{\"ArnLike\":{\"s:arn\":\"arn:aws:iam::*:user/${aws:username}\"}}"),
                    CTX("s:arn|s|arn:aws:iam::1:user/al", "aws:username|s|al")),
        ALLOWED);
}

/* ---- Decision logic -------------------------------------------------------------------- */

static void deny_beats_allow_and_matched(void **state) {
    struct iam_policy *a = compile_ok(P1("[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\","
                                         "\"Resource\":\"*\"}]"));
    struct iam_policy *b = compile_ok(P1("[{\"Effect\":\"Allow\",\"Action\":\"x:y\","
                                         "\"Resource\":\"*\"},{\"Sid\":\"D\",\"Effect\":\"Deny\","
                                         "\"Action\":\"s3:*\",\"Resource\":\"*\"}]"));
    struct iam_policy_ref refs[2] = {{a, "PolicyInputList.1", "IAM Policy"},
                                     {b, "PolicyInputList.2", "IAM Policy"}};
    struct iam_policy_set set = {.identity = refs, .n_identity = 2};
    struct iam_request req = {.action = "s3:GetObject", .resource = "arn:aws:s3:::b/k"};
    struct iam_decision d;
    struct iam_statement_info info;
    (void)state;

    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, EXPLICIT);
    assert_int_equal(d.n_matched, 1);
    assert_ptr_equal(d.matched[0].ref, &refs[1]);
    assert_int_equal(d.matched[0].statement, 1);
    assert_int_equal(iam_policy_statement_info(b, 1, &info), 0);
    assert_string_equal(info.sid, "D");
    req.action = "x:y";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    assert_int_equal(d.n_matched, 2);
    req.action = "q:z";
    set.n_identity = 0;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    assert_int_equal(d.n_matched, 0);
    assert_string_equal(iam_decision_name(d.decision), "implicitDeny");
    req.action = NULL;
    assert_int_equal(iam_evaluate(&set, &req, &d), -EINVAL);
    iam_policy_free(a);
    iam_policy_free(b);
}

static void permissions_boundary(void **state) {
    struct iam_policy *id = compile_ok(P1("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"));
    struct iam_policy *bd = compile_ok(P1("[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                                          "\"Resource\":\"*\"},{\"Effect\":\"Deny\","
                                          "\"Action\":\"s3:Delete*\",\"Resource\":\"*\"}]"));
    struct iam_policy_ref idr = {id, "PolicyInputList.1", "IAM Policy"};
    struct iam_policy_ref bdr = {bd, "PermissionsBoundaryPolicyInputList.1", "IAM Policy"};
    struct iam_policy_set set = {.identity = &idr, .n_identity = 1, .boundary = &bdr,
                                 .n_boundary = 1};
    struct iam_request req = {.action = "s3:GetObject", .resource = "*"};
    struct iam_decision d;
    (void)state;

    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    assert_true(d.allowed_by_boundary);
    /* Identity allows, boundary does not: implicit deny. */
    req.action = "ec2:RunInstances";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    assert_false(d.allowed_by_boundary);
    /* A Deny in the boundary is an explicit deny. */
    req.action = "s3:DeleteObject";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, EXPLICIT);
    assert_ptr_equal(d.matched[0].ref, &bdr);
    assert_false(d.allowed_by_boundary);
    /* Boundary allows but identity does not: implicit deny. */
    set.n_identity = 0;
    req.action = "s3:GetObject";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    iam_policy_free(id);
    iam_policy_free(bd);
}

static void resource_policy(void **state) {
    const char *user = "arn:aws:iam::123456789012:user/alice";
    struct iam_policy *rp_user = compile_res_ok(
        P1("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"},"
           "\"Action\":\"host:Login\",\"Resource\":\"*\"}"));
    struct iam_policy *rp_acct = compile_res_ok(
        P1("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"123456789012\"},"
           "\"Action\":\"host:Login\"}"));
    struct iam_policy *rp_deny = compile_res_ok(
        P1("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"host:*\",\"Resource\":\"*\","
           "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"}}}"));
    struct iam_policy *bd = compile_ok(P1("{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}"));
    struct iam_policy *id = compile_ok(P1("{\"Effect\":\"Allow\",\"Action\":\"host:*\",\"Resource\":\"*\"}"));
    struct iam_policy_ref rref = {rp_user, "ResourcePolicy", "resource"};
    struct iam_policy_ref bref = {bd, "PermissionsBoundaryPolicyInputList.1", "IAM Policy"};
    struct iam_policy_ref iref = {id, "PolicyInputList.1", "IAM Policy"};
    struct iam_policy_set set = {.resource = &rref};
    struct iam_request req = {.action = "host:Login", .resource = "arn:aws:ec2:r:1:instance/i",
                              .principal_arn = user};
    struct iam_decision d;
    struct iam_context *ctx = ctx_make(CTX("aws:MultiFactorAuthPresent|b|false"));
    (void)state;

    /* Same account, the resource policy names the user: allowed without identity policy. */
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    /* ... and a boundary does not limit it. */
    set.boundary = &bref;
    set.n_boundary = 1;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    assert_false(d.allowed_by_boundary);
    /* Another caller is not named. */
    req.principal_arn = "arn:aws:iam::123456789012:user/bob";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    /* Naming the account delegates to identity policies: alone it grants nothing. */
    rref.policy = rp_acct;
    set.boundary = NULL;
    set.n_boundary = 0;
    req.principal_arn = user;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    set.identity = &iref;
    set.n_identity = 1;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    /* Cross-account: both sides must allow. */
    set.cross_account = true;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED); /* identity allows, resource names the account */
    req.principal_arn = "arn:aws:iam::999999999999:user/zed";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT); /* resource policy does not name this account */
    req.principal_arn = user;
    set.cross_account = false;
    /* A Deny in the resource policy wins. */
    rref.policy = rp_deny;
    req.context = ctx;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, EXPLICIT);
    assert_ptr_equal(d.matched[0].ref, &rref);
    /* "The NotPrincipal element with a Deny effect will always deny any IAM principal that
     * has a permissions boundary policy attached" (Permissions boundaries for IAM entities). */
    {
        struct iam_policy *np = compile_res_ok(
            P1("{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":"
               "\"arn:aws:iam::123456789012:user/alice\"},\"Action\":\"host:*\",\"Resource\":\"*\"}"));
        struct iam_policy_ref nref = {np, "ResourcePolicy", "resource"};
        struct iam_policy_set s2 = {.identity = &iref, .n_identity = 1, .resource = &nref};
        struct iam_request r2 = {.action = "host:Login", .resource = "*", .principal_arn = user};

        assert_int_equal(iam_evaluate(&s2, &r2, &d), 0);
        assert_int_equal(d.decision, ALLOWED); /* alice is excluded from the Deny */
        r2.principal_arn = "arn:aws:iam::123456789012:user/bob";
        assert_int_equal(iam_evaluate(&s2, &r2, &d), 0);
        assert_int_equal(d.decision, EXPLICIT);
        s2.boundary = &bref;
        s2.n_boundary = 1;
        r2.principal_arn = user;
        assert_int_equal(iam_evaluate(&s2, &r2, &d), 0);
        assert_int_equal(d.decision, EXPLICIT); /* with a boundary, NotPrincipal no longer spares her */
        iam_policy_free(np);
    }
    iam_context_free(ctx);
    iam_policy_free(rp_user);
    iam_policy_free(rp_acct);
    iam_policy_free(rp_deny);
    iam_policy_free(bd);
    iam_policy_free(id);
}

/* A role's trust policy (IAM User Guide, "Policy evaluation logic": role trust policies must
 * explicitly allow access for principals): trusting the account needs an identity Allow,
 * naming the user does not, an identity Allow alone never suffices, the boundary always
 * limits. The host marks the set (trust_policy); the engine also knows an sts: action on a
 * role's ARN without the mark; any other resource keeps the ordinary rule. */
static void trust_policy(void **state) {
    const char *user = "arn:aws:iam::123456789012:user/alice";
    const char *role = "arn:aws:iam::123456789012:role/deploy";
    struct iam_policy *t_acct = compile_res_ok(
        P1("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"123456789012\"},"
           "\"Action\":\"sts:AssumeRole\"}"));
    struct iam_policy *t_user = compile_res_ok(
        P1("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"},"
           "\"Action\":\"sts:AssumeRole\"}"));
    struct iam_policy *t_bob = compile_res_ok(
        P1("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/bob\"},"
           "\"Action\":[\"sts:AssumeRole\",\"host:Login\"]}"));
    struct iam_policy *id = compile_ok(
        P1("{\"Effect\":\"Allow\",\"Action\":[\"sts:AssumeRole\",\"host:Login\"],\"Resource\":\"*\"}"));
    struct iam_policy *bd = compile_ok(P1("{\"Effect\":\"Allow\",\"Action\":\"host:*\",\"Resource\":\"*\"}"));
    struct iam_policy_ref rref = {t_acct, "role/deploy", "trust"};
    struct iam_policy_ref iref = {id, "PolicyInputList.1", "IAM Policy"};
    struct iam_policy_ref bref = {bd, "boundary", "IAM Policy"};
    struct iam_policy_set set = {.resource = &rref, .trust_policy = true};
    struct iam_request req = {.action = "sts:AssumeRole", .resource = role, .principal_arn = user};
    struct iam_decision d;
    (void)state;

    /* trusting the account: no identity Allow, no entry */
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    set.identity = &iref;
    set.n_identity = 1;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    /* a boundary without sts:AssumeRole stops it */
    set.boundary = &bref;
    set.n_boundary = 1;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    assert_false(d.allowed_by_boundary);
    /* naming the user: no identity policy needed, but the boundary still limits */
    rref.policy = t_user;
    set.identity = NULL;
    set.n_identity = 0;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    set.boundary = NULL;
    set.n_boundary = 0;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    /* an identity Allow alone never suffices */
    rref.policy = t_bob;
    set.identity = &iref;
    set.n_identity = 1;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    /* without the mark: the same for an sts: action on a role's ARN ... */
    set.trust_policy = false;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    req.action = "STS:assumerole";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    /* ... but not for another resource or another service: an identity Allow suffices */
    req.action = "sts:AssumeRole";
    req.resource = "arn:aws:iam::123456789012:user/deploy";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    req.action = "host:Login";
    req.resource = role;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    iam_policy_free(t_acct);
    iam_policy_free(t_user);
    iam_policy_free(t_bob);
    iam_policy_free(id);
    iam_policy_free(bd);
}

static void missing_context_values(void **state) {
    struct iam_policy *p = compile_ok(P1(
        "[{\"Effect\":\"Allow\",\"Action\":\"s:a\",\"Resource\":\"*\",\"Condition\":{"
        "\"StringEquals\":{\"aws:PrincipalTag/Team\":\"x\",\"aws:RequestedRegion\":\"y\"}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s:other\",\"Resource\":\"*\",\"Condition\":{"
        "\"Bool\":{\"s:never\":\"true\"}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s:a\",\"Resource\":\"arn:aws:s3:::${aws:username}\"},"
        "{\"Effect\":\"Deny\",\"Action\":\"s:a\",\"Resource\":\"*\",\"Condition\":{"
        "\"StringEquals\":{\"AWS:principaltag/team\":\"z\"}}}]"));
    struct iam_policy_ref ref = {p, "PolicyInputList.1", "IAM Policy"};
    struct iam_policy_set set = {.identity = &ref, .n_identity = 1};
    struct iam_context *ctx = ctx_make(CTX("aws:RequestedRegion|s|y"));
    struct iam_request req = {.action = "s:a", .resource = "*", .context = ctx};
    struct iam_decision d;
    (void)state;

    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, IMPLICIT);
    /* Only keys of statements that apply to the action; deduplicated case-insensitively. */
    assert_int_equal(d.n_missing, 1);
    assert_string_equal(d.missing[0], "aws:PrincipalTag/Team");
    req.resource = "arn:aws:s3:::bob";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.n_missing, 2);
    assert_string_equal(d.missing[1], "aws:username");
    iam_context_free(ctx);
    iam_policy_free(p);
}

/* More matching statements than IAM_MAX_MATCHED: the decision is still right and the list
 * says it was cut. */
static void matched_truncated(void **state) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct iam_policy *p;
    struct iam_policy_ref ref;
    struct iam_policy_set set = {.n_identity = 1};
    struct iam_request req = {.action = "s3:GetObject", .resource = "*"};
    struct iam_decision d;
    (void)state;

    assert_non_null(f);
    fputs("{\"Version\":\"2012-10-17\",\"Statement\":[", f);
    for (int i = 0; i < IAM_MAX_MATCHED + 8; i++)
        fprintf(f, "%s{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}", i ? "," : "");
    fputs(",{\"Effect\":\"Deny\",\"Action\":\"s3:Put*\",\"Resource\":\"*\"}]}", f);
    assert_int_equal(fclose(f), 0);
    p = compile_ok(text);
    ref = (struct iam_policy_ref){p, "PolicyInputList.1", "IAM Policy"};
    set.identity = &ref;
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, ALLOWED);
    assert_int_equal(d.n_matched, IAM_MAX_MATCHED);
    assert_true(d.matched_truncated);
    assert_int_equal(d.matched[IAM_MAX_MATCHED - 1].statement, IAM_MAX_MATCHED - 1);
    req.action = "s3:PutObject";
    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    assert_int_equal(d.decision, EXPLICIT);
    assert_int_equal(d.n_matched, 1);
    assert_false(d.matched_truncated);
    assert_int_equal(d.matched[0].statement, IAM_MAX_MATCHED + 8);
    iam_policy_free(p);
    free(text);
}

/* ---- Thread safety ------------------------------------------------------------------------ */

static const char *busy_policy =
    P1("[{\"Effect\":\"Allow\",\"Action\":[\"host:*\",\"s3:Get*\"],\"Resource\":"
       "[\"arn:aws:s3:::home/${aws:username}/*\",\"arn:aws:ec2:*:*:instance/*\"],"
       "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\"]},"
       "\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},"
       "\"StringLike\":{\"aws:PrincipalTag/team\":\"ops*\"},"
       "\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]},"
       "\"NumericLessThan\":{\"s:n\":\"100\"}}},"
       "{\"Effect\":\"Deny\",\"Action\":\"host:Sudo\",\"Resource\":\"*\",\"Condition\":{"
       "\"StringNotEqualsIgnoreCase\":{\"aws:PrincipalTag/Role\":\"${aws:username}\"}}}]");

struct thread_arg {
    const struct iam_policy_set *set;
    const struct iam_context *ctx;
    int bad;
};

static void *thread_main(void *v) {
    struct thread_arg *a = v;

    for (int i = 0; i < 20000; i++) {
        struct iam_request req = {.action = (i & 1) ? "host:Login" : "host:Sudo",
                                  .resource = "arn:aws:ec2:r:1:instance/i-1", .context = a->ctx};
        struct iam_decision d;

        if (iam_evaluate(a->set, &req, &d) != 0 ||
            d.decision != ((i & 1) ? IAM_DECISION_ALLOWED : IAM_DECISION_EXPLICIT_DENY))
            a->bad++;
    }
    return NULL;
}

static void evaluate_threads(void **state) {
    struct iam_policy *p = compile_ok(busy_policy);
    struct iam_policy_ref ref = {p, "PolicyInputList.1", "IAM Policy"};
    struct iam_policy_set set = {.identity = &ref, .n_identity = 1};
    struct iam_context *ctx = ctx_make(CTX("aws:username|s|alice", "aws:SourceIp|i|10.1.2.3",
                                           "aws:CurrentTime|d|2026-11-28T01:00:00Z",
                                           "aws:PrincipalTag/team|s|opsA", "s:n|n|5"));
    pthread_t t[4];
    struct thread_arg args[4];
    (void)state;

    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){&set, ctx, 0};
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(args[i].bad, 0);
    }
    iam_context_free(ctx);
    iam_policy_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(action_case_insensitive_wildcards),
        cmocka_unit_test(action_star_and_notaction),
        cmocka_unit_test(resource_arn_segments),
        cmocka_unit_test(resource_star_and_notresource),
        cmocka_unit_test(string_equals_family),
        cmocka_unit_test(string_like),
        cmocka_unit_test(numeric_ops),
        cmocka_unit_test(date_ops),
        cmocka_unit_test(bool_binary_ip_arn),
        cmocka_unit_test(missing_keys),
        cmocka_unit_test(set_operators),
        cmocka_unit_test(operators_and_keys_anded),
        cmocka_unit_test(variables_in_resource),
        cmocka_unit_test(variables_in_conditions),
        cmocka_unit_test(deny_beats_allow_and_matched),
        cmocka_unit_test(permissions_boundary),
        cmocka_unit_test(resource_policy),
        cmocka_unit_test(trust_policy),
        cmocka_unit_test(missing_context_values),
        cmocka_unit_test(matched_truncated),
        cmocka_unit_test(evaluate_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
