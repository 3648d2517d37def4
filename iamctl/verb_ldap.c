/* SPDX-License-Identifier: Apache-2.0 */
/* import-ldap: users and groups of an LDAP directory or Active Directory into the store.
 *
 * The directory is read whole before the store is locked (ldap_dir.c); then, in one
 * transaction, every entry is matched to what an earlier import of the same directory made
 * (by entryUUID or objectGUID, else by DN, else by name, so renamed and moved entries keep
 * their identity), written only when its digest changed (a second run writes nothing and the
 * Serial stays), and with --delete-missing what this directory made earlier and no longer
 * has is removed. Nothing of another source (created here, imported from AWS, another
 * directory) is changed or removed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/host_ids.h"
#include "iam/ldap.h"
#include "iam/secret.h"
#include "ldap_dir.h"
#include "verb_common.h"

#define TAG_DN "ldap:dn"
#define TAG_UUID "ldap:uuid"
#define TAG_DISABLED "ldap:disabled"
#define DISABLED_POLICY "DirectoryAccountDisabled"
#define DISABLED_DOCUMENT                                                                          \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DirectoryAccountDisabled\","           \
    "\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"
#define MAX_PASSWORD 4096

static int oom(void) {
    return iamctl_fail("out of memory");
}

/* ---- what earlier imports of this directory made ------------------------------------------------ */

struct existing {
    int64_t id;
    char *name, *ndn, *uuid, *dn;
    bool has_digest, matched, disabled;
    uint8_t digest[16];
};

struct exkey {
    const char *s;
    size_t i;
};

struct exset {
    struct existing *v;
    size_t n, cap;
    struct exkey *by_uuid, *by_dn, *by_name;
    size_t n_uuid, n_dn;
};

struct imp {
    struct sth *h;
    struct ldir *d;
    char *source;
    const char *path;
    bool dry_run;
    struct exset users, groups;
    int64_t *group_rowid; /* per directory group; 0: not imported (a private group) */
    bool *group_new;      /* inserted by this run */
    struct existing **user_match; /* per directory user: what an earlier run made, or NULL */
    json_t *changes;
    size_t new_users, updated_users, new_groups, updated_groups, deleted_users, deleted_groups;
    uint32_t max_id;
};

static int store_fail(struct imp *a, int r) {
    return sth_fail(a->h, r);
}

static void exset_free(struct exset *e) {
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].name);
        free(e->v[i].ndn);
        free(e->v[i].uuid);
        free(e->v[i].dn);
    }
    free(e->v);
    free(e->by_uuid);
    free(e->by_dn);
    free(e->by_name);
}

struct load_ctx {
    struct imp *a;
    struct exset *e;
    int r;
};

static int load_one(void *ctx, const struct iam_store_identity *ident) {
    struct load_ctx *c = ctx;
    struct existing *x;

    if (strcmp(ident->source, c->a->source) != 0)
        return 0;
    if (c->e->n == c->e->cap) {
        size_t nc = c->e->cap ? c->e->cap * 2 : 256;
        struct existing *nv = realloc(c->e->v, nc * sizeof(*nv));
        if (!nv)
            return -ENOMEM;
        c->e->v = nv;
        c->e->cap = nc;
    }
    x = &c->e->v[c->e->n];
    *x = (struct existing){.id = ident->id, .has_digest = ident->has_digest};
    memcpy(x->digest, ident->digest, sizeof(x->digest));
    if (!(x->name = strdup(ident->name)))
        return -ENOMEM;
    c->e->n++;
    return 0;
}

static int cmp_exkey(const void *x, const void *y) {
    return strcmp(((const struct exkey *)x)->s, ((const struct exkey *)y)->s);
}

static int cmp_exkey_case(const void *x, const void *y) {
    return strcasecmp(((const struct exkey *)x)->s, ((const struct exkey *)y)->s);
}

/* The DN and UUID tags of each identity an earlier run made. */
static int load_tags(struct imp *a, struct exset *e) {
    for (size_t i = 0; i < e->n; i++) {
        struct iam_store_mark mark = iam_store_mark(a->h->st);
        struct iam_store_identity who = {.id = e->v[i].id};
        struct iam_store_tag *t;
        size_t n;
        int r;

        if ((r = iam_store_tags(a->h->st, &who, &t, &n)) < 0)
            return store_fail(a, r);
        for (size_t k = 0; k < n; k++) {
            if (strcmp(t[k].key, TAG_DN) == 0 && !e->v[i].ndn &&
                (!(e->v[i].ndn = ldir_normalise_dn(t[k].value)) ||
                 !(e->v[i].dn = strdup(t[k].value))))
                return oom();
            if (strcmp(t[k].key, TAG_DISABLED) == 0)
                e->v[i].disabled = true;
            if (strcmp(t[k].key, TAG_UUID) == 0 && !e->v[i].uuid &&
                !(e->v[i].uuid = strdup(t[k].value)))
                return oom();
        }
        iam_store_release(a->h->st, mark);
    }
    return 0;
}

