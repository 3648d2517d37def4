/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared machinery of the store verbs: option parsing, the store handle (lock, open, one
 * transaction, commit, cache refresh), the find-or-fail openings, pagination, JSON output in
 * the AWS CLI's shape, id allocation and local-account checks. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/config.h"
#include "iam/db.h"
#include "iam/store.h"
#include "iamctl.h"

/* ---- options --------------------------------------------------------------------------- */

enum opt_kind {
    OPT_VALUE, /* --name VALUE or --name=VALUE */
    OPT_LIST,  /* --name V1 V2 ... (until the next --option) */
    OPT_FLAG,  /* --name */
};

struct opt {
    const char *name; /* without the leading "--" */
    enum opt_kind kind;
    bool required;
    /* Given again, the option replaces what it gave before (the AWS CLI's rule) instead of
     * being refused (OPT_VALUE, OPT_FLAG) or adding to the list (OPT_LIST). */
    bool replace;
    /* results */
    const char *value;
    char **list;
    size_t n_list;
    bool set;
};

/* Parse argv[1..] against opts (NULL-name terminated): --name VALUE or --name=VALUE; a list
 * takes the arguments up to the next one starting with "--", and a separate VALUE may not
 * start with "--" either (--name=--x may). Unknown options, missing values and missing
 * required options are usage errors (returns IAMCTL_EXIT_USAGE, message printed). */
int opts_parse(int argc, char *argv[], struct opt *opts);
struct opt *opt_get(struct opt *opts, const char *name);
/* The value of an OPT_VALUE option, or NULL. */
const char *opt_value(struct opt *opts, const char *name);
void opts_free(struct opt *opts);

/* The options every list verb takes (AWS CLI pagination), to splice into an opts table. */
#define PAGE_OPTS {"max-items", OPT_VALUE}, {"starting-token", OPT_VALUE}, {"page-size", OPT_VALUE}

/* ---- the store --------------------------------------------------------------------------- */

struct sth {
    struct iam_config *config;
    struct iam_store *st;
    int lock_fd;
    bool write;
    char partition[32]; /* of new ARNs: the host's own */
    struct iam_store_account account;
    bool refresh_failed; /* committed, but the caches were not rebuilt (reported) */
    /* alloc_id keeps the account's next id in account.next_id only (a verb that allocates
     * many, import); sth_flush_next_id writes it before the commit */
    bool defer_next_id, next_id_dirty;
    bool roles_done;     /* sth_give_roles_accounts ran in this transaction */
};
#define STH_INIT                                                                                   \
    { .lock_fd = -1 }

/* Load the configuration, open the store (migrating a JSON database of an earlier version
 * first, see migrate.c) and begin the verb's transaction. Writers hold the writers' lock
 * (<database>.lock) from here to sth_close, so commits and cache refreshes happen in order.
 * Prints the error and returns an exit code on failure, 0 on success. */
int sth_open(struct sth *h, bool write);
/* Give every role without an account on this host one, when its name is free (uid from the
 * range, as create-role); say on stderr which ones stay without and why. sth_commit runs it
 * first (once per transaction), so the next write after an import of old roles, or after
 * their name became free, makes them accounts. Exit code. */
int sth_give_roles_accounts(struct sth *h);
/* Commit (the Serial moves when something changed) and refresh the caches. Exit code. */
int sth_commit(struct sth *h);
/* Roll back what was not committed, release everything; returns the verb's exit code: r, or
 * IAMCTL_EXIT_FAIL when r is OK but the cache refresh failed after the commit. */
int sth_close(struct sth *h, int r);
/* A store call failed with r: print its message; returns IAMCTL_EXIT_FAIL. */
int sth_fail(struct sth *h, int r);

/* The usual openings: the entity named, or "NoSuchEntity" on stderr and IAMCTL_EXIT_FAIL. */
int sth_user(struct sth *h, const char *name, struct iam_store_identity *ret);
int sth_group(struct sth *h, const char *name, struct iam_store_identity *ret);
int sth_role(struct sth *h, const char *name, struct iam_store_identity *ret);
/* "user-name", "group-name", "role-name": the option that names an identity of kind */
const char *kind_opt(enum iam_store_kind kind);
/* "user", "group", "role" */
const char *kind_word(enum iam_store_kind kind);
/* The user, group or role a verb works on, named by its kind_opt() option. */
int find_target(struct sth *h, struct opt *opts, enum iam_store_kind kind,
                struct iam_store_identity *ret);
/* A managed policy by ARN, or NoSuchEntity in the words of the verb that asks. */
enum policy_missing {
    PM_NOT_FOUND,      /* "Policy <arn> was not found." */
    PM_DOES_NOT_EXIST, /* "policy <arn> does not exist" (boundaries) */
    PM_NOT_ATTACHABLE, /* "Policy <arn> does not exist or is not attachable." */
};
int sth_policy(struct sth *h, const char *arn, enum policy_missing missing,
               struct iam_store_policy *ret);
/* "arn:<partition>:iam::<account>:<kind><path><name>", malloc'd (NULL on ENOMEM). */
char *sth_arn(const struct sth *h, const char *kind, const char *path, const char *name);

/* Common failures in AWS's words. */
int fail_no_such_entity(const char *kind, const char *name);
int fail_user_missing(const char *name);

/* ---- pagination ------------------------------------------------------------------------------ */

struct page {
    size_t max;     /* --max-items; 0 = all */
    int64_t after;  /* from --starting-token; 0 = from the start */
};
/* Read --max-items / --starting-token / --page-size. 0 or a usage exit code. */
int page_parse(struct opt *opts, struct page *ret);
/* When next != 0 the listing was cut: add IsTruncated, Marker (the IAM API's) and NextToken
 * (the AWS CLI's) to out. 0 or -ENOMEM. */
