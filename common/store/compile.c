/* SPDX-License-Identifier: Apache-2.0 */
/* The host caches from the store: the model (load.c) into nss.cache and auth.cache. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compile_private.h"
#include "iam/caches.h"
#include "iam/host_ids.h"
#include "iam/nss_cache.h"
#include "iam/ssh_keys.h"
#include "iam/store_compile.h"


/* The compile's memory: the model and the images, about 200 MB at 100,000 users, all of it
 * written once. Taken a page at a time (glibc maps each large block on its own) that is
 * 50,000 page faults, a third of the compile's time. Instead every block comes from the one
 * heap (one arena: the nss.cache thread's too), grown well ahead, and that heap is given
 * transparent huge pages where the kernel offers them (madvise mode): 2 MB per fault. What
 * is freed stays in the heap until a malloc_trim (the compile's own, the import's): the
 * process ends soon after. A heap that is not brk's (another allocator, such as a
 * sanitizer's) is left alone. */
#define CM_HEAP_PAD (256u << 20)
#define CM_HUGE_PAGE (2u << 20)

void iam_store_heap_for_bulk(void) {
    static uintptr_t first; /* where the heap ended at the first call */
    uintptr_t lo, hi, start;
    void *p;

    (void)mallopt(M_ARENA_MAX, 1);
    (void)mallopt(M_MMAP_THRESHOLD, 512 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, 512 << 20);
    (void)mallopt(M_TOP_PAD, (int)CM_HEAP_PAD);
    /* a block the heap has no room for makes it grow by the pad; everything above where it
     * ended at the first call is advised (again: a malloc_trim since may have given the top
     * back, and the heap grown again since without the advice) */
    lo = (uintptr_t)sbrk(0);
    p = malloc(1u << 20);
    hi = (uintptr_t)sbrk(0);
    if (lo != (uintptr_t)-1 && !first)
        first = lo;
    if (p && first && hi != (uintptr_t)-1 && hi > first) {
        start = (first + CM_HUGE_PAGE - 1) & ~(uintptr_t)(CM_HUGE_PAGE - 1);
        if (hi > start + CM_HUGE_PAGE)
            (void)madvise((void *)start, hi - start, MADV_HUGEPAGE); /* a hint: may fail */
    }
    free(p);
}

static int oom(struct iam_error *reterr) {
    iam_error_set(reterr, 0, 0, 0, "out of memory");
    return -ENOMEM;
}

/* passwd and group entries: every user; every group with its members; with private_groups,
 * one group per user named as the user with gid = uid (Debian's convention). Without private
 * groups a primary gid equal to the uid would name no group: such a user gets default_gid,
 * as iamctl gives new users. */
void cm_nss_user(const struct iam_config *config, const struct cm_user *u, const char *home,
                 struct iam_nss_user *out) {
    *out = (struct iam_nss_user){.name = u->name,
                                 .uid = (uid_t)u->uid,
                                 .gid = (gid_t)u->gid,
                                 .gecos = u->gecos,
                                 .home = u->home ? u->home : home,
                                 .shell = u->shell ? u->shell : config->default_shell};
    if (!config->private_groups && u->gid == u->uid)
        out->gid = (gid_t)config->default_gid;
}

