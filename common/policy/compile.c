/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy documents into the compiled form: every pattern pre-split, every number, date,
 * CIDR and base64 value parsed, actions case-folded. The grammar is the IAM User Guide's
 * ("Grammar of the IAM JSON policy language", "IAM JSON policy elements reference"); anything
 * it does not allow is an error naming the line and column, never skipped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iam/arn.h"
#include "iam/json.h"
#include "policy_private.h"

struct compiler {
    struct iam_policy *policy;
    struct iam_error *err;
    size_t stmt; /* index of the statement being compiled */
    bool in_statement;
};

/* "Statement[i].Element: text" at node (or at the member key when key_pos is given). */
IAM_PRINTF(4, 5)
static int fail(struct compiler *c, const struct iam_json_pos *pos, int r, const char *fmt, ...) {
    char text[IAM_ERROR_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (c->in_statement)
        iam_error_set(c->err, pos ? pos->line : 0, pos ? pos->column : 0, pos ? pos->offset : 0,
                      "Statement[%zu]: %s", c->stmt, text);
    else
        iam_error_set(c->err, pos ? pos->line : 0, pos ? pos->column : 0, pos ? pos->offset : 0,
                      "%s", text);
    return r;
}

static int nomem(struct compiler *c) {
    iam_error_set(c->err, 0, 0, 0, "out of memory");
    return -ENOMEM;
}

/* A string or an array of strings; *ret_items points at the item nodes. An empty array is
 * accepted only where allow_empty says so: an empty Action, Resource or Principal list names
 * nothing, so its statement matches nothing (Access Analyzer files these as suggestions about
 * policies IAM accepts); an empty NotAction, NotResource or NotPrincipal would exclude nothing
 * and so widen the statement to everything, and is refused. */
static int string_list(struct compiler *c, const struct iam_json *v, const char *what,
                       bool allow_empty, const struct iam_json *const **ret_items,
                       size_t *ret_n) {
    *ret_items = NULL; /* defined on the failures too */
    *ret_n = 0;
    if (v->type == IAM_JSON_STRING) {
        *ret_items = NULL; /* the single item is v itself (list_item) */
        *ret_n = 1;
        return 0;
    }
    if (v->type != IAM_JSON_ARRAY)
        return fail(c, &v->start, -EINVAL, "%s must be a string or an array of strings, not %s",
                    what, iam_json_type_name(v->type));
    if (v->u.arr.n == 0 && !allow_empty)
        return fail(c, &v->start, -EINVAL,
                    "%s must not be an empty array (it would exclude nothing)", what);
    for (size_t i = 0; i < v->u.arr.n; i++)
        if (v->u.arr.items[i]->type != IAM_JSON_STRING)
            return fail(c, &v->u.arr.items[i]->start, -EINVAL,
                        "%s[%zu] must be a string, not %s", what, i,
                        iam_json_type_name(v->u.arr.items[i]->type));
    *ret_items = (const struct iam_json *const *)v->u.arr.items;
    *ret_n = v->u.arr.n;
    return 0;
}

static const struct iam_json *list_item(const struct iam_json *v,
                                        const struct iam_json *const *items, size_t i) {
    return items ? items[i] : v;
}

/* ---- Action ---------------------------------------------------------------------------- */

static int compile_actions(struct compiler *c, struct statement *st, const struct iam_json *v,
                           const char *what) {
    const struct iam_json *const *items;
    struct pattern *pats;
    size_t n;
    int r;

    r = string_list(c, v, what, !st->not_action, &items, &n);
    if (r < 0)
        return r;
    pats = iam_arena_alloc(&c->policy->arena, (n ? n : 1) * sizeof(*pats));
    if (!pats)
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        const struct iam_json *it = list_item(v, items, i);
        const char *s = it->u.str.s, *colon;
        size_t errpos;
        const char *errmsg;

        /* "*" alone, or "service:action" with a service prefix (IAM rejects actions that
         * are not prefaced by a vendor). Variables are not allowed in Action, and neither
         * are wildcards in the prefix: IAM refuses such a policy ("Action vendors ... must
         * not contain wildcards"), so "*:Get*" is an error, never a match. */
        if (!(it->u.str.len == 1 && s[0] == '*')) {
            colon = memchr(s, ':', it->u.str.len);
            if (!colon || colon == s || colon + 1 == s + it->u.str.len)
                return fail(c, &it->start, -EINVAL,
                            "%s '%.100s' must be \"*\" or \"service:action\"", what, s);
            for (const char *p = s; p < colon; p++) {
                if (*p == '*' || *p == '?')
                    return fail(c, &it->start, -EINVAL,
                                "%s '%.100s': the service prefix cannot hold a wildcard (IAM "
                                "refuses it); name the service",
                                what, s);
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                    return fail(c, &it->start, -EINVAL,
                                "%s '%.100s': invalid character in the service prefix", what,
                                s);
            }
        }
        r = iam_pattern_compile(&c->policy->arena, s, it->u.str.len, PATF_WILDCARDS | PATF_FOLD,
                                &pats[i], &errpos, &errmsg);
        if (r == -ENOMEM)
            return nomem(c);
        if (r < 0)
            return fail(c, &it->start, r, "%s: %s", what, errmsg ? errmsg : "invalid value");
    }
    st->actions = pats;
    st->n_actions = n;
    /* The service prefilter. */
    {
        uint32_t *svc = iam_arena_alloc(&c->policy->arena, (n ? n : 1) * sizeof(*svc));

        if (!svc)
            return nomem(c);
        st->any_service = st->not_action;
        for (size_t i = 0; i < n && !st->any_service; i++) {
            const struct iam_json *it = list_item(v, items, i);
            const char *colon = memchr(it->u.str.s, ':', it->u.str.len);

            if (!colon) /* "*" */
                st->any_service = true;
            else
                svc[i] = iam_key_hash(it->u.str.s, (size_t)(colon - it->u.str.s));
        }
        st->services = svc;
        st->n_services = st->any_service ? 0 : n;
    }
    return 0;
}

