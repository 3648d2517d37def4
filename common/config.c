/* SPDX-License-Identifier: Apache-2.0 */
/* /etc/iam/iam.conf: `key = value` lines, `#` comment lines, blank lines.
 * Whitespace around the key and the value is dropped; the value is the rest of the line
 * (a `#` inside a value is part of it, so tag values may hold one). Every error names the
 * line and the column of the offending key or value. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iam/config.h"
#include "iam/faillock.h"
#include "iam/fileio.h"

#define CONFIG_MAX_SIZE (64u * 1024u)
#define CONFIG_MAX_TAGS 50 /* IAM's own limit of tags per resource */

enum key_id {
    K_ACCOUNT_ID,
    K_HOST_ARN,
    K_DATABASE,
    K_CACHE_DIR,
    K_AUDIT_LOG,
    K_RESOURCE_POLICY,
    K_UID_MIN,
    K_UID_MAX,
    K_HOME_TEMPLATE,
    K_DEFAULT_SHELL,
    K_PRIVATE_GROUPS,
    K_DEFAULT_GID,
    K_MAX_KEY_AGE,
    K_ENFORCE,
    K_TRAIL_DIGEST_DIR,
    K_TRAIL_STATE_DIR,
    K_TRAIL_PUBLIC_KEY,
    K_UNUSED_ACCESS_AGE,
    K_SHARED_KEY_WINDOW,
    K_SHARED_KEY_MAX_IPS,
    K_SHARED_KEY_MAX_HOSTS,
    K_ALLOW_PRIVILEGED_GROUP_NAMES,
    K_SIGNING_KEY,
    K_FLEET_KEY,
    K_BUNDLE_URL,
    K_BUNDLE_PUBLIC_KEY,
    K_BUNDLE_SECRET_KEY,
    K_BUNDLE_CA_FILE,
    K_BUNDLE_MAX_AGE,
    K_BUNDLE_MAX_SIZE,
    K_BUNDLE_TIMEOUT,
    K_LOCKOUT,
    K_LOCKOUT_FAILURES,
    K_LOCKOUT_WINDOW,
    K_LOCKOUT_TIME,
    K_LDAP_URI,
    K_LDAP_CA_FILE,
    K_LDAP_TIMEOUT,
    K_LDAP_AUTH_HELPER,
    K__MAX,
};

static const char *const key_names[K__MAX] = {
    [K_ACCOUNT_ID] = "account_id",
    [K_HOST_ARN] = "host_arn",
    [K_DATABASE] = "database",
    [K_CACHE_DIR] = "cache_dir",
    [K_AUDIT_LOG] = "audit_log",
    [K_RESOURCE_POLICY] = "resource_policy",
    [K_UID_MIN] = "uid_min",
    [K_UID_MAX] = "uid_max",
    [K_HOME_TEMPLATE] = "home_template",
    [K_DEFAULT_SHELL] = "default_shell",
    [K_PRIVATE_GROUPS] = "private_groups",
    [K_DEFAULT_GID] = "default_gid",
    [K_MAX_KEY_AGE] = "max_access_key_age_days",
    [K_ENFORCE] = "enforce",
    [K_TRAIL_DIGEST_DIR] = "trail_digest_dir",
    [K_TRAIL_STATE_DIR] = "trail_state_dir",
    [K_TRAIL_PUBLIC_KEY] = "trail_public_key",
    [K_UNUSED_ACCESS_AGE] = "unused_access_age_days",
    [K_SHARED_KEY_WINDOW] = "shared_key_window_minutes",
    [K_SHARED_KEY_MAX_IPS] = "shared_key_max_source_ips",
    [K_SHARED_KEY_MAX_HOSTS] = "shared_key_max_hosts",
    [K_ALLOW_PRIVILEGED_GROUP_NAMES] = "allow_privileged_group_names",
    [K_SIGNING_KEY] = "signing_key",
    [K_FLEET_KEY] = "fleet_key",
    [K_BUNDLE_URL] = "bundle_url",
    [K_BUNDLE_PUBLIC_KEY] = "bundle_public_key",
    [K_BUNDLE_SECRET_KEY] = "bundle_secret_key",
    [K_BUNDLE_CA_FILE] = "bundle_ca_file",
    [K_BUNDLE_MAX_AGE] = "bundle_max_age",
    [K_BUNDLE_MAX_SIZE] = "bundle_max_size",
    [K_BUNDLE_TIMEOUT] = "bundle_timeout",
    [K_LOCKOUT] = "lockout",
    [K_LOCKOUT_FAILURES] = "lockout_failures",
    [K_LOCKOUT_WINDOW] = "lockout_window_seconds",
    [K_LOCKOUT_TIME] = "lockout_time_seconds",
    [K_LDAP_URI] = "ldap_uri",
    [K_LDAP_CA_FILE] = "ldap_ca_file",
    [K_LDAP_TIMEOUT] = "ldap_timeout",
    [K_LDAP_AUTH_HELPER] = "ldap_auth_helper",
};

