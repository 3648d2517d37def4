/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The host's side of IAM identities: the local accounts (/etc/passwd and /etc/group, read as
 * files with fgetpwent_r/fgetgrent_r, never through NSS, so nss_iam cannot answer for them),
 * and the group names that grant privileges.
 *
 * The rules that keep IAM users and groups off the system's ids and names, which the store
 * checks before every write commits and again before every compile (iam_store_check_host_ids
 * in iam/store.h):
 *   - every IAM uid and every IAM gid lies in uid_min..uid_max of iam.conf; the one exception
 *     is a user's primary gid equal to default_gid (a real local group, 100 "users" by
 *     default), which is what private_groups = no gives new users;
 *   - no IAM uid is a local user's uid, no IAM gid a local group's gid (nor, with private
 *     groups, a user's uid, which is its private group's gid);
 *   - no IAM user has a local user's name (nor, with private groups, a local group's), no IAM
 *     group a local group's (ASCII case-insensitive, as IAM names are).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/config.h"
#include "iam/error.h"
#include "iam/macros.h"

#define IAM_LOCAL_PASSWD "/etc/passwd"
#define IAM_LOCAL_GROUP "/etc/group"

struct iam_local_accounts;

/* The files to read: /etc/passwd and /etc/group, or, for tests, IAMCTL_PASSWD_FILE and
 * IAMCTL_GROUP_FILE (read with secure_getenv, so never in a setuid program). */
const char *iam_local_passwd_path(void);
const char *iam_local_group_path(void);

/* Read both files. -errno with the file named in reterr when one cannot be read. */
int iam_local_accounts_load(const char *passwd_path, const char *group_path,
                            struct iam_local_accounts **ret, struct iam_error *reterr) IAM_WUR;
void iam_local_accounts_free(struct iam_local_accounts *local); /* NULL-safe */

/* The local user with that uid, or the local group with that gid: its name, or NULL. */
const char *iam_local_user_by_uid(const struct iam_local_accounts *local, uint32_t uid);
const char *iam_local_group_by_gid(const struct iam_local_accounts *local, uint32_t gid);
/* Whether a local user or group has that name (ASCII case-insensitive). */
bool iam_local_user_exists(const struct iam_local_accounts *local, const char *name);
bool iam_local_group_exists(const struct iam_local_accounts *local, const char *name);
/* Whether id is any local uid, gid, or a local user's primary gid: never given to IAM. */
bool iam_local_id_used(const struct iam_local_accounts *local, uint32_t id);
/* The i-th local user (group = false) or group: false past the end. */
bool iam_local_accounts_get(const struct iam_local_accounts *local, bool group, size_t i,
                            uint32_t *ret_id, const char **ret_name);

/*
 * Group names that grant privileges where a group of that name exists: on this distribution
 * or another, or once a package adds it (sudoers' %sudo and %wheel, polkit's admin rules,
 * docker's and lxd's sockets, the device nodes of disk, kvm or video, the journal, shadow).
 * NSS answers for an IAM group by name, and what is granted to a group name is granted to
 * whoever NSS says is in it. The list is in iam.conf(5) and docs/security.md.
 */
extern const char *const iam_privileged_group_names[]; /* NULL-terminated */

/* Whether name is one of them (ASCII case-insensitive, as IAM names are). */
bool iam_group_name_privileged(const char *name);

/*
 * The rule every way a group enters the store applies (create-group, a user's private group,
 * import, and later importers and bundles): 0 when name may be an IAM group's, because it is
 * not privileged or iam.conf has allow_privileged_group_names = yes; else -EPERM and reterr
 * says '<what> "<name>": a group of that name grants privileges ...' and how to allow it.
 * what is "group", or "the private group of user" for a user whose private group takes its
 * name. Groups already in the store stay.
 */
int iam_group_name_allowed(const struct iam_config *config, const char *what, const char *name,
                           struct iam_error *reterr) IAM_WUR;
