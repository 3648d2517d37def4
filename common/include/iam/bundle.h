/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Bundles: the compiled host caches of one account, published by the admin host as static
 * files and pulled by every host of the fleet (docs/fleet.md).
 *
 * A bundle directory holds
 *   manifest.json                 the signed manifest (below), replaced last and atomically
 *   nss.cache.<hash>.gz           nss.cache, gzip
 *   auth.cache.<hash>.sealed      auth.cache, gzip, then a libsodium sealed box to the fleet
 *                                 public key (it holds password hashes and key hashes)
 *   ssh_keys.cache.<hash>.gz      ssh_keys.cache (the public keys sshd is given), gzip
 * Data files are named by the first 16 hex digits of their SHA-256, so a reader that fetched
 * the previous manifest still finds the files it names (publish keeps the previous bundle's
 * files and removes older ones): readers of the directory get one bundle or the other.
 *
 * manifest.json is {"Format": "iam-host-bundle-1", "Manifest": "<base64>", "Signature":
 * "<base64>"}: the Ed25519 signature (signing key) of IAM_BUNDLE_SIG_CONTEXT followed by the
 * manifest's bytes, which are JSON: Format, AccountId, Serial (the store's, which grows with
 * every change), Created and Expires (UTC, "YYYY-MM-DDTHH:MM:SSZ"), FleetKey (the public key
 * the secrets are sealed to) and Files: for "nss.cache", "auth.cache" and "ssh_keys.cache" the
 * Path, Size and Sha256 of the file as served, its Encoding and the ContentSize of the cache
 * it decodes to.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_BUNDLE_FORMAT "iam-host-bundle-1"
#define IAM_BUNDLE_MANIFEST "manifest.json"
#define IAM_BUNDLE_SIG_CONTEXT "iam-host bundle manifest v1\n"
#define IAM_BUNDLE_MANIFEST_MAX (64u * 1024u) /* a manifest is a few hundred bytes */
#define IAM_BUNDLE_PUBLIC_KEY_B64 44          /* base64 of 32 bytes, without the NUL */
#define IAM_BUNDLE_PATH_MAX 64
#define IAM_BUNDLE_NSS 0
#define IAM_BUNDLE_AUTH 1
#define IAM_BUNDLE_SSH 2
#define IAM_BUNDLE_N_FILES 3

/* ---- keys ------------------------------------------------------------------------------ */

enum iam_bundle_key_kind {
    IAM_BUNDLE_SIGNING_KEY, /* Ed25519: "iam-bundle-signing-key-v1 <base64 seed>" */
    IAM_BUNDLE_FLEET_KEY,   /* X25519: "iam-fleet-secret-key-v1 <base64 secret key>" */
};

struct iam_bundle_signing_key {
    uint8_t sk[64]; /* crypto_sign_SECRETKEYBYTES */
    uint8_t pk[32];
};

struct iam_bundle_fleet_key {
    uint8_t sk[32]; /* crypto_box_SECRETKEYBYTES */
    uint8_t pk[32];
};

/* Create a new key file at path, root (the caller) 0600, written whole and fsync'ed before it
 * appears. An existing file is -EEXIST unless replace is true (then replaced atomically). */
int iam_bundle_key_create(const char *path, enum iam_bundle_key_kind kind, bool replace,
                          struct iam_error *reterr) IAM_WUR;

/* Load a key file: a regular file, not a symbolic link, owned by root (or the caller's
 * euid), no permission for group or others (-EACCES otherwise); -EBADMSG when it is not a
 * key of that kind. Wipe the result with iam_bundle_key_wipe(). */
int iam_bundle_signing_key_load(const char *path, struct iam_bundle_signing_key *ret,
                                struct iam_error *reterr) IAM_WUR;
int iam_bundle_fleet_key_load(const char *path, struct iam_bundle_fleet_key *ret,
                              struct iam_error *reterr) IAM_WUR;
void iam_bundle_key_wipe(void *key, size_t size);

/* Copy the fleet key file src to dst (created root 0600, refusing an existing dst). */
int iam_bundle_fleet_key_export(const char *src, const char *dst, struct iam_error *reterr) IAM_WUR;

/* A 32-byte public key as standard base64 (44 characters + NUL), and back (-EINVAL). */
void iam_bundle_key_to_base64(const uint8_t pk[32], char out[IAM_BUNDLE_PUBLIC_KEY_B64 + 1]);
int iam_bundle_key_from_base64(const char *text, uint8_t ret[32]) IAM_WUR;

/* ---- the manifest ------------------------------------------------------------------------ */

struct iam_bundle_file {
    char path[IAM_BUNDLE_PATH_MAX]; /* file name in the bundle directory */
    uint64_t size;                  /* bytes as served */
    uint8_t sha256[32];
    uint64_t content_size; /* bytes of the cache it decodes to */
};