static int build_nss(const struct iam_config *config, const struct cmodel *m, uint64_t seed,
                     void **ret_data, size_t *ret_size, struct iam_error *reterr) {
    struct iam_nss_user *users = calloc(m->n_users + 1, sizeof(*users));
    struct iam_nss_group *groups = calloc(m->n_groups + m->n_users + 1, sizeof(*groups));
    const char **names = calloc(m->n_members + 1, sizeof(*names));
    char **homes = calloc(m->n_users + 1, sizeof(*homes));
    size_t n_groups = 0;
    int r = -ENOMEM;

    if (!users || !groups || !names || !homes) {
        r = oom(reterr);
        goto out;
    }
    for (size_t i = 0; i < m->n_users; i++) {
        const struct cm_user *u = &m->users[i];

        if (!u->home && !(homes[i] = iam_config_home_for(config, u->name))) {
            r = oom(reterr);
            goto out;
        }
        cm_nss_user(config, u, homes[i], &users[i]);
    }
    for (size_t i = 0; i < m->n_members; i++)
        names[i] = m->users[m->members[i]].name;
    for (size_t g = 0; g < m->n_groups; g++)
        groups[n_groups++] = (struct iam_nss_group){.name = m->groups[g].name,
                                                    .gid = (gid_t)m->groups[g].gid,
                                                    .members = names + m->groups[g].members,
                                                    .n_members = m->groups[g].n_members};
    if (config->private_groups)
        for (size_t i = 0; i < m->n_users; i++)
            groups[n_groups++] =
                (struct iam_nss_group){.name = m->users[i].name, .gid = (gid_t)m->users[i].uid};
    r = iam_nss_cache_build_seeded(users, m->n_users, groups, n_groups, seed, ret_data,
                                   ret_size, reterr);
out:
    for (size_t i = 0; homes && i < m->n_users; i++)
        free(homes[i]);
    free(homes);
    free(users);
    free(groups);
    free(names);
    return r;
}

/* The boundary entry of a policy, made on first use. */
static size_t boundary_doc(struct cmodel *m, int64_t policy) {
    size_t p = cm_policy_index(m, policy);
    struct cm_policy *cp;

    if (p == SIZE_MAX)
        return SIZE_MAX;
    cp = &m->policies[p];
    if (cp->boundary == SIZE_MAX)
        cp->boundary = cm_add_doc(m, IAM_AUTH_POLICY_BOUNDARY, "boundary", cp->arn,
                                  m->docs[cp->doc].text);
    return cp->boundary;
}

static void put_doc(struct iam_auth_policy *out, const struct cm_doc *d) {
    *out = (struct iam_auth_policy){.kind = d->kind,
                                    .source_type = d->source_type,
                                    .source_id = d->source_id,
                                    .text = d->text,
                                    .text_len = d->text_len};
}

/* One user's auth entry: keys, tags, group names, and the effective policies in the engine's
 * order (own inline and attached, each group's inline and attached, then the boundary). */
static int fill_auth_user(struct cmodel *m, size_t i, struct iam_auth_user *a,
                          struct iam_auth_key *keys, const char **gnames,
                          struct iam_auth_policy *pols, size_t *ret_np,
                          struct iam_error *reterr) {
    const struct cm_user *u = &m->users[i];
    size_t np = 0;

    *a = (struct iam_auth_user){.name = u->name,
                                .user_id = u->unique_id,
                                .arn = u->arn,
                                .password_hash = u->password_hash,
                                .password_reset_required = u->password_reset_required,
                                .password_expires = u->password_expires,
                                .password_hard_expiry = u->password_hard_expiry,
                                .keys = keys,
                                .n_keys = u->n_keys,
                                .tags = m->tags + u->tags,
                                .n_tags = u->n_tags,
                                .groups = gnames,
                                .n_groups = u->n_groups,
                                .policies = pols,
                                .is_role = u->is_role,
                                .max_session_duration = u->max_session_duration};
    for (size_t k = 0; k < u->n_keys; k++) {
        const struct cm_key *ck = &m->keys[u->keys + k];
        keys[k] = (struct iam_auth_key){.id = ck->id,
                                        .active = ck->active,
                                        .create_date = ck->create_date,
                                        .secret_hash = ck->secret_hash};
    }
    for (size_t k = 0; k < u->n_docs; k++)
        put_doc(&pols[np++], &m->docs[m->user_docs[u->docs + k]]);
    for (size_t g = 0; g < u->n_groups; g++) {
        const struct cm_group *grp = &m->groups[m->user_groups[u->groups + g]];
        gnames[g] = grp->name;
        for (size_t k = 0; k < grp->n_docs; k++)
            put_doc(&pols[np++], &m->docs[m->group_docs[grp->docs + k]]);
    }
    if (u->boundary) {
        size_t d = boundary_doc(m, u->boundary);
        if (d == SIZE_MAX) {
            iam_error_set(reterr, 0, 0, 0, "the permissions boundary of %s \"%.64s\" is "
                          "missing or has no default version", u->is_role ? "role" : "user",
                          u->name);
            return -EBADMSG;
        }
        put_doc(&pols[np++], &m->docs[d]);
    }
    if (u->is_role)
        put_doc(&pols[np++], &m->docs[u->trust]);
    a->n_policies = np;
    *ret_np = np;
    return 0;
}

