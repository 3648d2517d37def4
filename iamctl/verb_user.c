/* SPDX-License-Identifier: Apache-2.0 */
/* Users: create-user, get-user, list-users, delete-user, update-user, tag-user, untag-user,
 * list-user-tags, put-/delete-user-permissions-boundary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iam/config.h"
#include "trail_common.h"
#include "verb_common.h"

static int check_posix_field(const char *opt, const char *v, bool absolute, size_t max) {
    const char *why = iam_db_check_passwd_field(v, max);

    if (why)
        return iamctl_usage("--%s %s", opt, why);
    if (absolute && v[0] != '/')
        return iamctl_usage("--%s must be an absolute path", opt);
    return 0;
}

static json_t *user_full(const struct iam_db_user *u) {
    json_t *o = user_summary(u);

    if (u->boundary)
        json_object_set_new(o, "PermissionsBoundary",
                            json_pack("{s:s,s:s}", "PermissionsBoundaryType", "Policy",
                                      "PermissionsBoundaryArn", u->boundary->arn));
    if (u->n_tags)
        json_object_set_new(o, "Tags", tags_json(u->tags, u->n_tags));
    return o;
}

int verb_create_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true},
                         {"path", OPT_VALUE},
                         {"permissions-boundary", OPT_VALUE},
                         {"tags", OPT_LIST},
                         {"gecos", OPT_VALUE},
                         {"home", OPT_VALUE},
                         {"shell", OPT_VALUE},
                         {NULL}};
    struct dbh h = DBH_INIT;
    const char *name, *path, *why;
    json_t *tags = NULL, *u = NULL;
    char id[22], now[32], *arn = NULL, *home = NULL;
    uint32_t uid;
    int r;

    r = opts_parse(argc, argv, opts);
    if (r)
        goto out;
    name = opt_get(opts, "user-name")->value;
    path = opt_get(opts, "path")->value ? opt_get(opts, "path")->value : "/";
    if ((r = check_user_name_arg(name)))
        goto out;
    if ((why = iam_db_check_path(path))) {
        r = iamctl_usage("--path %s", why);
        goto out;
    }
    if (opt_get(opts, "tags")->set &&
        (r = parse_tags(opt_get(opts, "tags")->list, opt_get(opts, "tags")->n_list, &tags)))
        goto out;
    if ((opt_get(opts, "gecos")->value &&
         (r = check_posix_field("gecos", opt_get(opts, "gecos")->value, false, IAM_MAX_GECOS))) ||
        (opt_get(opts, "home")->value &&
         (r = check_posix_field("home", opt_get(opts, "home")->value, true, IAM_MAX_HOME))) ||
        (opt_get(opts, "shell")->value &&
         (r = check_posix_field("shell", opt_get(opts, "shell")->value, true, IAM_MAX_HOME))))
        goto out;
    if ((r = dbh_open(&h, true)))
        goto out;
    if (iam_db_find_user(h.db, name)) {
        r = iamctl_fail("EntityAlreadyExists: User with name %s already exists.", name);
        goto out;
    }
    if (iam_db_find_group(h.db, name)) {
        r = iamctl_fail("EntityAlreadyExists: \"%s\" is an IAM group (the user's private group "
                        "would collide)",
                        name);
        goto out;
    }
    if ((r = check_local_user_name(name)))
        goto out;
    if (opt_get(opts, "permissions-boundary")->value &&
        !iam_db_find_policy(h.db, opt_get(opts, "permissions-boundary")->value)) {
        r = iamctl_fail("NoSuchEntity: policy %.256s does not exist",
                        opt_get(opts, "permissions-boundary")->value);
        goto out;
    }
    if ((r = alloc_id(&h, &uid)))
        goto out;
    make_unique_id("AIDA", id);
    now_iso(now);
    if (asprintf(&arn, "arn:%s:iam::%s:user%s%s", h.partition, h.db->account_id, path, name) < 0) {
        arn = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    home = opt_get(opts, "home")->value ? strdup(opt_get(opts, "home")->value)
                                        : iam_config_home_for(h.config, name);
    if (!home) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    u = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[],s:[],s:[]}", "Path", path, "UserName", name, "UserId",
                  id, "Arn", arn, "CreateDate", now, "UserPolicyList", "GroupList",
                  "AttachedManagedPolicies");
    if (!u) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    if (opt_get(opts, "permissions-boundary")->value)
        json_object_set_new(u, "PermissionsBoundary",
                            json_pack("{s:s,s:s}", "PermissionsBoundaryType", "Policy",
                                      "PermissionsBoundaryArn",
                                      opt_get(opts, "permissions-boundary")->value));
    if (tags)
        json_object_set(u, "Tags", tags);
    {
        /* the private group's gid, or without private groups a real group's */
        uint32_t gid = h.config->private_groups ? uid : h.config->default_gid;
        json_t *px = json_pack("{s:I,s:I,s:s,s:s}", "Uid", (json_int_t)uid, "Gid", (json_int_t)gid,
                               "Home", home, "Shell",
                               opt_get(opts, "shell")->value ? opt_get(opts, "shell")->value
                                                             : h.config->default_shell);
        if (opt_get(opts, "gecos")->value)
            json_object_set_new(px, "Gecos", json_string(opt_get(opts, "gecos")->value));
        json_object_set_new(u, "Posix", px);
    }
    if (json_array_append(dbh_section(&h, "UserDetailList"), u) < 0) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    if ((r = dbh_commit(&h)))
        goto out;
    r = print_json(json_pack("{s:o}", "User", user_full(iam_db_find_user(h.db, name))));
