/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evaluation of compiled policies (IAM User Guide, "Policy evaluation logic"):
 *   1. an explicit Deny in any applicable policy (identity, permissions boundary, resource)
 *      decides: explicitDeny;
 *   2. otherwise an Allow is needed: from the identity policies (and then, when a permissions
 *      boundary is set, the boundary must allow too), or from a same-account resource policy
 *      that names the caller itself as principal (a boundary does not limit that; a resource
 *      policy naming only the account delegates to the identity policies);
 *   3. otherwise implicitDeny.
 * A role's trust policy is the exception to 2 ("Policy evaluation logic": role trust policies
 * must explicitly allow access for principals): for an sts: action on a role's ARN the trust
 * policy itself must allow the caller, by naming it (then no identity Allow is needed) or by
 * naming its account (then an identity Allow is needed too); an identity Allow alone never
 * suffices, and the caller's permissions boundary must allow in both cases.
 * Everything here reads immutable compiled data and writes only the caller's decision:
 * no allocation, no global state, safe from many threads at once.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "iam/arn.h"
#include "policy_private.h"

/* ---- Conditions ------------------------------------------------------------------------ */

/* Note, for MissingContextValues, the variables of p that the context lacks (no value and no
 * default). Deciding is left to the match: a variable with no value matches nothing. */
static void note_unresolved(const struct pattern *p, const struct eval_env *env) {
    for (unsigned k = 0; k < p->n; k++) {
        const struct pat_tok *t = &p->toks[k];

        if (t->kind == PAT_VAR && !t->has_default &&
            !iam_context_lookup(env->ctx, t->s, t->len, t->hash))
            iam_eval_note_missing(env, t->key);
    }
}

static void note_unresolved_arn(const struct arn_pattern *p, const struct eval_env *env) {
    for (unsigned s = 0; s < p->nseg; s++)
        if (p->seg[s].nvars)
            note_unresolved(&p->seg[s], env);
}

/* Does the key "resolve to a null data set" (IAM User Guide, multivalued context keys: "such
 * as an empty string")? Absent, without values, or holding only empty strings. */
static bool ctx_null(const struct ctx_entry *ce) {
    if (!ce)
        return true;
    for (size_t j = 0; j < ce->n; j++)
        if (ce->values[j].len)
            return false;
    return true;
}

static bool value_matches(const struct cond_entry *e, const struct cond_value *pv,
                          const struct ctx_value *v, const struct eval_env *env) {
    int c = 0; /* set by every case that reaches the second switch */

    switch ((enum cond_base)e->base) {
    case OP_STRING_EQUALS:
    case OP_STRING_LIKE:
        return iam_pattern_match(&pv->u.pat, v->s, v->len, false, env);
    case OP_STRING_EQUALS_IC:
        return iam_pattern_match(&pv->u.pat, v->s, v->len, true, env);
    case OP_ARN_LIKE:
        return iam_arn_pattern_match(&pv->u.arn, v->s, v->len, env);
    case OP_NUMERIC_EQ:
    case OP_NUMERIC_LT:
    case OP_NUMERIC_LE:
    case OP_NUMERIC_GT:
    case OP_NUMERIC_GE:
        if (!(v->parsed & CTXV_NUM))
            return false;
        c = iam_num_cmp(&v->num, &pv->u.num);
        break;
    case OP_DATE_EQ:
    case OP_DATE_LT:
    case OP_DATE_LE:
    case OP_DATE_GT:
    case OP_DATE_GE:
        if (!(v->parsed & CTXV_TIME))
            return false;
        c = iam_time_cmp(&v->time, &pv->u.time);
        break;
    case OP_BOOL:
        return (v->parsed & CTXV_BOOL) && v->b == pv->u.b;
    case OP_BINARY_EQUALS:
        return (v->parsed & CTXV_BINARY) && v->bin_len == pv->u.bin.len &&
               memcmp(v->bin, pv->u.bin.p, v->bin_len) == 0;
    case OP_IP_ADDRESS:
        return (v->parsed & CTXV_IP) && iam_cidr_contains(&pv->u.cidr, &v->ip);
    case OP_NULL:
        return false; /* handled by the caller */
    }
    switch ((enum cond_base)e->base) {
    case OP_NUMERIC_EQ:
    case OP_DATE_EQ:
        return c == 0;
    case OP_NUMERIC_LT:
    case OP_DATE_LT:
        return c < 0;
    case OP_NUMERIC_LE:
    case OP_DATE_LE:
        return c <= 0;
    case OP_NUMERIC_GT:
    case OP_DATE_GT:
        return c > 0;
    case OP_NUMERIC_GE:
    case OP_DATE_GE:
        return c >= 0;
    default:
        return false;
    }
}