/* ---- Resource -------------------------------------------------------------------------- */

static int compile_resources(struct compiler *c, struct statement *st, const struct iam_json *v,
                             const char *what) {
    const struct iam_json *const *items;
    struct arn_pattern *pats;
    size_t n;
    /* IAM User Guide, "IAM identifiers": "When you specify an incomplete ARN (one with fewer
     * than the standard six fields) in an identity-based policy, AWS automatically completes
     * the ARN by adding wildcard characters (*) to all missing fields." Resource-based
     * policies: the guide is silent; a short ARN there matches nothing. */
    unsigned flags = PATF_WILDCARDS | (c->policy->variables ? PATF_VARIABLES : 0) |
                     (c->policy->type == IAM_POLICY_IDENTITY ? PATF_ARN_COMPLETE : 0);
    int r;

    r = string_list(c, v, what, !st->not_resource, &items, &n);
    if (r < 0)
        return r;
    pats = iam_arena_alloc(&c->policy->arena, (n ? n : 1) * sizeof(*pats));
    if (!pats)
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        const struct iam_json *it = list_item(v, items, i);
        const char *s = it->u.str.s;
        size_t errpos;
        const char *errmsg;

        /* IAM: "Resource must be in ARN format or \"*\"". */
        if (!(it->u.str.len == 1 && s[0] == '*') && strncmp(s, "arn:", 4) != 0)
            return fail(c, &it->start, -EINVAL, "%s '%.100s' must be an ARN or \"*\"", what, s);
        if (iam_arn_wildcard_in_type(s, it->u.str.len))
            return fail(c, &it->start, -EINVAL,
                        "%s '%.100s': a wildcard cannot stand for the resource type (IAM does "
                        "not allow it); name the type, as in instance/* or user/*",
                        what, s);
        r = iam_arn_pattern_compile(&c->policy->arena, s, it->u.str.len, flags, &pats[i], &errpos,
                                    &errmsg);
        if (r == -ENOMEM)
            return nomem(c);
        if (r < 0)
            return fail(c, &it->start, r, "%s '%.100s': %s", what, s,
                        errmsg ? errmsg : "invalid value");
    }
    st->resources = pats;
    st->n_resources = n;
    return 0;
}

/* ---- Principal ------------------------------------------------------------------------- */

