/* SPDX-License-Identifier: Apache-2.0 */
/* The store's users and groups against this host: its id range and its local accounts
 * (iam/host_ids.h states the rules). A few indexed lookups per local account and one scan
 * for the rare users whose primary gid is neither their own group's nor default_gid, so it
 * is cheap enough to run before every write commits. */
#include <errno.h>
#include <string.h>

#include "iam/host_ids.h"
#include "store_private.h"

#define RANGE_HINT "IAM identities never take the host's own ids (uid_min..uid_max of iam.conf)"

static const char *kind_name(int64_t kind) {
    return kind == IAM_STORE_USER ? "user" : kind == IAM_STORE_ROLE ? "role" : "group";
}

/* An identity outside the range: users, groups, and roles that have an account on the host
 * (those created here; a role imported before roles were accounts has none). Two range
 * searches of the posix_id index, not a visit of every identity. */
static int check_range(struct iam_store *st, const struct iam_config *c) {
    static const char sql[] = "SELECT kind, name, posix_id FROM identities WHERE"
                              " posix_id < ? OR posix_id > ? LIMIT 1";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, c->uid_min);
    st_bind_int(s, 2, c->uid_max);
    r = st_step(st, s, "checking the id range");
    if (r > 0)
        r = st_fail(st, -EINVAL, "%s \"%.64s\": %s %lld is outside %u..%u: " RANGE_HINT,
                    kind_name(sqlite3_column_int64(s, 0)), st_col_text(s, 1),
                    sqlite3_column_int64(s, 0) == IAM_STORE_GROUP ? "gid" : "uid",
                    (long long)sqlite3_column_int64(s, 2), c->uid_min, c->uid_max);
    sqlite3_reset(s);
    return r;
}

/* Users whose primary gid is not their own id (their private group's, or with
 * private_groups = no what the caches turn into default_gid) nor default_gid: in the range,
 * and not a local group's. The partial index identities_other_gid holds just the rows with
 * gid <> posix_id (schema.c), so this reads those, not every user. */
static int check_primary_gids(struct iam_store *st, const struct iam_config *c,
                              const struct iam_local_accounts *local) {
    static const char sql[] = "SELECT name, gid FROM identities WHERE +kind = 1"
                              " AND gid <> posix_id AND gid <> ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    const char *other;
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, c->default_gid);
    while ((r = st_step(st, s, "checking the users' primary groups")) > 0) {
        uint32_t gid = (uint32_t)sqlite3_column_int64(s, 1);

        if (gid < c->uid_min || gid > c->uid_max) {
            r = st_fail(st, -EINVAL,
                        "user \"%.64s\": primary gid %u is outside %u..%u and is not default_gid "
                        "(%u): " RANGE_HINT,
                        st_col_text(s, 0), gid, c->uid_min, c->uid_max, c->default_gid);
            break;
        }
        if ((other = iam_local_group_by_gid(local, gid))) {
            r = st_fail(st, -EINVAL, "user \"%.64s\": primary gid %u is the local group "
                        "\"%.64s\"'s (%s)",
                        st_col_text(s, 0), gid, other, iam_local_group_path());
            break;
        }
    }
    sqlite3_reset(s);
    return r;
}

/* The identity of one of kinds (a bit per kind) whose id is id: 1 and its kind and name (in
 * the store's arena), 0 when none, -errno. */
static int by_id(struct iam_store *st, unsigned kinds, uint32_t id, int64_t *ret_kind,
                 char **ret_name) {
    static const char sql[] = "SELECT kind, name FROM identities WHERE posix_id = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    bool oom = false;
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, id);
    r = st_step(st, s, "looking up an id");
    if (r > 0 && !(kinds & (1u << sqlite3_column_int64(s, 0))))
        r = 0;
    if (r > 0) {
        *ret_kind = sqlite3_column_int64(s, 0);
        *ret_name = st_col_dup(st, s, 1, &oom);
        if (oom)
            r = st_fail(st, -ENOMEM, "out of memory");
    }
    sqlite3_reset(s);
    return r;
}

/* The identity of that kind with that name, any case (a role only when it has an account on
 * the host): 1 and its name as stored, 0, -errno. */
