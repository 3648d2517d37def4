/* SPDX-License-Identifier: Apache-2.0 */
/* The database loader and validator (db.h). One pass over the JSON tree builds the model;
 * every rule failure is -EINVAL at the line and column of the offending value. Policies are
 * parsed first so references resolve as users, groups and roles are read. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_private.h"
#include "iam/fileio.h"
#include "iam/json.h"
#include "iam/secret.h"

struct loader {
    struct iam_db *db;
    struct iam_db_index *ix;
    struct iam_error *err;
    const char *text;
    size_t len;
    unsigned flags;
    const char *partition; /* from the first ARN seen */
    /* an export's first credential or POSIX member in a user or group, found while the
     * document was read (its items are parsed one at a time: db_parse_opts) */
    struct iam_error host_field;
};

IAM_PRINTF(3, 4)
static void set_fail(struct loader *L, const struct iam_json *at, const char *fmt, ...) {
    va_list ap;

    va_start(ap, fmt);
    iam_error_setv(L->err, at ? at->start.line : 0, at ? at->start.column : 0,
                   at ? at->start.offset : 0, fmt, ap);
    va_end(ap);
}

IAM_PRINTF(3, 4)
static void set_fail_key(struct loader *L, const struct iam_json_member *m, const char *fmt,
                         ...) {
    va_list ap;

    va_start(ap, fmt);
    iam_error_setv(L->err, m->key_pos.line, m->key_pos.column, m->key_pos.offset, fmt, ap);
    va_end(ap);
}

/* A rule failure: the error at the node (or member key), and -EINVAL. Expressions, not
 * functions, so that the value is plainly negative where it is returned: the static
 * analyser does not follow variadic calls, and took every "return fail(...)" for a possible
 * success with its outputs unset. */
#define fail(L, at, ...) (set_fail((L), (at), __VA_ARGS__), -EINVAL)
#define fail_key(L, m, ...) (set_fail_key((L), (m), __VA_ARGS__), -EINVAL)

static bool is_bool(const struct iam_json *j) {
    return iam_json_is_bool(j);
}

/* Every member of obj must be in allowed (NULL-terminated). */
static int check_members(struct loader *L, const struct iam_json *obj, const char *const *allowed,
                         const char *what) {
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const struct iam_json_member *m = &obj->u.obj.members[i];
        bool ok = false;

        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, m->key) == 0) {
                ok = true;
                break;
            }
        if (!ok)
            return fail_key(L, m, "unknown member \"%.64s\" in %s", m->key, what);
    }
    return 0;
}

/* Fetch a member of the given type. Returns 1 found, 0 absent (and not required), <0 error. */
static int member(struct loader *L, const struct iam_json *obj, const char *key,
                  enum iam_json_type type, bool required, const char *what,
                  const struct iam_json **ret) {
    const struct iam_json *v = iam_json_get(obj, key);

    *ret = NULL;
    if (!v) {
        if (required)
            return fail(L, obj, "%s is missing \"%s\"", what, key);
        return 0;
    }
    if (type == IAM_JSON_TRUE ? !is_bool(v) : v->type != type)
        return fail(L, v, "\"%s\" in %s must be %s, not %s", key, what,
                    type == IAM_JSON_TRUE     ? "true or false"
                    : type == IAM_JSON_STRING ? "a string"
                    : type == IAM_JSON_ARRAY  ? "an array"
                    : type == IAM_JSON_OBJECT ? "an object"
                                              : "a number",
                    iam_json_type_name(v->type));
    *ret = v;
    return 1;
}

static int str_member(struct loader *L, const struct iam_json *obj, const char *key, bool required,
                      const char *what, const char **ret, const struct iam_json **ret_node) {
    const struct iam_json *v;
    int r = member(L, obj, key, IAM_JSON_STRING, required, what, &v);

    *ret = NULL;
    if (ret_node)
        *ret_node = v;
    /* member() fails a missing required member; said again here, where callers rely on it
     * (a required string is never NULL after a 1), so the analyser sees it too */
    if (r == 0 && required)
        return fail(L, obj, "%s is missing \"%s\"", what, key);
    if (r <= 0 || !v)
        return r <= 0 ? r : -EINVAL;
    *ret = db_arena_strndup(L->ix, v->u.str.s, v->u.str.len);
    return *ret ? 1 : -ENOMEM;
}

static int u64_of(struct loader *L, const struct iam_json *v, uint64_t max, const char *what,
                  uint64_t *ret) {
    uint64_t n = 0;

    if (!v || v->type != IAM_JSON_NUMBER)
        return fail(L, v, "%s must be a number", what);
    for (const char *p = v->u.num.text; *p; p++) {
        if (*p < '0' || *p > '9')
            return fail(L, v, "%s must be a whole number from 0 to %llu", what,
                        (unsigned long long)max);
        if (n > (max - (uint64_t)(*p - '0')) / 10)
            return fail(L, v, "%s is out of range (at most %llu)", what, (unsigned long long)max);
        n = n * 10 + (uint64_t)(*p - '0');
    }
    *ret = n;
    return 0;
}

static int date_member(struct loader *L, const struct iam_json *obj, const char *key, bool required,
                       const char *what, const char **ret) {
    const struct iam_json *n;
    int64_t t;
    int r = str_member(L, obj, key, required, what, ret, &n);

    if (r <= 0)
        return r;
    if (iam_db_parse_time(*ret, &t) < 0)
        return fail(L, n, "\"%s\" in %s is not an ISO 8601 date-time: \"%.40s\"", key, what, *ret);
    return 1;
}

/* AWS unique ids: 16-128 word characters (the API's [\w]+ pattern, minimum 16). */
static int id_member(struct loader *L, const struct iam_json *obj, const char *key,
                     const char *what, uint32_t idx, const char **ret) {
    const struct iam_json *n;
    size_t len;
    long prev;
    int r = str_member(L, obj, key, !(L->flags & IAM_DB_PARSE_EXPORT), what, ret, &n);

    if (r <= 0)
        return r;
    len = strlen(*ret);
    for (const char *p = *ret; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return fail(L, n, "\"%s\" in %s must be letters and digits", key, what);
    if (len < 16 || len > 128)
        return fail(L, n, "\"%s\" in %s must be 16 to 128 characters", key, what);
    prev = db_strtab_insert(&L->ix->ids, *ret, idx);
    if (prev == -ENOMEM)
        return -ENOMEM;
    if (prev >= 0)
        return fail(L, n, "duplicate id \"%.64s\" (ids are unique across the account)", *ret);
    return 1;
}

/* arn:<partition>:iam::<account>:<kind><path><name> */
static int check_arn(struct loader *L, const struct iam_json *at, const char *arn,
                     const char *account, const char *kind, const char *path, const char *name) {
    const char *p = arn, *colon;
    size_t plen;

    if (strncmp(p, "arn:", 4) != 0)
        goto bad;
    p += 4;
    colon = strchr(p, ':');
    if (!colon || colon == p)
        goto bad;
    plen = (size_t)(colon - p);
    for (const char *q = p; q < colon; q++)
        if (!((*q >= 'a' && *q <= 'z') || *q == '-'))
            goto bad;
    if (!L->partition) {
        L->partition = db_arena_strndup(L->ix, p, plen);
        if (!L->partition)
            return -ENOMEM;
    }
    p = colon;
    if (strncmp(p, ":iam::", 6) != 0)
        goto bad;
    p += 6;
    if (strncmp(p, account, strlen(account)) != 0 || p[strlen(account)] != ':')
        goto bad;
    p += strlen(account) + 1;
    if (strncmp(p, kind, strlen(kind)) != 0)
        goto bad;
    p += strlen(kind);
    if (strncmp(p, path, strlen(path)) != 0)
        goto bad;
    p += strlen(path);
    if (strcmp(p, name) != 0)
        goto bad;
    return 0;
bad:
    return fail(L, at, "Arn \"%.128s\" does not match arn:<partition>:iam::%s:%s%s%s", arn, account,
                kind, path, name);
}

static int name_rule(struct loader *L, const struct iam_json *at, const char *what,
                     const char *name, const char *why) {
    if (why)
        return fail(L, at, "%s \"%.64s\" %s", what, name, why);
    return 0;
}

/* Account id: given, or (export) taken from the first ARN. */
static int need_account(struct loader *L, const char *arn, const struct iam_json *at) {
    const char *p, *q;

    if (L->db->account_id)
        return 0;
    /* arn:partition:iam::ACCOUNT: */
    p = arn ? strstr(arn, ":iam::") : NULL;
    if (!p)
        return fail(L, at, "cannot tell the account id: no AccountId and no ARN");
    p += 6;
    q = strchr(p, ':');
    if (!q || q - p != 12)
        return fail(L, at, "cannot tell the account id from \"%.128s\"", arn);
    for (const char *c = p; c < q; c++)
        if (*c < '0' || *c > '9')
            return fail(L, at, "cannot tell the account id from \"%.128s\"", arn);
    L->db->account_id = db_arena_strndup(L->ix, p, 12);
    return L->db->account_id ? 0 : -ENOMEM;
}

/* Tags; *ret_listed (optional) says whether the member was there at all, even empty. */
static int tags(struct loader *L, const struct iam_json *obj, const char *what,
                struct iam_db_tag **ret, size_t *ret_n, bool *ret_listed) {
    static const char *const allowed[] = {"Key", "Value", NULL};
    const struct iam_json *arr;
    int r = member(L, obj, "Tags", IAM_JSON_ARRAY, false, what, &arr);

    *ret = NULL;
    *ret_n = 0;
    if (ret_listed)
        *ret_listed = r > 0;
    if (r <= 0)
        return r;
    if (arr->u.arr.n > IAM_MAX_TAGS)
        return fail(L, arr, "too many tags in %s (%zu, IAM allows %d)", what, arr->u.arr.n,
                    IAM_MAX_TAGS);
    *ret = db_arena_alloc(L->ix, arr->u.arr.n * sizeof(**ret));
    if (!*ret)
        return -ENOMEM;
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        const struct iam_json *t = arr->u.arr.items[i], *kn, *vn;
        struct iam_db_tag *tag = &(*ret)[i];

        if (t->type != IAM_JSON_OBJECT)
            return fail(L, t, "a tag must be an object with Key and Value");
        if ((r = check_members(L, t, allowed, "a tag")) < 0 ||
            (r = str_member(L, t, "Key", true, "a tag", &tag->key, &kn)) < 0 ||
            (r = str_member(L, t, "Value", true, "a tag", &tag->value, &vn)) < 0)
            return r;
        if (kn->u.str.len < 1 || kn->u.str.len > 128 || iam_db_check_passwd_field(tag->key, 128))
            return fail(L, kn, "tag key must be 1 to 128 characters without control characters");
        if (vn->u.str.len > 256 || iam_db_check_passwd_field(tag->value, 256))
            return fail(L, vn,
                        "tag value must be at most 256 characters without control "
                        "characters, ':' or ','");
        for (size_t j = 0; j < i; j++)
            if (strcasecmp((*ret)[j].key, tag->key) == 0)
                return fail(L, kn, "duplicate tag key \"%.64s\" (tag keys are case-insensitive)",
                            tag->key);
    }
    *ret_n = arr->u.arr.n;
    return 1;
}

