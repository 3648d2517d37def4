/* SPDX-License-Identifier: Apache-2.0 */
/* Managed policies and their versions; a user's effective policies. */
#include <errno.h>
#include <string.h>

#include "store_private.h"

#define POLICY_COLUMNS                                                                              \
    "p.id, p.name, p.policy_id, p.arn, p.path, p.description, p.create_date, p.update_date,"     \
    " p.source, p.digest, p.is_attachable, p.aws_managed,"                                        \
    " (SELECT version_id FROM policy_versions v WHERE v.policy = p.id AND v.is_default = 1),"     \
    " (SELECT count(*) FROM attachments a WHERE a.policy = p.id),"                                \
    " (SELECT count(*) FROM identities i WHERE i.boundary = p.id) FROM policies p "

static int row_policy(struct iam_store *st, sqlite3_stmt *s, struct iam_store_policy *p,
                      bool dup) {
    bool oom = false;
    const void *digest;

#define TXT(i) (dup ? st_col_dup(st, s, (i), &oom) : st_col_text(s, (i)))
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(s, 0);
    p->name = TXT(1);
    p->policy_id = TXT(2);
    p->arn = TXT(3);
    p->path = TXT(4);
    p->description = TXT(5);
    p->create_date = TXT(6);
    p->update_date = TXT(7);
    p->source = TXT(8);
    digest = sqlite3_column_blob(s, 9);
    if (digest && sqlite3_column_bytes(s, 9) == (int)sizeof(p->digest)) {
        memcpy(p->digest, digest, sizeof(p->digest));
        p->has_digest = true;
    }
    p->is_attachable = sqlite3_column_int(s, 10) != 0;
    p->aws_managed = sqlite3_column_int(s, 11) != 0;
    p->default_version = TXT(12);
    p->attachment_count = (uint64_t)sqlite3_column_int64(s, 13);
    p->boundary_usage_count = (uint64_t)sqlite3_column_int64(s, 14);
#undef TXT
    if (oom)
        return st_fail(st, -ENOMEM, "out of memory");
    if (!p->name || !p->policy_id || !p->arn || !p->path || !p->source || !p->default_version)
        return st_fail(st, -EBADMSG, "managed policy row %lld is incomplete (no default version?)",
                       (long long)p->id);
    return 0;
}

int iam_store_policy_get(struct iam_store *st, const char *arn, struct iam_store_policy *ret) {
    static const char sql[] = "SELECT " POLICY_COLUMNS "WHERE p.arn = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    st_bind_text(s, 1, arn);
    r = st_step(st, s, "looking up a policy");
    if (r > 0)
        r = row_policy(st, s, ret, true);
    else if (r == 0)
        r = -ENOENT;
    sqlite3_reset(s);
    return r;
}

int iam_store_policy_name_taken(struct iam_store *st, const char *name) {
    static const char sql[] =
        "SELECT 1 FROM policies WHERE aws_managed = 0 AND name = ? COLLATE NOCASE";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    st_bind_text(s, 1, name);
    r = st_step(st, s, "looking up a policy name");
    sqlite3_reset(s);
    return r;
}

int iam_store_policy_list(struct iam_store *st, enum iam_store_policy_scope scope,
                          bool only_attached, const char *path_prefix, int64_t after, size_t max,
                          iam_store_policy_cb cb, void *ctx, int64_t *ret_next) {
    static const char sql[] = "SELECT " POLICY_COLUMNS "WHERE p.id > ? ORDER BY p.id";
    sqlite3_stmt *s = st_stmt(st, sql);
    struct iam_store_policy p;
    size_t n = 0;
    int64_t last = 0;
    int r;

    if (ret_next)
        *ret_next = 0;
    if (!s)
        return -EIO;
    st_bind_int(s, 1, after);
    while ((r = st_step(st, s, "listing policies")) > 0) {
        if ((r = row_policy(st, s, &p, false)) < 0)
            break;
        if ((scope == IAM_STORE_SCOPE_AWS && !p.aws_managed) ||
            (scope == IAM_STORE_SCOPE_LOCAL && p.aws_managed) ||
            (only_attached && p.attachment_count == 0) ||
            (path_prefix && strncmp(p.path, path_prefix, strlen(path_prefix)) != 0))
            continue;
        if (max && n == max) {
            if (ret_next)
                *ret_next = last;
            break;
        }
        if ((r = cb(ctx, &p)) != 0)
            break;
        last = p.id;
        n++;
    }
    sqlite3_reset(s);
    return r < 0 || r > 0 ? r : 0;
}

