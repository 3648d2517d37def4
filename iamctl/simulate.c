/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulation core: the AWS API's SimulatePolicyResponse (EvaluationResults with
 * EvalActionName, EvalResourceName, EvalDecision, MatchedStatements, MissingContextValues,
 * PermissionsBoundaryDecisionDetail, EvalDecisionDetails) and ContextEntries parsing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iam/arn.h"
#include "simulate.h"

/* Tree nodes are never NULL; these skip iam_json_is_*()'s NULL test so gcc's
 * -Wnull-dereference analysis stays quiet. */
static inline bool is_str(const struct iam_json *j) {
    return j->type == IAM_JSON_STRING;
}
static inline bool is_arr(const struct iam_json *j) {
    return j->type == IAM_JSON_ARRAY;
}
static inline bool is_obj(const struct iam_json *j) {
    return j->type == IAM_JSON_OBJECT;
}

/* ---- Context entries ------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum iam_value_type type;
    bool list;
} context_types[] = {
    {"string", IAM_VALUE_STRING, false},   {"stringList", IAM_VALUE_STRING, true},
    {"numeric", IAM_VALUE_NUMERIC, false}, {"numericList", IAM_VALUE_NUMERIC, true},
    {"boolean", IAM_VALUE_BOOLEAN, false}, {"booleanList", IAM_VALUE_BOOLEAN, true},
    {"ip", IAM_VALUE_IP, false},           {"ipList", IAM_VALUE_IP, true},
    {"binary", IAM_VALUE_BINARY, false},   {"binaryList", IAM_VALUE_BINARY, true},
    {"date", IAM_VALUE_DATE, false},       {"dateList", IAM_VALUE_DATE, true},
};

int simulate_context_type(const char *name, enum iam_value_type *ret_type, bool *ret_list) {
    for (size_t i = 0; i < IAM_ELEMENTSOF(context_types); i++)
        if (strcmp(name, context_types[i].name) == 0) {
            *ret_type = context_types[i].type;
            *ret_list = context_types[i].list;
            return 0;
        }
    return -EINVAL;
}

#define CONTEXT_TYPES_TEXT                                                                         \
    "string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, "         \
    "binaryList, date, dateList"

/* Add one entry; name/type/values already extracted. pos (may be NULL) locates errors. */
static int add_entry(struct iam_context *ctx, const char *name, const char *type_name,
                     const char *const *values, size_t n, const struct iam_json *at_name,
                     const struct iam_json *at_type, const struct iam_json *at,
                     struct iam_error *reterr) {
    enum iam_value_type type;
    bool list;
    struct iam_error e;
    int r;

    if (strlen(name) < 5 || strlen(name) > 256) {
        iam_json_error(reterr, at_name, "ContextKeyName '%.64s' must be 5 to 256 characters",
                       name);
        return -EINVAL;
    }
    if (simulate_context_type(type_name, &type, &list) < 0) {
        iam_json_error(reterr, at_type, "ContextKeyType '%.32s' is not one of " CONTEXT_TYPES_TEXT,
                       type_name);
        return -EINVAL;
    }
    if (!list && n != 1) {
        iam_json_error(reterr, at,
                       "context key '%.64s' of type %s takes exactly one value, got %zu "
                       "(use %sList for several)",
                       name, type_name, n, type_name);
        return -EINVAL;
    }
    iam_error_init(&e);
    r = iam_context_add(ctx, name, type, list, values, n, &e);
    if (r < 0) {
        iam_json_error(reterr, at, "%s", e.text);
        return r;
    }
    return 0;
}

