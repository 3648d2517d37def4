/* SPDX-License-Identifier: Apache-2.0 */
/* simulate-principal-policy: a user's effective policies (inline, attached, each group's
 * inline and attached, the permissions boundary), or a role's (inline, attached, boundary),
 * through the simulate-custom-policy core. An sts: action on a role of the store among the
 * resources is evaluated with that role's trust policy as the resource policy (unless
 * --resource-policy gives one), as AWS's simulator does with --resource-policy: so
 * "may alice assume deploy?" is answered offline with the rules the host applies.
 *
 *   iamctl simulate-principal-policy --policy-source-arn USER_ARN --action-names A ...
 *       [--resource-arns ARN ...] [--context-entries ...] [--resource-policy file://R.json]
 *       [--caller-arn ARN] [--max-items N] [--starting-token T]
 *
 * The principal's own keys are filled in as AWS does for a user: aws:username, aws:userid,
 * aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType ("User") and aws:PrincipalTag/<key>;
 * for a role the same without aws:username, with aws:PrincipalType "AssumedRole" and the
 * role's id as aws:userid (no session is simulated).
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

static int add_principal_context(struct sth *h, struct iam_context *ctx,
                                 const struct iam_store_identity *u) {
    struct iam_store_tag *tags;
    size_t n;
    int r;

    bool role = u->kind == IAM_STORE_ROLE;

    if ((!role && (r = iam_context_add_string(ctx, "aws:username", u->name)) < 0) ||
        (r = iam_context_add_string(ctx, "aws:userid", u->unique_id)) < 0 ||
        (r = iam_context_add_string(ctx, "aws:PrincipalArn", u->arn)) < 0 ||
        (r = iam_context_add_string(ctx, "aws:PrincipalAccount", h->account.account_id)) < 0 ||
        (r = iam_context_add_string(ctx, "aws:PrincipalType", role ? "AssumedRole" : "User")) <
            0 ||
        (r = iam_store_tags(h->st, u, &tags, &n)) < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        char key[160];
        snprintf(key, sizeof(key), "aws:PrincipalTag/%s", tags[i].key);
        if ((r = iam_context_add_string(ctx, key, tags[i].value)) < 0)
            return r;
    }
    return 0;
}

/* The user's effective policies compiled, in the engine's order (boundary apart). */
struct compiled_set {
    struct iam_policy_ref *identity, *boundary;
    size_t n_identity, n_boundary;
    struct iam_policy **owned;
    size_t n_owned;
};

static void compiled_set_free(struct compiled_set *cs) {
    for (size_t i = 0; i < cs->n_owned; i++)
        iam_policy_free(cs->owned[i]);
    free(cs->owned);
    free(cs->identity);
    free(cs->boundary);
}

static int compile_user_policies(struct sth *h, const struct iam_store_identity *u,
                                 struct compiled_set *cs) {
    struct iam_store_effective *eff;
    struct iam_error e;
    size_t n;
    int r;

    if ((r = iam_store_user_policies(h->st, u, &eff, &n)) < 0)
        return sth_fail(h, r);
    cs->identity = calloc(n + 1, sizeof(*cs->identity));
    cs->boundary = calloc(2, sizeof(*cs->boundary));
    cs->owned = calloc(n + 1, sizeof(struct iam_policy *));
    if (!cs->identity || !cs->boundary || !cs->owned)
        return iamctl_fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        struct iam_policy_ref *ref;
        iam_error_init(&e);
        if (iam_policy_compile(eff[i].document, strlen(eff[i].document), IAM_POLICY_IDENTITY,
                               &cs->owned[cs->n_owned], &e) < 0)
            return iamctl_fail("%s: policy %s of %s does not compile: %s", h->config->database,
                               eff[i].name, u->name, e.text);
        ref = eff[i].boundary ? &cs->boundary[cs->n_boundary++] : &cs->identity[cs->n_identity++];
        ref->policy = cs->owned[cs->n_owned++];
        ref->source_id = eff[i].source_id;
        ref->source_type = eff[i].source_type;
    }
    return 0;
}

/* The user or role named by --policy-source-arn, or why not. */
static int source_user(struct sth *h, const char *arn, struct iam_store_identity *ret) {
    struct iam_arn parsed;
    int r = iam_store_identity_get_by_arn(h->st, IAM_STORE_USER, arn, ret);

    if (r == -ENOENT)
        r = iam_store_identity_get_by_arn(h->st, IAM_STORE_ROLE, arn, ret);
    if (r == 0)
        return 0;
    if (r != -ENOENT)
        return sth_fail(h, r);
    if (iam_arn_parse(arn, &parsed) < 0)
        return iamctl_fail("InvalidInput: --policy-source-arn '%.256s' is not an ARN", arn);
    if (strstr(arn, ":group/"))
        return iamctl_fail("InvalidInput: only users and roles can be simulated on a host "
                           "(--policy-source-arn %.256s)",
                           arn);
    return iamctl_fail("NoSuchEntity: no user or role with ARN %.256s", arn);
}

/* The trust policy of each resource that is a role of the store (NULL for the others). */
struct trust_set {
    struct iam_policy **owned;
    struct iam_policy_ref *refs;
    const struct iam_policy_ref **per_resource;
};