/* What a bad value of each key should have been, for the error message. */
static const char *const key_expect[K__MAX] = {
    [K_ACCOUNT_ID] = "12 digits",
    [K_HOST_ARN] = "an ARN (arn:partition:service:region:account:resource)",
    [K_DATABASE] = "an absolute path without ':' ',' or control characters",
    [K_CACHE_DIR] = "an absolute path without ':' ',' or control characters",
    [K_AUDIT_LOG] = "an absolute path or \"none\"",
    [K_RESOURCE_POLICY] = "an absolute path without ':' ',' or control characters",
    [K_UID_MIN] = "a number from 1000 to 4294967294",
    [K_UID_MAX] = "a number from 1000 to 4294967294",
    [K_HOME_TEMPLATE] = "an absolute path containing %u (only %u and %% are expanded)",
    [K_DEFAULT_SHELL] = "an absolute path without ':' ',' or control characters",
    [K_PRIVATE_GROUPS] = "yes or no",
    [K_DEFAULT_GID] = "a number from 1 to 4294967294, not 65534",
    [K_MAX_KEY_AGE] = "a number of days from 0 to 36500",
    [K_ENFORCE] = "yes or no",
    [K_TRAIL_DIGEST_DIR] = "an absolute path without ':' ',' or control characters",
    [K_TRAIL_STATE_DIR] = "an absolute path without ':' ',' or control characters",
    [K_TRAIL_PUBLIC_KEY] = "an Ed25519 public key, base64 (44 characters) or hex (64)",
    [K_UNUSED_ACCESS_AGE] = "a number of days from 1 to 365",
    [K_SHARED_KEY_WINDOW] = "a number of minutes from 1 to 100000",
    [K_SHARED_KEY_MAX_IPS] = "a number from 1 to 100000",
    [K_SHARED_KEY_MAX_HOSTS] = "a number from 1 to 100000",
    [K_ALLOW_PRIVILEGED_GROUP_NAMES] = "yes or no",
    [K_SIGNING_KEY] = "an absolute path without ':' ',' or control characters",
    [K_FLEET_KEY] = "an absolute path without ':' ',' or control characters",
    [K_BUNDLE_URL] = "an https:// or file:/// URL of printable ASCII without spaces",
    [K_BUNDLE_PUBLIC_KEY] = "an Ed25519 public key in base64 (get-bundle-public-key)",
    [K_BUNDLE_SECRET_KEY] = "an absolute path without ':' ',' or control characters",
    [K_BUNDLE_CA_FILE] = "an absolute path without ':' ',' or control characters",
    [K_BUNDLE_MAX_AGE] = "0 or a duration up to 10 years: seconds, or a number with s, m, h, d",
    [K_BUNDLE_MAX_SIZE] = "a size from 4096 to 16G: bytes, or a number with K, M or G",
    [K_BUNDLE_TIMEOUT] = "a number of seconds from 1 to 3600",
    [K_LOCKOUT] = "yes or no",
    [K_LOCKOUT_FAILURES] = "a number from 1 to 100",
    [K_LOCKOUT_WINDOW] = "a number of seconds from 1 to 604800",
    [K_LOCKOUT_TIME] = "a number of seconds from 0 (until reset) to 604800",
    [K_LDAP_URI] = "one ldaps://, ldap:// or ldapi:// URI of printable ASCII without spaces",
    [K_LDAP_CA_FILE] = "an absolute path without ':' ',' or control characters",
    [K_LDAP_TIMEOUT] = "a number of seconds from 1 to 60",
    [K_LDAP_AUTH_HELPER] = "an absolute path without ':' ',' or control characters",
};

void iam_config_free(struct iam_config *c) {
    if (!c)
        return;
    free(c->account_id);
    free(c->host_arn);
    free(c->database);
    free(c->cache_dir);
    free(c->audit_log);
    free(c->resource_policy);
    free(c->home_template);
    free(c->default_shell);
    free(c->trail_digest_dir);
    free(c->trail_state_dir);
    free(c->trail_public_key);
    free(c->signing_key);
    free(c->fleet_key);
    free(c->bundle_url);
    free(c->ldap_uri);
    free(c->ldap_ca_file);
    free(c->ldap_auth_helper);
    free(c->bundle_public_key);
    free(c->bundle_secret_key);
    free(c->bundle_ca_file);
    for (size_t i = 0; i < c->n_host_tags; i++) {
        free(c->host_tags[i].key);
        free(c->host_tags[i].value);
    }
    free(c->host_tags);
    free(c);
}