int iam_store_policy_insert(struct iam_store *st, const struct iam_store_policy *p,
                            int64_t *ret_id) {
    static const char sql[] =
        "INSERT INTO policies (name, policy_id, arn, path, description, create_date,"
        " update_date, is_attachable, aws_managed, source, digest)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *s = st_stmt(st, sql);
    int rc;

    if (!s)
        return -EIO;
    st_bind_text(s, 1, p->name);
    st_bind_text(s, 2, p->policy_id);
    st_bind_text(s, 3, p->arn);
    st_bind_text(s, 4, p->path);
    st_bind_text(s, 5, p->description);
    st_bind_text(s, 6, p->create_date);
    st_bind_text(s, 7, p->update_date);
    st_bind_int(s, 8, p->is_attachable);
    st_bind_int(s, 9, p->aws_managed);
    st_bind_text(s, 10, p->source);
    if (p->has_digest)
        sqlite3_bind_blob(s, 11, p->digest, sizeof(p->digest), SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return st_fail(st, -EEXIST, "policy \"%.128s\": %s", p->arn, sqlite3_errmsg(st->db));
    if (rc != SQLITE_DONE)
        return st_fail_sql(st, rc, "creating a policy");
    st->changes.any = true;
    if (ret_id)
        *ret_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int iam_store_policy_update_aws(struct iam_store *st, int64_t policy,
                                const struct iam_store_policy *p, const char *source,
                                const uint8_t *digest) {
    static const char upd[] =
        "UPDATE policies SET policy_id = ?, path = ?, description = ?, create_date = ?,"
        " update_date = ?, is_attachable = ?, source = ?, digest = ? WHERE id = ?";
    static const char drop[] = "DELETE FROM policy_versions WHERE policy = ?";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = st_touch_policy(st, policy)) < 0 || !(s = st_stmt(st, upd)))
        return r < 0 ? r : -EIO;
    st_bind_text(s, 1, p->policy_id);
    st_bind_text(s, 2, p->path);
    st_bind_text(s, 3, p->description);
    st_bind_text(s, 4, p->create_date);
    st_bind_text(s, 5, p->update_date);
    st_bind_int(s, 6, p->is_attachable);
    st_bind_text(s, 7, source);
    if (digest)
        sqlite3_bind_blob(s, 8, digest, 16, SQLITE_STATIC);
    st_bind_int(s, 9, policy);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return st_fail(st, -EEXIST, "policy \"%.128s\": %s", p->arn, sqlite3_errmsg(st->db));
    if (rc != SQLITE_DONE)
        return st_fail_sql(st, rc, "updating a policy");
    if (!(s = st_stmt(st, drop)))
        return -EIO;
    st_bind_int(s, 1, policy);
    return st_step_done(st, s, "replacing a policy's versions");
}

int iam_store_policy_delete(struct iam_store *st, int64_t policy) {
    static const char sql[] = "DELETE FROM policies WHERE id = ?";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = st_touch_policy(st, policy)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, policy);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return st_fail(st, -EEXIST, "the policy is still attached or used as a boundary");
    return rc == SQLITE_DONE ? 0 : st_fail_sql(st, rc, "deleting a policy");
}

int iam_store_policy_set_digest(struct iam_store *st, int64_t policy, const uint8_t digest[16]) {
    static const char sql[] = "UPDATE policies SET digest = ? WHERE id = ?";
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    sqlite3_bind_blob(s, 1, digest, 16, SQLITE_STATIC);
    st_bind_int(s, 2, policy);
    return st_step_done(st, s, "recording an import");
}

/* ---- versions -------------------------------------------------------------------------------------- */

