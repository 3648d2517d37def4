/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* iam-pull: fetch, verify and install the bundle of bundle_url (docs/fleet.md). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/config.h"
#include "iam/error.h"

/* Why a pull did not install: each is an audit errorCode and a test. */
enum pull_refusal {
    PULL_OK,
    PULL_UNREACHABLE, /* OriginUnreachable: connection refused, DNS, TLS handshake... */
    PULL_TIMEOUT,     /* OriginTimeout: no connection or no progress in bundle_timeout */
    PULL_TLS,         /* CertificateInvalid: the server's certificate does not verify */
    PULL_REDIRECT,    /* RedirectRefused: a redirect to another scheme */
    PULL_HTTP,        /* OriginError: an HTTP status other than 200 (or 304) */
    PULL_MISSING,     /* FileMissing: 404, or a file:// path that is not there */
    PULL_TOO_LARGE,   /* ResponseTooLarge: over bundle_max_size or the manifest's Size */
    PULL_SIGNATURE,   /* SignatureInvalid: altered, or signed by another key */
    PULL_MALFORMED,   /* ManifestInvalid */
    PULL_ACCOUNT,     /* AccountMismatch */
    PULL_ROLLBACK,    /* Rollback: Serial lower than the highest installed */
    PULL_EXPIRED,     /* BundleExpired */
    PULL_FLEET_KEY,   /* FleetKeyMismatch: sealed to another fleet */
    PULL_HASH,        /* FileAltered: a file's size or SHA-256 is not the manifest's */
    PULL_DAMAGED,     /* BundleDamaged: a cache that does not decode */
    PULL_HOST_CHECK,  /* HostConflict: an identity collides with a local account, or a
                       * privileged group name */
    PULL_LOCAL,       /* LocalError: this host's own state, disk, memory */
};

const char *pull_refusal_code(enum pull_refusal r);

struct fetch_opts {
    const char *ca_file; /* NULL = the system's CA store */
    unsigned timeout;    /* seconds: connect, and the longest stall */
    uint64_t max_size;   /* bytes: a longer response is refused */
    const char *etag;    /* If-None-Match, or NULL */
};

struct fetch_result {
    char *data; /* malloc'd, NUL-terminated; NULL for 304 */
    size_t len;
    long status; /* HTTP status; 200 for file:// */
    char etag[256];
};

/* GET url. PULL_OK with *ret filled (status 200 or 304), or the refusal with reterr. Only
 * url's own scheme is allowed, for redirects too. */
enum pull_refusal fetch_url(const char *url, const struct fetch_opts *o, struct fetch_result *ret,
                            struct iam_error *reterr);
void fetch_result_free(struct fetch_result *r);
int fetch_global_init(void);
void fetch_global_cleanup(void);