static bool all_digits(const char *s, size_t len) {
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int add_principal(struct compiler *c, struct principal *out, const char *type,
                         const struct iam_json *it) {
    const char *s = it->u.str.s;
    size_t len = it->u.str.len;

    out->value = s; /* re-pointed into the arena below */
    /* "You cannot use a wildcard to match part of a principal name or ARN" (IAM User Guide,
     * "IAM JSON policy elements: Principal"): "*" may only stand alone. */
    if (!(len == 1 && s[0] == '*') && (memchr(s, '*', len) || memchr(s, '?', len)))
        return fail(c, &it->start, -EINVAL,
                    "Principal %s '%.100s': a wildcard may only stand alone as \"*\", not match "
                    "part of a name or ARN",
                    type, s);
    if (strcmp(type, "AWS") == 0) {
        struct iam_arn arn;

        if (len == 1 && s[0] == '*') {
            out->kind = PRINC_ANY;
        } else if (len == 12 && all_digits(s, len)) {
            out->kind = PRINC_ACCOUNT;
        } else if (iam_arn_parse(s, &arn) == 0 && arn.service.len == 3 &&
                   memcmp(arn.service.p, "iam", 3) == 0) {
            if (arn.resource.len == 4 && memcmp(arn.resource.p, "root", 4) == 0) {
                if (arn.account.len != 12 || !all_digits(arn.account.p, 12))
                    return fail(c, &it->start, -EINVAL,
                                "Principal AWS '%.100s': invalid account id", s);
                out->kind = PRINC_ACCOUNT;
                s = arn.account.p;
                len = 12;
            } else {
                out->kind = PRINC_AWS;
            }
        } else if (iam_arn_parse(s, &arn) == 0 && arn.service.len == 3 &&
                   memcmp(arn.service.p, "sts", 3) == 0) {
            out->kind = PRINC_AWS;
        } else {
            return fail(c, &it->start, -EINVAL,
                        "Principal AWS '%.100s' must be \"*\", an account id or an IAM ARN", s);
        }
    } else if (strcmp(type, "Service") == 0 || strcmp(type, "Federated") == 0 ||
               strcmp(type, "CanonicalUser") == 0) {
        if (len == 0)
            return fail(c, &it->start, -EINVAL, "Principal %s must not be empty", type);
        out->kind = PRINC_OTHER;
    } else {
        return -EINVAL; /* checked by the caller */
    }
    out->value = iam_arena_strndup(&c->policy->arena, s, len);
    if (!out->value)
        return nomem(c);
    return 0;
}

static int compile_principal(struct compiler *c, struct statement *st, const struct iam_json *v,
                             const char *what) {
    struct principal *ps;
    size_t n = 0, k = 0;
    int r;

    if (v->type == IAM_JSON_STRING) {
        if (!(v->u.str.len == 1 && v->u.str.s[0] == '*'))
            return fail(c, &v->start, -EINVAL,
                        "%s must be \"*\" or an object such as {\"AWS\": ...}", what);
        ps = iam_arena_alloc(&c->policy->arena, sizeof(*ps));
        if (!ps)
            return nomem(c);
        ps->kind = PRINC_ANY;
        ps->value = "*";
        st->principals = ps;
        st->n_principals = 1;
        return 0;
    }
    if (v->type != IAM_JSON_OBJECT)
        return fail(c, &v->start, -EINVAL, "%s must be \"*\" or an object, not %s", what,
                    iam_json_type_name(v->type));
    /* {} names nobody: the statement matches nothing. NotPrincipal {} would name everyone. */
    if (v->u.obj.n == 0 && st->not_principal)
        return fail(c, &v->start, -EINVAL, "%s must not be empty (it would exclude nobody)",
                    what);
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const struct iam_json_member *m = &v->u.obj.members[i];
        const struct iam_json *const *items;
        size_t cnt;

        if (strcmp(m->key, "AWS") != 0 && strcmp(m->key, "Service") != 0 &&
            strcmp(m->key, "Federated") != 0 && strcmp(m->key, "CanonicalUser") != 0)
            return fail(c, &m->key_pos, -EINVAL,
                        "%s: unknown principal type '%.64s' (expected AWS, Service, "
                        "Federated or CanonicalUser)",
                        what, m->key);
        r = string_list(c, m->value, what, !st->not_principal, &items, &cnt);
        if (r < 0)
            return r;
        n += cnt;
    }
    ps = iam_arena_alloc(&c->policy->arena, (n ? n : 1) * sizeof(*ps));
    if (!ps)
        return nomem(c);
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const struct iam_json_member *m = &v->u.obj.members[i];
        const struct iam_json *const *items;
        size_t cnt;

        r = string_list(c, m->value, what, !st->not_principal, &items, &cnt);
        if (r < 0)
            return r;
        for (size_t j = 0; j < cnt; j++) {
            r = add_principal(c, &ps[k++], m->key, list_item(m->value, items, j));
            if (r < 0)
                return r;
        }
    }
    st->principals = ps;
    st->n_principals = n;
    return 0;
}

