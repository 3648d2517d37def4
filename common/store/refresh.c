/* SPDX-License-Identifier: Apache-2.0 */
/* The incremental refresh of the caches after a write (iam/store_compile.h): the current
 * generation's caches with the few users and groups a write changed put in, instead of a
 * compile of the whole account.
 *
 * What makes it the same as a compile: the caches are functions of their entries and their
 * seeds (iam_nss_cache_build_seeded, iam_auth_cache_build_keyed), every compile keeps the
 * seeds of the generation it replaces, and a generation carries a state file saying which
 * Serial it is the compile of and with which settings of iam.conf. When the current one is
 * the compile of the Serial just before this write's, its entries are this account's but for
 * what the write changed (iam_store_changes()); those are read from the store -- by running
 * the compile's own loader (load.c) with its tables shadowed by temporary views of just the
 * changed rows, so there is one loader -- and put in place of their namesakes, or after
 * everyone else when they are new (a rowid above every one the state remembers: the
 * compile's order is rowid order). Anything else (a rename, a delete, a managed policy's
 * edit, a state that does not match, too many changes, a damaged previous cache) goes to
 * the whole compile. The iamctl_refresh test checks, over random sequences of verbs, that both
 * ways give the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "compile_private.h"
#include "iam/caches.h"
#include "iam/ssh_keys.h"
#include "iam_cache_dir.h"

/* Users and groups a write may change and still be refreshed in place; beyond, a compile. */
#define CM_REFRESH_MAX 4096

/* ---- the state file and the previous generation ------------------------------------------ */

size_t cm_state_format(const struct cm_state *s, char out[CM_STATE_MAX]) {
    int n = snprintf(out, CM_STATE_MAX,
                     "iam-compile-state 1\nserial %llu\nconfig %s\nmax_user %lld\n"
                     "max_group %lld\n",
                     (unsigned long long)s->serial, s->config, (long long)s->max_user,
                     (long long)s->max_group);

    return n > 0 && n < CM_STATE_MAX ? (size_t)n : 0;
}

/* The value of "key " on a line of its own in text, as a number: 0, or -EINVAL. */
static int state_num(const char *text, const char *key, int64_t *ret) {
    size_t len = strlen(key);
    const char *p = text;
    char *end = NULL;
    unsigned long long v;

    while (p && strncmp(p, key, len) != 0)
        p = (p = strchr(p, '\n')) ? p + 1 : NULL;
    if (!p || p[len] != ' ' || p[len + 1] < '0' || p[len + 1] > '9')
        return -EINVAL;
    errno = 0;
    v = strtoull(p + len + 1, &end, 10);
    if (errno || *end != '\n' || v > INT64_MAX)
        return -EINVAL;
    *ret = (int64_t)v;
    return 0;
}

static bool state_parse(const char *text, struct cm_state *s) {
    static const char magic[] = "iam-compile-state 1\n";
    const char *cfg = strstr(text, "\nconfig ");
    int64_t serial;

    if (strncmp(text, magic, sizeof(magic) - 1) != 0 || !cfg ||
        strspn(cfg + 8, "0123456789abcdef") != 64 || cfg[8 + 64] != '\n' ||
        state_num(text, "serial", &serial) < 0 || state_num(text, "max_user", &s->max_user) < 0 ||
        state_num(text, "max_group", &s->max_group) < 0)
        return false;
    s->serial = (uint64_t)serial;
    memcpy(s->config, cfg + 8, 64);
    s->config[64] = '\0';
    return true;
}

/* The settings of iam.conf that shape nss.cache (homes, shells, primary groups, private
 * groups), and the caches' format versions. */
void cm_config_fingerprint(const struct iam_config *config, char out[2 * 32 + 1]) {
    crypto_generichash_state h;
    uint8_t sum[32];
    char text[64];

    crypto_generichash_init(&h, NULL, 0, sizeof(sum));
    snprintf(text, sizeof(text), "auth %u private_groups %d default_gid %u",
             IAM_AUTH_CACHE_VERSION, config->private_groups ? 1 : 0, config->default_gid);
    crypto_generichash_update(&h, (const uint8_t *)text, strlen(text) + 1);
    crypto_generichash_update(&h, (const uint8_t *)config->default_shell,
                              strlen(config->default_shell) + 1);
    crypto_generichash_update(&h, (const uint8_t *)config->home_template,
                              strlen(config->home_template) + 1);
    crypto_generichash_final(&h, sum, sizeof(sum));
    sodium_bin2hex(out, 2 * 32 + 1, sum, sizeof(sum));
}