void cm_auth_free(struct cm_auth *a) {
    free(a->mfa); /* views into the model, which wipes the seeds */
    free(a->users);
    free(a->keys);
    free(a->gnames);
    free(a->pols);
    memset(a, 0, sizeof(*a));
}

int cm_auth_users(struct cmodel *m, struct cm_auth *ret, struct iam_error *reterr) {
    struct iam_auth_mfa *mfa = calloc(m->n_mfa + 1, sizeof(*mfa));
    struct iam_auth_user *users = calloc(m->n_users + 1, sizeof(*users));
    struct iam_auth_key *keys = calloc(m->n_keys + 1, sizeof(*keys));
    const char **gnames = calloc(m->n_user_groups + 1, sizeof(*gnames));
    struct iam_auth_policy *pols = NULL;
    size_t np = 0, ip = 0;
    int r = -ENOMEM;

    for (size_t i = 0; i < m->n_users; i++) {
        const struct cm_user *u = &m->users[i];
        np += u->n_docs + (u->boundary ? 1 : 0) + (u->is_role ? 1 : 0);
        for (size_t g = 0; g < u->n_groups; g++)
            np += m->groups[m->user_groups[u->groups + g]].n_docs;
    }
    pols = calloc(np + 1, sizeof(*pols));
    if (!users || !keys || !gnames || !pols || !mfa) {
        r = oom(reterr);
        goto out;
    }
    for (size_t i = 0; i < m->n_mfa; i++)
        mfa[i] = (struct iam_auth_mfa){.serial = m->mfa[i].serial,
                                       .seed_hex = m->mfa[i].seed_hex,
                                       .not_before = m->mfa[i].not_before,
                                       .drift = m->mfa[i].drift};
    for (size_t i = 0; i < m->n_users; i++) {
        size_t n;
        r = fill_auth_user(m, i, &users[i], keys + m->users[i].keys,
                           gnames + m->users[i].groups, pols + ip, &n, reterr);
        if (r < 0)
            goto out;
        ip += n;
        if (m->users[i].n_mfa) {
            users[i].mfa = mfa + m->users[i].mfa;
            users[i].n_mfa = m->users[i].n_mfa;
        }
    }
    *ret = (struct cm_auth){.users = users, .keys = keys, .gnames = gnames, .pols = pols,
                            .mfa = mfa};
    return 0;
out:
    free(mfa);
    free(users);
    free(keys);
    free(gnames);
    free(pols);
    return r;
}

/* Every user's Active SSH public keys (users without one are left out by the builder). */
int cm_build_ssh_keys(const struct cmodel *m, void **ret_data, size_t *ret_size,
                      struct iam_error *reterr) {
    struct iam_ssh_keys_user *users = calloc(m->n_users + 1, sizeof(*users));
    struct iam_ssh_key_entry *keys = calloc(m->n_ssh_keys + 1, sizeof(*keys));
    int r;

    if (!users || !keys) {
        r = oom(reterr);
        goto out;
    }
    for (size_t k = 0; k < m->n_ssh_keys; k++)
        keys[k] = (struct iam_ssh_key_entry){.id = m->ssh_keys[k].id,
                                             .fingerprint = m->ssh_keys[k].fingerprint,
                                             .body = m->ssh_keys[k].body};
    for (size_t i = 0; i < m->n_users; i++)
        users[i] = (struct iam_ssh_keys_user){.name = m->users[i].name,
                                              .uid = m->users[i].uid,
                                              .keys = keys + m->users[i].ssh_keys,
                                              .n_keys = m->users[i].n_ssh_keys};
    r = iam_ssh_keys_cache_build(users, m->n_users, m->serial, ret_data, ret_size, reterr);
out:
    free(users);
    free(keys);
    return r;
}