/* ---- Condition ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum cond_base base;
    bool negated;
} operators[] = {
#define IAM_OPERATOR_ENTRY(name, base, negated, family, cmp) {name, base, negated},
    IAM_CONDITION_OPERATORS(IAM_OPERATOR_ENTRY)
#undef IAM_OPERATOR_ENTRY
};

int iam_cond_op_parse(const char *text, struct iam_cond_op *ret) {
    size_t len = strlen(text);

    *ret = (struct iam_cond_op){.set = SET_NONE};
    if (strncmp(text, "ForAnyValue:", 12) == 0) {
        ret->set = SET_ANY;
        text += 12;
        len -= 12;
    } else if (strncmp(text, "ForAllValues:", 13) == 0) {
        ret->set = SET_ALL;
        text += 13;
        len -= 13;
    }
    if (len > 8 && strcmp(text + len - 8, "IfExists") == 0) {
        ret->if_exists = true;
        len -= 8;
    }
    for (size_t i = 0; i < IAM_ELEMENTSOF(operators); i++)
        if (strlen(operators[i].name) == len && strncmp(operators[i].name, text, len) == 0) {
            ret->name = operators[i].name;
            ret->base = (uint8_t)operators[i].base;
            ret->negated = operators[i].negated;
            return ret->base == OP_NULL && ret->if_exists ? -EINVAL : 0;
        }
    return -ENOENT;
}

static int parse_operator(const char *name, struct cond_entry *e) {
    struct iam_cond_op op;
    int r = iam_cond_op_parse(name, &op);

    if (r < 0)
        return r;
    e->base = op.base;
    e->set = op.set;
    e->negated = op.negated;
    e->if_exists = op.if_exists;
    return 0;
}

static int compile_value(struct compiler *c, const struct cond_entry *e, const char *op,
                         const char *key, const struct iam_json *it, struct cond_value *out) {
    struct iam_arena *a = &c->policy->arena;
    unsigned vars = c->policy->variables ? PATF_VARIABLES : 0;
    const char *s, *errmsg = NULL;
    size_t len, errpos;
    int r;

    /* Strings as they are, numbers as written, booleans as "true"/"false" (IAM accepts JSON
     * numbers and booleans as condition values). */
    s = iam_json_scalar_text(it, &len);
    if (!s)
        return fail(c, &it->start, -EINVAL,
                    "Condition %s '%.64s': a value must be a string, number or boolean, not %s",
                    op, key, iam_json_type_name(it->type));
    switch ((enum cond_base)e->base) {
    case OP_STRING_EQUALS:
        r = iam_pattern_compile(a, s, len, vars, &out->u.pat, &errpos, &errmsg);
        break;
    case OP_STRING_EQUALS_IC:
        r = iam_pattern_compile(a, s, len, vars | PATF_FOLD, &out->u.pat, &errpos, &errmsg);
        break;
    case OP_STRING_LIKE:
        r = iam_pattern_compile(a, s, len, vars | PATF_WILDCARDS, &out->u.pat, &errpos, &errmsg);
        break;
    case OP_ARN_LIKE:
        r = iam_arn_pattern_compile(a, s, len, vars | PATF_WILDCARDS, &out->u.arn, &errpos,
                                    &errmsg);
        break;
    case OP_NUMERIC_EQ:
    case OP_NUMERIC_LT:
    case OP_NUMERIC_LE:
    case OP_NUMERIC_GT:
    case OP_NUMERIC_GE:
        r = iam_num_parse(s, len, &out->u.num);
        if (r < 0)
            return fail(c, &it->start, -EINVAL, "Condition %s '%.64s': '%.64s' is not a number",
                        op, key, s);
        return 0;
    case OP_DATE_EQ:
    case OP_DATE_LT:
    case OP_DATE_LE:
    case OP_DATE_GT:
    case OP_DATE_GE:
        r = iam_time_parse(s, len, &out->u.time);
        if (r < 0)
            return fail(c, &it->start, -EINVAL,
                        "Condition %s '%.64s': '%.64s' is not an ISO 8601 date or epoch "
                        "seconds",
                        op, key, s);
        return 0;
    case OP_BOOL:
    case OP_NULL:
        r = iam_bool_parse(s, len, &out->u.b);
        if (r < 0)
            return fail(c, &it->start, -EINVAL,
                        "Condition %s '%.64s': '%.64s' is not \"true\" or \"false\"", op, key, s);
        return 0;
    case OP_BINARY_EQUALS: {
        uint8_t *buf = iam_arena_alloc(a, len / 4 * 3 + 1);

        if (!buf)
            return nomem(c);
        r = iam_base64_decode(s, len, buf, len / 4 * 3 + 1);
        if (r < 0)
            return fail(c, &it->start, -EINVAL, "Condition %s '%.64s': '%.64s' is not base64",
                        op, key, s);
        out->u.bin.p = buf;
        out->u.bin.len = (size_t)r;
        return 0;
    }
    case OP_IP_ADDRESS:
        r = iam_cidr_parse(s, len, &out->u.cidr);
        if (r < 0)
            return fail(c, &it->start, -EINVAL,
                        "Condition %s '%.64s': '%.64s' is not an IP address or CIDR", op, key, s);
        return 0;
    default:
        return fail(c, &it->start, -EINVAL, "Condition %s: unsupported operator", op);
    }
    if (r == -ENOMEM)
        return nomem(c);
    if (r < 0)
        return fail(c, &it->start, r, "Condition %s '%.64s': %s", op, key,
                    errmsg ? errmsg : "invalid value");
    return 0;
}

