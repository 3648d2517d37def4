/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* On-disk layout of auth.cache, shared by write.c and read.c only.
 *
 * Version 2 (written) keeps every policy document once: a user's record refers to the
 * documents of its policies by offset and length, so a group's policy held by 10,000
 * members is stored once, not 10,000 times (measured, an account of 100,000 users in 5 of
 * 10,000 groups with one inline policy each: version 1 takes 164 MB, version 2 about 35).
 * Version 1 (read, so a host keeps logging users in between a package upgrade and the
 * recompile that follows it) holds the documents inside each record. */

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define AC_MAGIC "IAMAUTH\x01"
#define AC_MAGIC_LEN 8
#define AC_BYTE_ORDER_MARK 0x01020304u
#define AC_SUM_LEN 16 /* BLAKE2b-128 */
#define AC_SLOT_CHECK_LEN 8 /* SipHash-2-4 (crypto_shorthash) */
#define AC_RECORD_MAGIC 0x43455255u /* "UREC" */

/* Version 1's header. */
struct ac_header {
    char magic[AC_MAGIC_LEN];
    uint32_t byte_order;      /* AC_BYTE_ORDER_MARK */
    uint32_t version;         /* IAM_AUTH_CACHE_VERSION */
    uint32_t header_size;     /* sizeof(struct ac_header) */
    uint32_t slot_size;       /* sizeof(struct ac_slot) */
    uint64_t file_size;
    uint64_t serial;
    uint64_t n_users;
    uint64_t n_slots;         /* a power of two, >= 2 * n_users, >= 8 */
    uint64_t index_off;       /* == header_size */
    uint64_t records_off;     /* == index_off + n_slots * slot_size */
    uint8_t hash_key[crypto_shorthash_KEYBYTES];
    uint8_t index_sum[AC_SUM_LEN]; /* over the whole index */
    uint8_t reserved[8];
    uint8_t header_sum[AC_SUM_LEN]; /* over every byte before it */
};

/* Version 2's header: version 1's up to index_sum, then where the documents lie.
 *   header (144 bytes) | index: n_slots slots | documents (docs_len bytes, the last doc_room
 *   of them zero) | records (the first rec_room bytes zero; the last record ends the file) */
struct ac_header2 {
    char magic[AC_MAGIC_LEN];
    uint32_t byte_order;
    uint32_t version;     /* 2 */
    uint32_t header_size; /* sizeof(struct ac_header2) */
    uint32_t slot_size;
    uint64_t file_size;
    uint64_t serial;
    uint64_t n_users;
    uint64_t n_slots;
    uint64_t index_off;   /* == header_size */
    uint64_t records_off; /* == docs_off + docs_len */
    uint8_t hash_key[crypto_shorthash_KEYBYTES];
    uint8_t index_sum[AC_SUM_LEN];
    uint64_t docs_off; /* == index_off + n_slots * slot_size */
    uint64_t docs_len;
    /* Room a writer left for a later patch (iam_auth_cache_patch), in zero bytes: the last
     * doc_room bytes of the documents (within docs_len) and the first rec_room bytes of the
     * records (from records_off). The readers never need them: a record or document is only
     * ever reached through a slot or a reference, each checked against its section. Images
     * of before the room have both 0 (they were reserved). */
    uint32_t doc_room;
    uint32_t rec_room;
    uint8_t header_sum[AC_SUM_LEN]; /* over every byte before it */
};

/* A document (version 2): checksum over the rest, then its fields.
 *   sum[16] | magic u32 | kind u32 | source_type, source_id, text (strings as in records) */
#define AC_DOC_MAGIC 0x434f4455u /* "UDOC" */
#define AC_DOC_FIXED (AC_SUM_LEN + 2 * 4)
/* A record's reference to a document (version 2): u64 offset, u32 length (unaligned). */
#define AC_REF_LEN 12

/* An empty slot is all zero (rec_off 0 cannot be a record: records follow the index). */
struct ac_slot {
    uint64_t name_hash; /* crypto_shorthash(name, hash_key) */
    uint64_t rec_off;
    uint32_t rec_len;
    uint32_t reserved;
    uint8_t check[AC_SLOT_CHECK_LEN]; /* crypto_shorthash(first 24 bytes || slot number) */
};

/* A record: checksum over the rest, then a header, then length-prefixed strings in a fixed
 * order. Each string: uint32 length, the bytes, a NUL (not counted). Integers unaligned-safe
 * (copied with memcpy).
 *   sum[16] | magic u32 | flags u32 | n_keys u32 | n_tags u32 | n_groups u32 | n_policies u32
 *   name, user_id, arn, password_hash ("" when none)
 *   per key:    id, status ("Active"/"Inactive"), create_date (int64), secret_hash
 *   per tag:    key, value
 *   per group:  name
 *   per policy: version 1: kind (u32), source_type, source_id, text
 *               version 2: a document reference (u64 offset, u32 length)
 *   with AC_REC_FLAG_EXPIRES: password_expires (int64)
 *   with AC_REC_FLAG_MFA: n_mfa (u32), per device: serial, seed_hex, not_before, drift (int64)
 *   with AC_REC_FLAG_ROLE: max_session_duration (int64)
 */
#define AC_REC_FLAG_LOGIN_PROFILE 0x1u
#define AC_REC_FLAG_RESET_REQUIRED 0x2u
/* After the policies: password_expires (int64) when the password expires. */
#define AC_REC_FLAG_EXPIRES 0x4u
#define AC_REC_FLAG_HARD_EXPIRY 0x8u
/* Then: n_mfa (u32), per device: serial, seed (hex), not_before (int64), drift (int64). */
#define AC_REC_FLAG_MFA 0x10u
/* A role (no login profile, key or MFA device; one trust policy among its policies); then:
 * max_session_duration (int64). A reader of before roles refuses such a record, and only
 * it: a role is then simply not found usable (fail closed). */
#define AC_REC_FLAG_ROLE 0x20u
#define AC_REC_FIXED (AC_SUM_LEN + 6 * 4)

_Static_assert(sizeof(struct ac_header) == 128, "auth cache header is 128 bytes");
_Static_assert(sizeof(struct ac_header2) == 144, "auth cache header (v2) is 144 bytes");
_Static_assert(offsetof(struct ac_header2, docs_off) == offsetof(struct ac_header, reserved),
               "version 2 extends version 1's header after index_sum");
_Static_assert(sizeof(struct ac_slot) == 32, "auth cache slot is 32 bytes");