static int context_entry_json(const struct iam_json *obj, struct iam_context *ctx,
                              struct iam_error *reterr) {
    const struct iam_json *name = NULL, *values = NULL, *type = NULL;
    const char **vals = NULL;
    size_t n = 0;
    int r = -EINVAL;

    if (!is_obj(obj)) {
        iam_json_error(reterr, obj, "a context entry must be an object, not %s",
                       iam_json_type_name(obj->type));
        return -EINVAL;
    }
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const struct iam_json_member *m = &obj->u.obj.members[i];

        if (strcmp(m->key, "ContextKeyName") == 0)
            name = m->value;
        else if (strcmp(m->key, "ContextKeyValues") == 0)
            values = m->value;
        else if (strcmp(m->key, "ContextKeyType") == 0)
            type = m->value;
        else {
            iam_error_set(reterr, m->key_pos.line, m->key_pos.column, m->key_pos.offset,
                          "unknown member '%.64s' in a context entry (valid: ContextKeyName, "
                          "ContextKeyValues, ContextKeyType)",
                          m->key);
            return -EINVAL;
        }
    }
    if (!name || !is_str(name)) {
        iam_json_error(reterr, name ? name : obj, "ContextKeyName must be given as a string");
        return -EINVAL;
    }
    if (!type || !is_str(type)) {
        iam_json_error(reterr, type ? type : obj, "ContextKeyType must be given as a string");
        return -EINVAL;
    }
    if (!values || !is_arr(values)) {
        iam_json_error(reterr, values ? values : obj,
                       "ContextKeyValues must be given as an array of strings");
        return -EINVAL;
    }
    n = values->u.arr.n;
    vals = calloc(n ? n : 1, sizeof(*vals));
    if (!vals)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!is_str(values->u.arr.items[i])) {
            iam_json_error(reterr, values->u.arr.items[i],
                           "ContextKeyValues[%zu] must be a string, not %s", i,
                           iam_json_type_name(values->u.arr.items[i]->type));
            goto out;
        }
        vals[i] = values->u.arr.items[i]->u.str.s;
    }
    r = add_entry(ctx, name->u.str.s, type->u.str.s, vals, n, name, type, values, reterr);
out:
    free(vals);
    return r;
}

