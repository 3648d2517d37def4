/* SPDX-License-Identifier: Apache-2.0 */
/* The identity store for the trail verbs, read through the JSON database (iam/db.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/db.h"
#include "trail_identity.h"
#include "verb_common.h"

struct role_policies {
    struct iam_policy_ref *identity;
    size_t n_identity;
    struct iam_policy_ref *boundary;
    size_t n_boundary;
};

struct ident_set {
    struct dbh h;
    struct ident *v;
    size_t n;
    /* what ident_policies handed out, freed at close */
    struct iam_db_effective **effs;
    size_t n_effs;
    struct role_policies *roles;
    size_t n_roles;
};

static int64_t when(const char *s) {
    int64_t t = 0;

    if (!s || iam_db_parse_time(s, &t) < 0)
        return 0;
    return t;
}

int ident_open(struct ident_set **ret) {
    struct ident_set *s = calloc(1, sizeof(*s));
    const struct iam_db *db;
    int r;

    if (!s)
        return iamctl_fail("out of memory");
    s->h = (struct dbh)DBH_INIT;
    r = dbh_open(&s->h, false);
    if (r) {
        dbh_close(&s->h, r);
        free(s);
        return r;
    }
    db = s->h.db;
    s->v = calloc(db->n_users + db->n_roles + 1, sizeof(*s->v));
    if (!s->v) {
        ident_close(s);
        return iamctl_fail("out of memory");
    }
    for (size_t i = 0; i < db->n_users; i++) {
        const struct iam_db_user *u = &db->users[i];
        struct ident *p = &s->v[s->n++];

        *p = (struct ident){.kind = IDENT_USER, .name = u->name, .arn = u->arn, .id = u->id,
                            .created = when(u->create_date)};
        for (size_t k = 0; k < u->n_keys && p->n_keys < IDENT_MAX_KEYS; k++)
            p->keys[p->n_keys++] = (struct ident_key){.id = u->keys[k].id,
                                                      .active = u->keys[k].active,
                                                      .created = when(u->keys[k].create_date)};
        if (u->login_profile) {
            p->has_password = true;
            p->password_created = when(u->login_profile->create_date);
        }
    }
    for (size_t i = 0; i < db->n_roles; i++) {
        const struct iam_db_role *ro = &db->roles[i];

        s->v[s->n++] = (struct ident){.kind = IDENT_ROLE, .name = ro->name, .arn = ro->arn,
                                      .id = ro->id, .created = when(ro->create_date)};
    }
    *ret = s;
    return 0;
}

const struct iam_config *ident_config(const struct ident_set *s) {
    return s->h.config;
}

size_t ident_count(const struct ident_set *s) {
    return s->n;
}

const struct ident *ident_at(const struct ident_set *s, size_t i) {
    return i < s->n ? &s->v[i] : NULL;
}

const struct ident *ident_by_arn(const struct ident_set *s, const char *arn) {
    for (size_t i = 0; arn && i < s->n; i++)
        if (s->v[i].arn && strcmp(s->v[i].arn, arn) == 0)
            return &s->v[i];
    return NULL;
}

const struct ident *ident_by_key(const struct ident_set *s, const char *key_id,
                                 const struct ident_key **ret_key) {
    for (size_t i = 0; key_id && i < s->n; i++)
        for (size_t k = 0; k < s->v[i].n_keys; k++)
            if (strcmp(s->v[i].keys[k].id, key_id) == 0) {
                if (ret_key)
                    *ret_key = &s->v[i].keys[k];
                return &s->v[i];
            }
    return NULL;
}

static int add_ref(struct iam_policy_ref **v, size_t *n, const struct iam_db *db, const char *doc,
                   const char *source_id, const char *source_type) {
    const struct iam_policy *p = NULL;
    struct iam_policy_ref *nv;
    int r;

    if (!doc)
        return 0;
    r = iam_db_policy_compiled(db, doc, IAM_POLICY_IDENTITY, &p);
    if (r < 0)
        return r;
    nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv)
        return -ENOMEM;
    *v = nv;
    nv[(*n)++] = (struct iam_policy_ref){.policy = p, .source_id = source_id,
                                         .source_type = source_type};
    return 0;
}