static int index_existing(struct exset *e) {
    e->by_uuid = calloc(e->n + 1, sizeof(*e->by_uuid));
    e->by_dn = calloc(e->n + 1, sizeof(*e->by_dn));
    e->by_name = calloc(e->n + 1, sizeof(*e->by_name));
    if (!e->by_uuid || !e->by_dn || !e->by_name)
        return oom();
    for (size_t i = 0; i < e->n; i++) {
        if (e->v[i].uuid)
            e->by_uuid[e->n_uuid++] = (struct exkey){e->v[i].uuid, i};
        if (e->v[i].ndn)
            e->by_dn[e->n_dn++] = (struct exkey){e->v[i].ndn, i};
        e->by_name[i] = (struct exkey){e->v[i].name, i};
    }
    qsort(e->by_uuid, e->n_uuid, sizeof(struct exkey), cmp_exkey);
    qsort(e->by_dn, e->n_dn, sizeof(struct exkey), cmp_exkey);
    qsort(e->by_name, e->n, sizeof(struct exkey), cmp_exkey_case);
    return 0;
}

static int load_existing(struct imp *a, enum iam_store_kind kind, struct exset *e) {
    struct load_ctx c = {.a = a, .e = e};
    int r = iam_store_identity_list(a->h->st, kind, NULL, 0, 0, load_one, &c, NULL);

    if (r == -ENOMEM)
        return oom();
    if (r < 0)
        return store_fail(a, r);
    if ((r = load_tags(a, e)))
        return r;
    return index_existing(e);
}

/* The identity an earlier run made for this entry: by UUID, else DN, else name; once only. */
static struct existing *match(struct exset *e, const char *uuid, const char *ndn,
                              const char *name) {
    struct exkey k = {0}, *f = NULL;

    if (uuid) {
        k.s = uuid;
        f = bsearch(&k, e->by_uuid, e->n_uuid, sizeof(k), cmp_exkey);
    }
    if ((!f || e->v[f->i].matched) && ndn) {
        k.s = ndn;
        f = bsearch(&k, e->by_dn, e->n_dn, sizeof(k), cmp_exkey);
        /* an entry with another UUID at this DN is a new entry (deleted and re-created) */
        if (f && uuid && e->v[f->i].uuid && strcmp(e->v[f->i].uuid, uuid) != 0)
            f = NULL;
    }
    if (!f || e->v[f->i].matched) {
        k.s = name;
        f = bsearch(&k, e->by_name, e->n, sizeof(k), cmp_exkey_case);
        if (f && uuid && e->v[f->i].uuid && strcmp(e->v[f->i].uuid, uuid) != 0)
            f = NULL;
    }
    if (!f || e->v[f->i].matched)
        return NULL;
    e->v[f->i].matched = true;
    return &e->v[f->i];
}

/* ---- checks ------------------------------------------------------------------------------------ */

/* A uid or gid the directory gives: in the range, no local account's, no other identity's. */
static int check_id(struct imp *a, const char *dn, const char *attr, uint32_t id, int64_t self) {
    const struct iam_config *c = a->h->config;
    const struct iam_local_accounts *local = local_accounts();
    struct iam_store_identity other;
    const char *name;
    int r;

    if (!local)
        return IAMCTL_EXIT_FAIL;
    if (id < c->uid_min || id > c->uid_max || id == 65534 || id == 65535)
        return iamctl_fail("%s: %s %u is outside uid_min..uid_max (%u..%u) of %s; set the range "
                           "to cover the directory's ids; nothing was changed",
                           dn, attr, id, c->uid_min, c->uid_max, arg_config);
    if ((name = iam_local_user_by_uid(local, id)))
        return iamctl_fail("%s: %s %u is the uid of the local user %s (%s); nothing was changed",
                           dn, attr, id, name, iam_local_passwd_path());
    if ((name = iam_local_group_by_gid(local, id)))
        return iamctl_fail("%s: %s %u is the gid of the local group %s (%s); nothing was changed",
                           dn, attr, id, name, iam_local_group_path());
    if (iam_local_id_used(local, id))
        return iamctl_fail("%s: %s %u is a local account's primary gid (%s); nothing was changed",
                           dn, attr, id, iam_local_passwd_path());
    /* the cheap question first: most ids are free */
    r = iam_store_posix_id_taken(a->h->st, id);
    if (r == 1)
        r = iam_store_identity_get_by_posix(a->h->st, id, &other);
    else if (r == 0)
        r = -ENOENT;
    if (r == 0 && other.id != self)
        return iamctl_fail("%s: %s %u is already the id of IAM %s %s (source %s); nothing was "
                           "changed",
                           dn, attr, id, kind_word(other.kind), other.name, other.source);
    if (r < 0 && r != -ENOENT)
        return store_fail(a, r);
    if (id > a->max_id)
        a->max_id = id;
    return 0;
}

