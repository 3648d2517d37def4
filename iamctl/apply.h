/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Writing a validated model of an account (iam_db_parse's) into the store: what `import`
 * does with an AWS export and what the migration of a JSON database does with all of it.
 *
 * import (host_data false): identities and policies are matched by name (ARN for policies)
 * and take the export's source; an entry whose digest equals the one recorded at its last
 * import is left alone, so applying the same export twice writes nothing; new users and
 * groups get POSIX ids from this host; memberships in groups the export brings are made
 * equal to the export's GroupList (memberships in this host's own groups stay).
 * migrate (host_data true): into an empty store, with the database's POSIX ids, credentials
 * and high-water mark, as created on this host. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/db.h"
#include "iam/store.h"
#include "verb_common.h"

/* Where an export names a group, or a user (whose private group takes the name), whose name
 * is a privileged group name (iam/host_ids.h): for a refusal at line and column. */
struct apply_pos {
    bool user;
    size_t index; /* in db->users or db->groups */
    unsigned line, column;
};

struct apply {
    struct iam_store *st;
    struct sth *h;               /* import: id allocation and host checks; NULL for migrate */
    const struct iam_config *config;
    const struct iam_db *db;
    const char *file;            /* for messages */
    const char *source;          /* IAM_STORE_SOURCE_AWS or IAM_STORE_SOURCE_LOCAL */
    bool host_data;
    bool progress;               /* report on stderr (a terminal) */
    /* rowids parallel to db->policies and db->groups, filled as they are written */
    int64_t *policy_ids;
    int64_t *group_ids;
    /* identities and policies the model names (kept by --delete-missing) */
    struct iam_store_ids seen_identities, seen_policies;
    size_t new_users, new_groups, changed;
    size_t deleted_users, deleted_groups, deleted_roles, deleted_policies;
    struct apply_pos *privileged; /* import: apply_find_privileged()'s */
    size_t n_privileged;
};

/* import: before the export's text is released, the positions of its users' and groups'
 * names that are privileged group names (usually none; the text is parsed again only when
 * there is one). 0 or an exit code (message printed). */
int apply_find_privileged(const struct iam_db *db, const char *text, size_t len,
                          struct apply_pos **ret, size_t *ret_n);

/* Policies, groups, users, roles, in that order (references resolve to what came before).
 * 0 or an exit code (message printed). */
int apply_model(struct apply *a);
/* import --delete-missing: remove what came from `source` and the model does not name. */
int apply_delete_missing(struct apply *a);
void apply_free(struct apply *a);