static int compile_condition(struct compiler *c, struct statement *st, const struct iam_json *v) {
    struct cond_entry *ents;
    size_t n = 0, k = 0;
    int r;

    if (v->type != IAM_JSON_OBJECT)
        return fail(c, &v->start, -EINVAL, "Condition must be an object, not %s",
                    iam_json_type_name(v->type));
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const struct iam_json_member *m = &v->u.obj.members[i];
        struct cond_entry tmp;

        if (parse_operator(m->key, &tmp) < 0)
            return fail(c, &m->key_pos, -EINVAL, "Condition: unknown condition operator '%.64s'",
                        m->key);
        if (m->value->type != IAM_JSON_OBJECT)
            return fail(c, &m->value->start, -EINVAL,
                        "Condition %s must be an object of condition keys, not %s", m->key,
                        iam_json_type_name(m->value->type));
        /* An operator with no keys constrains nothing: the keys are ANDed, and an AND of
         * nothing holds. */
        n += m->value->u.obj.n;
    }
    ents = iam_arena_alloc(&c->policy->arena, (n ? n : 1) * sizeof(*ents));
    if (!ents)
        return nomem(c);
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const struct iam_json_member *m = &v->u.obj.members[i];

        for (size_t j = 0; j < m->value->u.obj.n; j++) {
            const struct iam_json_member *km = &m->value->u.obj.members[j];
            const struct iam_json *kv = km->value;
            struct cond_entry *e = &ents[k++];
            struct cond_value *vals;
            const char *colon = strchr(km->key, ':');
            size_t nv;
            char *lk;

            (void)parse_operator(m->key, e);
            if (!colon || colon == km->key || colon[1] == '\0' || km->key_len > 256)
                return fail(c, &km->key_pos, -EINVAL,
                            "Condition %s: key '%.64s' must be \"prefix:name\" (e.g. "
                            "aws:SourceIp)",
                            m->key, km->key);
            e->key = iam_arena_strndup(&c->policy->arena, km->key, km->key_len);
            lk = iam_arena_strndup(&c->policy->arena, km->key, km->key_len);
            if (!e->key || !lk)
                return nomem(c);
            for (size_t q = 0; q < km->key_len; q++)
                if (lk[q] >= 'A' && lk[q] <= 'Z')
                    lk[q] = (char)(lk[q] + ('a' - 'A'));
            e->lkey = lk;
            e->key_len = km->key_len;
            e->hash = iam_key_hash(lk, km->key_len);
            /* No values: the values are ORed (a negated operator NORs them), so an empty list
             * matches no context value; see entry_true() for what that makes of each form. */
            nv = kv->type == IAM_JSON_ARRAY ? kv->u.arr.n : 1;
            vals = iam_arena_alloc(&c->policy->arena, (nv ? nv : 1) * sizeof(*vals));
            if (!vals)
                return nomem(c);
            for (size_t q = 0; q < nv; q++) {
                r = compile_value(c, e, m->key, km->key,
                                  kv->type == IAM_JSON_ARRAY ? kv->u.arr.items[q] : kv, &vals[q]);
                if (r < 0)
                    return r;
            }
            e->values = vals;
            e->n = nv;
        }
    }
    st->conds = ents;
    st->n_conds = n;
    return 0;
}

