/* SPDX-License-Identifier: Apache-2.0 */
/* Users, groups and roles: lookups, listing, insert, update, delete; the account row. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_private.h"

#define IDENTITY_COLUMNS                                                                            \
    "i.id, i.kind, i.name, i.unique_id, i.arn, i.path, i.create_date, i.source, i.digest, "       \
    "i.boundary, b.arn, i.posix_id, i.gid, i.home, i.shell, i.gecos, i.description, "             \
    "i.trust_policy, i.max_session_duration, i.instance_profiles, i.last_used, i.tags_listed "    \
    "FROM identities i LEFT JOIN policies b ON b.id = i.boundary "

/* Fill *ret from the current row; strings copied into the arena (dup) or borrowed. */
static int row_identity(struct iam_store *st, sqlite3_stmt *s, struct iam_store_identity *ret,
                        bool dup) {
    bool oom = false;
    const void *digest;

#define TXT(i) (dup ? st_col_dup(st, s, (i), &oom) : st_col_text(s, (i)))
    memset(ret, 0, sizeof(*ret));
    ret->id = sqlite3_column_int64(s, 0);
    ret->kind = (enum iam_store_kind)sqlite3_column_int(s, 1);
    ret->name = TXT(2);
    ret->unique_id = TXT(3);
    ret->arn = TXT(4);
    ret->path = TXT(5);
    ret->create_date = TXT(6);
    ret->source = TXT(7);
    digest = sqlite3_column_blob(s, 8);
    if (digest && sqlite3_column_bytes(s, 8) == (int)sizeof(ret->digest)) {
        memcpy(ret->digest, digest, sizeof(ret->digest));
        ret->has_digest = true;
    }
    ret->boundary = sqlite3_column_int64(s, 9);
    ret->boundary_arn = TXT(10);
    ret->has_posix = sqlite3_column_type(s, 11) != SQLITE_NULL;
    ret->posix_id = (uint32_t)sqlite3_column_int64(s, 11);
    ret->gid = (uint32_t)sqlite3_column_int64(s, 12);
    ret->home = TXT(13);
    ret->shell = TXT(14);
    ret->gecos = TXT(15);
    ret->description = TXT(16);
    ret->trust_policy = TXT(17);
    ret->max_session_duration = sqlite3_column_int64(s, 18);
    ret->instance_profiles = TXT(19);
    ret->last_used = TXT(20);
    ret->tags_listed = sqlite3_column_int(s, 21) != 0;
#undef TXT
    if (!ret->name || !ret->unique_id || !ret->arn || !ret->path || !ret->source)
        return oom ? st_fail(st, -ENOMEM, "out of memory")
                   : st_fail(st, -EBADMSG, "an identity row lacks a required column");
    return oom ? st_fail(st, -ENOMEM, "out of memory") : 0;
}

static int get_one(struct iam_store *st, sqlite3_stmt *s, struct iam_store_identity *ret) {
    int r = st_step(st, s, "looking up an identity");

    if (r <= 0)
        return r < 0 ? r : -ENOENT;
    r = row_identity(st, s, ret, true);
    sqlite3_reset(s);
    return r;
}

int iam_store_identity_get(struct iam_store *st, enum iam_store_kind kind, const char *name,
                           struct iam_store_identity *ret) {
    static const char sql[] =
        "SELECT " IDENTITY_COLUMNS "WHERE i.kind = ? AND i.name = ? COLLATE NOCASE";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, kind);
    st_bind_text(s, 2, name);
    return get_one(st, s, ret);
}

int iam_store_identity_get_by_arn(struct iam_store *st, enum iam_store_kind kind, const char *arn,
                                  struct iam_store_identity *ret) {
    static const char sql[] = "SELECT " IDENTITY_COLUMNS "WHERE i.arn = ? AND i.kind = ?";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_text(s, 1, arn);
    st_bind_int(s, 2, kind);
    return get_one(st, s, ret);
}

int iam_store_identity_get_by_id(struct iam_store *st, int64_t id,
                                 struct iam_store_identity *ret) {
    static const char sql[] = "SELECT " IDENTITY_COLUMNS "WHERE i.id = ?";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, id);
    return get_one(st, s, ret);
}

