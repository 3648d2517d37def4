/* SPDX-License-Identifier: Apache-2.0 */
/* The compile's model (compile_private.h): the account read in one table scan per table, in
 * rowid order, every per-user and per-group list gathered into flat arrays. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "compile_private.h"
#include "iam/db.h"
#include "iam/ssh_keys.h"

#define CM_ARENA_CHUNK (1024u * 1024u)


void *cm_alloc(struct cmodel *m, size_t size) {
    return iam_arena_alloc_uninit(&m->arena, size);
}

static char *cm_strndup(struct cmodel *m, const char *s, size_t n) {
    return iam_arena_strndup(&m->arena, s, n);
}

char *cm_strdup(struct cmodel *m, const char *s) {
    return s ? cm_strndup(m, s, strlen(s)) : NULL;
}

/* A column copied into the model, NULL for SQL NULL; *oom on failure. */
static const char *col(struct cmodel *m, sqlite3_stmt *s, int i, bool *oom) {
    const char *t = (const char *)sqlite3_column_text(s, i);
    char *p;

    if (!t)
        return NULL;
    p = cm_strndup(m, t, (size_t)sqlite3_column_bytes(s, i));
    if (!p)
        *oom = true;
    return p;
}

void cm_free(struct cmodel *m) {
    if (m->mfa) {
        sodium_memzero(m->mfa, m->n_mfa * sizeof(*m->mfa));
        free(m->mfa);
    }
    iam_arena_free(&m->arena);
    free(m->users);
    free(m->groups);
    free(m->policies);
    free(m->docs);
    free(m->keys);
    free(m->ssh_keys);
    free(m->tags);
    free(m->user_groups);
    free(m->members);
    free(m->user_docs);
    free(m->group_docs);
    free(m->ident_map);
    free(m->policy_map);
    memset(m, 0, sizeof(*m));
}


/* Users and groups share the identities' rowids: the map says which (users first). */
size_t cm_user_index(const struct cmodel *m, int64_t rowid) {
    uint32_t v = rowid > 0 && rowid <= m->max_ident ? m->ident_map[rowid] : 0;

    return v && v <= m->n_users ? v - 1 : SIZE_MAX;
}

size_t cm_group_index(const struct cmodel *m, int64_t rowid) {
    uint32_t v = rowid > 0 && rowid <= m->max_ident ? m->ident_map[rowid] : 0;

    return v > m->n_users ? v - 1 - m->n_users : SIZE_MAX;
}

size_t cm_policy_index(const struct cmodel *m, int64_t rowid) {
    uint32_t v = rowid > 0 && rowid <= m->max_policy ? m->policy_map[rowid] : 0;

    return v ? v - 1 : SIZE_MAX;
}

/* rowid -> index maps (rowids are dense: a map is smaller than a hash table of them). */
static int build_maps(struct iam_store *st, struct cmodel *m) {
    static const char mi[] = "SELECT max(id) FROM identities";
    static const char mp[] = "SELECT max(id) FROM policies";
    size_t mx_i = 0, mx_p = 0;
    int r;

    if ((r = cm_count_rows(st, mi, &mx_i)) < 0 || (r = cm_count_rows(st, mp, &mx_p)) < 0)
        return r;
    m->max_ident = (int64_t)mx_i;
    m->max_policy = (int64_t)mx_p;
    m->ident_map = calloc(mx_i + 1, sizeof(*m->ident_map));
    m->policy_map = calloc(mx_p + 1, sizeof(*m->policy_map));
    if (!m->ident_map || !m->policy_map)
        return st_fail(st, -ENOMEM, "out of memory");
    for (size_t i = 0; i < m->n_users; i++)
        m->ident_map[m->users[i].rowid] = (uint32_t)(i + 1);
    for (size_t g = 0; g < m->n_groups; g++)
        m->ident_map[m->groups[g].rowid] = (uint32_t)(m->n_users + g + 1);
    for (size_t p = 0; p < m->n_policies; p++)
        m->policy_map[m->policies[p].rowid] = (uint32_t)(p + 1);
    return 0;
}

