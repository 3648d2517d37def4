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

/* The User of get-user and create-user: the summary, the boundary, the tags. */
static json_t *user_full(struct sth *h, const struct iam_store_identity *u, int *r) {
    struct iam_store_tag *tags;
    size_t n;
    json_t *o = user_summary(u);

    if ((*r = iam_store_tags(h->st, u, &tags, &n)) < 0) {
        json_decref(o);
        return NULL;
    }
    if (u->boundary_arn)
        json_object_set_new(o, "PermissionsBoundary", boundary_json(u->boundary_arn));
    if (n)
        json_object_set_new(o, "Tags", tags_json(tags, n));
    return o;
}

static int print_user(struct sth *h, const struct iam_store_identity *u) {
    int r = 0;
    json_t *o = user_full(h, u, &r);

    if (o)
        trail_set_password_last_used(o, h->config->cache_dir, u->unique_id);
    return o ? print_json(json_pack("{s:o}", "User", o)) : sth_fail(h, r);
}

/* create-user's checks that need no store: name, path, tags, POSIX fields. */
static int create_user_args(struct opt *opts, json_t **ret_tags) {
    const char *name = opt_value(opts, "user-name"), *path = opt_value(opts, "path"), *why;
    int r;

    if ((r = check_user_name_arg(name)))
        return r;
    if (path && (why = iam_db_check_path(path)))
        return iamctl_usage("--path %s", why);
    if (opt_get(opts, "tags")->set &&
        (r = parse_tags(opt_get(opts, "tags")->list, opt_get(opts, "tags")->n_list, ret_tags)))
        return r;
    if ((opt_value(opts, "gecos") &&
         (r = check_posix_field("gecos", opt_value(opts, "gecos"), false, IAM_MAX_GECOS))) ||
        (opt_value(opts, "home") &&
         (r = check_posix_field("home", opt_value(opts, "home"), true, IAM_MAX_HOME))) ||
        (opt_value(opts, "shell") &&
         (r = check_posix_field("shell", opt_value(opts, "shell"), true, IAM_MAX_HOME))))
        return r;
    return 0;
}

