/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * TOTP (RFC 6238) with AWS's virtual MFA parameters: HMAC-SHA-1, 6 digits, 30-second steps
 * from the epoch, computed by liboath (Debian's oath-toolkit library; libsodium has no
 * HMAC-SHA-1). liboath is loaded with dlopen() the first time a function here needs it, so
 * that programs and logins that never touch a second factor never load it (-ENOTSUP when it
 * is not installed: the caller fails closed).
 *
 * Seeds are secrets: every copy this file makes (liboath's base32 buffers included) is wiped
 * before it is freed; callers wipe theirs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_TOTP_STEP 30          /* seconds */
#define IAM_TOTP_DIGITS 6
#define IAM_TOTP_SEED_BYTES 20    /* 160 bits, RFC 4226's recommendation, as AWS's seeds */
#define IAM_TOTP_SEED_B32_MAX 64  /* base32 text of a seed, NUL included */
#define IAM_TOTP_LIBRARY "liboath.so.0"

/* The counter (time step) of epoch second t. */
int64_t iam_totp_counter(int64_t t);

/* Load liboath now (iamctl's verbs call it first to report a missing library clearly).
 * 0, or -ENOTSUP with the reason in reterr. Thread-safe. */
int iam_totp_load(struct iam_error *reterr) IAM_WUR;

/* The code of seed at counter, as 6 digits and a NUL. 0 or -errno. */
int iam_totp_code(const uint8_t *seed, size_t len, int64_t counter,
                  char out[IAM_TOTP_DIGITS + 1]) IAM_WUR;

/* Compare code with the codes of counters center - window .. center + window, all of them,
 * in constant time each: 0 and the first matching counter, -ENOENT when none matches,
 * -EINVAL when code is not 6 digits, other -errno on errors. */
int iam_totp_match(const uint8_t *seed, size_t len, int64_t center, unsigned window,
                   const char *code, int64_t *ret_counter) IAM_WUR;

/* Base32 (RFC 4648, no padding) of a seed into out; 0 or -errno (-ERANGE: out too small). */
int iam_totp_base32_encode(const uint8_t *seed, size_t len, char *out, size_t size) IAM_WUR;
/* The seed a base32 text holds into out (at most size bytes); 0 or -errno. */
int iam_totp_base32_decode(const char *text, uint8_t *out, size_t size,
                           size_t *ret_len) IAM_WUR;