struct iam_bundle_manifest {
    char account_id[13];
    uint64_t serial;
    int64_t created, expires; /* seconds since the epoch */
    uint8_t fleet_pk[32];
    uint8_t settings[32]; /* digest of the publisher's settings the caches depend on */
    struct iam_bundle_file files[IAM_BUNDLE_N_FILES]; /* IAM_BUNDLE_NSS, _AUTH, _SSH */
};

/* Check manifest.json's bytes: the envelope, the signature by pk, then the manifest itself
 * (every field present, of its type and in range; file names safe). -EKEYREJECTED when the
 * signature does not verify with pk (altered, or signed by another key); -EBADMSG when
 * anything else is wrong; reterr says what. Nothing of the manifest is believed before the
 * signature verified. */
int iam_bundle_manifest_open(const void *data, size_t len, const uint8_t pk[32],
                             struct iam_bundle_manifest *ret, struct iam_error *reterr) IAM_WUR;

/* The signed manifest.json's bytes for m, signed with key. malloc'd. */
int iam_bundle_manifest_seal(const struct iam_bundle_manifest *m,
                             const struct iam_bundle_signing_key *key, char **ret, size_t *ret_len,
                             struct iam_error *reterr) IAM_WUR;

/* "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21 bytes) and back (-EINVAL). */
void iam_bundle_format_time(int64_t t, char *buf, size_t size);
int iam_bundle_parse_time(const char *s, int64_t *ret) IAM_WUR;

/* ---- the files ------------------------------------------------------------------------- */

/* Whether data is the file f names: its size and SHA-256 (compared in constant time).
 * -EBADMSG (reterr names the file) when not. */
int iam_bundle_file_check(const struct iam_bundle_file *f, const void *data, size_t len,
                          struct iam_error *reterr) IAM_WUR;

/* Decode a checked file into the cache it carries: gunzip nss.cache or ssh_keys.cache (the
 * public files: iam_bundle_decode_public); open the sealed box with
 * the fleet key, then gunzip auth.cache. The result must be exactly f->content_size bytes.
 * -EKEYREJECTED when the box does not open with fleet (another fleet's key); -EBADMSG when
 * the data is damaged. *ret is malloc'd; the auth cache's copy must be wiped by the caller. */
int iam_bundle_decode_public(const struct iam_bundle_file *f, const void *data, size_t len, void **ret,
                          size_t *ret_len, struct iam_error *reterr) IAM_WUR;
int iam_bundle_decode_auth(const struct iam_bundle_file *f, const void *data, size_t len,
                           const struct iam_bundle_fleet_key *fleet, void **ret, size_t *ret_len,
                           struct iam_error *reterr) IAM_WUR;

/* ---- publishing ------------------------------------------------------------------------ */

struct iam_bundle_publish {
    const char *dir; /* created 0755 when missing */
    const char *account_id;
    uint64_t serial;
    const void *nss; /* the caches' images */
    size_t nss_len;
    const void *auth;
    size_t auth_len;
    const void *ssh; /* ssh_keys.cache */
    size_t ssh_len;
    const struct iam_bundle_signing_key *signing;
    const uint8_t *fleet_pk; /* 32 bytes */
    int64_t created, expires;
    int compress_level;   /* zlib level 1..9; 0 = the default (6) */
    uint8_t settings[32]; /* iam_bundle_settings_digest() of the configuration compiled */
};

/* A digest of what, besides the store, goes into the caches (home_template, default_shell,
 * private_groups, default_gid): a bundle of the same Serial and settings has the same
 * content. */
struct iam_config;
void iam_bundle_settings_digest(const struct iam_config *c, uint8_t ret[32]);

struct iam_bundle_publish_report {
    struct iam_bundle_manifest manifest;
    bool reused;      /* the account had not changed: the previous bundle's files kept */
    uint64_t removed; /* files of older bundles removed */
};

/* Write a bundle into p->dir: the data files (each atomically, skipped when a file of that
 * name and content is there), then manifest.json (atomically: readers see the old manifest
 * or the new), then remove the data files that neither the new nor the previous manifest
 * names. Takes an exclusive lock (flock of dir) for one publisher at a time. When the
 * directory's manifest verifies with the same key and is of the same Serial, settings and
 * fleet key, and its files are intact, they are kept and only the manifest is renewed (new
 * Created and Expires): the images differ from build to build (random hash keys, random
 * sealing), and new files would make every host fetch them again for nothing. */
int iam_bundle_publish(const struct iam_bundle_publish *p, struct iam_bundle_publish_report *ret,
                       struct iam_error *reterr) IAM_WUR;
