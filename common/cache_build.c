/* SPDX-License-Identifier: Apache-2.0 */
/* The compile step (iam/cache_build.h): the database into nss.cache and auth.cache. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <stdlib.h>

#include "iam/auth_cache.h"
#include "iam/cache_build.h"
#include "iam/caches.h"
#include "iam/fileio.h"
#include "iam/nss_cache.h"

static int set_oom(struct iam_error *reterr) {
    iam_error_set(reterr, 0, 0, 0, "out of memory");
    return -ENOMEM;
}

/* passwd and group entries: every user; every group with its members; with private_groups,
 * one group per user named as the user with gid = uid (Debian's convention). Without private
 * groups a primary gid equal to the uid would name no group (the loader keeps every IAM
 * group's gid off the users' uids): such a user gets default_gid, as iamctl gives new users. */
static int build_nss(const struct iam_config *config, const struct iam_db *db, void **ret_data,
                     size_t *ret_size, struct iam_error *reterr) {
    struct iam_nss_user *users = NULL;
    struct iam_nss_group *groups = NULL;
    const char **members = NULL;
    char **homes = NULL;
    size_t n_members = 0, n_groups = 0, m = 0;
    int r = -ENOMEM;

    for (size_t g = 0; g < db->n_groups; g++)
        n_members += db->groups[g].n_members;
    users = calloc(db->n_users ? db->n_users : 1, sizeof(*users));
    homes = calloc(db->n_users ? db->n_users : 1, sizeof(*homes));
    groups = calloc(db->n_groups + db->n_users + 1, sizeof(*groups));
    members = calloc(n_members ? n_members : 1, sizeof(*members));
    if (!users || !homes || !groups || !members) {
        r = set_oom(reterr);
        goto out;
    }
    for (size_t i = 0; i < db->n_users; i++) {
        const struct iam_db_user *u = &db->users[i];

        if (!u->has_posix) {
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\" has no Posix identity", u->name);
            r = -EINVAL;
            goto out;
        }
        users[i].name = u->name;
        users[i].uid = (uid_t)u->uid;
        users[i].gid = (gid_t)u->gid;
        if (!config->private_groups && u->gid == u->uid)
            users[i].gid = (gid_t)config->default_gid;
        users[i].gecos = u->gecos;
        if (!u->home) {
            homes[i] = iam_config_home_for(config, u->name);
            if (!homes[i]) {
                r = set_oom(reterr);
                goto out;
            }
        }
        users[i].home = u->home ? u->home : homes[i];
        users[i].shell = u->shell ? u->shell : config->default_shell;
    }
    for (size_t g = 0; g < db->n_groups; g++) {
        const struct iam_db_group *grp = &db->groups[g];

        if (!grp->has_posix) {
            iam_error_set(reterr, 0, 0, 0, "group \"%.64s\" has no Posix identity", grp->name);
            r = -EINVAL;
            goto out;
        }
        groups[n_groups].name = grp->name;
        groups[n_groups].gid = (gid_t)grp->gid;
        groups[n_groups].members = members + m;
        groups[n_groups].n_members = grp->n_members;
        for (size_t k = 0; k < grp->n_members; k++)
            members[m++] = grp->members[k]->name;
        n_groups++;
    }
    if (config->private_groups)
        for (size_t i = 0; i < db->n_users; i++) {
            groups[n_groups].name = db->users[i].name;
            groups[n_groups].gid = (gid_t)db->users[i].uid;
            groups[n_groups].members = NULL;
            groups[n_groups].n_members = 0;
            n_groups++;
        }
    r = iam_nss_cache_build(users, db->n_users, groups, n_groups, ret_data, ret_size, reterr);
out:
    if (homes)
        for (size_t i = 0; i < db->n_users; i++)
            free(homes[i]);
    free(homes);
    free(users);
    free(groups);
    free(members);
    return r;
}

static void add_policy(struct iam_auth_policy *p, size_t *n, enum iam_auth_policy_kind kind,
                       const char *type, const char *id, const char *text) {
    p[*n].kind = kind;
    p[*n].source_type = type;
    p[*n].source_id = id;
    p[*n].text = text;
    p[*n].text_len = strlen(text);
    (*n)++;
}

/* "user/<name>/<PolicyName>" and "group/<group>/<PolicyName>" ids, as auth_cache.h wants;
 * kept in one allocation list freed by the caller. */
static const char *inline_id(char ***list, size_t *n, const char *kind, const char *owner,
                             const char *policy) {
    char *s = NULL, **nl;

    if (asprintf(&s, "%s/%s/%s", kind, owner, policy) < 0)
        return NULL;
    nl = realloc(*list, (*n + 1) * sizeof(*nl));
    if (!nl) {
        free(s);
        return NULL;
    }
    *list = nl;
    nl[(*n)++] = s;
    return s;
}

/* Each user's secrets and effective policies (the same order as
 * iam_db_user_effective_policies: own inline, own attached, each group's inline and
 * attached; then the boundary). */