static void trust_set_free(struct trust_set *t, size_t n) {
    for (size_t i = 0; t->owned && i < n; i++)
        iam_policy_free(t->owned[i]);
    free(t->owned);
    free(t->refs);
    free(t->per_resource);
}

static int trust_policies(struct sth *h, char *const *resources, size_t n, struct trust_set *t) {
    struct iam_store_identity role;
    struct iam_error e;
    int r;

    t->owned = calloc(n + 1, sizeof(struct iam_policy *));
    t->refs = calloc(n + 1, sizeof(struct iam_policy_ref));
    t->per_resource = calloc(n + 1, sizeof(const struct iam_policy_ref *));
    if (!t->owned || !t->refs || !t->per_resource)
        return iamctl_fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        r = iam_store_identity_get_by_arn(h->st, IAM_STORE_ROLE, resources[i], &role);
        if (r == -ENOENT)
            continue;
        if (r < 0)
            return sth_fail(h, r);
        if (!role.trust_policy)
            return iamctl_fail("%s: role %s has no trust policy (AssumeRolePolicyDocument)",
                               h->config->database, role.name);
        iam_error_init(&e);
        if (iam_policy_compile(role.trust_policy, strlen(role.trust_policy), IAM_POLICY_RESOURCE,
                               &t->owned[i], &e) < 0)
            return iamctl_fail("%s: the trust policy of role %s does not compile: %s",
                               h->config->database, role.name, e.text);
        t->refs[i] = (struct iam_policy_ref){t->owned[i], role.arn, "role trust policy"};
        t->per_resource[i] = &t->refs[i];
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

static int resource_policy_arg(const char *value, struct iam_policy **ret) {
    struct iam_error e;
    char *text = NULL;
    const char *source;
    size_t len;
    int r;

    if (iamctl_read_param(value, &text, &len, &source) < 0)
        return iamctl_fail("cannot read --resource-policy");
    iam_error_init(&e);
    r = simulate_compile_policy(text, len, IAM_POLICY_RESOURCE, "ResourcePolicy", ret, &e);
    free(text);
    return r < 0 ? iamctl_fail_error(&e) : 0;
}

static int page_args(struct opt *opts, struct simulate_input *in) {
    bool ok;

    if (opt_value(opts, "max-items")) {
        in->max_items = parse_count(opt_value(opts, "max-items"), 1000, &ok);
        if (!ok || in->max_items == 0)
            return iamctl_usage("--max-items must be an integer from 1 to 1000");
    }
    if (opt_value(opts, "starting-token")) {
        in->marker = parse_count(opt_value(opts, "starting-token"), SIZE_MAX / 2, &ok);
        if (!ok)
            return iamctl_usage("--starting-token is not valid");
    }
    return 0;
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
    struct sth h = STH_INIT;
    struct iam_context *ctx = NULL;
    struct compiled_set cs = {0};
    struct iam_policy *res_policy = NULL;
    struct iam_policy_ref res_ref = {0};
    struct iam_policy_set set = {0};
    struct simulate_input in = {0};
    struct iam_error e;
    struct iam_store_identity u;
    struct trust_set trust = {0};
    json_t *output = NULL;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_args(opts, &in)))
        goto out;
    if (iam_context_new(&ctx) < 0) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    if ((r = sth_open(&h, false)) ||
        (r = source_user(&h, opt_value(opts, "policy-source-arn"), &u)) ||
        (r = compile_user_policies(&h, &u, &cs)))
        goto out;
    if (add_principal_context(&h, ctx, &u) < 0) {
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
    if (opt_value(opts, "resource-policy")) {
        if ((r = resource_policy_arg(opt_value(opts, "resource-policy"), &res_policy)))
            goto out;
        res_ref.policy = res_policy;
        res_ref.source_id = "ResourcePolicy";
        res_ref.source_type = "resource";
        set.resource = &res_ref;
    } else if ((r = trust_policies(&h, opt_get(opts, "resource-arns")->list,
                                   opt_get(opts, "resource-arns")->n_list, &trust))) {
        goto out;
    }
    set.identity = cs.identity;
    set.n_identity = cs.n_identity;
    set.boundary = cs.n_boundary ? cs.boundary : NULL;
    set.n_boundary = cs.n_boundary;
    in.set = &set;
    in.actions = (const char *const *)opt_get(opts, "action-names")->list;
    in.n_actions = opt_get(opts, "action-names")->n_list;
    in.resources = (const char *const *)opt_get(opts, "resource-arns")->list;
    in.n_resources = opt_get(opts, "resource-arns")->n_list;
    in.caller_arn = opt_value(opts, "caller-arn") ? opt_value(opts, "caller-arn") : u.arn;
    in.ctx = ctx;
    in.trust = trust.per_resource;
    iam_error_init(&e);
    if (simulate_run(&in, &output, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    r = simulate_print(stdout, output) < 0 ? iamctl_fail("cannot write the output") : 0;
out:
    json_decref(output);
    iam_policy_free(res_policy);
    trust_set_free(&trust, opt_get(opts, "resource-arns")->n_list);
    compiled_set_free(&cs);
    iam_context_free(ctx);
    opts_free(opts);
    return sth_close(&h, r);
}