int cm_count_rows(struct iam_store *st, const char *sql, size_t *ret) {
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    r = st_step(st, s, "counting");
    *ret = r > 0 ? (size_t)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

/* ---- users, groups, policies ---------------------------------------------------------------------- */

/* Users and groups in one pass over the table in rowid order (a table scan: walking the
 * kind index instead would cost a lookup per row). */
static int fill_identity(struct cmodel *m, sqlite3_stmt *s, bool *oom) {
    int kind = sqlite3_column_int(s, 1);

    if (kind == IAM_STORE_USER) {
        struct cm_user *u = &m->users[m->n_users++];
        u->rowid = sqlite3_column_int64(s, 0);
        u->name = col(m, s, 2, oom);
        u->unique_id = col(m, s, 3, oom);
        u->arn = col(m, s, 4, oom);
        u->uid = (uint32_t)sqlite3_column_int64(s, 5);
        u->gid = (uint32_t)sqlite3_column_int64(s, 6);
        u->home = col(m, s, 7, oom);
        u->shell = col(m, s, 8, oom);
        u->gecos = col(m, s, 9, oom);
        u->boundary = sqlite3_column_int64(s, 10);
        return sqlite3_column_type(s, 5) == SQLITE_NULL || sqlite3_column_type(s, 6) == SQLITE_NULL
                   ? -EBADMSG
                   : 0;
    }
    if (kind == IAM_STORE_ROLE && sqlite3_column_type(s, 5) != SQLITE_NULL) {
        struct cm_user *u = &m->users[m->n_users++];
        const char *trust;

        u->rowid = sqlite3_column_int64(s, 0);
        u->is_role = true;
        u->name = col(m, s, 2, oom);
        u->unique_id = col(m, s, 3, oom);
        u->arn = col(m, s, 4, oom);
        u->uid = u->gid = (uint32_t)sqlite3_column_int64(s, 5); /* its private group's */
        u->boundary = sqlite3_column_int64(s, 10);
        u->max_session_duration = sqlite3_column_int64(s, 12);
        if (u->max_session_duration <= 0)
            u->max_session_duration = 3600; /* IAM's default */
        trust = col(m, s, 11, oom);
        if (*oom)
            return 0;
        if (!trust)
            return -EBADMSG;
        u->trust = cm_add_doc(m, IAM_AUTH_POLICY_TRUST, "trust", u->arn, trust);
        if (u->trust == SIZE_MAX)
            *oom = true;
        return 0;
    }
    if (kind == IAM_STORE_GROUP) {
        struct cm_group *g = &m->groups[m->n_groups++];
        g->rowid = sqlite3_column_int64(s, 0);
        g->name = col(m, s, 2, oom);
        g->gid = (uint32_t)sqlite3_column_int64(s, 5);
        return sqlite3_column_type(s, 5) == SQLITE_NULL ? -EBADMSG : 0;
    }
    return 0; /* a role without an account on the host (imported before roles were) */
}

static int load_identities(struct iam_store *st, struct cmodel *m) {
    static const char cu[] = "SELECT count(*) FROM identities WHERE kind = 1"
                             " OR (kind = 3 AND posix_id IS NOT NULL)";
    static const char cg[] = "SELECT count(*) FROM identities WHERE kind = 2";
    static const char sql[] = "SELECT id, kind, name, unique_id, arn, posix_id, gid, home, shell,"
                              " gecos, boundary, trust_policy, max_session_duration"
                              " FROM identities ORDER BY id";
    sqlite3_stmt *s;
    size_t nu = 0, ng = 0;
    bool oom = false;
    int r;

    if ((r = cm_count_rows(st, cu, &nu)) < 0 || (r = cm_count_rows(st, cg, &ng)) < 0)
        return r;
    m->users = calloc(nu + 1, sizeof(*m->users));
    m->groups = calloc(ng + 1, sizeof(*m->groups));
    if (!m->users || !m->groups)
        return st_fail(st, -ENOMEM, "out of memory");
    if (!(s = st_stmt(st, sql)))
        return -EIO;
    while ((r = st_step(st, s, "reading users and groups")) > 0) {
        int kind = sqlite3_column_int(s, 1);
        bool on_host = kind == IAM_STORE_USER ||
                       (kind == IAM_STORE_ROLE && sqlite3_column_type(s, 5) != SQLITE_NULL);
        if ((on_host && m->n_users == nu) ||
            (kind == IAM_STORE_GROUP && m->n_groups == ng)) {
            r = st_fail(st, -EBADMSG, "the store changed while it was read");
            break;
        }
        if (fill_identity(m, s, &oom) < 0 || oom) {
            r = oom ? st_fail(st, -ENOMEM, "out of memory")
                    : st_fail(st, -EBADMSG, "\"%.64s\" has no uid or gid (or, a role, no trust policy)",
                              (const char *)sqlite3_column_text(s, 2));
            break;
        }
    }
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

size_t cm_add_doc(struct cmodel *m, enum iam_auth_policy_kind kind, const char *type,
                      const char *id, const char *text) {
    if (m->n_docs == m->cap_docs) {
        size_t cap = m->cap_docs ? m->cap_docs * 2 : 1024;
        struct cm_doc *nd = realloc(m->docs, cap * sizeof(*nd));
        if (!nd)
            return SIZE_MAX;
        m->docs = nd;
        m->cap_docs = cap;
    }
    m->docs[m->n_docs] = (struct cm_doc){.kind = kind,
                                         .source_type = type,
                                         .source_id = id,
                                         .text = text,
                                         .text_len = strlen(text)};
    return m->n_docs++;
}

/* Managed policies with their default documents; each becomes the entry attached identities
 * share, and a second entry when it is some user's boundary (see cm_boundary_doc). */
static int load_policies(struct iam_store *st, struct cmodel *m) {
    static const char cnt[] = "SELECT count(*) FROM policies";
    static const char sql[] = "SELECT p.id, p.arn, v.document FROM policies p"
                              " JOIN policy_versions v ON v.policy = p.id AND v.is_default = 1"
                              " ORDER BY p.id";
    sqlite3_stmt *s;
    size_t n = 0;
    bool oom = false;
    int r;

    if ((r = cm_count_rows(st, cnt, &n)) < 0)
        return r;
    m->policies = calloc(n ? n : 1, sizeof(*m->policies));
    if (!m->policies || !(s = st_stmt(st, sql)))
        return m->policies ? -EIO : st_fail(st, -ENOMEM, "out of memory");
    while ((r = st_step(st, s, "reading policies")) > 0 && m->n_policies < n) {
        struct cm_policy *p = &m->policies[m->n_policies++];
        const char *text;

        p->rowid = sqlite3_column_int64(s, 0);
        p->arn = col(m, s, 1, &oom);
        text = col(m, s, 2, &oom);
        p->boundary = SIZE_MAX;
        if (oom || (p->doc = cm_add_doc(m, IAM_AUTH_POLICY_IDENTITY, "managed", p->arn, text)) ==
                       SIZE_MAX) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

/* ---- per-owner lists ---------------------------------------------------------------------------- */

/* (owner, value) pairs in the order read, gathered by owner into start[] / out[] (CSR),
 * keeping the order within each owner. */
struct pairs {
    uint32_t *owner, *val;
    size_t n, cap;
};

static int pairs_add(struct pairs *p, uint32_t owner, uint32_t val) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        uint32_t *no = realloc(p->owner, cap * sizeof(*no)), *nv;
        if (!no)
            return -ENOMEM;
        p->owner = no;
        nv = realloc(p->val, cap * sizeof(*nv));
        if (!nv)
            return -ENOMEM;
        p->val = nv;
        p->cap = cap;
    }
    p->owner[p->n] = owner;
    p->val[p->n] = val;
    p->n++;
    return 0;
}

static void pairs_free(struct pairs *p) {
    free(p->owner);
    free(p->val);
    memset(p, 0, sizeof(*p));
}

/* Two lists per owner (a, then b) into one flat array; start[i]/count[i] through the
 * callbacks' strides. */
static int gather(size_t n_owners, const struct pairs *a, const struct pairs *b, uint32_t **ret,
                  size_t *ret_n, size_t *starts, size_t *counts, size_t stride) {
    size_t total = a->n + (b ? b->n : 0), pos = 0;
    size_t *cursor = calloc(n_owners + 1, sizeof(*cursor));
    uint32_t *out = malloc((total ? total : 1) * sizeof(*out));

    if (!cursor || !out) {
        free(cursor);
        free(out);
        return -ENOMEM;
    }
    for (size_t i = 0; i < a->n; i++)
        cursor[a->owner[i]]++;
    for (size_t i = 0; b && i < b->n; i++)
        cursor[b->owner[i]]++;
    for (size_t o = 0; o < n_owners; o++) {
        size_t c = cursor[o];
        *(size_t *)((char *)starts + o * stride) = pos;
        *(size_t *)((char *)counts + o * stride) = c;
        cursor[o] = pos;
        pos += c;
    }
    for (size_t i = 0; i < a->n; i++)
        out[cursor[a->owner[i]]++] = a->val[i];
    for (size_t i = 0; b && i < b->n; i++)
        out[cursor[b->owner[i]]++] = b->val[i];
    free(cursor);
    *ret = out;
    *ret_n = total;
    return 0;
}

static int load_memberships(struct iam_store *st, struct cmodel *m) {
    static const char sql[] = "SELECT user, grp FROM memberships ORDER BY id";
    struct pairs p = {0};
    sqlite3_stmt *s = st_stmt(st, sql);
    size_t *fill = NULL;
    int r;

    if (!s)
        return -EIO;
    while ((r = st_step(st, s, "reading memberships")) > 0) {
        size_t u = cm_user_index(m, sqlite3_column_int64(s, 0));
        size_t g = cm_group_index(m, sqlite3_column_int64(s, 1));
        if (u == SIZE_MAX || g == SIZE_MAX) {
            r = st_fail(st, -EBADMSG, "a membership names an identity that is not a user/group");
            break;
        }
        if (pairs_add(&p, (uint32_t)u, (uint32_t)g) < 0) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_reset(s);
    if (r == 0 && gather(m->n_users, &p, NULL, &m->user_groups, &m->n_user_groups,
                         &m->users[0].groups, &m->users[0].n_groups, sizeof(struct cm_user)) < 0)
        r = st_fail(st, -ENOMEM, "out of memory");
    /* members of each group in user order: walk the users' lists */
    if (r == 0) {
        m->members = malloc((p.n ? p.n : 1) * sizeof(*m->members));
        fill = calloc(m->n_groups + 1, sizeof(*fill));
        if (!m->members || !fill) {
            r = st_fail(st, -ENOMEM, "out of memory");
        } else {
            size_t pos = 0;
            for (size_t i = 0; i < p.n; i++)
                m->groups[p.val[i]].n_members++;
            for (size_t g = 0; g < m->n_groups; g++) {
                m->groups[g].members = fill[g] = pos;
                pos += m->groups[g].n_members;
            }
            for (size_t u = 0; u < m->n_users; u++)
                for (size_t k = 0; k < m->users[u].n_groups; k++)
                    m->members[fill[m->user_groups[m->users[u].groups + k]]++] = (uint32_t)u;
            m->n_members = p.n;
        }
    }
    free(fill);
    pairs_free(&p);
    return r < 0 ? r : 0;
}

static int load_keys(struct iam_store *st, struct cmodel *m) {
    static const char sql[] = "SELECT user, access_key_id, status, create_date, secret_hash"
                              " FROM access_keys ORDER BY id";
    struct pairs p = {0};
    struct cm_key *keys = NULL;
    size_t n = 0, cap = 0;
    uint32_t *order = NULL;
    sqlite3_stmt *s = st_stmt(st, sql);
    bool oom = false;
    int r;

    if (!s)
        return -EIO;
    while ((r = st_step(st, s, "reading access keys")) > 0) {
        size_t u = cm_user_index(m, sqlite3_column_int64(s, 0));
        const char *status = (const char *)sqlite3_column_text(s, 2), *date;
        struct cm_key *k;

        if (u == SIZE_MAX)
            continue;
        if (n == cap) {
            struct cm_key *nk = realloc(keys, (cap = cap ? cap * 2 : 1024) * sizeof(*nk));
            if (!nk) {
                oom = true;
                break;
            }
            keys = nk;
        }
        k = &keys[n];
        k->id = col(m, s, 1, &oom);
        k->active = status && strcmp(status, "Active") == 0;
        date = (const char *)sqlite3_column_text(s, 3);
        k->secret_hash = col(m, s, 4, &oom);
        if (!date || iam_db_parse_time(date, &k->create_date) < 0) {
            r = st_fail(st, -EBADMSG, "access key %.32s: bad CreateDate", k->id ? k->id : "?");
            break;
        }
        if (oom || pairs_add(&p, (uint32_t)u, (uint32_t)n) < 0) {
            oom = true;
            break;
        }
        n++;
    }
    sqlite3_reset(s);
    if (r == 0 && !oom &&
        gather(m->n_users, &p, NULL, &order, &m->n_keys, &m->users[0].keys, &m->users[0].n_keys,
               sizeof(struct cm_user)) < 0)
        oom = true;
    if (r == 0 && !oom) {
        /* keys in user order, so each user's are contiguous */
        m->keys = malloc((n ? n : 1) * sizeof(*m->keys));
        if (!m->keys)
            oom = true;
        for (size_t i = 0; !oom && i < n; i++)
            m->keys[i] = keys[order[i]];
    }
    free(keys);
    free(order);
    pairs_free(&p);
    if (oom)
        return st_fail(st, -ENOMEM, "out of memory");
    return r < 0 ? r : 0;
}

/* Active SSH public keys, each user's in upload order, with their fingerprints. */
static int load_ssh_keys(struct iam_store *st, struct cmodel *m) {
    static const char sql[] = "SELECT user, ssh_key_id, body FROM ssh_keys"
                              " WHERE status = 'Active' ORDER BY id";
    struct pairs p = {0};
    struct cm_ssh_key *keys = NULL;
    size_t n = 0, cap = 0;
    uint32_t *order = NULL;
    sqlite3_stmt *s = st_stmt(st, sql);
    bool oom = false;
    int r;

    if (!s)
        return -EIO;
    while ((r = st_step(st, s, "reading SSH public keys")) > 0) {
        size_t u = cm_user_index(m, sqlite3_column_int64(s, 0));
        const char *body = (const char *)sqlite3_column_text(s, 2);
        char fp[64];
        struct cm_ssh_key *k;

        if (u == SIZE_MAX)
            continue;
        if (n == cap) {
            struct cm_ssh_key *nk = realloc(keys, (cap = cap ? cap * 2 : 256) * sizeof(*nk));
            if (!nk) {
                oom = true;
                break;
            }
            keys = nk;
        }
        k = &keys[n];
        k->id = col(m, s, 1, &oom);
        k->body = col(m, s, 2, &oom);
        if (oom)
            break;
        if (!body || iam_ssh_key_fingerprint(body, strlen(body), fp) < 0) {
            r = st_fail(st, -EBADMSG, "SSH public key %.32s: not an OpenSSH public key",
                        k->id ? k->id : "?");
            break;
        }
        k->fingerprint = cm_strdup(m, fp);
        if (!k->fingerprint || pairs_add(&p, (uint32_t)u, (uint32_t)n) < 0) {
            oom = true;
            break;
        }
        n++;
    }
    sqlite3_reset(s);
    if (r == 0 && !oom &&
        gather(m->n_users, &p, NULL, &order, &m->n_ssh_keys, &m->users[0].ssh_keys,
               &m->users[0].n_ssh_keys, sizeof(struct cm_user)) < 0)
        oom = true;
    if (r == 0 && !oom) {
        m->ssh_keys = malloc((n ? n : 1) * sizeof(*m->ssh_keys));
        if (!m->ssh_keys)
            oom = true;
        for (size_t i = 0; !oom && i < n; i++)
            m->ssh_keys[i] = keys[order[i]];
    }
    free(keys);
    free(order);
    pairs_free(&p);
    if (oom)
        return st_fail(st, -ENOMEM, "out of memory");
    return r < 0 ? r : 0;
}

static int load_tags(struct iam_store *st, struct cmodel *m) {
    static const char sql[] =
        /* the ldap: tags (a directory's DN: the one pam_iam binds as) only of identities a
         * directory import made, never of one tagged by hand or by an AWS export */
        "SELECT t.identity, t.key, t.value FROM tags t JOIN identities i ON i.id = t.identity"
        " WHERE t.key NOT LIKE 'ldap:%' OR i.source LIKE 'ldap:%' ORDER BY t.id";
    struct pairs p = {0};
    struct iam_auth_tag *tags = NULL;
    uint32_t *order = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *s = st_stmt(st, sql);
    bool oom = false;
    int r;

    if (!s)
        return -EIO;
    while ((r = st_step(st, s, "reading tags")) > 0) {
        size_t u = cm_user_index(m, sqlite3_column_int64(s, 0));

        if (u == SIZE_MAX)
            continue; /* a group's, or a role's without an account on the host */
        if (n == cap) {
            struct iam_auth_tag *nt = realloc(tags, (cap = cap ? cap * 2 : 1024) * sizeof(*nt));
            if (!nt) {
                oom = true;
                break;
            }
            tags = nt;
        }
        tags[n].key = col(m, s, 1, &oom);
        tags[n].value = col(m, s, 2, &oom);
        if (oom || pairs_add(&p, (uint32_t)u, (uint32_t)n) < 0) {
            oom = true;
            break;
        }
        n++;
    }
    sqlite3_reset(s);
    if (r == 0 && !oom &&
        gather(m->n_users, &p, NULL, &order, &m->n_tags, &m->users[0].tags, &m->users[0].n_tags,
               sizeof(struct cm_user)) < 0)
        oom = true;
    if (r == 0 && !oom) {
        m->tags = malloc((n ? n : 1) * sizeof(*m->tags));
        if (!m->tags)
            oom = true;
        for (size_t i = 0; !oom && i < n; i++)
            m->tags[i] = tags[order[i]];
    }
    free(tags);
    free(order);
    pairs_free(&p);
    if (oom)
        return st_fail(st, -ENOMEM, "out of memory");
    return r < 0 ? r : 0;
}

/* "user/<name>/<policy>" */
static const char *inline_id(struct cmodel *m, const char *kind, const char *owner,
                             const char *name) {
    size_t len = strlen(kind) + strlen(owner) + strlen(name) + 3;
    char *s = cm_alloc(m, len);

    if (s)
        snprintf(s, len, "%s/%s/%s", kind, owner, name);
    return s;
}

/* Inline policies and attachments of users and groups: each identity's list is its inline
 * policies (in order), then its attached policies (in order). */
static int load_policy_lists(struct iam_store *st, struct cmodel *m) {
    static const char inl[] = "SELECT identity, name, document FROM inline_policies ORDER BY id";
    static const char att[] = "SELECT identity, policy FROM attachments ORDER BY id";
    struct pairs ui = {0}, ua = {0}, gi = {0}, ga = {0};
    sqlite3_stmt *s = st_stmt(st, inl);
    bool oom = false;
    int r;

    if (!s)
        return -EIO;
    while ((r = st_step(st, s, "reading inline policies")) > 0) {
        int64_t owner = sqlite3_column_int64(s, 0);
        size_t u = cm_user_index(m, owner), g = u == SIZE_MAX ? cm_group_index(m, owner) : 0;
        const char *name = (const char *)sqlite3_column_text(s, 1), *id, *text, *type;
        size_t d;

        if (u == SIZE_MAX && g == SIZE_MAX)
            continue; /* a role's without an account on the host */
        type = u == SIZE_MAX ? "group" : m->users[u].is_role ? "role" : "user";
        id = inline_id(m, type, u != SIZE_MAX ? m->users[u].name : m->groups[g].name,
                       name ? name : "");
        text = col(m, s, 2, &oom);
        if (!id || oom || !text ||
            (d = cm_add_doc(m, IAM_AUTH_POLICY_IDENTITY, type, id, text)) == SIZE_MAX ||
            pairs_add(u != SIZE_MAX ? &ui : &gi, (uint32_t)(u != SIZE_MAX ? u : g),
                      (uint32_t)d) < 0) {
            oom = true;
            break;
        }
    }
    sqlite3_reset(s);
    if (r == 0 && !oom && (s = st_stmt(st, att)))
        while ((r = st_step(st, s, "reading attachments")) > 0) {
            int64_t owner = sqlite3_column_int64(s, 0);
            size_t u = cm_user_index(m, owner), g = u == SIZE_MAX ? cm_group_index(m, owner) : 0;
            size_t p = cm_policy_index(m, sqlite3_column_int64(s, 1));

            if (u == SIZE_MAX && g == SIZE_MAX)
                continue;
            if (p == SIZE_MAX) {
                r = st_fail(st, -EBADMSG, "an attachment names a policy with no default version");
                break;
            }
            if (pairs_add(u != SIZE_MAX ? &ua : &ga, (uint32_t)(u != SIZE_MAX ? u : g),
                          (uint32_t)m->policies[p].doc) < 0) {
                oom = true;
                break;
            }
        }
    if (s)
        sqlite3_reset(s);
    if (r == 0 && !oom &&
        (gather(m->n_users, &ui, &ua, &m->user_docs, &m->n_user_docs, &m->users[0].docs,
                &m->users[0].n_docs, sizeof(struct cm_user)) < 0 ||
         gather(m->n_groups, &gi, &ga, &m->group_docs, &m->n_group_docs, &m->groups[0].docs,
                &m->groups[0].n_docs, sizeof(struct cm_group)) < 0))
        oom = true;
    pairs_free(&ui);
    pairs_free(&ua);
    pairs_free(&gi);
    pairs_free(&ga);
    if (oom)
        return st_fail(st, -ENOMEM, "out of memory");
    return r < 0 ? r : 0;
}

/* Login profiles, with the expiry of each password under the account password policy. */
static int load_login_profiles(struct iam_store *st, struct cmodel *m) {
    static const char sql[] =
        "SELECT user, password_hash, password_reset_required,"
        " coalesce(password_last_changed, create_date) FROM login_profiles";
    struct iam_store_password_policy policy;
    sqlite3_stmt *s;
    bool oom = false;
    int r;

    r = iam_store_password_policy_get(st, &policy);
    if (r == -ENOENT)
        policy.max_password_age = 0;
    else if (r < 0)
        return r;
    if (!(s = st_stmt(st, sql)))
        return -EIO;
    while ((r = st_step(st, s, "reading login profiles")) > 0) {
        size_t u = cm_user_index(m, sqlite3_column_int64(s, 0));
        const char *changed = st_col_text(s, 3);
        int64_t t;

        if (u == SIZE_MAX)
            continue;
        m->users[u].password_hash = col(m, s, 1, &oom);
        m->users[u].password_reset_required = sqlite3_column_int(s, 2) != 0;
        if (policy.max_password_age) {
            if (!changed || iam_db_parse_time(changed, &t) < 0) {
                r = st_fail(st, -EBADMSG, "a login profile has no valid date of change");
                break;
            }
            m->users[u].password_expires = t + (int64_t)policy.max_password_age * 86400;
            m->users[u].password_hard_expiry = policy.hard_expiry;
        }
        if (oom) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

/* Enabled MFA devices, by user (users are in rowid order, and so are these). */
static int load_mfa(struct iam_store *st, struct cmodel *m) {
    static const char sql[] = "SELECT user, serial, seed, not_before, drift FROM mfa_devices"
                              " WHERE user IS NOT NULL ORDER BY user, id";
    size_t cap = 0;
    sqlite3_stmt *s;
    bool oom = false;
    int r;

    if ((r = cm_count_rows(st, "SELECT count(*) FROM mfa_devices WHERE user IS NOT NULL", &cap)) < 0)
        return r;
    m->mfa = calloc(cap + 1, sizeof(*m->mfa));
    if (!m->mfa)
        return st_fail(st, -ENOMEM, "out of memory");
    if (!(s = st_stmt(st, sql)))
        return -EIO;
    while (m->n_mfa < cap && (r = st_step(st, s, "reading MFA devices")) > 0) {
        size_t u = cm_user_index(m, sqlite3_column_int64(s, 0));
        struct cm_mfa *d = &m->mfa[m->n_mfa];
        const void *seed = sqlite3_column_blob(s, 2);

        if (u == SIZE_MAX)
            continue;
        if (!seed || sqlite3_column_bytes(s, 2) != 20) {
            r = st_fail(st, -EBADMSG, "an MFA device has no valid seed");
            break;
        }
        if (m->users[u].n_mfa == 0)
            m->users[u].mfa = m->n_mfa;
        if (m->users[u].n_mfa >= IAM_AUTH_MAX_MFA) {
            r = st_fail(st, -E2BIG, "user \"%.64s\" has more than %d MFA devices",
                        m->users[u].name, IAM_AUTH_MAX_MFA);
            break;
        }
        d->serial = col(m, s, 1, &oom);
        sodium_bin2hex(d->seed_hex, sizeof(d->seed_hex), seed, 20);
        d->not_before = sqlite3_column_int64(s, 3);
        d->drift = sqlite3_column_int64(s, 4);
        m->users[u].n_mfa++;
        m->n_mfa++;
        if (oom) {
            r = st_fail(st, -ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

int cm_load_passwd(struct iam_store *st, struct cmodel *m) {
    struct iam_store_account acct;
    int r;

    memset(m, 0, sizeof(*m));
    m->arena = IAM_ARENA_INIT(CM_ARENA_CHUNK);
    if ((r = iam_store_get_account(st, &acct)) < 0)
        return r;
    m->serial = acct.serial;
    if ((r = load_identities(st, m)) < 0 || (r = load_policies(st, m)) < 0 ||
        (r = build_maps(st, m)) < 0 || (r = load_memberships(st, m)) < 0) {
        cm_free(m);
        return r;
    }
    return 0;
}

int cm_load_rest(struct iam_store *st, struct cmodel *m) {
    int r;

    if ((r = load_login_profiles(st, m)) < 0 || (r = load_keys(st, m)) < 0 ||
        (r = load_ssh_keys(st, m)) < 0 || (r = load_tags(st, m)) < 0 ||
        (r = load_policy_lists(st, m)) < 0 || (r = load_mfa(st, m)) < 0)
        return r;
    return 0;
}

int cm_load(struct iam_store *st, struct cmodel *m) {
    int r;

    if ((r = cm_load_passwd(st, m)) < 0)
        return r;
    if ((r = cm_load_rest(st, m)) < 0) {
        cm_free(m);
        return r;
    }
    return 0;
}
