/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The compile's model of the account: what the two caches need of every user and group,
 * read from the store in a few table scans (load.c) and turned into cache images
 * (compile.c). Strings live in the model's arena. Policy documents are shared: each
 * (source type, source id, text) triple is one entry of `docs`, and users refer to entries
 * by index, so a group's policy held by 10,000 members is one string. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "iam/auth_cache.h"
#include "iam/config.h"
#include "iam/nss_cache.h"
#include "iam/store_compile.h"
#include "store_private.h"

struct cm_doc {
    enum iam_auth_policy_kind kind;
    const char *source_type; /* auth.cache's: "user", "group", "managed", "boundary" */
    const char *source_id;   /* "user/<name>/<policy>", "group/<group>/<policy>", an ARN */
    const char *text;
    size_t text_len;
};

struct cm_key {
    const char *id;
    bool active;
    int64_t create_date;
    const char *secret_hash;
};

/* An Active SSH public key (Inactive ones never reach a host). */
struct cm_ssh_key {
    const char *id;          /* APKA... */
    const char *body;        /* "type base64" */
    const char *fingerprint; /* SHA256:..., computed from the body at compile time */
};

/* A user, or a role that is an account on the host (it has a uid): the caches show both
 * alike (a passwd line, a private group, an auth record), a role with its trust policy and
 * no credentials. */
struct cm_user {
    int64_t rowid;
    bool is_role;
    size_t trust;                 /* roles: the trust policy's doc index */
    int64_t max_session_duration; /* roles */
    const char *name, *unique_id, *arn;
    uint32_t uid, gid;
    const char *home, *shell, *gecos;
    int64_t boundary;             /* policy rowid or 0 */
    const char *password_hash;    /* NULL: no login profile */
    bool password_reset_required;
    int64_t password_expires; /* epoch seconds; 0 = never (no policy MaxPasswordAge) */
    bool password_hard_expiry;
    size_t mfa, n_mfa;        /* m->mfa: enabled MFA devices */
    /* ranges in the model's flat arrays */
    size_t keys, n_keys;     /* m->keys */
    size_t ssh_keys, n_ssh_keys; /* m->ssh_keys: Active only */
    size_t tags, n_tags;     /* m->tags */
    size_t groups, n_groups; /* m->user_groups: group indexes, GroupList order */
    size_t docs, n_docs;     /* m->user_docs: own inline, own attached (doc indexes) */
};

struct cm_group {
    int64_t rowid;
    const char *name;
    uint32_t gid;
    size_t members, n_members; /* m->members: user indexes, in user order */
    size_t docs, n_docs;       /* m->group_docs: inline, attached */
};

struct cm_policy {
    int64_t rowid;
    const char *arn;
    size_t doc;      /* as an attached identity policy ("managed") */
    size_t boundary; /* as a permissions boundary ("boundary") */
};

struct cm_mfa {
    const char *serial;
    char seed_hex[41]; /* secret: wiped by cm_free */
    int64_t not_before, drift;
};

struct cmodel {
    uint64_t serial;
    struct cm_mfa *mfa;
    size_t n_mfa;
    struct cm_user *users;
    size_t n_users;
    struct cm_group *groups;
    size_t n_groups;
    struct cm_policy *policies;
    size_t n_policies;
    struct cm_doc *docs;
    size_t n_docs, cap_docs;
    struct cm_key *keys;
    size_t n_keys;
    struct cm_ssh_key *ssh_keys;
    size_t n_ssh_keys;
    struct iam_auth_tag *tags;
    size_t n_tags;
    uint32_t *user_groups; /* group indexes */
    size_t n_user_groups;
    uint32_t *members; /* user indexes */
    size_t n_members;
    uint32_t *user_docs, *group_docs; /* doc indexes */
    size_t n_user_docs, n_group_docs;
    /* identity rowid -> user or group index + 1 (0: neither), policy rowid -> index + 1 */
    uint32_t *ident_map, *policy_map;
    int64_t max_ident, max_policy;
    struct iam_arena arena; /* CM_ARENA_CHUNK: the model's strings */
};

