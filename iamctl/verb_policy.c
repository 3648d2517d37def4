/* SPDX-License-Identifier: Apache-2.0 */
/* Policies: inline (put-/get-/delete-/list-user-policy, the same for groups), managed
 * (create-policy, get-policy, list-policies, delete-policy, versions) and attachments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "verb_common.h"

/* The entity an inline/attach verb works on. */
struct target {
    bool group;
    const char *name;
    const struct iam_db_user *user;
    const struct iam_db_group *grp;
    json_t *json;
};

static int find_target(struct dbh *h, struct opt *opts, bool group, struct target *t) {
    memset(t, 0, sizeof(*t));
    t->group = group;
    t->name = opt_get(opts, group ? "group-name" : "user-name")->value;
    if (group) {
        t->grp = iam_db_find_group(h->db, t->name);
        if (!t->grp)
            return fail_no_such_entity("group", t->name);
        t->json = h->root ? dbh_group_json(h, t->name) : NULL;
    } else {
        t->user = iam_db_find_user(h->db, t->name);
        if (!t->user)
            return fail_user_missing(t->name);
        t->json = h->root ? dbh_user_json(h, t->name) : NULL;
    }
    return 0;
}

static const struct iam_db_inline_policy *target_inline(const struct target *t, size_t *n) {
    *n = t->group ? t->grp->n_inline : t->user->n_inline;
    return t->group ? t->grp->inline_policies : t->user->inline_policies;
}

static const char *target_name(const struct target *t) {
    return t->group ? t->grp->name : t->user->name;
}

/* ---- inline policies ---------------------------------------------------------------------- */

static int put_inline(int argc, char *argv[], bool group) {
    struct opt opts[] = {{group ? "group-name" : "user-name", OPT_VALUE, true},
                         {"policy-name", OPT_VALUE, true},
                         {"policy-document", OPT_VALUE, true},
                         {NULL}};
    struct dbh h = DBH_INIT;
    struct target t;
    const struct iam_db_inline_policy *ip;
    const char *pname, *why;
    size_t max = group ? IAM_MAX_GROUP_INLINE_CHARS : IAM_MAX_USER_INLINE_CHARS, n, others = 0;
    char *doc = NULL;
    json_t *list, *djson;
    bool replaced = false;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    pname = opt_get(opts, "policy-name")->value;
    if ((why = iam_db_check_inline_policy_name(pname))) {
        r = iamctl_fail("ValidationError: policy name \"%.64s\" %s", pname, why);
        goto out;
    }
    if ((r = read_policy_document(opt_get(opts, "policy-document")->value, max,
                                  group ? "inline group policy" : "inline user policy", &doc)) ||
        (r = dbh_open(&h, true)) || (r = find_target(&h, opts, group, &t)))
        goto out;
    /* IAM's quota is for the aggregate of an entity's inline policies */
    ip = target_inline(&t, &n);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(ip[i].name, pname) != 0)
            others += iam_db_policy_size(ip[i].document, strlen(ip[i].document));
    if (others + iam_db_policy_size(doc, strlen(doc)) > max) {
        r = iamctl_fail("LimitExceeded: Maximum policy size of %zu bytes exceeded for %s %s "
                        "(all inline policies together, whitespace excluded)",
                        max, group ? "group" : "user", target_name(&t));
        goto out;
    }
    list = json_object_get(t.json, group ? "GroupPolicyList" : "UserPolicyList");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(t.json, group ? "GroupPolicyList" : "UserPolicyList", list);
    }
    djson = document_json(doc);
    if (!djson) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *p = json_array_get(list, i);
        if (strcasecmp(json_string_value(json_object_get(p, "PolicyName")), pname) == 0) {
            json_object_set_new(p, "PolicyDocument", djson);
            replaced = true;
            break;
        }
    }
    if (!replaced)
        json_array_append_new(list,
                              json_pack("{s:s,s:o}", "PolicyName", pname, "PolicyDocument", djson));
    r = dbh_commit(&h);
out:
    free(doc);
    opts_free(opts);
    return dbh_close(&h, r);
}

