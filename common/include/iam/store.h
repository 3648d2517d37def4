/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The identity store: the administrator's record of users, groups, roles, managed policies,
 * credentials and POSIX ids, in one SQLite database (the `database` of iam.conf, root 0600,
 * WAL mode, foreign keys on). Hosts never read it: iamctl compiles it into nss.cache and
 * auth.cache (iam/store_compile.h), which the modules read.
 *
 * Every iamctl verb is one transaction: iam_store_begin(), lookups and changes,
 * iam_store_commit() (which bumps the account's Serial when something changed). Writers are
 * serialised by the caller's lock around commit and cache refresh; readers see a consistent
 * snapshot while a writer works (WAL).
 *
 * Lookups by name are ASCII case-insensitive (IAM's names are unique regardless of case);
 * by ARN, unique id and access-key id exact; every one of them is an index lookup.
 *
 * Errors: functions return 0 (or a count) or -errno: -ENOENT not found, -EEXIST already there
 * (a uniqueness rule), -EBUSY the store stayed locked past the busy timeout, -EBADMSG a file
 * that is not a healthy store, -ENOTSUP a schema version this iamctl does not read, -EACCES
 * unsafe owner, mode or symlink, -ENOMEM. The message of the first error of a call is in
 * iam_store_error(). Strings a lookup returns live until iam_store_close(); strings handed
 * to a list callback live until the callback returns.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/macros.h"

/* Bump with a new step in common/store/schema.c. */
#define IAM_STORE_SCHEMA_VERSION 4

enum iam_store_kind {
    IAM_STORE_USER = 1,
    IAM_STORE_GROUP = 2,
    IAM_STORE_ROLE = 3,
};

/* Where an identity or policy came from (the `source` column). */
#define IAM_STORE_SOURCE_LOCAL "iamctl" /* created by a verb on this host */
#define IAM_STORE_SOURCE_AWS "aws"      /* brought by `import` of an AWS export */
/* import-ldap: "ldap:" and the directory's base DN, normalised (one per directory) */
#define IAM_STORE_SOURCE_LDAP_PREFIX "ldap:"

struct iam_store;

/* ---- files ------------------------------------------------------------------------------ */

enum iam_store_file {
    IAM_STORE_FILE_MISSING,
    IAM_STORE_FILE_STORE, /* starts with SQLite's header */
    IAM_STORE_FILE_JSON,  /* a JSON database of an earlier version (to migrate) */
    IAM_STORE_FILE_OTHER, /* anything else, an empty file included */
};

/* What lies at path (lstat + the first bytes). -EACCES for a symlink or a non-regular file. */
int iam_store_probe(const char *path, enum iam_store_file *ret, struct iam_error *reterr) IAM_WUR;

/* Open an existing store. Refused, and left untouched: a file that is not a SQLite database,
 * a SQLite database of another application (-EBADMSG), a schema newer than
 * IAM_STORE_SCHEMA_VERSION (-ENOTSUP), a symlink, a file not owned by root (or the caller)
 * or with any permission for group or others, a -wal/-shm file failing the same checks, a
 * directory writable by others (-EACCES), a JSON database (-EMEDIUMTYPE). An older schema is
 * migrated forward when `write`. */
int iam_store_open(const char *path, bool write, struct iam_store **ret,
                   struct iam_error *reterr) IAM_WUR;
/* Create a new store (path must not exist; created 0600) for account_id with the uid/gid
 * high-water mark next_id and Serial 0. wal = false leaves it in rollback-journal mode, a
 * single self-contained file (for building one aside and renaming it into place; opening it
 * later switches it to WAL). */
int iam_store_create(const char *path, const char *account_id, uint32_t next_id, bool wal,
                     struct iam_store **ret, struct iam_error *reterr) IAM_WUR;
void iam_store_close(struct iam_store *st); /* NULL-safe; rolls back an open transaction */

const struct iam_error *iam_store_error(const struct iam_store *st);

/* Strings the store hands out stay until close; a long walk (an export, a report) releases
 * what it fetched for each entry: everything allocated after the mark is freed. */
struct iam_store_mark {
    void *chunk, *below; /* opaque */
    size_t used;
};
struct iam_store_mark iam_store_mark(struct iam_store *st);
void iam_store_release(struct iam_store *st, struct iam_store_mark mark);
void iam_store_clear_error(struct iam_store *st);

/* The store's users and groups against this host's id range and local accounts (the rules
 * of iam/host_ids.h), inside the open transaction: 0, or -EINVAL with the first user or group
 * that breaks one, and how, in iam_store_error(). Run before a write commits and before a
 * compile. */
struct iam_config;
struct iam_local_accounts;
int iam_store_check_host_ids(struct iam_store *st, const struct iam_config *config,
                             const struct iam_local_accounts *local) IAM_WUR;

/* PRAGMA integrity_check and foreign_key_check: 0 or -EBADMSG with the first problem. */
int iam_store_integrity_check(struct iam_store *st) IAM_WUR;

/* ---- transactions ------------------------------------------------------------------------ */

int iam_store_begin(struct iam_store *st, bool write) IAM_WUR;
/* Commit; when the transaction changed anything, the Serial is bumped first. ret_serial
 * (optional) gets the Serial of the committed state. */
int iam_store_commit(struct iam_store *st, uint64_t *ret_serial) IAM_WUR;
void iam_store_rollback(struct iam_store *st);

/* A bulk load in the open write transaction (an import of a whole account): when the store
 * has no identity yet, the indexes that only readers use (not UNIQUE ones) are dropped, then
 * built again from their own definitions by iam_store_bulk_end, in the same transaction (one
 * sort instead of a random insert per row). Call iam_store_bulk_end before anything reads
 * the store by those indexes (the commit's checks, a refresh); iam_store_commit calls it if
 * it was not; a rollback brings them back as they were. */
int iam_store_bulk_begin(struct iam_store *st) IAM_WUR;
/* Sets the process's heap up for work on the whole account (the compile, an import), once;
 * call it with no other thread running. Every block then comes from one heap, grown well
 * ahead and given transparent huge pages where the kernel offers them, and freed memory stays
 * in the heap until malloc_trim(): for a process that ends soon after (compile.c). */
void iam_store_heap_for_bulk(void);
int iam_store_bulk_end(struct iam_store *st) IAM_WUR;

struct iam_store_ids {
    int64_t *v;
    size_t n, cap;
};

/* What the current (or just committed) write transaction changed, for the cache refresh.
 * Each list holds a rowid once, in the order first touched. */
struct iam_store_changes {
    bool any; /* something was written: the Serial moves */
    bool all; /* too much to say (or a role changed): rebuild the caches from scratch */
    struct iam_store_ids users;      /* users whose auth record may differ */
    struct iam_store_ids groups;     /* groups whose policies changed (their members' records) */
    struct iam_store_ids policies;   /* managed policies whose documents changed */
    struct iam_store_ids nss_users;  /* users whose passwd line (and private group) may differ */
    struct iam_store_ids nss_groups; /* groups whose group line may differ */
};
const struct iam_store_changes *iam_store_changes(const struct iam_store *st);
void iam_store_mark_all_changed(struct iam_store *st);
/* Commit this transaction without moving the Serial (a conversion that keeps it). */
void iam_store_keep_serial(struct iam_store *st);

/* ---- the account ---------------------------------------------------------------------------- */

struct iam_store_account {
    char account_id[13];
    uint64_t serial;
    uint32_t next_id; /* uids/gids below it are never handed out again */
};
int iam_store_get_account(struct iam_store *st, struct iam_store_account *ret) IAM_WUR;
int iam_store_set_next_id(struct iam_store *st, uint32_t next_id) IAM_WUR;
/* Only for carrying a JSON database's Serial over into the store that replaces it. */
int iam_store_set_serial(struct iam_store *st, uint64_t serial) IAM_WUR;
/* 1 when a user, group or role has this uid/gid, 0 when not. */
int iam_store_posix_id_taken(struct iam_store *st, uint32_t id) IAM_WUR;

/* ---- identities: users, groups, roles ---------------------------------------------------- */

struct iam_store_identity {
    int64_t id; /* rowid: listing order */
    enum iam_store_kind kind;
    const char *name;
    const char *unique_id; /* AIDA..., AGPA..., AROA... */
    const char *arn;
    const char *path;
    const char *create_date; /* may be NULL (an export without it) */
    const char *source;      /* IAM_STORE_SOURCE_* or another importer's */
    bool has_digest;
    uint8_t digest[16];
    int64_t boundary; /* managed policy rowid, 0 = none (users, roles) */
    const char *boundary_arn;
    bool has_posix;    /* users and groups: always */
    uint32_t posix_id; /* uid (users, roles), gid (groups) */
    uint32_t gid;      /* users: primary gid */
    const char *home;  /* users: NULL = from home_template */
    const char *shell; /* users: NULL = default_shell */
    const char *gecos; /* users: NULL = empty */
    /* roles */
    const char *description;
    const char *trust_policy;      /* AssumeRolePolicyDocument, JSON text */
    int64_t max_session_duration;  /* 0 = not given */
    const char *instance_profiles; /* InstanceProfileList as the export gave it (JSON text) */
    const char *last_used;         /* RoleLastUsed as the export gave it (JSON text) */
    bool tags_listed;              /* exported with "Tags" even when it has none */
};

int iam_store_identity_get(struct iam_store *st, enum iam_store_kind kind, const char *name,
                           struct iam_store_identity *ret) IAM_WUR;
int iam_store_identity_get_by_arn(struct iam_store *st, enum iam_store_kind kind, const char *arn,
                                  struct iam_store_identity *ret) IAM_WUR;
int iam_store_identity_get_by_id(struct iam_store *st, int64_t id,
                                 struct iam_store_identity *ret) IAM_WUR;
/* Insert (in->id is ignored); -EEXIST when the name (per kind, any case), unique id, ARN or
 * POSIX id is taken. */
int iam_store_identity_insert(struct iam_store *st, const struct iam_store_identity *in,
                              int64_t *ret_id) IAM_WUR;
/* Replace the fields an export carries (path, ARN, unique id, create date, role fields),
 * the source and the digest (NULL: none); the name keeps its stored case. */
int iam_store_identity_update_aws(struct iam_store *st, const struct iam_store_identity *who,
                                  const struct iam_store_identity *in, const char *source,
                                  const uint8_t *digest) IAM_WUR;
/* The identity holding this uid/gid (any kind): -ENOENT when none. */
int iam_store_identity_get_by_posix(struct iam_store *st, uint32_t posix_id,
                                    struct iam_store_identity *ret) IAM_WUR;
/* Replace what a directory import carries: name, ARN, path, POSIX ids, home, shell, gecos,
 * the source and the digest (NULL: none). A new name or id refreshes the group lines that
 * list the user. -EEXIST when the name or id is taken. */
int iam_store_identity_update_posix(struct iam_store *st, const struct iam_store_identity *who,
                                    const struct iam_store_identity *in, const char *source,
                                    const uint8_t *digest) IAM_WUR;
int iam_store_identity_set_path(struct iam_store *st, const struct iam_store_identity *who,
                                const char *path, const char *arn) IAM_WUR;
int iam_store_identity_set_boundary(struct iam_store *st, const struct iam_store_identity *who,
                                    int64_t policy) IAM_WUR;
/* Delete with everything hanging on it (tags, policies, attachments, memberships, keys). */
int iam_store_identity_delete(struct iam_store *st, const struct iam_store_identity *who) IAM_WUR;

/* Called for each identity in listing order; a non-zero return stops the listing and is
 * returned. Strings are borrowed for the duration of the call. */
typedef int (*iam_store_identity_cb)(void *ctx, const struct iam_store_identity *ident);
/* Identities of a kind whose path starts with path_prefix (NULL: all), after rowid `after`
 * (0: from the start), at most max (0: all). *ret_next (optional) is the rowid to continue
 * after when more remain, else 0. */
int iam_store_identity_list(struct iam_store *st, enum iam_store_kind kind,
                            const char *path_prefix, int64_t after, size_t max,
                            iam_store_identity_cb cb, void *ctx, int64_t *ret_next) IAM_WUR;
size_t iam_store_identity_count(struct iam_store *st, enum iam_store_kind kind);

/* ---- tags (of identities and of managed policies) ------------------------------------------ */

struct iam_store_tag {
    const char *key;
    const char *value;
};
int iam_store_tags(struct iam_store *st, const struct iam_store_identity *who,
                   struct iam_store_tag **ret, size_t *ret_n) IAM_WUR;
/* Set a tag: an existing key (any case) gets the new value in place, a new key goes last. */
int iam_store_tag_set(struct iam_store *st, const struct iam_store_identity *who, const char *key,
                      const char *value) IAM_WUR;
int iam_store_tag_remove(struct iam_store *st, const struct iam_store_identity *who,
                         const char *key) IAM_WUR; /* 0 also when absent */
int iam_store_tags_clear(struct iam_store *st, const struct iam_store_identity *who) IAM_WUR;
int iam_store_policy_tags(struct iam_store *st, int64_t policy, struct iam_store_tag **ret,
                          size_t *ret_n) IAM_WUR;
int iam_store_policy_tag_set(struct iam_store *st, int64_t policy, const char *key,
                             const char *value) IAM_WUR;
int iam_store_policy_tags_clear(struct iam_store *st, int64_t policy) IAM_WUR;

/* ---- inline policies ---------------------------------------------------------------------- */

struct iam_store_inline {
    const char *name;
    const char *document; /* JSON text */
};
int iam_store_inline_list(struct iam_store *st, const struct iam_store_identity *who,
                          struct iam_store_inline **ret, size_t *ret_n) IAM_WUR;
/* Add, or replace the document of the policy with that name (any case; the stored name is
 * kept). The document is stored as given. */
int iam_store_inline_put(struct iam_store *st, const struct iam_store_identity *who,
                         const char *name, const char *document) IAM_WUR;
int iam_store_inline_delete(struct iam_store *st, const struct iam_store_identity *who,
                            const char *name) IAM_WUR; /* -ENOENT */
int iam_store_inline_clear(struct iam_store *st, const struct iam_store_identity *who) IAM_WUR;

/* ---- attached managed policies --------------------------------------------------------------- */

struct iam_store_attached {
    int64_t policy;
    const char *name;
    const char *arn;
};
int iam_store_attached_list(struct iam_store *st, const struct iam_store_identity *who,
                            struct iam_store_attached **ret, size_t *ret_n) IAM_WUR;
int iam_store_attach(struct iam_store *st, const struct iam_store_identity *who,
                     int64_t policy) IAM_WUR; /* -EEXIST */
int iam_store_detach(struct iam_store *st, const struct iam_store_identity *who,
                     int64_t policy) IAM_WUR; /* -ENOENT */
int iam_store_attached_clear(struct iam_store *st, const struct iam_store_identity *who) IAM_WUR;

/* ---- group memberships ------------------------------------------------------------------------ */

/* A user's groups in the order they were added (GroupList). */
int iam_store_user_groups(struct iam_store *st, const struct iam_store_identity *user,
                          struct iam_store_identity **ret, size_t *ret_n) IAM_WUR;
/* A group's users in listing order, paginated as iam_store_identity_list. */
int iam_store_group_members(struct iam_store *st, const struct iam_store_identity *group,
                            int64_t after, size_t max, iam_store_identity_cb cb, void *ctx,
                            int64_t *ret_next) IAM_WUR;
int iam_store_group_member_count(struct iam_store *st, const struct iam_store_identity *group,
                                 size_t *ret) IAM_WUR;
int iam_store_membership_add(struct iam_store *st, const struct iam_store_identity *user,
                             const struct iam_store_identity *group) IAM_WUR; /* -EEXIST */
int iam_store_membership_remove(struct iam_store *st, const struct iam_store_identity *user,
                                const struct iam_store_identity *group) IAM_WUR; /* -ENOENT */
/* Remove the user from every group whose source is `source` (NULL: from every group). */
int iam_store_memberships_clear(struct iam_store *st, const struct iam_store_identity *user,
                                const char *source) IAM_WUR;

/* ---- credentials -------------------------------------------------------------------------- */

struct iam_store_access_key {
    int64_t id;
    int64_t user;
    const char *user_name;
    const char *access_key_id;
    bool active;
    const char *create_date;
    const char *secret_hash;
};
int iam_store_access_keys(struct iam_store *st, const struct iam_store_identity *user,
                          struct iam_store_access_key **ret, size_t *ret_n) IAM_WUR;
int iam_store_access_key_get(struct iam_store *st, const char *access_key_id,
                             struct iam_store_access_key *ret) IAM_WUR;
int iam_store_access_key_insert(struct iam_store *st, const struct iam_store_identity *user,
                                const struct iam_store_access_key *key) IAM_WUR;
int iam_store_access_key_set_status(struct iam_store *st, const struct iam_store_access_key *key,
                                    bool active) IAM_WUR;
int iam_store_access_key_delete(struct iam_store *st,
                                const struct iam_store_access_key *key) IAM_WUR;

struct iam_store_login_profile {
    const char *create_date;
    const char *password_hash;
    bool password_reset_required;
    const char *password_last_changed; /* may be NULL */
    const char *password_last_used;    /* may be NULL */
};
int iam_store_login_profile_get(struct iam_store *st, const struct iam_store_identity *user,
                                struct iam_store_login_profile *ret) IAM_WUR; /* -ENOENT */
/* Create or replace. */
int iam_store_login_profile_put(struct iam_store *st, const struct iam_store_identity *user,
                                const struct iam_store_login_profile *lp) IAM_WUR;
int iam_store_login_profile_delete(struct iam_store *st,
                                   const struct iam_store_identity *user) IAM_WUR;

/* The account password policy (update-account-password-policy), AWS's fields. */
struct iam_store_password_policy {
    unsigned minimum_password_length; /* 6..128 */
    bool require_symbols;
    bool require_numbers;
    bool require_uppercase_characters;
    bool require_lowercase_characters;
    bool allow_users_to_change_password;
    unsigned max_password_age;          /* days, 1..1095; 0 = passwords do not expire */
    unsigned password_reuse_prevention; /* 1..24; 0 = none */
    bool hard_expiry;
    bool hard_expiry_set; /* given (AWS prints HardExpiry only then) */
};
/* -ENOENT when the account has none. */
int iam_store_password_policy_get(struct iam_store *st,
                                  struct iam_store_password_policy *ret) IAM_WUR;
/* Create or replace; every user's auth record may change (expiry). */
int iam_store_password_policy_put(struct iam_store *st,
                                  const struct iam_store_password_policy *p) IAM_WUR;
int iam_store_password_policy_delete(struct iam_store *st) IAM_WUR; /* -ENOENT */

/* A user's earlier password hashes, newest first (strings live until the store's arena is
 * released). */
int iam_store_password_history(struct iam_store *st, const struct iam_store_identity *user,
                               const char ***ret_hashes, size_t *ret_n) IAM_WUR;
/* Add hash (a password being replaced) and keep only the newest `keep` entries (0: none). */
int iam_store_password_history_push(struct iam_store *st, const struct iam_store_identity *user,
                                    const char *hash, const char *retired,
                                    unsigned keep) IAM_WUR;
/* Keep only the newest `keep` entries of every user (a policy that asks for fewer). */
int iam_store_password_history_trim(struct iam_store *st, unsigned keep) IAM_WUR;

/* Virtual MFA devices. The seed is a secret: callers wipe their copies. */
#define IAM_STORE_MFA_SEED_BYTES 20
struct iam_store_mfa_device {
    int64_t id;
    const char *name, *path, *serial, *create_date;
    uint8_t seed[IAM_STORE_MFA_SEED_BYTES];
    int64_t user;            /* identity rowid; 0 = not enabled */
    const char *user_name;   /* NULL when not enabled */
    const char *enable_date; /* NULL when not enabled */
    int64_t not_before;      /* counters up to this one are never accepted */
    int64_t drift;           /* steps */
};
int iam_store_mfa_get(struct iam_store *st, const char *serial,
                      struct iam_store_mfa_device *ret) IAM_WUR; /* -ENOENT */
/* Every device, or those of one user (user non-NULL), in creation order. */
int iam_store_mfa_list(struct iam_store *st, const struct iam_store_identity *user,
                       struct iam_store_mfa_device **ret, size_t *ret_n) IAM_WUR;
/* -EEXIST when the name or serial is taken. */
int iam_store_mfa_insert(struct iam_store *st, const struct iam_store_mfa_device *d) IAM_WUR;
/* Enable for user (user NULL: deactivate), with not_before and drift. */
int iam_store_mfa_assign(struct iam_store *st, const struct iam_store_mfa_device *d,
                         const struct iam_store_identity *user, const char *enable_date,
                         int64_t not_before, int64_t drift) IAM_WUR;
int iam_store_mfa_delete(struct iam_store *st, const struct iam_store_mfa_device *d) IAM_WUR;

struct iam_store_ssh_key {
    int64_t id;
    const char *ssh_key_id; /* APKA... */
    const char *body;
    const char *fingerprint; /* may be NULL */
    bool active;
    const char *upload_date; /* may be NULL */
};
int iam_store_ssh_keys(struct iam_store *st, const struct iam_store_identity *user,
                       struct iam_store_ssh_key **ret, size_t *ret_n) IAM_WUR;
int iam_store_ssh_key_insert(struct iam_store *st, const struct iam_store_identity *user,
                             const struct iam_store_ssh_key *key) IAM_WUR;
int iam_store_ssh_key_set_status(struct iam_store *st, const struct iam_store_identity *user,
                                 int64_t id, bool active) IAM_WUR;
int iam_store_ssh_key_delete(struct iam_store *st, const struct iam_store_identity *user,
                             int64_t id) IAM_WUR;

/* ---- managed policies ------------------------------------------------------------------------ */

struct iam_store_policy {
    int64_t id;
    const char *name;
    const char *policy_id; /* ANPA... */
    const char *arn;
    const char *path;
    const char *description; /* may be NULL */
    const char *create_date;
    const char *update_date;
    const char *source;
    bool has_digest;
    uint8_t digest[16];
    bool is_attachable;
    bool aws_managed; /* arn:<partition>:iam::aws:policy/... */
    const char *default_version;  /* "v1", ... */
    uint64_t attachment_count;    /* users, groups and roles it is attached to */
    uint64_t boundary_usage_count; /* users and roles it bounds */
};

struct iam_store_policy_version {
    const char *version_id;
    const char *document;
    const char *create_date;
    bool is_default;
};

int iam_store_policy_get(struct iam_store *st, const char *arn,
                         struct iam_store_policy *ret) IAM_WUR;
/* 1 when a customer managed policy has this name (any case), else 0. */
int iam_store_policy_name_taken(struct iam_store *st, const char *name) IAM_WUR;
enum iam_store_policy_scope {
    IAM_STORE_SCOPE_ALL,
    IAM_STORE_SCOPE_AWS,
    IAM_STORE_SCOPE_LOCAL,
};
typedef int (*iam_store_policy_cb)(void *ctx, const struct iam_store_policy *policy);
int iam_store_policy_list(struct iam_store *st, enum iam_store_policy_scope scope,
                          bool only_attached, const char *path_prefix, int64_t after,
                          size_t max, iam_store_policy_cb cb, void *ctx,
                          int64_t *ret_next) IAM_WUR;
/* Insert p (its id, counts and default_version are ignored) with no versions. */
int iam_store_policy_insert(struct iam_store *st, const struct iam_store_policy *p,
                            int64_t *ret_id) IAM_WUR;
/* Replace what an export carries of a policy (everything but its name and ARN), the source
 * and the digest (NULL: none); its versions are dropped (add them again). */
int iam_store_policy_update_aws(struct iam_store *st, int64_t policy,
                                const struct iam_store_policy *p, const char *source,
                                const uint8_t *digest) IAM_WUR;
int iam_store_policy_delete(struct iam_store *st, int64_t policy) IAM_WUR;
int iam_store_policy_versions(struct iam_store *st, int64_t policy,
                              struct iam_store_policy_version **ret, size_t *ret_n) IAM_WUR;
/* Add a version; set_default makes it the default (and sets UpdateDate to update_date). */
int iam_store_policy_version_add(struct iam_store *st, int64_t policy,
                                 const struct iam_store_policy_version *v,
                                 const char *update_date) IAM_WUR;
int iam_store_policy_version_delete(struct iam_store *st, int64_t policy,
                                    const char *version_id) IAM_WUR; /* -ENOENT */
int iam_store_policy_set_default(struct iam_store *st, int64_t policy, const char *version_id,
                                 const char *update_date) IAM_WUR; /* -ENOENT */

/* ---- effective policies ----------------------------------------------------------------------- */

/* A user's (or a role's: no groups, inline policies of source type "role") policies as the
 * engine evaluates them: its inline policies, its attached managed
 * policies (default version), then for each group in GroupList order the group's inline and
 * attached policies; last the permissions boundary (boundary = true). */
struct iam_store_effective {
    bool boundary;
    const char *source_type; /* AWS's PolicySourceType: user, group, role, user-managed, aws-managed */
    const char *source_id;   /* AWS's SourcePolicyId: the policy's name */
    const char *owner;       /* the user's or group's name, for inline policies */
    const char *name;        /* the policy's name */
    const char *arn;         /* managed policies' ARN */
    const char *document;
};
int iam_store_user_policies(struct iam_store *st, const struct iam_store_identity *user,
                            struct iam_store_effective **ret, size_t *ret_n) IAM_WUR;

/* ---- import bookkeeping ------------------------------------------------------------------------ */

int iam_store_identity_set_digest(struct iam_store *st, const struct iam_store_identity *who,
                                  const uint8_t digest[16]) IAM_WUR;
int iam_store_policy_set_digest(struct iam_store *st, int64_t policy,
                                const uint8_t digest[16]) IAM_WUR;
/* The rowids of every identity of a kind (or policy, kind 0) whose source is `source`. */
int iam_store_ids_by_source(struct iam_store *st, enum iam_store_kind kind, const char *source,
                            struct iam_store_ids *ret) IAM_WUR;
void iam_store_ids_free(struct iam_store_ids *ids);

/* A JSON text with the whitespace outside strings removed (nothing else changes: numbers,
 * escapes and member order stay as written): how import stores the documents an export
 * nests, indented, in its own layout. Malloc'd; NULL on ENOMEM. */
char *iam_store_minify_json(const char *text, size_t len, size_t *ret_len);
