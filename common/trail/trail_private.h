/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Internals of libiamtrail shared by the sealer and the validator: digests. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "iam/error.h"
#include "iam/seal.h"
#include "iam/trail.h"

#define DIGEST_HASH_BYTES 32 /* BLAKE2b-256 of a digest's signed form */
#define DIGEST_SIG_BYTES crypto_sign_BYTES
#define DIGEST_VERSION "1"
#define DIGEST_PREFIX "digest-"

struct digest {
    char *path;
    uint64_t seq;
    uint8_t pk[IAM_SEAL_PUBLIC_KEY_BYTES];
    uint8_t next_pk[IAM_SEAL_PUBLIC_KEY_BYTES];
    bool has_prev;
    uint8_t prev_hash[DIGEST_HASH_BYTES];
    uint8_t prev_sig[DIGEST_SIG_BYTES];
    uint8_t hash[DIGEST_HASH_BYTES]; /* of this digest's signed form */
    uint8_t sig[DIGEST_SIG_BYTES];
    bool sig_ok;                     /* the signature verifies with this digest's own key */
    uint64_t first, count;
    uint8_t *hashes;                 /* count * IAM_TRAIL_HASH_BYTES */
    int64_t end_time;                /* digestEndTime: when it was sealed */
    int64_t oldest, newest;          /* event times of its records; 0 when none parsed */
    char *host_arn;
};

/* What a new digest says. */
struct digest_input {
    uint64_t seq;
    const char *host_arn, *account_id;
    int64_t now;
    const uint8_t *pk, *next_pk;
    bool has_prev;
    const uint8_t *prev_hash, *prev_sig;
    uint64_t first, count;
    const uint8_t *hashes;
    int64_t oldest, newest;
};

/* Build and sign (seed: the 32-byte Ed25519 seed of pk). *ret_text is the file's content,
 * ret_hash and ret_sig what the next digest links to. */
int iam_trail_digest_build(const struct digest_input *in, const uint8_t seed[crypto_sign_SEEDBYTES],
                 char **ret_text, size_t *ret_len, uint8_t ret_hash[DIGEST_HASH_BYTES],
                 uint8_t ret_sig[DIGEST_SIG_BYTES]) IAM_WUR;
/* Parse one digest file's text; the signature is checked against the digest's own key
 * (sig_ok), the chain is the validator's business. -EBADMSG with a reason in err. */
int iam_trail_digest_parse(const char *text, size_t len, struct digest *ret, char *err,
                 size_t err_size) IAM_WUR;
void iam_trail_digest_free(struct digest *d);
/* Every digest-NNN.json file in dir, unsorted. -ENOENT when dir does not exist. Files that do not
 * parse come back with count 0, sig_ok false and `bad` set to the reason. */
struct digest_file {
    struct digest d;
    bool parsed;
    char bad[256];
};
int iam_trail_digest_load_dir(const char *dir, struct digest_file **ret, size_t *ret_n,
                    struct iam_error *reterr) IAM_WUR;
void iam_trail_digest_files_free(struct digest_file *v, size_t n);

/* Where the digests of a log live: "<log>.digest". malloc'd. */
char *iam_trail_digest_dir_for(const char *log);
/* "%Y%m%dT%H%M%SZ" */
void iam_trail_compact_time(int64_t t, char out[20]);
/* YYYY-MM-DDTHH:MM:SSZ */
void iam_trail_iso_time(int64_t t, char out[32]);
int iam_trail_parse_iso_time(const char *s, int64_t *ret);

/* The parts of the sealing state the validator checks (no secret). -ENOENT when none. */
struct iam_trail_seal_state_view {
    uint64_t seq, records;
    uint8_t anchor[IAM_SEAL_PUBLIC_KEY_BYTES];
    uint8_t pk[IAM_SEAL_PUBLIC_KEY_BYTES];
    char *pending_name; /* the last digest written, as the state remembers it (may be NULL) */
    char *pending;
    size_t pending_len;
    char *log; /* the audit log the state seals */
};
int iam_trail_seal_state_view(const char *state_dir, struct iam_trail_seal_state_view *ret,
                    struct iam_error *reterr) IAM_WUR;
void iam_trail_seal_state_view_free(struct iam_trail_seal_state_view *v);
