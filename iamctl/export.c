/* SPDX-License-Identifier: Apache-2.0 */
/* get-account-authorization-details: the whole account as AWS exports it (users, groups,
 * roles, managed policies; documents decoded, as the AWS CLI prints them), never a secret or
 * a POSIX id. Streamed one entry at a time, so an account of any size is exported in the
 * memory of one entry; the bytes are those of printing the whole document at once (4-space
 * indent, members in AWS's order). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "verb_common.h"

enum { F_USER, F_GROUP, F_ROLE, F_LOCAL_POLICY, F_AWS_POLICY, F_N };

struct exporter {
    struct sth *h;
    bool want[F_N];
    size_t n_in_list; /* entries printed in the current list */
    bool failed;
};

/* Print an entry of a top-level list: indented two levels, as json_dumpf of the document
 * would (steals v). */
static int put_entry(struct exporter *x, json_t *v) {
    char *text;
    int r = 0;

    if (!v)
        return -ENOMEM;
    text = json_dumps(v, JSON_INDENT(4));
    json_decref(v);
    if (!text)
        return -ENOMEM;
    fputs(x->n_in_list ? ",\n        " : "\n        ", stdout);
    for (const char *p = text; *p; p++) {
        putchar(*p);
        if (*p == '\n')
            fputs("        ", stdout);
    }
    free(text);
    x->n_in_list++;
    if (ferror(stdout))
        r = -EIO;
    return r;
}

static void begin_list(struct exporter *x, const char *key, bool first) {
    printf("%s    \"%s\": [", first ? "{\n" : ",\n", key);
    x->n_in_list = 0;
}

static void end_list(struct exporter *x) {
    fputs(x->n_in_list ? "\n    ]" : "]", stdout);
}

static json_t *inline_list(const struct iam_store_inline *ip, size_t n) {
    json_t *a = json_array();

    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:o}", "PolicyName", ip[i].name,
                                           "PolicyDocument", document_json(ip[i].document)));
    return a;
}

static json_t *attached_list(const struct iam_store_attached *att, size_t n) {
    json_t *a = json_array();

    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s}", "PolicyName", att[i].name, "PolicyArn",
                                           att[i].arn));
    return a;
}

/* The members every identity kind shares: inline policies (under key) and attachments. */
static int add_policies(struct exporter *x, const struct iam_store_identity *who, json_t *o,
                        const char *key) {
    struct iam_store_inline *ip;
    struct iam_store_attached *att;
    size_t n_ip, n_att;
    int r;

    if ((r = iam_store_inline_list(x->h->st, who, &ip, &n_ip)) < 0 ||
        (r = iam_store_attached_list(x->h->st, who, &att, &n_att)) < 0)
        return r;
    json_object_set_new(o, key, inline_list(ip, n_ip));
    if (who->kind == IAM_STORE_USER) {
        struct iam_store_identity *groups;
        size_t n;
        json_t *gl = json_array();
        if ((r = iam_store_user_groups(x->h->st, who, &groups, &n)) < 0) {
            json_decref(gl);
            return r;
        }
        for (size_t i = 0; i < n; i++)
            json_array_append_new(gl, json_string(groups[i].name));
        json_object_set_new(o, "GroupList", gl);
    }
    json_object_set_new(o, "AttachedManagedPolicies", attached_list(att, n_att));
    return 0;
}

static int add_boundary_tags(struct exporter *x, const struct iam_store_identity *who,
                             json_t *o) {
    struct iam_store_tag *tags;
    size_t n;
    int r = iam_store_tags(x->h->st, who, &tags, &n);

    if (r < 0)
        return r;
    /* A directory import's bookkeeping (ldap:dn, ldap:uuid, ldap:disabled) is this host's, as
     * POSIX ids are: never exported (a DN is no valid tag value for AWS, nor for import). */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (strncasecmp(tags[i].key, "ldap:", 5) != 0)
            tags[kept++] = tags[i];
    n = kept;
    if (who->boundary_arn)
        json_object_set_new(o, "PermissionsBoundary", boundary_json(who->boundary_arn));
    if (n || who->tags_listed)
        json_object_set_new(o, "Tags", tags_json(tags, n));
    return 0;
}

static int export_user(void *ctx, const struct iam_store_identity *u) {
    struct exporter *x = ctx;
    struct iam_store_mark mark = iam_store_mark(x->h->st);
    json_t *o = user_summary(u);
    int r;

    if ((r = add_policies(x, u, o, "UserPolicyList")) < 0 ||
        (r = add_boundary_tags(x, u, o)) < 0) {
        json_decref(o);
        return r;
    }
    iam_store_release(x->h->st, mark);
    return put_entry(x, o);
}

static int export_group(void *ctx, const struct iam_store_identity *g) {
    struct exporter *x = ctx;
    struct iam_store_mark mark = iam_store_mark(x->h->st);
    json_t *o = group_summary(g);
    int r;

    if ((r = add_policies(x, g, o, "GroupPolicyList")) < 0) {
        json_decref(o);
        return r;
    }
    iam_store_release(x->h->st, mark);
    return put_entry(x, o);
}

