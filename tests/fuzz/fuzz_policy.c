/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: compile the input as an identity policy and as a resource policy, and
 * evaluate whatever compiles against a handful of requests with a rich context. Crashes,
 * sanitizer reports, leaks and an evaluation that is not deterministic are all findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct iam_context *ctx;

static void build_context(void) {
    static const char *const tags[] = {"team", "env"};
    static const char *const ips[] = {"10.1.2.3"};
    static const char *const now[] = {"2026-11-28T01:00:00Z"};
    static const char *const num[] = {"42"};
    static const char *const yes[] = {"true"};
    static const char *const bin[] = {"QmluYXJ5"};
    static const char *const v6[] = {"2001:db8::1", "::ffff:192.0.2.1"};

    if (iam_context_new(&ctx) < 0)
        abort();
    if (iam_context_add_string(ctx, "aws:username", "alice") < 0 ||
        iam_context_add_string(ctx, "aws:PrincipalTag/team", "ops") < 0 ||
        iam_context_add_string(ctx, "aws:PrincipalArn", "arn:aws:iam::123456789012:user/alice") <
            0 ||
        iam_context_add(ctx, "aws:TagKeys", IAM_VALUE_STRING, true, tags, 2, NULL) < 0 ||
        iam_context_add(ctx, "aws:SourceIp", IAM_VALUE_IP, false, ips, 1, NULL) < 0 ||
        iam_context_add(ctx, "aws:CurrentTime", IAM_VALUE_DATE, false, now, 1, NULL) < 0 ||
        iam_context_add(ctx, "s3:max-keys", IAM_VALUE_NUMERIC, false, num, 1, NULL) < 0 ||
        iam_context_add(ctx, "aws:SecureTransport", IAM_VALUE_BOOLEAN, false, yes, 1, NULL) < 0 ||
        iam_context_add(ctx, "s:bin", IAM_VALUE_BINARY, false, bin, 1, NULL) < 0 ||
        iam_context_add(ctx, "s:ips", IAM_VALUE_IP, true, v6, 2, NULL) < 0 ||
        iam_context_add(ctx, "s:empty", IAM_VALUE_STRING, true, NULL, 0, NULL) < 0)
        abort();
}

static void evaluate(const struct iam_policy *p, bool resource) {
    static const struct {
        const char *action, *resource;
    } reqs[] = {
        {"s3:GetObject", "arn:aws:s3:::home/alice/file"},
        {"host:Login", "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"},
        {"iam:CreateUser", "*"},
        {"ec2:RunInstances", "arn:aws:ec2:eu-west-1:123456789012:instance/x:y/z"},
        {"x:y", "not-an-arn"},
    };
    struct iam_policy_ref ref = {p, "fuzz", "IAM Policy"};
    struct iam_policy_set set = {0};

    if (resource)
        set.resource = &ref;
    else {
        set.identity = &ref;
        set.n_identity = 1;
    }
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        struct iam_request req = {.action = reqs[i].action, .resource = reqs[i].resource,
                                  .principal_arn = "arn:aws:iam::123456789012:user/alice",
                                  .context = ctx};
        struct iam_decision d1, d2;

        if (iam_evaluate(&set, &req, &d1) != 0 || iam_evaluate(&set, &req, &d2) != 0)
            abort();
        if (d1.decision != d2.decision || d1.n_matched != d2.n_matched ||
            d1.n_missing != d2.n_missing)
            abort();
        for (size_t m = 0; m < d1.n_matched; m++) {
            struct iam_statement_info info;

            if (iam_policy_statement_info(p, d1.matched[m].statement, &info) != 0)
                abort();
        }
        if (d1.decision == IAM_DECISION_IMPLICIT_DENY && d1.n_matched != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct iam_policy *p = NULL;
    struct iam_error err;

    if (!ctx)
        build_context();
    for (int type = 0; type < 2; type++) {
        iam_error_init(&err);
        if (iam_policy_compile((const char *)data, size,
                               type ? IAM_POLICY_RESOURCE : IAM_POLICY_IDENTITY, &p, &err) == 0) {
            evaluate(p, type == 1);
            iam_policy_free(p);
            p = NULL;
        } else if (!err.set) {
            abort(); /* every failure must say why */
        }
    }
    return 0;
}
