/* SPDX-License-Identifier: Apache-2.0 */
/* A validated model of an account into the store (apply.h): import and migration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "apply.h"
#include "iam/host_ids.h"
#include "iam/json.h"

/* ---- digests: what an export entry says, canonically ---------------------------------------- */

struct digest {
    crypto_generichash_state s;
};

static void dg_init(struct digest *d, char tag) {
    crypto_generichash_init(&d->s, NULL, 0, 16);
    crypto_generichash_update(&d->s, (const unsigned char *)&tag, 1);
}

/* Length-prefixed, so no two different sequences of strings hash alike; NULL differs from "". */
static void dg_str(struct digest *d, const char *s) {
    uint32_t n = s ? (uint32_t)strlen(s) + 1 : 0;

    crypto_generichash_update(&d->s, (const unsigned char *)&n, sizeof(n));
    if (n > 1)
        crypto_generichash_update(&d->s, (const unsigned char *)s, n - 1);
}

static void dg_u64(struct digest *d, uint64_t v) {
    crypto_generichash_update(&d->s, (const unsigned char *)&v, sizeof(v));
}

static void dg_final(struct digest *d, uint8_t out[16]) {
    crypto_generichash_final(&d->s, out, 16);
}

static void dg_tags(struct digest *d, const struct iam_db_tag *t, size_t n) {
    dg_u64(d, n);
    for (size_t i = 0; i < n; i++) {
        dg_str(d, t[i].key);
        dg_str(d, t[i].value);
    }
}

/* Documents count as their minified text: reformatting an export changes nothing. */
static int dg_doc(struct digest *d, const char *text) {
    char *min = text ? iam_store_minify_json(text, strlen(text), NULL) : NULL;

    if (text && !min)
        return -ENOMEM;
    dg_str(d, min);
    free(min);
    return 0;
}

static int dg_policies(struct digest *d, const struct iam_db_inline_policy *ip, size_t n_ip,
                       const struct iam_db_attached *att, size_t n_att) {
    dg_u64(d, n_ip);
    for (size_t i = 0; i < n_ip; i++) {
        dg_str(d, ip[i].name);
        if (dg_doc(d, ip[i].document) < 0)
            return -ENOMEM;
    }
    dg_u64(d, n_att);
    for (size_t i = 0; i < n_att; i++)
        dg_str(d, att[i].policy->arn);
    return 0;
}

static int digest_policy(const struct iam_db_managed_policy *p, uint8_t out[16]) {
    struct digest d;

    dg_init(&d, 'P');
    dg_str(&d, p->name);
    dg_str(&d, p->id);
    dg_str(&d, p->arn);
    dg_str(&d, p->path);
    dg_str(&d, p->description);
    dg_str(&d, p->create_date);
    dg_str(&d, p->update_date);
    dg_u64(&d, p->is_attachable);
    dg_u64(&d, p->n_versions);
    for (size_t i = 0; i < p->n_versions; i++) {
        dg_str(&d, p->versions[i].version_id);
        dg_str(&d, p->versions[i].create_date);
        dg_u64(&d, p->versions[i].is_default);
        if (dg_doc(&d, p->versions[i].document) < 0)
            return -ENOMEM;
    }
    dg_tags(&d, p->tags, p->n_tags);
    dg_final(&d, out);
    return 0;
}

static int digest_group(const struct iam_db_group *g, uint8_t out[16]) {
    struct digest d;

    dg_init(&d, 'G');
    dg_str(&d, g->name);
    dg_str(&d, g->id);
    dg_str(&d, g->arn);
    dg_str(&d, g->path);
    dg_str(&d, g->create_date);
    if (dg_policies(&d, g->inline_policies, g->n_inline, g->attached, g->n_attached) < 0)
        return -ENOMEM;
    dg_final(&d, out);
    return 0;
}

