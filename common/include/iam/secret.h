/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Secrets (docs/architecture.md, "Secrets"). Access key id: "AKIA" + 16 of A-Z2-7. Secret
 * access key: 40
 * characters of the base64 alphabet (240 random bits). Stored only as self-describing hash
 * strings:
 *   access-key secrets:      salted, keyed BLAKE2b (crypto_generichash), e.g. "$iamb2k$..."
 *   login-profile passwords: argon2id (crypto_pwhash_str), "$argon2id$..."
 * Unknown formats fail closed (-ENOTSUP). Comparisons are constant-time. */

#include <stdbool.h>
#include <stddef.h>

#include "iam/macros.h"

#define IAM_ACCESS_KEY_ID_LEN 20
#define IAM_SECRET_KEY_LEN 40
#define IAM_SECRET_HASH_MAX 192 /* buffer size for any hash string we produce */
#define IAM_PASSWORD_MAX 512    /* longer passwords are refused (work bound) */

/* Call once before anything else (wraps sodium_init); -ENOTSUP if libsodium can't start. */
int iam_secret_init(void) IAM_WUR;

/* New key id and secret (NUL-terminated). The caller wipes secret after use. */
int iam_access_key_generate(char id[IAM_ACCESS_KEY_ID_LEN + 1],
                            char secret[IAM_SECRET_KEY_LEN + 1]) IAM_WUR;

bool iam_access_key_id_valid(const char *id);
bool iam_secret_key_valid(const char *secret, size_t len);

/* Hash a secret access key / a password into out (NUL-terminated). */
int iam_secret_hash_key(const char *secret, size_t len, char *out, size_t out_size) IAM_WUR;
int iam_secret_hash_password(const char *password, size_t len, char *out,
                             size_t out_size) IAM_WUR;

/* Verify secret against a stored hash string of either format.
 * 1 = match, 0 = no match, -ENOTSUP unknown format, -EINVAL malformed hash. */
int iam_secret_verify(const char *hash, const char *secret, size_t len) IAM_WUR;

/* Same work as verifying against a real hash of that kind, always "no match": for unknown
 * users and missing keys (equal work, OpenSSH's fake password). */
void iam_secret_verify_dummy_key(const char *secret, size_t len);
void iam_secret_verify_dummy_password(const char *password, size_t len);

/* Wipe (sodium_memzero) and free. NULL-safe. */
void iam_secret_free(void *p, size_t len);