/* Read the whole account (one snapshot: call inside a transaction). */
int cm_load(struct iam_store *st, struct cmodel *m);
/* cm_load in two parts, so that nss.cache can be built from the first while the second
 * reads the rest. cm_load_passwd reads the Serial, the users and groups, the policies, the
 * rowid maps and the memberships: once it returns, what nss.cache is made of (the users'
 * name, unique id, arn, uid, gid, home, shell and gecos; the groups' name, gid and members;
 * m->members) is final, and cm_load_rest only writes other fields and arrays (the arena
 * only grows: strings never move). On failure cm_load_passwd frees the model; cm_load_rest
 * leaves it to the caller (cm_free). */
int cm_load_passwd(struct iam_store *st, struct cmodel *m);
int cm_load_rest(struct iam_store *st, struct cmodel *m);
/* The one number a "SELECT count(*) ..." statement gives, into *ret: 0 or -errno. */
int cm_count_rows(struct iam_store *st, const char *sql, size_t *ret);
void cm_free(struct cmodel *m);

char *cm_strdup(struct cmodel *m, const char *s);
void *cm_alloc(struct cmodel *m, size_t size);
/* Index of a user or group by rowid (the arrays are in rowid order): SIZE_MAX when absent. */
size_t cm_user_index(const struct cmodel *m, int64_t rowid);
size_t cm_group_index(const struct cmodel *m, int64_t rowid);
size_t cm_policy_index(const struct cmodel *m, int64_t rowid);
/* Add a shared document entry; SIZE_MAX on ENOMEM. */
size_t cm_add_doc(struct cmodel *m, enum iam_auth_policy_kind kind, const char *type,
                  const char *id, const char *text);

/* ---- shared by the compile (compile.c) and the incremental refresh (refresh.c) ---------- */

/* A user's passwd entry as the compile makes it; home is the template's home for users
 * without one of their own (iam_config_home_for). */
void cm_nss_user(const struct iam_config *config, const struct cm_user *u, const char *home,
                 struct iam_nss_user *out);

/* Every user of the model as auth.cache's writer takes them (views into the model). */
struct cm_auth {
    struct iam_auth_user *users;
    struct iam_auth_key *keys;
    const char **gnames;
    struct iam_auth_policy *pols;
    struct iam_auth_mfa *mfa;
};
int cm_auth_users(struct cmodel *m, struct cm_auth *ret, struct iam_error *reterr);
void cm_auth_free(struct cm_auth *a);

int cm_build_ssh_keys(const struct cmodel *m, void **ret_data, size_t *ret_size,
                      struct iam_error *reterr);
/* After the install (its result r): ssh_keys.cache and the login directory. */
int cm_finish_install(const struct iam_config *config, int r,
                      const struct iam_cache_images *img, struct iam_error *reterr);

/* What a generation's caches were made from (IAM_CACHES_STATE_NAME, written beside them):
 * the store's Serial, the settings of iam.conf that shape them, and the highest rowids of a
 * user and of a group then (a user or group above them is new since). */
#define CM_STATE_MAX 256
struct cm_state {
    uint64_t serial;
    char config[2 * 32 + 1]; /* BLAKE2b-256 of the settings, hex */
    int64_t max_user, max_group;
};
size_t cm_state_format(const struct cm_state *s, char out[CM_STATE_MAX]);
void cm_config_fingerprint(const struct iam_config *config, char out[2 * 32 + 1]);

/* The current generation of a cache directory, mapped read-only: its name, nss.cache,
 * auth.cache and its state (has_state). Whatever is missing or unsafe is left out (NULL):
 * the previous caches are only ever a shortcut, never needed. */
struct cm_prev {
    char name[32];
    void *nss, *auth;
    size_t nss_len, auth_len;
    void *nss_copy; /* a private writable mapping of the same nss.cache (refresh.c patches it) */
    void *auth_copy; /* the same for auth.cache */
    struct cm_state state;
    bool has_state;
};
void cm_prev_open(const char *cache_dir, struct cm_prev *ret);
void cm_prev_close(struct cm_prev *p);