static int digest_user(const struct iam_db_user *u, uint8_t out[16]) {
    struct digest d;

    dg_init(&d, 'U');
    dg_str(&d, u->name);
    dg_str(&d, u->id);
    dg_str(&d, u->arn);
    dg_str(&d, u->path);
    dg_str(&d, u->create_date);
    dg_str(&d, u->boundary ? u->boundary->arn : NULL);
    dg_u64(&d, u->tags_listed);
    dg_tags(&d, u->tags, u->n_tags);
    dg_u64(&d, u->n_groups);
    for (size_t i = 0; i < u->n_groups; i++)
        dg_str(&d, u->groups[i]->name);
    if (dg_policies(&d, u->inline_policies, u->n_inline, u->attached, u->n_attached) < 0)
        return -ENOMEM;
    dg_final(&d, out);
    return 0;
}

static int digest_role(const struct iam_db_role *r, uint8_t out[16]) {
    struct digest d;

    dg_init(&d, 'R');
    dg_str(&d, r->name);
    dg_str(&d, r->id);
    dg_str(&d, r->arn);
    dg_str(&d, r->path);
    dg_str(&d, r->create_date);
    dg_str(&d, r->description);
    dg_u64(&d, r->max_session_duration);
    dg_str(&d, r->boundary ? r->boundary->arn : NULL);
    dg_u64(&d, r->tags_listed);
    dg_tags(&d, r->tags, r->n_tags);
    if (dg_doc(&d, r->trust_policy) < 0 || dg_doc(&d, r->instance_profiles) < 0 ||
        dg_doc(&d, r->last_used) < 0 ||
        dg_policies(&d, r->inline_policies, r->n_inline, r->attached, r->n_attached) < 0)
        return -ENOMEM;
    dg_final(&d, out);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------------------- */

static int store_err(struct apply *a, int r) {
    const struct iam_error *e = iam_store_error(a->st);

    if (r == -ENOMEM && !(e && e->set))
        return iamctl_fail("out of memory");
    if (e && e->set)
        return iamctl_fail("%s: %s", a->file, e->text);
    return iamctl_fail("%s: %s", a->file, strerror(-r));
}

static int oom(void) {
    return iamctl_fail("out of memory");
}

/* An export's document (URL-decoded already) as stored: its whitespace removed. */
static char *stored_doc(const char *text) {
    return text ? iam_store_minify_json(text, strlen(text), NULL) : NULL;
}

static bool unchanged(const struct apply *a, bool has_digest, const uint8_t stored[16],
                      const char *source, const uint8_t digest[16]) {
    return !a->host_data && has_digest && memcmp(stored, digest, 16) == 0 &&
           strcmp(source, a->source) == 0;
}

static void progress(struct apply *a, const char *what, size_t done, size_t total) {
    if (a->progress && (done % 1000 == 0 || done == total))
        fprintf(stderr, "\riamctl: %s: %zu/%zu%s", what, done, total, done == total ? "\n" : "");
}

static int put_tags(struct apply *a, const struct iam_store_identity *who,
                    const struct iam_db_tag *t, size_t n) {
    int r;

    for (size_t i = 0; i < n; i++)
        if ((r = iam_store_tag_set(a->st, who, t[i].key, t[i].value)) < 0)
            return store_err(a, r);
    return 0;
}

static int put_policy_lists(struct apply *a, const struct iam_store_identity *who,
                            const struct iam_db_inline_policy *ip, size_t n_ip,
                            const struct iam_db_attached *att, size_t n_att) {
    int r;

    for (size_t i = 0; i < n_ip; i++) {
        char *doc = stored_doc(ip[i].document);
        if (!doc)
            return oom();
        r = iam_store_inline_put(a->st, who, ip[i].name, doc);
        free(doc);
        if (r < 0)
            return store_err(a, r);
    }
    for (size_t i = 0; i < n_att; i++) {
        int64_t pid = a->policy_ids[att[i].policy - a->db->policies];
        if ((r = iam_store_attach(a->st, who, pid)) < 0 && r != -EEXIST)
            return store_err(a, r);
    }
    return 0;
}

/* The previous children of an identity an export now describes again. */
static int clear_children(struct apply *a, const struct iam_store_identity *who) {
    int r;

    if ((r = iam_store_tags_clear(a->st, who)) < 0 || (r = iam_store_inline_clear(a->st, who)) < 0 ||
        (r = iam_store_attached_clear(a->st, who)) < 0)
        return store_err(a, r);
    return 0;
}

static int seen(struct apply *a, struct iam_store_ids *ids, int64_t id) {
    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 1024;
        int64_t *v = realloc(ids->v, cap * sizeof(*v));
        if (!v)
            return oom();
        ids->v = v;
        ids->cap = cap;
    }
    ids->v[ids->n++] = id;
    (void)a;
    return 0;
}