/* Check a document with the policy engine (every error it reports fails the load). The
 * compiled form is not kept: only simulate-principal-policy needs one, and it compiles the
 * few it needs through iam_db_policy_compiled(). A text already checked (for the same type)
 * is not checked again: the engine's verdict depends on the text and type only. */
static int check_policy(struct loader *L, const struct iam_json *node, const char *text,
                        size_t len, enum iam_policy_type type, struct iam_error *perr) {
    struct strtab *seen = &L->ix->checked[type == IAM_POLICY_IDENTITY ? 0 : 1];
    long prev = db_strtab_insert(seen, text, 0);
    int r;

    if (prev == -ENOMEM)
        return -ENOMEM;
    if (prev >= 0)
        return 0; /* checked before (a failure ends the load, so only accepted texts stay) */
    if (node->type == IAM_JSON_OBJECT) {
        r = iam_policy_compile_json(node, type, NULL, perr);
    } else {
        struct iam_policy *p = NULL;
        r = iam_policy_compile(text, len, type, &p, perr);
        iam_policy_free(p);
    }
    return r < 0 ? r : 0;
}

/* A policy document: a JSON object (its exact text is used) or a URL-encoded string. */
static int document(struct loader *L, const struct iam_json *node, const char *what,
                    enum iam_policy_type type, const char **ret_text, size_t *ret_size) {
    char *decoded = NULL;
    const char *src;
    size_t len, bad;
    struct iam_error perr;
    char *copy;
    int r;

    if (node->type == IAM_JSON_OBJECT) {
        src = L->text + node->start.offset;
        len = node->end.offset - node->start.offset;
    } else if (node->type == IAM_JSON_STRING) {
        r = iam_db_url_decode(node->u.str.s, node->u.str.len, &decoded, &len);
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            return fail(L, node, "%s: malformed URL encoding", what);
        src = decoded;
    } else {
        return fail(L, node, "%s must be a JSON object or a URL-encoded string", what);
    }
    if (len > IAM_POLICY_MAX_BYTES) {
        free(decoded);
        return fail(L, node, "%s is too large (%zu bytes)", what, len);
    }
    bad = db_doc_bad_char(src, len);
    if (bad < len) {
        free(decoded);
        if (node->type == IAM_JSON_OBJECT) {
            /* point at the byte: count lines/columns from the object's start */
            unsigned line = node->start.line, col = node->start.column;
            for (size_t i = 0; i < bad; i++) {
                if (src[i] == '\n') {
                    line++;
                    col = 1;
                } else if (((unsigned char)src[i] & 0xc0) != 0x80) {
                    col++;
                }
            }
            iam_error_set(L->err, line, col, node->start.offset + bad,
                          "%s contains a character IAM does not allow in policies (only tab, "
                          "newline, carriage return and U+0020 to U+00FF)",
                          what);
            return -EINVAL;
        }
        return fail(L, node,
                    "%s contains a character IAM does not allow in policies (only tab, newline, "
                    "carriage return and U+0020 to U+00FF)",
                    what);
    }
    copy = db_arena_strndup(L->ix, src, len);
    free(decoded);
    if (!copy)
        return -ENOMEM;
    iam_error_init(&perr);
    r = check_policy(L, node, copy, len, type, &perr);
    if (r == -ENOMEM)
        return r;
    if (r < 0) {
        /* a document object was checked in place: its positions are the file's */
        if (node->type == IAM_JSON_OBJECT && perr.line > 0) {
            iam_error_set(L->err, perr.line, perr.column, perr.offset, "%s: %s", what,
                          perr.text);
            return -EINVAL;
        }
        if (perr.line > 0)
            return fail(L, node, "%s (URL-decoded, at %u:%u): %s", what, perr.line, perr.column,
                        perr.text);
        return fail(L, node, "%s: %s", what, perr.set ? perr.text : "invalid policy");
    }
    *ret_text = copy;
    *ret_size = iam_db_policy_size(copy, len);
    return 0;
}

/* UserPolicyList / GroupPolicyList / RolePolicyList. */
static int inline_policies(struct loader *L, const struct iam_json *obj, const char *key,
                           const char *what, size_t max_chars, struct iam_db_inline_policy **ret,
                           size_t *ret_n) {
    static const char *const allowed[] = {"PolicyName", "PolicyDocument", NULL};
    const struct iam_json *arr;
    size_t total = 0;
    int r = member(L, obj, key, IAM_JSON_ARRAY, false, what, &arr);

    *ret = NULL;
    *ret_n = 0;
    if (r <= 0)
        return r;
    *ret = db_arena_alloc(L->ix, arr->u.arr.n * sizeof(**ret));
    if (!*ret)
        return -ENOMEM;
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        const struct iam_json *p = arr->u.arr.items[i], *nn, *dn;
        struct iam_db_inline_policy *ip = &(*ret)[i];
        size_t size;

        if (p->type != IAM_JSON_OBJECT)
            return fail(L, p, "an inline policy in %s must be an object", what);
        if ((r = check_members(L, p, allowed, "an inline policy")) < 0 ||
            (r = str_member(L, p, "PolicyName", true, "an inline policy", &ip->name, &nn)) < 0)
            return r;
        if ((r = name_rule(L, nn, "inline policy name", ip->name,
                           iam_db_check_inline_policy_name(ip->name))) < 0)
            return r;
        for (size_t j = 0; j < i; j++)
            if (strcasecmp((*ret)[j].name, ip->name) == 0)
                return fail(L, nn, "duplicate inline policy \"%.64s\" in %s", ip->name, what);
        dn = iam_json_get(p, "PolicyDocument");
        if (!dn)
            return fail(L, p, "inline policy \"%.64s\" has no PolicyDocument", ip->name);
        r = document(L, dn, "PolicyDocument", IAM_POLICY_IDENTITY, &ip->document, &size);
        if (r < 0)
            return r;
        total += size;
        if (total > max_chars)
            return fail(L, dn,
                        "inline policies of %s total %zu characters (whitespace excluded); IAM "
                        "allows %zu",
                        what, total, max_chars);
    }
    *ret_n = arr->u.arr.n;
    return 1;
}