static int get_inline(int argc, char *argv[], bool group, char op) {
    struct opt opts[] = {{group ? "group-name" : "user-name", OPT_VALUE, true},
                         {"policy-name", OPT_VALUE, op != 'l'},
                         {NULL}};
    struct dbh h = DBH_INIT;
    struct target t;
    const struct iam_db_inline_policy *ip;
    const char *pname;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, op == 'd')) ||
        (r = find_target(&h, opts, group, &t)))
        goto out;
    ip = target_inline(&t, &n);
    pname = opt_get(opts, "policy-name")->value;
    if (op == 'l') {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_string(ip[i].name));
        r = print_json(json_pack("{s:o}", "PolicyNames", arr));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(ip[i].name, pname) != 0)
            continue;
        if (op == 'g') {
            r = print_json(json_pack("{s:s,s:s,s:o}", group ? "GroupName" : "UserName",
                                     target_name(&t), "PolicyName", ip[i].name, "PolicyDocument",
                                     document_json(ip[i].document)));
        } else {
            json_array_remove(json_object_get(t.json, group ? "GroupPolicyList" : "UserPolicyList"),
                              i);
            r = dbh_commit(&h);
        }
        goto out;
    }
    r = iamctl_fail("NoSuchEntity: The %s policy with name %.128s cannot be found.",
                    group ? "group" : "user", pname);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_put_user_policy(int argc, char *argv[]) {
    return put_inline(argc, argv, false);
}
int verb_put_group_policy(int argc, char *argv[]) {
    return put_inline(argc, argv, true);
}
int verb_get_user_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, false, 'g');
}
int verb_get_group_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, true, 'g');
}
int verb_delete_user_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, false, 'd');
}
int verb_delete_group_policy(int argc, char *argv[]) {
    return get_inline(argc, argv, true, 'd');
}
int verb_list_user_policies(int argc, char *argv[]) {
    return get_inline(argc, argv, false, 'l');
}
int verb_list_group_policies(int argc, char *argv[]) {
    return get_inline(argc, argv, true, 'l');
}

/* ---- attachments -------------------------------------------------------------------------- */

static int attach(int argc, char *argv[], bool group, bool detach) {
    struct opt opts[] = {{group ? "group-name" : "user-name", OPT_VALUE, true},
                         {"policy-arn", OPT_VALUE, true},
                         {NULL}};
    struct dbh h = DBH_INIT;
    struct target t;
    const struct iam_db_managed_policy *mp;
    const struct iam_db_attached *att;
    const char *arn;
    json_t *list;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)) ||
        (r = find_target(&h, opts, group, &t)))
        goto out;
    arn = opt_get(opts, "policy-arn")->value;
    mp = iam_db_find_policy(h.db, arn);
    if (!mp) {
        r = iamctl_fail("NoSuchEntity: Policy %.256s does not exist or is not attachable.", arn);
        goto out;
    }
    att = group ? t.grp->attached : t.user->attached;
    n = group ? t.grp->n_attached : t.user->n_attached;
    list = json_object_get(t.json, "AttachedManagedPolicies");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(t.json, "AttachedManagedPolicies", list);
    }
    for (size_t i = 0; i < n; i++) {
        if (att[i].policy != mp)
            continue;
        if (!detach) {
            r = IAMCTL_EXIT_OK; /* as IAM: attaching twice changes nothing */
            goto out;
        }
        for (size_t j = 0; j < json_array_size(list); j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(list, j), "PolicyArn")),
                       arn) == 0) {
                json_array_remove(list, j);
                break;
            }
        r = dbh_commit(&h);
        goto out;
    }
    if (detach) {
        r = iamctl_fail("NoSuchEntity: Policy %.256s was not found to be attached.", arn);
        goto out;
    }
    if (!mp->is_attachable) {
        r = iamctl_fail("InvalidInput: policy %.256s is not attachable", arn);
        goto out;
    }
    if (n >= IAM_MAX_ATTACHED_POLICIES) {
        r = iamctl_fail("LimitExceeded: Cannot exceed quota for PoliciesPer%s: %d",
                        group ? "Group" : "User", IAM_MAX_ATTACHED_POLICIES);
        goto out;
    }
    json_array_append_new(list, json_pack("{s:s,s:s}", "PolicyName", mp->name, "PolicyArn", arn));
    r = dbh_commit(&h);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_attach_user_policy(int argc, char *argv[]) {
    return attach(argc, argv, false, false);
}
int verb_attach_group_policy(int argc, char *argv[]) {
    return attach(argc, argv, true, false);
}
int verb_detach_user_policy(int argc, char *argv[]) {
    return attach(argc, argv, false, true);
}
int verb_detach_group_policy(int argc, char *argv[]) {
    return attach(argc, argv, true, true);
}

