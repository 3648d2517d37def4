/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Tamper evidence for the trail: signed digests in the manner of CloudTrail's digest files,
 * with forward-secure keys (a thief of today's key cannot re-sign yesterday).
 *
 * Every complete line of the audit log (its rotations included, in order) is a record with a
 * number: 0 for the oldest line the first seal saw. A seal covers the records written since
 * the previous one with a digest: their BLAKE2b-128 hashes in order, the hash of the previous
 * digest, and the public key of the NEXT digest, signed with Ed25519 by the key of this
 * digest. The secret key that signed is then erased and only the next one is kept (in the
 * sealing state): each digest certifies the key of the one after it, and the first key (the
 * anchor) is printed once for the administrator to keep off the host. Anyone holding the
 * anchor's public key checks the whole chain; nobody can re-sign a sealed record without a
 * secret key that no longer exists.
 *
 * Files: digests in digest_dir (default "<audit_log>.digest/", beside the log, so a copied
 * trail carries them), one JSON file per seal; the sealing state (the next secret key, where
 * sealing stopped) in state_dir (default "<cache_dir>/trail/"), root 0600, replaced
 * atomically, written BEFORE the digest it announces so a crash never loses a key.
 * docs/trail.md has the threat model and what this cannot detect.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/macros.h"
#include "iam/trail.h"

#define IAM_SEAL_PUBLIC_KEY_BYTES 32
#define IAM_SEAL_FINGERPRINT_HEX 33 /* 16 bytes as hex, NUL-terminated */
#define IAM_SEAL_MAX_BATCH 65536u   /* records per digest */
#define IAM_SEAL_MAX_DIGEST_SIZE (8u * 1024u * 1024u)

struct iam_seal_config {
    const char *audit_log;  /* the live log; its rotations are found beside it */
    const char *digest_dir; /* NULL: "<audit_log>.digest" */
    const char *state_dir;  /* required: the config's "<cache_dir>/trail" or trail_state_dir */
    const char *host_arn;
    const char *account_id;
};

enum {
    IAM_SEAL_NEW_CHAIN = 1u << 0, /* state lost: archive the old digests, start a new chain */
};

struct iam_seal_report {
    bool initialized;      /* a new chain was started by this run */
    bool recovered;        /* the last sealed record had vanished: see the warning text */
    uint64_t sealed;       /* records sealed by this run */
    uint64_t digests;      /* digests written by this run */
    uint64_t total;        /* records sealed by the chain so far */
    uint64_t next_sequence;
    char anchor[64];       /* the anchor public key, base64 */
    char fingerprint[IAM_SEAL_FINGERPRINT_HEX];
    char warning[512];     /* set when recovered, or when an archived chain was moved */
    char archived[4096];   /* with IAM_SEAL_NEW_CHAIN: where the old digests went */
};

/* Seal what is not sealed yet. Takes an exclusive lock in state_dir (one sealer at a time;
 * waits up to lock_timeout_ms). now is the sealing time written in the digests. */
int iam_seal_run(const struct iam_seal_config *cfg, int64_t now, unsigned flags,
                 unsigned lock_timeout_ms, struct iam_seal_report *ret,
                 struct iam_error *reterr) IAM_WUR;

/* The anchor of the state in state_dir: -ENOENT when there is no sealing state. */
int iam_seal_anchor(const char *state_dir, uint8_t ret_pk[IAM_SEAL_PUBLIC_KEY_BYTES],
                    struct iam_error *reterr) IAM_WUR;

/* A public key as written: base64 (44 characters) or hex (64). -EINVAL otherwise. */
int iam_seal_parse_public_key(const char *text, uint8_t ret_pk[IAM_SEAL_PUBLIC_KEY_BYTES]) IAM_WUR;
void iam_seal_fingerprint(const uint8_t pk[IAM_SEAL_PUBLIC_KEY_BYTES],
                          char out[IAM_SEAL_FINGERPRINT_HEX]);

/* ---- validation ------------------------------------------------------------------------ */

enum iam_validate_kind {
    IAM_VK_DIGEST_INVALID,  /* not a digest, bad signature, wrong key, broken link */
    IAM_VK_DIGEST_MISSING,  /* a sequence number with no digest */
    IAM_VK_DIGESTS_TRUNCATED, /* the sealing state is ahead of the newest digest */
    IAM_VK_RECORD_EDITED,
    IAM_VK_RECORD_DELETED,
    IAM_VK_RECORD_INSERTED,
    IAM_VK_RECORD_REORDERED,
    IAM_VK_RECORD_DUPLICATED,
    IAM_VK_RECORDS_TRUNCATED, /* sealed records missing at the end of the trail */
    IAM_VK_RECORDS_UNVERIFIABLE, /* covered by a digest that is missing or invalid */
    IAM_VK_NO_DIGESTS,          /* a log with no digest at all: nothing could be checked */
};

struct iam_validate_issue {
    enum iam_validate_kind kind;
    uint64_t record;         /* record number (kinds about records), UINT64_MAX if none */
    uint64_t count;          /* how many records (deleted/truncated/unverifiable runs) */
    uint64_t digest;         /* digest sequence (kinds about digests), UINT64_MAX if none */
    char where[4200];        /* "file line N", or the digest file, or "" */
    char event_id[64];       /* of the record at `where`, when known */
    int64_t event_time;      /* 0 when unknown */
    char detail[256];
};

struct iam_validate_log {
    char log[4096];          /* the log (group key) */
    char digest_dir[4096];
    char host_arn[1024];
    char fingerprint[IAM_SEAL_FINGERPRINT_HEX];
    const char *anchor_source; /* "given", "state", "trail" (taken from digest 0 itself) */
    uint64_t digests, digests_valid;
    uint64_t records, records_valid; /* sealed records within the time range */
    uint64_t unsealed;        /* lines after the newest digest */
    int64_t first_time, last_time; /* range of the checked digests, 0 when none */
    int64_t newest_digest_time;
};

struct iam_validate_report {
    struct iam_validate_log *logs;
    size_t n_logs;
    struct iam_validate_issue *issues; /* in trail order within each log */
    size_t n_issues;
    size_t *issue_log;                 /* log index of each issue */
};

struct iam_validate_opts {
    const struct iam_trail_files *files; /* sorted */
    const char *host_digest_dir;   /* the host's digest dir (for the host's own log), or NULL */
    const char *host_log;          /* the host's audit_log: its group uses host_digest_dir
                                    * and, when state_dir is set, the sealing state */
    const char *state_dir;         /* NULL: no state check (collected trails) */
    const uint8_t *anchor;         /* trusted anchor public key, or NULL */
    bool has_start, has_end;
    int64_t start, end;
    void (*progress)(uint64_t done, uint64_t total, void *userdata);
    void *userdata;
};

int iam_validate_trail(const struct iam_validate_opts *opts, struct iam_validate_report *ret,
                       struct iam_error *reterr) IAM_WUR;
void iam_validate_report_free(struct iam_validate_report *rep); /* NULL-safe */
const char *iam_validate_kind_name(enum iam_validate_kind kind);
