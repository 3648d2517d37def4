/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* /etc/iam/iam.conf: `key = value` lines, `#` comments, blank lines. An unknown key, a
 * duplicate key or a bad value is -EINVAL naming the line (and column) in reterr. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "iam/error.h"

#define IAM_CONFIG_DEFAULT_PATH IAM_SYSCONFDIR "/iam.conf"

struct iam_config_tag {
    char *key;
    char *value;
};

struct iam_config {
    char *account_id;       /* 12 digits; required */
    char *host_arn;         /* required, must parse as an ARN */
    char *database;         /* the store; default IAM_SYSCONFDIR "/iam.db" */
    char *cache_dir;        /* default IAM_STATEDIR */
    char *audit_log;        /* default "/var/log/iam/audit.jsonl"; "none" disables the file */
    char *resource_policy;  /* optional host resource policy (JSON file); NULL = none */
    uint32_t uid_min;       /* default 200000 */
    uint32_t uid_max;       /* default 299999 */
    char *home_template;    /* default "/home/%u" */
    char *default_shell;    /* default "/bin/bash" */
    bool private_groups;    /* default true: each user gets a group with gid = uid */
    uint32_t default_gid;   /* default 100 ("users"): new users' primary group when
                             * private_groups is false */
    unsigned max_access_key_age_days; /* 0 = no limit */
    bool enforce;           /* default true; false = evaluate and audit "would deny" only */
    /* the trail: tamper evidence (iam/seal.h) and the findings over it */
    char *trail_digest_dir; /* NULL = "<audit_log>.digest" */
    char *trail_state_dir;  /* default "<cache_dir>/trail": the sealing state and key */
    char *trail_public_key; /* NULL = none pinned: the anchor validate-logs trusts */
    unsigned unused_access_age_days;    /* default 90 (Access Analyzer's default) */
    unsigned shared_key_window_minutes; /* default 60 */
    unsigned shared_key_max_source_ips; /* default 3: more addresses in a window = shared */
    unsigned shared_key_max_hosts;      /* default 10: more hosts in a window = shared */
    bool allow_privileged_group_names; /* default false: group names that grant privileges
                                        * elsewhere are refused (host_ids.h) */
    /* fleet, the publishing side (an admin host: the store is here) */
    char *signing_key;      /* Ed25519 key that signs bundles; default beside the database,
                             * "<dir of database>/bundle-signing.key" */
    char *fleet_key;        /* the fleet's key pair (X25519) that bundles' secrets are sealed
                             * to; default "<dir of database>/fleet.key" */
    /* fleet, the pulling side (a host without a store): set bundle_url and the host pulls */
    char *bundle_url;        /* https://... or file:///...: the published directory; NULL =
                              * this host has its own store */
    char *bundle_public_key; /* base64 of the publisher's 32-byte Ed25519 public key */
    char *bundle_secret_key; /* the fleet secret key file (root 0600) */
    char *bundle_ca_file;    /* CA certificates for https; NULL = the system's store */
    uint64_t bundle_max_age; /* seconds; 0 = no limit: IAM logins fail closed once the
                              * installed bundle was signed longer ago than this */
    uint64_t bundle_max_size; /* bytes: the largest response pull accepts; default 256 MiB */
    unsigned bundle_timeout;  /* seconds: connecting, and the longest stall of a transfer;
                               * default 30 */
    /* lockout after failed logins (iam/faillock.h): on by default */
    bool lockout;
    unsigned lockout_failures;       /* default 5 */
    unsigned lockout_window_seconds; /* default 900 */
    unsigned lockout_time_seconds;   /* default 600; 0 = until `iamctl reset-lockout` */
    /* directory passwords (pam_iam, through the helper iam-ldap-auth) */
    char *ldap_uri;         /* the directory users imported by import-ldap bind to; NULL = no
                             * directory passwords */
    char *ldap_ca_file;     /* CA certificates; NULL = IAM_LDAP_DEFAULT_CA_FILE */
    unsigned ldap_timeout;  /* seconds for each operation of a password check; default 3 */
    char *ldap_auth_helper; /* NULL = IAM_LDAP_AUTH_HELPER */
    struct iam_config_tag *host_tags; /* host_tag.<Key> = <Value>, in file order */
    size_t n_host_tags;
};

/* Load and validate. The file must be a regular file owned by root (or the caller's euid),
 * not writable by group or others, not a symlink: -EACCES otherwise. */
int iam_config_load(const char *path, struct iam_config **ret_config,
                    struct iam_error *reterr) IAM_WUR;
/* The same, with the fstat of the file read in *ret_st (see iam_file_read_safe_stat()). */
int iam_config_load_stat(const char *path, struct iam_config **ret_config, struct stat *ret_st,
                         struct iam_error *reterr) IAM_WUR;
/* Parse text already in memory (no file checks); source names it in errors. */
int iam_config_parse(const char *text, size_t len, const char *source,
                     struct iam_config **ret_config, struct iam_error *reterr) IAM_WUR;
void iam_config_free(struct iam_config *config); /* NULL-safe */

/* Expand home_template for a user name ("%u" -> name, "%%" -> "%"). Returns malloc'd. */
char *iam_config_home_for(const struct iam_config *config, const char *user_name);
