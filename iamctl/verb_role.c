/* SPDX-License-Identifier: Apache-2.0 */
/* Roles (read-only on a host: they arrive with an imported AWS export and are exported
 * again): get-role, list-roles, list-role-policies, get-role-policy,
 * list-attached-role-policies. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "verb_common.h"

static json_t *role_json(const struct iam_db_role *r, bool full) {
    json_t *o = json_object();

    json_object_set_new(o, "Path", json_string(r->path));
    json_object_set_new(o, "RoleName", json_string(r->name));
    json_object_set_new(o, "RoleId", json_string(r->id));
    json_object_set_new(o, "Arn", json_string(r->arn));
    if (r->create_date)
        json_object_set_new(o, "CreateDate", json_string(r->create_date));
    if (r->trust_policy)
        json_object_set_new(o, "AssumeRolePolicyDocument", document_json(r->trust_policy));
    if (full && r->boundary)
        json_object_set_new(o, "PermissionsBoundary",
                            json_pack("{s:s,s:s}", "PermissionsBoundaryType", "Policy",
                                      "PermissionsBoundaryArn", r->boundary->arn));
    if (full && r->n_tags)
        json_object_set_new(o, "Tags", tags_json(r->tags, r->n_tags));
    return o;
}

static int role_verb(int argc, char *argv[], char op) {
    struct opt opts[] = {{"role-name", OPT_VALUE, op != 'L'},
                         {"policy-name", OPT_VALUE, op == 'p'},
                         {"path-prefix", OPT_VALUE},
                         {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_role *role = NULL;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)))
        goto out;
    if (op == 'L') {
        const char *prefix =
            opt_get(opts, "path-prefix")->value ? opt_get(opts, "path-prefix")->value : "/";
        arr = json_array();
        for (size_t i = 0; i < h.db->n_roles; i++)
            if (strncmp(h.db->roles[i].path, prefix, strlen(prefix)) == 0)
                json_array_append_new(arr, role_json(&h.db->roles[i], false));
        r = print_json(json_pack("{s:o}", "Roles", arr));
        goto out;
    }
    role = iam_db_find_role(h.db, opt_get(opts, "role-name")->value);
    if (!role) {
        r = fail_no_such_entity("role", opt_get(opts, "role-name")->value);
        goto out;
    }
    switch (op) {
    case 'g':
        r = print_json(json_pack("{s:o}", "Role", role_json(role, true)));
        break;
    case 'l':
        arr = json_array();
        for (size_t i = 0; i < role->n_inline; i++)
            json_array_append_new(arr, json_string(role->inline_policies[i].name));
        r = print_json(json_pack("{s:o}", "PolicyNames", arr));
        break;
    case 'a':
        arr = json_array();
        for (size_t i = 0; i < role->n_attached; i++)
            json_array_append_new(arr, json_pack("{s:s,s:s}", "PolicyName",
                                                 role->attached[i].policy->name, "PolicyArn",
                                                 role->attached[i].policy->arn));
        r = print_json(json_pack("{s:o}", "AttachedPolicies", arr));
        break;
    default: /* 'p' */
        for (size_t i = 0; i < role->n_inline; i++)
            if (strcasecmp(role->inline_policies[i].name, opt_get(opts, "policy-name")->value) ==
                0) {
                r = print_json(json_pack("{s:s,s:s,s:o}", "RoleName", role->name, "PolicyName",
                                         role->inline_policies[i].name, "PolicyDocument",
                                         document_json(role->inline_policies[i].document)));
                goto out;
            }
        r = iamctl_fail("NoSuchEntity: The role policy with name %.128s cannot be found.",
                        opt_get(opts, "policy-name")->value);
        break;
    }
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_get_role(int argc, char *argv[]) {
    return role_verb(argc, argv, 'g');
}
int verb_list_roles(int argc, char *argv[]) {
    return role_verb(argc, argv, 'L');
}
int verb_list_role_policies(int argc, char *argv[]) {
    return role_verb(argc, argv, 'l');
}
int verb_get_role_policy(int argc, char *argv[]) {
    return role_verb(argc, argv, 'p');
}
int verb_list_attached_role_policies(int argc, char *argv[]) {
    return role_verb(argc, argv, 'a');
}