static int attached_policies(struct loader *L, const struct iam_json *obj, const char *what,
                             struct iam_db_attached **ret, size_t *ret_n) {
    static const char *const allowed[] = {"PolicyName", "PolicyArn", NULL};
    const struct iam_json *arr;
    int r = member(L, obj, "AttachedManagedPolicies", IAM_JSON_ARRAY, false, what, &arr);

    *ret = NULL;
    *ret_n = 0;
    if (r <= 0)
        return r;
    if (arr->u.arr.n > IAM_MAX_ATTACHED_POLICIES)
        return fail(L, arr, "%s has %zu managed policies attached; IAM allows %d", what,
                    arr->u.arr.n, IAM_MAX_ATTACHED_POLICIES);
    *ret = db_arena_alloc(L->ix, arr->u.arr.n * sizeof(**ret));
    if (!*ret)
        return -ENOMEM;
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        const struct iam_json *a = arr->u.arr.items[i], *an, *nn;
        const char *name, *parn;
        long idx;

        if (a->type != IAM_JSON_OBJECT)
            return fail(L, a, "an attached policy in %s must be an object", what);
        if ((r = check_members(L, a, allowed, "an attached policy")) < 0 ||
            (r = member(L, a, "PolicyArn", IAM_JSON_STRING, true, "an attached policy", &an)) < 0 ||
            (r = member(L, a, "PolicyName", IAM_JSON_STRING, false, "an attached policy", &nn)) < 0)
            return r;
        parn = an->u.str.s;
        idx = db_strtab_find(&L->ix->policies_by_arn, parn);
        if (idx < 0)
            return fail(L, an,
                        "%s is attached to policy \"%.128s\", which is not in Policies (refusing "
                        "to drop it: it might hold a Deny)",
                        what, parn);
        name = nn ? nn->u.str.s : NULL;
        if (name && strcmp(name, L->db->policies[idx].name) != 0)
            return fail(L, nn, "PolicyName \"%.64s\" does not match the policy %s", name, parn);
        for (size_t j = 0; j < i; j++)
            if ((*ret)[j].policy == &L->db->policies[idx])
                return fail(L, an, "policy \"%.128s\" is attached twice to %s", parn, what);
        (*ret)[i].policy = &L->db->policies[idx];
        L->db->policies[idx].attachment_count++;
    }
    *ret_n = arr->u.arr.n;
    return 1;
}

static int boundary(struct loader *L, const struct iam_json *obj, const char *what,
                    const struct iam_db_managed_policy **ret) {
    static const char *const allowed[] = {"PermissionsBoundaryType", "PermissionsBoundaryArn",
                                          NULL};
    const struct iam_json *b, *tn, *an;
    long idx;
    int r = member(L, obj, "PermissionsBoundary", IAM_JSON_OBJECT, false, what, &b);

    *ret = NULL;
    if (r <= 0)
        return r;
    if ((r = check_members(L, b, allowed, "PermissionsBoundary")) < 0 ||
        (r = member(L, b, "PermissionsBoundaryArn", IAM_JSON_STRING, true, "PermissionsBoundary",
                    &an)) < 0 ||
        (r = member(L, b, "PermissionsBoundaryType", IAM_JSON_STRING, false, "PermissionsBoundary",
                    &tn)) < 0)
        return r;
    /* "Policy" is what the service returns; the API reference's enumeration of
     * PermissionsBoundaryAttachmentType names it "PermissionsBoundaryPolicy": both mean the
     * one kind of boundary there is */
    if (tn && strcmp(tn->u.str.s, "Policy") != 0 &&
        strcmp(tn->u.str.s, "PermissionsBoundaryPolicy") != 0)
        return fail(L, tn,
                    "PermissionsBoundaryType must be \"Policy\" (or \"PermissionsBoundaryPolicy\")");
    idx = db_strtab_find(&L->ix->policies_by_arn, an->u.str.s);
    if (idx < 0)
        return fail(L, an,
                    "permissions boundary \"%.128s\" of %s is not in Policies (refusing to drop "
                    "it: it limits what is allowed)",
                    an->u.str.s, what);
    *ret = &L->db->policies[idx];
    L->db->policies[idx].boundary_usage_count++;
    return 1;
}

static int posix_id(struct loader *L, const struct iam_json *v, const char *what, uint32_t *ret) {
    uint64_t n;
    int r = u64_of(L, v, 4294967294u, what, &n);

    if (r < 0)
        return r;
    if (n == 0)
        return fail(L, v, "%s 0 is root's; refusing", what);
    if (n == 65534)
        return fail(L, v, "%s 65534 is nobody's; refusing", what);
    *ret = (uint32_t)n;
    return 0;
}

/* ---- managed policies ------------------------------------------------------------------ */