/* A name new to this identity: no other IAM identity's (of this kind, or the group a user's
 * private group would be), no local account's, no privileged group name. */
static int check_name(struct imp *a, enum iam_store_kind kind, const char *dn, const char *name,
                      int64_t self) {
    const struct iam_config *c = a->h->config;
    struct iam_store_identity other;
    const char *why = kind == IAM_STORE_USER ? iam_db_check_user_name(name)
                                             : iam_db_check_group_name(name);
    bool user = kind == IAM_STORE_USER;
    int r;

    if (why)
        return iamctl_fail("%s: %s name \"%.64s\" %s; nothing was changed", dn, kind_word(kind),
                           name, why);
    for (int k = 0; k < 2; k++) {
        enum iam_store_kind other_kind = k == 0 ? kind : user ? IAM_STORE_GROUP : IAM_STORE_USER;
        if (k == 1 && !c->private_groups)
            break;
        r = iam_store_identity_get(a->h->st, other_kind, name, &other);
        if (r == 0 && other.id != self)
            return iamctl_fail("%s: the name \"%s\" is IAM %s %s's (source %s); nothing was "
                               "changed",
                               dn, name, kind_word(other.kind), other.name, other.source);
        if (r < 0 && r != -ENOENT)
            return store_fail(a, r);
    }
    if ((user && (r = check_local_user_name(name))) ||
        (!user && (r = check_local_group_name(name))))
        return r;
    if (user && c->private_groups)
        return check_group_name_allowed(c, "the private group of user", name);
    return user ? 0 : check_group_name_allowed(c, "group", name);
}

/* ---- digests -------------------------------------------------------------------------------------- */

static void dg_str(crypto_generichash_state *s, const char *v) {
    uint32_t n = v ? (uint32_t)strlen(v) + 1 : 0;

    crypto_generichash_update(s, (const unsigned char *)&n, sizeof(n));
    if (n > 1)
        crypto_generichash_update(s, (const unsigned char *)v, n - 1);
}

static void dg_u32(crypto_generichash_state *s, uint32_t v) {
    crypto_generichash_update(s, (const unsigned char *)&v, sizeof(v));
}

static void digest_group(const struct imp *a, const struct ldir_group *g, uint8_t out[16]) {
    crypto_generichash_state s;

    crypto_generichash_init(&s, NULL, 0, 16);
    dg_str(&s, "ldap-group-1");
    dg_str(&s, g->name);
    dg_u32(&s, g->has_gid ? g->gid : 0);
    dg_str(&s, a->path);
    dg_str(&s, g->dn);
    dg_str(&s, g->uuid);
    crypto_generichash_final(&s, out, 16);
}

static void digest_user(const struct imp *a, const struct ldir_user *u, uint8_t out[16]) {
    crypto_generichash_state s;

    crypto_generichash_init(&s, NULL, 0, 16);
    dg_str(&s, "ldap-user-1");
    dg_str(&s, u->name);
    dg_u32(&s, u->has_uid ? u->uid : 0);
    dg_u32(&s, u->has_gid ? u->gid : 0);
    dg_str(&s, u->gecos);
    dg_str(&s, u->home);
    dg_str(&s, u->shell);
    dg_str(&s, a->path);
    dg_str(&s, u->dn);
    dg_str(&s, u->uuid);
    dg_u32(&s, u->disabled);
    dg_u32(&s, (uint32_t)u->n_keys);
    for (size_t i = 0; i < u->n_keys; i++)
        dg_str(&s, u->disabled ? NULL : u->keys[i]);
    dg_u32(&s, (uint32_t)u->n_groups);
    for (size_t i = 0; i < u->n_groups; i++)
        dg_str(&s, a->d->groups[u->groups[i]].name);
    crypto_generichash_final(&s, out, 16);
}

/* ---- in sync without a digest -----------------------------------------------------------------
 * A change made on this host (a policy put on a directory group, a tag) clears the digest an
 * import recorded; the next import then compares what it would write with what is there, and
 * when they agree records the digest again without writing anything else (the Serial stays). */

