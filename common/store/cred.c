/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials: access keys, login profiles, SSH public keys. Only hashes are stored. */
#include <errno.h>
#include <string.h>

#include "store_private.h"

/* Every credential change reaches auth.cache only. */
static int touch_user(struct iam_store *st, int64_t user) {
    return st_touch(st, IAM_STORE_USER, user, 0);
}

/* ---- access keys ---------------------------------------------------------------------------- */

#define KEY_COLUMNS                                                                                 \
    "k.id, k.user, u.name, k.access_key_id, k.status, k.create_date, k.secret_hash "              \
    "FROM access_keys k JOIN identities u ON u.id = k.user "

static int row_key(struct iam_store *st, sqlite3_stmt *s, struct iam_store_access_key *k) {
    bool oom = false;
    const char *status = st_col_text(s, 4);

    memset(k, 0, sizeof(*k));
    k->id = sqlite3_column_int64(s, 0);
    k->user = sqlite3_column_int64(s, 1);
    k->user_name = st_col_dup(st, s, 2, &oom);
    k->access_key_id = st_col_dup(st, s, 3, &oom);
    k->active = status && strcmp(status, "Active") == 0;
    k->create_date = st_col_dup(st, s, 5, &oom);
    k->secret_hash = st_col_dup(st, s, 6, &oom);
    if (oom)
        return st_fail(st, -ENOMEM, "out of memory");
    if (!k->access_key_id || !k->create_date || !k->secret_hash)
        return st_fail(st, -EBADMSG, "an access key row lacks a required column");
    return 0;
}

