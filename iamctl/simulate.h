/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The simulation core behind `iamctl simulate-custom-policy`, reusable by
 * simulate-principal-policy: evaluate a policy set for every action x resource and build the
 * AWS API's SimulatePolicyResponse as JSON; parse ContextEntries in the API's JSON shape and
 * in the AWS CLI shorthand.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "iam/error.h"
#include "iam/json.h"
#include "iam/policy.h"

struct simulate_input {
    const struct iam_policy_set *set;
    const char *const *actions; /* ActionNames, required, n_actions >= 1 */
    size_t n_actions;
    const char *const *resources; /* ResourceArns; n_resources == 0 means "*" as AWS */
    size_t n_resources;
    const char *caller_arn;     /* CallerArn, may be NULL */
    const char *resource_owner; /* ResourceOwner (account id or ARN), may be NULL */
    const struct iam_context *ctx; /* may be NULL */
    /* Per resource (n_resources entries, may be NULL): the resource's own policy when the set
     * has none, used for sts: actions only: a role's trust policy (simulate-principal-policy
     * with a role's ARN among the resources). NULL entries: none. */
    const struct iam_policy_ref *const *trust;
    size_t max_items; /* MaxItems; 0 = no limit */
    size_t marker;    /* Marker: index of the first result to return (0 = from the start) */
};

/* Evaluate and build {"EvaluationResults": [...]} (plus "IsTruncated"/"Marker" when MaxItems
 * cut the list). One result per action and resource, in request order. *ret_output is a new
 * reference. -EINVAL with reterr on a bad input, -ENOMEM. */
int simulate_run(const struct simulate_input *in, json_t **ret_output, struct iam_error *reterr);

/* Print as the AWS CLI does (4-space indent, keys in API order) with a final newline. */
int simulate_print(FILE *f, const json_t *output);

/* Compile one policy document; errors carry source (e.g. "PolicyInputList.2") so they read
 * "PolicyInputList.2:3:17: ...". */
int simulate_compile_policy(const char *text, size_t len, enum iam_policy_type type,
                            const char *source, struct iam_policy **ret_policy,
                            struct iam_error *reterr);

/* ContextEntries as the API's JSON: an array of {"ContextKeyName", "ContextKeyValues",
 * "ContextKeyType"}. Unknown members, wrong types and values that do not parse as their type
 * are -EINVAL with the line and column in reterr. */
int simulate_context_entries_json(const struct iam_json *entries, struct iam_context *ctx,
                                  struct iam_error *reterr);
/* One entry in the AWS CLI shorthand:
 *   ContextKeyName=aws:SourceIp,ContextKeyValues=10.0.0.1,10.0.0.2,ContextKeyType=ipList
 * (values may also be written [a,b]; "..." or '...' quote a value holding ',' or '='). */
int simulate_context_entry_shorthand(const char *text, struct iam_context *ctx,
                                     struct iam_error *reterr);
/* A --context-entries argument: file://FILE or literal JSON (an array or one object), else
 * shorthand. */
int simulate_context_arg(const char *arg, struct iam_context *ctx, struct iam_error *reterr);

/* "string" -> IAM_VALUE_STRING, is_list false; "ipList" -> IAM_VALUE_IP, true; ... */
int simulate_context_type(const char *name, enum iam_value_type *ret_type, bool *ret_list);
