/* SPDX-License-Identifier: Apache-2.0 */
/* Groups: create-group, get-group, list-groups, delete-group, add-user-to-group,
 * remove-user-from-group, list-groups-for-user. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "verb_common.h"

/* Names IAM or the host already use. */
static int create_group_collisions(struct sth *h, const char *name) {
    struct iam_store_identity other;
    int r = iam_store_identity_get(h->st, IAM_STORE_GROUP, name, &other);

    if (r == 0)
        return iamctl_fail("EntityAlreadyExists: Group with name %s already exists.", name);
    if (r == -ENOENT)
        r = iam_store_identity_get(h->st, IAM_STORE_USER, name, &other);
    if (r == 0)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is an IAM user (its private group has "
                           "that name)",
                           name);
    if (r == -ENOENT && (r = iam_store_identity_get(h->st, IAM_STORE_ROLE, name, &other)) == 0)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is an IAM role (its private group has "
                           "that name)",
                           name);
    if (r != -ENOENT)
        return sth_fail(h, r);
    if ((r = check_local_group_name(name)))
        return r;
    return check_group_name_allowed(h->config, "group", name);
}

int verb_create_group(int argc, char *argv[]) {
    struct opt opts[] = {{"group-name", OPT_VALUE, true}, {"path", OPT_VALUE}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity g = {.kind = IAM_STORE_GROUP, .has_posix = true}, got;
    const char *why;
    char id[22], now[32], *arn = NULL;
    json_t *out = NULL;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    g.name = opt_value(opts, "group-name");
    g.path = opt_value(opts, "path") ? opt_value(opts, "path") : "/";
    if ((why = iam_db_check_group_name(g.name))) {
        r = iamctl_fail("ValidationError: group name \"%.64s\" %s", g.name, why);
        goto out;
    }
    if ((why = iam_db_check_path(g.path))) {
        r = iamctl_usage("--path %s", why);
        goto out;
    }
    if ((r = sth_open(&h, true)) || (r = create_group_collisions(&h, g.name)) ||
        (r = alloc_id(&h, &g.posix_id)))
        goto out;
    make_unique_id("AGPA", id);
    now_iso(now);
    if (!(arn = sth_arn(&h, "group", g.path, g.name))) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    g.unique_id = id;
    g.arn = arn;
    g.create_date = now;
    g.source = IAM_STORE_SOURCE_LOCAL;
    if ((r = iam_store_identity_insert(h.st, &g, &g.id)) < 0 ||
        (r = iam_store_identity_get_by_id(h.st, g.id, &got)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    out = json_pack("{s:o}", "Group", group_summary(&got));
    if (!(r = sth_commit(&h))) {
        r = print_json(out);
        out = NULL;
    }
out:
    json_decref(out);
    free(arn);
    opts_free(opts);
    return sth_close(&h, r);
}

static int append_user(void *ctx, const struct iam_store_identity *u) {
    return json_array_append_new(ctx, user_summary(u)) < 0 ? -ENOMEM : 0;
}

int verb_get_group(int argc, char *argv[]) {
    struct opt opts[] = {{"group-name", OPT_VALUE, true}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity g;
    struct page pg;
    json_t *users = NULL, *out = NULL;
    int64_t next = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (r = sth_open(&h, false)) || (r = sth_group(&h, opt_value(opts, "group-name"), &g)))
        goto done;
    users = json_array();
    if ((r = iam_store_group_members(h.st, &g, pg.after, pg.max, append_user, users, &next)) <
        0) {
        r = sth_fail(&h, r);
        goto done;
    }
    out = json_pack("{s:o,s:o}", "Users", users, "Group", group_summary(&g));
    users = NULL;
    r = print_page(out, next);
done:
    json_decref(users);
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_list_groups(int argc, char *argv[]) {
    return list_identities(argc, argv, IAM_STORE_GROUP, "Groups", group_summary);
}

int verb_list_groups_for_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u, *groups;
    struct page pg;
    size_t n, from, to;
    int64_t next;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (r = sth_open(&h, false)) || (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    if ((r = iam_store_user_groups(h.st, &u, &groups, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    page_slice(&pg, n, &from, &to, &next);
    arr = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(arr, group_summary(&groups[i]));
    r = print_page(json_pack("{s:o}", "Groups", arr), next);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_delete_group(int argc, char *argv[]) {
    struct opt opts[] = {{"group-name", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity g;
    struct iam_store_inline *ip;
    struct iam_store_attached *att;
    size_t members = 0, n_ip = 0, n_att = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = sth_group(&h, opt_value(opts, "group-name"), &g)))
        goto out;
    if ((r = iam_store_group_member_count(h.st, &g, &members)) < 0 ||
        (r = iam_store_inline_list(h.st, &g, &ip, &n_ip)) < 0 ||
        (r = iam_store_attached_list(h.st, &g, &att, &n_att)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (members || n_ip || n_att) {
        r = iamctl_fail("DeleteConflict: Cannot delete entity, must %s first.",
                        members ? "remove users from group"
                        : n_ip  ? "delete policies"
                                : "detach all policies");
        goto out;
    }
    if ((r = iam_store_identity_delete(h.st, &g)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

static int membership(int argc, char *argv[], bool add) {
    struct opt opts[] = {{"group-name", OPT_VALUE, true}, {"user-name", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u, g, *groups;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = sth_user(&h, opt_value(opts, "user-name"), &u)) ||
        (r = sth_group(&h, opt_value(opts, "group-name"), &g)))
        goto out;
    if (add) {
        if ((r = iam_store_user_groups(h.st, &u, &groups, &n)) < 0) {
            r = sth_fail(&h, r);
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            if (groups[i].id == g.id)
                goto out; /* as IAM: adding twice is not an error (r is 0) */
        if (n >= IAM_MAX_GROUPS_PER_USER) {
            r = iamctl_fail("LimitExceeded: Cannot exceed quota for GroupsPerUser: %d",
                            IAM_MAX_GROUPS_PER_USER);
            goto out;
        }
        r = iam_store_membership_add(h.st, &u, &g);
    } else {
        r = iam_store_membership_remove(h.st, &u, &g);
        if (r == -ENOENT) {
            r = iamctl_fail("NoSuchEntity: user %s is not in group %s", u.name, g.name);
            goto out;
        }
    }
    if (r < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_add_user_to_group(int argc, char *argv[]) {
    return membership(argc, argv, true);
}

int verb_remove_user_from_group(int argc, char *argv[]) {
    return membership(argc, argv, false);
}