/* ---- policies ---------------------------------------------------------------------------------- */

static int put_policy(struct apply *a, size_t i) {
    const struct iam_db_managed_policy *mp = &a->db->policies[i];
    struct iam_store_policy cur = {0}, in = {.name = mp->name,
                                       .policy_id = mp->id,
                                       .arn = mp->arn,
                                       .path = mp->path,
                                       .description = mp->description,
                                       .create_date = mp->create_date,
                                       .update_date = mp->update_date,
                                       .source = a->source,
                                       .is_attachable = mp->is_attachable,
                                       .aws_managed = mp->aws_managed};
    uint8_t dg[16];
    int64_t id;
    int r;

    if (digest_policy(mp, dg) < 0)
        return oom();
    r = iam_store_policy_get(a->st, mp->arn, &cur);
    if (r < 0 && r != -ENOENT)
        return store_err(a, r);
    if (r == 0) {
        id = cur.id;
        a->policy_ids[i] = id;
        if ((r = seen(a, &a->seen_policies, id)))
            return r;
        if (unchanged(a, cur.has_digest, cur.digest, cur.source, dg))
            return 0;
        if ((r = iam_store_policy_update_aws(a->st, id, &in, a->source, dg)) < 0 ||
            (r = iam_store_policy_tags_clear(a->st, id)) < 0)
            return store_err(a, r);
    } else {
        in.has_digest = !a->host_data;
        memcpy(in.digest, dg, sizeof(dg));
        if ((r = iam_store_policy_insert(a->st, &in, &id)) < 0)
            return store_err(a, r);
        a->policy_ids[i] = id;
        if ((r = seen(a, &a->seen_policies, id)))
            return r;
    }
    a->changed++;
    for (size_t v = 0; v < mp->n_versions; v++) {
        char *doc = stored_doc(mp->versions[v].document);
        struct iam_store_policy_version pv = {.version_id = mp->versions[v].version_id,
                                              .document = doc,
                                              .create_date = mp->versions[v].create_date,
                                              .is_default = mp->versions[v].is_default};
        if (!doc)
            return oom();
        r = iam_store_policy_version_add(a->st, id, &pv, NULL);
        free(doc);
        if (r < 0)
            return store_err(a, r);
    }
    for (size_t t = 0; t < mp->n_tags; t++)
        if ((r = iam_store_policy_tag_set(a->st, id, mp->tags[t].key, mp->tags[t].value)) < 0)
            return store_err(a, r);
    if (!a->host_data && (r = iam_store_policy_set_digest(a->st, id, dg)) < 0)
        return store_err(a, r);
    return 0;
}

/* ---- groups ------------------------------------------------------------------------------------ */

/* ---- privileged group names ----------------------------------------------------------------- */

static bool privileged_entry(const struct iam_db *db, bool user, size_t i) {
    return iam_group_name_privileged(user ? db->users[i].name : db->groups[i].name);
}

/* The position of list[i].key in the export (text, parsed into root with its entries
 * deferred), into p: 0 and false when not found, -ENOMEM. */