/* Names IAM or the host already use. */
static int create_user_collisions(struct sth *h, const char *name) {
    struct iam_store_identity other;
    int r = iam_store_identity_get(h->st, IAM_STORE_USER, name, &other);

    if (r == 0)
        return iamctl_fail("EntityAlreadyExists: User with name %s already exists.", name);
    if (r == -ENOENT)
        r = iam_store_identity_get(h->st, IAM_STORE_GROUP, name, &other);
    if (r == 0)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is an IAM group (the user's private group "
                           "would collide)",
                           name);
    if (r == -ENOENT && (r = iam_store_identity_get(h->st, IAM_STORE_ROLE, name, &other)) == 0)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is an IAM role (its account on the host "
                           "has that name)",
                           name);
    if (r != -ENOENT)
        return sth_fail(h, r);
    if ((r = check_local_user_name(name)))
        return r;
    return h->config->private_groups
               ? check_group_name_allowed(h->config, "the private group of user", name)
               : 0;
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
    struct sth h = STH_INIT;
    struct iam_store_identity u = {.kind = IAM_STORE_USER, .has_posix = true}, got;
    struct iam_store_policy boundary;
    const char *bnd;
    json_t *tags = NULL, *t;
    char id[22], now[32], *arn = NULL, *home = NULL;
    size_t i;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = create_user_args(opts, &tags)) ||
        (r = sth_open(&h, true)))
        goto out;
    u.name = opt_value(opts, "user-name");
    u.path = opt_value(opts, "path") ? opt_value(opts, "path") : "/";
    if ((r = create_user_collisions(&h, u.name)))
        goto out;
    if ((bnd = opt_value(opts, "permissions-boundary")) &&
        (r = sth_policy(&h, bnd, PM_DOES_NOT_EXIST, &boundary)))
        goto out;
    if ((r = alloc_id(&h, &u.posix_id)))
        goto out;
    make_unique_id("AIDA", id);
    now_iso(now);
    arn = sth_arn(&h, "user", u.path, u.name);
    home = opt_value(opts, "home") ? strdup(opt_value(opts, "home"))
                                   : iam_config_home_for(h.config, u.name);
    if (!arn || !home) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    u.unique_id = id;
    u.arn = arn;
    u.create_date = now;
    u.source = IAM_STORE_SOURCE_LOCAL;
    u.boundary = bnd ? boundary.id : 0;
    /* the private group's gid, or without private groups a real group's */
    u.gid = h.config->private_groups ? u.posix_id : h.config->default_gid;
    u.home = home;
    u.shell = opt_value(opts, "shell") ? opt_value(opts, "shell") : h.config->default_shell;
    u.gecos = opt_value(opts, "gecos");
    if ((r = iam_store_identity_insert(h.st, &u, &u.id)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    json_array_foreach(tags, i, t) {
        if ((r = iam_store_tag_set(h.st, &u, json_string_value(json_object_get(t, "Key")),
                                   json_string_value(json_object_get(t, "Value")))) < 0) {
            r = sth_fail(&h, r);
            goto out;
        }
    }
    if ((r = iam_store_identity_get_by_id(h.st, u.id, &got)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    {
        json_t *o = user_full(&h, &got, &r);
        if (!o) {
            r = sth_fail(&h, r);
            goto out;
        }
        if (!(r = sth_commit(&h)))
            r = print_json(json_pack("{s:o}", "User", o));
        else
            json_decref(o);
    }
out:
    json_decref(tags);
    free(arn);
    free(home);
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_get_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    int r;

    if (!(r = opts_parse(argc, argv, opts)) && !(r = sth_open(&h, false)) &&
        !(r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        r = print_user(&h, &u);
    opts_free(opts);
    return sth_close(&h, r);
}

struct list_ctx {
    json_t *arr;
    json_t *(*fn)(const struct iam_store_identity *);
    const char *cache_dir; /* users: PasswordLastUsed from the host's record */
};

static int list_one(void *ctx, const struct iam_store_identity *ident) {
    struct list_ctx *c = ctx;
    json_t *o = c->fn(ident);

    if (o && c->cache_dir && ident->kind == IAM_STORE_USER)
        trail_set_password_last_used(o, c->cache_dir, ident->unique_id);
    return json_array_append_new(c->arr, o) < 0 ? -ENOMEM : 0;
}

/* list-users, list-groups, list-roles: a kind, a path prefix, pagination. */
int list_identities(int argc, char *argv[], enum iam_store_kind kind, const char *key,
                    json_t *(*fn)(const struct iam_store_identity *)) {
    struct opt opts[] = {{"path-prefix", OPT_VALUE}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct list_ctx c = {.fn = fn};
    struct page pg;
    json_t *out = NULL;
    int64_t next = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (r = sth_open(&h, false)))
        goto done;
    c.cache_dir = h.config->cache_dir;
    c.arr = json_array();
    out = json_pack("{s:o}", key, c.arr);
    if (!out) {
        r = iamctl_fail("out of memory");
        goto done;
    }
    r = iam_store_identity_list(h.st, kind, opt_value(opts, "path-prefix"), pg.after, pg.max,
                                list_one, &c, &next);
    if (r < 0) {
        r = sth_fail(&h, r);
        goto done;
    }
    r = print_page(out, next);
    out = NULL;
done:
    json_decref(out);
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_list_users(int argc, char *argv[]) {
    return list_identities(argc, argv, IAM_STORE_USER, "Users", user_summary);
}

/* As IAM: everything attached to the user must be removed first. */
static int user_delete_conflict(struct sth *h, const struct iam_store_identity *u,
                                const char **what) {
    struct iam_store_login_profile lp;
    struct iam_store_access_key *keys;
    struct iam_store_ssh_key *ssh;
    struct iam_store_inline *ip;
    struct iam_store_attached *att;
    struct iam_store_identity *groups;
    struct iam_store_mfa_device *mfa;
    size_t n;
    int r;

    *what = NULL;
    if ((r = iam_store_login_profile_get(h->st, u, &lp)) == 0)
        *what = "login profile (delete-login-profile)";
    else if (r != -ENOENT)
        return r;
    else if ((r = iam_store_access_keys(h->st, u, &keys, &n)) < 0 || n)
        *what = "access keys (delete-access-key)";
    else if ((r = iam_store_ssh_keys(h->st, u, &ssh, &n)) < 0 || n)
        *what = "SSH public keys (delete-ssh-public-key)";
    else if ((r = iam_store_mfa_list(h->st, u, &mfa, &n)) < 0 || n)
        *what = "MFA devices (deactivate-mfa-device)";
    else if ((r = iam_store_inline_list(h->st, u, &ip, &n)) < 0 || n)
        *what = "inline policies (delete-user-policy)";
    else if ((r = iam_store_attached_list(h->st, u, &att, &n)) < 0 || n)
        *what = "attached policies (detach-user-policy)";
    else if ((r = iam_store_user_groups(h->st, u, &groups, &n)) < 0 || n)
        *what = "group memberships (remove-user-from-group)";
    return r < 0 ? r : 0;
}

int verb_delete_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    const char *what;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    if ((r = user_delete_conflict(&h, &u, &what)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (what) {
        r = iamctl_fail("DeleteConflict: Cannot delete entity, must remove its %s first.", what);
        goto out;
    }
    if ((r = iam_store_identity_delete(h.st, &u)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_update_user(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {"new-path", OPT_VALUE}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    const char *np, *why;
    char *arn = NULL;
    int r;

    /* --new-user-name is deliberately absent: the IAM name is the POSIX login name, and a
     * rename would orphan files, crontabs and sudo rules that name the old login. */
    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    np = opt_value(opts, "new-path");
    if (!np) {
        r = iamctl_usage("update-user: nothing to change (--new-path)");
        goto out;
    }
    if ((why = iam_db_check_path(np))) {
        r = iamctl_usage("--new-path %s", why);
        goto out;
    }
    if ((r = sth_open(&h, true)) || (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    if (!(arn = sth_arn(&h, "user", np, u.name))) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    if ((r = iam_store_identity_set_path(h.st, &u, np, arn)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    free(arn);
    opts_free(opts);
    return sth_close(&h, r);
}

/* tag-user / tag on any identity: a tag with an existing key (any case) replaces its value */
int tag_identity(struct sth *h, const struct iam_store_identity *who, json_t *tags) {
    struct iam_store_tag *cur;
    size_t i, n;
    json_t *t;
    int r;

    json_array_foreach(tags, i, t) {
        if ((r = iam_store_tag_set(h->st, who, json_string_value(json_object_get(t, "Key")),
                                   json_string_value(json_object_get(t, "Value")))) < 0)
            return sth_fail(h, r);
    }
    if ((r = iam_store_tags(h->st, who, &cur, &n)) < 0)
        return sth_fail(h, r);
    if (n > IAM_MAX_TAGS)
        return iamctl_fail("LimitExceeded: a %s can have at most %d tags",
                           who->kind == IAM_STORE_ROLE ? "role" : "user", IAM_MAX_TAGS);
    return 0;
}