int iam_store_identity_get_by_posix(struct iam_store *st, uint32_t posix_id,
                                    struct iam_store_identity *ret) {
    static const char sql[] = "SELECT " IDENTITY_COLUMNS "WHERE i.posix_id = ?";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, posix_id);
    return get_one(st, s, ret);
}

/* A uniqueness failure in words the caller can show. */
static int insert_failed(struct iam_store *st, int rc, const char *what, const char *name) {
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return st_fail(st, -EEXIST, "%s \"%.128s\": %s", what, name, sqlite3_errmsg(st->db));
    return st_fail_sql(st, rc, what);
}

static void bind_identity(sqlite3_stmt *s, const struct iam_store_identity *in, int first) {
    st_bind_text(s, first + 0, in->unique_id);
    st_bind_text(s, first + 1, in->arn);
    st_bind_text(s, first + 2, in->path);
    st_bind_text(s, first + 3, in->create_date);
    st_bind_text(s, first + 4, in->description);
    st_bind_text(s, first + 5, in->trust_policy);
    if (in->max_session_duration > 0)
        st_bind_int(s, first + 6, in->max_session_duration);
    st_bind_text(s, first + 7, in->instance_profiles);
    st_bind_text(s, first + 8, in->last_used);
    st_bind_int(s, first + 9, in->tags_listed);
}

int iam_store_identity_insert(struct iam_store *st, const struct iam_store_identity *in,
                              int64_t *ret_id) {
    static const char sql[] =
        "INSERT INTO identities (unique_id, arn, path, create_date, description, trust_policy,"
        " max_session_duration, instance_profiles, last_used, tags_listed, kind, name, source,"
        " digest, boundary, posix_id, gid, home, shell, gecos)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *s = st_stmt(st, sql);
    int64_t id;
    int rc, r;

    if (!s)
        return -EIO;
    bind_identity(s, in, 1);
    st_bind_int(s, 11, in->kind);
    st_bind_text(s, 12, in->name);
    st_bind_text(s, 13, in->source);
    if (in->has_digest)
        sqlite3_bind_blob(s, 14, in->digest, sizeof(in->digest), SQLITE_STATIC);
    if (in->boundary)
        st_bind_int(s, 15, in->boundary);
    if (in->has_posix) {
        st_bind_int(s, 16, in->posix_id);
        if (in->kind == IAM_STORE_USER)
            st_bind_int(s, 17, in->gid);
    }
    st_bind_text(s, 18, in->home);
    st_bind_text(s, 19, in->shell);
    st_bind_text(s, 20, in->gecos);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return insert_failed(st, rc, "creating", in->name);
    id = sqlite3_last_insert_rowid(st->db);
    if ((r = st_touch(st, in->kind, id, ST_NEW | ST_NSS)) < 0)
        return r;
    if (ret_id)
        *ret_id = id;
    return 0;
}

