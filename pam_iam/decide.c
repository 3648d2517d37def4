/* SPDX-License-Identifier: Apache-2.0 */
/* The account decision: compile the user's policies, evaluate the action on the host ARN. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "iam/fileio.h"
#include "pam_iam_private.h"

int pam_iam_decide(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *action,
                   const struct iam_context *ctx, struct pam_iam_decision *ret) {
    const struct iam_auth_user *u = h->user;
    struct iam_policy **compiled = NULL, *resource = NULL;
    struct iam_policy_ref *refs = NULL, res_ref;
    struct iam_policy_set set = {0};
    struct iam_request req;
    struct iam_decision d;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    char *text = NULL;
    size_t n = u->n_policies, n_identity = 0, n_boundary = 0, text_len = 0;
    int r = -ENOMEM;

    memset(ret, 0, sizeof(*ret));
    compiled = calloc(n ? n : 1, sizeof(*compiled));
    refs = calloc(n ? n : 1, sizeof(*refs));
    if (!compiled || !refs)
        goto out;

    /* Identity policies first in refs, boundaries after them. */
    for (int pass = 0; pass < 2; pass++) {
        enum iam_auth_policy_kind want = pass == 0 ? IAM_AUTH_POLICY_IDENTITY
                                                   : IAM_AUTH_POLICY_BOUNDARY;

        for (size_t i = 0; i < n; i++) {
            const struct iam_auth_policy *p = &u->policies[i];
            size_t slot = n_identity + n_boundary;

            if (p->kind != want)
                continue;
            iam_error_init(&e);
            iam_error_set_source(&e, p->source_id);
            r = iam_policy_compile(p->text, p->text_len, IAM_POLICY_IDENTITY, &compiled[slot],
                                   &e);
            if (r < 0) {
                pam_syslog(pamh, LOG_ERR, "policy of user \"%.64s\" does not compile: %s",
                           u->name, iam_error_format(&e, msg, sizeof(msg)));
                goto out;
            }
            refs[slot].policy = compiled[slot];
            refs[slot].source_id = p->source_id;
            refs[slot].source_type = p->source_type;
            if (pass == 0)
                n_identity++;
            else
                n_boundary++;
        }
    }
    set.identity = refs;
    set.n_identity = n_identity;
    set.boundary = n_boundary ? refs + n_identity : NULL;
    set.n_boundary = n_boundary;

    if (h->config->resource_policy) {
        iam_error_init(&e);
        r = iam_file_read_safe(h->config->resource_policy, IAM_POLICY_MAX_BYTES, &text,
                               &text_len, &e);
        if (r >= 0) {
            iam_error_set_source(&e, h->config->resource_policy);
            r = iam_policy_compile(text, text_len, IAM_POLICY_RESOURCE, &resource, &e);
        }
        if (r < 0) {
            iam_error_set_source(&e, h->config->resource_policy);
            pam_syslog(pamh, LOG_ERR, "host resource policy unusable: %s",
                       iam_error_format(&e, msg, sizeof(msg)));
            goto out;
        }
        res_ref.policy = resource;
        res_ref.source_id = h->config->resource_policy;
        res_ref.source_type = "resource";
        set.resource = &res_ref;
    }

    req.action = action;
    req.resource = h->config->host_arn;
    req.principal_arn = u->arn;
    req.context = ctx;
    r = iam_evaluate(&set, &req, &d);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "policy evaluation failed: %s", strerror(-r));
        goto out;
    }
    ret->kind = d.decision;
    ret->allowed = d.decision == IAM_DECISION_ALLOWED;
    if (d.n_matched > 0) {
        const struct iam_matched_statement *m = &d.matched[0];
        struct iam_statement_info info;

        snprintf(ret->policy, sizeof(ret->policy), "%s",
                 m->ref->source_id ? m->ref->source_id : "");
        if (iam_policy_statement_info(m->ref->policy, m->statement, &info) == 0 && info.sid)
            snprintf(ret->statement, sizeof(ret->statement), "%s", info.sid);
        else
            snprintf(ret->statement, sizeof(ret->statement), "#%zu", m->statement);
    }
    r = 0;
out:
    for (size_t i = 0; compiled && i < n; i++)
        iam_policy_free(compiled[i]);
    free(compiled);
    free(refs);
    iam_policy_free(resource);
    free(text);
    return r;
}