static int entry_position(const char *text, const struct iam_json *root, bool user, size_t i,
                          struct apply_pos *p, bool *found) {
    const struct iam_json *arr = iam_json_get(root, user ? "UserDetailList" : "GroupDetailList");
    const struct iam_json *name;
    struct iam_json_doc *doc = NULL;

    *found = false;
    if (!iam_json_is_array(arr) || i >= arr->u.arr.n)
        return 0;
    if (iam_json_parse_item(text, arr->u.arr.items[i], NULL, &doc, NULL) < 0)
        return -ENOMEM; /* it parsed a moment ago */
    name = iam_json_get(iam_json_root(doc), user ? "UserName" : "GroupName");
    if (name) {
        *p = (struct apply_pos){.user = user, .index = i, .line = name->start.line,
                                .column = name->start.column};
        *found = true;
    }
    iam_json_doc_free(doc);
    return 0;
}

int apply_find_privileged(const struct iam_db *db, const char *text, size_t len,
                          struct apply_pos **ret, size_t *ret_n) {
    /* the entries one at a time, as iam_db_parse read them */
    const struct iam_json_opts opts = {.defer_depth = 2};
    struct iam_json_doc *doc = NULL;
    struct apply_pos *v = NULL;
    size_t n = 0, cap = 0;
    bool found;
    int r = 0;

    *ret = NULL;
    *ret_n = 0;
    for (int user = 0; user < 2; user++)
        for (size_t i = 0; i < (user ? db->n_users : db->n_groups); i++)
            cap += privileged_entry(db, user, i);
    if (cap == 0)
        return 0;
    v = calloc(cap, sizeof(*v));
    if (!v || iam_json_parse(text, len, &opts, &doc, NULL) < 0) {
        r = oom(); /* the text parsed a moment ago: only memory can fail */
        goto out;
    }
    for (int user = 0; user < 2; user++)
        for (size_t i = 0; i < (user ? db->n_users : db->n_groups); i++) {
            if (!privileged_entry(db, user, i))
                continue;
            if (entry_position(text, iam_json_root(doc), user, i, &v[n], &found) < 0) {
                r = oom();
                goto out;
            }
            n += found;
        }
    *ret = v;
    *ret_n = n;
    v = NULL;
out:
    iam_json_doc_free(doc);
    free(v);
    return r;
}

/* A group new to this host, or a new user whose private group takes its name: refused when
 * the name is privileged and iam.conf does not allow it, at the export's line and column. */
static int check_new_group_name(struct apply *a, bool user, size_t i, const char *name) {
    struct iam_error e;

    iam_error_init(&e);
    if (iam_group_name_allowed(a->config, user ? "the private group of user" : "group", name,
                               &e) == 0)
        return 0;
    for (size_t k = 0; k < a->n_privileged; k++)
        if (a->privileged[k].user == user && a->privileged[k].index == i)
            return iamctl_fail("%s:%u:%u: %s", a->file, a->privileged[k].line,
                               a->privileged[k].column, e.text);
    return iamctl_fail("%s: %s", a->file, e.text);
}

/* A new group's gid: the database's (migrate), or allocated here after the host's checks. */
static int new_group_id(struct apply *a, const struct iam_db_group *g, uint32_t *ret) {
    struct iam_store_identity other;
    int r;

    if (a->host_data) {
        *ret = g->gid;
        return 0;
    }
    r = iam_store_identity_get(a->st, IAM_STORE_USER, g->name, &other);
    if (r == 0)
        return iamctl_fail("%s: group \"%s\" has the name of an IAM user on this host", a->file,
                           g->name);
    if (r != -ENOENT)
        return store_err(a, r);
    if ((r = check_local_group_name(g->name)) ||
        (r = check_new_group_name(a, false, (size_t)(g - a->db->groups), g->name)) ||
        (r = alloc_id(a->h, ret)))
        return r;
    a->new_groups++;
    return 0;
}

