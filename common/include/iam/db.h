/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The identity database (docs/architecture.md, "The identity database"): /etc/iam/iam.json,
 * a superset of the JSON that
 * `aws iam get-account-authorization-details` returns.
 *
 * iam_db_load()/iam_db_parse() read and validate the whole document and build an immutable
 * model: every string, every reference (GroupList, AttachedManagedPolicies,
 * PermissionsBoundary) resolved to a pointer, every policy document checked by the policy
 * engine (compiled; the compiled form is built again on demand, iam_db_policy_compiled()).
 * Anything wrong is -EINVAL with file:line:column in reterr, and no model is returned: a reference that does
 * not resolve is an error, never dropped (it might have held a Deny).
 *
 * Lookups by name are ASCII case-insensitive, as IAM's names are unique regardless of case.
 * Every pointer the db hands out is a borrowed view valid until iam_db_free().
 *
 * Our extensions to the AWS shape:
 *   top level: FormatVersion (1), Serial (bumped by every write), AccountId,
 *              Posix {"NextUid": N} (the high-water mark of allocated uids and gids: ids
 *              below it are never handed out again, even after a delete)
 *   user:      AccessKeys [{AccessKeyId, Status, CreateDate, SecretHash}],
 *              LoginProfile {CreateDate, PasswordHash, PasswordResetRequired},
 *              SSHPublicKeys [{SSHPublicKeyId, SSHPublicKeyBody, Fingerprint, Status,
 *              UploadDate}], Posix {Uid, Gid, Home, Shell, Gecos}
 *   group:     Posix {Gid}
 *
 * Limits are IAM's, from "IAM and AWS STS quotas" in the IAM User Guide
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): names and
 * their lengths, 2 access keys per user, 10 groups per user, 10 managed policies attached per
 * user/group/role, the aggregate size of inline policies per user (2,048), group (5,120) and
 * role (10,240) and of a managed policy (6,144) in non-whitespace characters, 5 versions per
 * managed policy, 5 SSH public keys per user, 50 tags per entity, trust policy 2,048.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/policy.h"

#define IAM_DB_FORMAT_VERSION 1
#define IAM_DB_MAX_SIZE (256u * 1024u * 1024u)

#define IAM_MAX_USER_NAME 64  /* IAM; POSIX login names are further limited, see below */
#define IAM_MAX_POSIX_NAME 32 /* utmp's UT_NAMESIZE: longer names break last/who/login */
#define IAM_MAX_GROUP_NAME 128
#define IAM_MAX_ROLE_NAME 64
#define IAM_MAX_POLICY_NAME 128
#define IAM_MAX_PATH 512
#define IAM_MAX_ACCESS_KEYS_PER_USER 2
#define IAM_MAX_GROUPS_PER_USER 10
#define IAM_MAX_ATTACHED_POLICIES 10
#define IAM_MAX_USER_INLINE_CHARS 2048
#define IAM_MAX_GROUP_INLINE_CHARS 5120
#define IAM_MAX_ROLE_INLINE_CHARS 10240
#define IAM_MAX_MANAGED_POLICY_CHARS 6144
#define IAM_MAX_TRUST_POLICY_CHARS 2048
#define IAM_MAX_POLICY_VERSIONS 5
#define IAM_MAX_SSH_KEYS_PER_USER 5
#define IAM_MAX_TAGS 50
#define IAM_MAX_GECOS 256
#define IAM_MAX_HOME 4095

struct iam_db_tag {
    const char *key;
    const char *value;
};

struct iam_db_inline_policy {
    const char *name;
    const char *document; /* JSON text, URL-decoded when it was stored encoded */
};

struct iam_db_policy_version {
    const char *version_id; /* "v1", "v2", ... */
    const char *document;
    const char *create_date;
    bool is_default;
};

struct iam_db_managed_policy {
    const char *name;
    const char *id;
    const char *arn;
    const char *path;
    const char *description; /* may be NULL */
    const char *create_date;
    const char *update_date;
    bool is_attachable;
    bool aws_managed; /* arn:<partition>:iam::aws:policy/... */
    struct iam_db_policy_version *versions;
    size_t n_versions;
    struct iam_db_tag *tags; /* create-policy --tags */
    size_t n_tags;
    const struct iam_db_policy_version *default_version;
    /* computed from the references in the db */
    size_t attachment_count;
    size_t boundary_usage_count;
};