/* ---- Statement and document ------------------------------------------------------------ */

static bool sid_valid(const char *s) {
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

static int compile_statement(struct compiler *c, const struct iam_json *v, struct statement *st) {
    const struct iam_json_member *action = NULL, *resource = NULL, *principal = NULL,
                                 *effect = NULL, *sid = NULL, *condition = NULL;
    int r;

    if (v->type != IAM_JSON_OBJECT)
        return fail(c, &v->start, -EINVAL, "a statement must be an object, not %s",
                    iam_json_type_name(v->type));
    st->start_line = v->start.line;
    st->start_column = v->start.column;
    st->end_line = v->end.line;
    st->end_column = v->end.column;
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const struct iam_json_member *m = &v->u.obj.members[i];
        const struct iam_json_member **slot = NULL;

        if (strcmp(m->key, "Sid") == 0)
            slot = &sid;
        else if (strcmp(m->key, "Effect") == 0)
            slot = &effect;
        else if (strcmp(m->key, "Action") == 0 || strcmp(m->key, "NotAction") == 0)
            slot = &action;
        else if (strcmp(m->key, "Resource") == 0 || strcmp(m->key, "NotResource") == 0)
            slot = &resource;
        else if (strcmp(m->key, "Principal") == 0 || strcmp(m->key, "NotPrincipal") == 0)
            slot = &principal;
        else if (strcmp(m->key, "Condition") == 0)
            slot = &condition;
        else
            return fail(c, &m->key_pos, -EINVAL, "unknown element '%.64s'", m->key);
        if (*slot)
            return fail(c, &m->key_pos, -EINVAL, "'%s' and '%s' cannot both be given",
                        (*slot)->key, m->key);
        *slot = m;
    }
    if (sid) {
        if (sid->value->type != IAM_JSON_STRING)
            return fail(c, &sid->value->start, -EINVAL, "Sid must be a string, not %s",
                        iam_json_type_name(sid->value->type));
        if (c->policy->type == IAM_POLICY_IDENTITY && !sid_valid(sid->value->u.str.s))
            return fail(c, &sid->value->start, -EINVAL,
                        "Sid '%.64s' must hold only letters and digits", sid->value->u.str.s);
        for (size_t i = 0; i < c->stmt; i++)
            if (c->policy->statements[i].sid &&
                strcmp(c->policy->statements[i].sid, sid->value->u.str.s) == 0)
                return fail(c, &sid->value->start, -EINVAL,
                            "Sid '%.64s' is used by Statement[%zu] already", sid->value->u.str.s,
                            i);
        st->sid = iam_arena_strndup(&c->policy->arena, sid->value->u.str.s, sid->value->u.str.len);
        if (!st->sid)
            return nomem(c);
    }
    if (!effect)
        return fail(c, &v->start, -EINVAL, "missing Effect");
    if (effect->value->type != IAM_JSON_STRING || (strcmp(effect->value->u.str.s, "Allow") != 0 &&
                                                   strcmp(effect->value->u.str.s, "Deny") != 0))
        return fail(c, &effect->value->start, -EINVAL,
                    "Effect must be \"Allow\" or \"Deny\" (exact case)");
    st->effect = strcmp(effect->value->u.str.s, "Allow") == 0 ? IAM_EFFECT_ALLOW : IAM_EFFECT_DENY;
    if (!action)
        return fail(c, &v->start, -EINVAL, "missing Action or NotAction");
    st->not_action = strcmp(action->key, "NotAction") == 0;
    r = compile_actions(c, st, action->value, action->key);
    if (r < 0)
        return r;
    if (c->policy->type == IAM_POLICY_IDENTITY) {
        if (principal)
            return fail(c, &principal->key_pos, -EINVAL,
                        "%s is not allowed in an identity-based policy", principal->key);
        if (!resource)
            return fail(c, &v->start, -EINVAL, "missing Resource or NotResource");
    } else {
        if (!principal)
            return fail(c, &v->start, -EINVAL,
                        "missing Principal or NotPrincipal (required in a resource-based "
                        "policy)");
        st->has_principal = true;
        st->not_principal = strcmp(principal->key, "NotPrincipal") == 0;
        r = compile_principal(c, st, principal->value, principal->key);
        if (r < 0)
            return r;
    }
    if (resource) {
        st->has_resource = true;
        st->not_resource = strcmp(resource->key, "NotResource") == 0;
        r = compile_resources(c, st, resource->value, resource->key);
        if (r < 0)
            return r;
    }
    if (condition) {
        r = compile_condition(c, st, condition->value);
        if (r < 0)
            return r;
    }
    return 0;
}