static int put_group(struct apply *a, size_t i) {
    const struct iam_db_group *g = &a->db->groups[i];
    struct iam_store_identity cur = {0}, in = {.kind = IAM_STORE_GROUP,
                                         .name = g->name,
                                         .unique_id = g->id,
                                         .arn = g->arn,
                                         .path = g->path,
                                         .create_date = g->create_date,
                                         .source = a->source,
                                         .has_posix = true};
    uint8_t dg[16];
    bool existed;
    int r;

    if (digest_group(g, dg) < 0)
        return oom();
    r = iam_store_identity_get(a->st, IAM_STORE_GROUP, g->name, &cur);
    if (r < 0 && r != -ENOENT)
        return store_err(a, r);
    existed = r == 0;
    if (existed) {
        a->group_ids[i] = cur.id;
        if ((r = seen(a, &a->seen_identities, cur.id)))
            return r;
        if (unchanged(a, cur.has_digest, cur.digest, cur.source, dg))
            return 0;
        if ((r = iam_store_identity_update_aws(a->st, &cur, &in, a->source, dg)) < 0)
            return store_err(a, r);
        if ((r = clear_children(a, &cur)))
            return r;
    } else {
        if ((r = new_group_id(a, g, &in.posix_id)))
            return r;
        in.has_digest = !a->host_data;
        memcpy(in.digest, dg, sizeof(dg));
        if ((r = iam_store_identity_insert(a->st, &in, &cur.id)) < 0)
            return store_err(a, r);
        cur.kind = IAM_STORE_GROUP;
        cur.name = g->name;
        a->group_ids[i] = cur.id;
        if ((r = seen(a, &a->seen_identities, cur.id)))
            return r;
    }
    a->changed++;
    if ((r = put_policy_lists(a, &cur, g->inline_policies, g->n_inline, g->attached,
                              g->n_attached)))
        return r;
    /* its children cleared the digest it was written with: the entry is whole now (a new
     * one's digest, written with it, stays: only the first change to an identity in a
     * transaction clears it, and its insert was that) */
    if (!a->host_data && existed && (r = iam_store_identity_set_digest(a->st, &cur, dg)) < 0)
        return store_err(a, r);
    return 0;
}

/* ---- users --------------------------------------------------------------------------------------- */

/* A new user's POSIX identity: the database's (migrate), or made here after the checks. */
static int new_user_posix(struct apply *a, const struct iam_db_user *u,
                          struct iam_store_identity *in, char **ret_home) {
    struct iam_store_identity other;
    int r;

    *ret_home = NULL;
    if (a->host_data) {
        if (!u->has_posix)
            return iamctl_fail("%s: user %s has no Posix identity", a->file, u->name);
        in->posix_id = u->uid;
        in->gid = u->gid;
        in->home = u->home;
        in->shell = u->shell;
        in->gecos = u->gecos;
        return 0;
    }
    r = iam_store_identity_get(a->st, IAM_STORE_GROUP, u->name, &other);
    if (r == 0)
        return iamctl_fail("%s: user \"%s\" has the name of an IAM group on this host", a->file,
                           u->name);
    if (r != -ENOENT)
        return store_err(a, r);
    if ((r = check_local_user_name(u->name)) ||
        (a->config->private_groups &&
         (r = check_new_group_name(a, true, (size_t)(u - a->db->users), u->name))) ||
        (r = alloc_id(a->h, &in->posix_id)))
        return r;
    in->gid = a->config->private_groups ? in->posix_id : a->config->default_gid;
    if (!(*ret_home = iam_config_home_for(a->config, u->name)))
        return oom();
    in->home = *ret_home;
    in->shell = a->config->default_shell;
    a->new_users++;
    return 0;
}

