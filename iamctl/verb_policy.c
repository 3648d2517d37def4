/* SPDX-License-Identifier: Apache-2.0 */
/* Policies: inline (put-/get-/delete-/list-user-policy, the same for groups and roles), managed
 * (create-policy, get-policy, list-policies, delete-policy, versions) and attachments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "verb_common.h"

/* ---- inline policies ---------------------------------------------------------------------- */

static int put_inline(int argc, char *argv[], enum iam_store_kind kind) {
    struct opt opts[] = {{kind_opt(kind), OPT_VALUE, true},
                         {"policy-name", OPT_VALUE, true},
                         {"policy-document", OPT_VALUE, true},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity t;
    struct iam_store_inline *ip;
    const char *pname, *why;
    size_t max = kind == IAM_STORE_GROUP  ? IAM_MAX_GROUP_INLINE_CHARS
                 : kind == IAM_STORE_ROLE ? IAM_MAX_ROLE_INLINE_CHARS
                                          : IAM_MAX_USER_INLINE_CHARS,
           n, others = 0;
    char what[32];
    char *doc = NULL;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    pname = opt_value(opts, "policy-name");
    if ((why = iam_db_check_inline_policy_name(pname))) {
        r = iamctl_fail("ValidationError: policy name \"%.64s\" %s", pname, why);
        goto out;
    }
    snprintf(what, sizeof(what), "inline %s policy", kind_word(kind));
    if ((r = read_policy_document(opt_value(opts, "policy-document"), max, what, &doc)) ||
        (r = sth_open(&h, true)) || (r = find_target(&h, opts, kind, &t)))
        goto out;
    /* IAM's quota is for the aggregate of an entity's inline policies */
    if ((r = iam_store_inline_list(h.st, &t, &ip, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(ip[i].name, pname) != 0)
            others += iam_db_policy_size(ip[i].document, strlen(ip[i].document));
    if (others + iam_db_policy_size(doc, strlen(doc)) > max) {
        r = iamctl_fail("LimitExceeded: Maximum policy size of %zu bytes exceeded for %s %s "
                        "(all inline policies together, whitespace excluded)",
                        max, kind_word(kind), t.name);
        goto out;
    }
    if ((r = iam_store_inline_put(h.st, &t, pname, doc)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    free(doc);
    opts_free(opts);
    return sth_close(&h, r);
}

static int get_inline(int argc, char *argv[], enum iam_store_kind kind, char op) {
    struct opt opts[] = {{kind_opt(kind), OPT_VALUE, true},
                         {"policy-name", OPT_VALUE, op != 'l'},
                         PAGE_OPTS,
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity t;
    struct iam_store_inline *ip;
    struct page pg;
    const char *pname;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (op != 'l' && (r = page_refuse(opts, argv[0]))) || (r = sth_open(&h, op == 'd')) ||
        (r = find_target(&h, opts, kind, &t)))
        goto out;
    if ((r = iam_store_inline_list(h.st, &t, &ip, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    pname = opt_value(opts, "policy-name");
    if (op == 'l') {
        size_t from, to;
        int64_t next;
        json_t *arr = json_array();
        page_slice(&pg, n, &from, &to, &next);
        for (size_t i = from; i < to; i++)
            json_array_append_new(arr, json_string(ip[i].name));
        r = print_page(json_pack("{s:o}", "PolicyNames", arr), next);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(ip[i].name, pname) != 0)
            continue;
        if (op == 'g') {
            r = print_json(json_pack("{s:s,s:s,s:o}",
                                     kind == IAM_STORE_GROUP  ? "GroupName"
                                     : kind == IAM_STORE_ROLE ? "RoleName"
                                                              : "UserName",
                                     t.name,
                                     "PolicyName", ip[i].name, "PolicyDocument",
                                     document_json(ip[i].document)));
        } else {
            r = iam_store_inline_delete(h.st, &t, ip[i].name);
            r = r < 0 ? sth_fail(&h, r) : sth_commit(&h);
        }
        goto out;
    }
    r = iamctl_fail("NoSuchEntity: The %s policy with name %.128s cannot be found.",
                    kind_word(kind), pname);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_put_user_policy(int argc, char *argv[]) {
    return put_inline(argc, argv, IAM_STORE_USER);
}
int verb_put_group_policy(int argc, char *argv[]) {
    return put_inline(argc, argv, IAM_STORE_GROUP);
}
int verb_get_user_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_USER, 'g');
}
int verb_get_group_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_GROUP, 'g');
}
int verb_delete_user_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_USER, 'd');
}
int verb_delete_group_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_GROUP, 'd');
}
int verb_list_user_policies(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_USER, 'l');
}
int verb_list_group_policies(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_GROUP, 'l');
}