#define POLICY_MAX_DEPTH 32

/* The compiled form of a parsed document. Positions (errors, statement info) are the tree's. */
static int compile_root(const struct iam_json *root, enum iam_policy_type type,
                        struct iam_policy **ret_policy, struct iam_error *reterr) {
    struct iam_policy *policy = NULL;
    const struct iam_json *stmts = NULL, *version = NULL;
    struct compiler c = {.err = reterr};
    size_t n;
    int r = -EINVAL;

    policy = calloc(1, sizeof(*policy));
    if (!policy) {
        r = nomem(&c);
        goto out;
    }
    policy->type = type;
    c.policy = policy;
    if (root->type != IAM_JSON_OBJECT) {
        r = fail(&c, &root->start, -EINVAL, "a policy must be a JSON object, not %s",
                 iam_json_type_name(root->type));
        goto out;
    }
    for (size_t i = 0; i < root->u.obj.n; i++) {
        const struct iam_json_member *m = &root->u.obj.members[i];

        if (strcmp(m->key, "Version") == 0) {
            version = m->value;
        } else if (strcmp(m->key, "Statement") == 0) {
            stmts = m->value;
        } else if (strcmp(m->key, "Id") == 0) {
            /* IAM User Guide, "IAM JSON policy elements: Id": allowed in resource-based
             * policies, not in identity-based policies. */
            if (type == IAM_POLICY_IDENTITY) {
                r = fail(&c, &m->key_pos, -EINVAL,
                         "Id is not allowed in an identity-based policy (only in resource-based "
                         "policies)");
                goto out;
            }
            if (m->value->type != IAM_JSON_STRING) {
                r = fail(&c, &m->value->start, -EINVAL, "Id must be a string, not %s",
                         iam_json_type_name(m->value->type));
                goto out;
            }
        } else {
            r = fail(&c, &m->key_pos, -EINVAL, "unknown top-level element '%.64s'", m->key);
            goto out;
        }
    }
    /* Version: "2012-10-17" (variables) or "2008-10-17"; missing means 2008-10-17. */
    policy->version = "2008-10-17";
    if (version) {
        if (version->type != IAM_JSON_STRING || (strcmp(version->u.str.s, "2012-10-17") != 0 &&
                                                 strcmp(version->u.str.s, "2008-10-17") != 0)) {
            r = fail(&c, &version->start, -EINVAL,
                     "Version must be \"2012-10-17\" or \"2008-10-17\"");
            goto out;
        }
        if (strcmp(version->u.str.s, "2012-10-17") == 0) {
            policy->version = "2012-10-17";
            policy->variables = true;
        }
    }
    if (!stmts) {
        r = fail(&c, &root->start, -EINVAL, "missing Statement");
        goto out;
    }
    if (stmts->type == IAM_JSON_OBJECT) {
        n = 1;
    } else if (stmts->type == IAM_JSON_ARRAY) {
        n = stmts->u.arr.n;
        if (n == 0) {
            r = fail(&c, &stmts->start, -EINVAL, "Statement must not be an empty array");
            goto out;
        }
    } else {
        r = fail(&c, &stmts->start, -EINVAL, "Statement must be an object or an array, not %s",
                 iam_json_type_name(stmts->type));
        goto out;
    }
    policy->statements = iam_arena_alloc(&policy->arena, n * sizeof(*policy->statements));
    if (!policy->statements) {
        r = nomem(&c);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        c.stmt = i;
        c.in_statement = true;
        r = compile_statement(&c, stmts->type == IAM_JSON_ARRAY ? stmts->u.arr.items[i] : stmts,
                              &policy->statements[i]);
        if (r < 0)
            goto out;
        policy->n_statements = i + 1;
        {
            const struct statement *st = &policy->statements[i];

            if (st->any_service)
                policy->service_bloom = ~(uint64_t)0;
            for (size_t k = 0; k < st->n_services; k++)
                policy->service_bloom |= (uint64_t)1 << (st->services[k] % 64);
        }
    }
    *ret_policy = policy;
    policy = NULL;
    r = 0;
out:
    iam_policy_free(policy);
    return r;
}

