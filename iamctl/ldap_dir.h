/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A directory's users and groups as import-ldap reads them (ldap_dir.c): fetched with
 * iam/ldap.h, mapped by schema, checked, and memberships resolved (nested groups flattened).
 * Functions return 0 or an exit code after printing the message ("iamctl: ..."). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/ldap.h"

enum ldir_schema {
    LDIR_RFC2307,   /* posixAccount, posixGroup with memberUid */
    LDIR_RFC2307BIS, /* posixAccount, posixGroup with member / uniqueMember DNs (nesting) */
    LDIR_AD,        /* user / group, sAMAccountName, member and memberOf (nesting) */
};

struct ldir_user {
    char *dn, *ndn; /* as the server gave it; normalised (lower case, no blanks) for matching */
    char *uuid;     /* entryUUID, or objectGUID in hex; NULL when the server gives none */
    char *name;
    char *gecos, *home, *shell; /* NULL when absent */
    bool has_uid, has_gid, disabled;
    uint32_t uid, gid;
    char **keys; /* sshPublicKey values, sorted */
    size_t n_keys;
    char **member_of; /* normalised DNs (ad) */
    size_t n_member_of;
    size_t *groups; /* resolved: indices into ldir.groups, ascending, nesting included */
    size_t n_groups, cap_groups;
};

struct ldir_group {
    char *dn, *ndn, *uuid, *name;
    bool has_gid;
    uint32_t gid;
    char **member_uids; /* rfc2307 */
    size_t n_member_uids;
    char **member_dns; /* normalised */
    size_t n_member_dns;
    char **member_of; /* normalised (ad) */
    size_t n_member_of;
    size_t *parents; /* groups this one is nested in */
    size_t n_parents, cap_parents;
    int64_t private_of; /* >= 0: the index of the user whose private group this is (skipped) */
};

struct ldir {
    enum ldir_schema schema;
    struct ldir_user *users;
    size_t n_users, cap_users;
    struct ldir_group *groups;
    size_t n_groups, cap_groups;
    size_t warnings;
    bool progress; /* counts on stderr (a terminal) */
};

struct ldir_fetch {
    struct iam_ldap_options conn;
    const char *base_dn;
    const char *user_filter, *group_filter; /* NULL: the schema's default only */
    unsigned page_size;
};

int ldir_parse_schema(const char *s, enum ldir_schema *ret);
/* Connect, search users then groups, map every entry (a bad value is an error naming the
 * entry's DN and the attribute). */
int ldir_fetch(struct ldir *d, const struct ldir_fetch *f);
/* Duplicate names and ids, members (a member that is not an imported user or group is skipped
 * with a warning), nesting, and with private_groups a group that is a user's private group
 * (same name, gid = the user's uid). */
int ldir_resolve(struct ldir *d, bool private_groups);
void ldir_free(struct ldir *d);

/* "cn=a, dc=b" and "CN=A,DC=B" alike: ASCII lower case, blanks around ',' '=' '+' removed.
 * Malloc'd. */
char *ldir_normalise_dn(const char *dn);
/* A warning on stderr ("iamctl: warning: ..."), counted; after 50 only counted. */
void ldir_warn(struct ldir *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