/* ---- attachments -------------------------------------------------------------------------- */

static int attach(int argc, char *argv[], enum iam_store_kind kind, bool detach) {
    struct opt opts[] = {{kind_opt(kind), OPT_VALUE, true},
                         {"policy-arn", OPT_VALUE, true},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity t;
    struct iam_store_policy mp;
    struct iam_store_attached *att;
    const char *arn;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = find_target(&h, opts, kind, &t)))
        goto out;
    arn = opt_value(opts, "policy-arn");
    if ((r = sth_policy(&h, arn, PM_NOT_ATTACHABLE,
                        &mp)))
        goto out;
    if ((r = iam_store_attached_list(h.st, &t, &att, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (att[i].policy != mp.id)
            continue;
        if (!detach)
            goto out; /* as IAM: attaching twice changes nothing (r is 0) */
        r = iam_store_detach(h.st, &t, mp.id);
        r = r < 0 ? sth_fail(&h, r) : sth_commit(&h);
        goto out;
    }
    if (detach) {
        r = iamctl_fail("NoSuchEntity: Policy %.256s was not found to be attached.", arn);
        goto out;
    }
    if (!mp.is_attachable) {
        r = iamctl_fail("InvalidInput: policy %.256s is not attachable", arn);
        goto out;
    }
    if (n >= IAM_MAX_ATTACHED_POLICIES) {
        r = iamctl_fail("LimitExceeded: Cannot exceed quota for PoliciesPer%s: %d",
                        kind == IAM_STORE_GROUP  ? "Group"
                        : kind == IAM_STORE_ROLE ? "Role"
                                                 : "User",
                        IAM_MAX_ATTACHED_POLICIES);
        goto out;
    }
    r = iam_store_attach(h.st, &t, mp.id);
    r = r < 0 ? sth_fail(&h, r) : sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_attach_user_policy(int argc, char *argv[]) {
    return attach(argc, argv, IAM_STORE_USER, false);
}
int verb_attach_group_policy(int argc, char *argv[]) {
    return attach(argc, argv, IAM_STORE_GROUP, false);
}
int verb_detach_user_policy(int argc, char *argv[]) {
    return attach(argc, argv, IAM_STORE_USER, true);
}
int verb_detach_group_policy(int argc, char *argv[]) {
    return attach(argc, argv, IAM_STORE_GROUP, true);
}
int verb_put_role_policy(int argc, char *argv[]) {
    return put_inline(argc, argv, IAM_STORE_ROLE);
}
int verb_get_role_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_ROLE, 'g');
}
int verb_delete_role_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_ROLE, 'd');
}
int verb_list_role_policies(int argc, char *argv[]) {
    return get_inline(argc, argv, IAM_STORE_ROLE, 'l');
}
int verb_attach_role_policy(int argc, char *argv[]) {
    return attach(argc, argv, IAM_STORE_ROLE, false);
}
int verb_detach_role_policy(int argc, char *argv[]) {
    return attach(argc, argv, IAM_STORE_ROLE, true);
}