/* Credentials come only with a migrated database (an export carrying them is refused). */
static int put_credentials(struct apply *a, const struct iam_store_identity *who,
                           const struct iam_db_user *u) {
    int r = 0;

    for (size_t k = 0; r == 0 && k < u->n_keys; k++) {
        struct iam_store_access_key key = {.access_key_id = u->keys[k].id,
                                           .active = u->keys[k].active,
                                           .create_date = u->keys[k].create_date,
                                           .secret_hash = u->keys[k].secret_hash};
        r = iam_store_access_key_insert(a->st, who, &key);
    }
    if (r == 0 && u->login_profile) {
        struct iam_store_login_profile lp = {
            .create_date = u->login_profile->create_date,
            .password_hash = u->login_profile->password_hash,
            .password_reset_required = u->login_profile->password_reset_required,
            .password_last_changed = u->login_profile->create_date};
        r = iam_store_login_profile_put(a->st, who, &lp);
    }
    for (size_t k = 0; r == 0 && k < u->n_ssh_keys; k++) {
        struct iam_store_ssh_key key = {.ssh_key_id = u->ssh_keys[k].id,
                                        .body = u->ssh_keys[k].body,
                                        .fingerprint = u->ssh_keys[k].fingerprint,
                                        .active = u->ssh_keys[k].active,
                                        .upload_date = u->ssh_keys[k].upload_date};
        r = iam_store_ssh_key_insert(a->st, who, &key);
    }
    return r < 0 ? store_err(a, r) : 0;
}

/* The export's GroupList in its order; on a user it updates, the memberships in groups of
 * this host (not from exports) stay, after the export's. */
static int put_memberships(struct apply *a, const struct iam_store_identity *who,
                           const struct iam_db_user *u, bool existed) {
    struct iam_store_identity *before = NULL;
    size_t n_before = 0, kept = 0;
    int r;

    if (existed && ((r = iam_store_user_groups(a->st, who, &before, &n_before)) < 0 ||
                    (r = iam_store_memberships_clear(a->st, who, NULL)) < 0))
        return store_err(a, r);
    for (size_t g = 0; g < u->n_groups; g++) {
        struct iam_store_identity grp = {.id = a->group_ids[u->groups[g] - a->db->groups],
                                         .kind = IAM_STORE_GROUP};
        if ((r = iam_store_membership_add(a->st, who, &grp)) < 0 && r != -EEXIST)
            return store_err(a, r);
    }
    for (size_t g = 0; g < n_before; g++) {
        if (strcmp(before[g].source, a->source) == 0)
            continue;
        if ((r = iam_store_membership_add(a->st, who, &before[g])) < 0 && r != -EEXIST)
            return store_err(a, r);
        kept++;
    }
    /* the export's groups and this host's own together must fit IAM's quota */
    if (u->n_groups + kept > IAM_MAX_GROUPS_PER_USER)
        return iamctl_fail("%s: user %s would be in %zu groups (the export's and this host's "
                           "own); IAM allows %d",
                           a->file, u->name, u->n_groups + kept, IAM_MAX_GROUPS_PER_USER);
    return 0;
}

static int put_user(struct apply *a, size_t i) {
    const struct iam_db_user *u = &a->db->users[i];
    struct iam_store_identity cur = {0}, in = {.kind = IAM_STORE_USER,
                                         .name = u->name,
                                         .unique_id = u->id,
                                         .arn = u->arn,
                                         .path = u->path,
                                         .create_date = u->create_date,
                                         .source = a->source,
                                         .has_posix = true,
                                         .tags_listed = u->tags_listed};
    char *home = NULL;
    uint8_t dg[16];
    bool existed;
    int r;

    if (digest_user(u, dg) < 0)
        return oom();
    if (u->boundary)
        in.boundary = a->policy_ids[u->boundary - a->db->policies];
    r = iam_store_identity_get(a->st, IAM_STORE_USER, u->name, &cur);
    if (r < 0 && r != -ENOENT)
        return store_err(a, r);
    existed = r == 0;
    if (existed) {
        if ((r = seen(a, &a->seen_identities, cur.id)))
            return r;
        if (unchanged(a, cur.has_digest, cur.digest, cur.source, dg))
            return 0;
        if ((r = iam_store_identity_update_aws(a->st, &cur, &in, a->source, dg)) < 0)
            return store_err(a, r);
        if ((r = clear_children(a, &cur)))
            return r;
    } else {
        if ((r = new_user_posix(a, u, &in, &home)))
            goto out;
        in.has_digest = !a->host_data;
        memcpy(in.digest, dg, sizeof(dg));
        r = iam_store_identity_insert(a->st, &in, &cur.id);
        if (r < 0) {
            r = store_err(a, r);
            goto out;
        }
        cur.kind = IAM_STORE_USER;
        cur.name = u->name;
        if ((r = seen(a, &a->seen_identities, cur.id)))
            goto out;
    }
    a->changed++;
    if ((r = put_tags(a, &cur, u->tags, u->n_tags)) ||
        (r = put_policy_lists(a, &cur, u->inline_policies, u->n_inline, u->attached,
                              u->n_attached)) ||
        (r = put_memberships(a, &cur, u, existed)))
        goto out;
    if (a->host_data)
        r = put_credentials(a, &cur, u);
    else if (existed && (r = iam_store_identity_set_digest(a->st, &cur, dg)) < 0)
        r = store_err(a, r); /* a new one's stays as written (put_group) */
out:
    free(home);
    return r;
}