static int load_policy(struct loader *L, const struct iam_json *p, uint32_t idx) {
    static const char *const allowed[] = {"PolicyName",
                                          "PolicyId",
                                          "Arn",
                                          "Path",
                                          "DefaultVersionId",
                                          "AttachmentCount",
                                          "PermissionsBoundaryUsageCount",
                                          "IsAttachable",
                                          "Description",
                                          "CreateDate",
                                          "UpdateDate",
                                          "PolicyVersionList",
                                          "Tags",
                                          NULL};
    static const char *const vallowed[] = {"Document", "VersionId", "IsDefaultVersion",
                                           "CreateDate", NULL};
    struct iam_db_managed_policy *mp = &L->db->policies[idx];
    const struct iam_json *nn, *an, *vl, *dv, *n;
    const char *dvid = NULL, *owner;
    long prev;
    int r;

    if (p->type != IAM_JSON_OBJECT)
        return fail(L, p, "a policy must be an object");
    if ((r = check_members(L, p, allowed, "a managed policy")) < 0 ||
        (r = str_member(L, p, "PolicyName", true, "a managed policy", &mp->name, &nn)) < 0 ||
        (r = str_member(L, p, "Arn", true, "a managed policy", &mp->arn, &an)) < 0 ||
        (r = str_member(L, p, "Path", false, "a managed policy", &mp->path, &n)) < 0)
        return r;
    if ((r = name_rule(L, nn, "policy name", mp->name,
                       iam_db_check_managed_policy_name(mp->name))) < 0)
        return r;
    if (!mp->path)
        mp->path = "/";
    else if ((r = name_rule(L, n, "path", mp->path, iam_db_check_path(mp->path))) < 0)
        return r;
    mp->aws_managed = strstr(mp->arn, ":iam::aws:policy/") != NULL;
    if (!mp->aws_managed && (r = need_account(L, mp->arn, an)) < 0)
        return r;
    owner = mp->aws_managed ? "aws" : L->db->account_id;
    if ((r = check_arn(L, an, mp->arn, owner, "policy", mp->path, mp->name)) < 0)
        return r;
    if ((r = id_member(L, p, "PolicyId", "a managed policy", idx, &mp->id)) < 0 ||
        (r = date_member(L, p, "CreateDate", false, "a managed policy", &mp->create_date)) < 0 ||
        (r = date_member(L, p, "UpdateDate", false, "a managed policy", &mp->update_date)) < 0 ||
        (r = str_member(L, p, "Description", false, "a managed policy", &mp->description, NULL)) <
            0 ||
        (r = str_member(L, p, "DefaultVersionId", false, "a managed policy", &dvid, &dv)) < 0 ||
        (r = tags(L, p, "a managed policy", &mp->tags, &mp->n_tags, NULL)) < 0)
        return r;
    mp->is_attachable = true;
    if ((r = member(L, p, "IsAttachable", IAM_JSON_TRUE, false, "a managed policy", &n)) < 0)
        return r;
    if (n)
        mp->is_attachable = n->type == IAM_JSON_TRUE;
    if ((r = member(L, p, "AttachmentCount", IAM_JSON_NUMBER, false, "a managed policy", &n)) < 0 ||
        (r = member(L, p, "PermissionsBoundaryUsageCount", IAM_JSON_NUMBER, false,
                    "a managed policy", &n)) < 0)
        return r; /* counts are recomputed from the references, never trusted */
    prev = db_strtab_insert(&L->ix->policies_by_arn, mp->arn, idx);
    if (prev == -ENOMEM)
        return -ENOMEM;
    if (prev >= 0)
        return fail(L, an, "duplicate policy \"%.128s\"", mp->arn);
    if (!mp->aws_managed) {
        prev = db_strtab_insert(&L->ix->policy_names, mp->name, idx);
        if (prev == -ENOMEM)
            return -ENOMEM;
        if (prev >= 0)
            return fail(L, nn,
                        "duplicate policy name \"%.64s\" (policy names are unique in an account, "
                        "regardless of case)",
                        mp->name);
    }
    if ((r = member(L, p, "PolicyVersionList", IAM_JSON_ARRAY, true, "a managed policy", &vl)) < 0)
        return r;
    if (vl->u.arr.n == 0)
        return fail(L, vl, "policy \"%.64s\" has no versions", mp->name);
    if (vl->u.arr.n > IAM_MAX_POLICY_VERSIONS)
        return fail(L, vl, "policy \"%.64s\" has %zu versions; IAM allows %d", mp->name,
                    vl->u.arr.n, IAM_MAX_POLICY_VERSIONS);
    mp->versions = db_arena_alloc(L->ix, vl->u.arr.n * sizeof(*mp->versions));
    if (!mp->versions)
        return -ENOMEM;
    for (size_t i = 0; i < vl->u.arr.n; i++) {
        const struct iam_json *v = vl->u.arr.items[i], *vid, *doc, *def;
        struct iam_db_policy_version *pv = &mp->versions[i];
        size_t size;
        const char *q;

        if (v->type != IAM_JSON_OBJECT)
            return fail(L, v, "a policy version must be an object");
        if ((r = check_members(L, v, vallowed, "a policy version")) < 0 ||
            (r = str_member(L, v, "VersionId", true, "a policy version", &pv->version_id, &vid)) <
                0 ||
            (r = member(L, v, "IsDefaultVersion", IAM_JSON_TRUE, true, "a policy version", &def)) <
                0 ||
            (r = date_member(L, v, "CreateDate", false, "a policy version", &pv->create_date)) < 0)
            return r;
        q = pv->version_id;
        if (q[0] != 'v' || !q[1] || strlen(q) > 10 || q[1] == '0')
            return fail(L, vid, "VersionId must be v1, v2, ...");
        for (q++; *q; q++)
            if (*q < '0' || *q > '9')
                return fail(L, vid, "VersionId must be v1, v2, ...");
        for (size_t j = 0; j < i; j++)
            if (strcmp(mp->versions[j].version_id, pv->version_id) == 0)
                return fail(L, vid, "duplicate VersionId \"%s\" in policy \"%.64s\"",
                            pv->version_id, mp->name);
        pv->is_default = def->type == IAM_JSON_TRUE;
        if (pv->is_default) {
            if (mp->default_version)
                return fail(L, def, "policy \"%.64s\" has more than one default version", mp->name);
            mp->default_version = pv;
        }
        doc = iam_json_get(v, "Document");
        if (!doc)
            return fail(L, v, "policy version %s has no Document", pv->version_id);
        r = document(L, doc, "Document", IAM_POLICY_IDENTITY, &pv->document, &size);
        if (r < 0)
            return r;
        if (size > IAM_MAX_MANAGED_POLICY_CHARS)
            return fail(L, doc,
                        "policy \"%.64s\" %s is %zu characters (whitespace excluded); IAM allows "
                        "%d",
                        mp->name, pv->version_id, size, IAM_MAX_MANAGED_POLICY_CHARS);
    }
    mp->n_versions = vl->u.arr.n;
    if (!mp->default_version)
        return fail(L, vl, "policy \"%.64s\" has no default version", mp->name);
    if (dvid && strcmp(dvid, mp->default_version->version_id) != 0)
        return fail(L, dv,
                    "DefaultVersionId \"%s\" is not the version marked IsDefaultVersion "
                    "(%s)",
                    dvid, mp->default_version->version_id);
    return 0;
}

/* ---- groups -------------------------------------------------------------------------- */

static int load_group(struct loader *L, const struct iam_json *g, uint32_t idx) {
    static const char *const allowed[] = {"Path",
                                          "GroupName",
                                          "GroupId",
                                          "Arn",
                                          "CreateDate",
                                          "GroupPolicyList",
                                          "AttachedManagedPolicies",
                                          "Posix",
                                          NULL};
    static const char *const pallowed[] = {"Gid", NULL};
    struct iam_db_group *grp = &L->db->groups[idx];
    const struct iam_json *nn, *an, *pn, *px, *gid;
    char what[IAM_MAX_GROUP_NAME + 16];
    long prev;
    int r;

    if (g->type != IAM_JSON_OBJECT)
        return fail(L, g, "a group must be an object");
    if ((r = check_members(L, g, allowed, "a group")) < 0 ||
        (r = str_member(L, g, "GroupName", true, "a group", &grp->name, &nn)) < 0)
        return r;
    if ((r = name_rule(L, nn, "group name", grp->name, iam_db_check_group_name(grp->name))) < 0)
        return r;
    snprintf(what, sizeof(what), "group %s", grp->name);
    prev = db_strtab_insert(&L->ix->groups, grp->name, idx);
    if (prev == -ENOMEM)
        return -ENOMEM;
    if (prev >= 0)
        return fail(L, nn, "duplicate group \"%.64s\" (group names are unique regardless of case)",
                    grp->name);
    if ((r = str_member(L, g, "Path", false, what, &grp->path, &pn)) < 0)
        return r;
    if (!grp->path)
        grp->path = "/";
    else if ((r = name_rule(L, pn, "path", grp->path, iam_db_check_path(grp->path))) < 0)
        return r;
    if ((r = str_member(L, g, "Arn", !(L->flags & IAM_DB_PARSE_EXPORT), what, &grp->arn, &an)) < 0)
        return r;
    if (grp->arn) {
        if ((r = need_account(L, grp->arn, an)) < 0 ||
            (r = check_arn(L, an, grp->arn, L->db->account_id, "group", grp->path, grp->name)) < 0)
            return r;
    }
    if ((r = id_member(L, g, "GroupId", what, idx, &grp->id)) < 0 ||
        (r = date_member(L, g, "CreateDate", false, what, &grp->create_date)) < 0 ||
        (r = inline_policies(L, g, "GroupPolicyList", what, IAM_MAX_GROUP_INLINE_CHARS,
                             &grp->inline_policies, &grp->n_inline)) < 0 ||
        (r = attached_policies(L, g, what, &grp->attached, &grp->n_attached)) < 0 ||
        (r = member(L, g, "Posix", IAM_JSON_OBJECT, !(L->flags & IAM_DB_PARSE_EXPORT), what, &px)) <
            0)
        return r;
    if (px) {
        if ((r = check_members(L, px, pallowed, "a group's Posix")) < 0 ||
            (r = member(L, px, "Gid", IAM_JSON_NUMBER, true, "a group's Posix", &gid)) < 0 ||
            (r = posix_id(L, gid, "Gid", &grp->gid)) < 0)
            return r;
        grp->has_posix = true;
        prev = db_u32tab_insert(&L->ix->gids, grp->gid, idx);
        if (prev == -ENOMEM)
            return -ENOMEM;
        if (prev >= 0)
            return fail(L, gid, "gid %u is already group \"%.64s\"'s", grp->gid,
                        L->db->groups[prev].name);
    }
    return 0;
}

/* ---- users --------------------------------------------------------------------------- */

