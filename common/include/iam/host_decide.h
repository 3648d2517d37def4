/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * One decision on this host: an IAM user's effective policies (from the auth cache), the
 * host's resource policy when iam.conf names one, an action and a request context, evaluated
 * on the host's ARN. Shared by pam_iam's account phase and sudo's approval plugin, so both
 * decide exactly alike.
 */

#include <stdbool.h>

#include "iam/auth_cache.h"
#include "iam/config.h"
#include "iam/error.h"
#include "iam/macros.h"
#include "iam/policy.h"

struct iam_host_decision {
    bool allowed;              /* what the policies say */
    enum iam_decision_kind kind;
    char policy[256];          /* source id of the deciding statement's policy; may be empty */
    char statement[128];       /* its Sid, or "#<n>" */
};

/* 0 with the decision, or -errno when the policies cannot be evaluated at all (a policy
 * text that does not compile, an unreadable or bad resource policy), with the reason in
 * reterr: the caller fails closed. */
int iam_host_decide(const struct iam_config *config, const struct iam_auth_user *user,
                    const char *action, const struct iam_context *ctx,
                    struct iam_host_decision *ret, struct iam_error *reterr) IAM_WUR;

/* May caller (an IAM user) assume role (a role's record: is_role, with its trust policy)?
 * sts:AssumeRole on the role's ARN, the trust policy as the resource policy under the
 * engine's rule for trust policies (iam_policy_set.trust_policy), the caller's identity
 * policies and boundary, ctx the caller's request context. The host's resource policy is
 * about the host, not the role: it does not take part. -EINVAL when role is no role or has
 * no trust policy, or caller is a role; otherwise as iam_host_decide(). */
int iam_host_decide_assume_role(const struct iam_auth_user *caller,
                                const struct iam_auth_user *role, const struct iam_context *ctx,
                                struct iam_host_decision *ret, struct iam_error *reterr) IAM_WUR;
