/* SPDX-License-Identifier: Apache-2.0 */
/* The account password policy and users' password history (hashes only). */
#include <errno.h>
#include <string.h>

#include "store_private.h"

int iam_store_password_policy_get(struct iam_store *st, struct iam_store_password_policy *ret) {
    static const char sql[] =
        "SELECT minimum_password_length, require_symbols, require_numbers,"
        " require_uppercase_characters, require_lowercase_characters,"
        " allow_users_to_change_password, max_password_age, password_reuse_prevention,"
        " hard_expiry FROM password_policy WHERE id = 1";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    r = st_step(st, s, "reading the password policy");
    if (r > 0) {
        memset(ret, 0, sizeof(*ret));
        ret->minimum_password_length = (unsigned)sqlite3_column_int(s, 0);
        ret->require_symbols = sqlite3_column_int(s, 1) != 0;
        ret->require_numbers = sqlite3_column_int(s, 2) != 0;
        ret->require_uppercase_characters = sqlite3_column_int(s, 3) != 0;
        ret->require_lowercase_characters = sqlite3_column_int(s, 4) != 0;
        ret->allow_users_to_change_password = sqlite3_column_int(s, 5) != 0;
        ret->max_password_age = (unsigned)sqlite3_column_int(s, 6); /* NULL reads 0 */
        ret->password_reuse_prevention = (unsigned)sqlite3_column_int(s, 7);
        ret->hard_expiry_set = sqlite3_column_type(s, 8) != SQLITE_NULL;
        ret->hard_expiry = sqlite3_column_int(s, 8) != 0;
        r = 0;
    } else if (r == 0) {
        r = -ENOENT;
    }
    sqlite3_reset(s);
    return r;
}

int iam_store_password_policy_put(struct iam_store *st, const struct iam_store_password_policy *p) {
    static const char sql[] =
        "INSERT OR REPLACE INTO password_policy (id, minimum_password_length, require_symbols,"
        " require_numbers, require_uppercase_characters, require_lowercase_characters,"
        " allow_users_to_change_password, max_password_age, password_reuse_prevention,"
        " hard_expiry) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, p->minimum_password_length);
    st_bind_int(s, 2, p->require_symbols);
    st_bind_int(s, 3, p->require_numbers);
    st_bind_int(s, 4, p->require_uppercase_characters);
    st_bind_int(s, 5, p->require_lowercase_characters);
    st_bind_int(s, 6, p->allow_users_to_change_password);
    if (p->max_password_age)
        st_bind_int(s, 7, p->max_password_age);
    if (p->password_reuse_prevention)
        st_bind_int(s, 8, p->password_reuse_prevention);
    if (p->hard_expiry_set)
        st_bind_int(s, 9, p->hard_expiry);
    /* expiry is in every user's auth record */
    iam_store_mark_all_changed(st);
    return st_step_done(st, s, "storing the password policy");
}

int iam_store_password_policy_delete(struct iam_store *st) {
    static const char sql[] = "DELETE FROM password_policy WHERE id = 1";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    if ((r = st_step_done(st, s, "deleting the password policy")) < 0)
        return r;
    if (sqlite3_changes(st->db) == 0)
        return -ENOENT;
    iam_store_mark_all_changed(st);
    return 0;
}

int iam_store_password_history(struct iam_store *st, const struct iam_store_identity *user,
                               const char ***ret_hashes, size_t *ret_n) {
    static const char count_sql[] = "SELECT count(*) FROM password_history WHERE user = ?";
    static const char sql[] =
        "SELECT password_hash FROM password_history WHERE user = ? ORDER BY id DESC";
    sqlite3_stmt *s = st_stmt(st, count_sql);
    const char **v;
    size_t n = 0, cap;
    bool oom = false;
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, user->id);
    r = st_step(st, s, "counting earlier passwords");
    cap = r > 0 ? (size_t)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (r < 0)
        return r;
    v = st_alloc(st, (cap + 1) * sizeof(*v));
    if (!v)
        return st_fail(st, -ENOMEM, "out of memory");
    if (!(s = st_stmt(st, sql)))
        return -EIO;
    st_bind_int(s, 1, user->id);
    while (n < cap && (r = st_step(st, s, "reading earlier passwords")) > 0)
        v[n++] = st_col_dup(st, s, 0, &oom);
    sqlite3_reset(s);
    if (r < 0)
        return r;
    if (oom)
        return st_fail(st, -ENOMEM, "out of memory");
    *ret_hashes = v;
    *ret_n = n;
    return 0;
}

static int trim(struct iam_store *st, int64_t user, unsigned keep) {
    static const char one[] =
        "DELETE FROM password_history WHERE user = ?1 AND id NOT IN"
        " (SELECT id FROM password_history WHERE user = ?1 ORDER BY id DESC LIMIT ?2)";
    static const char all[] =
        "DELETE FROM password_history WHERE id NOT IN (SELECT id FROM (SELECT id,"
        " row_number() OVER (PARTITION BY user ORDER BY id DESC) AS n FROM password_history)"
        " WHERE n <= ?2)";
    sqlite3_stmt *s = st_stmt(st, user ? one : all);

    if (!s)
        return -EIO;
    if (user)
        st_bind_int(s, 1, user);
    st_bind_int(s, 2, keep);
    return st_step_done(st, s, "trimming earlier passwords");
}

int iam_store_password_history_push(struct iam_store *st, const struct iam_store_identity *user,
                                    const char *hash, const char *retired, unsigned keep) {
    static const char sql[] =
        "INSERT INTO password_history (user, password_hash, retired) VALUES (?, ?, ?)";
    sqlite3_stmt *s;
    int r;

    if (keep > 0 && hash) {
        if (!(s = st_stmt(st, sql)))
            return -EIO;
        st_bind_int(s, 1, user->id);
        st_bind_text(s, 2, hash);
        st_bind_text(s, 3, retired);
        if ((r = st_step_done(st, s, "keeping an earlier password's hash")) < 0)
            return r;
    }
    st->changes.any = true;
    return trim(st, user->id, keep);
}

int iam_store_password_history_trim(struct iam_store *st, unsigned keep) {
    st->changes.any = true;
    return trim(st, 0, keep);
}