/* ---- roles ----------------------------------------------------------------------------------------- */

/* A new role's account on this host (import only): a uid from the range when nothing else has
 * its name (role_account_refusal). Otherwise the role is imported without one; the commit
 * says why, and gives it one in a later write once the name is free. */
static int new_role_posix(struct apply *a, const struct iam_db_role *ro,
                          struct iam_store_identity *in) {
    const char *why;
    int r;

    if (a->host_data || !a->h)
        return 0;
    if ((r = role_account_refusal(a->st, a->config, ro->name, &why)) || why)
        return r;
    if ((r = alloc_id(a->h, &in->posix_id)))
        return r;
    in->has_posix = true;
    return 0;
}

static int put_role(struct apply *a, size_t i) {
    const struct iam_db_role *ro = &a->db->roles[i];
    char *trust = stored_doc(ro->trust_policy), *prof = stored_doc(ro->instance_profiles);
    char *used = stored_doc(ro->last_used);
    struct iam_store_identity cur = {0}, in = {.kind = IAM_STORE_ROLE,
                                         .name = ro->name,
                                         .unique_id = ro->id,
                                         .arn = ro->arn,
                                         .path = ro->path,
                                         .create_date = ro->create_date,
                                         .source = a->source,
                                         .description = ro->description,
                                         .trust_policy = trust,
                                         .max_session_duration = ro->max_session_duration,
                                         .instance_profiles = prof,
                                         .last_used = used,
                                         .tags_listed = ro->tags_listed};
    uint8_t dg[16];
    int r;

    if ((ro->trust_policy && !trust) || (ro->instance_profiles && !prof) ||
        (ro->last_used && !used) || digest_role(ro, dg) < 0) {
        r = oom();
        goto out;
    }
    if (ro->boundary)
        in.boundary = a->policy_ids[ro->boundary - a->db->policies];
    r = iam_store_identity_get(a->st, IAM_STORE_ROLE, ro->name, &cur);
    if (r < 0 && r != -ENOENT) {
        r = store_err(a, r);
        goto out;
    }
    if (r == 0) {
        if ((r = seen(a, &a->seen_identities, cur.id)))
            goto out;
        if (unchanged(a, cur.has_digest, cur.digest, cur.source, dg))
            goto out;
        if ((r = iam_store_identity_update_aws(a->st, &cur, &in, a->source, dg)) < 0) {
            r = store_err(a, r);
            goto out;
        }
        if ((r = clear_children(a, &cur)))
            goto out;
    } else {
        in.has_digest = !a->host_data;
        memcpy(in.digest, dg, sizeof(dg));
        if ((r = new_role_posix(a, ro, &in)))
            goto out;
        if ((r = iam_store_identity_insert(a->st, &in, &cur.id)) < 0) {
            r = store_err(a, r);
            goto out;
        }
        cur.kind = IAM_STORE_ROLE;
        cur.name = ro->name;
        if ((r = seen(a, &a->seen_identities, cur.id)))
            goto out;
    }
    a->changed++;
    if (!(r = put_tags(a, &cur, ro->tags, ro->n_tags)))
        r = put_policy_lists(a, &cur, ro->inline_policies, ro->n_inline, ro->attached,
                             ro->n_attached);
    if (!r && !a->host_data && (r = iam_store_identity_set_digest(a->st, &cur, dg)) < 0)
        r = store_err(a, r);
out:
    free(trust);
    free(prof);
    free(used);
    return r;
}