/* Does one context value satisfy the operator? Values within a key are ORed; for a negated
 * operator the context value must match none of them (NOR). */
static bool ctx_value_ok(const struct cond_entry *e, const struct ctx_value *v,
                         const struct eval_env *env) {
    bool any = false;

    for (size_t i = 0; i < e->n && !any; i++)
        any = value_matches(e, &e->values[i], v, env);
    return e->negated ? !any : any;
}

/* Record the variables of a condition's values that the context lacks. */
static void note_entry_unresolved(const struct cond_entry *e, const struct eval_env *env) {
    if (e->base != OP_STRING_EQUALS && e->base != OP_STRING_EQUALS_IC &&
        e->base != OP_STRING_LIKE && e->base != OP_ARN_LIKE)
        return;
    for (size_t i = 0; i < e->n; i++) {
        if (e->base == OP_ARN_LIKE)
            note_unresolved_arn(&e->values[i].u.arn, env);
        else if (e->values[i].u.pat.nvars)
            note_unresolved(&e->values[i].u.pat, env);
    }
}

static bool entry_true(const struct cond_entry *e, const struct ctx_entry *ce,
                       const struct eval_env *env) {
    if (e->base == OP_NULL) {
        /* "Null": {"k": "true"} holds when k is absent, "false" when it is present. With a set
         * qualifier it tests nothing (Access Analyzer, NULL_WITH_QUALIFIER: ForAllValues:Null
         * always returns true, ForAnyValue:Null always false). */
        bool absent = ctx_null(ce);

        if (e->set == SET_ALL)
            return true;
        if (e->set == SET_ANY)
            return false;
        for (size_t i = 0; i < e->n; i++)
            if (e->values[i].u.b == absent)
                return true;
        return false;
    }
    if (!ce) {
        /* Missing key (Condition operators, "...IfExists"; set operators): ForAllValues is
         * true (vacuously), IfExists is true, ForAnyValue is false, a negated operator is
         * true (the key matches none of the values), any other operator is false. */
        if (e->set == SET_ALL || e->if_exists)
            return true;
        if (e->set == SET_ANY)
            return false;
        return e->negated;
    }
    /* A policy variable with no value "is effectively null. There is no equal or like value"
     * (IAM User Guide, "Policy variables with no value"): that value matches nothing, so a
     * positive operator fails on it and a negated one holds ("inverted condition operators
     * like StringNotEquals or StringNotLike do match against a null value"). */
    note_entry_unresolved(e, env);
    /* A key whose values are all empty strings is a null data set: ForAllValues holds and
     * ForAnyValue does not (IAM User Guide, multivalued context keys). */
    if (e->set != SET_NONE && ctx_null(ce))
        return e->set == SET_ALL;
    switch ((enum cond_set)e->set) {
    case SET_ANY:
        for (size_t j = 0; j < ce->n; j++)
            if (ctx_value_ok(e, &ce->values[j], env))
                return true;
        return false;
    case SET_ALL:
        for (size_t j = 0; j < ce->n; j++)
            if (!ctx_value_ok(e, &ce->values[j], env))
                return false;
        return true;
    case SET_NONE:
    default: {
        /* A single-valued operator on a multivalued key holds when any of the key's values
         * matches; the negated form holds when none does. */
        bool any = false;

        for (size_t j = 0; j < ce->n && !any; j++)
            for (size_t i = 0; i < e->n && !any; i++)
                any = value_matches(e, &e->values[i], &ce->values[j], env);
        return e->negated ? !any : any;
    }
    }
}

/* ---- Statements ------------------------------------------------------------------------ */

enum princ_match {
    PM_NONE = 0,
    PM_ACCOUNT, /* via the caller's account (delegation to identity policies) */
    PM_DIRECT,  /* the caller itself, or everyone */
};

