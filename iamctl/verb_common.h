/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared machinery of the database verbs: option parsing, the write transaction (lock, load
 * and validate, edit, validate the whole result, atomic write, Serial bump, compile hook),
 * JSON output in the AWS CLI's shape, id allocation and local-account checks. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/config.h"
#include "iam/db.h"
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
void opts_free(struct opt *opts);

/* ---- the database ---------------------------------------------------------------------- */

struct dbh {
    struct iam_config *config;
    int lock_fd;
    char *text;
    size_t len;
    struct iam_db *db; /* validated model of the file as read */
    json_t *root;      /* the same document, for editing (writers only) */
    const char *partition;
    char partition_buf[32];
    bool compile_failed; /* written, but the caches were not rebuilt (reported) */
};

/* Open for reading (no lock) or writing (exclusive lock on <database>.lock, then load).
 * Prints the error and returns an exit code on failure, 0 on success. */
int dbh_open(struct dbh *h, bool write);
/* Validate the edited tree as a whole, bump Serial, write atomically, run the compile hook.
 * Returns an exit code (errors printed). The lock is still held afterwards. */
int dbh_commit(struct dbh *h);
/* Release everything; returns the verb's exit code: r, or IAMCTL_EXIT_FAIL when r is OK but
 * the compile hook failed after the write. */
int dbh_close(struct dbh *h, int r);
#define DBH_INIT                                                                                   \
    { .lock_fd = -1 }

/* The json_t of an entity in the editable tree (case-insensitive names), NULL when absent. */
json_t *dbh_user_json(struct dbh *h, const char *name);
json_t *dbh_group_json(struct dbh *h, const char *name);
json_t *dbh_policy_json(struct dbh *h, const char *arn);
/* The array under root[key], created when missing. */
json_t *dbh_section(struct dbh *h, const char *key);

/* Common failures in AWS's words. */
int fail_no_such_entity(const char *kind, const char *name);
int fail_user_missing(const char *name);
/* The user named, or "NoSuchEntity" on stderr and IAMCTL_EXIT_FAIL (the usual verb opening). */
int find_user_or_fail(const struct iam_db *db, const char *name,
                      const struct iam_db_user **ret_user);

/* ---- output ---------------------------------------------------------------------------- */

/* Print v (stolen) as the AWS CLI does: 4-space indent, member order kept, newline. */
int print_json(json_t *v);
/* Shapes of the API: User, Group, Policy, ... (new references). */
json_t *user_summary(const struct iam_db_user *u);
json_t *group_summary(const struct iam_db_group *g);
json_t *policy_summary(const struct iam_db_managed_policy *p);
json_t *tags_json(const struct iam_db_tag *tags, size_t n);
/* A policy document text as a JSON value (object), or NULL on ENOMEM. */
json_t *document_json(const char *text);

/* ---- values ---------------------------------------------------------------------------- */

/* "AIDA" / "AGPA" / "ANPA" / "APKA" + 17 of A-Z2-7. */
void make_unique_id(const char *prefix, char out[22]);
void now_iso(char out[32]);
/* Read a --policy-document value (file:// or literal), check it compiles and fits IAM's size
 * limit for its kind; on failure print file:line:col and return an exit code. */
int read_policy_document(const char *value, size_t max_chars, const char *kind, char **ret_text);
/* For a file:// parameter, refuse a file larger than max before reading any of it (the
 * shared reader would read up to 256 MiB first). 0 or an exit code (message printed). */
int check_param_size(const char *opt, const char *value, size_t max);
/* --tags in shorthand (Key=k,Value=v ...) or JSON ([{"Key":..,"Value":..}]). */
int parse_tags(char **items, size_t n, json_t **ret_array);

/* uid/gid allocation from the config range over the db's high-water mark, skipping ids
 * that local accounts use (/etc/passwd and /etc/group read directly, never through NSS).
 * Updates Posix.NextUid in the tree. */
int alloc_id(struct dbh *h, uint32_t *ret);
/* Local account clashes: -EEXIST with a message printed when taken. */
int check_local_user_name(const char *name);
int check_local_group_name(const char *name);

/* A user name from --user-name, checked against IAM's and our POSIX rules. */
int check_user_name_arg(const char *name);