/* list-attached-{user,group,role}-policies */
int list_attached(int argc, char *argv[], enum iam_store_kind kind) {
    const char *opt = kind == IAM_STORE_GROUP ? "group-name"
                      : kind == IAM_STORE_ROLE ? "role-name"
                                               : "user-name";
    struct opt opts[] = {{opt, OPT_VALUE, true}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity t;
    struct iam_store_attached *att;
    struct page pg;
    size_t n, from, to;
    int64_t next;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (r = sth_open(&h, false)))
        goto out;
    r = kind == IAM_STORE_GROUP  ? sth_group(&h, opt_value(opts, opt), &t)
        : kind == IAM_STORE_ROLE ? sth_role(&h, opt_value(opts, opt), &t)
                                 : sth_user(&h, opt_value(opts, opt), &t);
    if (r)
        goto out;
    if ((r = iam_store_attached_list(h.st, &t, &att, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    page_slice(&pg, n, &from, &to, &next);
    arr = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s}", "PolicyName", att[i].name, "PolicyArn",
                                             att[i].arn));
    r = print_page(json_pack("{s:o}", "AttachedPolicies", arr), next);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_list_attached_user_policies(int argc, char *argv[]) {
    return list_attached(argc, argv, IAM_STORE_USER);
}
int verb_list_attached_group_policies(int argc, char *argv[]) {
    return list_attached(argc, argv, IAM_STORE_GROUP);
}

/* ---- managed policies ---------------------------------------------------------------------- */

static int create_policy_args(struct opt *opts, json_t **ret_tags) {
    const char *name = opt_value(opts, "policy-name"), *path = opt_value(opts, "path");
    const char *desc = opt_value(opts, "description"), *why;

    if ((why = iam_db_check_managed_policy_name(name)))
        return iamctl_fail("ValidationError: policy name \"%.64s\" %s", name, why);
    if (path && (why = iam_db_check_path(path)))
        return iamctl_usage("--path %s", why);
    if (desc && (strlen(desc) > 1000 || iam_db_check_passwd_field(desc, 1000)))
        return iamctl_usage("--description: at most 1000 characters, no control characters");
    if (opt_get(opts, "tags")->set)
        return parse_tags(opt_get(opts, "tags")->list, opt_get(opts, "tags")->n_list, ret_tags);
    return 0;
}

/* The new policy's summary as create-policy prints it (with its tags). */
static json_t *created_policy(struct sth *h, const char *arn, json_t *tags, int *r) {
    struct iam_store_policy mp;
    json_t *o;

    if ((*r = iam_store_policy_get(h->st, arn, &mp)) < 0)
        return NULL;
    o = policy_summary(&mp);
    if (tags)
        json_object_set(o, "Tags", tags);
    return json_pack("{s:o}", "Policy", o);
}

int verb_create_policy(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-name", OPT_VALUE, true},
                         {"policy-document", OPT_VALUE, true},
                         {"path", OPT_VALUE},
                         {"description", OPT_VALUE},
                         {"tags", OPT_LIST},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_policy p = {.is_attachable = true, .source = IAM_STORE_SOURCE_LOCAL};
    struct iam_store_policy_version v = {.version_id = "v1", .is_default = true};
    char *doc = NULL, *arn = NULL, id[22], now[32];
    json_t *tags = NULL, *out = NULL, *t;
    size_t i;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = create_policy_args(opts, &tags)) ||
        (r = read_policy_document(opt_value(opts, "policy-document"),
                                  IAM_MAX_MANAGED_POLICY_CHARS, "managed policy", &doc)) ||
        (r = sth_open(&h, true)))
        goto out;
    p.name = opt_value(opts, "policy-name");
    p.path = opt_value(opts, "path") ? opt_value(opts, "path") : "/";
    if ((r = iam_store_policy_name_taken(h.st, p.name)) != 0) {
        r = r < 0 ? sth_fail(&h, r)
                  : iamctl_fail("EntityAlreadyExists: A policy called %s already exists. "
                                "Duplicate names are not allowed.",
                                p.name);
        goto out;
    }
    make_unique_id("ANPA", id);
    now_iso(now);
    if (!(arn = sth_arn(&h, "policy", p.path, p.name))) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    p.policy_id = id;
    p.arn = arn;
    p.description = opt_value(opts, "description");
    p.create_date = p.update_date = v.create_date = now;
    v.document = doc;
    if ((r = iam_store_policy_insert(h.st, &p, &p.id)) < 0 ||
        (r = iam_store_policy_version_add(h.st, p.id, &v, NULL)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    json_array_foreach(tags, i, t) {
        if ((r = iam_store_policy_tag_set(h.st, p.id, json_string_value(json_object_get(t, "Key")),
                                          json_string_value(json_object_get(t, "Value")))) < 0) {
            r = sth_fail(&h, r);
            goto out;
        }
    }
    if (!(out = created_policy(&h, arn, tags, &r))) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (!(r = sth_commit(&h))) {
        r = print_json(out);
        out = NULL;
    }
out:
    json_decref(out);
    json_decref(tags);
    free(doc);
    free(arn);
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_get_policy(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-arn", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_policy mp;
    int r;

    if (!(r = opts_parse(argc, argv, opts)) && !(r = sth_open(&h, false)) &&
        !(r = sth_policy(&h, opt_value(opts, "policy-arn"), PM_NOT_FOUND, &mp)))
        r = print_json(json_pack("{s:o}", "Policy", policy_summary(&mp)));
    opts_free(opts);
    return sth_close(&h, r);
}

static int append_policy(void *ctx, const struct iam_store_policy *p) {
    return json_array_append_new(ctx, policy_summary(p)) < 0 ? -ENOMEM : 0;
}

int verb_list_policies(int argc, char *argv[]) {
    struct opt opts[] = {{"scope", OPT_VALUE},
                         {"only-attached", OPT_FLAG},
                         {"path-prefix", OPT_VALUE},
                         {"policy-usage-filter", OPT_VALUE},
                         PAGE_OPTS,
                         {NULL}};
    struct sth h = STH_INIT;
    enum iam_store_policy_scope scope = IAM_STORE_SCOPE_ALL;
    const char *sc, *uf;
    struct page pg;
    json_t *arr = NULL;
    int64_t next = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)))
        goto out;
    sc = opt_value(opts, "scope");
    if (sc && strcmp(sc, "AWS") == 0)
        scope = IAM_STORE_SCOPE_AWS;
    else if (sc && strcmp(sc, "Local") == 0)
        scope = IAM_STORE_SCOPE_LOCAL;
    else if (sc && strcmp(sc, "All") != 0) {
        r = iamctl_usage("--scope must be All, AWS or Local");
        goto out;
    }
    /* every policy on a host is a permissions policy or a boundary: both filters list all */
    uf = opt_value(opts, "policy-usage-filter");
    if (uf && strcmp(uf, "PermissionsPolicy") != 0 && strcmp(uf, "PermissionsBoundary") != 0) {
        r = iamctl_usage("--policy-usage-filter must be PermissionsPolicy or PermissionsBoundary");
        goto out;
    }
    if ((r = sth_open(&h, false)))
        goto out;
    arr = json_array();
    if ((r = iam_store_policy_list(h.st, scope, opt_get(opts, "only-attached")->set,
                                   opt_value(opts, "path-prefix"), pg.after, pg.max, append_policy,
                                   arr, &next)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = print_page(json_pack("{s:o}", "Policies", arr), next);
    arr = NULL;
out:
    json_decref(arr);
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_delete_policy(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-arn", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_policy mp;
    struct iam_store_policy_version *v;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = sth_policy(&h, opt_value(opts, "policy-arn"), PM_NOT_FOUND, &mp)))
        goto out;
    if (mp.attachment_count || mp.boundary_usage_count) {
        r = iamctl_fail("DeleteConflict: Cannot delete a policy attached to entities (or used "
                        "as a permissions boundary).");
        goto out;
    }
    if ((r = iam_store_policy_versions(h.st, mp.id, &v, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (n > 1) {
        r = iamctl_fail("DeleteConflict: This policy has more than one version. Before you "
                        "delete a policy, you must delete the policy's versions. The default "
                        "version is deleted with the policy.");
        goto out;
    }
    r = iam_store_policy_delete(h.st, mp.id);
    r = r < 0 ? sth_fail(&h, r) : sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

static json_t *version_json(const struct iam_store_policy_version *v, bool doc) {
    json_t *o = json_object();

    if (doc)
        json_object_set_new(o, "Document", document_json(v->document));
    json_object_set_new(o, "VersionId", json_string(v->version_id));
    json_object_set_new(o, "IsDefaultVersion", json_boolean(v->is_default));
    if (v->create_date)
        json_object_set_new(o, "CreateDate", json_string(v->create_date));
    return o;
}

/* A customer managed policy to change (AWS managed ones belong to AWS). */
static int policy_for_edit(struct sth *h, const char *arn, struct iam_store_policy *mp) {
    int r = sth_policy(h, arn, PM_NOT_FOUND, mp);

    if (r)
        return r;
    if (mp->aws_managed)
        return iamctl_fail("InvalidInput: AWS managed policy %.256s cannot be changed", arn);
    return 0;
}

int verb_create_policy_version(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-arn", OPT_VALUE, true},
                         {"policy-document", OPT_VALUE, true},
                         {"set-as-default", OPT_FLAG},
                         {"no-set-as-default", OPT_FLAG},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_policy mp;
    struct iam_store_policy_version *vs, v = {0};
    char *doc = NULL, vid[16], now[32];
    unsigned long maxv = 0;
    json_t *out = NULL;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) ||
        (r = read_policy_document(opt_value(opts, "policy-document"),
                                  IAM_MAX_MANAGED_POLICY_CHARS, "managed policy", &doc)) ||
        (r = sth_open(&h, true)) || (r = policy_for_edit(&h, opt_value(opts, "policy-arn"), &mp)))
        goto out;
    if ((r = iam_store_policy_versions(h.st, mp.id, &vs, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (n >= IAM_MAX_POLICY_VERSIONS) {
        r = iamctl_fail("LimitExceeded: A managed policy can have up to %d versions. Before you "
                        "create a new version, you must delete an existing version.",
                        IAM_MAX_POLICY_VERSIONS);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned long k = strtoul(vs[i].version_id + 1, NULL, 10);
        if (k > maxv)
            maxv = k;
    }
    snprintf(vid, sizeof(vid), "v%lu", maxv + 1);
    now_iso(now);
    v.version_id = vid;
    v.document = doc;
    v.create_date = now;
    v.is_default = opt_get(opts, "set-as-default")->set;
    if ((r = iam_store_policy_version_add(h.st, mp.id, &v, now)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    out = json_pack("{s:o}", "PolicyVersion", version_json(&v, false));
    if (!(r = sth_commit(&h))) {
        r = print_json(out);
        out = NULL;
    }
out:
    json_decref(out);
    free(doc);
    opts_free(opts);
    return sth_close(&h, r);
}

/* get- / delete-policy-version, set-default-policy-version on the version found. */
static int version_found(struct sth *h, const struct iam_store_policy *mp,
                         const struct iam_store_policy_version *v, char op) {
    char now[32];
    int r;

    if (op == 'g')
        return print_json(json_pack("{s:o}", "PolicyVersion", version_json(v, true)));
    if (op == 'd') {
        if (v->is_default)
            return iamctl_fail("DeleteConflict: Cannot delete the default version of a policy.");
        r = iam_store_policy_version_delete(h->st, mp->id, v->version_id);
    } else {
        now_iso(now);
        r = iam_store_policy_set_default(h->st, mp->id, v->version_id, now);
    }
    return r < 0 ? sth_fail(h, r) : sth_commit(h);
}

static int version_op(int argc, char *argv[], char op) {
    struct opt opts[] = {
        {"policy-arn", OPT_VALUE, true}, {"version-id", OPT_VALUE, op != 'l'}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_policy mp;
    struct iam_store_policy_version *vs;
    struct page pg;
    const char *vid, *arn;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (op != 'l' && (r = page_refuse(opts, argv[0]))) ||
        (r = sth_open(&h, op == 'd' || op == 's')))
        goto out;
    arn = opt_value(opts, "policy-arn");
    if ((r = op == 'd' || op == 's' ? policy_for_edit(&h, arn, &mp) : sth_policy(&h, arn, PM_NOT_FOUND, &mp)))
        goto out;
    if ((r = iam_store_policy_versions(h.st, mp.id, &vs, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (op == 'l') {
        size_t from, to;
        int64_t next;
        json_t *arr = json_array();
        page_slice(&pg, n, &from, &to, &next);
        for (size_t i = from; i < to; i++)
            json_array_append_new(arr, version_json(&vs[i], false));
        r = print_page(json_pack("{s:o}", "Versions", arr), next);
        goto out;
    }
    vid = opt_value(opts, "version-id");
    for (size_t i = 0; i < n; i++)
        if (strcmp(vs[i].version_id, vid) == 0) {
            r = version_found(&h, &mp, &vs[i], op);
            goto out;
        }
    r = iamctl_fail("NoSuchEntity: Policy %.256s version %.16s does not exist.", mp.arn, vid);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_get_policy_version(int argc, char *argv[]) {
    return version_op(argc, argv, 'g');
}
int verb_list_policy_versions(int argc, char *argv[]) {
    return version_op(argc, argv, 'l');
}
int verb_delete_policy_version(int argc, char *argv[]) {
    return version_op(argc, argv, 'd');
}
int verb_set_default_policy_version(int argc, char *argv[]) {
    return version_op(argc, argv, 's');
}