static int user_keys(struct loader *L, const struct iam_json *u, struct iam_db_user *usr,
                     const char *what) {
    static const char *const allowed[] = {"AccessKeyId", "Status", "CreateDate", "SecretHash",
                                          NULL};
    const struct iam_json *arr;
    int r = member(L, u, "AccessKeys", IAM_JSON_ARRAY, false, what, &arr);

    if (r <= 0)
        return r;
    if (arr->u.arr.n > IAM_MAX_ACCESS_KEYS_PER_USER)
        return fail(L, arr, "%s has %zu access keys; IAM allows %d", what, arr->u.arr.n,
                    IAM_MAX_ACCESS_KEYS_PER_USER);
    usr->keys = db_arena_alloc(L->ix, arr->u.arr.n * sizeof(*usr->keys));
    if (!usr->keys)
        return -ENOMEM;
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        const struct iam_json *k = arr->u.arr.items[i], *idn, *sn, *hn;
        struct iam_db_access_key *key = &usr->keys[i];
        const char *status;

        if (k->type != IAM_JSON_OBJECT)
            return fail(L, k, "an access key must be an object");
        if ((r = check_members(L, k, allowed, "an access key")) < 0 ||
            (r = str_member(L, k, "AccessKeyId", true, "an access key", &key->id, &idn)) < 0 ||
            (r = str_member(L, k, "Status", true, "an access key", &status, &sn)) < 0 ||
            (r = date_member(L, k, "CreateDate", true, "an access key", &key->create_date)) < 0 ||
            (r = str_member(L, k, "SecretHash", true, "an access key", &key->secret_hash, &hn)) < 0)
            return r;
        if (!iam_access_key_id_valid(key->id))
            return fail(L, idn, "AccessKeyId \"%.32s\" is not AKIA followed by 16 of A-Z2-7",
                        key->id);
        if (strcmp(status, "Active") == 0)
            key->active = true;
        else if (strcmp(status, "Inactive") != 0)
            return fail(L, sn, "Status must be \"Active\" or \"Inactive\"");
        if (strncmp(key->secret_hash, "$iamb2k$v=1$", 12) != 0 ||
            strlen(key->secret_hash) >= IAM_SECRET_HASH_MAX)
            return fail(L, hn, "SecretHash is not a hash this version knows ($iamb2k$v=1$...)");
        if (L->ix->n_keys == L->ix->cap_keys) {
            size_t cap = L->ix->cap_keys ? L->ix->cap_keys * 2 : 256;
            const struct iam_db_access_key **nk = realloc(L->ix->key_list, cap * sizeof(*nk));
            const struct iam_db_user **no;
            if (!nk)
                return -ENOMEM;
            L->ix->key_list = nk;
            no = realloc(L->ix->key_owner, cap * sizeof(*no));
            if (!no)
                return -ENOMEM;
            L->ix->key_owner = no;
            L->ix->cap_keys = cap;
        }
        {
            long prev = db_strtab_insert(&L->ix->keys, key->id, (uint32_t)L->ix->n_keys);
            if (prev == -ENOMEM)
                return -ENOMEM;
            if (prev >= 0)
                return fail(L, idn, "duplicate AccessKeyId \"%s\"", key->id);
        }
        L->ix->key_list[L->ix->n_keys] = key;
        L->ix->key_owner[L->ix->n_keys] = usr;
        L->ix->n_keys++;
    }
    usr->n_keys = arr->u.arr.n;
    return 0;
}

static int user_login_profile(struct loader *L, const struct iam_json *u, struct iam_db_user *usr,
                              const char *what) {
    static const char *const allowed[] = {"CreateDate", "PasswordHash", "PasswordResetRequired",
                                          NULL};
    const struct iam_json *lp, *hn, *rr;
    struct iam_db_login_profile *prof;
    int r = member(L, u, "LoginProfile", IAM_JSON_OBJECT, false, what, &lp);

    if (r <= 0)
        return r;
    prof = db_arena_alloc(L->ix, sizeof(*prof));
    if (!prof)
        return -ENOMEM;
    if ((r = check_members(L, lp, allowed, "LoginProfile")) < 0 ||
        (r = date_member(L, lp, "CreateDate", true, "LoginProfile", &prof->create_date)) < 0 ||
        (r = str_member(L, lp, "PasswordHash", true, "LoginProfile", &prof->password_hash, &hn)) <
            0 ||
        (r = member(L, lp, "PasswordResetRequired", IAM_JSON_TRUE, false, "LoginProfile", &rr)) < 0)
        return r;
    if (strncmp(prof->password_hash, "$argon2id$", 10) != 0 ||
        strlen(prof->password_hash) >= IAM_SECRET_HASH_MAX)
        return fail(L, hn, "PasswordHash is not an argon2id hash ($argon2id$...)");
    prof->password_reset_required = rr && rr->type == IAM_JSON_TRUE;
    usr->login_profile = prof;
    return 0;
}

static int user_ssh_keys(struct loader *L, const struct iam_json *u, struct iam_db_user *usr,
                         const char *what) {
    static const char *const allowed[] = {"SSHPublicKeyId", "SSHPublicKeyBody", "Fingerprint",
                                          "Status",         "UploadDate",       NULL};
    const struct iam_json *arr;
    int r = member(L, u, "SSHPublicKeys", IAM_JSON_ARRAY, false, what, &arr);

    if (r <= 0)
        return r;
    if (arr->u.arr.n > IAM_MAX_SSH_KEYS_PER_USER)
        return fail(L, arr, "%s has %zu SSH public keys; IAM allows %d", what, arr->u.arr.n,
                    IAM_MAX_SSH_KEYS_PER_USER);
    usr->ssh_keys = db_arena_alloc(L->ix, arr->u.arr.n * sizeof(*usr->ssh_keys));
    if (!usr->ssh_keys)
        return -ENOMEM;
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        const struct iam_json *k = arr->u.arr.items[i], *sn, *bn;
        struct iam_db_ssh_key *key = &usr->ssh_keys[i];
        const char *status;

        if (k->type != IAM_JSON_OBJECT)
            return fail(L, k, "an SSH public key must be an object");
        if ((r = check_members(L, k, allowed, "an SSH public key")) < 0 ||
            (r = id_member(L, k, "SSHPublicKeyId", "an SSH public key", 0, &key->id)) < 0 ||
            (r = str_member(L, k, "SSHPublicKeyBody", true, "an SSH public key", &key->body, &bn)) <
                0 ||
            (r = str_member(L, k, "Fingerprint", false, "an SSH public key", &key->fingerprint,
                            NULL)) < 0 ||
            (r = str_member(L, k, "Status", true, "an SSH public key", &status, &sn)) < 0 ||
            (r = date_member(L, k, "UploadDate", false, "an SSH public key", &key->upload_date)) <
                0)
            return r;
        if (strcmp(status, "Active") == 0)
            key->active = true;
        else if (strcmp(status, "Inactive") != 0)
            return fail(L, sn, "Status must be \"Active\" or \"Inactive\"");
        for (const unsigned char *p = (const unsigned char *)key->body; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                return fail(L, bn,
                            "SSHPublicKeyBody must be one line without control "
                            "characters");
        if (strncmp(key->body, "ssh-", 4) != 0 && strncmp(key->body, "ecdsa-", 6) != 0 &&
            strncmp(key->body, "sk-", 3) != 0)
            return fail(L, bn,
                        "SSHPublicKeyBody must be an OpenSSH public key (ssh-ed25519 "
                        "AAAA..., ssh-rsa ..., ecdsa-...)");
    }
    usr->n_ssh_keys = arr->u.arr.n;
    return 0;
}

static int user_posix(struct loader *L, const struct iam_json *u, struct iam_db_user *usr,
                      uint32_t idx, const char *what) {
    static const char *const allowed[] = {"Uid", "Gid", "Home", "Shell", "Gecos", NULL};
    const struct iam_json *px, *un, *gn, *hn, *sn, *cn;
    long prev;
    const char *why;
    int r = member(L, u, "Posix", IAM_JSON_OBJECT, !(L->flags & IAM_DB_PARSE_EXPORT), what, &px);

    if (r <= 0)
        return r;
    if ((r = check_members(L, px, allowed, "a user's Posix")) < 0 ||
        (r = member(L, px, "Uid", IAM_JSON_NUMBER, true, "a user's Posix", &un)) < 0 ||
        (r = posix_id(L, un, "Uid", &usr->uid)) < 0 ||
        (r = member(L, px, "Gid", IAM_JSON_NUMBER, true, "a user's Posix", &gn)) < 0 ||
        (r = posix_id(L, gn, "Gid", &usr->gid)) < 0 ||
        (r = str_member(L, px, "Home", false, "a user's Posix", &usr->home, &hn)) < 0 ||
        (r = str_member(L, px, "Shell", false, "a user's Posix", &usr->shell, &sn)) < 0 ||
        (r = str_member(L, px, "Gecos", false, "a user's Posix", &usr->gecos, &cn)) < 0)
        return r;
    if (usr->home) {
        if (usr->home[0] != '/')
            return fail(L, hn, "Home must be an absolute path");
        if ((why = iam_db_check_passwd_field(usr->home, IAM_MAX_HOME)))
            return fail(L, hn, "Home %s", why);
    }
    if (usr->shell) {
        if (usr->shell[0] != '/')
            return fail(L, sn, "Shell must be an absolute path");
        if ((why = iam_db_check_passwd_field(usr->shell, IAM_MAX_HOME)))
            return fail(L, sn, "Shell %s", why);
    }
    if (usr->gecos && (why = iam_db_check_passwd_field(usr->gecos, IAM_MAX_GECOS)))
        return fail(L, cn, "Gecos %s", why);
    usr->has_posix = true;
    prev = db_u32tab_insert(&L->ix->uids, usr->uid, idx);
    if (prev == -ENOMEM)
        return -ENOMEM;
    if (prev >= 0)
        return fail(L, un, "uid %u is already user \"%.64s\"'s", usr->uid, L->db->users[prev].name);
    /* private groups: gid = uid must not be a group's gid too */
    prev = db_u32tab_find(&L->ix->gids, usr->uid);
    if (prev >= 0)
        return fail(L, un,
                    "uid %u is group \"%.64s\"'s gid (the user's private group would "
                    "collide)",
                    usr->uid, L->db->groups[prev].name);
    return 0;
}