struct iam_db_attached {
    const struct iam_db_managed_policy *policy;
};

struct iam_db_access_key {
    const char *id;
    const char *create_date;
    const char *secret_hash;
    bool active;
};

struct iam_db_login_profile {
    const char *create_date;
    const char *password_hash;
    bool password_reset_required;
};

struct iam_db_ssh_key {
    const char *id;
    const char *body;
    const char *fingerprint;
    const char *upload_date;
    bool active;
};

struct iam_db_group;

struct iam_db_user {
    const char *name;
    const char *id;
    const char *arn;
    const char *path;
    const char *create_date;
    struct iam_db_inline_policy *inline_policies;
    size_t n_inline;
    const struct iam_db_group **groups; /* GroupList, resolved */
    size_t n_groups;
    struct iam_db_attached *attached;
    size_t n_attached;
    const struct iam_db_managed_policy *boundary; /* NULL = none */
    struct iam_db_tag *tags;
    size_t n_tags;
    bool tags_listed; /* the document had a Tags member (perhaps empty) */
    struct iam_db_access_key *keys;
    size_t n_keys;
    const struct iam_db_login_profile *login_profile; /* NULL = none */
    struct iam_db_ssh_key *ssh_keys;
    size_t n_ssh_keys;
    bool has_posix; /* always true in a database; an AWS export has none */
    uint32_t uid;
    uint32_t gid;
    const char *home;  /* NULL = from home_template */
    const char *shell; /* NULL = default_shell */
    const char *gecos; /* NULL = empty */
};

struct iam_db_group {
    const char *name;
    const char *id;
    const char *arn;
    const char *path;
    const char *create_date;
    struct iam_db_inline_policy *inline_policies;
    size_t n_inline;
    struct iam_db_attached *attached;
    size_t n_attached;
    bool has_posix;
    uint32_t gid;
    /* computed: users whose GroupList names this group, in db order */
    const struct iam_db_user **members;
    size_t n_members;
};

struct iam_db_role {
    const char *name;
    const char *id;
    const char *arn;
    const char *path;
    const char *create_date;
    const char *trust_policy; /* AssumeRolePolicyDocument, JSON text; may be NULL */
    const char *description;  /* may be NULL */
    uint32_t max_session_duration; /* seconds; 0 = not given */
    /* carried for the export, not interpreted: the JSON text of InstanceProfileList and
     * RoleLastUsed as the export gave them (NULL when absent) */
    const char *instance_profiles;
    const char *last_used;
    struct iam_db_inline_policy *inline_policies;
    size_t n_inline;
    struct iam_db_attached *attached;
    size_t n_attached;
    const struct iam_db_managed_policy *boundary;
    struct iam_db_tag *tags;
    size_t n_tags;
    bool tags_listed;
};

struct iam_db_index;

struct iam_db {
    unsigned format_version;
    uint64_t serial;
    const char *account_id;
    uint32_t next_uid; /* 0 = not set (AWS export) */
    struct iam_db_user *users;
    size_t n_users;
    struct iam_db_group *groups;
    size_t n_groups;
    struct iam_db_role *roles;
    size_t n_roles;
    struct iam_db_managed_policy *policies;
    size_t n_policies;
    struct iam_db_index *index; /* private */
};

enum {
    /* An AWS export (`aws iam get-account-authorization-details`): our extensions are
     * optional, AccountId may be taken from the ARNs, users need no Posix block. The host's
     * own members are refused (-EINVAL at the first in the file): AccessKeys, LoginProfile,
     * SSHPublicKeys and Posix of a user, Posix of a group or of the document. Credentials
     * enter only through the credential verbs, ids only through iamctl's allocation. */
    IAM_DB_PARSE_EXPORT = 1u << 0,
};

/* Read (iam_file_read_safe: root-owned, not group/other writable, no symlink) and parse. */
int iam_db_load(const char *path, unsigned flags, struct iam_db **ret_db,
                struct iam_error *reterr) IAM_WUR;