static int list_attached(int argc, char *argv[], bool group) {
    struct opt opts[] = {{group ? "group-name" : "user-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    struct target t;
    const struct iam_db_attached *att;
    size_t n;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)) ||
        (r = find_target(&h, opts, group, &t)))
        goto out;
    att = group ? t.grp->attached : t.user->attached;
    n = group ? t.grp->n_attached : t.user->n_attached;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s}", "PolicyName", att[i].policy->name,
                                             "PolicyArn", att[i].policy->arn));
    r = print_json(json_pack("{s:o}", "AttachedPolicies", arr));
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_list_attached_user_policies(int argc, char *argv[]) {
    return list_attached(argc, argv, false);
}
int verb_list_attached_group_policies(int argc, char *argv[]) {
    return list_attached(argc, argv, true);
}

/* ---- managed policies ---------------------------------------------------------------------- */

int verb_create_policy(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-name", OPT_VALUE, true},
                         {"policy-document", OPT_VALUE, true},
                         {"path", OPT_VALUE},
                         {"description", OPT_VALUE},
                         {"tags", OPT_LIST},
                         {NULL}};
    struct dbh h = DBH_INIT;
    const char *name, *path, *why;
    char *doc = NULL, *arn = NULL, id[22], now[32];
    json_t *p = NULL, *tags = NULL, *djson;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    name = opt_get(opts, "policy-name")->value;
    path = opt_get(opts, "path")->value ? opt_get(opts, "path")->value : "/";
    if ((why = iam_db_check_managed_policy_name(name))) {
        r = iamctl_fail("ValidationError: policy name \"%.64s\" %s", name, why);
        goto out;
    }
    if ((why = iam_db_check_path(path))) {
        r = iamctl_usage("--path %s", why);
        goto out;
    }
    if (opt_get(opts, "description")->value &&
        (strlen(opt_get(opts, "description")->value) > 1000 ||
         iam_db_check_passwd_field(opt_get(opts, "description")->value, 1000))) {
        r = iamctl_usage("--description: at most 1000 characters, no control characters");
        goto out;
    }
    if (opt_get(opts, "tags")->set &&
        (r = parse_tags(opt_get(opts, "tags")->list, opt_get(opts, "tags")->n_list, &tags)))
        goto out;
    if ((r = read_policy_document(opt_get(opts, "policy-document")->value,
                                  IAM_MAX_MANAGED_POLICY_CHARS, "managed policy", &doc)) ||
        (r = dbh_open(&h, true)))
        goto out;
    for (size_t i = 0; i < h.db->n_policies; i++)
        if (!h.db->policies[i].aws_managed && strcasecmp(h.db->policies[i].name, name) == 0) {
            r = iamctl_fail("EntityAlreadyExists: A policy called %s already exists. Duplicate "
                            "names are not allowed.",
                            name);
            goto out;
        }
    make_unique_id("ANPA", id);
    now_iso(now);
    if (asprintf(&arn, "arn:%s:iam::%s:policy%s%s", h.partition, h.db->account_id, path, name) <
        0) {
        arn = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    djson = document_json(doc);
    p = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:b}", "PolicyName", name, "PolicyId", id, "Arn",
                  arn, "Path", path, "DefaultVersionId", "v1", "AttachmentCount", 0,
                  "PermissionsBoundaryUsageCount", 0, "IsAttachable", 1);
    if (!p || !djson) {
        json_decref(djson);
        r = iamctl_fail("out of memory");
        goto out;
    }
    if (opt_get(opts, "description")->value)
        json_object_set_new(p, "Description", json_string(opt_get(opts, "description")->value));
    json_object_set_new(p, "CreateDate", json_string(now));
    json_object_set_new(p, "UpdateDate", json_string(now));
    json_object_set_new(p, "PolicyVersionList",
                        json_pack("[{s:o,s:s,s:b,s:s}]", "Document", djson, "VersionId", "v1",
                                  "IsDefaultVersion", 1, "CreateDate", now));
    if (tags)
        json_object_set(p, "Tags", tags);
    json_array_append(dbh_section(&h, "Policies"), p);
    if ((r = dbh_commit(&h)))
        goto out;
    {
        const struct iam_db_managed_policy *mp = iam_db_find_policy(h.db, arn);
        json_t *o = policy_summary(mp);
        if (tags)
            json_object_set(o, "Tags", tags);
        r = print_json(json_pack("{s:o}", "Policy", o));
    }