/* A file of the generation, ours (owner, a regular file, not writable by others), mapped;
 * with ret_copy, mapped a second time, privately writable (its pages are copied when written,
 * the file is never changed). */
static void *map_file(int gfd, const char *name, size_t *ret_len, void **ret_copy) {
    int fd = openat(gfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    void *p = NULL;

    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        !(st.st_mode & 022) && st.st_size > 0 && (uint64_t)st.st_size <= SIZE_MAX) {
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
            p = NULL;
        else
            *ret_len = (size_t)st.st_size;
        if (p && ret_copy) {
            *ret_copy = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
            if (*ret_copy == MAP_FAILED)
                *ret_copy = NULL;
        }
    }
    close(fd);
    return p;
}

void cm_prev_open(const char *cache_dir, struct cm_prev *ret) {
    char cur[IAM_CACHE_GEN_NAME_LEN + 2], text[CM_STATE_MAX];
    int dfd, gfd = -1, sfd;
    uint64_t n;
    ssize_t len;

    memset(ret, 0, sizeof(*ret));
    dfd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return;
    len = readlinkat(dfd, IAM_CACHE_CURRENT, cur, sizeof(cur));
    if (len > 0 && iam_cache_gen_parse(cur, (size_t)len, &n)) {
        memcpy(ret->name, cur, (size_t)len);
        ret->name[len] = '\0';
        gfd = openat(dfd, ret->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (gfd >= 0) {
        ret->nss = map_file(gfd, IAM_CACHE_NSS_NAME, &ret->nss_len, &ret->nss_copy);
        ret->auth = map_file(gfd, IAM_CACHE_AUTH_NAME, &ret->auth_len, &ret->auth_copy);
        sfd = openat(gfd, IAM_CACHES_STATE_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (sfd >= 0) {
            ssize_t k = read(sfd, text, sizeof(text) - 1);
            if (k > 0) {
                text[k] = '\0';
                ret->has_state = state_parse(text, &ret->state);
            }
            close(sfd);
        }
        close(gfd);
    }
    close(dfd);
}

void cm_prev_close(struct cm_prev *p) {
    if (p->nss)
        munmap(p->nss, p->nss_len);
    if (p->nss_copy)
        munmap(p->nss_copy, p->nss_len);
    if (p->auth)
        munmap(p->auth, p->auth_len);
    if (p->auth_copy)
        munmap(p->auth_copy, p->auth_len);
    memset(p, 0, sizeof(*p));
}

/* ---- the changed rows, through the compile's loader ------------------------------------- */

/* Temporary tables of the selected users and groups, and views that shadow the tables the
 * loader reads (unqualified names find temp's first) with just their rows. All of it is
 * undone by rolling back to the savepoint (temporary schema is transactional). */
static const char sel_schema[] =
    "CREATE TEMP TABLE cm_sel_u (id INTEGER PRIMARY KEY);"
    "CREATE TEMP TABLE cm_sel_g (id INTEGER PRIMARY KEY);";
static const char sel_views[] =
    "INSERT OR IGNORE INTO temp.cm_sel_g SELECT grp FROM main.memberships"
    "  WHERE user IN (SELECT id FROM temp.cm_sel_u);"
    "CREATE TEMP VIEW identities AS SELECT * FROM main.identities"
    "  WHERE id IN (SELECT id FROM temp.cm_sel_u UNION ALL SELECT id FROM temp.cm_sel_g);"
    "CREATE TEMP VIEW memberships AS SELECT * FROM main.memberships"
    "  WHERE user IN (SELECT id FROM temp.cm_sel_u);"
    "CREATE TEMP VIEW access_keys AS SELECT * FROM main.access_keys"
    "  WHERE user IN (SELECT id FROM temp.cm_sel_u);"
    "CREATE TEMP VIEW ssh_keys AS SELECT * FROM main.ssh_keys"
    "  WHERE user IN (SELECT id FROM temp.cm_sel_u);"
    "CREATE TEMP VIEW tags AS SELECT * FROM main.tags"
    "  WHERE identity IN (SELECT id FROM temp.cm_sel_u);"
    "CREATE TEMP VIEW login_profiles AS SELECT * FROM main.login_profiles"
    "  WHERE user IN (SELECT id FROM temp.cm_sel_u);"
    "CREATE TEMP VIEW mfa_devices AS SELECT * FROM main.mfa_devices"
    "  WHERE user IN (SELECT id FROM temp.cm_sel_u);"
    "CREATE TEMP VIEW inline_policies AS SELECT * FROM main.inline_policies"
    "  WHERE identity IN (SELECT id FROM temp.cm_sel_u UNION ALL SELECT id FROM temp.cm_sel_g);"
    "CREATE TEMP VIEW attachments AS SELECT * FROM main.attachments"
    "  WHERE identity IN (SELECT id FROM temp.cm_sel_u UNION ALL SELECT id FROM temp.cm_sel_g);"
    "CREATE TEMP VIEW policies AS SELECT * FROM main.policies"
    "  WHERE id IN (SELECT policy FROM main.attachments WHERE identity IN"
    "    (SELECT id FROM temp.cm_sel_u UNION ALL SELECT id FROM temp.cm_sel_g))"
    "  OR id IN (SELECT boundary FROM main.identities WHERE id IN"
    "    (SELECT id FROM temp.cm_sel_u));";

static int add_ids(struct iam_store *st, const char *sql, const struct iam_store_ids *ids) {
    for (size_t i = 0; i < ids->n; i++) {
        sqlite3_stmt *s = st_stmt(st, sql);
        int r;

        if (!s)
            return -EIO;
        st_bind_int(s, 1, ids->v[i]);
        if ((r = st_step_done(st, s, "selecting what changed")) < 0)
            return r;
    }
    return 0;
}

/* The members of group rowid g as nss.cache lists them (in user order), into the model. */
static int group_members(struct iam_store *st, struct cmodel *m, int64_t g, const char ***ret,
                         size_t *ret_n) {
    static const char sql[] = "SELECT i.name FROM main.memberships ms"
                              " JOIN main.identities i ON i.id = ms.user"
                              " WHERE ms.grp = ? ORDER BY ms.user";
    sqlite3_stmt *s = st_stmt(st, sql);
    const char **names = NULL;
    size_t n = 0, cap = 0;
    int r;

    if (!s)
        return -EIO;
    st_bind_int(s, 1, g);
    while ((r = st_step(st, s, "reading a group's members")) > 0) {
        if (n == cap) {
            const char **nn = reallocarray(names, cap = cap ? cap * 2 : 16, sizeof(*nn));
            if (!nn) {
                r = -ENOMEM;
                break;
            }
            names = nn;
        }
        if (!(names[n++] = cm_strdup(m, st_col_text(s, 0)))) {
            r = -ENOMEM;
            break;
        }
    }
    sqlite3_reset(s);
    if (r < 0) {
        free(names);
        return r;
    }
    *ret = names;
    *ret_n = n;
    return 0;
}

/* The changed nss groups' member lists, in changes->nss_groups order. */
struct member_lists {
    const char ***names;
    size_t *n;
    size_t count;
};

static void member_lists_free(struct member_lists *ml) {
    for (size_t i = 0; ml->names && i < ml->count; i++)
        free(ml->names[i]);
    free(ml->names);
    free(ml->n);
    memset(ml, 0, sizeof(*ml));
}

/* Select, load (the compile's loader on the views), and read the changed groups' members;
 * then the views are gone again. 1: not possible this way. */
static int load_changed(struct iam_store *st, const struct iam_store_changes *ch,
                        struct cmodel *m, struct member_lists *ml) {
    static const char add_u[] = "INSERT OR IGNORE INTO temp.cm_sel_u VALUES (?)";
    static const char add_g[] = "INSERT OR IGNORE INTO temp.cm_sel_g VALUES (?)";
    static const char add_members[] =
        "INSERT OR IGNORE INTO temp.cm_sel_u SELECT user FROM main.memberships WHERE grp = ?";
    size_t n_sel = 0;
    int r, e;

    memset(m, 0, sizeof(*m));
    if ((r = st_exec(st, "SAVEPOINT cm_refresh")) < 0)
        return r;
    if ((r = st_exec(st, sel_schema)) < 0 || (r = add_ids(st, add_u, &ch->users)) < 0 ||
        (r = add_ids(st, add_u, &ch->nss_users)) < 0 ||
        (r = add_ids(st, add_members, &ch->groups)) < 0 ||
        (r = add_ids(st, add_g, &ch->groups)) < 0 || (r = add_ids(st, add_g, &ch->nss_groups)) < 0 ||
        (r = cm_count_rows(st, "SELECT count(*) FROM temp.cm_sel_u", &n_sel)) < 0)
        goto out;
    if (n_sel > CM_REFRESH_MAX) {
        r = 1;
        goto out;
    }
    if ((r = st_exec(st, sel_views)) < 0 || (r = cm_load(st, m)) < 0)
        goto out;
    if (m->n_users != n_sel) { /* a user that changed is gone (deleted) */
        r = 1;
        goto out;
    }
    ml->count = ch->nss_groups.n;
    ml->names = calloc(ml->count + 1, sizeof(*ml->names));
    ml->n = calloc(ml->count + 1, sizeof(*ml->n));
    if (!ml->names || !ml->n) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < ml->count; i++) {
        if (cm_group_index(m, ch->nss_groups.v[i]) == SIZE_MAX) { /* a deleted group */
            r = 1;
            goto out;
        }
        if ((r = group_members(st, m, ch->nss_groups.v[i], &ml->names[i], &ml->n[i])) < 0)
            goto out;
    }
    r = 0;
out:
    /* the views and tables go with the savepoint, whatever happened */
    e = st_exec(st, "ROLLBACK TO cm_refresh");
    if (e == 0)
        e = st_exec(st, "RELEASE cm_refresh");
    if (e < 0)
        r = e; /* never 1: the whole compile must not run with the views in place */
    if (r != 0) {
        cm_free(m);
        member_lists_free(ml);
    }
    return r;
}

/* ---- the new images --------------------------------------------------------------------------- */

/* A small table of names (the changed users', or groups'): index + 1 by name, 0 absent. */
struct name_tab {
    const char **names;
    uint32_t *slots;
    size_t n_slots;
};

static uint64_t name_hash(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static int name_tab_init(struct name_tab *t, const char **names, size_t n) {
    t->names = names;
    t->n_slots = 8;
    while (t->n_slots < 2 * n)
        t->n_slots *= 2;
    t->slots = calloc(t->n_slots, sizeof(*t->slots));
    if (!t->slots)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t j = name_hash(names[i]) & (t->n_slots - 1);
        while (t->slots[j])
            j = (j + 1) & (t->n_slots - 1);
        t->slots[j] = (uint32_t)i + 1;
    }
    return 0;
}

static size_t name_tab_find(const struct name_tab *t, const char *name) {
    for (size_t j = name_hash(name) & (t->n_slots - 1); t->slots[j]; j = (j + 1) & (t->n_slots - 1))
        if (strcmp(t->names[t->slots[j] - 1], name) == 0)
            return t->slots[j] - 1;
    return SIZE_MAX;
}

/* nss.cache patched (iam_nss_cache_patch): the changed users and groups written into the
 * previous image, new users after the others, new groups after the previous IAM groups (before
 * the private groups, which follow the users), as the compile orders them. 1: not possible
 * this way (the caller builds it whole). */
static int patch_nss(const struct iam_config *config, const struct cm_prev *prev,
                     const struct iam_store_changes *ch, const struct cmodel *m,
                     const struct member_lists *ml, char *const *homes, void **ret,
                     size_t *ret_len, struct iam_error *reterr) {
    size_t n_groups = 0, old_users, old_groups, n_iam;
    struct iam_nss_user *users = calloc(m->n_users + 1, sizeof(*users));
    bool *user_new = calloc(m->n_users + 1, sizeof(*user_new));
    struct iam_nss_group *groups = calloc(ml->count + m->n_users + 1, sizeof(*groups));
    bool *group_new = calloc(ml->count + m->n_users + 1, sizeof(*group_new));
    uint32_t *group_at = calloc(ml->count + m->n_users + 1, sizeof(*group_at));
    struct iam_nss_patch patch;
    int r = 1;

    if (!users || !user_new || !groups || !group_new || !group_at) {
        r = -ENOMEM;
        goto out;
    }
    if (iam_nss_cache_counts(prev->nss, prev->nss_len, &old_users, &old_groups) < 0)
        goto out;
    n_iam = old_groups;
    if (config->private_groups) {
        if (old_groups < old_users)
            goto out;
        n_iam -= old_users;
    }
    for (size_t i = 0; i < m->n_users; i++) {
        cm_nss_user(config, &m->users[i], homes[i], &users[i]);
        user_new[i] = m->users[i].rowid > prev->state.max_user;
    }
    for (size_t k = 0; k < ml->count; k++) {
        const struct cm_group *g = &m->groups[cm_group_index(m, ch->nss_groups.v[k])];

        groups[n_groups] = (struct iam_nss_group){
            .name = g->name, .gid = (gid_t)g->gid, .members = ml->names[k], .n_members = ml->n[k]};
        group_new[n_groups] = g->rowid > prev->state.max_group;
        group_at[n_groups++] = (uint32_t)n_iam;
    }
    /* the private groups of new users, after everyone's */
    for (size_t i = 0; config->private_groups && i < m->n_users; i++)
        if (user_new[i]) {
            groups[n_groups] = (struct iam_nss_group){.name = users[i].name,
                                                      .gid = (gid_t)users[i].uid};
            group_new[n_groups] = true;
            group_at[n_groups++] = (uint32_t)old_groups;
        }
    patch = (struct iam_nss_patch){.users = users,
                                   .n_users = m->n_users,
                                   .user_is_new = user_new,
                                   .groups = groups,
                                   .n_groups = n_groups,
                                   .group_is_new = group_new,
                                   .group_at = group_at};
    if (!prev->nss_copy)
        goto out;
    r = iam_nss_cache_patch(prev->nss, prev->nss_len, prev->nss_copy, &patch, reterr);
    if (r == 0) {
        *ret = prev->nss_copy; /* installed from there; unmapped with prev */
        *ret_len = prev->nss_len;
    } else if (r != -ENOMEM) {
        r = 1; /* the whole build says what is wrong */
    }
out:
    free(users);
    free(user_new);
    free(groups);
    free(group_new);
    free(group_at);
    return r;
}

/* nss.cache: the previous one's entries with the changed users and groups put in. 1: not
 * possible this way (a user or group renamed: its rowid is old, its name is not). */
static int refresh_nss(const struct iam_config *config, const struct cm_prev *prev,
                       const struct iam_store_changes *ch, const struct cmodel *m,
                       const struct member_lists *ml, void **ret, size_t *ret_len,
                       int *ret_way, struct iam_error *reterr) {
    struct iam_nss_decoded d = {0};
    struct iam_nss_user *users = NULL;
    struct iam_nss_group *groups = NULL;
    const char **unames = calloc(m->n_users + 1, sizeof(*unames));
    const char **gnames = calloc(ml->count + 1, sizeof(*gnames));
    char **homes = calloc(m->n_users + 1, sizeof(*homes));
    struct name_tab ut = {0}, gt = {0};
    size_t n_users = 0, n_groups = 0, n_iam, found_u = 0, found_g = 0, old_u = 0, old_g = 0;
    int r;

    if (!unames || !gnames || !homes) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < m->n_users; i++)
        if (!m->users[i].home && !(homes[i] = iam_config_home_for(config, m->users[i].name))) {
            r = -ENOMEM;
            goto out;
        }
    /* patched when it can be; else built whole from the previous image's entries */
    r = patch_nss(config, prev, ch, m, ml, homes, ret, ret_len, reterr);
    if (r <= 0) {
        *ret_way = 1;
        goto out;
    }
    *ret_way = 2;
    iam_error_init(reterr);
    if (iam_nss_cache_decode(prev->nss, prev->nss_len, &d, reterr) < 0) {
        r = 1;
        goto out;
    }
    n_iam = d.n_groups;
    if (config->private_groups) {
        if (d.n_groups < d.n_users) {
            r = 1;
            goto out;
        }
        n_iam -= d.n_users;
    }
    for (size_t i = 0; i < m->n_users; i++) {
        unames[i] = m->users[i].name;
        if (m->users[i].rowid <= prev->state.max_user)
            old_u++;
    }
    for (size_t i = 0; i < ml->count; i++) {
        const struct cm_group *g = &m->groups[cm_group_index(m, ch->nss_groups.v[i])];
        gnames[i] = g->name;
        if (g->rowid <= prev->state.max_group)
            old_g++;
    }
    users = calloc(d.n_users + m->n_users + 1, sizeof(*users));
    groups = calloc(n_iam + ml->count + d.n_users + m->n_users + 1, sizeof(*groups));
    if (!users || !groups || name_tab_init(&ut, unames, m->n_users) < 0 ||
        name_tab_init(&gt, gnames, ml->count) < 0) {
        r = -ENOMEM;
        goto out;
    }
    /* users: the old ones, changed ones in their place; then the new ones */
    for (size_t i = 0; i < d.n_users; i++) {
        size_t k = name_tab_find(&ut, d.users[i].name);
        if (k != SIZE_MAX && m->users[k].rowid <= prev->state.max_user) {
            cm_nss_user(config, &m->users[k], homes[k], &users[n_users++]);
            found_u++;
        } else if (k != SIZE_MAX) {
            r = 1; /* a new user of an old user's name */
            goto out;
        } else {
            users[n_users++] = d.users[i];
        }
    }
    for (size_t k = 0; k < m->n_users; k++)
        if (m->users[k].rowid > prev->state.max_user)
            cm_nss_user(config, &m->users[k], homes[k], &users[n_users++]);
    /* groups likewise, each changed one with its members as they are now */
    for (size_t i = 0; i < n_iam; i++) {
        size_t k = name_tab_find(&gt, d.groups[i].name);
        const struct cm_group *g =
            k == SIZE_MAX ? NULL : &m->groups[cm_group_index(m, ch->nss_groups.v[k])];
        if (g && g->rowid <= prev->state.max_group) {
            groups[n_groups++] = (struct iam_nss_group){.name = g->name,
                                                        .gid = (gid_t)g->gid,
                                                        .members = ml->names[k],
                                                        .n_members = ml->n[k]};
            found_g++;
        } else if (g) {
            r = 1;
            goto out;
        } else {
            groups[n_groups++] = d.groups[i];
        }
    }
    for (size_t k = 0; k < ml->count; k++) {
        const struct cm_group *g = &m->groups[cm_group_index(m, ch->nss_groups.v[k])];
        if (g->rowid > prev->state.max_group)
            groups[n_groups++] = (struct iam_nss_group){.name = g->name,
                                                        .gid = (gid_t)g->gid,
                                                        .members = ml->names[k],
                                                        .n_members = ml->n[k]};
    }
    if (found_u != old_u || found_g != old_g) {
        r = 1; /* renamed, or the previous caches lack one */
        goto out;
    }
    if (config->private_groups)
        for (size_t i = 0; i < n_users; i++)
            groups[n_groups++] =
                (struct iam_nss_group){.name = users[i].name, .gid = (gid_t)users[i].uid};
    r = iam_nss_cache_build_seeded(users, n_users, groups, n_groups, d.seed, ret, ret_len,
                                   reterr);
out:
    for (size_t i = 0; homes && i < m->n_users; i++)
        free(homes[i]);
    free(homes);
    free(unames);
    free(gnames);
    free(ut.slots);
    free(gt.slots);
    free(users);
    free(groups);
    iam_nss_decoded_free(&d);
    return r;
}

static char *adup(struct iam_arena *a, const char *s) {
    return s ? iam_arena_strndup(a, s, strlen(s)) : NULL;
}

/* ssh_keys.cache from the store (its Active keys, every user's: few rows, an index walk),
 * as the compile builds it from the whole model. */
static int refresh_ssh_keys(struct iam_store *st, uint64_t serial, void **ret, size_t *ret_len,
                            struct iam_error *reterr) {
    static const char sql[] = "SELECT k.user, i.name, i.posix_id, k.ssh_key_id, k.body"
                              " FROM main.ssh_keys k JOIN main.identities i ON i.id = k.user"
                              " WHERE k.status = 'Active' AND i.kind = 1 ORDER BY k.user, k.id";
    struct iam_ssh_keys_user *users = NULL;
    struct iam_ssh_key_entry *keys = NULL;
    struct iam_arena arena = IAM_ARENA_INIT(64u * 1024u);
    size_t n_users = 0, n_keys = 0, cap = 0;
    int64_t last = 0;
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    while ((r = st_step(st, s, "reading SSH public keys")) > 0) {
        const char *body = st_col_text(s, 4);
        char fp[64];
        struct iam_ssh_key_entry *k;

        if (n_keys == cap) {
            struct iam_ssh_key_entry *nk = reallocarray(keys, cap = cap ? cap * 2 : 64,
                                                        sizeof(*nk));
            struct iam_ssh_keys_user *nu = reallocarray(users, cap, sizeof(*nu));
            if (nk)
                keys = nk;
            if (nu)
                users = nu;
            if (!nk || !nu) {
                r = -ENOMEM;
                break;
            }
        }
        if (!body || iam_ssh_key_fingerprint(body, strlen(body), fp) < 0) {
            r = st_fail(st, -EBADMSG, "SSH public key %.32s: not an OpenSSH public key",
                        st_col_text(s, 3) ? st_col_text(s, 3) : "?");
            break;
        }
        k = &keys[n_keys++];
        k->id = adup(&arena, st_col_text(s, 3));
        k->body = adup(&arena, body);
        k->fingerprint = adup(&arena, fp);
        if (!k->id || !k->body || !k->fingerprint) {
            r = -ENOMEM;
            break;
        }
        if (n_users == 0 || sqlite3_column_int64(s, 0) != last) {
            last = sqlite3_column_int64(s, 0);
            users[n_users++] = (struct iam_ssh_keys_user){
                .name = adup(&arena, st_col_text(s, 1)),
                .uid = (uint32_t)sqlite3_column_int64(s, 2)};
            if (!users[n_users - 1].name) {
                r = -ENOMEM;
                break;
            }
        }
        users[n_users - 1].n_keys++;
    }
    sqlite3_reset(s);
    if (r == 0) {
        /* the keys of each user are contiguous (ordered by user): point at them */
        for (size_t i = 0, k = 0; i < n_users; k += users[i].n_keys, i++)
            users[i].keys = keys + k;
        r = iam_ssh_keys_cache_build(users, n_users, serial, ret, ret_len, reterr);
    } else if (r == -ENOMEM) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
    } else {
        *reterr = *iam_store_error(st);
    }
    free(users);
    free(keys);
    iam_arena_free(&arena);
    return r;
}