static bool account_ok(const char *s) {
    size_t i;

    for (i = 0; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return i == 12;
}

/* arn:partition:service:region:account:resource with non-empty partition, service and
 * resource; no whitespace or control characters anywhere. */
static bool arn_ok(const char *s) {
    const char *p = s;
    size_t field = 0, flen = 0;

    if (strncmp(s, "arn:", 4) != 0)
        return false;
    for (const char *q = s; *q; q++)
        if ((unsigned char)*q <= 0x20 || *q == 0x7f)
            return false;
    p = s + 4;
    for (; *p && field < 4; p++) {
        if (*p == ':') {
            if ((field == 0 || field == 1) && flen == 0)
                return false;
            field++;
            flen = 0;
        } else {
            flen++;
        }
    }
    return field == 4 && *p != '\0';
}

/* Characters that would corrupt a passwd/group line or a log line. */
static bool field_ok(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == ':' || *p == ',')
            return false;
    return true;
}

static bool abs_path_ok(const char *s) {
    return s[0] == '/' && strlen(s) < PATH_MAX && field_ok(s);
}

static int parse_bool(const char *s, bool *ret) {
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};

    for (size_t i = 0; i < IAM_ELEMENTSOF(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *ret = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *ret = false;
            return 0;
        }
    }
    return -EINVAL;
}

static int parse_u32(const char *s, unsigned long max, uint32_t *ret) {
    unsigned long v = 0;

    if (!*s)
        return -EINVAL;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -EINVAL;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > max)
            return -ERANGE;
    }
    *ret = (uint32_t)v;
    return 0;
}

static int set_str(char **slot, const char *v) {
    char *n = strdup(v);

    if (!n)
        return -ENOMEM;
    free(*slot);
    *slot = n;
    return 0;
}

static int set_defaults(struct iam_config *c) {
    c->uid_min = 200000;
    c->uid_max = 299999;
    c->private_groups = true;
    c->default_gid = 100; /* Debian's "users" */
    c->enforce = true;
    c->max_access_key_age_days = 0;
    c->unused_access_age_days = 90;   /* Access Analyzer's default */
    c->shared_key_window_minutes = 60;
    c->shared_key_max_source_ips = 3; /* home, office, phone within an hour */
    c->shared_key_max_hosts = 10;
    c->bundle_max_size = 256u * 1024u * 1024u;
    c->bundle_timeout = 30;
    c->ldap_timeout = 3;
    /* pam_faillock's manner: 5 failures in 15 minutes lock for 10 minutes */
    c->lockout = true;
    c->lockout_failures = 5;
    c->lockout_window_seconds = 900;
    c->lockout_time_seconds = 600;
    if (set_str(&c->database, IAM_SYSCONFDIR "/iam.db") < 0 ||
        set_str(&c->cache_dir, IAM_STATEDIR) < 0 ||
        set_str(&c->audit_log, "/var/log/iam/audit.jsonl") < 0 ||
        set_str(&c->home_template, "/home/%u") < 0 || set_str(&c->default_shell, "/bin/bash") < 0)
        return -ENOMEM;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one (overlong forms,
 * surrogates and code points above U+10FFFF are refused). */
static size_t utf8_seq(const unsigned char *p) {
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xe0 && p[0] <= 0xef) {
        if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
            return 0;
        return 3;
    }
    if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
            return 0;
        return 4;
    }
    return 0;
}

/* Column (1-based, in code points) of byte offset off within line. */
static unsigned col_of(const char *line, size_t off) {
    unsigned col = 1;

    for (size_t i = 0; i < off; i++)
        if (((unsigned char)line[i] & 0xc0) != 0x80)
            col++;
    return col;
}

/* A base64 Ed25519 public key: 44 characters, the last one '='. */
static bool b64_key_ok(const char *v) {
    size_t n = strlen(v);

    return n == 44 && v[43] == '=' &&
           strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == 43;
}

/* https://host[:port]/path or file:///path; printable ASCII without spaces, quotes or
 * backslashes (the URL reaches log lines and audit records). */
static bool bundle_url_ok(const char *v) {
    size_t n = strlen(v);

    if (n > 2048)
        return false;
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '"' || *p == '\\')
            return false;
    if (strncmp(v, "https://", 8) == 0)
        return v[8] != '\0' && v[8] != '/';
    return strncmp(v, "file:///", 8) == 0;
}