static int load_user(struct loader *L, const struct iam_json *u, uint32_t idx) {
    static const char *const allowed[] = {"Path",
                                          "UserName",
                                          "UserId",
                                          "Arn",
                                          "CreateDate",
                                          "UserPolicyList",
                                          "GroupList",
                                          "AttachedManagedPolicies",
                                          "PermissionsBoundary",
                                          "Tags",
                                          "AccessKeys",
                                          "LoginProfile",
                                          "SSHPublicKeys",
                                          "Posix",
                                          NULL};
    struct iam_db_user *usr = &L->db->users[idx];
    const struct iam_json *nn, *an, *pn, *gl;
    char what[IAM_MAX_USER_NAME + 16];
    long prev;
    int r;

    if (u->type != IAM_JSON_OBJECT)
        return fail(L, u, "a user must be an object");
    if ((r = check_members(L, u, allowed, "a user")) < 0 ||
        (r = str_member(L, u, "UserName", true, "a user", &usr->name, &nn)) < 0)
        return r;
    if ((r = name_rule(L, nn, "user name", usr->name, iam_db_check_user_name(usr->name))) < 0)
        return r;
    snprintf(what, sizeof(what), "user %s", usr->name);
    prev = db_strtab_insert(&L->ix->users, usr->name, idx);
    if (prev == -ENOMEM)
        return -ENOMEM;
    if (prev >= 0)
        return fail(L, nn, "duplicate user \"%.64s\" (user names are unique regardless of case)",
                    usr->name);
    prev = db_strtab_find(&L->ix->groups, usr->name);
    if (prev >= 0)
        return fail(L, nn,
                    "user \"%.64s\" has the name of group \"%.64s\" (its private group would "
                    "collide)",
                    usr->name, L->db->groups[prev].name);
    if ((r = str_member(L, u, "Path", false, what, &usr->path, &pn)) < 0)
        return r;
    if (!usr->path)
        usr->path = "/";
    else if ((r = name_rule(L, pn, "path", usr->path, iam_db_check_path(usr->path))) < 0)
        return r;
    if ((r = str_member(L, u, "Arn", !(L->flags & IAM_DB_PARSE_EXPORT), what, &usr->arn, &an)) < 0)
        return r;
    if (usr->arn) {
        if ((r = need_account(L, usr->arn, an)) < 0 ||
            (r = check_arn(L, an, usr->arn, L->db->account_id, "user", usr->path, usr->name)) < 0)
            return r;
    }
    if ((r = id_member(L, u, "UserId", what, idx, &usr->id)) < 0 ||
        (r = date_member(L, u, "CreateDate", false, what, &usr->create_date)) < 0 ||
        (r = inline_policies(L, u, "UserPolicyList", what, IAM_MAX_USER_INLINE_CHARS,
                             &usr->inline_policies, &usr->n_inline)) < 0 ||
        (r = attached_policies(L, u, what, &usr->attached, &usr->n_attached)) < 0 ||
        (r = boundary(L, u, what, &usr->boundary)) < 0 ||
        (r = tags(L, u, what, &usr->tags, &usr->n_tags, &usr->tags_listed)) < 0 ||
        (r = user_keys(L, u, usr, what)) < 0 || (r = user_login_profile(L, u, usr, what)) < 0 ||
        (r = user_ssh_keys(L, u, usr, what)) < 0 || (r = user_posix(L, u, usr, idx, what)) < 0)
        return r;
    if ((r = member(L, u, "GroupList", IAM_JSON_ARRAY, false, what, &gl)) < 0)
        return r;
    if (gl) {
        if (gl->u.arr.n > IAM_MAX_GROUPS_PER_USER)
            return fail(L, gl, "%s is in %zu groups; IAM allows %d", what, gl->u.arr.n,
                        IAM_MAX_GROUPS_PER_USER);
        usr->groups = db_arena_alloc(L->ix, gl->u.arr.n * sizeof(*usr->groups));
        if (!usr->groups)
            return -ENOMEM;
        for (size_t i = 0; i < gl->u.arr.n; i++) {
            const struct iam_json *gn = gl->u.arr.items[i];
            long g;

            if (gn->type != IAM_JSON_STRING)
                return fail(L, gn, "GroupList entries must be group names (strings)");
            g = db_strtab_find(&L->ix->groups, gn->u.str.s);
            if (g < 0)
                return fail(L, gn, "%s is in group \"%.64s\", which is not in GroupDetailList",
                            what, gn->u.str.s);
            for (size_t j = 0; j < i; j++)
                if (usr->groups[j] == &L->db->groups[g])
                    return fail(L, gn, "%s lists group \"%.64s\" twice", what, gn->u.str.s);
            usr->groups[i] = &L->db->groups[g];
            L->db->groups[g].n_members++;
        }
        usr->n_groups = gl->u.arr.n;
    }
    return 0;
}

/* The exact text of a value we carry but do not interpret (a role's InstanceProfileList and
 * RoleLastUsed), kept so an export prints it back; NULL when absent. */
static int raw_text(struct loader *L, const struct iam_json *n, const char **ret) {
    *ret = NULL;
    if (!n)
        return 0;
    *ret = db_arena_strndup(L->ix, L->text + n->start.offset, n->end.offset - n->start.offset);
    return *ret ? 0 : -ENOMEM;
}

/* ---- roles --------------------------------------------------------------------------- */

static int load_role(struct loader *L, const struct iam_json *ro, uint32_t idx) {
    static const char *const allowed[] = {"Path",
                                          "RoleName",
                                          "RoleId",
                                          "Arn",
                                          "CreateDate",
                                          "AssumeRolePolicyDocument",
                                          "InstanceProfileList",
                                          "RolePolicyList",
                                          "AttachedManagedPolicies",
                                          "PermissionsBoundary",
                                          "Tags",
                                          "RoleLastUsed",
                                          "Description",
                                          "MaxSessionDuration",
                                          NULL};
    struct iam_db_role *role = &L->db->roles[idx];
    const struct iam_json *nn, *an, *pn, *tp, *n;
    char what[IAM_MAX_ROLE_NAME + 16];
    size_t size;
    long prev;
    int r;

    if (ro->type != IAM_JSON_OBJECT)
        return fail(L, ro, "a role must be an object");
    if ((r = check_members(L, ro, allowed, "a role")) < 0 ||
        (r = str_member(L, ro, "RoleName", true, "a role", &role->name, &nn)) < 0)
        return r;
    if ((r = name_rule(L, nn, "role name", role->name, iam_db_check_role_name(role->name))) < 0)
        return r;
    snprintf(what, sizeof(what), "role %s", role->name);
    prev = db_strtab_insert(&L->ix->roles, role->name, idx);
    if (prev == -ENOMEM)
        return -ENOMEM;
    if (prev >= 0)
        return fail(L, nn, "duplicate role \"%.64s\" (role names are unique regardless of case)",
                    role->name);
    if ((r = str_member(L, ro, "Path", false, what, &role->path, &pn)) < 0)
        return r;
    if (!role->path)
        role->path = "/";
    else if ((r = name_rule(L, pn, "path", role->path, iam_db_check_path(role->path))) < 0)
        return r;
    if ((r = str_member(L, ro, "Arn", true, what, &role->arn, &an)) < 0 ||
        (r = need_account(L, role->arn, an)) < 0 ||
        (r = check_arn(L, an, role->arn, L->db->account_id, "role", role->path, role->name)) < 0 ||
        (r = id_member(L, ro, "RoleId", what, idx, &role->id)) < 0 ||
        (r = date_member(L, ro, "CreateDate", false, what, &role->create_date)) < 0 ||
        (r = inline_policies(L, ro, "RolePolicyList", what, IAM_MAX_ROLE_INLINE_CHARS,
                             &role->inline_policies, &role->n_inline)) < 0 ||
        (r = attached_policies(L, ro, what, &role->attached, &role->n_attached)) < 0 ||
        (r = boundary(L, ro, what, &role->boundary)) < 0 ||
        (r = tags(L, ro, what, &role->tags, &role->n_tags, &role->tags_listed)) < 0 ||
        (r = member(L, ro, "InstanceProfileList", IAM_JSON_ARRAY, false, what, &n)) < 0 ||
        (r = raw_text(L, n, &role->instance_profiles)) < 0 ||
        (r = member(L, ro, "RoleLastUsed", IAM_JSON_OBJECT, false, what, &n)) < 0 ||
        (r = raw_text(L, n, &role->last_used)) < 0 ||
        (r = str_member(L, ro, "Description", false, what, &role->description, NULL)) < 0 ||
        (r = member(L, ro, "MaxSessionDuration", IAM_JSON_NUMBER, false, what, &n)) < 0)
        return r;
    if (n) {
        uint64_t d;
        /* IAM: 3,600 to 43,200 seconds */
        if ((r = u64_of(L, n, 43200, "MaxSessionDuration", &d)) < 0)
            return r;
        if (d < 3600)
            return fail(L, n, "MaxSessionDuration must be 3600 to 43200 seconds");
        role->max_session_duration = (uint32_t)d;
    }
    tp = iam_json_get(ro, "AssumeRolePolicyDocument");
    if (tp) {
        r = document(L, tp, "AssumeRolePolicyDocument", IAM_POLICY_RESOURCE, &role->trust_policy,
                     &size);
        if (r < 0)
            return r;
        if (size > IAM_MAX_TRUST_POLICY_CHARS)
            return fail(L, tp,
                        "trust policy of %s is %zu characters (whitespace excluded); IAM allows "
                        "%d",
                        what, size, IAM_MAX_TRUST_POLICY_CHARS);
    }
    return 0;
}