static int build_auth(const struct iam_db *db, void **ret_data, size_t *ret_size,
                      struct iam_error *reterr) {
    struct iam_auth_user *users = NULL;
    struct iam_auth_key *keys = NULL;
    struct iam_auth_tag *tags = NULL;
    const char **gnames = NULL;
    struct iam_auth_policy *pols = NULL;
    char **ids = NULL;
    size_t n_ids = 0, nk = 0, nt = 0, ng = 0, np = 0, ik = 0, it = 0, ig = 0, ip = 0;
    int r = -ENOMEM;

    for (size_t i = 0; i < db->n_users; i++) {
        const struct iam_db_user *u = &db->users[i];
        nk += u->n_keys;
        nt += u->n_tags;
        ng += u->n_groups;
        np += u->n_inline + u->n_attached + (u->boundary ? 1 : 0);
        for (size_t g = 0; g < u->n_groups; g++)
            np += u->groups[g]->n_inline + u->groups[g]->n_attached;
    }
    users = calloc(db->n_users ? db->n_users : 1, sizeof(*users));
    keys = calloc(nk ? nk : 1, sizeof(*keys));
    tags = calloc(nt ? nt : 1, sizeof(*tags));
    gnames = calloc(ng ? ng : 1, sizeof(*gnames));
    pols = calloc(np ? np : 1, sizeof(*pols));
    if (!users || !keys || !tags || !gnames || !pols) {
        r = set_oom(reterr);
        goto out;
    }
    for (size_t i = 0; i < db->n_users; i++) {
        const struct iam_db_user *u = &db->users[i];
        struct iam_auth_user *a = &users[i];

        a->name = u->name;
        a->user_id = u->id;
        a->arn = u->arn;
        a->password_hash = u->login_profile ? u->login_profile->password_hash : NULL;
        a->password_reset_required =
            u->login_profile ? u->login_profile->password_reset_required : false;
        a->keys = keys + ik;
        for (size_t k = 0; k < u->n_keys; k++, ik++) {
            int64_t t = 0;
            keys[ik].id = u->keys[k].id;
            keys[ik].active = u->keys[k].active;
            if (iam_db_parse_time(u->keys[k].create_date, &t) < 0) {
                iam_error_set(reterr, 0, 0, 0, "access key %s: bad CreateDate", u->keys[k].id);
                r = -EINVAL;
                goto out;
            }
            keys[ik].create_date = t;
            keys[ik].secret_hash = u->keys[k].secret_hash;
        }
        a->n_keys = u->n_keys;
        a->tags = tags + it;
        for (size_t k = 0; k < u->n_tags; k++, it++) {
            tags[it].key = u->tags[k].key;
            tags[it].value = u->tags[k].value;
        }
        a->n_tags = u->n_tags;
        a->groups = gnames + ig;
        for (size_t g = 0; g < u->n_groups; g++)
            gnames[ig++] = u->groups[g]->name;
        a->n_groups = u->n_groups;
        a->policies = pols + ip;
        {
            size_t n = 0;
            struct iam_auth_policy *p = pols + ip;
            for (size_t k = 0; k < u->n_inline; k++) {
                const char *id =
                    inline_id(&ids, &n_ids, "user", u->name, u->inline_policies[k].name);
                if (!id) {
                    r = set_oom(reterr);
                    goto out;
                }
                add_policy(p, &n, IAM_AUTH_POLICY_IDENTITY, "user", id,
                           u->inline_policies[k].document);
            }
            for (size_t k = 0; k < u->n_attached; k++)
                add_policy(p, &n, IAM_AUTH_POLICY_IDENTITY, "managed", u->attached[k].policy->arn,
                           u->attached[k].policy->default_version->document);
            for (size_t g = 0; g < u->n_groups; g++) {
                const struct iam_db_group *grp = u->groups[g];
                for (size_t k = 0; k < grp->n_inline; k++) {
                    const char *id =
                        inline_id(&ids, &n_ids, "group", grp->name, grp->inline_policies[k].name);
                    if (!id) {
                        r = set_oom(reterr);
                        goto out;
                    }
                    add_policy(p, &n, IAM_AUTH_POLICY_IDENTITY, "group", id,
                               grp->inline_policies[k].document);
                }
                for (size_t k = 0; k < grp->n_attached; k++)
                    add_policy(p, &n, IAM_AUTH_POLICY_IDENTITY, "managed",
                               grp->attached[k].policy->arn,
                               grp->attached[k].policy->default_version->document);
            }
            if (u->boundary)
                add_policy(p, &n, IAM_AUTH_POLICY_BOUNDARY, "boundary", u->boundary->arn,
                           u->boundary->default_version->document);
            a->n_policies = n;
            ip += n;
        }
    }
    r = iam_auth_cache_build(users, db->n_users, db->serial, ret_data, ret_size, reterr);
out:
    for (size_t i = 0; i < n_ids; i++)
        free(ids[i]);
    free(ids);
    free(users);
    free(keys);
    free(tags);
    free(gnames);
    free(pols);
    return r;
}

int iam_compile_caches(const struct iam_config *config, const struct iam_db *db,
                       struct iam_error *reterr) {
    void *nss = NULL, *auth = NULL;
    size_t nss_len = 0, auth_len = 0;
    int r;

    if (!config || !db)
        return -EINVAL;
    /* build both images first: a database that one of them refuses changes neither cache */
    r = build_nss(config, db, &nss, &nss_len, reterr);
    if (r < 0)
        goto out;
    r = build_auth(db, &auth, &auth_len, reterr);
    if (r < 0)
        goto out;
    /* both at once, as one generation (caches.h): no reader sees one without the other */
    r = iam_caches_install(config->cache_dir, nss, nss_len, auth, auth_len, NULL, reterr);
out:
    if (auth)
        sodium_memzero(auth, auth_len); /* holds secret hashes */
    free(auth);
    free(nss);
    return r;
}