int iam_policy_compile(const char *text, size_t len, enum iam_policy_type type,
                       struct iam_policy **ret_policy, struct iam_error *reterr) {
    struct iam_json_opts opts = {.max_depth = POLICY_MAX_DEPTH};
    struct iam_json_doc *doc = NULL;
    int r;

    if (!text || !ret_policy || (type != IAM_POLICY_IDENTITY && type != IAM_POLICY_RESOURCE)) {
        iam_error_set(reterr, 0, 0, 0, "invalid arguments");
        return -EINVAL;
    }
    if (len > IAM_POLICY_MAX_BYTES) {
        iam_error_set(reterr, 0, 0, 0, "policy of %zu bytes is over the %u byte limit", len,
                      IAM_POLICY_MAX_BYTES);
        return -E2BIG;
    }
    r = iam_json_parse(text, len, &opts, &doc, reterr);
    if (r < 0)
        return r;
    r = compile_root(iam_json_root(doc), type, ret_policy, reterr);
    iam_json_doc_free(doc);
    return r;
}

/* The first container, in document order, that the text parser would refuse as nested
 * deeper than max levels (it counts the containers around a value), or NULL. */
static const struct iam_json *too_deep(const struct iam_json *v, unsigned depth, unsigned max) {
    const struct iam_json *d;

    if (v->type == IAM_JSON_ARRAY) {
        if (depth >= max)
            return v;
        for (size_t i = 0; i < v->u.arr.n; i++)
            if ((d = too_deep(v->u.arr.items[i], depth + 1, max)))
                return d;
    } else if (v->type == IAM_JSON_OBJECT) {
        if (depth >= max)
            return v;
        for (size_t i = 0; i < v->u.obj.n; i++)
            if ((d = too_deep(v->u.obj.members[i].value, depth + 1, max)))
                return d;
    }
    return NULL;
}

int iam_policy_compile_json(const struct iam_json *root, enum iam_policy_type type,
                            struct iam_policy **ret_policy, struct iam_error *reterr) {
    struct iam_policy *policy = NULL;
    const struct iam_json *deep;
    int r;

    if (!root || (type != IAM_POLICY_IDENTITY && type != IAM_POLICY_RESOURCE)) {
        iam_error_set(reterr, 0, 0, 0, "invalid arguments");
        return -EINVAL;
    }
    /* iam_policy_compile()'s limits: the text's size, and the depth it parses with (the
     * tree was parsed with its own) */
    if (root->end.offset - root->start.offset > IAM_POLICY_MAX_BYTES) {
        iam_error_set(reterr, 0, 0, 0, "policy of %zu bytes is over the %u byte limit",
                      root->end.offset - root->start.offset, IAM_POLICY_MAX_BYTES);
        return -E2BIG;
    }
    deep = too_deep(root, 0, POLICY_MAX_DEPTH);
    if (deep) {
        iam_error_set(reterr, deep->start.line, deep->start.column, deep->start.offset,
                      "nesting deeper than %u levels", POLICY_MAX_DEPTH);
        return -E2BIG;
    }
    r = compile_root(root, type, &policy, reterr);
    if (r < 0)
        return r;
    if (ret_policy)
        *ret_policy = policy;
    else
        iam_policy_free(policy);
    return 0;
}

void iam_policy_free(struct iam_policy *policy) {
    if (!policy)
        return;
    iam_arena_free(&policy->arena);
    free(policy);
}

size_t iam_policy_statement_count(const struct iam_policy *policy) {
    return policy ? policy->n_statements : 0;
}

int iam_policy_statement_info(const struct iam_policy *policy, size_t index,
                              struct iam_statement_info *ret_info) {
    const struct statement *st;

    if (!policy || !ret_info)
        return -EINVAL;
    if (index >= policy->n_statements)
        return -ENOENT;
    st = &policy->statements[index];
    *ret_info = (struct iam_statement_info){
        .sid = st->sid,
        .effect = st->effect,
        .start_line = st->start_line,
        .start_column = st->start_column,
        .end_line = st->end_line,
        .end_column = st->end_column,
    };
    return 0;
}

const char *iam_policy_version(const struct iam_policy *policy) {
    return policy ? policy->version : NULL;
}