/* A number with an optional unit: s, m, h, d (durations) or K, M, G (sizes, powers of 1024). */
static int parse_scaled(const char *v, const char *units, const uint64_t *scale, uint64_t max,
                        uint64_t *ret) {
    uint64_t n = 0, mult = 1;
    const char *p = v;

    if (*p < '0' || *p > '9')
        return -EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (uint64_t)(*p - '0');
        if (n > max)
            return -ERANGE;
    }
    if (*p) {
        const char *u = strchr(units, *p);
        if (!u || p[1])
            return -EINVAL;
        mult = scale[u - units];
    }
    if (n > max / mult)
        return -ERANGE;
    *ret = n * mult;
    return 0;
}

static int apply_lockout_key(struct iam_config *c, enum key_id k, const char *v);
static int apply_ldap_key(struct iam_config *c, enum key_id k, const char *v);

/* The fleet's keys, and (below) the lockout's and the directory's: -EINVAL for a bad value. */
static int apply_fleet_key(struct iam_config *c, enum key_id k, const char *v) {
    switch (k) {
    case K_SIGNING_KEY:
    case K_FLEET_KEY:
    case K_BUNDLE_SECRET_KEY:
    case K_BUNDLE_CA_FILE:
        if (!abs_path_ok(v))
            return -EINVAL;
        return set_str(k == K_SIGNING_KEY         ? &c->signing_key
                       : k == K_FLEET_KEY         ? &c->fleet_key
                       : k == K_BUNDLE_SECRET_KEY ? &c->bundle_secret_key
                                                  : &c->bundle_ca_file,
                       v);
    case K_BUNDLE_URL:
        if (!bundle_url_ok(v))
            return -EINVAL;
        return set_str(&c->bundle_url, v);
    case K_BUNDLE_PUBLIC_KEY:
        if (!b64_key_ok(v))
            return -EINVAL;
        return set_str(&c->bundle_public_key, v);
    case K_BUNDLE_MAX_AGE: {
        static const uint64_t scale[] = {1, 60, 3600, 86400};
        /* at most ten years: a bigger number is a mistake, not a policy */
        if (parse_scaled(v, "smhd", scale, 10ull * 366 * 86400, &c->bundle_max_age) < 0)
            return -EINVAL;
        return 0;
    }
    case K_BUNDLE_MAX_SIZE: {
        static const uint64_t scale[] = {1024, 1024 * 1024, 1024 * 1024 * 1024};
        uint64_t n;
        if (parse_scaled(v, "KMG", scale, 16ull << 30, &n) < 0 || n < 4096)
            return -EINVAL;
        c->bundle_max_size = n;
        return 0;
    }
    case K_BUNDLE_TIMEOUT: {
        uint32_t n;
        if (parse_u32(v, 3600, &n) < 0 || n < 1)
            return -EINVAL;
        c->bundle_timeout = n;
        return 0;
    }
    case K_LOCKOUT:
    case K_LOCKOUT_FAILURES:
    case K_LOCKOUT_WINDOW:
    case K_LOCKOUT_TIME:
        return apply_lockout_key(c, k, v) < 0 ? -EINVAL : 0;
    case K_LDAP_URI:
    case K_LDAP_CA_FILE:
    case K_LDAP_TIMEOUT:
    case K_LDAP_AUTH_HELPER:
        return apply_ldap_key(c, k, v);
    default:
        break;
    }
    return -EINVAL;
}

/* ldap_uri, ldap_ca_file, ldap_timeout, ldap_auth_helper: 0 or -EINVAL. */
static int apply_ldap_key(struct iam_config *c, enum key_id k, const char *v) {
    uint32_t n;

    switch (k) {
    case K_LDAP_URI:
        /* printable ASCII without spaces, quotes or backslashes (it reaches log lines) */
        if (strlen(v) > 1024 || (strncmp(v, "ldap://", 7) != 0 && strncmp(v, "ldaps://", 8) != 0 &&
                                 strncmp(v, "ldapi://", 8) != 0))
            return -EINVAL;
        for (const char *p = v; *p; p++)
            if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '"' ||
                *p == '\\' || *p == ',')
                return -EINVAL;
        return set_str(&c->ldap_uri, v);
    case K_LDAP_CA_FILE:
    case K_LDAP_AUTH_HELPER:
        if (!abs_path_ok(v))
            return -EINVAL;
        return set_str(k == K_LDAP_CA_FILE ? &c->ldap_ca_file : &c->ldap_auth_helper, v);
    case K_LDAP_TIMEOUT:
        if (parse_u32(v, 60, &n) < 0 || n < 1)
            return -EINVAL;
        c->ldap_timeout = n;
        return 0;
    default:
        return -EINVAL;
    }
}

