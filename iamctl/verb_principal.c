/* SPDX-License-Identifier: Apache-2.0 */
/* simulate-principal-policy: a user's effective policies (inline, attached, each group's
 * inline and attached, the permissions boundary) through the simulate-custom-policy core.
 *
 *   iamctl simulate-principal-policy --policy-source-arn USER_ARN --action-names A ...
 *       [--resource-arns ARN ...] [--context-entries ...] [--resource-policy file://R.json]
 *       [--caller-arn ARN] [--max-items N] [--starting-token T]
 *
 * The principal's own keys are filled in as AWS does for a user: aws:username, aws:userid,
 * aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType ("User") and aws:PrincipalTag/<key>.
 * --context-entries given on the command line are added afterwards and so replace them (a
 * what-if knob; the host's PAM decisions never take context from the caller). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/arn.h"
#include "iamctl.h"
#include "simulate.h"
#include "verb_common.h"

static int add_principal_context(struct iam_context *ctx, const struct iam_db *db,
                                 const struct iam_db_user *u) {
    int r;

    if ((r = iam_context_add_string(ctx, "aws:username", u->name)) < 0 ||
        (r = iam_context_add_string(ctx, "aws:userid", u->id)) < 0 ||
        (r = iam_context_add_string(ctx, "aws:PrincipalArn", u->arn)) < 0 ||
        (r = iam_context_add_string(ctx, "aws:PrincipalAccount", db->account_id)) < 0 ||
        (r = iam_context_add_string(ctx, "aws:PrincipalType", "User")) < 0)
        return r;
    for (size_t i = 0; i < u->n_tags; i++) {
        char key[160];
        snprintf(key, sizeof(key), "aws:PrincipalTag/%s", u->tags[i].key);
        if ((r = iam_context_add_string(ctx, key, u->tags[i].value)) < 0)
            return r;
    }
    return 0;
}

static size_t parse_count(const char *s, size_t max, bool *ok) {
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    *ok = !(errno || *end || end == s || v > max || s[0] == '-');
    return (size_t)v;
}

int verb_simulate_principal_policy(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-source-arn", OPT_VALUE, true},
                         {"action-names", OPT_LIST, true},
                         {"resource-arns", OPT_LIST},
                         {"context-entries", OPT_LIST},
                         {"resource-policy", OPT_VALUE},
                         {"caller-arn", OPT_VALUE},
                         {"max-items", OPT_VALUE},
                         {"starting-token", OPT_VALUE},
                         {NULL}};
    struct dbh h = DBH_INIT;
    struct iam_context *ctx = NULL;
    struct iam_db_effective *eff = NULL;
    struct iam_policy *res_policy = NULL;
    struct iam_policy_ref res_ref = {0};
    struct iam_policy_set set = {0};
    struct simulate_input in = {0};
    struct iam_error e;
    const struct iam_db_user *u;
    const char *arn;
    json_t *output = NULL;
    int r;

    iam_error_init(&e);
    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if (iam_context_new(&ctx) < 0) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    if ((r = dbh_open(&h, false)))
        goto out;
    arn = opt_get(opts, "policy-source-arn")->value;
    u = iam_db_find_user_by_arn(h.db, arn);
    if (!u) {
        struct iam_arn parsed;
        if (iam_arn_parse(arn, &parsed) < 0)
            r = iamctl_fail("InvalidInput: --policy-source-arn '%.256s' is not an ARN", arn);
        else if (strstr(arn, ":group/") || strstr(arn, ":role/"))
            r = iamctl_fail("InvalidInput: only users can be simulated on a host "
                            "(--policy-source-arn %.256s)",
                            arn);
        else
            r = iamctl_fail("NoSuchEntity: no user with ARN %.256s", arn);
        goto out;
    }
    if (iam_db_user_effective_policies(h.db, u, &eff) < 0 ||
        add_principal_context(ctx, h.db, u) < 0) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    for (size_t i = 0; i < opt_get(opts, "context-entries")->n_list; i++) {
        iam_error_init(&e);
        if (simulate_context_arg(opt_get(opts, "context-entries")->list[i], ctx, &e) < 0) {
            r = iamctl_fail_error(&e);
            goto out;
        }
    }
    if (opt_get(opts, "resource-policy")->value) {
        char *text = NULL;
        const char *source;
        size_t len;
        if (iamctl_read_param(opt_get(opts, "resource-policy")->value, &text, &len, &source) < 0) {
            r = iamctl_fail("cannot read --resource-policy");
            goto out;
        }
        iam_error_init(&e);
        r = simulate_compile_policy(text, len, IAM_POLICY_RESOURCE, "ResourcePolicy", &res_policy,
                                    &e);
        free(text);
        if (r < 0) {
            r = iamctl_fail_error(&e);
            goto out;
        }
        res_ref.policy = res_policy;
        res_ref.source_id = "ResourcePolicy";
        res_ref.source_type = "resource";
        set.resource = &res_ref;
    }
    set.identity = eff->identity;
    set.n_identity = eff->n_identity;
    set.boundary = eff->n_boundary ? eff->boundary : NULL;
    set.n_boundary = eff->n_boundary;
    in.set = &set;
    in.actions = (const char *const *)opt_get(opts, "action-names")->list;
    in.n_actions = opt_get(opts, "action-names")->n_list;
    in.resources = (const char *const *)opt_get(opts, "resource-arns")->list;
    in.n_resources = opt_get(opts, "resource-arns")->n_list;
    in.caller_arn =
        opt_get(opts, "caller-arn")->value ? opt_get(opts, "caller-arn")->value : u->arn;
    in.ctx = ctx;
    if (opt_get(opts, "max-items")->value) {
        bool ok;
        in.max_items = parse_count(opt_get(opts, "max-items")->value, 1000, &ok);
        if (!ok || in.max_items == 0) {
            r = iamctl_usage("--max-items must be an integer from 1 to 1000");
            goto out;
        }
    }
    if (opt_get(opts, "starting-token")->value) {
        bool ok;
        in.marker = parse_count(opt_get(opts, "starting-token")->value, SIZE_MAX / 2, &ok);
        if (!ok) {
            r = iamctl_usage("--starting-token is not valid");
            goto out;
        }
    }
    iam_error_init(&e);
    if (simulate_run(&in, &output, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    r = simulate_print(stdout, output) < 0 ? iamctl_fail("cannot write the output") : 0;
out:
    json_decref(output);
    iam_policy_free(res_policy);
    iam_db_effective_free(eff);
    iam_context_free(ctx);
    opts_free(opts);
    return dbh_close(&h, r);
}