out:
    json_decref(u);
    json_decref(tags);
    free(arn);
    free(home);
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_get_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_user *u;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)))
        goto out;
    if ((r = find_user_or_fail(h.db, opt_get(opts, "user-name")->value, &u)))
        goto out;
    {
        json_t *o = user_full(u);

        trail_set_password_last_used(o, h.config->cache_dir, u->id);
        r = print_json(json_pack("{s:o}", "User", o));
    }
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_list_users(int argc, char *argv[]) {
    struct opt opts[] = {{"path-prefix", OPT_VALUE}, {NULL}};
    struct dbh h = DBH_INIT;
    const char *prefix;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)))
        goto out;
    prefix = opt_get(opts, "path-prefix")->value ? opt_get(opts, "path-prefix")->value : "/";
    arr = json_array();
    for (size_t i = 0; i < h.db->n_users; i++)
        if (strncmp(h.db->users[i].path, prefix, strlen(prefix)) == 0) {
            json_t *o = user_summary(&h.db->users[i]);

            trail_set_password_last_used(o, h.config->cache_dir, h.db->users[i].id);
            json_array_append_new(arr, o);
        }
    r = print_json(json_pack("{s:o}", "Users", arr));
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_delete_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_user *u;
    const char *what = NULL;
    json_t *list;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)))
        goto out;
    if ((r = find_user_or_fail(h.db, opt_get(opts, "user-name")->value, &u)))
        goto out;
    /* as IAM: everything attached to the user must be removed first */
    if (u->login_profile)
        what = "login profile (delete-login-profile)";
    else if (u->n_keys)
        what = "access keys (delete-access-key)";
    else if (u->n_ssh_keys)
        what = "SSH public keys (delete-ssh-public-key)";
    else if (u->n_inline)
        what = "inline policies (delete-user-policy)";
    else if (u->n_attached)
        what = "attached policies (detach-user-policy)";
    else if (u->n_groups)
        what = "group memberships (remove-user-from-group)";
    if (what) {
        r = iamctl_fail("DeleteConflict: Cannot delete entity, must remove its %s first.", what);
        goto out;
    }
    list = json_object_get(h.root, "UserDetailList");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(list, i), "UserName"));
        if (n && strcasecmp(n, u->name) == 0) {
            json_array_remove(list, i);
            break;
        }
    }
    r = dbh_commit(&h);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_update_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {"new-path", OPT_VALUE}, {NULL}};
    struct dbh h = DBH_INIT;
    json_t *u;
    const char *np, *why;
    const struct iam_db_user *mu;
    char *arn = NULL;
    int r;

    /* --new-user-name is deliberately absent: the IAM name is the POSIX login name, and a
     * rename would orphan files, crontabs and sudo rules that name the old login. */
    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    np = opt_get(opts, "new-path")->value;
    if (!np) {
        r = iamctl_usage("update-user: nothing to change (--new-path)");
        goto out;
    }
    if ((why = iam_db_check_path(np))) {
        r = iamctl_usage("--new-path %s", why);
        goto out;
    }
    if ((r = dbh_open(&h, true)))
        goto out;
    mu = iam_db_find_user(h.db, opt_get(opts, "user-name")->value);
    u = dbh_user_json(&h, opt_get(opts, "user-name")->value);
    if (!mu || !u) {
        r = fail_user_missing(opt_get(opts, "user-name")->value);
        goto out;
    }
    if (asprintf(&arn, "arn:%s:iam::%s:user%s%s", h.partition, h.db->account_id, np, mu->name) <
        0) {
        arn = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    json_object_set_new(u, "Path", json_string(np));
    json_object_set_new(u, "Arn", json_string(arn));
    r = dbh_commit(&h);
out:
    free(arn);
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_tag_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {"tags", OPT_LIST, true}, {NULL}};
    struct dbh h = DBH_INIT;
    json_t *u, *tags = NULL, *cur, *t;
    size_t i;
    int r;

    if ((r = opts_parse(argc, argv, opts)) ||
        (r = parse_tags(opt_get(opts, "tags")->list, opt_get(opts, "tags")->n_list, &tags)) ||
        (r = dbh_open(&h, true)))
        goto out;
    u = dbh_user_json(&h, opt_get(opts, "user-name")->value);
    if (!u) {
        r = fail_user_missing(opt_get(opts, "user-name")->value);
        goto out;
    }
    cur = json_object_get(u, "Tags");
    if (!json_is_array(cur)) {
        cur = json_array();
        json_object_set_new(u, "Tags", cur);
    }
    /* a tag with an existing key (case-insensitive) replaces its value */
    json_array_foreach(tags, i, t) {
        const char *k = json_string_value(json_object_get(t, "Key"));
        bool replaced = false;
        size_t j;
        json_t *c;
        json_array_foreach(cur, j, c) {
            if (strcasecmp(json_string_value(json_object_get(c, "Key")), k) == 0) {
                json_object_set(c, "Value", json_object_get(t, "Value"));
                replaced = true;
            }
        }
        if (!replaced)
            json_array_append(cur, t);
    }
    if (json_array_size(cur) > IAM_MAX_TAGS) {
        r = iamctl_fail("LimitExceeded: a user can have at most %d tags", IAM_MAX_TAGS);
        goto out;
    }
    r = dbh_commit(&h);