static int by_name(struct iam_store *st, int64_t kind, const char *name, char **ret_name) {
    static const char sql[] = "SELECT name FROM identities WHERE kind = ? AND name = ?"
                              " COLLATE NOCASE AND (kind <> 3 OR posix_id IS NOT NULL)";
    sqlite3_stmt *s = st_stmt(st, sql);
    bool oom = false;
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, kind);
    st_bind_text(s, 2, name);
    r = st_step(st, s, "looking up a name");
    if (r > 0) {
        *ret_name = st_col_dup(st, s, 0, &oom);
        if (oom)
            r = st_fail(st, -ENOMEM, "out of memory");
    }
    sqlite3_reset(s);
    return r;
}

#define USERS (1u << IAM_STORE_USER)
#define GROUPS (1u << IAM_STORE_GROUP)
#define ROLES (1u << IAM_STORE_ROLE)

static int check_local_user(struct iam_store *st, uint32_t uid, const char *local_name) {
    char *name = NULL;
    int64_t kind = 0;
    int r;

    if ((r = by_id(st, USERS | ROLES, uid, &kind, &name)) != 0)
        return r < 0 ? r
                     : st_fail(st, -EINVAL, "%s \"%.64s\": uid %u is the local account "
                               "\"%.64s\"'s (%s)",
                               kind_name(kind), name, uid, local_name, iam_local_passwd_path());
    if ((r = by_name(st, IAM_STORE_USER, local_name, &name)) != 0)
        return r < 0 ? r
                     : st_fail(st, -EINVAL, "user \"%.64s\" has the name of a local account (%s)",
                               name, iam_local_passwd_path());
    if ((r = by_name(st, IAM_STORE_ROLE, local_name, &name)) != 0)
        return r < 0 ? r
                     : st_fail(st, -EINVAL, "role \"%.64s\" has the name of a local account (%s), "
                               "which its account on the host would take",
                               name, iam_local_passwd_path());
    return 0;
}

static int check_local_group(struct iam_store *st, const struct iam_config *c, uint32_t gid,
                             const char *local_name) {
    unsigned kinds = GROUPS | (c->private_groups ? USERS | ROLES : 0);
    char *name = NULL;
    int64_t kind = 0;
    int r;

    if ((r = by_id(st, kinds, gid, &kind, &name)) != 0) {
        if (r < 0)
            return r;
        if (kind != IAM_STORE_GROUP)
            return st_fail(st, -EINVAL, "%s \"%.64s\": uid %u is the local group \"%.64s\"'s "
                           "gid (%s), and would be the gid of its private group",
                           kind_name(kind), name, gid, local_name, iam_local_group_path());
        return st_fail(st, -EINVAL, "group \"%.64s\": gid %u is the local group \"%.64s\"'s (%s)",
                       name, gid, local_name, iam_local_group_path());
    }
    if ((r = by_name(st, IAM_STORE_GROUP, local_name, &name)) != 0)
        return r < 0 ? r
                     : st_fail(st, -EINVAL, "group \"%.64s\" has the name of a local group (%s)",
                               name, iam_local_group_path());
    if (c->private_groups && (r = by_name(st, IAM_STORE_USER, local_name, &name)) != 0)
        return r < 0 ? r
                     : st_fail(st, -EINVAL, "user \"%.64s\" has the name of a local group (%s), "
                               "which its private group would take",
                               name, iam_local_group_path());
    if (c->private_groups && (r = by_name(st, IAM_STORE_ROLE, local_name, &name)) != 0)
        return r < 0 ? r
                     : st_fail(st, -EINVAL, "role \"%.64s\" has the name of a local group (%s), "
                               "which its private group would take",
                               name, iam_local_group_path());
    return 0;
}

int iam_store_check_host_ids(struct iam_store *st, const struct iam_config *config,
                             const struct iam_local_accounts *local) {
    struct iam_store_mark mark;
    const char *name;
    uint32_t id;
    int r;

    if (!st || !config || !local)
        return -EINVAL;
    if (!st->in_tx)
        return st_fail(st, -EINVAL, "internal error: the host check needs a transaction");
    mark = iam_store_mark(st);
    if ((r = check_range(st, config)) < 0 || (r = check_primary_gids(st, config, local)) < 0)
        goto out;
    for (size_t i = 0; iam_local_accounts_get(local, false, i, &id, &name); i++)
        if ((r = check_local_user(st, id, name)) < 0)
            goto out;
    for (size_t i = 0; iam_local_accounts_get(local, true, i, &id, &name); i++)
        if ((r = check_local_group(st, config, id, name)) < 0)
            goto out;
out:
    iam_store_release(st, mark);
    return r;
}
