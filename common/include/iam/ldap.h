/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A directory over LDAP (common/ldap/client.c): connect (TLS as the rules below demand), bind,
 * and search with the Simple Paged Results control (RFC 2696), every operation under a
 * time-out. OpenLDAP's client library (Debian's libldap) is loaded with dlopen() on the first
 * connection, so only `iamctl import-ldap` and the directory-password helper ever map it.
 *
 * Transport rules:
 *   - ldaps://   TLS from the first byte;
 *   - ldap://    StartTLS, always, unless starttls = false and the host is a loopback address
 *                (127.0.0.0/8, ::1, localhost): a password never crosses a network in clear;
 *   - ldapi://   a local socket: no TLS; SASL EXTERNAL binds as the calling uid.
 * The server's certificate is always verified (TLS_REQCERT demand) against ca_file (or the
 * system's bundle) and its name against the URI's host.
 *
 * Errors: -ENOTSUP libldap cannot be loaded; -EINVAL a bad URI or a transport the rules
 * refuse; -EHOSTUNREACH the server cannot be reached (down, refused, no route); -ETIMEDOUT an
 * operation outlived its time-out; -EPROTO TLS failed (certificate, StartTLS refused);
 * -EACCES the bind was refused (wrong password, no such DN, account disabled); -E2BIG a size
 * or time limit cut a search short (never a partial result); -EIO anything else the server
 * said; -ENOMEM. The message is in reterr.
 */

#include <stdbool.h>
#include <stddef.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_LDAP_DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define IAM_LDAP_MAX_ATTRS 32
/* pam_iam's helper for directory passwords (ldap_iam/), unless iam.conf's ldap_auth_helper:
 * IAM_LDAP_AUTH_HELPER, an architecture's own path, comes from the build (CMakeLists.txt) */
#ifndef IAM_LDAP_AUTH_HELPER
#error "IAM_LDAP_AUTH_HELPER is defined by the build"
#endif
/* Its exit codes. */
#define IAM_LDAP_AUTH_OK 0          /* the directory accepted the password */
#define IAM_LDAP_AUTH_REFUSED 1     /* the directory refused it (or the DN) */
#define IAM_LDAP_AUTH_UNAVAILABLE 2 /* no answer: down, time-out, TLS, anything else */
#define IAM_LDAP_AUTH_USAGE 3
#define IAM_LDAP_MAX_PASSWORD 4096

enum iam_ldap_bind {
    IAM_LDAP_BIND_ANONYMOUS,
    IAM_LDAP_BIND_SIMPLE,        /* bind_dn + password */
    IAM_LDAP_BIND_SASL_EXTERNAL, /* ldapi:// (the peer's uid) */
};

struct iam_ldap_options {
    const char *uri;     /* one URI */
    const char *ca_file; /* NULL: IAM_LDAP_DEFAULT_CA_FILE */
    bool starttls;       /* ldap:// only; false is accepted on loopback alone */
    unsigned timeout_ms; /* each connect, bind, StartTLS and search page; 0: 10 s */
    enum iam_ldap_bind bind;
    const char *bind_dn;
    const char *password; /* simple bind; the caller wipes it */
    size_t password_len;
};

struct iam_ldap_value {
    const char *val; /* not NUL-terminated in general (binary attributes) */
    size_t len;
};

struct iam_ldap_attr {
    const char *name; /* as the server returned it (case, options) */
    const struct iam_ldap_value *values;
    size_t n_values;
};

struct iam_ldap_entry {
    const char *dn;
    const struct iam_ldap_attr *attrs;
    size_t n_attrs;
};

/* The values of an attribute (ASCII case-insensitive name, no options), or NULL. */
const struct iam_ldap_attr *iam_ldap_entry_attr(const struct iam_ldap_entry *e, const char *name);

struct iam_ldap;

/* Whether libldap can be loaded: 0, or -ENOTSUP with the reason. */
int iam_ldap_load(struct iam_error *reterr) IAM_WUR;

/* Whether the URI's host is a loopback address (or the URI is ldapi://): 1, 0, -EINVAL. */
int iam_ldap_uri_is_local(const char *uri, struct iam_error *reterr) IAM_WUR;

/* Connect and bind. A simple bind with an empty password is refused (-EACCES) before anything
 * is sent: LDAP would treat it as an unauthenticated bind and succeed. */
int iam_ldap_connect(const struct iam_ldap_options *o, struct iam_ldap **ret,
                     struct iam_error *reterr) IAM_WUR;
void iam_ldap_close(struct iam_ldap *l); /* NULL-safe */

/* Called for each entry; its strings live until it returns. Non-zero stops the search and is
 * returned. */
typedef int (*iam_ldap_entry_cb)(void *ctx, const struct iam_ldap_entry *e);

/* A subtree search under base with filter, asking for attrs (NULL-terminated), page_size
 * entries per page (0: 500). Every page must end in success: a size limit, a time limit, a
 * referral or any other result is an error, after entries already handed to cb. */
int iam_ldap_search(struct iam_ldap *l, const char *base, const char *filter,
                    const char *const *attrs, unsigned page_size, iam_ldap_entry_cb cb, void *ctx,
                    struct iam_error *reterr) IAM_WUR;
