/* SPDX-License-Identifier: Apache-2.0 */
/* Roles, with AWS's shapes: create-role, get-role, list-roles, update-role,
 * update-assume-role-policy, delete-role, tag-role, untag-role, list-role-tags,
 * put-/delete-role-permissions-boundary. The role's inline and attached policies are the
 * shared verbs of verb_policy.c (put-/get-/delete-/list-role-policies,
 * attach-/detach-/list-attached-role-policies).
 *
 * A role is also an account on the host (uid from the users' range, a private group, home
 * from home_template, the default shell) that nobody authenticates as: people assume it
 * (sts:AssumeRole, decided by its trust policy and their own policies). So create-role
 * allocates the uid and refuses a name the host or IAM already uses for a login or a group. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "verb_common.h"

/* IAM's MaxSessionDuration: 3600 (the default) to 43200 seconds. */
#define ROLE_SESSION_DEFAULT 3600
#define ROLE_SESSION_MIN 3600
#define ROLE_SESSION_MAX 43200
#define ROLE_DESCRIPTION_MAX 1000

static json_t *role_json(const struct iam_store_identity *r) {
    json_t *o = json_object();

    json_object_set_new(o, "Path", json_string(r->path));
    json_object_set_new(o, "RoleName", json_string(r->name));
    json_object_set_new(o, "RoleId", json_string(r->unique_id));
    json_object_set_new(o, "Arn", json_string(r->arn));
    if (r->create_date)
        json_object_set_new(o, "CreateDate", json_string(r->create_date));
    if (r->trust_policy)
        json_object_set_new(o, "AssumeRolePolicyDocument", document_json(r->trust_policy));
    if (r->description)
        json_object_set_new(o, "Description", json_string(r->description));
    json_object_set_new(o, "MaxSessionDuration",
                        json_integer(r->max_session_duration > 0 ? r->max_session_duration
                                                                 : ROLE_SESSION_DEFAULT));
    return o;
}

/* The Role of get-role and create-role: the summary, the boundary, the tags, last use. */
static json_t *role_full(struct sth *h, const struct iam_store_identity *role, int *r) {
    struct iam_store_tag *tags;
    size_t n;
    json_t *o = role_json(role);

    if ((*r = iam_store_tags(h->st, role, &tags, &n)) < 0) {
        json_decref(o);
        return NULL;
    }
    if (role->boundary_arn)
        json_object_set_new(o, "PermissionsBoundary", boundary_json(role->boundary_arn));
    if (n)
        json_object_set_new(o, "Tags", tags_json(tags, n));
    if (role->last_used)
        json_object_set_new(o, "RoleLastUsed", document_json(role->last_used));
    return o;
}

static int print_role(struct sth *h, const struct iam_store_identity *role) {
    int r = 0;
    json_t *o = role_full(h, role, &r);

    return o ? print_json(json_pack("{s:o}", "Role", o)) : sth_fail(h, r);
}

