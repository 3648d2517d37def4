/* SPDX-License-Identifier: Apache-2.0 */
/* Roles (read-only on a host: they arrive with an imported AWS export and are exported
 * again): get-role, list-roles, list-role-policies, get-role-policy,
 * list-attached-role-policies. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "verb_common.h"

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
    return o;
}

static int get_role(struct sth *h, const struct iam_store_identity *role) {
    struct iam_store_tag *tags;
    size_t n;
    json_t *o = role_json(role);
    int r;

    if ((r = iam_store_tags(h->st, role, &tags, &n)) < 0) {
        json_decref(o);
        return sth_fail(h, r);
    }
    if (role->boundary_arn)
        json_object_set_new(o, "PermissionsBoundary", boundary_json(role->boundary_arn));
    if (n)
        json_object_set_new(o, "Tags", tags_json(tags, n));
    return print_json(json_pack("{s:o}", "Role", o));
}

static int role_policies(struct sth *h, const struct iam_store_identity *role, char op,
                         const char *pname, const struct page *pg) {
    struct iam_store_inline *ip;
    size_t n, from, to;
    int64_t next;
    json_t *arr;
    int r;

    if ((r = iam_store_inline_list(h->st, role, &ip, &n)) < 0)
        return sth_fail(h, r);
    if (op == 'l') {
        page_slice(pg, n, &from, &to, &next);
        arr = json_array();
        for (size_t i = from; i < to; i++)
            json_array_append_new(arr, json_string(ip[i].name));
        return print_page(json_pack("{s:o}", "PolicyNames", arr), next);
    }
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(ip[i].name, pname) == 0)
            return print_json(json_pack("{s:s,s:s,s:o}", "RoleName", role->name, "PolicyName",
                                        ip[i].name, "PolicyDocument",
                                        document_json(ip[i].document)));
    return iamctl_fail("NoSuchEntity: The role policy with name %.128s cannot be found.", pname);
}

static json_t *role_summary(const struct iam_store_identity *r) {
    return role_json(r);
}

static int role_verb(int argc, char *argv[], char op) {
    struct opt opts[] = {
        {"role-name", OPT_VALUE, true}, {"policy-name", OPT_VALUE, op == 'p'}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity role;
    struct page pg;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (op != 'l' && (r = page_refuse(opts, argv[0]))) ||
        (op != 'p' && opt_get(opts, "policy-name")->set &&
         (r = iamctl_usage("%s: unknown option '--policy-name'", argv[0]))) ||
        (r = sth_open(&h, false)) || (r = sth_role(&h, opt_value(opts, "role-name"), &role)))
        goto out;
    r = op == 'g' ? get_role(&h, &role)
                  : role_policies(&h, &role, op, opt_value(opts, "policy-name"), &pg);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_get_role(int argc, char *argv[]) {
    return role_verb(argc, argv, 'g');
}
int verb_list_roles(int argc, char *argv[]) {
    return list_identities(argc, argv, IAM_STORE_ROLE, "Roles", role_summary);
}
int verb_list_role_policies(int argc, char *argv[]) {
    return role_verb(argc, argv, 'l');
}
int verb_get_role_policy(int argc, char *argv[]) {
    return role_verb(argc, argv, 'p');
}
int verb_list_attached_role_policies(int argc, char *argv[]) {
    return list_attached(argc, argv, IAM_STORE_ROLE);
}