/* nss.cache built on a thread of its own while the rest of the model is read and auth.cache
 * built (the machine's second core): the thread reads only what cm_load_passwd made final
 * and allocates with malloc, never from the model's arena; its error is its own. */
struct nss_job {
    const struct iam_config *config;
    const struct cmodel *m;
    uint64_t seed;
    void *data;
    size_t len;
    struct iam_error err;
    int r;
};

static void *nss_job_run(void *arg) {
    struct nss_job *j = arg;

    j->r = build_nss(j->config, j->m, j->seed, &j->data, &j->len, &j->err);
    return NULL;
}

/* The images, with the seeds of prev's (random ones without), and what they were made from
 * (*ret_state, when not NULL). */
static int compile_images(struct iam_store *st, const struct iam_config *config,
                          const struct cm_prev *prev, struct iam_cache_images *ret,
                          struct cm_state *ret_state, struct iam_error *reterr) {
    struct iam_local_accounts *local = NULL;
    struct cmodel m;
    struct iam_cache_images img = {0};
    struct nss_job job = {0};
    struct cm_auth auth;
    pthread_t thread;
    bool threaded = false, loaded = false, auth_ready = false;
    uint8_t key[IAM_AUTH_CACHE_KEY_LEN];
    bool keyed = false;
    uint64_t seed;
    int r;

    /* the caches go to this host: its id range and local accounts hold (iam/host_ids.h),
     * whoever edited the store or iam.conf or added a local account since the last write */
    if ((r = iam_local_accounts_load(iam_local_passwd_path(), iam_local_group_path(), &local,
                                     reterr)) < 0)
        return r;
    r = iam_store_check_host_ids(st, config, local);
    iam_local_accounts_free(local);
    if (r < 0) {
        *reterr = *iam_store_error(st);
        iam_error_set_source(reterr, config->database);
        return r;
    }
    iam_store_heap_for_bulk();
    /* the writers draw random keys and seeds: libsodium set up before a second thread runs */
    if (sodium_init() < 0) {
        iam_error_set(reterr, 0, 0, 0, "libsodium cannot be initialised");
        return -ENOTSUP;
    }
    /* the seeds of the current caches, so that the same account compiles to the same bytes
     * (an incremental refresh keeps them too); fresh ones when there are none */
    if (!prev || !prev->nss || iam_nss_cache_seed_of(prev->nss, prev->nss_len, &seed) < 0)
        randombytes_buf(&seed, sizeof(seed));
    keyed = prev && prev->auth && iam_auth_cache_key_of(prev->auth, prev->auth_len, key) == 0;
    /* the model is read by scans that touch each page once: a small page cache for them
     * (what a write left cached is let go first), the usual one again after */
    if ((r = st_exec(st, "PRAGMA cache_size = -" ST_SCAN_CACHE_KIB)) < 0) {
        *reterr = *iam_store_error(st);
        return r;
    }
    (void)sqlite3_db_release_memory(st->db);
    if ((r = cm_load_passwd(st, &m)) == 0) {
        loaded = true;
        /* nss.cache from the users, groups and memberships, while the rest is read; without
         * a thread, after it on this one */
        job = (struct nss_job){.config = config, .m = &m, .seed = seed};
        threaded = pthread_create(&thread, NULL, nss_job_run, &job) == 0;
        r = cm_load_rest(st, &m);
    }
    if (st_exec(st, "PRAGMA cache_size = -" ST_CACHE_KIB) < 0 && r == 0)
        r = -EIO;
    if (r != 0 || !loaded) {
        *reterr = *iam_store_error(st);
        r = r < 0 ? r : -EIO;
        goto out;
    }
    /* build every image first: an account that one of them refuses changes no cache */
    if ((r = cm_auth_users(&m, &auth, reterr)) < 0)
        goto out;
    auth_ready = true;
    /* nss.cache is done before auth.cache's writer starts: the two writers' buffers at once
     * would raise the peak memory by the size of nss.cache's */
    if (threaded) {
        (void)pthread_join(thread, NULL);
        threaded = false;
    } else {
        nss_job_run(&job);
    }
    /* what the thread let go (its tables, the writer's) goes back before the largest
     * block, auth.cache's, is taken: in the heap, it would stay resident. The free top of
     * the heap (advised) is kept for that block. */
    (void)malloc_trim(CM_HEAP_PAD);
    img.nss = job.data;
    img.nss_len = job.len;
    job.data = NULL;
    if ((r = job.r) < 0) {
        *reterr = job.err;
        goto out;
    }
    if ((r = iam_auth_cache_build_keyed(auth.users, m.n_users, m.serial, keyed ? key : NULL,
                                        &img.auth, &img.auth_len, reterr)) < 0)
        goto out;
    cm_auth_free(&auth);
    auth_ready = false;
    if ((r = cm_build_ssh_keys(&m, &img.ssh_keys, &img.ssh_keys_len, reterr)) < 0)
        goto out;
    img.serial = m.serial;
    if (ret_state) {
        *ret_state = (struct cm_state){
            .serial = m.serial,
            .max_user = m.n_users ? m.users[m.n_users - 1].rowid : 0,
            .max_group = m.n_groups ? m.groups[m.n_groups - 1].rowid : 0};
        cm_config_fingerprint(config, ret_state->config);
    }
    *ret = img;
    img = (struct iam_cache_images){0};
    r = 0;
out:
    /* the thread reads the model: it ends before the model does */
    if (threaded)
        (void)pthread_join(thread, NULL);
    free(job.data);
    if (auth_ready)
        cm_auth_free(&auth);
    iam_cache_images_free(&img);
    if (loaded)
        cm_free(&m);
    sodium_memzero(key, sizeof(key));
    return r;
}