/* Parse and validate text in memory; source names it in errors. */
int iam_db_parse(const char *text, size_t len, const char *source, unsigned flags,
                 struct iam_db **ret_db, struct iam_error *reterr) IAM_WUR;
void iam_db_free(struct iam_db *db); /* NULL-safe */

/* Lookups; NULL when absent. Names are case-insensitive. */
const struct iam_db_user *iam_db_find_user(const struct iam_db *db, const char *name);
const struct iam_db_user *iam_db_find_user_by_uid(const struct iam_db *db, uint32_t uid);
const struct iam_db_user *iam_db_find_user_by_arn(const struct iam_db *db, const char *arn);
const struct iam_db_group *iam_db_find_group(const struct iam_db *db, const char *name);
const struct iam_db_group *iam_db_find_group_by_gid(const struct iam_db *db, uint32_t gid);
const struct iam_db_role *iam_db_find_role(const struct iam_db *db, const char *name);
const struct iam_db_managed_policy *iam_db_find_policy(const struct iam_db *db, const char *arn);
/* Access key by id (exact); *ret_user (optional) gets its owner. */
const struct iam_db_access_key *iam_db_find_access_key(const struct iam_db *db, const char *id,
                                                       const struct iam_db_user **ret_user);
bool iam_db_user_in_group(const struct iam_db_user *user, const struct iam_db_group *group);

/* A user's effective policies, as the engine wants them (struct iam_policy_set):
 * identity = the user's inline policies, its attached managed policies (default version),
 * then for each group in GroupList order the group's inline and attached policies;
 * boundary = the permissions boundary's default version (n_boundary 0 when none).
 * source_id is the policy name; source_type is AWS's PolicySourceType: "user", "group"
 * (inline), "user-managed" or "aws-managed" (managed). The strings and compiled policies are
 * borrowed from the db; the struct itself is owned by the caller. */
struct iam_db_effective {
    struct iam_policy_ref *identity;
    size_t n_identity;
    struct iam_policy_ref *boundary;
    size_t n_boundary;
};
int iam_db_user_effective_policies(const struct iam_db *db, const struct iam_db_user *user,
                                   struct iam_db_effective **ret) IAM_WUR;
/* The compiled form of a document of the db (an inline policy's or a policy version's
 * `document`: IAM_POLICY_IDENTITY; a role's `trust_policy`: IAM_POLICY_RESOURCE), compiled on
 * first use and kept with the db, so equal texts share one. The load already accepted every
 * document, so this fails only with -ENOMEM. Not thread-safe: it changes the db's cache. */
int iam_db_policy_compiled(const struct iam_db *db, const char *document,
                           enum iam_policy_type type, const struct iam_policy **ret) IAM_WUR;
void iam_db_effective_free(struct iam_db_effective *eff); /* NULL-safe */

/* Name rules, exposed for iamctl's early checks. Each returns NULL when valid, else a
 * static description of the rule that failed. */
const char *iam_db_check_user_name(const char *name);
const char *iam_db_check_group_name(const char *name);
const char *iam_db_check_role_name(const char *name);
const char *iam_db_check_managed_policy_name(const char *name);
const char *iam_db_check_inline_policy_name(const char *name);
const char *iam_db_check_path(const char *path);
/* Gecos, home, shell: nothing that corrupts a passwd line. */
const char *iam_db_check_passwd_field(const char *value, size_t max);

/* Number of characters of a policy document that IAM counts (whitespace excluded). */
size_t iam_db_policy_size(const char *text, size_t len);
/* Decode a URL-encoded policy document (%XX; '+' stays '+'); malloc'd result.
 * -EINVAL on a malformed escape or a decoded NUL. */
int iam_db_url_decode(const char *in, size_t len, char **ret, size_t *ret_len) IAM_WUR;

/* Time as AWS prints it: "2026-01-02T03:04:05+00:00" (UTC). buf >= 26 bytes. */
void iam_db_format_time(int64_t t, char *buf, size_t size);
/* Parse an ISO 8601 timestamp as AWS writes them ("...Z", "...+00:00", fractions allowed).
 * -EINVAL when it is not one. */
int iam_db_parse_time(const char *s, int64_t *ret) IAM_WUR;