int verb_get_role(int argc, char *argv[]) {
    struct opt opts[] = {{"role-name", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity role;
    int r;

    if (!(r = opts_parse(argc, argv, opts)) && !(r = sth_open(&h, false)) &&
        !(r = sth_role(&h, opt_value(opts, "role-name"), &role)))
        r = print_role(&h, &role);
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_list_roles(int argc, char *argv[]) {
    return list_identities(argc, argv, IAM_STORE_ROLE, "Roles", role_json);
}

int verb_list_attached_role_policies(int argc, char *argv[]) {
    return list_attached(argc, argv, IAM_STORE_ROLE);
}

/* --max-session-duration into *ret (0 when absent): 0 or a usage exit code. */
static int session_duration_arg(const char *v, int64_t *ret) {
    char *end;
    long long n;

    *ret = 0;
    if (!v)
        return 0;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < ROLE_SESSION_MIN || n > ROLE_SESSION_MAX)
        return iamctl_usage("ValidationError: --max-session-duration must be a number of "
                            "seconds from %d to %d",
                            ROLE_SESSION_MIN, ROLE_SESSION_MAX);
    *ret = n;
    return 0;
}

static int description_arg(const char *v) {
    if (v && (strlen(v) > ROLE_DESCRIPTION_MAX || iam_db_check_passwd_field(v, ROLE_DESCRIPTION_MAX)))
        return iamctl_usage("--description: at most %d characters, no control characters",
                            ROLE_DESCRIPTION_MAX);
    return 0;
}

/* The role is an account on the host named as the role: no IAM user or group, no local
 * account or group may have the name (its private group has it too). */
static int create_role_collisions(struct sth *h, const char *name) {
    struct iam_store_identity other;
    int r = iam_store_identity_get(h->st, IAM_STORE_ROLE, name, &other);

    if (r == 0)
        return iamctl_fail("EntityAlreadyExists: Role with name %s already exists.", name);
    if (r == -ENOENT && (r = iam_store_identity_get(h->st, IAM_STORE_USER, name, &other)) == 0)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is an IAM user (the role's account would "
                           "collide)",
                           name);
    if (r == -ENOENT && (r = iam_store_identity_get(h->st, IAM_STORE_GROUP, name, &other)) == 0)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is an IAM group (the role's private "
                           "group would collide)",
                           name);
    if (r != -ENOENT)
        return sth_fail(h, r);
    if ((r = check_local_user_name(name)))
        return r;
    return h->config->private_groups
               ? check_group_name_allowed(h->config, "the private group of role", name)
               : 0;
}

/* create-role's checks that need no store. */
static int create_role_args(struct opt *opts, json_t **ret_tags, int64_t *ret_msd) {
    const char *name = opt_value(opts, "role-name"), *path = opt_value(opts, "path"), *why;
    int r;

    /* IAM's role name rules, and those of a login name: the role is an account */
    if ((why = iam_db_check_role_name(name)) || (why = iam_db_check_user_name(name)))
        return iamctl_fail("ValidationError: role name \"%.64s\" %s (a role is an account on "
                           "the host, so its name must also be a login name)",
                           name, why);
    if (path && (why = iam_db_check_path(path)))
        return iamctl_usage("--path %s", why);
    if (opt_get(opts, "tags")->set &&
        (r = parse_tags(opt_get(opts, "tags")->list, opt_get(opts, "tags")->n_list, ret_tags)))
        return r;
    if ((r = description_arg(opt_value(opts, "description"))))
        return r;
    return session_duration_arg(opt_value(opts, "max-session-duration"), ret_msd);
}

int verb_create_role(int argc, char *argv[]) {
    struct opt opts[] = {{"role-name", OPT_VALUE, true},
                         {"path", OPT_VALUE},
                         {"assume-role-policy-document", OPT_VALUE, true},
                         {"description", OPT_VALUE},
                         {"max-session-duration", OPT_VALUE},
                         {"permissions-boundary", OPT_VALUE},
                         {"tags", OPT_LIST},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity ro = {.kind = IAM_STORE_ROLE, .has_posix = true}, got;
    struct iam_store_policy boundary;
    const char *bnd;
    json_t *tags = NULL, *t, *o = NULL;
    char id[22], now[32], *arn = NULL, *trust = NULL;
    int64_t msd = 0;
    size_t i;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = create_role_args(opts, &tags, &msd)) ||
        (r = read_trust_policy_document(opt_value(opts, "assume-role-policy-document"), &trust)) ||
        (r = sth_open(&h, true)))
        goto out;
    ro.name = opt_value(opts, "role-name");
    ro.path = opt_value(opts, "path") ? opt_value(opts, "path") : "/";
    if ((r = create_role_collisions(&h, ro.name)))
        goto out;
    if ((bnd = opt_value(opts, "permissions-boundary")) &&
        (r = sth_policy(&h, bnd, PM_DOES_NOT_EXIST, &boundary)))
        goto out;
    if ((r = alloc_id(&h, &ro.posix_id)))
        goto out;
    make_unique_id("AROA", id);
    now_iso(now);
    if (!(arn = sth_arn(&h, "role", ro.path, ro.name))) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    ro.unique_id = id;
    ro.arn = arn;
    ro.create_date = now;
    ro.source = IAM_STORE_SOURCE_LOCAL;
    ro.boundary = bnd ? boundary.id : 0;
    ro.description = opt_value(opts, "description");
    ro.trust_policy = trust;
    ro.max_session_duration = msd ? msd : ROLE_SESSION_DEFAULT;
    if ((r = iam_store_identity_insert(h.st, &ro, &ro.id)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    json_array_foreach(tags, i, t) {
        if ((r = iam_store_tag_set(h.st, &ro, json_string_value(json_object_get(t, "Key")),
                                   json_string_value(json_object_get(t, "Value")))) < 0) {
            r = sth_fail(&h, r);
            goto out;
        }
    }
    if ((r = iam_store_identity_get_by_id(h.st, ro.id, &got)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (!(o = role_full(&h, &got, &r))) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (!(r = sth_commit(&h))) {
        r = print_json(json_pack("{s:o}", "Role", o));
        o = NULL;
    }
out:
    json_decref(o);
    json_decref(tags);
    free(arn);
    free(trust);
    opts_free(opts);
    return sth_close(&h, r);
}

/* The role's fields as they are, for an update of some of them (the digest of its last
 * import is dropped: it no longer matches). */
static int role_update(struct sth *h, const struct iam_store_identity *cur,
                       const struct iam_store_identity *in) {
    int r = iam_store_identity_update_aws(h->st, cur, in, cur->source, NULL);

    return r < 0 ? sth_fail(h, r) : 0;
}

int verb_update_role(int argc, char *argv[]) {
    struct opt opts[] = {{"role-name", OPT_VALUE, true},
                         {"description", OPT_VALUE},
                         {"max-session-duration", OPT_VALUE},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity ro, in;
    int64_t msd = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)) ||
        (r = description_arg(opt_value(opts, "description"))) ||
        (r = session_duration_arg(opt_value(opts, "max-session-duration"), &msd)) ||
        (r = sth_open(&h, true)) || (r = sth_role(&h, opt_value(opts, "role-name"), &ro)))
        goto out;
    in = ro;
    if (opt_get(opts, "description")->set)
        in.description = opt_value(opts, "description");
    if (msd)
        in.max_session_duration = msd;
    /* AWS's UpdateRole changes nothing when given nothing; the response is empty either way */
    if ((r = role_update(&h, &ro, &in)))
        goto out;
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_update_assume_role_policy(int argc, char *argv[]) {
    struct opt opts[] = {
        {"role-name", OPT_VALUE, true}, {"policy-document", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity ro, in;
    char *trust = NULL;
    int r;

    if ((r = opts_parse(argc, argv, opts)) ||
        (r = read_trust_policy_document(opt_value(opts, "policy-document"), &trust)) ||
        (r = sth_open(&h, true)) || (r = sth_role(&h, opt_value(opts, "role-name"), &ro)))
        goto out;
    in = ro;
    in.trust_policy = trust;
    if ((r = role_update(&h, &ro, &in)))
        goto out;
    r = sth_commit(&h);
out:
    free(trust);
    opts_free(opts);
    return sth_close(&h, r);
}

/* As IAM's DeleteRole: inline policies, attached policies and instance profiles go first. */
int verb_delete_role(int argc, char *argv[]) {
    struct opt opts[] = {{"role-name", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity ro;
    struct iam_store_inline *ip;
    struct iam_store_attached *att;
    size_t n_ip = 0, n_att = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = sth_role(&h, opt_value(opts, "role-name"), &ro)))
        goto out;
    if ((r = iam_store_inline_list(h.st, &ro, &ip, &n_ip)) < 0 ||
        (r = iam_store_attached_list(h.st, &ro, &att, &n_att)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (n_ip || n_att) {
        r = iamctl_fail("DeleteConflict: Cannot delete entity, must %s first.",
                        n_ip ? "delete policies (delete-role-policy)"
                             : "detach all policies (detach-role-policy)");
        goto out;
    }
    if (ro.instance_profiles && strcmp(ro.instance_profiles, "[]") != 0) {
        r = iamctl_fail("DeleteConflict: Cannot delete entity, must remove roles from instance "
                        "profile first.");
        goto out;
    }
    if ((r = iam_store_identity_delete(h.st, &ro)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}
