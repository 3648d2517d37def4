/* SPDX-License-Identifier: Apache-2.0 */
/* The identity store for the trail verbs, read from the SQLite store (iam/store.h) in one
 * read transaction: every principal with its keys and password up front, policies on demand. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/db.h"
#include "trail_identity.h"
#include "verb_common.h"

/* What ident_policies handed out, freed at close. */
struct compiled {
    struct iam_policy_ref *identity, *boundary;
    struct iam_policy **owned;
    size_t n_owned;
};

struct ident_set {
    struct sth h;
    struct ident *v;
    size_t n, cap;
    struct compiled *done;
    size_t n_done;
};

static int64_t when(const char *s) {
    int64_t t = 0;

    if (!s || iam_db_parse_time(s, &t) < 0)
        return 0;
    return t;
}

/* Strings handed to a list callback are the callback's only: the store keeps the ones its
 * lookups return until close, so take each principal again by rowid. */
static int add_one(void *ctx, const struct iam_store_identity *who) {
    struct ident_set *s = ctx;
    struct iam_store_identity id;
    struct ident *p;
    int r;

    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct ident *nv = realloc(s->v, cap * sizeof(*nv));

        if (!nv)
            return -ENOMEM;
        s->v = nv;
        s->cap = cap;
    }
    if ((r = iam_store_identity_get_by_id(s->h.st, who->id, &id)) < 0)
        return r;
    p = &s->v[s->n];
    *p = (struct ident){.kind = who->kind == IAM_STORE_USER ? IDENT_USER : IDENT_ROLE,
                        .name = id.name, .arn = id.arn, .id = id.unique_id,
                        .created = when(id.create_date)};
    if (who->kind == IAM_STORE_USER) {
        struct iam_store_access_key *keys;
        struct iam_store_login_profile lp;
        size_t n;

        if ((r = iam_store_access_keys(s->h.st, &id, &keys, &n)) < 0)
            return r;
        for (size_t k = 0; k < n && p->n_keys < IDENT_MAX_KEYS; k++)
            p->keys[p->n_keys++] = (struct ident_key){.id = keys[k].access_key_id,
                                                      .active = keys[k].active,
                                                      .created = when(keys[k].create_date)};
        r = iam_store_login_profile_get(s->h.st, &id, &lp);
        if (r < 0 && r != -ENOENT)
            return r;
        if (r == 0) {
            p->has_password = true;
            p->password_created = when(lp.create_date);
        }
    }
    s->n++;
    return 0;
}