static bool same_str(const char *x, const char *y) {
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

static bool group_in_sync(const struct imp *a, const struct existing *x,
                          const struct iam_store_identity *cur, const struct ldir_group *g,
                          uint32_t gid) {
    return strcmp(cur->name, g->name) == 0 && cur->posix_id == gid &&
           strcmp(cur->path, a->path) == 0 && strcmp(cur->source, a->source) == 0 &&
           same_str(x->dn, g->dn) && same_str(x->uuid, g->uuid) && !x->disabled;
}

/* "type base64" stored, "type base64 [comment]" in the directory */
static bool key_matches(const char *dir, const char *stored) {
    size_t n = strlen(stored);

    while (*dir == ' ' || *dir == '\t')
        dir++;
    return strncmp(dir, stored, n) == 0 && (dir[n] == '\0' || dir[n] == ' ' || dir[n] == '\n' ||
                                            dir[n] == '\r' || dir[n] == '\t');
}

static int cmp_i64(const void *x, const void *y) {
    int64_t p = *(const int64_t *)x, q = *(const int64_t *)y;
    return p < q ? -1 : p > q;
}

/* Whether the user's keys, memberships in this directory's groups and the disabled account's
 * policy are the directory's (a store error counts as "no": the user is then written again). */
static bool children_in_sync(struct imp *a, const struct iam_store_identity *cur,
                             const struct ldir_user *u) {
    struct iam_store_ssh_key *keys;
    struct iam_store_identity *groups;
    struct iam_store_inline *pols;
    size_t n_keys, n_groups, n_pols, n_want = 0, n_have = 0;
    int64_t *want = NULL, *have = NULL;
    bool ok = false, dis = false;

    if (iam_store_ssh_keys(a->h->st, cur, &keys, &n_keys) < 0 ||
        iam_store_user_groups(a->h->st, cur, &groups, &n_groups) < 0 ||
        iam_store_inline_list(a->h->st, cur, &pols, &n_pols) < 0)
        return false;
    for (size_t i = 0; i < n_pols; i++)
        dis = dis || strcmp(pols[i].name, DISABLED_POLICY) == 0;
    if (dis != u->disabled || n_keys != (u->disabled ? 0 : u->n_keys))
        return false;
    for (size_t k = 0; k < n_keys; k++) {
        bool found = false;
        for (size_t i = 0; !found && i < u->n_keys; i++)
            found = key_matches(u->keys[i], keys[k].body);
        if (!found || !keys[k].active)
            return false;
    }
    want = calloc(u->n_groups + 1, sizeof(*want));
    have = calloc(n_groups + 1, sizeof(*have));
    if (!want || !have)
        goto out;
    for (size_t i = 0; i < u->n_groups; i++)
        if (a->group_rowid[u->groups[i]])
            want[n_want++] = a->group_rowid[u->groups[i]];
    for (size_t i = 0; i < n_groups; i++)
        if (strcmp(groups[i].source, a->source) == 0)
            have[n_have++] = groups[i].id;
    qsort(want, n_want, sizeof(*want), cmp_i64);
    qsort(have, n_have, sizeof(*have), cmp_i64);
    ok = n_want == n_have && memcmp(want, have, n_want * sizeof(*want)) == 0;
out:
    free(want);
    free(have);
    return ok;
}

static bool user_in_sync(struct imp *a, const struct existing *x,
                         const struct iam_store_identity *cur, const struct ldir_user *u,
                         const struct iam_store_identity *in) {
    return strcmp(cur->name, u->name) == 0 && cur->posix_id == in->posix_id &&
           cur->gid == in->gid && same_str(cur->home, u->home) && same_str(cur->shell, u->shell) &&
           same_str(cur->gecos, u->gecos) && strcmp(cur->path, a->path) == 0 &&
           strcmp(cur->source, a->source) == 0 && same_str(x->dn, u->dn) &&
           same_str(x->uuid, u->uuid) && x->disabled == u->disabled &&
           children_in_sync(a, cur, u);
}

/* ---- writes ---------------------------------------------------------------------------------------- */

static int note(struct imp *a, const char *action, const char *name, const char *dn) {
    if (!a->dry_run)
        return 0;
    if (json_array_append_new(a->changes, json_pack("{s:s,s:s,s:s}", "Action", action, "Name",
                                                    name, "DN", dn)) < 0)
        return oom();
    return 0;
}

/* The tags that tie an identity to its entry; created: made in this run (nothing to remove). */
static int set_dir_tags(struct imp *a, const struct iam_store_identity *who, const char *dn,
                        const char *uuid, bool disabled, bool created) {
    int r;

    if ((r = iam_store_tag_set(a->h->st, who, TAG_DN, dn)) < 0 ||
        (r = uuid       ? iam_store_tag_set(a->h->st, who, TAG_UUID, uuid)
             : !created ? iam_store_tag_remove(a->h->st, who, TAG_UUID)
                        : 0) < 0 ||
        (r = disabled   ? iam_store_tag_set(a->h->st, who, TAG_DISABLED, "true")
             : !created ? iam_store_tag_remove(a->h->st, who, TAG_DISABLED)
                        : 0) < 0)
        return store_fail(a, r);
    return 0;
}

static int put_group(struct imp *a, size_t gi) {
    const struct ldir_group *g = &a->d->groups[gi];
    struct existing *x = match(&a->groups, g->uuid, g->ndn, g->name);
    struct iam_store_identity cur = {0},
                              in = {.kind = IAM_STORE_GROUP, .name = g->name, .path = a->path,
                                    .source = a->source, .has_posix = true, .has_digest = true};
    char uid[22], date[32], *arn = sth_arn(a->h, "group", a->path, g->name);
    int r;

    if (!arn)
        return oom();
    in.arn = arn;
    digest_group(a, g, in.digest);
    if (x) {
        a->group_rowid[gi] = x->id;
        if (x->has_digest && memcmp(x->digest, in.digest, 16) == 0) {
            r = 0;
            goto out;
        }
        if ((r = iam_store_identity_get_by_id(a->h->st, x->id, &cur)) < 0) {
            r = store_fail(a, r);
            goto out;
        }
        in.posix_id = g->has_gid ? g->gid : cur.posix_id;
        if (group_in_sync(a, x, &cur, g, in.posix_id)) {
            if ((r = iam_store_identity_set_digest(a->h->st, &cur, in.digest)) < 0)
                r = store_fail(a, r);
            goto out;
        }
        if ((strcasecmp(cur.name, g->name) != 0 &&
             (r = check_name(a, IAM_STORE_GROUP, g->dn, g->name, cur.id))) ||
            (g->has_gid && g->gid != cur.posix_id &&
             (r = check_id(a, g->dn, "gidNumber", g->gid, cur.id))))
            goto out;
        if ((r = iam_store_identity_update_posix(a->h->st, &cur, &in, a->source, in.digest)) < 0) {
            r = store_fail(a, r);
            goto out;
        }
        a->updated_groups++;
        r = note(a, "UpdateGroup", g->name, g->dn);
    } else {
        if ((r = check_name(a, IAM_STORE_GROUP, g->dn, g->name, 0)) ||
            (g->has_gid && (r = check_id(a, g->dn, "gidNumber", g->gid, 0))) ||
            (!g->has_gid && (r = alloc_id(a->h, &in.posix_id))))
            goto out;
        if (g->has_gid)
            in.posix_id = g->gid;
        make_unique_id("AGPA", uid);
        now_iso(date);
        in.unique_id = uid;
        in.create_date = date;
        if ((r = iam_store_identity_insert(a->h->st, &in, &cur.id)) < 0) {
            r = store_fail(a, r);
            goto out;
        }
        cur.kind = IAM_STORE_GROUP;
        cur.name = g->name;
        a->group_rowid[gi] = cur.id;
        a->group_new[gi] = true;
        a->new_groups++;
        r = note(a, "CreateGroup", g->name, g->dn);
    }
    if (r == 0)
        r = set_dir_tags(a, &cur, g->dn, g->uuid, false, x == NULL);
out:
    free(arn);
    return r;
}

/* The user's SSH public keys made equal to the directory's (a disabled account has none). */
static int put_keys(struct imp *a, const struct iam_store_identity *who,
                    const struct ldir_user *u) {
    struct iam_store_ssh_key *have;
    size_t n_have;
    char **bodies = calloc(u->n_keys + 1, sizeof(*bodies));
    char (*fps)[64] = calloc(u->n_keys + 1, sizeof(*fps));
    int r = 0;

    if (!bodies || !fps) {
        r = oom();
        goto out;
    }
    for (size_t i = 0; !u->disabled && i < u->n_keys; i++)
        if (ssh_key_parse(u->keys[i], &bodies[i], fps[i]))
            ldir_warn(a->d, "%s: an sshPublicKey value is not an OpenSSH public key, skipped",
                      u->dn);
    if ((r = iam_store_ssh_keys(a->h->st, who, &have, &n_have)) < 0) {
        r = store_fail(a, r);
        goto out;
    }
    for (size_t k = 0; k < n_have; k++) { /* keep the keys the directory still has */
        bool keep = false;
        for (size_t i = 0; i < u->n_keys; i++)
            if (bodies[i] && strcmp(bodies[i], have[k].body) == 0) {
                keep = true;
                IAM_FREE(bodies[i]);
            }
        if (!keep && (r = iam_store_ssh_key_delete(a->h->st, who, have[k].id)) < 0) {
            r = store_fail(a, r);
            goto out;
        }
    }
    for (size_t i = 0; i < u->n_keys; i++) {
        char id[22], date[32];
        struct iam_store_ssh_key key = {
            .ssh_key_id = id, .body = bodies[i], .fingerprint = fps[i], .active = true,
            .upload_date = date};
        if (!bodies[i])
            continue;
        make_unique_id("APKA", id);
        now_iso(date);
        if ((r = iam_store_ssh_key_insert(a->h->st, who, &key)) < 0) {
            r = store_fail(a, r);
            goto out;
        }
    }
out:
    for (size_t i = 0; bodies && i < u->n_keys; i++)
        free(bodies[i]);
    free(bodies);
    free(fps);
    return r;
}

/* Memberships in this directory's groups made equal to the directory's (those in groups of
 * other sources stay); a disabled account gets an explicit deny of everything. */
static int put_user_children(struct imp *a, const struct iam_store_identity *who,
                             const struct ldir_user *u, bool created) {
    int r;

    /* a user made in this run has nothing to clear */
    if (!created && (r = iam_store_memberships_clear(a->h->st, who, a->source)) < 0)
        return store_fail(a, r);
    for (size_t i = 0; i < u->n_groups; i++) {
        struct iam_store_identity grp = {.id = a->group_rowid[u->groups[i]],
                                         .kind = IAM_STORE_GROUP};
        if (grp.id && (r = iam_store_membership_add(a->h->st, who, &grp)) < 0 && r != -EEXIST)
            return store_fail(a, r);
    }
    r = u->disabled  ? iam_store_inline_put(a->h->st, who, DISABLED_POLICY, DISABLED_DOCUMENT)
        : !created ? iam_store_inline_delete(a->h->st, who, DISABLED_POLICY)
                   : 0;
    if (r < 0 && r != -ENOENT)
        return store_fail(a, r);
    if ((r = set_dir_tags(a, who, u->dn, u->uuid, u->disabled, created)))
        return r;
    return created && u->n_keys == 0 ? 0 : put_keys(a, who, u);
}

static bool groups_new(const struct imp *a, const struct ldir_user *u) {
    for (size_t i = 0; i < u->n_groups; i++)
        if (a->group_new[u->groups[i]])
            return true;
    return false;
}

static int put_user(struct imp *a, size_t ui) {
    const struct ldir_user *u = &a->d->users[ui];
    const struct iam_config *c = a->h->config;
    struct existing *x = a->user_match[ui];
    struct iam_store_identity cur = {0},
                              in = {.kind = IAM_STORE_USER, .name = u->name, .path = a->path,
                                    .source = a->source, .has_posix = true, .has_digest = true,
                                    .home = u->home, .shell = u->shell, .gecos = u->gecos};
    char uid[22], date[32], *arn = sth_arn(a->h, "user", a->path, u->name);
    int r;

    if (!arn)
        return oom();
    in.arn = arn;
    digest_user(a, u, in.digest);
    if (x) {
        if (x->has_digest && memcmp(x->digest, in.digest, 16) == 0 && !groups_new(a, u)) {
            r = 0;
            goto out;
        }
        if ((r = iam_store_identity_get_by_id(a->h->st, x->id, &cur)) < 0) {
            r = store_fail(a, r);
            goto out;
        }
        in.posix_id = u->has_uid ? u->uid : cur.posix_id;
        if ((strcasecmp(cur.name, u->name) != 0 &&
             (r = check_name(a, IAM_STORE_USER, u->dn, u->name, cur.id))) ||
            (u->has_uid && u->uid != cur.posix_id &&
             (r = check_id(a, u->dn, "uidNumber", u->uid, cur.id))))
            goto out;
    } else {
        if ((r = check_name(a, IAM_STORE_USER, u->dn, u->name, 0)) ||
            (u->has_uid && (r = check_id(a, u->dn, "uidNumber", u->uid, 0))) ||
            (!u->has_uid && (r = alloc_id(a->h, &in.posix_id))))
            goto out;
        if (u->has_uid)
            in.posix_id = u->uid;
    }
    in.gid = u->has_gid ? u->gid : c->private_groups ? in.posix_id : c->default_gid;
    if (x && user_in_sync(a, x, &cur, u, &in)) {
        if ((r = iam_store_identity_set_digest(a->h->st, &cur, in.digest)) < 0)
            r = store_fail(a, r);
        goto out;
    }
    if (x) {
        if ((r = iam_store_identity_update_posix(a->h->st, &cur, &in, a->source, in.digest)) < 0)
            r = store_fail(a, r);
        a->updated_users++;
        r = r ? r : note(a, "UpdateUser", u->name, u->dn);
    } else {
        make_unique_id("AIDA", uid);
        now_iso(date);
        in.unique_id = uid;
        in.create_date = date;
        if ((r = iam_store_identity_insert(a->h->st, &in, &cur.id)) < 0)
            r = store_fail(a, r);
        cur.kind = IAM_STORE_USER;
        cur.name = u->name;
        a->new_users++;
        r = r ? r : note(a, "CreateUser", u->name, u->dn);
    }
    if (r == 0)
        r = put_user_children(a, &cur, u, x == NULL);
out:
    free(arn);
    return r;
}

static int delete_missing(struct imp *a, struct exset *e, size_t *count) {
    for (size_t i = 0; i < e->n; i++) {
        struct iam_store_identity who;
        int r;

        if (e->v[i].matched)
            continue;
        if ((r = iam_store_identity_get_by_id(a->h->st, e->v[i].id, &who)) < 0 ||
            (r = iam_store_identity_delete(a->h->st, &who)) < 0)
            return store_fail(a, r);
        (*count)++;
        if ((r = note(a, who.kind == IAM_STORE_USER ? "DeleteUser" : "DeleteGroup", who.name,
                      e->v[i].ndn ? e->v[i].ndn : "")))
            return r;
    }
    return 0;
}

static void progress(const struct imp *a, const char *what, size_t done, size_t total) {
    if (a->d->progress && (done % 1000 == 0 || done == total))
        fprintf(stderr, "\riamctl: %s: %zu/%zu%s", what, done, total, done == total ? "\n" : "");
}

static int apply(struct imp *a, bool delete) {
    int r;

    a->group_rowid = calloc(a->d->n_groups + 1, sizeof(*a->group_rowid));
    a->group_new = calloc(a->d->n_groups + 1, sizeof(*a->group_new));
    a->user_match = calloc(a->d->n_users + 1, sizeof(struct existing *));
    if (!a->group_rowid || !a->group_new || !a->user_match)
        return oom();
    if ((r = load_existing(a, IAM_STORE_USER, &a->users)) ||
        (r = load_existing(a, IAM_STORE_GROUP, &a->groups)))
        return r;
    for (size_t gi = 0; gi < a->d->n_groups; gi++) {
        if (a->d->groups[gi].private_of < 0 && (r = put_group(a, gi)))
            return r;
        progress(a, "groups", gi + 1, a->d->n_groups);
    }
    /* users deleted from the directory go before new ones, which may take their names */
    for (size_t ui = 0; ui < a->d->n_users; ui++) {
        const struct ldir_user *u = &a->d->users[ui];
        a->user_match[ui] = match(&a->users, u->uuid, u->ndn, u->name);
    }
    if (delete && (r = delete_missing(a, &a->users, &a->deleted_users)))
        return r;
    for (size_t ui = 0; ui < a->d->n_users; ui++) {
        struct iam_store_mark mark = iam_store_mark(a->h->st);
        if ((r = put_user(a, ui)))
            return r;
        iam_store_release(a->h->st, mark);
        progress(a, "users", ui + 1, a->d->n_users);
    }
    if (delete && (r = delete_missing(a, &a->groups, &a->deleted_groups)))
        return r;
    /* ids the directory gave are never handed out by this host: allocation starts above them */
    if (a->max_id >= a->h->account.next_id && a->max_id < a->h->config->uid_max) {
        if ((r = iam_store_set_next_id(a->h->st, a->max_id + 1)) < 0)
            return store_fail(a, r);
        a->h->account.next_id = a->max_id + 1;
    }
    return 0;
}

/* ---- the verb ----------------------------------------------------------------------------------- */

/* --bind-password-file: a regular file of root (or the caller), not readable by others; one
 * line, the trailing newline dropped. */
static int read_password(const char *path, char **ret, size_t *ret_len) {
    struct stat st;
    char *buf = NULL;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), r = IAMCTL_EXIT_FAIL;

    if (fd < 0)
        return iamctl_fail("--bind-password-file %s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 0027) ||
        st.st_size > MAX_PASSWORD) {
        r = iamctl_fail("--bind-password-file %s: must be a regular file of root or yours, at "
                        "most %d bytes, not writable by its group nor readable by others "
                        "(chmod 600)",
                        path, MAX_PASSWORD);
        goto out;
    }
    if (!(buf = calloc(1, MAX_PASSWORD + 1))) {
        r = oom();
        goto out;
    }
    n = read(fd, buf, MAX_PASSWORD);
    if (n < 0) {
        r = iamctl_fail("--bind-password-file %s: %s", path, strerror(errno));
        goto out;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    if (n == 0 || memchr(buf, '\0', (size_t)n) || memchr(buf, '\n', (size_t)n)) {
        r = iamctl_fail("--bind-password-file %s: one line, the password", path);
        goto out;
    }
    *ret = buf;
    *ret_len = (size_t)n;
    buf = NULL;
    r = 0;
out:
    if (buf)
        iam_secret_free(buf, MAX_PASSWORD + 1);
    close(fd);
    return r;
}

static int parse_uint(const char *opt, const char *v, unsigned min, unsigned max, unsigned *ret) {
    char *end;
    long long x;

    if (!v)
        return 0;
    errno = 0;
    x = strtoll(v, &end, 10);
    if (errno || *end || end == v || x < min || x > max)
        return iamctl_usage("%s: a whole number from %u to %u", opt, min, max);
    *ret = (unsigned)x;
    return 0;
}

static int connection(struct opt *opts, struct ldir_fetch *f, char **pw, size_t *pw_len) {
    const char *dn = opt_value(opts, "bind-dn"), *pwf = opt_value(opts, "bind-password-file");
    unsigned timeout = 10;
    int r;

    f->conn.uri = opt_value(opts, "uri");
    f->conn.ca_file = opt_value(opts, "ca-file");
    f->conn.starttls = !opt_get(opts, "no-starttls")->set;
    f->base_dn = opt_value(opts, "base-dn");
    f->user_filter = opt_value(opts, "user-filter");
    f->group_filter = opt_value(opts, "group-filter");
    if ((r = parse_uint("--timeout", opt_value(opts, "timeout"), 1, 600, &timeout)) ||
        (r = parse_uint("--page-size", opt_value(opts, "page-size"), 1, 100000, &f->page_size)))
        return r;
    f->conn.timeout_ms = timeout * 1000;
    if (opt_get(opts, "sasl-external")->set) {
        if (dn || pwf)
            return iamctl_usage("--sasl-external binds as this process: no --bind-dn");
        f->conn.bind = IAM_LDAP_BIND_SASL_EXTERNAL;
        return 0;
    }
    if (!dn != !pwf)
        return iamctl_usage("--bind-dn and --bind-password-file go together");
    if (!dn) {
        f->conn.bind = IAM_LDAP_BIND_ANONYMOUS;
        return 0;
    }
    f->conn.bind = IAM_LDAP_BIND_SIMPLE;
    f->conn.bind_dn = dn;
    if ((r = read_password(pwf, pw, pw_len)))
        return r;
    f->conn.password = *pw;
    f->conn.password_len = *pw_len;
    return 0;
}

/* "ldap:" and the base DN, normalised: what identities from this directory carry. */
static int make_source(const char *base_dn, char **ret) {
    char *n = ldir_normalise_dn(base_dn);
    int r = n ? asprintf(ret, "%s%s", IAM_STORE_SOURCE_LDAP_PREFIX, n) : -1;

    free(n);
    return r < 0 ? oom() : 0;
}

static json_t *summary(const struct imp *a, const struct ldir *d, bool delete) {
    json_t *out = json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I}}", "ImportedFromDirectory",
                            "Users", (json_int_t)d->n_users, "NewUsers",
                            (json_int_t)a->new_users, "UpdatedUsers",
                            (json_int_t)a->updated_users, "Groups", (json_int_t)d->n_groups,
                            "NewGroups", (json_int_t)a->new_groups, "UpdatedGroups",
                            (json_int_t)a->updated_groups, "Warnings", (json_int_t)d->warnings);

    if (out && delete)
        json_object_set_new(out, "Deleted",
                            json_pack("{s:I,s:I}", "Users", (json_int_t)a->deleted_users,
                                      "Groups", (json_int_t)a->deleted_groups));
    if (out && a->dry_run) {
        json_object_set_new(out, "DryRun", json_true());
        json_object_set(out, "Changes", a->changes);
    } else if (out) {
        json_object_set_new(out, "Serial", json_integer((json_int_t)a->h->account.serial));
    }
    return out;
}