static bool caller_account(const char *caller, const char **acct, size_t *len) {
    /* arn:partition:service:region:account:... -> account */
    const char *p = caller;

    if (!caller || strncmp(caller, "arn:", 4) != 0)
        return false;
    for (unsigned i = 0; i < 4; i++) {
        p = strchr(p, ':');
        if (!p)
            return false;
        p++;
    }
    *acct = p;
    p = strchr(p, ':');
    if (!p)
        return false;
    *len = (size_t)(p - *acct);
    return true;
}

static enum princ_match principal_match(const struct statement *st, const char *caller) {
    enum princ_match best = PM_NONE;
    const char *acct = NULL;
    size_t acct_len = 0;
    bool have_acct = caller_account(caller, &acct, &acct_len);

    for (size_t i = 0; i < st->n_principals; i++) {
        const struct principal *p = &st->principals[i];
        enum princ_match m = PM_NONE;

        switch ((enum principal_kind)p->kind) {
        case PRINC_ANY:
            m = PM_DIRECT;
            break;
        case PRINC_AWS:
            if (caller && strcmp(caller, p->value) == 0)
                m = PM_DIRECT;
            break;
        case PRINC_ACCOUNT:
            if (have_acct && acct_len == 12 && memcmp(acct, p->value, 12) == 0)
                m = PM_ACCOUNT;
            break;
        case PRINC_OTHER:
            break;
        }
        if (m > best)
            best = m;
    }
    if (st->not_principal)
        return best == PM_NONE ? PM_DIRECT : PM_NONE;
    return best;
}

static bool action_applies(const struct statement *st, const char *action, size_t len,
                           bool ci, uint32_t service) {
    bool m = false;

    if (!st->any_service) {
        size_t i;

        for (i = 0; i < st->n_services; i++)
            if (st->services[i] == service)
                break;
        if (i == st->n_services)
            return false; /* no action of this statement names the request's service */
    }

    for (size_t i = 0; i < st->n_actions && !m; i++)
        m = iam_pattern_match(&st->actions[i], action, len, ci, NULL);
    return st->not_action ? !m : m;
}

struct acc {
    size_t n;
    bool truncated;
    struct iam_matched_statement m[IAM_MAX_MATCHED];
};

static void acc_add(struct acc *a, const struct iam_policy_ref *ref, size_t stmt) {
    if (a->n >= IAM_MAX_MATCHED) {
        a->truncated = true;
        return;
    }
    a->m[a->n].ref = ref;
    a->m[a->n].statement = stmt;
    a->n++;
}

struct eval_run {
    const struct iam_request *req;
    size_t action_len;
    uint32_t service; /* hash of the request action's service prefix */
    const char *action; /* the action, folded when it fits action_folded */
    bool action_ci;
    char action_folded[256];
    struct arn_split res_split;
    bool res_split_done;
    bool has_boundary; /* the caller has a permissions boundary */
    bool potential;    /* iam_evaluate_potential: conditions are left out (see there) */
    struct eval_env env;
    struct acc deny, allow;
    enum princ_match res_allow; /* best principal match of a matching resource Allow */
};

static bool resource_applies(const struct statement *st, struct eval_run *run) {
    const struct eval_env *env = &run->env;
    const struct arn_split *res;
    bool m = false;

    if (!st->has_resource)
        return true; /* resource policy without Resource: the resource it is attached to */
    /* An entry holding a variable with no value "will not match any resource", in Resource
     * and NotResource alike (IAM User Guide, "Policy variables with no value"). */
    if (st->not_resource)
        for (size_t i = 0; i < st->n_resources; i++)
            note_unresolved_arn(&st->resources[i], env);
    /* Split the request's resource on first use: many requests never get this far. */
    if (!run->res_split_done) {
        iam_arn_split(run->req->resource, strlen(run->req->resource), &run->res_split);
        run->res_split_done = true;
    }
    res = &run->res_split;
    for (size_t i = 0; i < st->n_resources && !m; i++)
        m = iam_arn_pattern_match_split(&st->resources[i], res, env);
    return st->not_resource ? !m : m;
}