/* A JSON text we carry for the export (InstanceProfileList, RoleLastUsed). */
static void set_raw(json_t *o, const char *key, const char *text) {
    json_t *v = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;

    if (v)
        json_object_set_new(o, key, v);
}

static int export_role(void *ctx, const struct iam_store_identity *ro) {
    struct exporter *x = ctx;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "Path", ro->path, "RoleName", ro->name, "RoleId",
                          ro->unique_id, "Arn", ro->arn);
    int r;

    if (!o)
        return -ENOMEM;
    if (ro->create_date)
        json_object_set_new(o, "CreateDate", json_string(ro->create_date));
    if (ro->trust_policy)
        json_object_set_new(o, "AssumeRolePolicyDocument", document_json(ro->trust_policy));
    if (ro->description)
        json_object_set_new(o, "Description", json_string(ro->description));
    if (ro->max_session_duration)
        json_object_set_new(o, "MaxSessionDuration", json_integer(ro->max_session_duration));
    set_raw(o, "InstanceProfileList", ro->instance_profiles);
    if ((r = add_policies(x, ro, o, "RolePolicyList")) < 0 ||
        (r = add_boundary_tags(x, ro, o)) < 0) {
        json_decref(o);
        return r;
    }
    set_raw(o, "RoleLastUsed", ro->last_used);
    return put_entry(x, o);
}

static int export_policy(void *ctx, const struct iam_store_policy *p) {
    struct exporter *x = ctx;
    struct iam_store_policy_version *v;
    struct iam_store_tag *tags;
    size_t n, n_tags;
    json_t *o, *vl;
    int r;

    if (!x->want[p->aws_managed ? F_AWS_POLICY : F_LOCAL_POLICY])
        return 0;
    if ((r = iam_store_policy_versions(x->h->st, p->id, &v, &n)) < 0 ||
        (r = iam_store_policy_tags(x->h->st, p->id, &tags, &n_tags)) < 0)
        return r;
    o = policy_summary(p);
    vl = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_pack("{s:o,s:s,s:b}", "Document", document_json(v[i].document),
                              "VersionId", v[i].version_id, "IsDefaultVersion", v[i].is_default);
        if (e && v[i].create_date)
            json_object_set_new(e, "CreateDate", json_string(v[i].create_date));
        json_array_append_new(vl, e);
    }
    json_object_set_new(o, "PolicyVersionList", vl);
    if (n_tags)
        json_object_set_new(o, "Tags", tags_json(tags, n_tags));
    return put_entry(x, o);
}

static int parse_filter(struct opt *opts, bool want[F_N]) {
    static const char *const names[F_N] = {"User", "Group", "Role", "LocalManagedPolicy",
                                           "AWSManagedPolicy"};
    struct opt *f = opt_get(opts, "filter");

    for (size_t n = 0; n < F_N; n++)
        want[n] = !f->set;
    for (size_t k = 0; k < f->n_list; k++) {
        size_t n;
        for (n = 0; n < F_N; n++)
            if (strcmp(f->list[k], names[n]) == 0)
                break;
        if (n == F_N)
            return iamctl_usage("--filter: one of User, Role, Group, LocalManagedPolicy, "
                                "AWSManagedPolicy");
        want[n] = true;
    }
    return 0;
}

static int export_all(struct exporter *x) {
    struct iam_store *st = x->h->st;
    int r;

    begin_list(x, "UserDetailList", true);
    if (x->want[F_USER] &&
        (r = iam_store_identity_list(st, IAM_STORE_USER, NULL, 0, 0, export_user, x, NULL)) < 0)
        return r;
    end_list(x);
    begin_list(x, "GroupDetailList", false);
    if (x->want[F_GROUP] &&
        (r = iam_store_identity_list(st, IAM_STORE_GROUP, NULL, 0, 0, export_group, x, NULL)) < 0)
        return r;
    end_list(x);
    begin_list(x, "RoleDetailList", false);
    if (x->want[F_ROLE] &&
        (r = iam_store_identity_list(st, IAM_STORE_ROLE, NULL, 0, 0, export_role, x, NULL)) < 0)
        return r;
    end_list(x);
    begin_list(x, "Policies", false);
    if ((x->want[F_LOCAL_POLICY] || x->want[F_AWS_POLICY]) &&
        (r = iam_store_policy_list(st, IAM_STORE_SCOPE_ALL, false, NULL, 0, 0, export_policy, x,
                                   NULL)) < 0)
        return r;
    end_list(x);
    fputs("\n}\n", stdout);
    return fflush(stdout) != 0 || ferror(stdout) ? -EIO : 0;
}

int verb_get_account_authorization_details(int argc, char *argv[]) {
    struct opt opts[] = {{"filter", OPT_LIST}, {NULL}};
    struct sth h = STH_INIT;
    struct exporter x = {.h = &h};
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = parse_filter(opts, x.want)) ||
        (r = sth_open(&h, false)))
        goto out;
    r = export_all(&x);
    if (r == -EIO && !iam_store_error(h.st)->set)
        r = iamctl_fail("cannot write the output");
    else if (r < 0)
        r = iam_store_error(h.st)->set ? sth_fail(&h, r) : iamctl_fail("out of memory");
out:
    opts_free(opts);
    return sth_close(&h, r);
}