int iam_store_policy_versions(struct iam_store *st, int64_t policy,
                              struct iam_store_policy_version **ret, size_t *ret_n) {
    static const char sql[] = "SELECT version_id, document, create_date, is_default"
                              " FROM policy_versions WHERE policy = ? ORDER BY id";
    sqlite3_stmt *s = st_stmt(st, sql);
    struct iam_store_policy_version *arr = NULL;
    size_t n = 0;
    bool oom = false;
    int r;

    *ret = NULL;
    *ret_n = 0;
    if (!s)
        return -EIO;
    st_bind_int(s, 1, policy);
    while ((r = st_step(st, s, "listing policy versions")) > 0) {
        struct iam_store_policy_version *na = st_alloc(st, (n + 1) * sizeof(*na));
        if (!na) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
        if (n)
            memcpy(na, arr, n * sizeof(*na));
        arr = na;
        arr[n].version_id = st_col_dup(st, s, 0, &oom);
        arr[n].document = st_col_dup(st, s, 1, &oom);
        arr[n].create_date = st_col_dup(st, s, 2, &oom);
        arr[n].is_default = sqlite3_column_int(s, 3) != 0;
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

static int clear_default(struct iam_store *st, int64_t policy, const char *update_date) {
    static const char clear[] = "UPDATE policy_versions SET is_default = 0 WHERE policy = ?";
    static const char date[] = "UPDATE policies SET update_date = ? WHERE id = ?";
    sqlite3_stmt *s = st_stmt(st, clear);
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, policy);
    if ((r = st_step_done(st, s, "changing the default version")) < 0 || !update_date)
        return r;
    if (!(s = st_stmt(st, date)))
        return -EIO;
    st_bind_text(s, 1, update_date);
    st_bind_int(s, 2, policy);
    return st_step_done(st, s, "changing the default version");
}

int iam_store_policy_version_add(struct iam_store *st, int64_t policy,
                                 const struct iam_store_policy_version *v,
                                 const char *update_date) {
    static const char sql[] = "INSERT INTO policy_versions (policy, version_id, document,"
                              " create_date, is_default) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *s;
    int rc, r;

    if ((r = st_touch_policy(st, policy)) < 0)
        return r;
    if (v->is_default && (r = clear_default(st, policy, update_date)) < 0)
        return r;
    if (!(s = st_stmt(st, sql)))
        return -EIO;
    st_bind_int(s, 1, policy);
    st_bind_text(s, 2, v->version_id);
    st_bind_text(s, 3, v->document);
    st_bind_text(s, 4, v->create_date);
    st_bind_int(s, 5, v->is_default);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return st_fail(st, -EEXIST, "version %.16s exists already", v->version_id);
    return rc == SQLITE_DONE ? 0 : st_fail_sql(st, rc, "adding a policy version");
}

int iam_store_policy_version_delete(struct iam_store *st, int64_t policy,
                                    const char *version_id) {
    static const char sql[] = "DELETE FROM policy_versions WHERE policy = ? AND version_id = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = st_touch_policy(st, policy)) < 0 || !(s = st_stmt(st, sql)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, policy);
    st_bind_text(s, 2, version_id);
    if ((r = st_step_done(st, s, "deleting a policy version")) < 0)
        return r;
    return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

int iam_store_policy_set_default(struct iam_store *st, int64_t policy, const char *version_id,
                                 const char *update_date) {
    static const char set[] =
        "UPDATE policy_versions SET is_default = 1 WHERE policy = ? AND version_id = ?";
    static const char has[] = "SELECT 1 FROM policy_versions WHERE policy = ? AND version_id = ?";
    sqlite3_stmt *s;
    int r;

    if ((r = st_touch_policy(st, policy)) < 0 || !(s = st_stmt(st, has)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, policy);
    st_bind_text(s, 2, version_id);
    r = st_step(st, s, "looking up a policy version");
    sqlite3_reset(s);
    if (r <= 0)
        return r < 0 ? r : -ENOENT;
    if ((r = clear_default(st, policy, update_date)) < 0 || !(s = st_stmt(st, set)))
        return r < 0 ? r : -EIO;
    st_bind_int(s, 1, policy);
    st_bind_text(s, 2, version_id);
    return st_step_done(st, s, "changing the default version");
}

/* ---- effective policies ------------------------------------------------------------------------------ */

struct eff_list {
    struct iam_store_effective *v;
    size_t n, cap;
};

static struct iam_store_effective *eff_add(struct iam_store *st, struct eff_list *l) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct iam_store_effective *nv = st_alloc(st, cap * sizeof(*nv));
        if (!nv)
            return NULL;
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof(*nv));
        l->v = nv;
        l->cap = cap;
    }
    return &l->v[l->n++];
}