int iam_store_access_keys(struct iam_store *st, const struct iam_store_identity *user,
                          struct iam_store_access_key **ret, size_t *ret_n) {
    static const char sql[] = "SELECT " KEY_COLUMNS "WHERE k.user = ? ORDER BY k.id";
    sqlite3_stmt *s = st_stmt(st, sql);
    struct iam_store_access_key *arr = NULL;
    size_t n = 0;
    int r;

    *ret = NULL;
    *ret_n = 0;
    if (!s)
        return -EIO;
    st_bind_int(s, 1, user->id);
    /* IAM allows two keys; a store holds what its writers allowed, so grow as needed */
    while ((r = st_step(st, s, "listing access keys")) > 0) {
        struct iam_store_access_key *na = st_alloc(st, (n + 1) * sizeof(*na));
        if (!na) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
        if (n)
            memcpy(na, arr, n * sizeof(*na));
        arr = na;
        if ((r = row_key(st, s, &arr[n])) < 0)
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

int iam_store_access_key_get(struct iam_store *st, const char *access_key_id,
                             struct iam_store_access_key *ret) {
    static const char sql[] = "SELECT " KEY_COLUMNS "WHERE k.access_key_id = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    st_bind_text(s, 1, access_key_id);
    r = st_step(st, s, "looking up an access key");
    if (r > 0)
        r = row_key(st, s, ret);
    else if (r == 0)
        r = -ENOENT;
    sqlite3_reset(s);
    return r;
}

int iam_store_access_key_insert(struct iam_store *st, const struct iam_store_identity *user,
                                const struct iam_store_access_key *key) {
    static const char sql[] = "INSERT INTO access_keys (user, access_key_id, status, create_date,"
                              " secret_hash) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = touch_user(st, user->id)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, user->id);
    st_bind_text(s, 2, key->access_key_id);
    st_bind_text(s, 3, key->active ? "Active" : "Inactive");
    st_bind_text(s, 4, key->create_date);
    st_bind_text(s, 5, key->secret_hash);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return st_fail(st, -EEXIST, "access key %.32s exists already", key->access_key_id);
    return rc == SQLITE_DONE ? 0 : st_fail_sql(st, rc, "storing an access key");
}

int iam_store_access_key_set_status(struct iam_store *st, const struct iam_store_access_key *key,
                                    bool active) {
    static const char sql[] = "UPDATE access_keys SET status = ? WHERE id = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = touch_user(st, key->user)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_text(s, 1, active ? "Active" : "Inactive");
    st_bind_int(s, 2, key->id);
    return st_step_done(st, s, "updating an access key");
}

int iam_store_access_key_delete(struct iam_store *st, const struct iam_store_access_key *key) {
    static const char sql[] = "DELETE FROM access_keys WHERE id = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = touch_user(st, key->user)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, key->id);
    return st_step_done(st, s, "deleting an access key");
}

/* ---- login profiles ------------------------------------------------------------------------------ */

int iam_store_login_profile_get(struct iam_store *st, const struct iam_store_identity *user,
                                struct iam_store_login_profile *ret) {
    static const char sql[] =
        "SELECT create_date, password_hash, password_reset_required, password_last_changed,"
        " password_last_used FROM login_profiles WHERE user = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    bool oom = false;
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, user->id);
    r = st_step(st, s, "reading a login profile");
    if (r > 0) {
        memset(ret, 0, sizeof(*ret));
        ret->create_date = st_col_dup(st, s, 0, &oom);
        ret->password_hash = st_col_dup(st, s, 1, &oom);
        ret->password_reset_required = sqlite3_column_int(s, 2) != 0;
        ret->password_last_changed = st_col_dup(st, s, 3, &oom);
        ret->password_last_used = st_col_dup(st, s, 4, &oom);
        r = oom ? st_fail(st, -ENOMEM, "out of memory") : 0;
        if (r == 0 && (!ret->create_date || !ret->password_hash))
            r = st_fail(st, -EBADMSG, "a login profile row lacks a required column");
    } else if (r == 0) {
        r = -ENOENT;
    }
    sqlite3_reset(s);
    return r;
}

int iam_store_login_profile_put(struct iam_store *st, const struct iam_store_identity *user,
                                const struct iam_store_login_profile *lp) {
    static const char sql[] =
        "INSERT INTO login_profiles (user, create_date, password_hash, password_reset_required,"
        " password_last_changed, password_last_used) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user) DO UPDATE SET create_date = excluded.create_date,"
        " password_hash = excluded.password_hash,"
        " password_reset_required = excluded.password_reset_required,"
        " password_last_changed = excluded.password_last_changed,"
        " password_last_used = excluded.password_last_used";
    sqlite3_stmt *s;
    int r;

    if ((r = touch_user(st, user->id)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, user->id);
    st_bind_text(s, 2, lp->create_date);
    st_bind_text(s, 3, lp->password_hash);
    st_bind_int(s, 4, lp->password_reset_required);
    st_bind_text(s, 5, lp->password_last_changed);
    st_bind_text(s, 6, lp->password_last_used);
    return st_step_done(st, s, "storing a login profile");
}

int iam_store_login_profile_delete(struct iam_store *st, const struct iam_store_identity *user) {
    static const char sql[] = "DELETE FROM login_profiles WHERE user = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = touch_user(st, user->id)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, user->id);
    if ((r = st_step_done(st, s, "deleting a login profile")) < 0)
        return r;
    return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

/* ---- SSH public keys ------------------------------------------------------------------------------ */

int iam_store_ssh_keys(struct iam_store *st, const struct iam_store_identity *user,
                       struct iam_store_ssh_key **ret, size_t *ret_n) {
    static const char sql[] = "SELECT id, ssh_key_id, body, fingerprint, status, upload_date"
                              " FROM ssh_keys WHERE user = ? ORDER BY id";
    sqlite3_stmt *s = st_stmt(st, sql);
    struct iam_store_ssh_key *arr = NULL;
    size_t n = 0;
    bool oom = false;
    int r;

    *ret = NULL;
    *ret_n = 0;
    if (!s)
        return -EIO;
    st_bind_int(s, 1, user->id);
    while ((r = st_step(st, s, "listing SSH public keys")) > 0) {
        struct iam_store_ssh_key *na = st_alloc(st, (n + 1) * sizeof(*na));
        const char *status = st_col_text(s, 4);
        if (!na) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
        if (n)
            memcpy(na, arr, n * sizeof(*na));
        arr = na;
        arr[n].id = sqlite3_column_int64(s, 0);
        arr[n].active = status && strcmp(status, "Active") == 0;
        arr[n].ssh_key_id = st_col_dup(st, s, 1, &oom);
        arr[n].body = st_col_dup(st, s, 2, &oom);
        arr[n].fingerprint = st_col_dup(st, s, 3, &oom);
        arr[n].upload_date = st_col_dup(st, s, 5, &oom);
        n++;
        if (oom) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_reset(s);
    if (r < 0)
        return r;
    *ret = arr;
    *ret_n = n;
    return 0;
}

int iam_store_ssh_key_insert(struct iam_store *st, const struct iam_store_identity *user,
                             const struct iam_store_ssh_key *key) {
    static const char sql[] = "INSERT INTO ssh_keys (user, ssh_key_id, body, fingerprint, status,"
                              " upload_date) VALUES (?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = touch_user(st, user->id)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, user->id);
    st_bind_text(s, 2, key->ssh_key_id);
    st_bind_text(s, 3, key->body);
    st_bind_text(s, 4, key->fingerprint);
    st_bind_text(s, 5, key->active ? "Active" : "Inactive");
    st_bind_text(s, 6, key->upload_date);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return st_fail(st, -EEXIST, "SSH public key %.32s exists already", key->ssh_key_id);
    return rc == SQLITE_DONE ? 0 : st_fail_sql(st, rc, "storing an SSH public key");
}

int iam_store_ssh_key_set_status(struct iam_store *st, const struct iam_store_identity *user,
                                 int64_t id, bool active) {
    static const char sql[] = "UPDATE ssh_keys SET status = ? WHERE id = ? AND user = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = touch_user(st, user->id)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_text(s, 1, active ? "Active" : "Inactive");
    st_bind_int(s, 2, id);
    st_bind_int(s, 3, user->id);
    if ((r = st_step_done(st, s, "updating an SSH public key")) < 0)
        return r;
    return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

int iam_store_ssh_key_delete(struct iam_store *st, const struct iam_store_identity *user,
                             int64_t id) {
    static const char sql[] = "DELETE FROM ssh_keys WHERE id = ? AND user = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = touch_user(st, user->id)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, id);
    st_bind_int(s, 2, user->id);
    if ((r = st_step_done(st, s, "deleting an SSH public key")) < 0)
        return r;
    return sqlite3_changes(st->db) ? 0 : -ENOENT;
}