/* Evaluate every statement of one policy; Deny and Allow matches go to the accumulators. */
static size_t eval_policy(struct eval_run *run, const struct iam_policy_ref *ref,
                          bool is_resource) {
    const struct iam_policy *p = ref->policy;
    size_t allows = 0;

    if (!p)
        return 0;
    for (size_t s = 0; s < p->n_statements; s++) {
        const struct statement *st = &p->statements[s];
        enum princ_match pm = PM_DIRECT;
        bool ok = true;

        if (!action_applies(st, run->action, run->action_len, run->action_ci, run->service))
            continue;
        if (!resource_applies(st, run))
            continue;
        if (is_resource || st->has_principal) {
            /* IAM User Guide, "Permissions boundaries for IAM entities": a Deny with
             * NotPrincipal always denies a principal that has a permissions boundary,
             * whatever NotPrincipal lists. */
            if (st->not_principal && st->effect == IAM_EFFECT_DENY && run->has_boundary)
                pm = PM_DIRECT;
            else
                pm = principal_match(st, run->req->principal_arn);
            if (pm == PM_NONE)
                continue;
        }
        if (run->potential) {
            /* Could the conditions hold for some request? An Allow counts; a Deny counts
             * only when nothing conditions it, since it might not apply. */
            ok = st->effect == IAM_EFFECT_ALLOW || st->n_conds == 0;
        }
        /* Decide, and note every missing key (AWS reports them all, so keys after a failed
         * condition are still checked for presence). */
        for (size_t c = 0; c < st->n_conds && !run->potential; c++) {
            const struct cond_entry *e = &st->conds[c];
            const struct ctx_entry *ce =
                iam_context_lookup(run->env.ctx, e->lkey, e->key_len, e->hash);

            if (!ce)
                iam_eval_note_missing(&run->env, e->key);
            if (ok)
                ok = entry_true(e, ce, &run->env);
        }
        if (!ok)
            continue;
        if (st->effect == IAM_EFFECT_DENY) {
            acc_add(&run->deny, ref, s);
        } else {
            acc_add(&run->allow, ref, s);
            allows++;
            if (is_resource && pm > run->res_allow)
                run->res_allow = pm;
        }
    }
    return allows;
}

/* Can any statement of this policy name the request's service? (bloom prefilter) */
static inline bool may_apply(const struct iam_policy_ref *ref, uint32_t service) {
    return ref->policy && (ref->policy->service_bloom & ((uint64_t)1 << (service % 64)));
}

/* Is the resource policy of this request a role's trust policy? An sts: action (AssumeRole,
 * AssumeRoleWithSAML, TagSession, SetSourceIdentity, ...) on arn:<partition>:iam::<account>:
 * role/...: the only resource policy IAM attaches to a role is its trust policy. */
static bool trust_request(const struct iam_policy_set *set, const struct iam_request *req) {
    struct iam_arn arn;

    if (!set->resource)
        return false;
    if (set->trust_policy)
        return true;
    if (strncasecmp(req->action, "sts:", 4) != 0 || iam_arn_parse(req->resource, &arn) < 0)
        return false;
    return arn.service.len == 3 && memcmp(arn.service.p, "iam", 3) == 0 &&
           arn.region.len == 0 && arn.resource.len > 5 &&
           memcmp(arn.resource.p, "role/", 5) == 0;
}

/* The decision once no Deny matched: which Allows suffice. */
static bool allows_suffice(const struct iam_policy_set *set, const struct iam_request *req,
                           const struct eval_run *run, bool identity_ok, bool boundary_ok) {
    /* Cross-account: the identity side (within its boundary) and the resource policy must
     * both allow. */
    if (set->cross_account)
        return identity_ok && boundary_ok && run->res_allow != PM_NONE;
    /* A trust policy must allow the caller itself, or its account and then an identity
     * policy too; the boundary limits either way. */
    if (trust_request(set, req))
        return boundary_ok && (run->res_allow == PM_DIRECT ||
                               (run->res_allow == PM_ACCOUNT && identity_ok));
    return (identity_ok && boundary_ok) || run->res_allow == PM_DIRECT;
}