/* lockout, lockout_failures, lockout_window_seconds, lockout_time_seconds: 0 or -EINVAL. */
static int apply_lockout_key(struct iam_config *c, enum key_id k, const char *v) {
    uint32_t n;

    if (k == K_LOCKOUT)
        return parse_bool(v, &c->lockout) < 0 ? -EINVAL : 0;
    if (k == K_LOCKOUT_FAILURES) {
        if (parse_u32(v, IAM_FAILLOCK_MAX_FAILURES, &n) < 0 || n < 1)
            return -EINVAL;
        c->lockout_failures = n;
        return 0;
    }
    /* up to a week; a lock time of 0 lasts until an administrator resets it */
    if (parse_u32(v, 604800, &n) < 0 || (k == K_LOCKOUT_WINDOW && n < 1))
        return -EINVAL;
    if (k == K_LOCKOUT_WINDOW)
        c->lockout_window_seconds = n;
    else
        c->lockout_time_seconds = n;
    return 0;
}

static int apply_key(struct iam_config *c, enum key_id k, const char *v, struct iam_error *e,
                     unsigned line, unsigned vcol, size_t voff) {
    int r;

    switch (k) {
    case K_ACCOUNT_ID:
        if (!account_ok(v))
            goto bad_value;
        return set_str(&c->account_id, v);
    case K_HOST_ARN:
        if (!arn_ok(v))
            goto bad_value;
        return set_str(&c->host_arn, v);
    case K_DATABASE:
    case K_CACHE_DIR:
    case K_RESOURCE_POLICY:
        if (!abs_path_ok(v))
            goto bad_value;
        return set_str(k == K_DATABASE    ? &c->database
                       : k == K_CACHE_DIR ? &c->cache_dir
                                          : &c->resource_policy,
                       v);
    case K_AUDIT_LOG:
        if (strcmp(v, "none") != 0 && !abs_path_ok(v))
            goto bad_value;
        return set_str(&c->audit_log, v);
    case K_UID_MIN:
    case K_UID_MAX: {
        uint32_t n;
        /* 0..999 are system ids; 65534 is nobody; 2^32-1 is (uid_t)-1. Stay well clear. */
        r = parse_u32(v, 4294967294ul, &n);
        if (r < 0 || n < 1000)
            goto bad_value;
        if (k == K_UID_MIN)
            c->uid_min = n;
        else
            c->uid_max = n;
        return 0;
    }
    case K_HOME_TEMPLATE:
        if (!abs_path_ok(v) || !strstr(v, "%u"))
            goto bad_value;
        for (const char *p = v; *p; p++) {
            if (*p == '%') {
                if (p[1] != 'u' && p[1] != '%')
                    goto bad_value;
                p++;
            }
        }
        return set_str(&c->home_template, v);
    case K_DEFAULT_SHELL:
        if (!abs_path_ok(v))
            goto bad_value;
        return set_str(&c->default_shell, v);
    case K_PRIVATE_GROUPS:
        if (parse_bool(v, &c->private_groups) < 0)
            goto bad_value;
        return 0;
    case K_DEFAULT_GID: {
        uint32_t n;
        /* root's group would make every file of group root the user's; 65534 is nogroup */
        r = parse_u32(v, 4294967294ul, &n);
        if (r < 0 || n == 0 || n == 65534)
            goto bad_value;
        c->default_gid = n;
        return 0;
    }
    case K_ENFORCE:
        if (parse_bool(v, &c->enforce) < 0)
            goto bad_value;
        return 0;
    case K_ALLOW_PRIVILEGED_GROUP_NAMES:
        if (parse_bool(v, &c->allow_privileged_group_names) < 0)
            goto bad_value;
        return 0;
    case K_MAX_KEY_AGE: {
        uint32_t n;
        if (parse_u32(v, 36500, &n) < 0)
            goto bad_value;
        c->max_access_key_age_days = n;
        return 0;
    }
    case K_TRAIL_DIGEST_DIR:
    case K_TRAIL_STATE_DIR:
        if (!abs_path_ok(v))
            goto bad_value;
        return set_str(k == K_TRAIL_DIGEST_DIR ? &c->trail_digest_dir : &c->trail_state_dir, v);
    case K_TRAIL_PUBLIC_KEY: {
        /* Ed25519 public key: base64 (44 characters) or hex (64) */
        size_t n = strlen(v);

        if ((n != 44 && n != 64) || strspn(v, n == 64 ? "0123456789abcdefABCDEF"
                                                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
                                                        "klmnopqrstuvwxyz0123456789+/=") != n)
            goto bad_value;
        return set_str(&c->trail_public_key, v);
    }
    case K_UNUSED_ACCESS_AGE: {
        uint32_t n;
        /* Access Analyzer takes 1 to 365 days */
        if (parse_u32(v, 365, &n) < 0 || n < 1)
            goto bad_value;
        c->unused_access_age_days = n;
        return 0;
    }
    case K_SHARED_KEY_WINDOW:
    case K_SHARED_KEY_MAX_IPS:
    case K_SHARED_KEY_MAX_HOSTS: {
        uint32_t n;
        if (parse_u32(v, 100000, &n) < 0 || n < 1)
            goto bad_value;
        if (k == K_SHARED_KEY_WINDOW)
            c->shared_key_window_minutes = n;
        else if (k == K_SHARED_KEY_MAX_IPS)
            c->shared_key_max_source_ips = n;
        else
            c->shared_key_max_hosts = n;
        return 0;
    }
    case K_SIGNING_KEY:
    case K_FLEET_KEY:
    case K_BUNDLE_URL:
    case K_BUNDLE_PUBLIC_KEY:
    case K_BUNDLE_SECRET_KEY:
    case K_BUNDLE_CA_FILE:
    case K_BUNDLE_MAX_AGE:
    case K_BUNDLE_MAX_SIZE:
    case K_BUNDLE_TIMEOUT:
    case K_LOCKOUT:
    case K_LOCKOUT_FAILURES:
    case K_LOCKOUT_WINDOW:
    case K_LOCKOUT_TIME:
    case K_LDAP_URI:
    case K_LDAP_CA_FILE:
    case K_LDAP_TIMEOUT:
    case K_LDAP_AUTH_HELPER:
        r = apply_fleet_key(c, k, v);
        if (r == -EINVAL)
            goto bad_value;
        return r;
    case K__MAX:
        break;
    }
    return -EINVAL;
bad_value:
    iam_error_set(e, line, vcol, voff, "bad value for %s: \"%.64s\" (expected %s)", key_names[k], v,
                  key_expect[k]);
    return -EINVAL;
}