int apply_model(struct apply *a) {
    const struct iam_db *db = a->db;
    int r;

    a->policy_ids = calloc(db->n_policies + 1, sizeof(*a->policy_ids));
    a->group_ids = calloc(db->n_groups + 1, sizeof(*a->group_ids));
    if (!a->policy_ids || !a->group_ids)
        return oom();
    for (size_t i = 0; i < db->n_policies; i++)
        if ((r = put_policy(a, i)))
            return r;
    for (size_t i = 0; i < db->n_groups; i++) {
        if ((r = put_group(a, i)))
            return r;
        progress(a, "groups", i + 1, db->n_groups);
    }
    for (size_t i = 0; i < db->n_users; i++) {
        struct iam_store_mark mark = iam_store_mark(a->st);
        if ((r = put_user(a, i)))
            return r;
        iam_store_release(a->st, mark);
        progress(a, "users", i + 1, db->n_users);
    }
    for (size_t i = 0; i < db->n_roles; i++)
        if ((r = put_role(a, i)))
            return r;
    return 0;
}

/* ---- --delete-missing ---------------------------------------------------------------------------- */

static int cmp_id(const void *x, const void *y) {
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static bool in_sorted(const struct iam_store_ids *ids, int64_t id) {
    return bsearch(&id, ids->v, ids->n, sizeof(*ids->v), cmp_id) != NULL;
}

static int delete_identities(struct apply *a, enum iam_store_kind kind, size_t *count) {
    struct iam_store_ids ids = {0};
    int r;

    if ((r = iam_store_ids_by_source(a->st, kind, a->source, &ids)) < 0) {
        iam_store_ids_free(&ids);
        return store_err(a, r);
    }
    for (size_t i = 0; r == 0 && i < ids.n; i++) {
        struct iam_store_identity who;
        if (in_sorted(&a->seen_identities, ids.v[i]))
            continue;
        if ((r = iam_store_identity_get_by_id(a->st, ids.v[i], &who)) < 0 ||
            (r = iam_store_identity_delete(a->st, &who)) < 0)
            r = store_err(a, r);
        else
            (*count)++;
    }
    iam_store_ids_free(&ids);
    return r;
}

int apply_delete_missing(struct apply *a) {
    struct iam_store_ids ids = {0};
    int r;

    qsort(a->seen_identities.v, a->seen_identities.n, sizeof(int64_t), cmp_id);
    qsort(a->seen_policies.v, a->seen_policies.n, sizeof(int64_t), cmp_id);
    if ((r = delete_identities(a, IAM_STORE_USER, &a->deleted_users)) ||
        (r = delete_identities(a, IAM_STORE_ROLE, &a->deleted_roles)) ||
        (r = delete_identities(a, IAM_STORE_GROUP, &a->deleted_groups)))
        return r;
    if ((r = iam_store_ids_by_source(a->st, 0, a->source, &ids)) < 0) {
        iam_store_ids_free(&ids);
        return store_err(a, r);
    }
    for (size_t i = 0; r == 0 && i < ids.n; i++) {
        if (in_sorted(&a->seen_policies, ids.v[i]))
            continue;
        r = iam_store_policy_delete(a->st, ids.v[i]);
        if (r == -EEXIST)
            r = iamctl_fail("%s: a managed policy this host imported earlier is not in the export, "
                            "but an identity created on this host still uses it; detach it (or "
                            "keep the policy in the export) and import again",
                            a->file);
        else if (r < 0)
            r = store_err(a, r);
        else
            a->deleted_policies++;
    }
    iam_store_ids_free(&ids);
    return r;
}

void apply_free(struct apply *a) {
    free(a->privileged);
    free(a->policy_ids);
    free(a->group_ids);
    iam_store_ids_free(&a->seen_identities);
    iam_store_ids_free(&a->seen_policies);
}