int page_finish(json_t *out, int64_t next);
/* Verbs that share an option table with a list verb but are not one: the pagination
 * options are unknown to them. 0 or a usage exit code. */
int page_refuse(struct opt *opts, const char *verb);
/* Print out (stolen) with the pagination members for next; an exit code. */
int print_page(json_t *out, int64_t next);
/* For short lists held in memory: the slice [*ret_from, *ret_to) of n items, and the marker
 * to continue from (0 when the slice reaches the end). */
void page_slice(const struct page *pg, size_t n, size_t *ret_from, size_t *ret_to,
                int64_t *ret_next);

/* ---- output ---------------------------------------------------------------------------- */

/* Print v (stolen) as the AWS CLI does: 4-space indent, member order kept, newline. */
int print_json(json_t *v);
/* Shapes of the API: User, Group, Policy, ... (new references). */
json_t *user_summary(const struct iam_store_identity *u);
json_t *group_summary(const struct iam_store_identity *g);
json_t *policy_summary(const struct iam_store_policy *p);
json_t *tags_json(const struct iam_store_tag *tags, size_t n);
/* {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn} */
json_t *boundary_json(const char *arn);
/* A policy document text as a JSON value (object), or NULL on ENOMEM. */
json_t *document_json(const char *text);

/* ---- values ---------------------------------------------------------------------------- */

/* "AIDA" / "AGPA" / "ANPA" / "APKA" + 17 of A-Z2-7. */
void make_unique_id(const char *prefix, char out[22]);
void now_iso(char out[32]);
/* Read a --policy-document value (file:// or literal), check it compiles and fits IAM's size
 * limit for its kind; on failure print file:line:col and return an exit code. */
int read_policy_document(const char *value, size_t max_chars, const char *kind, char **ret_text);
/* The same for a role's trust policy (AssumeRolePolicyDocument): a resource policy with the
 * rules IAM has for trust policies (iamctl_trust_policy_check), at most
 * IAM_MAX_TRUST_POLICY_CHARS. */
int read_trust_policy_document(const char *value, char **ret_text);
/* For a file:// parameter, refuse a file larger than max before reading any of it (the
 * shared reader would read up to 256 MiB first). 0 or an exit code (message printed). */
int check_param_size(const char *opt, const char *value, size_t max);
/* --tags in shorthand (Key=k,Value=v ...) or JSON ([{"Key":..,"Value":..}]). */
int parse_tags(char **items, size_t n, json_t **ret_array);

/* uid/gid allocation from the config range over the store's high-water mark, skipping ids
 * that local accounts use (/etc/passwd and /etc/group read directly, never through NSS) and
 * ids the store holds. Raises the high-water mark. */
int alloc_id(struct sth *h, uint32_t *ret);
/* The next id alloc_id kept (defer_next_id) into the store: exit code. */
int sth_flush_next_id(struct sth *h);
/* Whether a local account (group false) or group has name, quietly: 0 and *ret_used, or an
 * exit code (message printed) when /etc/passwd or /etc/group cannot be read. */
int local_name_used(bool group, const char *name, bool *ret_used);
/* Why a role named name cannot be an account on this host, in *ret_why (NULL when it can):
 * its name is no login name, an IAM user or group has it, a local account or group has it,
 * or (with private groups) it is a privileged group's name. The rules of create-role, which
 * refuses such a name outright; here for import and for roles given their account later.
 * 0, or an exit code (message printed) when the store or the local files fail. */
struct iam_store;
int role_account_refusal(struct iam_store *st, const struct iam_config *config, const char *name,
                         const char **ret_why);
/* This host's local accounts (read once); NULL after printing why they cannot be read. */
struct iam_local_accounts;
const struct iam_local_accounts *local_accounts(void);
/* Local account clashes: -EEXIST with a message printed when taken. */
int check_local_user_name(const char *name);
int check_local_group_name(const char *name);
/* A group name that grants privileges (iam/host_ids.h) is refused unless iam.conf allows it:
 * what is "group" or "the private group of user". 0 or an exit code (message printed). */
int check_group_name_allowed(const struct iam_config *config, const char *what, const char *name);

/* An OpenSSH public key line "type base64 [comment]" (verb_cred.c): the normalised
 * "type base64" in *ret_body (malloc'd) and its SHA256 fingerprint; an exit code with
 * InvalidPublicKey printed when it is not one. */
int ssh_key_parse(const char *text, char **ret_body, char fp[64]);

/* A user name from --user-name, checked against IAM's and our POSIX rules. */
int check_user_name_arg(const char *name);

/* When a password set at `changed` (ISO 8601) expires under policy p (NULL: none), in epoch
 * seconds; 0 = never (verb_password.c). */
int64_t password_expiry(const struct iam_store_password_policy *p, const char *changed);

/* ---- shared verb bodies ------------------------------------------------------------------- */

/* list-users, list-groups, list-roles: one kind, --path-prefix, pagination; prints
 * {key: [fn(identity)...]}. */
int list_identities(int argc, char *argv[], enum iam_store_kind kind, const char *key,
                    json_t *(*fn)(const struct iam_store_identity *));
/* Set the tags of a parsed --tags array on who; LimitExceeded past IAM's quota. */
int tag_identity(struct sth *h, const struct iam_store_identity *who, json_t *tags);
/* list-attached-{user,group,role}-policies (verb_policy.c). */
int list_attached(int argc, char *argv[], enum iam_store_kind kind);