int ident_open(struct ident_set **ret) {
    struct ident_set *s = calloc(1, sizeof(*s));
    int r;

    if (!s)
        return iamctl_fail("out of memory");
    s->h = (struct sth)STH_INIT;
    r = sth_open(&s->h, false);
    if (r) {
        sth_close(&s->h, r);
        free(s);
        return r;
    }
    r = iam_store_identity_list(s->h.st, IAM_STORE_USER, NULL, 0, 0, add_one, s, NULL);
    if (r == 0)
        r = iam_store_identity_list(s->h.st, IAM_STORE_ROLE, NULL, 0, 0, add_one, s, NULL);
    if (r < 0) {
        r = r == -ENOMEM ? iamctl_fail("out of memory") : sth_fail(&s->h, r);
        ident_close(s);
        return r;
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

static void compiled_free(struct compiled *c) {
    for (size_t i = 0; i < c->n_owned; i++)
        iam_policy_free(c->owned[i]);
    free(c->owned);
    free(c->identity);
    free(c->boundary);
}

/* The principal's policies as the engine evaluates them: inline, attached (default
 * versions), for a user each group's, and the boundary apart. */
static int compile_policies(struct ident_set *s, const struct iam_store_identity *who,
                            struct iam_policy_set *ret_set) {
    struct compiled c = {0};
    struct iam_store_effective *eff;
    struct iam_error e;
    size_t n, n_identity = 0, n_boundary = 0;
    struct compiled *nd;
    int r;

    if ((r = iam_store_user_policies(s->h.st, who, &eff, &n)) < 0)
        return r;
    c.identity = calloc(n + 1, sizeof(*c.identity));
    c.boundary = calloc(n + 1, sizeof(*c.boundary));
    c.owned = calloc(n + 1, sizeof(struct iam_policy *));
    nd = realloc(s->done, (s->n_done + 1) * sizeof(*nd));
    if (nd)
        s->done = nd;
    if (!c.identity || !c.boundary || !c.owned || !nd) {
        compiled_free(&c);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct iam_policy_ref *ref;

        iam_error_init(&e);
        r = iam_policy_compile(eff[i].document, strlen(eff[i].document), IAM_POLICY_IDENTITY,
                               &c.owned[c.n_owned], &e);
        if (r < 0) {
            compiled_free(&c);
            return r;
        }
        ref = eff[i].boundary ? &c.boundary[n_boundary++] : &c.identity[n_identity++];
        ref->policy = c.owned[c.n_owned++];
        ref->source_id = eff[i].source_id;
        ref->source_type = eff[i].boundary                                           ? "boundary"
                           : who->kind == IAM_STORE_ROLE && strcmp(eff[i].source_type, "user") == 0
                               ? "role"
                               : eff[i].source_type;
    }
    s->done[s->n_done++] = c;
    *ret_set = (struct iam_policy_set){.identity = c.identity, .n_identity = n_identity,
                                       .boundary = n_boundary ? c.boundary : NULL,
                                       .n_boundary = n_boundary};
    return 0;
}

static int add_str(struct iam_context *ctx, const char *key, const char *value) {
    return value ? iam_context_add_string(ctx, key, value) : 0;
}

static int principal_context(struct ident_set *s, const struct ident *p,
                             const struct iam_store_identity *who, struct iam_context *ctx) {
    const struct iam_config *cfg = s->h.config;
    struct iam_store_tag *tags;
    size_t n_tags;
    int r;

    if ((r = add_str(ctx, "aws:PrincipalArn", p->arn)) < 0 ||
        (r = add_str(ctx, "aws:PrincipalAccount", cfg->account_id)) < 0 ||
        (r = add_str(ctx, "aws:PrincipalType", p->kind == IDENT_USER ? "User" : "AssumedRole")) <
            0 ||
        (r = add_str(ctx, "aws:userid", p->id)) < 0 ||
        (p->kind == IDENT_USER && (r = add_str(ctx, "aws:username", p->name)) < 0) ||
        (r = iam_store_tags(s->h.st, who, &tags, &n_tags)) < 0)
        return r;
    for (size_t i = 0; i < n_tags; i++) {
        char key[256];

        snprintf(key, sizeof(key), "aws:PrincipalTag/%s", tags[i].key);
        if ((r = add_str(ctx, key, tags[i].value)) < 0)
            return r;
    }
    for (size_t i = 0; i < cfg->n_host_tags; i++) {
        char key[256];

        snprintf(key, sizeof(key), "aws:ResourceTag/%s", cfg->host_tags[i].key);
        if ((r = add_str(ctx, key, cfg->host_tags[i].value)) < 0)
            return r;
    }
    return 0;
}

int ident_policies(struct ident_set *s, const struct ident *p, struct iam_policy_set *ret_set,
                   struct iam_context **ret_ctx) {
    struct iam_store_identity who;
    struct iam_context *ctx = NULL;
    int r;

    memset(ret_set, 0, sizeof(*ret_set));
    r = iam_store_identity_get(s->h.st, p->kind == IDENT_USER ? IAM_STORE_USER : IAM_STORE_ROLE,
                               p->name, &who);
    if (r < 0)
        return r == -ENOMEM ? r : -EINVAL;
    if ((r = compile_policies(s, &who, ret_set)) < 0)
        return r == -ENOMEM ? r : -EINVAL;
    if ((r = iam_context_new(&ctx)) < 0)
        return r;
    if ((r = principal_context(s, p, &who, ctx)) < 0) {
        iam_context_free(ctx);
        return r == -ENOMEM ? r : -EINVAL;
    }
    *ret_ctx = ctx;
    return 0;
}

void ident_close(struct ident_set *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->n_done; i++)
        compiled_free(&s->done[i]);
    free(s->done);
    free(s->v);
    sth_close(&s->h, 0);
    free(s);
}