static bool tag_key_ok(const char *s) {
    /* IAM tag keys: 1-128 of letters, digits, spaces and _ . : / = + - @ */
    size_t n = 0;

    for (const char *p = s; *p; p++, n++)
        if (!isalnum((unsigned char)*p) && !strchr(" _.:/=+-@", *p))
            return false;
    return n >= 1 && n <= 128;
}

static bool tag_value_ok(const char *s) {
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        if ((*p & 0xc0) != 0x80)
            n++;
    }
    return n <= 256;
}

/* One line of the file: its number, where it starts in the text, and a NUL-terminated copy
 * (without the newline and a trailing CR) that the parser may cut into key and value. */
struct config_line {
    unsigned lineno;
    size_t start;
    char *text;
};

/* Copy text[start, end) into line->text, refusing NUL bytes, invalid UTF-8 and control
 * characters other than tab: values reach passwd entries, the policy context and JSON audit
 * records. */
static int line_copy(struct config_line *line, const char *text, size_t end,
                     struct iam_error *reterr) {
    const char *nul = memchr(text + line->start, '\0', end - line->start);
    char *l = line->text;

    if (nul) {
        iam_error_set(reterr, line->lineno, 0, (size_t)(nul - text), "NUL byte in configuration");
        return -EINVAL;
    }
    memcpy(l, text + line->start, end - line->start);
    l[end - line->start] = '\0';
    if (end > line->start && l[end - line->start - 1] == '\r')
        l[end - line->start - 1] = '\0';
    /* the line is NUL-terminated, so utf8_seq's look-ahead stops at its end */
    for (size_t i = 0; l[i];) {
        size_t n = utf8_seq((const unsigned char *)l + i);
        if (n == 0) {
            iam_error_set(reterr, line->lineno, col_of(l, i), line->start + i,
                          "invalid UTF-8 in configuration");
            return -EINVAL;
        }
        i += n;
    }
    for (size_t i = 0; l[i]; i++)
        if (((unsigned char)l[i] < 0x20 && l[i] != '\t') || l[i] == 0x7f) {
            iam_error_set(reterr, line->lineno, col_of(l, i), line->start + i,
                          "control character in configuration");
            return -EINVAL;
        }
    return 0;
}

/* Cut "key = value" in place: *ret_ks and *ret_vs are the offsets of the key and the value,
 * both NUL-terminated and without surrounding blanks. 1 for a blank or comment line. */