int simulate_context_entries_json(const struct iam_json *entries, struct iam_context *ctx,
                                  struct iam_error *reterr) {
    int r;

    if (!entries || !ctx) {
        iam_error_set(reterr, 0, 0, 0, "ContextEntries: nothing to read");
        return -EINVAL;
    }
    if (is_obj(entries))
        return context_entry_json(entries, ctx, reterr);
    if (!is_arr(entries)) {
        iam_json_error(reterr, entries, "ContextEntries must be an array of objects, not %s",
                       iam_json_type_name(entries->type));
        return -EINVAL;
    }
    for (size_t i = 0; i < entries->u.arr.n; i++) {
        r = context_entry_json(entries->u.arr.items[i], ctx, reterr);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Shorthand tokenizer: items separated by ',' outside quotes and brackets. */
struct sh_item {
    char *text; /* unquoted */
    bool has_key;
    char *key;
    char *value;
};

/* -EINVAL: an unterminated quote (a message goes to reterr); -ENOMEM. */
static int sh_unquote(const char *s, size_t len, char **ret, const char *entry,
                      struct iam_error *reterr) {
    char *out = malloc(len + 1);
    size_t o = 0;
    char q = 0;

    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (q) {
            if (c == q)
                q = 0;
            else if (c == '\\' && i + 1 < len && (s[i + 1] == q || s[i + 1] == '\\'))
                out[o++] = s[++i];
            else
                out[o++] = c;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    if (q) {
        free(out);
        iam_error_set(reterr, 0, 0, 0, "context entry '%.100s': unbalanced quote in '%.*s'",
                      entry, (int)(len > 64 ? 64 : len), s);
        return -EINVAL;
    }
    *ret = out;
    return 0;
}

/* One shorthand entry as it is read: the three keys, and which key the items now belong to
 * (a value list goes on over items without a key: ContextKeyValues=a,b). */
struct sh_entry {
    const char *text; /* the whole entry, for messages */
    char *name, *type;
    char **vals;
    size_t n, cap;
    const char *cur_key;
    bool seen_name, seen_type, seen_values;
};

static void sh_entry_done(struct sh_entry *e) {
    for (size_t k = 0; k < e->n; k++)
        free(e->vals[k]);
    free(e->vals);
    free(e->name);
    free(e->type);
}

/* Scan one item from *i: up to a ',' outside quotes and brackets, or the end. *i ends on that
 * ',' (or len); *ret_eq is the first '=' outside quotes and brackets, SIZE_MAX when none. */
static int sh_scan_item(const char *text, size_t len, size_t *i, size_t *ret_eq,
                        struct iam_error *reterr) {
    size_t eq = SIZE_MAX, k;
    char q = 0;
    int depth = 0;

    for (k = *i; k < len; k++) {
        char c = text[k];

        if (q) {
            if (c == '\\' && k + 1 < len)
                k++;
            else if (c == q)
                q = 0;
            continue;
        }
        if (c == '"' || c == '\'')
            q = c;
        else if (c == '[')
            depth++;
        else if (c == ']')
            depth--;
        else if (c == '=' && eq == SIZE_MAX && depth == 0)
            eq = k;
        else if (c == ',' && depth == 0)
            break;
    }
    if (q || depth != 0) {
        iam_error_set(reterr, 0, 0, 0, "context entry '%.100s': unbalanced quote or bracket",
                      text);
        return -EINVAL;
    }
    *i = k;
    *ret_eq = eq;
    return 0;
}

/* The key of an item "Key=...": one of the three, each at most once. */
static int sh_item_key(struct sh_entry *e, size_t start, size_t eq, struct iam_error *reterr) {
    char *key = NULL;
    int r = sh_unquote(e->text + start, eq - start, &key, e->text, reterr);

    if (r < 0)
        return r;
    r = -EINVAL;
    if (strcmp(key, "ContextKeyName") != 0 && strcmp(key, "ContextKeyValues") != 0 &&
        strcmp(key, "ContextKeyType") != 0) {
        iam_error_set(reterr, 0, 0, 0,
                      "context entry: unknown key '%.64s' (valid: ContextKeyName, "
                      "ContextKeyValues, ContextKeyType)",
                      key);
        goto out;
    }
    if ((strcmp(key, "ContextKeyName") == 0 && e->seen_name) ||
        (strcmp(key, "ContextKeyType") == 0 && e->seen_type) ||
        (strcmp(key, "ContextKeyValues") == 0 && e->seen_values)) {
        iam_error_set(reterr, 0, 0, 0, "context entry: '%s' given twice", key);
        goto out;
    }
    if (strcmp(key, "ContextKeyName") == 0) {
        e->seen_name = true;
        e->cur_key = "ContextKeyName";
    } else if (strcmp(key, "ContextKeyType") == 0) {
        e->seen_type = true;
        e->cur_key = "ContextKeyType";
    } else {
        e->seen_values = true;
        e->cur_key = "ContextKeyValues";
    }
    r = 0;
out:
    free(key);
    return r;
}

/* Add a value (taken: freed on failure). */
static int sh_push_value(struct sh_entry *e, char *val) {
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 8;
        char **nv = realloc(e->vals, cap * sizeof(*nv));

        if (!nv) {
            free(val);
            return -ENOMEM;
        }
        e->vals = nv;
        e->cap = cap;
    }
    e->vals[e->n++] = val;
    return 0;
}

/* ContextKeyValues=[a,b,c]: the values between text[start] == '[' and text[end - 1] == ']'. */
static int sh_bracket_values(struct sh_entry *e, size_t start, size_t end,
                             struct iam_error *reterr) {
    const char *text = e->text;
    size_t s = start + 1, last = end - 1, k = s;

    while (k <= last) {
        size_t vs = k;
        char vq = 0;

        for (; k < last; k++) {
            if (vq) {
                if (text[k] == '\\' && k + 1 < last)
                    k++;
                else if (text[k] == vq)
                    vq = 0;
                continue;
            }
            if (text[k] == '"' || text[k] == '\'')
                vq = text[k];
            else if (text[k] == ',')
                break;
        }
        if (k > vs || k < last) {
            char *val = NULL;
            int r = sh_unquote(text + vs, k - vs, &val, text, reterr);

            if (r < 0 || (r = sh_push_value(e, val)) < 0)
                return r;
        }
        k++;
    }
    return 0;
}

/* The value part text[start, end) of an item, for the current key. */
static int sh_item_value(struct sh_entry *e, size_t start, size_t end, struct iam_error *reterr) {
    char *val = NULL;
    int r;

    if (strcmp(e->cur_key, "ContextKeyValues") == 0 && end > start && e->text[start] == '[' &&
        e->text[end - 1] == ']')
        return sh_bracket_values(e, start, end, reterr);
    r = sh_unquote(e->text + start, end - start, &val, e->text, reterr);
    if (r < 0)
        return r;
    /* Each key is given once (sh_item_key), so nothing is replaced here. */
    if (strcmp(e->cur_key, "ContextKeyName") == 0) {
        free(e->name);
        e->name = val;
    } else if (strcmp(e->cur_key, "ContextKeyType") == 0) {
        free(e->type);
        e->type = val;
    } else {
        return sh_push_value(e, val);
    }
    return 0;
}

int simulate_context_entry_shorthand(const char *text, struct iam_context *ctx,
                                     struct iam_error *reterr) {
    struct sh_entry e = {.text = text};
    size_t i = 0, len = strlen(text);
    int r;

    while (i <= len) {
        size_t start = i, eq;

        r = sh_scan_item(text, len, &i, &eq, reterr);
        if (r < 0)
            goto out;
        /* text[start..i) is one item. */
        if (eq != SIZE_MAX) {
            r = sh_item_key(&e, start, eq, reterr);
            if (r < 0)
                goto out;
            start = eq + 1;
        } else if (!e.cur_key || strcmp(e.cur_key, "ContextKeyValues") != 0) {
            iam_error_set(reterr, 0, 0, 0,
                          "context entry '%.100s': expected Key=value, got '%.*s'", text,
                          (int)(i - start > 64 ? 64 : i - start), text + start);
            r = -EINVAL;
            goto out;
        }
        r = sh_item_value(&e, start, i, reterr);
        if (r < 0)
            goto out;
        i++;
    }
    if (!e.name || !e.type) {
        iam_error_set(reterr, 0, 0, 0,
                      "context entry '%.100s': ContextKeyName and ContextKeyType are required",
                      text);
        r = -EINVAL;
        goto out;
    }
    r = add_entry(ctx, e.name, e.type, (const char *const *)e.vals, e.n, NULL, NULL, NULL, reterr);
out:
    sh_entry_done(&e);
    return r;
}

int simulate_context_arg(const char *arg, struct iam_context *ctx, struct iam_error *reterr) {
    struct iam_json_doc *doc = NULL;
    const char *p = arg;
    char *buf = NULL;
    size_t len;
    int r;

    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if (strncmp(arg, "file://", 7) != 0 && *p != '[' && *p != '{') {
        iam_error_set_source(reterr, "--context-entries");
        return simulate_context_entry_shorthand(arg, ctx, reterr);
    }
    if (strncmp(arg, "file://", 7) == 0) {
        FILE *f = fopen(arg + 7, "re");
        size_t cap = 0;

        if (!f) {
            r = -errno;
            iam_error_set(reterr, 0, 0, 0, "cannot open %s: %s", arg + 7, strerror(-r));
            return r;
        }
        len = 0;
        for (;;) {
            size_t got;

            if (cap - len < 4096) {
                char *nb;

                if (cap > (size_t)64 * 1024 * 1024) {
                    fclose(f);
                    free(buf);
                    iam_error_set(reterr, 0, 0, 0, "%s is too large", arg + 7);
                    return -E2BIG;
                }
                cap = cap ? cap * 2 : 16384;
                nb = realloc(buf, cap);
                if (!nb) {
                    fclose(f);
                    free(buf);
                    return -ENOMEM;
                }
                buf = nb;
            }
            got = fread(buf + len, 1, cap - len, f);
            len += got;
            if (got == 0)
                break;
        }
        if (ferror(f)) {
            fclose(f);
            free(buf);
            iam_error_set(reterr, 0, 0, 0, "cannot read %s", arg + 7);
            return -EIO;
        }
        fclose(f);
        iam_error_set_source(reterr, arg + 7);
        r = iam_json_parse(buf, len, NULL, &doc, reterr);
    } else {
        iam_error_set_source(reterr, "--context-entries");
        r = iam_json_parse(arg, strlen(arg), NULL, &doc, reterr);
    }
    if (r >= 0)
        r = simulate_context_entries_json(iam_json_root(doc), ctx, reterr);
    iam_json_doc_free(doc);
    free(buf);
    return r;
}

/* ---- Policies -------------------------------------------------------------------------- */

int simulate_compile_policy(const char *text, size_t len, enum iam_policy_type type,
                            const char *source, struct iam_policy **ret_policy,
                            struct iam_error *reterr) {
    int r = iam_policy_compile(text, len, type, ret_policy, reterr);

    if (r < 0)
        iam_error_set_source(reterr, source);
    return r;
}

/* ---- Evaluation and output ------------------------------------------------------------- */

static bool arn_account(const char *s, const char **acct, size_t *len) {
    struct iam_arn arn;

    if (!s)
        return false;
    if (iam_account_id_valid(s)) {
        *acct = s;
        *len = 12;
        return true;
    }
    if (iam_arn_parse(s, &arn) < 0 || arn.account.len == 0)
        return false;
    *acct = arn.account.p;
    *len = arn.account.len;
    return true;
}

/* The resource's owner: the account in its ARN, else ResourceOwner, else the caller's. */
static bool is_cross_account(const struct simulate_input *in, const char *resource) {
    const char *ca, *ra;
    size_t cl, rl;

    if (!arn_account(in->caller_arn, &ca, &cl))
        return false;
    if (!arn_account(resource, &ra, &rl) && !arn_account(in->resource_owner, &ra, &rl))
        return false;
    return cl != rl || memcmp(ca, ra, cl) != 0;
}

static json_t *position(unsigned line, unsigned column) {
    json_t *o = json_object();

    if (!o)
        return NULL;
    if (json_object_set_new(o, "Line", json_integer(line)) < 0 ||
        json_object_set_new(o, "Column", json_integer(column)) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *matched_statements(const struct iam_decision *d) {
    json_t *arr = json_array();

    if (!arr)
        return NULL;
    for (size_t i = 0; i < d->n_matched; i++) {
        const struct iam_matched_statement *m = &d->matched[i];
        struct iam_statement_info info;
        json_t *o;

        if (iam_policy_statement_info(m->ref->policy, m->statement, &info) < 0)
            continue;
        o = json_object();
        if (!o || json_array_append_new(arr, o) < 0 ||
            json_object_set_new(o, "SourcePolicyId", json_string(m->ref->source_id)) < 0 ||
            json_object_set_new(o, "SourcePolicyType", json_string(m->ref->source_type)) < 0 ||
            json_object_set_new(o, "StartPosition",
                                position(info.start_line, info.start_column)) < 0 ||
            json_object_set_new(o, "EndPosition", position(info.end_line, info.end_column)) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *missing_values(const struct iam_decision *d) {
    json_t *arr = json_array();

    if (!arr)
        return NULL;
    for (size_t i = 0; i < d->n_missing; i++)
        if (json_array_append_new(arr, json_string(d->missing[i])) < 0) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static int one_result(const struct simulate_input *in, const char *action, size_t res_index,
                      const char *resource, json_t **ret) {
    struct iam_policy_set set = *in->set;
    struct iam_request req = {.action = action, .resource = resource,
                              .principal_arn = in->caller_arn, .context = in->ctx};
    struct iam_decision d;
    json_t *o = NULL;
    int r;

    if (!set.resource && in->trust && in->n_resources && in->trust[res_index] &&
        strncasecmp(action, "sts:", 4) == 0) {
        set.resource = in->trust[res_index];
        set.trust_policy = true;
    }
    set.cross_account = set.resource && is_cross_account(in, resource);
    r = iam_evaluate(&set, &req, &d);
    if (r < 0)
        return r;
    o = json_object();
    if (!o)
        return -ENOMEM;
    if (json_object_set_new(o, "EvalActionName", json_string(action)) < 0 ||
        json_object_set_new(o, "EvalResourceName", json_string(resource)) < 0 ||
        json_object_set_new(o, "EvalDecision", json_string(iam_decision_name(d.decision))) < 0 ||
        json_object_set_new(o, "MatchedStatements", matched_statements(&d)) < 0 ||
        json_object_set_new(o, "MissingContextValues", missing_values(&d)) < 0)
        goto nomem;
    if (set.n_boundary) {
        json_t *pb = json_pack("{s:b}", "AllowedByPermissionsBoundary", d.allowed_by_boundary);

        if (json_object_set_new(o, "PermissionsBoundaryDecisionDetail", pb) < 0)
            goto nomem;
    }
    if (set.resource) {
        /* EvalDecisionDetails: per policy type, filled for cross-account simulations (for
         * the same account AWS returns it empty). */
        json_t *det = json_object();

        if (!det || json_object_set_new(o, "EvalDecisionDetails", det) < 0)
            goto nomem;
        if (set.cross_account) {
            struct iam_policy_set id_only = set, res_only = {0};
            struct iam_decision di, dr;

            id_only.resource = NULL;
            id_only.cross_account = false;
            res_only.resource = set.resource;
            if (iam_evaluate(&id_only, &req, &di) < 0 || iam_evaluate(&res_only, &req, &dr) < 0)
                goto nomem;
            if (json_object_set_new(det, "IAM Policy",
                                    json_string(iam_decision_name(di.decision))) < 0 ||
                json_object_set_new(det, "Resource Policy",
                                    json_string(iam_decision_name(dr.decision))) < 0)
                goto nomem;
        }
    }
    *ret = o;
    return 0;
nomem:
    json_decref(o);
    return -ENOMEM;
}

int simulate_run(const struct simulate_input *in, json_t **ret_output, struct iam_error *reterr) {
    static const char *const star[] = {"*"};
    const char *const *resources;
    size_t n_resources, total, idx = 0, emitted = 0;
    json_t *out = NULL, *results = NULL;
    bool truncated = false;
    int r = -ENOMEM;

    if (!in || !in->set || !ret_output || in->n_actions == 0 || !in->actions) {
        iam_error_set(reterr, 0, 0, 0, "simulate: no actions to evaluate");
        return -EINVAL;
    }
    resources = in->n_resources ? in->resources : star;
    n_resources = in->n_resources ? in->n_resources : 1;
    total = in->n_actions * n_resources;
    if (in->marker > total) {
        iam_error_set(reterr, 0, 0, 0, "Marker %zu is past the last result (%zu)", in->marker,
                      total);
        return -EINVAL;
    }
    out = json_object();
    results = json_array();
    if (!out || !results || json_object_set(out, "EvaluationResults", results) < 0)
        goto out;
    for (size_t a = 0; a < in->n_actions; a++)
        for (size_t s = 0; s < n_resources; s++, idx++) {
            json_t *o = NULL;

            if (idx < in->marker)
                continue;
            if (in->max_items && emitted == in->max_items) {
                truncated = true;
                continue;
            }
            r = one_result(in, in->actions[a], s, resources[s], &o);
            if (r == -EINVAL) {
                iam_error_set(reterr, 0, 0, 0, "simulate: invalid request for action '%.64s'",
                              in->actions[a]);
                goto out;
            }
            if (r < 0 || json_array_append_new(results, o) < 0) {
                r = -ENOMEM;
                goto out;
            }
            emitted++;
        }
    if (truncated) {
        char mk[32];

        snprintf(mk, sizeof(mk), "%zu", in->marker + emitted);
        if (json_object_set_new(out, "IsTruncated", json_true()) < 0 ||
            json_object_set_new(out, "Marker", json_string(mk)) < 0) {
            r = -ENOMEM;
            goto out;
        }
    }
    *ret_output = out;
    out = NULL;
    r = 0;
out:
    if (r == -ENOMEM)
        iam_error_set(reterr, 0, 0, 0, "out of memory");
    json_decref(results);
    json_decref(out);
    return r;
}

int simulate_print(FILE *f, const json_t *output) {
    if (json_dumpf(output, f, JSON_INDENT(4) | JSON_PRESERVE_ORDER) < 0)
        return -EIO;
    if (fputc('\n', f) == EOF || fflush(f) == EOF)
        return -EIO;
    return 0;
}