/* ---- the document -------------------------------------------------------------------- */

static int build_members(struct loader *L) {
    struct iam_db *db = L->db;

    for (size_t g = 0; g < db->n_groups; g++) {
        if (db->groups[g].n_members == 0)
            continue;
        db->groups[g].members =
            db_arena_alloc(L->ix, db->groups[g].n_members * sizeof(*db->groups[g].members));
        if (!db->groups[g].members)
            return -ENOMEM;
        db->groups[g].n_members = 0;
    }
    for (size_t u = 0; u < db->n_users; u++)
        for (size_t i = 0; i < db->users[u].n_groups; i++) {
            struct iam_db_group *grp = &db->groups[db->users[u].groups[i] - db->groups];
            grp->members[grp->n_members++] = &db->users[u];
        }
    return 0;
}

/* An export brings what AWS knows about an account. Credentials (access keys and their
 * hashes and dates, login profiles, SSH public keys) and POSIX identities are this host's
 * own: set by the credential verbs, allocated by iamctl. AWS's export never holds them and
 * iamctl's leaves them out, so a file that does is not an export, and it is refused whole
 * (dropping the fields would import the rest of a file made to smuggle something in). The
 * first such member in the file is named, in document order. */
static const char *const host_fields_why =
    "an export cannot bring credentials or POSIX identities (AWS exports have none): this "
    "host's are set by the credential verbs (create-access-key, create-login-profile, "
    "upload-ssh-public-key) and its uids and gids by iamctl; remove the member and import "
    "again";

/* One item of UserDetailList or GroupDetailList (key): its first such member, into
 * L->host_field unless one was found before it. */
static void host_fields_item(struct loader *L, const char *key, const struct iam_json *item) {
    static const char *const user_fields[] = {"AccessKeys", "LoginProfile", "SSHPublicKeys",
                                              "Posix", NULL};
    static const char *const group_fields[] = {"Posix", NULL};
    const char *const *fields;
    const char *kind, *name_key;
    const struct iam_json *nn;
    struct iam_error *err = L->err;

    if (L->host_field.set || !key || item->type != IAM_JSON_OBJECT)
        return; /* the loader says what is wrong with an item that is not an object */
    if (strcmp(key, "UserDetailList") == 0) {
        fields = user_fields;
        kind = "user";
        name_key = "UserName";
    } else if (strcmp(key, "GroupDetailList") == 0) {
        fields = group_fields;
        kind = "group";
        name_key = "GroupName";
    } else {
        return;
    }
    nn = iam_json_get(item, name_key);
    L->err = &L->host_field;
    for (size_t j = 0; j < item->u.obj.n && !L->host_field.set; j++) {
        const struct iam_json_member *m = &item->u.obj.members[j];

        for (const char *const *f = fields; *f; f++)
            if (strcmp(*f, m->key) == 0) {
                (void)fail_key(L, m, "\"%s\" in %s %.64s: %s", m->key, kind,
                               iam_json_is_string(nn) ? nn->u.str.s : "(no name)",
                               host_fields_why);
                break;
            }
    }
    L->err = err;
}

static void on_item(void *ctx, const char *key, size_t index, const struct iam_json *item) {
    struct loader *L = ctx;

    (void)index;
    if (!(L->flags & IAM_DB_PARSE_EXPORT))
        return;
    host_fields_item(L, key, item);
}

/* The first credential or POSIX member in the file, in document order: a top-level "Posix",
 * or the first one in a user or group (found while the document was read). */
static int export_host_fields(struct loader *L, const struct iam_json *root) {
    for (size_t i = 0; i < root->u.obj.n; i++) {
        const struct iam_json_member *top = &root->u.obj.members[i];

        if (strcmp(top->key, "Posix") == 0 &&
            (!L->host_field.set || top->key_pos.offset < L->host_field.offset))
            return fail_key(L, top, "\"Posix\" in the document: %s", host_fields_why);
    }
    if (L->host_field.set) {
        if (L->err) {
            struct iam_error e = L->host_field;
            memcpy(e.source, L->err->source, sizeof(e.source));
            *L->err = e;
        }
        return -EINVAL;
    }
    return 0;
}

/* Item i of a section: the parse kept it deferred (db_parse_opts), so it is parsed on its
 * own here, into *ret_doc (the caller frees it once the item is loaded). */
static int section_item(struct loader *L, const struct iam_json *arr, size_t i,
                        struct iam_json_doc **ret_doc, const struct iam_json **ret) {
    const struct iam_json *item = arr->u.arr.items[i];
    int r;

    *ret_doc = NULL;
    *ret = item;
    if (!item->deferred)
        return 0;
    if ((r = iam_json_parse_item(L->text, item, NULL, ret_doc, L->err)) < 0)
        return r;
    *ret = iam_json_root(*ret_doc);
    return 0;
}

static int section(struct loader *L, const struct iam_json *root, const char *key,
                   const struct iam_json **ret) {
    return member(L, root, key, IAM_JSON_ARRAY, false, "the database", ret);
}