static int evaluate(const struct iam_policy_set *set, const struct iam_request *req,
                    bool potential, struct iam_decision *ret_decision) {
    struct eval_run run;
    size_t n_identity_allow = 0, n_boundary_allow = 0;
    bool identity_ok, boundary_ok;

    if (!set || !req || !req->action || !req->resource || !ret_decision)
        return -EINVAL;
    if ((set->n_identity && !set->identity) || (set->n_boundary && !set->boundary))
        return -EINVAL;
    /* Only the counters are cleared: the arrays are large and written before being read. */
    run.deny.n = run.allow.n = 0;
    run.deny.truncated = run.allow.truncated = false;
    run.res_allow = PM_NONE;
    ret_decision->decision = IAM_DECISION_IMPLICIT_DENY;
    ret_decision->n_matched = 0;
    ret_decision->matched_truncated = false;
    ret_decision->n_missing = 0;
    ret_decision->missing_truncated = false;
    ret_decision->allowed_by_boundary = false;
    run.req = req;
    run.action_len = strlen(req->action);
    /* Fold the action once, so every action pattern (folded at compile time) compares with
     * plain memcmp; an overlong action is compared case-insensitively instead. */
    if (run.action_len < sizeof(run.action_folded)) {
        for (size_t i = 0; i < run.action_len; i++) {
            char ch = req->action[i];

            run.action_folded[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + ('a' - 'A')) : ch;
        }
        run.action_folded[run.action_len] = '\0';
        run.action = run.action_folded;
        run.action_ci = false;
    } else {
        run.action = req->action;
        run.action_ci = true;
    }
    {
        const char *colon = memchr(req->action, ':', run.action_len);

        run.service = iam_key_hash(req->action,
                                   colon ? (size_t)(colon - req->action) : run.action_len);
    }
    run.res_split_done = false;
    run.potential = potential;
    run.has_boundary = set->n_boundary > 0;
    run.env.ctx = req->context;
    run.env.missing = ret_decision->missing;
    run.env.n_missing = &ret_decision->n_missing;
    run.env.max_missing = IAM_MAX_MISSING;
    run.env.missing_truncated = &ret_decision->missing_truncated;

    for (size_t i = 0; i < set->n_identity; i++)
        if (may_apply(&set->identity[i], run.service))
            n_identity_allow += eval_policy(&run, &set->identity[i], false);
    identity_ok = n_identity_allow > 0;
    for (size_t i = 0; i < set->n_boundary; i++)
        if (may_apply(&set->boundary[i], run.service))
            n_boundary_allow += eval_policy(&run, &set->boundary[i], false);
    boundary_ok = set->n_boundary == 0 || n_boundary_allow > 0;
    if (set->resource)
        eval_policy(&run, set->resource, true);

    ret_decision->allowed_by_boundary = boundary_ok;
    if (run.deny.n > 0 || run.deny.truncated) {
        ret_decision->decision = IAM_DECISION_EXPLICIT_DENY;
        memcpy(ret_decision->matched, run.deny.m, run.deny.n * sizeof(run.deny.m[0]));
        ret_decision->n_matched = run.deny.n;
        ret_decision->matched_truncated = run.deny.truncated;
        if (set->n_boundary) {
            /* A Deny in the boundary means it did not allow. */
            bool bdeny = false;

            for (size_t i = 0; i < run.deny.n; i++)
                for (size_t b = 0; b < set->n_boundary; b++)
                    if (run.deny.m[i].ref == &set->boundary[b])
                        bdeny = true;
            ret_decision->allowed_by_boundary = boundary_ok && !bdeny;
        }
        return 0;
    }
    if (allows_suffice(set, req, &run, identity_ok, boundary_ok))
        ret_decision->decision = IAM_DECISION_ALLOWED;
    if (ret_decision->decision == IAM_DECISION_ALLOWED) {
        memcpy(ret_decision->matched, run.allow.m, run.allow.n * sizeof(run.allow.m[0]));
        ret_decision->n_matched = run.allow.n;
        ret_decision->matched_truncated = run.allow.truncated;
    }
    return 0;
}

int iam_evaluate(const struct iam_policy_set *set, const struct iam_request *req,
                 struct iam_decision *ret_decision) {
    return evaluate(set, req, false, ret_decision);
}

int iam_evaluate_potential(const struct iam_policy_set *set, const struct iam_request *req,
                           struct iam_decision *ret_decision) {
    return evaluate(set, req, true, ret_decision);
}

const char *iam_decision_name(enum iam_decision_kind d) {
    switch (d) {
    case IAM_DECISION_ALLOWED:
        return "allowed";
    case IAM_DECISION_EXPLICIT_DENY:
        return "explicitDeny";
    case IAM_DECISION_IMPLICIT_DENY:
        return "implicitDeny";
    }
    return "implicitDeny";
}
