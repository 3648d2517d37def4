/* SPDX-License-Identifier: Apache-2.0 */
/* What hangs on an identity: tags, inline policies, attached managed policies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

/* A growing array in the arena (the old block stays until close: lists are short). */
static void *grow(struct iam_store *st, void *arr, size_t n, size_t *cap, size_t elem) {
    void *na;

    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 8;
    na = st_alloc(st, *cap * elem);
    if (na && n)
        memcpy(na, arr, n * elem);
    return na;
}

/* Users', roles' and groups' changes reach auth.cache (a role's record is its own). */
static int touch(struct iam_store *st, const struct iam_store_identity *who) {
    return st_touch(st, who->kind, who->id, 0);
}

/* ---- tags --------------------------------------------------------------------------------------- */

static int tags_of(struct iam_store *st, sqlite3_stmt *s, struct iam_store_tag **ret,
                   size_t *ret_n) {
    struct iam_store_tag *arr = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    int r;

    while ((r = st_step(st, s, "listing tags")) > 0) {
        if (!(arr = grow(st, arr, n, &cap, sizeof(*arr)))) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
        arr[n].key = st_col_dup(st, s, 0, &oom);
        arr[n].value = st_col_dup(st, s, 1, &oom);
        n++;
        if (oom) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_reset(s);
    *ret = r < 0 ? NULL : arr;
    *ret_n = r < 0 ? 0 : n;
    return r < 0 ? r : 0;
}

int iam_store_tags(struct iam_store *st, const struct iam_store_identity *who,
                   struct iam_store_tag **ret, size_t *ret_n) {
    static const char sql[] = "SELECT key, value FROM tags WHERE identity = ? ORDER BY id";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, who->id);
    return tags_of(st, s, ret, ret_n);
}

int iam_store_policy_tags(struct iam_store *st, int64_t policy, struct iam_store_tag **ret,
                          size_t *ret_n) {
    static const char sql[] = "SELECT key, value FROM tags WHERE policy = ? ORDER BY id";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, policy);
    return tags_of(st, s, ret, ret_n);
}

/* UPDATE in place (keeps the tag's position) or INSERT at the end. */
static int tag_set(struct iam_store *st, const char *upd, const char *ins, int64_t owner,
                   const char *key, const char *value) {
    sqlite3_stmt *s = st_stmt(st, upd);
    int r;

    if (!s)
        return -EIO;
    st_bind_text(s, 1, value);
    st_bind_int(s, 2, owner);
    st_bind_text(s, 3, key);
    if ((r = st_step_done(st, s, "setting a tag")) < 0)
        return r;
    if (sqlite3_changes(st->db) > 0)
        return 0;
    if (!(s = st_stmt(st, ins)))
        return -EIO;
    st_bind_int(s, 1, owner);
    st_bind_text(s, 2, key);
    st_bind_text(s, 3, value);
    return st_step_done(st, s, "adding a tag");
}

int iam_store_tag_set(struct iam_store *st, const struct iam_store_identity *who, const char *key,
                      const char *value) {
    static const char upd[] =
        "UPDATE tags SET value = ? WHERE identity = ? AND key = ? COLLATE NOCASE";
    static const char ins[] = "INSERT INTO tags (identity, key, value) VALUES (?, ?, ?)";
    int r = touch(st, who);

    return r < 0 ? r : tag_set(st, upd, ins, who->id, key, value);
}

int iam_store_policy_tag_set(struct iam_store *st, int64_t policy, const char *key,
                             const char *value) {
    static const char upd[] =
        "UPDATE tags SET value = ? WHERE policy = ? AND key = ? COLLATE NOCASE";
    static const char ins[] = "INSERT INTO tags (policy, key, value) VALUES (?, ?, ?)";
    int r = st_touch_policy(st, policy);

    return r < 0 ? r : tag_set(st, upd, ins, policy, key, value);
}

int iam_store_tag_remove(struct iam_store *st, const struct iam_store_identity *who,
                         const char *key) {
    static const char sql[] = "DELETE FROM tags WHERE identity = ? AND key = ? COLLATE NOCASE";
    sqlite3_stmt *s;
    int r;

    if ((r = touch(st, who)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, who->id);
    st_bind_text(s, 2, key);
    return st_step_done(st, s, "removing a tag");
}

static int delete_by(struct iam_store *st, const char *sql, int64_t owner, const char *what) {
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, owner);
    return st_step_done(st, s, what);
}

int iam_store_tags_clear(struct iam_store *st, const struct iam_store_identity *who) {
    static const char sql[] = "DELETE FROM tags WHERE identity = ?";
    int r = touch(st, who);

    return r < 0 ? r : delete_by(st, sql, who->id, "removing tags");
}

int iam_store_policy_tags_clear(struct iam_store *st, int64_t policy) {
    static const char sql[] = "DELETE FROM tags WHERE policy = ?";
    int r = st_touch_policy(st, policy);

    return r < 0 ? r : delete_by(st, sql, policy, "removing tags");
}

/* ---- inline policies ------------------------------------------------------------------------------ */