static int load_root(struct loader *L, const struct iam_json *root) {
    static const char *const allowed[] = {"FormatVersion",
                                          "Serial",
                                          "AccountId",
                                          "Posix",
                                          "UserDetailList",
                                          "GroupDetailList",
                                          "RoleDetailList",
                                          "Policies",
                                          "IsTruncated",
                                          "Marker",
                                          NULL};
    struct iam_db *db = L->db;
    struct iam_db_index *ix = L->ix;
    const struct iam_json *fv, *sn, *acc, *px, *users, *groups, *roles, *pols, *tr;
    bool is_db = !(L->flags & IAM_DB_PARSE_EXPORT);
    size_t nu, ng, nr, np;
    uint64_t n;
    int r;

    if (root->type != IAM_JSON_OBJECT)
        return fail(L, root, "the database must be a JSON object");
    if (!is_db && (r = export_host_fields(L, root)) < 0)
        return r;
    if ((r = check_members(L, root, allowed, "the database")) < 0 ||
        (r = member(L, root, "FormatVersion", IAM_JSON_NUMBER, is_db, "the database", &fv)) < 0 ||
        (r = member(L, root, "Serial", IAM_JSON_NUMBER, is_db, "the database", &sn)) < 0 ||
        (r = str_member(L, root, "AccountId", is_db, "the database", &db->account_id, &acc)) < 0 ||
        (r = member(L, root, "Posix", IAM_JSON_OBJECT, is_db, "the database", &px)) < 0 ||
        (r = member(L, root, "IsTruncated", IAM_JSON_TRUE, false, "the database", &tr)) < 0)
        return r;
    if (tr && tr->type == IAM_JSON_TRUE)
        return fail(L, tr,
                    "the export is truncated (IsTruncated is true): export again with "
                    "--no-paginate, importing part of an account would drop policies");
    db->format_version = IAM_DB_FORMAT_VERSION;
    if (fv) {
        if ((r = u64_of(L, fv, 1000, "FormatVersion", &n)) < 0)
            return r;
        if (n != IAM_DB_FORMAT_VERSION)
            return fail(L, fv, "FormatVersion %llu is not supported (this version reads %d)",
                        (unsigned long long)n, IAM_DB_FORMAT_VERSION);
    }
    if (sn && (r = u64_of(L, sn, UINT64_MAX / 2, "Serial", &db->serial)) < 0)
        return r;
    if (db->account_id) {
        bool ok = strlen(db->account_id) == 12;
        for (const char *p = db->account_id; *p; p++)
            ok = ok && *p >= '0' && *p <= '9';
        if (!ok)
            return fail(L, acc, "AccountId must be 12 digits");
    }
    if (px) {
        static const char *const pallowed[] = {"NextUid", NULL};
        const struct iam_json *nx;
        if ((r = check_members(L, px, pallowed, "the database's Posix")) < 0 ||
            (r = member(L, px, "NextUid", IAM_JSON_NUMBER, true, "the database's Posix", &nx)) <
                0 ||
            (r = u64_of(L, nx, 4294967295u, "NextUid", &n)) < 0)
            return r;
        db->next_uid = (uint32_t)n;
    }
    if ((r = section(L, root, "Policies", &pols)) < 0 ||
        (r = section(L, root, "GroupDetailList", &groups)) < 0 ||
        (r = section(L, root, "UserDetailList", &users)) < 0 ||
        (r = section(L, root, "RoleDetailList", &roles)) < 0)
        return r;
    np = pols ? pols->u.arr.n : 0;
    ng = groups ? groups->u.arr.n : 0;
    nu = users ? users->u.arr.n : 0;
    nr = roles ? roles->u.arr.n : 0;
    if (nu > UINT32_MAX / 4 || ng > UINT32_MAX / 4 || np > UINT32_MAX / 4 || nr > UINT32_MAX / 4)
        return fail(L, root, "too many entries");
    if (db_strtab_init(&ix->users, nu, true) < 0 || db_strtab_init(&ix->groups, ng, true) < 0 ||
        db_strtab_init(&ix->roles, nr, true) < 0 ||
        db_strtab_init(&ix->policies_by_arn, np, false) < 0 ||
        db_strtab_init(&ix->policy_names, np, true) < 0 ||
        db_strtab_init(&ix->ids, nu + ng + nr + np, false) < 0 ||
        db_strtab_init(&ix->keys, nu * 2, false) < 0 ||
        db_strtab_init(&ix->checked[0], 64, false) < 0 ||
        db_strtab_init(&ix->checked[1], 16, false) < 0 ||
        db_strtab_init(&ix->compiled[0], 16, false) < 0 ||
        db_strtab_init(&ix->compiled[1], 16, false) < 0 || db_u32tab_init(&ix->uids, nu) < 0 ||
        db_u32tab_init(&ix->gids, ng) < 0)
        return -ENOMEM;
    db->policies = calloc(np ? np : 1, sizeof(*db->policies));
    db->groups = calloc(ng ? ng : 1, sizeof(*db->groups));
    db->users = calloc(nu ? nu : 1, sizeof(*db->users));
    db->roles = calloc(nr ? nr : 1, sizeof(*db->roles));
    if (!db->policies || !db->groups || !db->users || !db->roles)
        return -ENOMEM;
    for (size_t i = 0; i < np; i++, db->n_policies++) {
        const struct iam_json *item;
        struct iam_json_doc *doc;

        if ((r = section_item(L, pols, i, &doc, &item)) < 0)
            return r;
        r = load_policy(L, item, (uint32_t)i);
        iam_json_doc_free(doc);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < ng; i++, db->n_groups++) {
        const struct iam_json *item;
        struct iam_json_doc *doc;

        if ((r = section_item(L, groups, i, &doc, &item)) < 0)
            return r;
        r = load_group(L, item, (uint32_t)i);
        iam_json_doc_free(doc);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < nu; i++, db->n_users++) {
        const struct iam_json *item;
        struct iam_json_doc *doc;

        if ((r = section_item(L, users, i, &doc, &item)) < 0)
            return r;
        r = load_user(L, item, (uint32_t)i);
        iam_json_doc_free(doc);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < nr; i++, db->n_roles++) {
        const struct iam_json *item;
        struct iam_json_doc *doc;

        if ((r = section_item(L, roles, i, &doc, &item)) < 0)
            return r;
        r = load_role(L, item, (uint32_t)i);
        iam_json_doc_free(doc);
        if (r < 0)
            return r;
    }
    if ((r = build_members(L)) < 0)
        return r;
    if (is_db || db->next_uid) {
        /* the high-water mark must be above every id handed out */
        for (size_t i = 0; i < db->n_users; i++)
            if (db->users[i].has_posix && db->users[i].uid >= db->next_uid)
                return fail(L, px, "Posix.NextUid %u is not above uid %u of user \"%.64s\"",
                            db->next_uid, db->users[i].uid, db->users[i].name);
        for (size_t i = 0; i < db->n_groups; i++)
            if (db->groups[i].has_posix && db->groups[i].gid >= db->next_uid)
                return fail(L, px, "Posix.NextUid %u is not above gid %u of group \"%.64s\"",
                            db->next_uid, db->groups[i].gid, db->groups[i].name);
    }
    return 0;
}

void iam_db_free(struct iam_db *db) {
    struct iam_db_index *ix;

    if (!db)
        return;
    ix = db->index;
    if (ix) {
        iam_arena_free(&ix->arena);
        for (size_t i = 0; i < ix->n_compiled; i++)
            iam_policy_free(ix->compiled_list[i]);
        free(ix->compiled_list);
        db_strtab_free(&ix->users);
        db_strtab_free(&ix->groups);
        db_strtab_free(&ix->roles);
        db_strtab_free(&ix->policies_by_arn);
        db_strtab_free(&ix->policy_names);
        db_strtab_free(&ix->ids);
        db_strtab_free(&ix->keys);
        for (int t = 0; t < 2; t++) {
            db_strtab_free(&ix->checked[t]);
            db_strtab_free(&ix->compiled[t]);
        }
        db_u32tab_free(&ix->uids);
        db_u32tab_free(&ix->gids);
        free(ix->key_list);
        free(ix->key_owner);
        free(ix);
    }
    free(db->users);
    free(db->groups);
    free(db->roles);
    free(db->policies);
    free(db);
}

int iam_db_parse(const char *text, size_t len, const char *source, unsigned flags,
                 struct iam_db **ret_db, struct iam_error *reterr) {
    struct iam_json_doc *doc = NULL;
    struct iam_db *db = NULL;
    struct loader L = {0};
    struct iam_json_opts opts = {.defer_depth = 2};
    int r = -ENOMEM;

    iam_error_set_source(reterr, source);
    db = calloc(1, sizeof(*db));
    if (!db)
        goto out;
    db->index = calloc(1, sizeof(*db->index));
    if (!db->index)
        goto out;
    db->index->arena = IAM_ARENA_INIT(DB_ARENA_CHUNK);
    L.db = db;
    L.ix = db->index;
    L.err = reterr;
    L.text = text;
    L.len = len;
    L.flags = flags;
    iam_error_init(&L.host_field);
    /* the sections' entries are read one at a time: the whole tree of a large account
     * would be several times the size of its text */
    opts.on_deferred = on_item;
    opts.ctx = &L;
    r = iam_json_parse(text, len, &opts, &doc, reterr);
    if (r < 0)
        goto out;
    r = load_root(&L, iam_json_root(doc));
    if (r < 0)
        goto out;
    if (!db->account_id) {
        iam_error_set(reterr, 0, 0, 0, "cannot tell the account id: no AccountId and no ARN");
        r = -EINVAL;
        goto out;
    }
    *ret_db = db;
    db = NULL;
    r = 0;
out:
    if (r == -ENOMEM)
        iam_error_set(reterr, 0, 0, 0, "out of memory");
    iam_json_doc_free(doc);
    iam_db_free(db);
    return r;
}

int iam_db_load(const char *path, unsigned flags, struct iam_db **ret_db,
                struct iam_error *reterr) {
    char *buf = NULL;
    size_t len = 0;
    int r;

    r = iam_file_read_safe(path, IAM_DB_MAX_SIZE, &buf, &len, reterr);
    if (r < 0)
        return r;
    r = iam_db_parse(buf, len, path, flags, ret_db, reterr);
    free(buf);
    return r;
}