int iam_store_compile_images(struct iam_store *st, const struct iam_config *config,
                             struct iam_cache_images *ret, struct iam_error *reterr) {
    return compile_images(st, config, NULL, ret, NULL, reterr);
}


void iam_cache_images_free(struct iam_cache_images *img) {
    if (!img)
        return;
    if (img->auth)
        sodium_memzero(img->auth, img->auth_len); /* holds secret hashes */
    free(img->auth);
    free(img->nss);
    free(img->ssh_keys);
    *img = (struct iam_cache_images){0};
}

int cm_finish_install(const struct iam_config *config, int r,
                      const struct iam_cache_images *img, struct iam_error *reterr) {
    /* then the keys sshd is given (AuthorizedKeysCommand), beside the generations: a file of
     * its own that no reader pairs with the others. A key made Inactive or deleted stops
     * working once this rename is done, before the command returns. */
    if (r >= 0) {
        int w = iam_caches_install_ssh_keys(config->cache_dir, img->ssh_keys, img->ssh_keys_len,
                                            reterr);
        if (w < 0)
            r = w;
    }
    return r;
}

int iam_store_compile(struct iam_store *st, const struct iam_config *config,
                      struct iam_error *reterr) {
    struct iam_cache_images img = {0};
    struct cm_prev prev;
    struct cm_state state;
    char text[CM_STATE_MAX];
    struct iam_caches_set set = {0};
    int r;

    cm_prev_open(config->cache_dir, &prev);
    r = compile_images(st, config, &prev, &img, &state, reterr);
    cm_prev_close(&prev);
    if (r < 0)
        return r;
    /* both at once, as one generation (caches.h): no reader sees one without the other, and
     * a running nscd is told to forget what it remembers; with them what they were made of */
    set = (struct iam_caches_set){.nss = img.nss,
                                  .nss_len = img.nss_len,
                                  .auth = img.auth,
                                  .auth_len = img.auth_len,
                                  .state = text,
                                  .state_len = cm_state_format(&state, text)};
    r = iam_caches_install_set(config->cache_dir, &set, NULL, reterr);
    r = cm_finish_install(config, r, &img, reterr);
    iam_cache_images_free(&img);
    return r;
}