out:
    json_decref(p);
    json_decref(tags);
    free(doc);
    free(arn);
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_get_policy(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-arn", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_managed_policy *mp;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)))
        goto out;
    mp = iam_db_find_policy(h.db, opt_get(opts, "policy-arn")->value);
    if (!mp) {
        r = iamctl_fail("NoSuchEntity: Policy %.256s was not found.",
                        opt_get(opts, "policy-arn")->value);
        goto out;
    }
    r = print_json(json_pack("{s:o}", "Policy", policy_summary(mp)));
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_list_policies(int argc, char *argv[]) {
    struct opt opts[] = {
        {"scope", OPT_VALUE}, {"only-attached", OPT_FLAG}, {"path-prefix", OPT_VALUE}, {NULL}};
    struct dbh h = DBH_INIT;
    const char *scope, *prefix;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    scope = opt_get(opts, "scope")->value ? opt_get(opts, "scope")->value : "All";
    if (strcmp(scope, "All") != 0 && strcmp(scope, "AWS") != 0 && strcmp(scope, "Local") != 0) {
        r = iamctl_usage("--scope must be All, AWS or Local");
        goto out;
    }
    if ((r = dbh_open(&h, false)))
        goto out;
    prefix = opt_get(opts, "path-prefix")->value ? opt_get(opts, "path-prefix")->value : "/";
    arr = json_array();
    for (size_t i = 0; i < h.db->n_policies; i++) {
        const struct iam_db_managed_policy *mp = &h.db->policies[i];
        if ((strcmp(scope, "AWS") == 0 && !mp->aws_managed) ||
            (strcmp(scope, "Local") == 0 && mp->aws_managed))
            continue;
        if (opt_get(opts, "only-attached")->set && mp->attachment_count == 0)
            continue;
        if (strncmp(mp->path, prefix, strlen(prefix)) != 0)
            continue;
        json_array_append_new(arr, policy_summary(mp));
    }
    r = print_json(json_pack("{s:o}", "Policies", arr));
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

static json_t *remove_named(json_t *arr, const char *key, const char *value) {
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(arr, i), key)), value) == 0) {
            json_array_remove(arr, i);
            return arr;
        }
    return NULL;
}