int iam_store_inline_list(struct iam_store *st, const struct iam_store_identity *who,
                          struct iam_store_inline **ret, size_t *ret_n) {
    static const char sql[] =
        "SELECT name, document FROM inline_policies WHERE identity = ? ORDER BY id";
    sqlite3_stmt *s = st_stmt(st, sql);
    struct iam_store_inline *arr = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    int r;

    *ret = NULL;
    *ret_n = 0;
    if (!s)
        return -EIO;
    st_bind_int(s, 1, who->id);
    while ((r = st_step(st, s, "listing inline policies")) > 0) {
        if (!(arr = grow(st, arr, n, &cap, sizeof(*arr)))) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
        arr[n].name = st_col_dup(st, s, 0, &oom);
        arr[n].document = st_col_dup(st, s, 1, &oom);
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

int iam_store_inline_put(struct iam_store *st, const struct iam_store_identity *who,
                         const char *name, const char *document) {
    static const char upd[] = "UPDATE inline_policies SET document = ?"
                              " WHERE identity = ? AND name = ? COLLATE NOCASE";
    static const char ins[] =
        "INSERT INTO inline_policies (document, identity, name) VALUES (?, ?, ?)";
    const char *doc = document;
    sqlite3_stmt *s;
    int r;

    if ((r = touch(st, who)) < 0 || !(s = st_stmt(st, upd)))
        return r < 0 ? r : -EIO;
    st_bind_text(s, 1, doc);
    st_bind_int(s, 2, who->id);
    st_bind_text(s, 3, name);
    r = st_step_done(st, s, "storing an inline policy");
    if (r == 0 && sqlite3_changes(st->db) == 0) {
        if ((s = st_stmt(st, ins))) {
            st_bind_text(s, 1, doc);
            st_bind_int(s, 2, who->id);
            st_bind_text(s, 3, name);
            r = st_step_done(st, s, "storing an inline policy");
        } else {
            r = -EIO;
        }
    }
    sqlite3_reset(s);
    return r;
}

int iam_store_inline_delete(struct iam_store *st, const struct iam_store_identity *who,
                            const char *name) {
    static const char sql[] =
        "DELETE FROM inline_policies WHERE identity = ? AND name = ? COLLATE NOCASE";
    sqlite3_stmt *s;
    int r;

    if ((r = touch(st, who)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, who->id);
    st_bind_text(s, 2, name);
    if ((r = st_step_done(st, s, "deleting an inline policy")) < 0)
        return r;
    return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

int iam_store_inline_clear(struct iam_store *st, const struct iam_store_identity *who) {
    static const char sql[] = "DELETE FROM inline_policies WHERE identity = ?";
    int r = touch(st, who);

    return r < 0 ? r : delete_by(st, sql, who->id, "removing inline policies");
}

/* ---- attachments ---------------------------------------------------------------------------------- */

int iam_store_attached_list(struct iam_store *st, const struct iam_store_identity *who,
                            struct iam_store_attached **ret, size_t *ret_n) {
    static const char sql[] = "SELECT p.id, p.name, p.arn FROM attachments a"
                              " JOIN policies p ON p.id = a.policy WHERE a.identity = ?"
                              " ORDER BY a.id";
    sqlite3_stmt *s = st_stmt(st, sql);
    struct iam_store_attached *arr = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    int r;

    *ret = NULL;
    *ret_n = 0;
    if (!s)
        return -EIO;
    st_bind_int(s, 1, who->id);
    while ((r = st_step(st, s, "listing attached policies")) > 0) {
        if (!(arr = grow(st, arr, n, &cap, sizeof(*arr)))) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
        arr[n].policy = sqlite3_column_int64(s, 0);
        arr[n].name = st_col_dup(st, s, 1, &oom);
        arr[n].arn = st_col_dup(st, s, 2, &oom);
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

int iam_store_attach(struct iam_store *st, const struct iam_store_identity *who, int64_t policy) {
    static const char sql[] = "INSERT INTO attachments (identity, policy) VALUES (?, ?)";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = touch(st, who)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, who->id);
    st_bind_int(s, 2, policy);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return -EEXIST;
    return rc == SQLITE_DONE ? 0 : st_fail_sql(st, rc, "attaching a policy");
}

int iam_store_detach(struct iam_store *st, const struct iam_store_identity *who, int64_t policy) {
    static const char sql[] = "DELETE FROM attachments WHERE identity = ? AND policy = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = touch(st, who)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, who->id);
    st_bind_int(s, 2, policy);
    if ((r = st_step_done(st, s, "detaching a policy")) < 0)
        return r;
    return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

int iam_store_attached_clear(struct iam_store *st, const struct iam_store_identity *who) {
    static const char sql[] = "DELETE FROM attachments WHERE identity = ?";
    int r = touch(st, who);

    return r < 0 ? r : delete_by(st, sql, who->id, "detaching policies");
}

/* ---- documents -------------------------------------------------------------------------------------- */

char *iam_store_minify_json(const char *text, size_t len, size_t *ret_len) {
    char *out = malloc(len + 1), *o = out;
    bool in_str = false;

    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        if (in_str) {
            *o++ = c;
            if (c == '\\' && i + 1 < len)
                *o++ = text[++i];
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
            *o++ = c;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            *o++ = c;
        }
    }
    *o = '\0';
    if (ret_len)
        *ret_len = (size_t)(o - out);
    return out;
}