static int line_split(struct config_line *line, size_t *ret_ks, size_t *ret_vs,
                      struct iam_error *reterr) {
    char *l = line->text;
    size_t ks = 0, ke, vs, ve, eq;

    while (l[ks] == ' ' || l[ks] == '\t')
        ks++;
    if (l[ks] == '\0' || l[ks] == '#')
        return 1;
    eq = ks;
    while (l[eq] && l[eq] != '=')
        eq++;
    if (l[eq] != '=') {
        iam_error_set(reterr, line->lineno, col_of(l, ks), line->start + ks,
                      "expected \"key = value\"");
        return -EINVAL;
    }
    ke = eq;
    while (ke > ks && (l[ke - 1] == ' ' || l[ke - 1] == '\t'))
        ke--;
    vs = eq + 1;
    while (l[vs] == ' ' || l[vs] == '\t')
        vs++;
    ve = strlen(l);
    while (ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'))
        ve--;
    l[ke] = '\0';
    l[ve] = '\0';
    if (ke == ks) {
        iam_error_set(reterr, line->lineno, col_of(l, ks), line->start + ks,
                      "missing key before '='");
        return -EINVAL;
    }
    *ret_ks = ks;
    *ret_vs = vs;
    return 0;
}

/* host_tag.<Key> = <Value>: the key starts at ks + 9. */
static int add_host_tag(struct iam_config *c, const struct config_line *line, size_t ks, size_t vs,
                        struct iam_error *reterr) {
    const char *l = line->text, *tk = l + ks + 9, *tv = l + vs;
    struct iam_config_tag *nt;

    if (!tag_key_ok(tk)) {
        iam_error_set(reterr, line->lineno, col_of(l, ks + 9), line->start + ks + 9,
                      "bad host tag key \"%.64s\" (1-128 letters, digits, spaces and "
                      "_.:/=+-@)",
                      tk);
        return -EINVAL;
    }
    if (!tag_value_ok(tv)) {
        iam_error_set(reterr, line->lineno, col_of(l, vs), line->start + vs,
                      "bad host tag value (at most 256 characters)");
        return -EINVAL;
    }
    for (size_t i = 0; i < c->n_host_tags; i++)
        if (strcasecmp(c->host_tags[i].key, tk) == 0) {
            iam_error_set(reterr, line->lineno, col_of(l, ks), line->start + ks,
                          "duplicate host tag \"%.64s\" (tag keys are case-insensitive)", tk);
            return -EINVAL;
        }
    if (c->n_host_tags >= CONFIG_MAX_TAGS) {
        iam_error_set(reterr, line->lineno, col_of(l, ks), line->start + ks,
                      "too many host tags (at most %d)", CONFIG_MAX_TAGS);
        return -E2BIG;
    }
    nt = realloc(c->host_tags, (c->n_host_tags + 1) * sizeof(*nt));
    if (!nt)
        return -ENOMEM;
    c->host_tags = nt;
    nt[c->n_host_tags].key = strdup(tk);
    nt[c->n_host_tags].value = strdup(tv);
    c->n_host_tags++;
    if (!nt[c->n_host_tags - 1].key || !nt[c->n_host_tags - 1].value)
        return -ENOMEM;
    return 0;
}

/* A key of key_names: known, not seen before, with a good value. */
static int set_key(struct iam_config *c, bool seen[K__MAX], const struct config_line *line,
                   size_t ks, size_t vs, struct iam_error *reterr) {
    const char *l = line->text;
    enum key_id k;

    for (k = 0; k < K__MAX; k++)
        if (strcmp(l + ks, key_names[k]) == 0)
            break;
    if (k == K__MAX) {
        iam_error_set(reterr, line->lineno, col_of(l, ks), line->start + ks,
                      "unknown key \"%.64s\"", l + ks);
        return -EINVAL;
    }
    if (seen[k]) {
        iam_error_set(reterr, line->lineno, col_of(l, ks), line->start + ks, "duplicate key \"%s\"",
                      key_names[k]);
        return -EINVAL;
    }
    seen[k] = true;
    return apply_key(c, k, l + vs, reterr, line->lineno, col_of(l, vs), line->start + vs);
}

/* What no single line can tell: required keys, and the uid range as a whole. */
static int check_complete(const struct iam_config *c, struct iam_error *reterr) {
    if (!c->account_id) {
        iam_error_set(reterr, 0, 0, 0, "missing required key account_id");
        return -EINVAL;
    }
    if (!c->host_arn) {
        iam_error_set(reterr, 0, 0, 0, "missing required key host_arn");
        return -EINVAL;
    }
    if (c->uid_min > c->uid_max) {
        iam_error_set(reterr, 0, 0, 0, "uid_min (%u) is greater than uid_max (%u)", c->uid_min,
                      c->uid_max);
        return -EINVAL;
    }
    if (c->bundle_url && (!c->bundle_public_key || !c->bundle_secret_key)) {
        iam_error_set(reterr, 0, 0, 0, "bundle_url needs bundle_public_key and "
                      "bundle_secret_key (iamctl init --bundle-url URL --bundle-public-key KEY "
                      "--bundle-secret-key FILE)");
        return -EINVAL;
    }
    if (c->uid_min <= 65534 && c->uid_max >= 65534) {
        iam_error_set(reterr, 0, 0, 0,
                      "uid range %u-%u contains 65534 (nobody); choose a range above it",
                      c->uid_min, c->uid_max);
        return -EINVAL;
    }
    return 0;
}

/* The publisher's keys default beside the store (one iam.conf, one whole configuration). */
static int default_beside_database(struct iam_config *c) {
    const char *slash = strrchr(c->database, '/');
    int dir = slash ? (int)(slash - c->database) : 0;

    if (!c->signing_key &&
        asprintf(&c->signing_key, "%.*s/bundle-signing.key", dir, c->database) < 0) {
        c->signing_key = NULL;
        return -ENOMEM;
    }
    if (!c->fleet_key && asprintf(&c->fleet_key, "%.*s/fleet.key", dir, c->database) < 0) {
        c->fleet_key = NULL;
        return -ENOMEM;
    }
    return 0;
}

int iam_config_parse(const char *text, size_t len, const char *source,
                     struct iam_config **ret_config, struct iam_error *reterr) {
    struct iam_config *c = NULL;
    struct config_line line = {0};
    bool seen[K__MAX] = {false};
    size_t pos = 0;
    int r = -ENOMEM;

    iam_error_set_source(reterr, source);
    c = calloc(1, sizeof(*c));
    if (!c)
        goto out;
    r = set_defaults(c);
    if (r < 0)
        goto out;
    line.text = malloc(len + 1);
    if (!line.text) {
        r = -ENOMEM;
        goto out;
    }
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len, ks, vs;

        line.start = pos;
        line.lineno++;
        pos = nl ? end + 1 : len;
        r = line_copy(&line, text, end, reterr);
        if (r < 0)
            goto out;
        r = line_split(&line, &ks, &vs, reterr);
        if (r < 0)
            goto out;
        if (r > 0)
            continue;
        if (strncmp(line.text + ks, "host_tag.", 9) == 0)
            r = add_host_tag(c, &line, ks, vs, reterr);
        else
            r = set_key(c, seen, &line, ks, vs, reterr);
        if (r < 0)
            goto out;
    }
    r = check_complete(c, reterr);
    if (r < 0)
        goto out;
    /* the trail's state defaults into cache_dir (one iam.conf, one whole configuration) */
    if (!c->trail_state_dir && asprintf(&c->trail_state_dir, "%s/trail", c->cache_dir) < 0) {
        c->trail_state_dir = NULL;
        r = -ENOMEM;
        goto out;
    }
    if ((r = default_beside_database(c)) < 0)
        goto out;
    *ret_config = c;
    c = NULL;
    r = 0;
out:
    free(line.text);
    iam_config_free(c);
    return r;
}