/* The inline policies, then the attached managed policies, of one identity. */
static int eff_identity(struct iam_store *st, struct eff_list *l, int64_t id, const char *owner,
                        bool group) {
    static const char inl[] =
        "SELECT name, document FROM inline_policies WHERE identity = ? ORDER BY id";
    static const char att[] =
        "SELECT p.name, p.arn, p.aws_managed, v.document FROM attachments a"
        " JOIN policies p ON p.id = a.policy"
        " JOIN policy_versions v ON v.policy = p.id AND v.is_default = 1"
        " WHERE a.identity = ? ORDER BY a.id";
    bool oom = false;
    sqlite3_stmt *s = st_stmt(st, inl);
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, id);
    while ((r = st_step(st, s, "reading inline policies")) > 0) {
        struct iam_store_effective *e = eff_add(st, l);
        if (!e) {
            oom = true;
            break;
        }
        e->source_type = group ? "group" : "user";
        e->name = e->source_id = st_col_dup(st, s, 0, &oom);
        e->document = st_col_dup(st, s, 1, &oom);
        e->owner = owner;
    }
    sqlite3_reset(s);
    if (r < 0 || oom || !(s = st_stmt(st, att)))
        return r < 0 ? r : oom ? st_fail(st, -ENOMEM, "out of memory") : -EIO;
    st_bind_int(s, 1, id);
    while ((r = st_step(st, s, "reading attached policies")) > 0) {
        struct iam_store_effective *e = eff_add(st, l);
        if (!e) {
            oom = true;
            break;
        }
        e->name = e->source_id = st_col_dup(st, s, 0, &oom);
        e->arn = st_col_dup(st, s, 1, &oom);
        e->source_type = sqlite3_column_int(s, 2) ? "aws-managed" : "user-managed";
        e->document = st_col_dup(st, s, 3, &oom);
    }
    sqlite3_reset(s);
    return r < 0 ? r : oom ? st_fail(st, -ENOMEM, "out of memory") : 0;
}

int iam_store_user_policies(struct iam_store *st, const struct iam_store_identity *user,
                            struct iam_store_effective **ret, size_t *ret_n) {
    static const char bnd[] = "SELECT p.name, p.arn, p.aws_managed, v.document FROM policies p"
                              " JOIN policy_versions v ON v.policy = p.id AND v.is_default = 1"
                              " WHERE p.id = ?";
    struct eff_list l = {0};
    struct iam_store_identity *groups;
    size_t n_groups;
    bool oom = false;
    int r;

    *ret = NULL;
    *ret_n = 0;
    if ((r = eff_identity(st, &l, user->id, user->name, false)) < 0 ||
        (r = iam_store_user_groups(st, user, &groups, &n_groups)) < 0)
        return r;
    for (size_t g = 0; g < n_groups; g++)
        if ((r = eff_identity(st, &l, groups[g].id, groups[g].name, true)) < 0)
            return r;
    if (user->boundary) {
        sqlite3_stmt *s = st_stmt(st, bnd);
        struct iam_store_effective *e;
        if (!s)
            return -EIO;
        st_bind_int(s, 1, user->boundary);
        r = st_step(st, s, "reading the permissions boundary");
        if (r > 0) {
            if (!(e = eff_add(st, &l))) {
                oom = true;
            } else {
                e->boundary = true;
                e->name = e->source_id = st_col_dup(st, s, 0, &oom);
                e->arn = st_col_dup(st, s, 1, &oom);
                e->source_type = sqlite3_column_int(s, 2) ? "aws-managed" : "user-managed";
                e->document = st_col_dup(st, s, 3, &oom);
            }
        } else if (r == 0) {
            r = st_fail(st, -EBADMSG, "the permissions boundary of %s has no default version",
                        user->name);
        }
        sqlite3_reset(s);
        if (r < 0 || oom)
            return r < 0 ? r : st_fail(st, -ENOMEM, "out of memory");
    }
    /* a role's own inline policies are of type "role" (AWS's PolicySourceType) */
    for (size_t i = 0; user->kind == IAM_STORE_ROLE && i < l.n; i++)
        if (strcmp(l.v[i].source_type, "user") == 0)
            l.v[i].source_type = "role";
    *ret = l.v;
    *ret_n = l.n;
    return 0;
}
