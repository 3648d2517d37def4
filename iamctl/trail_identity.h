/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The identity store as the trail verbs see it: principals (users and roles), their access
 * keys and passwords, their policies. Everything the findings and generate-policy need from
 * the store goes through these few functions (trail_identity.c), so a change of store touches
 * that file only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/config.h"
#include "iam/policy.h"

#define IDENT_MAX_KEYS 2

enum ident_kind {
    IDENT_USER,
    IDENT_ROLE,
};

struct ident_key {
    const char *id;
    bool active;
    int64_t created;
};

struct ident {
    enum ident_kind kind;
    const char *name, *arn, *id;
    int64_t created;
    struct ident_key keys[IDENT_MAX_KEYS];
    size_t n_keys;
    bool has_password;
    int64_t password_created;
};

struct ident_set;

/* Load iam.conf (--config) and the identity store, read-only. Returns an exit code (error
 * printed), 0 on success. */
int ident_open(struct ident_set **ret);
const struct iam_config *ident_config(const struct ident_set *s);
size_t ident_count(const struct ident_set *s);
const struct ident *ident_at(const struct ident_set *s, size_t i);
/* NULL when no principal has that ARN (exact) */
const struct ident *ident_by_arn(const struct ident_set *s, const char *arn);
/* The owner of an access key; NULL when no user has it. */
const struct ident *ident_by_key(const struct ident_set *s, const char *key_id,
                                 const struct ident_key **ret_key);
/* The principal's policies as the engine evaluates them (identity policies and boundary;
 * borrowed until ident_close), and a context with the keys that do not depend on a request
 * (aws:username, aws:userid, aws:PrincipalArn, aws:PrincipalType, aws:PrincipalAccount,
 * aws:PrincipalTag/..., and this host's aws:ResourceTag/...): the caller frees it.
 * -ENOMEM or -EINVAL. */
int ident_policies(struct ident_set *s, const struct ident *p, struct iam_policy_set *ret_set,
                   struct iam_context **ret_ctx);
void ident_close(struct ident_set *s); /* NULL-safe */