out:
    json_decref(tags);
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_untag_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {"tag-keys", OPT_LIST, true}, {NULL}};
    struct dbh h = DBH_INIT;
    json_t *u, *cur;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)))
        goto out;
    u = dbh_user_json(&h, opt_get(opts, "user-name")->value);
    if (!u) {
        r = fail_user_missing(opt_get(opts, "user-name")->value);
        goto out;
    }
    cur = json_object_get(u, "Tags");
    for (size_t k = 0; k < opt_get(opts, "tag-keys")->n_list; k++)
        for (size_t j = 0; j < json_array_size(cur);) {
            const char *key = json_string_value(json_object_get(json_array_get(cur, j), "Key"));
            if (key && strcasecmp(key, opt_get(opts, "tag-keys")->list[k]) == 0)
                json_array_remove(cur, j);
            else
                j++;
        }
    r = dbh_commit(&h);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_list_user_tags(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const struct iam_db_user *u;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, false)))
        goto out;
    if ((r = find_user_or_fail(h.db, opt_get(opts, "user-name")->value, &u)))
        goto out;
    r = print_json(json_pack("{s:o}", "Tags", tags_json(u->tags, u->n_tags)));
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_put_user_permissions_boundary(int argc, char *argv[]) {
    struct opt opts[] = {
        {"user-name", OPT_VALUE, true}, {"permissions-boundary", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    const char *arn;
    json_t *u;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)))
        goto out;
    arn = opt_get(opts, "permissions-boundary")->value;
    u = dbh_user_json(&h, opt_get(opts, "user-name")->value);
    if (!u) {
        r = fail_user_missing(opt_get(opts, "user-name")->value);
        goto out;
    }
    if (!iam_db_find_policy(h.db, arn)) {
        r = iamctl_fail("NoSuchEntity: policy %.256s does not exist", arn);
        goto out;
    }
    json_object_set_new(
        u, "PermissionsBoundary",
        json_pack("{s:s,s:s}", "PermissionsBoundaryType", "Policy", "PermissionsBoundaryArn", arn));
    r = dbh_commit(&h);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}

int verb_delete_user_permissions_boundary(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    json_t *u;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)))
        goto out;
    u = dbh_user_json(&h, opt_get(opts, "user-name")->value);
    if (!u) {
        r = fail_user_missing(opt_get(opts, "user-name")->value);
        goto out;
    }
    if (!json_object_get(u, "PermissionsBoundary")) {
        r = iamctl_fail("NoSuchEntity: user %s has no permissions boundary",
                        opt_get(opts, "user-name")->value);
        goto out;
    }
    json_object_del(u, "PermissionsBoundary");
    r = dbh_commit(&h);
out:
    opts_free(opts);
    return dbh_close(&h, r);
}