/* The refresh proper: 0 or -errno as iam_store_compile(), 1 when it takes a whole compile
 * (*why says why). */
static int refresh(struct iam_store *st, const struct iam_config *config,
                   const struct iam_store_changes *ch, uint64_t serial, const struct cm_prev *prev,
                   const char **why, int *nss_way, struct iam_error *reterr) {
    struct cmodel m;
    struct member_lists ml = {0};
    struct cm_auth a = {0};
    struct iam_cache_images img = {0};
    struct cm_state state;
    struct iam_caches_set set;
    char fp[2 * 32 + 1], text[CM_STATE_MAX];
    size_t n_new = 0, n_appended = 0;
    int r;

    *why = ch->all || ch->policies.n ? "the change reaches every user or a managed policy"
           : !prev->nss || !prev->auth || !prev->has_state
               ? "no previous caches with a compile state"
           : prev->state.serial + 1 != serial ? "the previous caches are not of the Serial before"
           : ch->users.n + ch->nss_users.n + ch->groups.n + ch->nss_groups.n > CM_REFRESH_MAX
               ? "too many changes"
               : NULL;
    if (*why)
        return 1;
    cm_config_fingerprint(config, fp);
    if (strcmp(fp, prev->state.config) != 0) {
        *why = "iam.conf changed since the previous caches";
        return 1;
    }
    *why = "a user or group that changed is gone, or too many changed";
    if ((r = load_changed(st, ch, &m, &ml)) != 0)
        return r > 0 ? 1 : r;
    state = prev->state;
    state.serial = serial;
    for (size_t i = 0; i < m.n_users; i++)
        if (m.users[i].rowid > prev->state.max_user) {
            n_new++;
            if (m.users[i].rowid > state.max_user)
                state.max_user = m.users[i].rowid;
        }
    for (size_t i = 0; i < m.n_groups; i++)
        if (m.groups[i].rowid > state.max_group)
            state.max_group = m.groups[i].rowid;
    r = 1;
    *why = "auth.cache could not be patched";
    if (m.serial != serial || !prev->auth_copy || cm_auth_users(&m, &a, reterr) < 0 ||
        iam_auth_cache_patch(prev->auth, prev->auth_copy, prev->auth_len, a.users, m.n_users,
                             serial, &n_appended, reterr) != 0 ||
        n_appended != n_new)
        goto out;
    img.auth = prev->auth_copy; /* patched in place; installed from there, unmapped with prev */
    img.auth_len = prev->auth_len;
    *why = "nss.cache could not be remade (a rename?)";
    if ((ch->nss_users.n || ch->nss_groups.n || n_new) &&
        refresh_nss(config, prev, ch, &m, &ml, &img.nss, &img.nss_len, nss_way, reterr) != 0)
        goto out;
    /* an nss.cache linked into the next generation is checked first: a damaged one is made
     * again (by the whole compile), never carried on */
    *why = "the previous nss.cache is damaged";
    if (!img.nss && iam_nss_cache_check(prev->nss, prev->nss_len, reterr) < 0)
        goto out;
    *why = NULL;
    if (refresh_ssh_keys(st, serial, &img.ssh_keys, &img.ssh_keys_len, reterr) < 0) {
        r = -EIO;
        goto out;
    }
    img.serial = serial;
    set = (struct iam_caches_set){.nss = img.nss,
                                  .nss_len = img.nss_len,
                                  .auth = img.auth,
                                  .auth_len = img.auth_len,
                                  .state = text,
                                  .state_len = cm_state_format(&state, text),
                                  .from = prev->name,
                                  .nss_prev = prev->nss,
                                  .nss_prev_len = prev->nss_len,
                                  .auth_prev = prev->auth,
                                  .auth_prev_len = prev->auth_len};
    r = iam_caches_install_set(config->cache_dir, &set, NULL, reterr);
    if (r == -ESTALE) {
        *why = "another install came in between";
        r = 1;
        goto out;
    }
    r = cm_finish_install(config, r, &img, reterr);
out:
    if (img.nss == prev->nss_copy)
        img.nss = NULL; /* the patched mapping: prev unmaps it */
    if (img.auth == prev->auth_copy)
        img.auth = NULL;
    iam_cache_images_free(&img);
    cm_auth_free(&a);
    member_lists_free(&ml);
    cm_free(&m);
    return r;
}

int iam_store_refresh(struct iam_store *st, const struct iam_config *config,
                      const struct iam_store_changes *changes, uint64_t serial,
                      const char **ret_how, struct iam_error *reterr) {
    struct cm_prev prev;
    const char *why = NULL;
    int nss_way = 0, r; /* nss.cache: 0 unchanged, 1 patched, 2 built whole */

    cm_prev_open(config->cache_dir, &prev);
    r = refresh(st, config, changes, serial, &prev, &why, &nss_way, reterr);
    cm_prev_close(&prev);
    if (ret_how)
        *ret_how = r == 1         ? why
                   : nss_way == 1 ? "incremental, nss.cache patched"
                   : nss_way == 2 ? "incremental, nss.cache rebuilt"
                                  : "incremental";
    if (r == 1) {
        iam_error_init(reterr);
        r = iam_store_compile(st, config, reterr);
    }
    return r;
}
