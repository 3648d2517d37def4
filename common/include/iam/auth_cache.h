/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The auth cache: <cache_dir>/auth.cache, root 0600, compiled by iamctl after every write and
 * read by pam_iam at every login.
 *
 * For each user: name, user id (AIDA...), ARN, access keys (id, status, create date, secret
 * hash), login profile (password hash, reset required), tags, group names and the effective
 * policies (inline, attached, each group's, the permissions boundary) as JSON text with their
 * source id and type; pam_iam compiles them at login. Each distinct policy document is
 * stored once and the records refer to it (the writer shares an entry between users when
 * their iam_auth_policy has the same kind and the same text, source type and source id
 * pointers), so an account's size does not multiply by its groups' sizes.
 *
 * One login reads one user's record: the reader preads the fixed-size header, the hash-table
 * slots it probes, and the record -- never the whole file -- so a login costs the same at 10
 * users and at 100,000. Integrity: the header carries a checksum over itself and one over
 * the whole index (checked by iam_auth_cache_verify(), which iamctl and tests run), every
 * slot carries a keyed check, every record its own BLAKE2b checksum, and every offset and
 * length is validated before it is followed. A damaged cache is -EBADMSG, never a guess.
 *
 * The writer takes plain structs (no db types), so the db layer's compile step only has to
 * fill them in. Files are written atomically: temp file in the same directory, fsync, rename,
 * fsync of the directory.
 *
 * Layout (native byte order; the magic encodes the order, a foreign-endian file is -EBADMSG):
 *   header (144 bytes) | index: n_slots slots of 32 bytes | policy documents | records
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_AUTH_CACHE_NAME "auth.cache"
#define IAM_AUTH_CACHE_VERSION 2u /* written; version 1 is read too */
#define IAM_AUTH_MAX_NAME 64            /* IAM user names: 1..64 characters */
#define IAM_AUTH_MAX_RECORD (8u << 20)  /* one user's record, policies included */
#define IAM_AUTH_MAX_USERS (1u << 24)
#define IAM_AUTH_MAX_ITEMS 4096         /* keys, tags, groups or policies in one record */

enum iam_auth_policy_kind {
    IAM_AUTH_POLICY_IDENTITY = 1, /* inline user, attached managed, group inline/attached */
    IAM_AUTH_POLICY_BOUNDARY = 2, /* the user's permissions boundary */
    IAM_AUTH_POLICY_TRUST = 3,    /* a role's trust policy (AssumeRolePolicyDocument) */
};

struct iam_auth_key {
    const char *id;          /* AKIA... */
    bool active;             /* Status "Active" */
    int64_t create_date;     /* seconds since the epoch (UTC) */
    const char *secret_hash; /* "$iamb2k$..." (secret.h) */
};

/* An enabled virtual MFA device: the seed is secret (the record is wiped when freed). */
#define IAM_AUTH_MAX_MFA 8 /* AWS's limit of MFA devices per user */
struct iam_auth_mfa {
    const char *serial;   /* arn:aws:iam::<account>:mfa/<name> */
    const char *seed_hex; /* the 20-byte seed, 40 hex digits */
    int64_t not_before;   /* counters up to this one are never accepted (enable, resync) */
    int64_t drift;        /* steps the device's clock is off */
};

struct iam_auth_tag {
    const char *key;
    const char *value;
};

struct iam_auth_policy {
    enum iam_auth_policy_kind kind;
    const char *source_type; /* "user", "group", "role", "managed", "boundary", "trust" */
    const char *source_id;   /* policy ARN, or "user/<name>/<PolicyName>", "group/<g>/<p>" */
    const char *text;        /* the policy document, JSON (not URL-encoded) */
    size_t text_len;
};

/* Writer input and reader output alike. Strings are NUL-terminated and contain no NUL. */
struct iam_auth_user {
    const char *name;    /* IAM user name, 1..64 bytes */
    const char *user_id; /* AIDA... */
    const char *arn;
    const char *password_hash; /* login profile's "$argon2id$..."; NULL = no login profile */
    bool password_reset_required;
    int64_t password_expires;  /* epoch seconds; 0 = never (account policy MaxPasswordAge) */
    bool password_hard_expiry; /* the policy's HardExpiry: only an administrator renews it */
    const struct iam_auth_mfa *mfa; /* enabled MFA devices (NULL when none) */
    size_t n_mfa;
    const struct iam_auth_key *keys;
    size_t n_keys;
    const struct iam_auth_tag *tags;
    size_t n_tags;
    const char *const *groups; /* group names, for audit and context */
    size_t n_groups;
    const struct iam_auth_policy *policies;
    size_t n_policies;
    /* A role: an account nobody authenticates as (no password, key or MFA device), assumed
     * by users its trust policy (a policy of kind IAM_AUTH_POLICY_TRUST) and their own
     * policies allow; its identity policies are what a session that assumed it may do. */
    bool is_role;
    int64_t max_session_duration; /* roles: seconds, 3600..43200 */
};

/* ---- Writer (iamctl) -------------------------------------------------------------------- */

/* Build the cache image for users in memory (no I/O). Names must be unique: a duplicate is
 * -EINVAL naming it in reterr; an over-long field or count is -E2BIG. *ret_buf is malloc'd. */
int iam_auth_cache_build(const struct iam_auth_user *users, size_t n_users, uint64_t serial,
                         void **ret_buf, size_t *ret_len, struct iam_error *reterr) IAM_WUR;

/* The same with the key of the index's hashes given (iam_auth_cache_build() draws a random
 * one): the image is a function of its input, the serial and the key, so a build from the
 * same users with the key of an earlier image gives the same bytes. */
#define IAM_AUTH_CACHE_KEY_LEN 16
int iam_auth_cache_build_keyed(const struct iam_auth_user *users, size_t n_users,
                               uint64_t serial, const uint8_t key[IAM_AUTH_CACHE_KEY_LEN],
                               void **ret_buf, size_t *ret_len, struct iam_error *reterr) IAM_WUR;

/* A few changed users patched into a previous image instead of building every record:
 * old is that image (len bytes; read only), copy a writable copy of the same bytes (a private
 * writable mapping of the same file, so only the pages written are copied), which becomes the
 * new image, of the same length, with serial serial: each of changed in place of old's user
 * of the same name, the others of changed added (*ret_n_appended gets how many). A changed
 * record is written over its old one when it fits there, else into the room a whole build
 * leaves before the records (the old one zeroed); a document old lacks goes into the room at
 * the end of the documents (documents no longer referred to stay until the next whole build);
 * a slot is re-pointed, or taken for a new user while the index stays at most half full; the
 * slots written, the index checksum and the header are resealed. Old's header checksum, its
 * room (zero bytes), every document, and each slot and record a changed user's name leads to
 * are checked (-EBADMSG); the readers check the rest at every lookup. Returns 0; 1 when a
 * record, a document or a slot does not fit (build whole: that makes new room); or -errno
 * (errors as iam_auth_cache_build()). On anything but 0 copy holds a partly patched image
 * and must be thrown away. */
int iam_auth_cache_patch(const void *old, void *copy, size_t len,
                         const struct iam_auth_user *changed, size_t n_changed, uint64_t serial,
                         size_t *ret_n_appended, struct iam_error *reterr) IAM_WUR;
/* The key of an image's index (to build the next image with it): 0, or -EBADMSG. */
int iam_auth_cache_key_of(const void *img, size_t len, uint8_t key[IAM_AUTH_CACHE_KEY_LEN]) IAM_WUR;

/* Build and atomically replace path (created 0600). On any failure the old file stays. */
int iam_auth_cache_write(const char *path, const struct iam_auth_user *users, size_t n_users,
                         uint64_t serial, struct iam_error *reterr) IAM_WUR;

/* ---- Reader (pam_iam) ------------------------------------------------------------------- */

struct iam_auth_cache;
struct iam_auth_record;

/* Open path (O_NOFOLLOW|O_CLOEXEC), refuse it unless it is a regular file owned by root (or
 * the caller's euid) with no group/other permission bits (-EACCES), read and check the
 * header. -ENOENT missing, -EBADMSG damaged, -ENOTSUP other version. */
int iam_auth_cache_open(const char *path, struct iam_auth_cache **ret_cache,
                        struct iam_error *reterr) IAM_WUR;
void iam_auth_cache_close(struct iam_auth_cache *cache); /* NULL-safe */

/* The file open, for change checks: its path as iam_cache_current_path() gives it (valid while
 * the cache is open) and, in *ret_st, its fstat. */
const char *iam_auth_cache_identity(const struct iam_auth_cache *cache, struct stat *ret_st);
uint64_t iam_auth_cache_serial(const struct iam_auth_cache *cache);
uint64_t iam_auth_cache_n_users(const struct iam_auth_cache *cache);

/* Look up one user: -ENOENT not there (also for names that cannot be IAM names), -EBADMSG
 * damaged slot or record, -EIO on read errors. The record owns everything its user view
 * points to; it outlives the cache handle. A plausible name that is not there costs what a
 * found one does: one record is read, checked and decoded all the same, and thrown away. */
int iam_auth_cache_find(struct iam_auth_cache *cache, const char *name,
                        struct iam_auth_record **ret_record, struct iam_error *reterr) IAM_WUR;
const struct iam_auth_user *iam_auth_record_user(const struct iam_auth_record *record);
void iam_auth_record_free(struct iam_auth_record *record); /* NULL-safe, wipes */

/* Check everything: the index checksum, every slot, every record, that every record is
 * reachable by its name. O(size of the file): for iamctl and tests, not for logins. */
int iam_auth_cache_verify(struct iam_auth_cache *cache, struct iam_error *reterr) IAM_WUR;