int verb_delete_policy(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-arn", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_managed_policy *mp;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)))
        goto out;
    mp = iam_db_find_policy(h.db, opt_get(opts, "policy-arn")->value);
    if (!mp) {
        r = iamctl_fail("NoSuchEntity: Policy %.256s was not found.",
                        opt_get(opts, "policy-arn")->value);
        goto out;
    }
    if (mp->attachment_count || mp->boundary_usage_count) {
        r = iamctl_fail("DeleteConflict: Cannot delete a policy attached to entities (or used "
                        "as a permissions boundary).");
        goto out;
    }
    if (mp->n_versions > 1) {
        r = iamctl_fail("DeleteConflict: This policy has more than one version. Before you "
                        "delete a policy, you must delete the policy's versions. The default "
                        "version is deleted with the policy.");
        goto out;
    }
    remove_named(json_object_get(h.root, "Policies"), "Arn", mp->arn);
    r = dbh_commit(&h);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

static json_t *version_json(const struct iam_db_policy_version *v, bool doc) {
    json_t *o = json_object();

    if (doc)
        json_object_set_new(o, "Document", document_json(v->document));
    json_object_set_new(o, "VersionId", json_string(v->version_id));
    json_object_set_new(o, "IsDefaultVersion", json_boolean(v->is_default));
    if (v->create_date)
        json_object_set_new(o, "CreateDate", json_string(v->create_date));
    return o;
}

static int policy_for_edit(struct dbh *h, const char *arn, const struct iam_db_managed_policy **mp,
                           json_t **pj) {
    *pj = NULL; /* set on every path: the caller must never see an unset tree pointer */
    *mp = iam_db_find_policy(h->db, arn);
    if (!*mp)
        return iamctl_fail("NoSuchEntity: Policy %.256s was not found.", arn);
    if ((*mp)->aws_managed)
        return iamctl_fail("InvalidInput: AWS managed policy %.256s cannot be changed", arn);
    *pj = dbh_policy_json(h, arn);
    return *pj ? 0 : iamctl_fail("internal error: policy %s is not in the tree", arn);
}

static void set_default_version(json_t *pj, const char *vid, const char *now) {
    json_t *vl = json_object_get(pj, "PolicyVersionList");
    size_t i;
    json_t *v;

    json_array_foreach(vl, i, v) {
        json_object_set_new(
            v, "IsDefaultVersion",
            json_boolean(strcmp(json_string_value(json_object_get(v, "VersionId")), vid) == 0));
    }
    json_object_set_new(pj, "DefaultVersionId", json_string(vid));
    json_object_set_new(pj, "UpdateDate", json_string(now));
}

int verb_create_policy_version(int argc, char *argv[]) {
    struct opt opts[] = {{"policy-arn", OPT_VALUE, true},
                         {"policy-document", OPT_VALUE, true},
                         {"set-as-default", OPT_FLAG},
                         {"no-set-as-default", OPT_FLAG},
                         {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_managed_policy *mp;
    char *doc = NULL, vid[16], now[32];
    unsigned long maxv = 0;
    json_t *pj, *djson;
    bool def;
    int r;

    if ((r = opts_parse(argc, argv, opts)) ||
        (r = read_policy_document(opt_get(opts, "policy-document")->value,
                                  IAM_MAX_MANAGED_POLICY_CHARS, "managed policy", &doc)) ||
        (r = dbh_open(&h, true)) ||
        (r = policy_for_edit(&h, opt_get(opts, "policy-arn")->value, &mp, &pj)))
        goto out;
    if (mp->n_versions >= IAM_MAX_POLICY_VERSIONS) {
        r = iamctl_fail("LimitExceeded: A managed policy can have up to %d versions. Before you "
                        "create a new version, you must delete an existing version.",
                        IAM_MAX_POLICY_VERSIONS);
        goto out;
    }
    for (size_t i = 0; i < mp->n_versions; i++) {
        unsigned long v = strtoul(mp->versions[i].version_id + 1, NULL, 10);
        if (v > maxv)
            maxv = v;
    }
    snprintf(vid, sizeof(vid), "v%lu", maxv + 1);
    now_iso(now);
    def = opt_get(opts, "set-as-default")->set;
    djson = document_json(doc);
    json_array_append_new(json_object_get(pj, "PolicyVersionList"),
                          json_pack("{s:o,s:s,s:b,s:s}", "Document", djson, "VersionId", vid,
                                    "IsDefaultVersion", 0, "CreateDate", now));
    if (def)
        set_default_version(pj, vid, now);
    if ((r = dbh_commit(&h)))
        goto out;
    mp = iam_db_find_policy(h.db, opt_get(opts, "policy-arn")->value);
    for (size_t i = 0; i < mp->n_versions; i++)
        if (strcmp(mp->versions[i].version_id, vid) == 0)
            r = print_json(
                json_pack("{s:o}", "PolicyVersion", version_json(&mp->versions[i], false)));
out:
    free(doc);
    opts_free(opts);
    return dbh_close(&h, r);
}

static int version_op(int argc, char *argv[], char op) {
    struct opt opts[] = {
        {"policy-arn", OPT_VALUE, true}, {"version-id", OPT_VALUE, op != 'l'}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_managed_policy *mp;
    const char *vid;
    char now[32];
    json_t *pj = NULL;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, op == 'd' || op == 's')))
        goto out;
    if (op == 'd' || op == 's') {
        if ((r = policy_for_edit(&h, opt_get(opts, "policy-arn")->value, &mp, &pj)))
            goto out;
    } else {
        mp = iam_db_find_policy(h.db, opt_get(opts, "policy-arn")->value);
        if (!mp) {
            r = iamctl_fail("NoSuchEntity: Policy %.256s was not found.",
                            opt_get(opts, "policy-arn")->value);
            goto out;
        }
    }
    if (op == 'l') {
        json_t *arr = json_array();
        for (size_t i = 0; i < mp->n_versions; i++)
            json_array_append_new(arr, version_json(&mp->versions[i], false));
        r = print_json(json_pack("{s:o}", "Versions", arr));
        goto out;
    }
    vid = opt_get(opts, "version-id")->value;
    for (size_t i = 0; i < mp->n_versions; i++) {
        const struct iam_db_policy_version *v = &mp->versions[i];
        if (strcmp(v->version_id, vid) != 0)
            continue;
        if (op == 'g') {
            r = print_json(json_pack("{s:o}", "PolicyVersion", version_json(v, true)));
        } else if (op == 'd') {
            if (v->is_default) {
                r = iamctl_fail("DeleteConflict: Cannot delete the default version of a policy.");
                goto out;
            }
            remove_named(json_object_get(pj, "PolicyVersionList"), "VersionId", vid);
            r = dbh_commit(&h);
        } else {
            now_iso(now);
            set_default_version(pj, vid, now);
            r = dbh_commit(&h);
        }
        goto out;
    }
    r = iamctl_fail("NoSuchEntity: Policy %.256s version %.16s does not exist.", mp->arn, vid);
out:
    opts_free(opts);
    return dbh_close(&h, r);
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
