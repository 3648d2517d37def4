/* SPDX-License-Identifier: Apache-2.0 */
/* Groups: create-group, get-group, list-groups, delete-group, add-user-to-group,
 * remove-user-from-group, list-groups-for-user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "verb_common.h"

int verb_create_group(int argc, char *argv[]) {
    struct opt opts[] = {{"group-name", OPT_VALUE, true}, {"path", OPT_VALUE}, {NULL}};
    struct dbh h = DBH_INIT;
    const char *name, *path, *why;
    char id[22], now[32], *arn = NULL;
    json_t *g = NULL;
    uint32_t gid;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    name = opt_get(opts, "group-name")->value;
    path = opt_get(opts, "path")->value ? opt_get(opts, "path")->value : "/";
    if ((why = iam_db_check_group_name(name))) {
        r = iamctl_fail("ValidationError: group name \"%.64s\" %s", name, why);
        goto out;
    }
    if ((why = iam_db_check_path(path))) {
        r = iamctl_usage("--path %s", why);
        goto out;
    }
    if ((r = dbh_open(&h, true)))
        goto out;
    if (iam_db_find_group(h.db, name)) {
        r = iamctl_fail("EntityAlreadyExists: Group with name %s already exists.", name);
        goto out;
    }
    if (iam_db_find_user(h.db, name)) {
        r = iamctl_fail("EntityAlreadyExists: \"%s\" is an IAM user (its private group has "
                        "that name)",
                        name);
        goto out;
    }
    if ((r = check_local_group_name(name)) || (r = alloc_id(&h, &gid)))
        goto out;
    make_unique_id("AGPA", id);
    now_iso(now);
    if (asprintf(&arn, "arn:%s:iam::%s:group%s%s", h.partition, h.db->account_id, path, name) < 0) {
        arn = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    g = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[],s:[],s:{s:I}}", "Path", path, "GroupName", name,
                  "GroupId", id, "Arn", arn, "CreateDate", now, "GroupPolicyList",
                  "AttachedManagedPolicies", "Posix", "Gid", (json_int_t)gid);
    if (!g || json_array_append(dbh_section(&h, "GroupDetailList"), g) < 0) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    if ((r = dbh_commit(&h)))
        goto out;
    r = print_json(json_pack("{s:o}", "Group", group_summary(iam_db_find_group(h.db, name))));
out:
    json_decref(g);
    free(arn);
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_get_group(int argc, char *argv[]) {
    struct opt opts[] = {{"group-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_group *g;
    json_t *users;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)))
        goto out;
    g = iam_db_find_group(h.db, opt_get(opts, "group-name")->value);
    if (!g) {
        r = fail_no_such_entity("group", opt_get(opts, "group-name")->value);
        goto out;
    }
    users = json_array();
    for (size_t i = 0; i < g->n_members; i++)
        json_array_append_new(users, user_summary(g->members[i]));
    r = print_json(json_pack("{s:o,s:o}", "Users", users, "Group", group_summary(g)));
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_list_groups(int argc, char *argv[]) {
    struct opt opts[] = {{"path-prefix", OPT_VALUE}, {NULL}};
    struct dbh h = DBH_INIT;
    const char *prefix;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)))
        goto out;
    prefix = opt_get(opts, "path-prefix")->value ? opt_get(opts, "path-prefix")->value : "/";
    arr = json_array();
    for (size_t i = 0; i < h.db->n_groups; i++)
        if (strncmp(h.db->groups[i].path, prefix, strlen(prefix)) == 0)
            json_array_append_new(arr, group_summary(&h.db->groups[i]));
    r = print_json(json_pack("{s:o}", "Groups", arr));
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_list_groups_for_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_user *u;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)))
        goto out;
    if ((r = find_user_or_fail(h.db, opt_get(opts, "user-name")->value, &u)))
        goto out;
    arr = json_array();
    for (size_t i = 0; i < u->n_groups; i++)
        json_array_append_new(arr, group_summary(u->groups[i]));
    r = print_json(json_pack("{s:o}", "Groups", arr));
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_delete_group(int argc, char *argv[]) {
    struct opt opts[] = {{"group-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_group *g;
    json_t *list;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)))
        goto out;
    g = iam_db_find_group(h.db, opt_get(opts, "group-name")->value);
    if (!g) {
        r = fail_no_such_entity("group", opt_get(opts, "group-name")->value);
        goto out;
    }
    if (g->n_members || g->n_inline || g->n_attached) {
        r = iamctl_fail("DeleteConflict: Cannot delete entity, must %s first.",
                        g->n_members  ? "remove users from group"
                        : g->n_inline ? "delete policies"
                                      : "detach all policies");
        goto out;
    }
    list = json_object_get(h.root, "GroupDetailList");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(list, i), "GroupName"));
        if (n && strcasecmp(n, g->name) == 0) {
            json_array_remove(list, i);
            break;
        }
    }
    r = dbh_commit(&h);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

static int membership(int argc, char *argv[], bool add) {
    struct opt opts[] = {{"group-name", OPT_VALUE, true}, {"user-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_user *u;
    const struct iam_db_group *g;
    json_t *uj, *gl;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)))
        goto out;
    u = iam_db_find_user(h.db, opt_get(opts, "user-name")->value);
    g = iam_db_find_group(h.db, opt_get(opts, "group-name")->value);
    if (!u) {
        r = fail_user_missing(opt_get(opts, "user-name")->value);
        goto out;
    }
    if (!g) {
        r = fail_no_such_entity("group", opt_get(opts, "group-name")->value);
        goto out;
    }
    uj = dbh_user_json(&h, u->name);
    gl = json_object_get(uj, "GroupList");
    if (!json_is_array(gl)) {
        gl = json_array();
        json_object_set_new(uj, "GroupList", gl);
    }
    if (add) {
        if (iam_db_user_in_group(u, g)) {
            r = IAMCTL_EXIT_OK; /* as IAM: adding twice is not an error */
            goto out;
        }
        if (u->n_groups >= IAM_MAX_GROUPS_PER_USER) {
            r = iamctl_fail("LimitExceeded: Cannot exceed quota for GroupsPerUser: %d",
                            IAM_MAX_GROUPS_PER_USER);
            goto out;
        }
        json_array_append_new(gl, json_string(g->name));
    } else {
        bool found = false;
        for (size_t i = 0; i < json_array_size(gl); i++)
            if (strcasecmp(json_string_value(json_array_get(gl, i)), g->name) == 0) {
                json_array_remove(gl, i);
                found = true;
                break;
            }
        if (!found) {
            r = iamctl_fail("NoSuchEntity: user %s is not in group %s", u->name, g->name);
            goto out;
        }
    }
    r = dbh_commit(&h);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_add_user_to_group(int argc, char *argv[]) {
    return membership(argc, argv, true);
}

int verb_remove_user_from_group(int argc, char *argv[]) {
    return membership(argc, argv, false);
}
