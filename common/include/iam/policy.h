/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The IAM policy engine: compile policy documents once, evaluate requests many times.
 *
 * Semantics are AWS's, as the IAM User Guide documents them (policy evaluation logic,
 * the JSON element reference, condition operators, policy variables). Where this header is
 * silent, AWS's documented behaviour decides.
 *
 * Thread safety: a compiled struct iam_policy and a prepared struct iam_context are
 * immutable after creation; iam_evaluate() may run on them from many threads at once.
 * iam_evaluate() allocates nothing.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"

/* Limits (AWS: managed policy 6144 chars, inline user 2048, group 5120, role 10240 after
 * whitespace removal; we parse anything up to IAM_POLICY_MAX_BYTES and let the db layer
 * enforce IAM's quotas per policy kind). */
#define IAM_POLICY_MAX_BYTES (128u * 1024u)
#define IAM_MAX_MATCHED 32
#define IAM_MAX_MISSING 32

enum iam_policy_type {
    IAM_POLICY_IDENTITY, /* Principal/NotPrincipal are errors */
    IAM_POLICY_RESOURCE, /* Principal or NotPrincipal required in every statement */
};

enum iam_effect {
    IAM_EFFECT_ALLOW,
    IAM_EFFECT_DENY,
};

struct iam_policy;

/* Compile a policy document (JSON text, not URL-encoded). A malformed policy is -EINVAL
 * with line and column in reterr; it is never evaluated "as best it can". */
int iam_policy_compile(const char *text, size_t len, enum iam_policy_type type,
                       struct iam_policy **ret_policy, struct iam_error *reterr) IAM_WUR;
/* The same for a document already parsed with iam_json_parse() (a policy embedded in a
 * larger file, as in the identity database): exactly what iam_policy_compile() gives for the
 * value's own text, the 32-level nesting limit included, except that positions (errors and
 * statement info) are those of the tree. ret_policy NULL only checks the document. */
struct iam_json;
int iam_policy_compile_json(const struct iam_json *root, enum iam_policy_type type,
                            struct iam_policy **ret_policy, struct iam_error *reterr) IAM_WUR;
void iam_policy_free(struct iam_policy *policy); /* NULL-safe */

/* Introspection, for reporting which statement decided. */
struct iam_statement_info {
    const char *sid; /* NULL when the statement has no Sid */
    enum iam_effect effect;
    unsigned start_line, start_column; /* position of the statement object's '{' */
    unsigned end_line, end_column;     /* position just past its '}' */
};
size_t iam_policy_statement_count(const struct iam_policy *policy);
int iam_policy_statement_info(const struct iam_policy *policy, size_t index,
                              struct iam_statement_info *ret_info);
const char *iam_policy_version(const struct iam_policy *policy); /* "2012-10-17", ... */

/* ---- Request context ---------------------------------------------------------------- */

enum iam_value_type {
    IAM_VALUE_STRING,
    IAM_VALUE_NUMERIC,
    IAM_VALUE_BOOLEAN,
    IAM_VALUE_DATE,   /* ISO 8601 or epoch seconds */
    IAM_VALUE_IP,     /* IPv4 or IPv6 address (a CIDR is accepted as written by AWS) */
    IAM_VALUE_BINARY, /* base64 */
};

/* A prepared request context: owns copies of keys and values, parsed once per type
 * (numbers, dates, addresses), so evaluation parses nothing. Keys are case-insensitive;
 * adding a key twice replaces its values. */
struct iam_context;

int iam_context_new(struct iam_context **ret_ctx) IAM_WUR;
void iam_context_free(struct iam_context *ctx); /* NULL-safe */

/* Add a key with one or more values. is_list marks a multivalued key (stringList...), which
 * matters to ForAnyValue/ForAllValues and to single-valued operators. A value that does not
 * parse as type is -EINVAL with a message in reterr. */
int iam_context_add(struct iam_context *ctx, const char *key, enum iam_value_type type,
                    bool is_list, const char *const *values, size_t n_values,
                    struct iam_error *reterr) IAM_WUR;