int iam_store_identity_update_aws(struct iam_store *st, const struct iam_store_identity *who,
                                  const struct iam_store_identity *in, const char *source,
                                  const uint8_t *digest) {
    static const char sql[] =
        "UPDATE identities SET unique_id = ?, arn = ?, path = ?, create_date = ?,"
        " description = ?, trust_policy = ?, max_session_duration = ?, instance_profiles = ?,"
        " last_used = ?, tags_listed = ?, source = ?, digest = ?, boundary = ? WHERE id = ?";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = st_touch(st, who->kind, who->id, 0)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    bind_identity(s, in, 1);
    st_bind_text(s, 11, source);
    if (digest)
        sqlite3_bind_blob(s, 12, digest, 16, SQLITE_STATIC);
    if (in->boundary)
        st_bind_int(s, 13, in->boundary);
    st_bind_int(s, 14, who->id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : insert_failed(st, rc, "updating", who->name);
}

static int touch_related(struct iam_store *st, const struct iam_store_identity *who);

int iam_store_identity_update_posix(struct iam_store *st, const struct iam_store_identity *who,
                                    const struct iam_store_identity *in, const char *source,
                                    const uint8_t *digest) {
    static const char sql[] =
        "UPDATE identities SET name = ?, arn = ?, path = ?, posix_id = ?, gid = ?, home = ?,"
        " shell = ?, gecos = ?, source = ?, digest = ? WHERE id = ?";
    sqlite3_stmt *s;
    int rc, r;

    /* a new name or id changes the groups' lines that list the user, and its own */
    if ((who->kind != IAM_STORE_ROLE && (r = touch_related(st, who)) < 0) ||
        (r = st_touch(st, who->kind, who->id, who->kind != IAM_STORE_ROLE ? ST_NSS : 0)) < 0)
        return r;
    if (!(s = st_stmt(st, sql)))
        return -EIO;
    st_bind_text(s, 1, in->name);
    st_bind_text(s, 2, in->arn);
    st_bind_text(s, 3, in->path);
    if (in->has_posix) {
        st_bind_int(s, 4, in->posix_id);
        if (who->kind == IAM_STORE_USER)
            st_bind_int(s, 5, in->gid);
    }
    st_bind_text(s, 6, in->home);
    st_bind_text(s, 7, in->shell);
    st_bind_text(s, 8, in->gecos);
    st_bind_text(s, 9, source);
    if (digest)
        sqlite3_bind_blob(s, 10, digest, 16, SQLITE_STATIC);
    st_bind_int(s, 11, who->id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : insert_failed(st, rc, "updating", in->name);
}

int iam_store_identity_set_path(struct iam_store *st, const struct iam_store_identity *who,
                                const char *path, const char *arn) {
    static const char sql[] = "UPDATE identities SET path = ?, arn = ? WHERE id = ?";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = st_touch(st, who->kind, who->id, 0)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_text(s, 1, path);
    st_bind_text(s, 2, arn);
    st_bind_int(s, 3, who->id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : insert_failed(st, rc, "updating", who->name);
}

int iam_store_identity_set_boundary(struct iam_store *st, const struct iam_store_identity *who,
                                    int64_t policy) {
    static const char sql[] = "UPDATE identities SET boundary = ? WHERE id = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = st_touch(st, who->kind, who->id, 0)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    if (policy)
        st_bind_int(s, 1, policy);
    st_bind_int(s, 2, who->id);
    return st_step_done(st, s, "setting a permissions boundary");
}

/* Before a user or group goes, note what else its going changes: a group's members' auth
 * records, a user's groups' lines. */
static int touch_related(struct iam_store *st, const struct iam_store_identity *who) {
    static const char members[] = "SELECT user FROM memberships WHERE grp = ?";
    static const char groups[] = "SELECT grp FROM memberships WHERE user = ?";
    sqlite3_stmt *s = st_stmt(st, who->kind == IAM_STORE_GROUP ? members : groups);
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, who->id);
    while ((r = st_step(st, s, "listing memberships")) > 0) {
        int64_t other = sqlite3_column_int64(s, 0);
        r = who->kind == IAM_STORE_GROUP ? st_touch(st, IAM_STORE_USER, other, 0)
                                         : st_touch_group_line(st, other);
        if (r < 0)
            break;
    }
    sqlite3_reset(s);
    return r;
}

int iam_store_identity_delete(struct iam_store *st, const struct iam_store_identity *who) {
    static const char sql[] = "DELETE FROM identities WHERE id = ?";
    sqlite3_stmt *s;
    int r;

    if (who->kind != IAM_STORE_ROLE && (r = touch_related(st, who)) < 0)
        return r;
    if ((r = st_touch(st, who->kind, who->id, ST_NSS)) < 0 ||
        !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, who->id);
    return st_step_done(st, s, "deleting an identity");
}

static bool path_has_prefix(const char *path, const char *prefix) {
    return !prefix || strncmp(path, prefix, strlen(prefix)) == 0;
}

/* Shared by the listings: step s (rows of IDENTITY_COLUMNS in order), filter by path prefix,
 * call cb for at most max, and find the marker of the next page. */
static int list_rows(struct iam_store *st, sqlite3_stmt *s, const char *prefix, size_t max,
                     iam_store_identity_cb cb, void *ctx, int64_t *ret_next) {
    struct iam_store_identity ident;
    size_t n = 0;
    int64_t last = 0;
    int r;

    if (ret_next)
        *ret_next = 0;
    while ((r = st_step(st, s, "listing")) > 0) {
        if (!path_has_prefix(st_col_text(s, 5), prefix))
            continue;
        if (max && n == max) {
            if (ret_next)
                *ret_next = last;
            break;
        }
        if ((r = row_identity(st, s, &ident, false)) < 0 || (r = cb(ctx, &ident)) != 0)
            break;
        last = ident.id;
        n++;
    }
    sqlite3_reset(s);
    return r < 0 || r > 0 ? r : 0;
}

int iam_store_identity_list(struct iam_store *st, enum iam_store_kind kind,
                            const char *path_prefix, int64_t after, size_t max,
                            iam_store_identity_cb cb, void *ctx, int64_t *ret_next) {
    static const char sql[] =
        "SELECT " IDENTITY_COLUMNS "WHERE i.kind = ? AND i.id > ? ORDER BY i.id";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, kind);
    st_bind_int(s, 2, after);
    return list_rows(st, s, path_prefix, max, cb, ctx, ret_next);
}

size_t iam_store_identity_count(struct iam_store *st, enum iam_store_kind kind) {
    static const char sql[] = "SELECT count(*) FROM identities WHERE kind = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    size_t n = 0;

    if (!s)
        return 0;
    st_bind_int(s, 1, kind);
    if (st_step(st, s, "counting") > 0)
        n = (size_t)sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return n;
}

/* ---- memberships ---------------------------------------------------------------------------- */

int iam_store_user_groups(struct iam_store *st, const struct iam_store_identity *user,
                          struct iam_store_identity **ret, size_t *ret_n) {
    static const char sql[] = "SELECT " IDENTITY_COLUMNS
                              "JOIN memberships m ON m.grp = i.id WHERE m.user = ? ORDER BY m.id";
    sqlite3_stmt *s = st_stmt(st, sql);
    struct iam_store_identity *arr = NULL;
    size_t n = 0, cap = 0;
    int r;

    *ret = NULL;
    *ret_n = 0;
    if (!s)
        return -EIO;
    st_bind_int(s, 1, user->id);
    while ((r = st_step(st, s, "listing a user's groups")) > 0) {
        if (n == cap) {
            struct iam_store_identity *na;
            cap = cap ? cap * 2 : 16;
            na = st_alloc(st, cap * sizeof(*na));
            if (!na) {
                r = st_fail(st, -ENOMEM, "out of memory");
                break;
            }
            if (n)
                memcpy(na, arr, n * sizeof(*na));
            arr = na;
        }
        if ((r = row_identity(st, s, &arr[n], true)) < 0)
            break;
        n++;
    }
    sqlite3_reset(s);
    if (r < 0)
        return r;
    *ret = arr;
    *ret_n = n;
    return 0;
}

int iam_store_group_members(struct iam_store *st, const struct iam_store_identity *group,
                            int64_t after, size_t max, iam_store_identity_cb cb, void *ctx,
                            int64_t *ret_next) {
    static const char sql[] =
        "SELECT " IDENTITY_COLUMNS
        "JOIN memberships m ON m.user = i.id WHERE m.grp = ? AND m.user > ? ORDER BY m.user";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, group->id);
    st_bind_int(s, 2, after);
    return list_rows(st, s, NULL, max, cb, ctx, ret_next);
}

