/* SPDX-License-Identifier: Apache-2.0 */
/* One decision on this host (host_decide.h): compile the user's policies, evaluate. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/fileio.h"
#include "iam/host_decide.h"

/* Compile the user's policies into compiled[] and refs[]: identity policies first, the
 * permissions boundary after them. */
static int compile_user(const struct iam_auth_user *u, struct iam_policy **compiled,
                        struct iam_policy_ref *refs, size_t *ret_identity, size_t *ret_boundary,
                        struct iam_error *reterr) {
    size_t n_identity = 0, n_boundary = 0;

    for (int pass = 0; pass < 2; pass++) {
        enum iam_auth_policy_kind want = pass == 0 ? IAM_AUTH_POLICY_IDENTITY
                                                   : IAM_AUTH_POLICY_BOUNDARY;

        for (size_t i = 0; i < u->n_policies; i++) {
            const struct iam_auth_policy *p = &u->policies[i];
            size_t slot = n_identity + n_boundary;
            int r;

            if (p->kind != want)
                continue;
            iam_error_set_source(reterr, p->source_id);
            r = iam_policy_compile(p->text, p->text_len, IAM_POLICY_IDENTITY, &compiled[slot],
                                   reterr);
            if (r < 0)
                return r;
            refs[slot].policy = compiled[slot];
            refs[slot].source_id = p->source_id;
            refs[slot].source_type = p->source_type;
            if (pass == 0)
                n_identity++;
            else
                n_boundary++;
        }
    }
    *ret_identity = n_identity;
    *ret_boundary = n_boundary;
    return 0;
}

static void name_decider(const struct iam_decision *d, struct iam_host_decision *ret) {
    const struct iam_matched_statement *m;
    struct iam_statement_info info;

    if (d->n_matched == 0)
        return;
    m = &d->matched[0];
    snprintf(ret->policy, sizeof(ret->policy), "%s", m->ref->source_id ? m->ref->source_id : "");
    if (iam_policy_statement_info(m->ref->policy, m->statement, &info) == 0 && info.sid)
        snprintf(ret->statement, sizeof(ret->statement), "%s", info.sid);
    else
        snprintf(ret->statement, sizeof(ret->statement), "#%zu", m->statement);
}

int iam_host_decide_assume_role(const struct iam_auth_user *caller,
                                const struct iam_auth_user *role, const struct iam_context *ctx,
                                struct iam_host_decision *ret, struct iam_error *reterr) {
    struct iam_policy **compiled = NULL, *trust = NULL;
    struct iam_policy_ref *refs = NULL, trust_ref = {0};
    struct iam_policy_set set = {.trust_policy = true};
    struct iam_request req;
    struct iam_decision d;
    size_t n = 0, n_identity = 0, n_boundary = 0;
    int r = -EINVAL;

    if (!caller || !role || !ret || !role->is_role || caller->is_role)
        goto out;
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < role->n_policies; i++) {
        const struct iam_auth_policy *p = &role->policies[i];

        if (p->kind != IAM_AUTH_POLICY_TRUST)
            continue;
        iam_error_set_source(reterr, p->source_id);
        if ((r = iam_policy_compile(p->text, p->text_len, IAM_POLICY_RESOURCE, &trust,
                                    reterr)) < 0)
            goto out;
        trust_ref = (struct iam_policy_ref){trust, p->source_id, p->source_type};
        break;
    }
    if (!trust) {
        iam_error_set(reterr, 0, 0, 0, "role \"%.64s\" has no trust policy", role->name);
        r = -EINVAL;
        goto out;
    }
    n = caller->n_policies;
    r = -ENOMEM;
    compiled = calloc(n ? n : 1, sizeof(*compiled));
    refs = calloc(n ? n : 1, sizeof(*refs));
    if (!compiled || !refs)
        goto out;
    if ((r = compile_user(caller, compiled, refs, &n_identity, &n_boundary, reterr)) < 0)
        goto out;
    set.identity = refs;
    set.n_identity = n_identity;
    set.boundary = n_boundary ? refs + n_identity : NULL;
    set.n_boundary = n_boundary;
    set.resource = &trust_ref;
    req.action = "sts:AssumeRole";
    req.resource = role->arn;
    req.principal_arn = caller->arn;
    req.context = ctx;
    if ((r = iam_evaluate(&set, &req, &d)) < 0) {
        iam_error_set(reterr, 0, 0, 0, "policy evaluation failed: %s", strerror(-r));
        goto out;
    }
    ret->kind = d.decision;
    ret->allowed = d.decision == IAM_DECISION_ALLOWED;
    name_decider(&d, ret);
    r = 0;
out:
    for (size_t i = 0; compiled && i < n; i++)
        iam_policy_free(compiled[i]);
    free(compiled);
    free(refs);
    iam_policy_free(trust);
    return r;
}

int iam_host_decide(const struct iam_config *config, const struct iam_auth_user *user,
                    const char *action, const struct iam_context *ctx,
                    struct iam_host_decision *ret, struct iam_error *reterr) {
    struct iam_policy **compiled = NULL, *resource = NULL;
    struct iam_policy_ref *refs = NULL, res_ref;
    struct iam_policy_set set = {0};
    struct iam_request req;
    struct iam_decision d;
    char *text = NULL;
    size_t n, n_identity = 0, n_boundary = 0, text_len = 0;
    int r = -EINVAL;

    if (!config || !user || !action || !ret)
        goto out;
    memset(ret, 0, sizeof(*ret));
    n = user->n_policies;
    r = -ENOMEM;
    compiled = calloc(n ? n : 1, sizeof(*compiled));
    refs = calloc(n ? n : 1, sizeof(*refs));
    if (!compiled || !refs)
        goto out;
    r = compile_user(user, compiled, refs, &n_identity, &n_boundary, reterr);
    if (r < 0)
        goto out;
    set.identity = refs;
    set.n_identity = n_identity;
    set.boundary = n_boundary ? refs + n_identity : NULL;
    set.n_boundary = n_boundary;

    if (config->resource_policy) {
        r = iam_file_read_safe(config->resource_policy, IAM_POLICY_MAX_BYTES, &text, &text_len,
                               reterr);
        iam_error_set_source(reterr, config->resource_policy);
        if (r >= 0)
            r = iam_policy_compile(text, text_len, IAM_POLICY_RESOURCE, &resource, reterr);
        if (r < 0)
            goto out;
        res_ref.policy = resource;
        res_ref.source_id = config->resource_policy;
        res_ref.source_type = "resource";
        set.resource = &res_ref;
    }

    req.action = action;
    req.resource = config->host_arn;
    req.principal_arn = user->arn;
    req.context = ctx;
    r = iam_evaluate(&set, &req, &d);
    if (r < 0) {
        iam_error_set(reterr, 0, 0, 0, "policy evaluation failed: %s", strerror(-r));
        goto out;
    }
    ret->kind = d.decision;
    ret->allowed = d.decision == IAM_DECISION_ALLOWED;
    name_decider(&d, ret);
    r = 0;
out:
    for (size_t i = 0; compiled && i < user->n_policies; i++)
        iam_policy_free(compiled[i]);
    free(compiled);
    free(refs);
    iam_policy_free(resource);
    free(text);
    return r;
}