int verb_import_ldap(int argc, char *argv[]) {
    struct opt opts[] = {{"uri", OPT_VALUE, true},
                         {"base-dn", OPT_VALUE, true},
                         {"schema", OPT_VALUE, true},
                         {"bind-dn", OPT_VALUE},
                         {"bind-password-file", OPT_VALUE},
                         {"sasl-external", OPT_FLAG},
                         {"ca-file", OPT_VALUE},
                         {"no-starttls", OPT_FLAG},
                         {"user-filter", OPT_VALUE},
                         {"group-filter", OPT_VALUE},
                         {"user-path", OPT_VALUE},
                         {"timeout", OPT_VALUE},
                         {"page-size", OPT_VALUE},
                         {"delete-missing", OPT_FLAG},
                         {"dry-run", OPT_FLAG},
                         {NULL}};
    struct sth h = STH_INIT;
    struct ldir d = {.progress = isatty(STDERR_FILENO) != 0};
    struct ldir_fetch f = {0};
    struct imp a = {.h = &h, .d = &d};
    char *pw = NULL;
    size_t pw_len = 0;
    const char *why;
    bool delete;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = ldir_parse_schema(opt_value(opts, "schema"),
                                                                      &d.schema)))
        goto out;
    a.path = opt_value(opts, "user-path") ? opt_value(opts, "user-path") : "/";
    if ((why = iam_db_check_path(a.path))) {
        r = iamctl_usage("--user-path \"%.64s\" %s", a.path, why);
        goto out;
    }
    a.dry_run = opt_get(opts, "dry-run")->set;
    delete = opt_get(opts, "delete-missing")->set;
    if ((r = connection(opts, &f, &pw, &pw_len)) || (r = make_source(f.base_dn, &a.source)))
        goto out;
    if (!(a.changes = json_array())) {
        r = oom();
        goto out;
    }
    /* the directory is read whole before the store is locked, and nothing is written unless
     * every search ended in success */
    r = ldir_fetch(&d, &f);
    if (pw) {
        iam_secret_free(pw, MAX_PASSWORD + 1);
        pw = NULL;
    }
    if (r || (r = sth_open(&h, true)) || (r = ldir_resolve(&d, h.config->private_groups)) ||
        (r = apply(&a, delete)))
        goto out;
    if (!a.dry_run && (r = sth_commit(&h)))
        goto out;
    r = print_json(summary(&a, &d, delete));
out:
    if (pw)
        iam_secret_free(pw, MAX_PASSWORD + 1);
    json_decref(a.changes);
    exset_free(&a.users);
    exset_free(&a.groups);
    free(a.group_rowid);
    free(a.group_new);
    free(a.user_match);
    free(a.source);
    ldir_free(&d);
    opts_free(opts);
    return sth_close(&h, r);
}