int iam_context_add_string(struct iam_context *ctx, const char *key, const char *value) IAM_WUR;
/* Remove a key (no error if absent). */
void iam_context_remove(struct iam_context *ctx, const char *key);

/* ---- Evaluation ------------------------------------------------------------------------ */

struct iam_policy_ref {
    const struct iam_policy *policy;
    const char *source_id;   /* for reporting, e.g. "PolicyInputList.1" or a policy ARN */
    const char *source_type; /* for reporting, e.g. "IAM Policy", "user", "group", "resource" */
};

/* The policies that apply to one request. */
struct iam_policy_set {
    const struct iam_policy_ref *identity; /* identity-based policies, any order */
    size_t n_identity;
    const struct iam_policy_ref *boundary; /* permissions boundary; NULL/0 = none */
    size_t n_boundary;
    const struct iam_policy_ref *resource; /* resource-based policy; NULL = none */
    /* The resource belongs to another account than the caller: then the identity side
     * (within its boundary) AND the resource policy must both allow. Default false: same
     * account, where either an identity Allow or a resource-policy Allow naming the caller
     * suffices. */
    bool cross_account;
    /* The resource policy is a role's trust policy (set by the host for sts:AssumeRole; the
     * engine also treats any sts: action on arn:...:iam::ACCOUNT:role/... so). Then, in the
     * same account, the trust policy must allow the caller by name, or name the caller's
     * account with an identity policy allowing too; an identity Allow alone never suffices,
     * and a permissions boundary must allow in both cases. */
    bool trust_policy;
};

struct iam_request {
    const char *action;              /* "service:Action", required */
    const char *resource;            /* resource ARN or "*", required */
    const char *principal_arn;       /* caller; matched against Principal; may be NULL */
    const struct iam_context *context; /* may be NULL (no keys) */
};

enum iam_decision_kind {
    IAM_DECISION_IMPLICIT_DENY = 0,
    IAM_DECISION_ALLOWED,
    IAM_DECISION_EXPLICIT_DENY,
};

struct iam_matched_statement {
    const struct iam_policy_ref *ref; /* points into the caller's iam_policy_set */
    size_t statement;                 /* index for iam_policy_statement_info() */
};

struct iam_decision {
    enum iam_decision_kind decision;
    /* Statements that decided: for ALLOWED the Allow statements that matched, for
     * EXPLICIT_DENY the Deny statements that matched, none for IMPLICIT_DENY. */
    size_t n_matched;
    struct iam_matched_statement matched[IAM_MAX_MATCHED];
    bool matched_truncated;
    /* Condition keys that statements applicable to this action and resource referenced but
     * the context lacked (AWS's MissingContextValues); borrowed from the compiled policies,
     * deduplicated case-insensitively. */
    size_t n_missing;
    const char *missing[IAM_MAX_MISSING];
    bool missing_truncated;
    /* Only meaningful when the set has a boundary: did the boundary allow? */
    bool allowed_by_boundary;
};

/* Evaluate. Returns 0 with the decision filled in, or -EINVAL for a malformed request
 * (NULL action or resource). Allocates nothing; thread-safe. */
int iam_evaluate(const struct iam_policy_set *set, const struct iam_request *req,
                 struct iam_decision *ret_decision) IAM_WUR;

/* Could the action be allowed on the resource for some request? The same evaluation with the
 * Condition blocks left out: an Allow statement counts whatever its conditions, a Deny
 * statement only when it has none (a conditional Deny might not apply). Variables in
 * Resource elements still come from the context. This is what "granted" means for the
 * unused-permission findings: access a policy grants, whether or not it was ever used. */
int iam_evaluate_potential(const struct iam_policy_set *set, const struct iam_request *req,
                           struct iam_decision *ret_decision) IAM_WUR;

const char *iam_decision_name(enum iam_decision_kind d); /* "allowed", "explicitDeny", ... */
