/* SPDX-License-Identifier: Apache-2.0 */
/* Virtual MFA devices. */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "store_private.h"

#define MFA_COLUMNS                                                                                \
    "d.id, d.name, d.path, d.serial, d.seed, d.create_date, d.user, u.name, d.enable_date,"        \
    " d.not_before, d.drift FROM mfa_devices d LEFT JOIN identities u ON u.id = d.user "

static int row(struct iam_store *st, sqlite3_stmt *s, struct iam_store_mfa_device *d) {
    const void *seed = sqlite3_column_blob(s, 4);
    bool oom = false;

    memset(d, 0, sizeof(*d));
    if (!seed || sqlite3_column_bytes(s, 4) != IAM_STORE_MFA_SEED_BYTES)
        return st_fail(st, -EBADMSG, "an MFA device has no valid seed");
    d->id = sqlite3_column_int64(s, 0);
    d->name = st_col_dup(st, s, 1, &oom);
    d->path = st_col_dup(st, s, 2, &oom);
    d->serial = st_col_dup(st, s, 3, &oom);
    memcpy(d->seed, seed, IAM_STORE_MFA_SEED_BYTES);
    d->create_date = st_col_dup(st, s, 5, &oom);
    d->user = sqlite3_column_int64(s, 6);
    d->user_name = st_col_dup(st, s, 7, &oom);
    d->enable_date = st_col_dup(st, s, 8, &oom);
    d->not_before = sqlite3_column_int64(s, 9);
    d->drift = sqlite3_column_int64(s, 10);
    return oom ? st_fail(st, -ENOMEM, "out of memory") : 0;
}

int iam_store_mfa_get(struct iam_store *st, const char *serial, struct iam_store_mfa_device *ret) {
    static const char sql[] = "SELECT " MFA_COLUMNS "WHERE d.serial = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    st_bind_text(s, 1, serial);
    r = st_step(st, s, "reading an MFA device");
    if (r > 0)
        r = row(st, s, ret);
    else if (r == 0)
        r = -ENOENT;
    sqlite3_reset(s);
    return r;
}

int iam_store_mfa_list(struct iam_store *st, const struct iam_store_identity *user,
                       struct iam_store_mfa_device **ret, size_t *ret_n) {
    static const char all[] = "SELECT " MFA_COLUMNS "ORDER BY d.id";
    static const char one[] = "SELECT " MFA_COLUMNS "WHERE d.user = ? ORDER BY d.id";
    static const char count_all[] = "SELECT count(*) FROM mfa_devices";
    static const char count_one[] = "SELECT count(*) FROM mfa_devices WHERE user = ?";
    struct iam_store_mfa_device *v;
    sqlite3_stmt *s = st_stmt(st, user ? count_one : count_all);
    size_t n = 0, cap;
    int r;

    if (!s)
        return -EIO;
    if (user)
        st_bind_int(s, 1, user->id);
    r = st_step(st, s, "counting MFA devices");
    cap = r > 0 ? (size_t)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (r < 0)
        return r;
    v = st_alloc(st, (cap + 1) * sizeof(*v));
    if (!v)
        return st_fail(st, -ENOMEM, "out of memory");
    if (!(s = st_stmt(st, user ? one : all)))
        return -EIO;
    if (user)
        st_bind_int(s, 1, user->id);
    while (n < cap && (r = st_step(st, s, "reading MFA devices")) > 0) {
        if ((r = row(st, s, &v[n])) < 0)
            break;
        n++;
    }
    sqlite3_reset(s);
    if (r < 0) {
        sodium_memzero(v, (cap + 1) * sizeof(*v));
        return r;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int iam_store_mfa_insert(struct iam_store *st, const struct iam_store_mfa_device *d) {
    static const char sql[] = "INSERT INTO mfa_devices (name, path, serial, seed, create_date)"
                              " VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_text(s, 1, d->name);
    st_bind_text(s, 2, d->path);
    st_bind_text(s, 3, d->serial);
    sqlite3_bind_blob(s, 4, d->seed, IAM_STORE_MFA_SEED_BYTES, SQLITE_TRANSIENT);
    st_bind_text(s, 5, d->create_date);
    st->changes.any = true;
    return st_step_done(st, s, "storing an MFA device");
}

int iam_store_mfa_assign(struct iam_store *st, const struct iam_store_mfa_device *d,
                         const struct iam_store_identity *user, const char *enable_date,
                         int64_t not_before, int64_t drift) {
    static const char sql[] = "UPDATE mfa_devices SET user = ?, enable_date = ?,"
                              " not_before = ?, drift = ? WHERE id = ?";
    sqlite3_stmt *s;
    int r;

    /* the auth records of the old and the new holder change */
    if ((d->user && (r = st_touch(st, IAM_STORE_USER, d->user, 0)) < 0) ||
        (user && (r = st_touch(st, IAM_STORE_USER, user->id, 0)) < 0))
        return r;
    if (!(s = st_stmt(st, sql)))
        return -EIO;
    if (user) {
        st_bind_int(s, 1, user->id);
        st_bind_text(s, 2, enable_date);
    }
    st_bind_int(s, 3, user ? not_before : 0);
    st_bind_int(s, 4, user ? drift : 0);
    st_bind_int(s, 5, d->id);
    st->changes.any = true;
    return st_step_done(st, s, "changing an MFA device");
}

int iam_store_mfa_delete(struct iam_store *st, const struct iam_store_mfa_device *d) {
    static const char sql[] = "DELETE FROM mfa_devices WHERE id = ?";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, d->id);
    st->changes.any = true;
    return st_step_done(st, s, "deleting an MFA device");
}