int iam_store_group_member_count(struct iam_store *st, const struct iam_store_identity *group,
                                 size_t *ret) {
    static const char sql[] = "SELECT count(*) FROM memberships WHERE grp = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, group->id);
    r = st_step(st, s, "counting members");
    if (r > 0)
        *ret = (size_t)sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

int iam_store_membership_add(struct iam_store *st, const struct iam_store_identity *user,
                             const struct iam_store_identity *group) {
    static const char sql[] = "INSERT INTO memberships (user, grp) VALUES (?, ?)";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = st_touch(st, IAM_STORE_USER, user->id, 0)) < 0 ||
        (r = st_touch_group_line(st, group->id)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, user->id);
    st_bind_int(s, 2, group->id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return -EEXIST;
    return rc == SQLITE_DONE ? 0 : st_fail_sql(st, rc, "adding a user to a group");
}

int iam_store_membership_remove(struct iam_store *st, const struct iam_store_identity *user,
                                const struct iam_store_identity *group) {
    static const char sql[] = "DELETE FROM memberships WHERE user = ? AND grp = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = st_touch(st, IAM_STORE_USER, user->id, 0)) < 0 ||
        (r = st_touch_group_line(st, group->id)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, user->id);
    st_bind_int(s, 2, group->id);
    if ((r = st_step_done(st, s, "removing a user from a group")) < 0)
        return r;
    return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

int iam_store_memberships_clear(struct iam_store *st, const struct iam_store_identity *user,
                                const char *source) {
    static const char sql[] = "DELETE FROM memberships WHERE user = ?1 AND (?2 IS NULL OR grp IN"
                              " (SELECT id FROM identities WHERE kind = 2 AND source = ?2))";
    sqlite3_stmt *s;
    int r;

    if ((r = touch_related(st, user)) < 0 || (r = st_touch(st, IAM_STORE_USER, user->id, 0)) < 0 ||
        !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, user->id);
    st_bind_text(s, 2, source);
    return st_step_done(st, s, "removing memberships");
}

/* ---- the account ------------------------------------------------------------------------------ */

int iam_store_get_account(struct iam_store *st, struct iam_store_account *ret) {
    static const char sql[] = "SELECT account_id, serial, next_id FROM account WHERE id = 1";
    sqlite3_stmt *s = st_stmt(st, sql);
    const char *acct;
    int r;

    if (!s)
        return -EIO;
    r = st_step(st, s, "reading the account");
    if (r <= 0) {
        sqlite3_reset(s);
        return r < 0 ? r : st_fail(st, -EBADMSG, "the store has no account row");
    }
    acct = st_col_text(s, 0);
    memset(ret, 0, sizeof(*ret));
    if (acct)
        snprintf(ret->account_id, sizeof(ret->account_id), "%s", acct);
    ret->serial = (uint64_t)sqlite3_column_int64(s, 1);
    ret->next_id = (uint32_t)sqlite3_column_int64(s, 2);
    sqlite3_reset(s);
    return 0;
}

int iam_store_set_next_id(struct iam_store *st, uint32_t next_id) {
    static const char sql[] = "UPDATE account SET next_id = ? WHERE id = 1";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, next_id);
    st->changes.any = true;
    return st_step_done(st, s, "updating the id high-water mark");
}

int iam_store_set_serial(struct iam_store *st, uint64_t serial) {
    static const char sql[] = "UPDATE account SET serial = ? WHERE id = 1";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    if (serial > INT64_MAX)
        return st_fail(st, -E2BIG, "Serial %llu is out of range", (unsigned long long)serial);
    st_bind_int(s, 1, (int64_t)serial);
    return st_step_done(st, s, "setting the Serial");
}

int iam_store_posix_id_taken(struct iam_store *st, uint32_t id) {
    static const char sql[] = "SELECT 1 FROM identities WHERE posix_id = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, id);
    r = st_step(st, s, "looking up an id");
    sqlite3_reset(s);
    return r;
}

/* ---- import bookkeeping -------------------------------------------------------------------------- */

int iam_store_identity_set_digest(struct iam_store *st, const struct iam_store_identity *who,
                                  const uint8_t digest[16]) {
    static const char sql[] = "UPDATE identities SET digest = ? WHERE id = ?";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    sqlite3_bind_blob(s, 1, digest, 16, SQLITE_STATIC);
    st_bind_int(s, 2, who->id);
    return st_step_done(st, s, "recording an import");
}

int iam_store_ids_by_source(struct iam_store *st, enum iam_store_kind kind, const char *source,
                            struct iam_store_ids *ret) {
    static const char ids[] = "SELECT id FROM identities WHERE kind = ? AND source = ? ORDER BY id";
    static const char pols[] = "SELECT id FROM policies WHERE ? = 0 AND source = ? ORDER BY id";
    sqlite3_stmt *s = st_stmt(st, kind ? ids : pols);
    int r;

    ret->n = 0;
    if (!s)
        return -EIO;
    st_bind_int(s, 1, kind);
    st_bind_text(s, 2, source);
    while ((r = st_step(st, s, "listing by source")) > 0)
        if (st_ids_add(ret, sqlite3_column_int64(s, 0)) < 0) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
    sqlite3_reset(s);
    return r;
}

void iam_store_ids_free(struct iam_store_ids *ids) {
    st_ids_free(ids);
}
