/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Helpers shared by the policy unit tests: compile a policy from a string, build a context
 * from "key=type:value" specs, evaluate one request. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iam/policy.h"

static inline struct iam_policy *compile_ok(const char *text) {
    struct iam_policy *p = NULL;
    struct iam_error err;
    char buf[700];
    int r;

    iam_error_init(&err);
    r = iam_policy_compile(text, strlen(text), IAM_POLICY_IDENTITY, &p, &err);
    if (r != 0)
        fail_msg("compile failed: %s\n%s", iam_error_format(&err, buf, sizeof(buf)), text);
    return p;
}

static inline struct iam_policy *compile_res_ok(const char *text) {
    struct iam_policy *p = NULL;
    struct iam_error err;
    char buf[700];
    int r;

    iam_error_init(&err);
    r = iam_policy_compile(text, strlen(text), IAM_POLICY_RESOURCE, &p, &err);
    if (r != 0)
        fail_msg("compile failed: %s\n%s", iam_error_format(&err, buf, sizeof(buf)), text);
    return p;
}

/* Expect a compile error at line:col whose text contains needle. */
static inline void compile_err(const char *text, enum iam_policy_type type, unsigned line,
                               unsigned col, const char *needle) {
    struct iam_policy *p = NULL;
    struct iam_error err;
    int r;

    iam_error_init(&err);
    r = iam_policy_compile(text, strlen(text), type, &p, &err);
    if (r == 0) {
        iam_policy_free(p);
        fail_msg("compiled but should not have:\n%s", text);
    }
    assert_null(p);
    if (err.line != line || err.column != col || !strstr(err.text, needle))
        fail_msg("expected %u:%u '%s', got %u:%u '%s' for\n%s", line, col, needle, err.line,
                 err.column, err.text, text);
}

/* Context from specs "key|type|v1|v2..." where type is s,n,b,d,i,x (binary) and a trailing
 * 'L' (e.g. "sL") marks a list. */
static inline struct iam_context *ctx_make(const char *const *specs, size_t n) {
    struct iam_context *ctx = NULL;

    assert_int_equal(iam_context_new(&ctx), 0);
    for (size_t i = 0; i < n; i++) {
        char *copy = strdup(specs[i]), *save = NULL, *key, *type, *v;
        const char *vals[16];
        size_t nv = 0;
        enum iam_value_type t = IAM_VALUE_STRING;
        struct iam_error err;
        char buf[700];

        assert_non_null(copy);
        key = strtok_r(copy, "|", &save);
        type = strtok_r(NULL, "|", &save);
        assert_non_null(key);
        assert_non_null(type);
        while ((v = strtok_r(NULL, "|", &save)) && nv < 16)
            vals[nv++] = strcmp(v, "<empty>") == 0 ? "" : v;
        switch (type[0]) {
        case 's': t = IAM_VALUE_STRING; break;
        case 'n': t = IAM_VALUE_NUMERIC; break;
        case 'b': t = IAM_VALUE_BOOLEAN; break;
        case 'd': t = IAM_VALUE_DATE; break;
        case 'i': t = IAM_VALUE_IP; break;
        case 'x': t = IAM_VALUE_BINARY; break;
        default: fail_msg("bad type in spec %s", specs[i]);
        }
        iam_error_init(&err);
        if (iam_context_add(ctx, key, t, type[1] == 'L', vals, nv, &err) != 0)
            fail_msg("context add failed: %s", iam_error_format(&err, buf, sizeof(buf)));
        free(copy);
    }
    return ctx;
}

/* Evaluate one identity policy for action/resource with the given context. */
static inline enum iam_decision_kind eval1(const struct iam_policy *p, const char *action,
                                           const char *resource, const struct iam_context *ctx) {
    struct iam_policy_ref ref = {p, "PolicyInputList.1", "IAM Policy"};
    struct iam_policy_set set = {.identity = &ref, .n_identity = 1};
    struct iam_request req = {.action = action, .resource = resource, .context = ctx};
    struct iam_decision d;

    assert_int_equal(iam_evaluate(&set, &req, &d), 0);
    return d.decision;
}

/* Compile text, evaluate, free: the decision. */
static inline enum iam_decision_kind decide(const char *text, const char *action,
                                            const char *resource, const char *const *specs,
                                            size_t n_specs) {
    struct iam_policy *p = compile_ok(text);
    struct iam_context *ctx = n_specs ? ctx_make(specs, n_specs) : NULL;
    enum iam_decision_kind d = eval1(p, action, resource, ctx);

    iam_context_free(ctx);
    iam_policy_free(p);
    return d;
}

#define ALLOWED IAM_DECISION_ALLOWED
#define IMPLICIT IAM_DECISION_IMPLICIT_DENY
#define EXPLICIT IAM_DECISION_EXPLICIT_DENY

/* A one-statement Allow policy for "s:a" on "*" with the given condition block. */
#define COND_POLICY(cond)                                                                          \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s:a\","           \
    "\"Resource\":\"*\",\"Condition\":" cond "}}"

static inline enum iam_decision_kind cond_decide(const char *policy, const char *const *specs,
                                                 size_t n) {
    return decide(policy, "s:a", "*", specs, n);
}

#define CTX(...) ((const char *const[]){__VA_ARGS__}), (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define NOCTX NULL, 0