int iam_config_load(const char *path, struct iam_config **ret_config, struct iam_error *reterr) {
    return iam_config_load_stat(path, ret_config, NULL, reterr);
}

int iam_config_load_stat(const char *path, struct iam_config **ret_config, struct stat *ret_st,
                         struct iam_error *reterr) {
    char *buf = NULL;
    size_t len = 0;
    int r;

    r = iam_file_read_safe_stat(path, CONFIG_MAX_SIZE, &buf, &len, ret_st, reterr);
    if (r < 0)
        return r;
    r = iam_config_parse(buf, len, path, ret_config, reterr);
    free(buf);
    return r;
}

char *iam_config_home_for(const struct iam_config *config, const char *user_name) {
    const char *t = config && config->home_template ? config->home_template : "/home/%u";
    size_t n = 0, ulen = strlen(user_name);
    char *out, *o;

    for (const char *p = t; *p; p++) {
        if (p[0] == '%' && p[1] == 'u') {
            n += ulen;
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            n++;
            p++;
        } else {
            n++;
        }
    }
    out = malloc(n + 1);
    if (!out)
        return NULL;
    o = out;
    for (const char *p = t; *p; p++) {
        if (p[0] == '%' && p[1] == 'u') {
            memcpy(o, user_name, ulen);
            o += ulen;
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            *o++ = '%';
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}