static int role_policies(struct ident_set *s, const struct iam_db_role *ro,
                         struct role_policies *rp) {
    const struct iam_db *db = s->h.db;
    int r = 0;

    memset(rp, 0, sizeof(*rp));
    for (size_t i = 0; r == 0 && i < ro->n_inline; i++)
        r = add_ref(&rp->identity, &rp->n_identity, db, ro->inline_policies[i].document,
                    ro->inline_policies[i].name, "role");
    for (size_t i = 0; r == 0 && i < ro->n_attached; i++) {
        const struct iam_db_managed_policy *mp = ro->attached[i].policy;

        if (mp && mp->default_version)
            r = add_ref(&rp->identity, &rp->n_identity, db, mp->default_version->document,
                        mp->name, mp->aws_managed ? "aws-managed" : "user-managed");
    }
    if (r == 0 && ro->boundary && ro->boundary->default_version)
        r = add_ref(&rp->boundary, &rp->n_boundary, db, ro->boundary->default_version->document,
                    ro->boundary->name, "boundary");
    return r;
}

static int add_str(struct iam_context *ctx, const char *key, const char *value) {
    return value ? iam_context_add_string(ctx, key, value) : 0;
}

int ident_policies(struct ident_set *s, const struct ident *p, struct iam_policy_set *ret_set,
                   struct iam_context **ret_ctx) {
    const struct iam_db *db = s->h.db;
    const struct iam_config *cfg = s->h.config;
    const struct iam_db_tag *tags = NULL;
    size_t n_tags = 0;
    struct iam_context *ctx = NULL;
    int r;

    memset(ret_set, 0, sizeof(*ret_set));
    if (p->kind == IDENT_USER) {
        const struct iam_db_user *u = iam_db_find_user(db, p->name);
        struct iam_db_effective *eff = NULL, **ne;

        if (!u)
            return -EINVAL;
        r = iam_db_user_effective_policies(db, u, &eff);
        if (r < 0)
            return r;
        ne = realloc(s->effs, (s->n_effs + 1) * sizeof(struct iam_db_effective *));
        if (!ne) {
            iam_db_effective_free(eff);
            return -ENOMEM;
        }
        s->effs = ne;
        s->effs[s->n_effs++] = eff;
        ret_set->identity = eff->identity;
        ret_set->n_identity = eff->n_identity;
        ret_set->boundary = eff->boundary;
        ret_set->n_boundary = eff->n_boundary;
        tags = u->tags;
        n_tags = u->n_tags;
    } else {
        const struct iam_db_role *ro = iam_db_find_role(db, p->name);
        struct role_policies *nr;

        if (!ro)
            return -EINVAL;
        nr = realloc(s->roles, (s->n_roles + 1) * sizeof(*nr));
        if (!nr)
            return -ENOMEM;
        s->roles = nr;
        r = role_policies(s, ro, &s->roles[s->n_roles]);
        s->n_roles++;
        if (r < 0)
            return r;
        ret_set->identity = s->roles[s->n_roles - 1].identity;
        ret_set->n_identity = s->roles[s->n_roles - 1].n_identity;
        ret_set->boundary = s->roles[s->n_roles - 1].boundary;
        ret_set->n_boundary = s->roles[s->n_roles - 1].n_boundary;
        tags = ro->tags;
        n_tags = ro->n_tags;
    }
    r = iam_context_new(&ctx);
    if (r < 0)
        return r;
    if ((r = add_str(ctx, "aws:PrincipalArn", p->arn)) < 0 ||
        (r = add_str(ctx, "aws:PrincipalAccount", cfg->account_id)) < 0 ||
        (r = add_str(ctx, "aws:PrincipalType", p->kind == IDENT_USER ? "User" : "AssumedRole")) <
            0 ||
        (r = add_str(ctx, "aws:userid", p->id)) < 0 ||
        (p->kind == IDENT_USER && (r = add_str(ctx, "aws:username", p->name)) < 0))
        goto fail;
    for (size_t i = 0; i < n_tags; i++) {
        char key[256];

        snprintf(key, sizeof(key), "aws:PrincipalTag/%s", tags[i].key);
        if ((r = add_str(ctx, key, tags[i].value)) < 0)
            goto fail;
    }
    for (size_t i = 0; i < cfg->n_host_tags; i++) {
        char key[256];

        snprintf(key, sizeof(key), "aws:ResourceTag/%s", cfg->host_tags[i].key);
        if ((r = add_str(ctx, key, cfg->host_tags[i].value)) < 0)
            goto fail;
    }
    *ret_ctx = ctx;
    return 0;
fail:
    iam_context_free(ctx);
    return r;
}

void ident_close(struct ident_set *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->n_effs; i++)
        iam_db_effective_free(s->effs[i]);
    free(s->effs);
    for (size_t i = 0; i < s->n_roles; i++) {
        free(s->roles[i].identity);
        free(s->roles[i].boundary);
    }
    free(s->roles);
    free(s->v);
    dbh_close(&s->h, 0);
    free(s);
}
