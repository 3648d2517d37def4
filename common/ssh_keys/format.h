/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * On-disk format of ssh_keys.cache: every user's Active SSH public keys, for sshd's
 * AuthorizedKeysCommand (iam-authorized-keys) and for pam_iam, which names the key a login
 * used. Public data (0644): key bodies, their APKA... ids and SHA256 fingerprints, user
 * names; never a secret. Shared by the writer (libiamcore) and the libc-only reader.
 * Native little-endian, integers naturally aligned.
 *
 *   [header][pad to 64][hash table: n_lines x 64-byte lines][records ...................]
 *
 * A lookup reads the header, one line of the table (more only when a line is full) and one
 * record: three pread() calls whatever the number of users, no mapping, nothing else of the
 * file. So the file is checked piece by piece, as it is read:
 *
 *   header  header_hash covers the bytes before it;
 *   line    7 slots (key = upper 32 bits of the name's hash, off = file offset of the
 *           record, 0 = empty) and a hash of those 56 bytes keyed with the line's index;
 *           a probe starts at the line the name's hash picks (multiply-shift) and goes on
 *           line by line, wrapping, until a slot is empty;
 *   record  struct iam_sshk_record (its hash covers the record after the hash field, keyed
 *           with the record's offset, so a record copied elsewhere in the file fails; the
 *           uid, so the keys go to the IAM account only, never to a local account that has
 *           the same name), the user name and a NUL, then per key struct iam_sshk_key and id,
 * fingerprint and body, each followed by a NUL; padded with zeros to 8 bytes.
 *
 * The hashes detect damage (a file cut short, a bit flipped), not forgery: only root can
 * write the file, and the reader refuses one that others could. Every offset and length is
 * checked against the file size before it is followed. Users without an Active key have no
 * record: they are not found, as unknown users are.
 */

#include <stddef.h>
#include <stdint.h>

#include "nss_cache/format.h" /* iam_nssc_hash(): the same keyed hash as nss.cache's */

#define IAM_SSHK_MAGIC "IAMSSHK\n"
#define IAM_SSHK_MAGIC_LEN 8
#define IAM_SSHK_VERSION 1u
#define IAM_SSHK_LINE_SLOTS 7u
#define IAM_SSHK_LINE_SIZE 64u
/* Offsets are u32; keep clear of the top so offset + length never wraps in u64 math. */
#define IAM_SSHK_MAX_FILE ((uint64_t)1 << 31)
/* A record holds at most this many keys (IAM allows 5 per user) and is at most this big. */
#define IAM_SSHK_MAX_KEYS 16u
#define IAM_SSHK_MAX_RECORD (1u << 20)
/* Field limits: a user name as IAM has them, an id (APKA + 16 or more characters), a
 * fingerprint ("SHA256:" + 43 characters of base64), a key body ("type base64"). */
#define IAM_SSHK_MAX_NAME 255u
#define IAM_SSHK_MAX_ID 128u
#define IAM_SSHK_MAX_FINGERPRINT 128u
#define IAM_SSHK_MAX_BODY 32768u

struct iam_sshk_header {
    uint8_t magic[IAM_SSHK_MAGIC_LEN];
    uint32_t version;
    uint32_t header_size; /* sizeof(struct iam_sshk_header) */
    uint64_t file_size;
    uint64_t seed;           /* key of every hash in this file; random per write */
    uint64_t serial;         /* the store's Serial this file was compiled from */
    uint32_t n_lines;        /* >= 1 */
    uint32_t table_offset;   /* 64-aligned, >= header_size */
    uint32_t records_offset; /* == table_offset + 64 * n_lines */
    uint32_t n_users;        /* users with at least one Active key */
    uint32_t n_keys;         /* Active keys in all */
    uint32_t reserved;       /* 0 */
    uint64_t header_hash;    /* hash of the bytes above, keyed with seed */
};

struct iam_sshk_slot {
    uint32_t key; /* (uint32_t)(name hash >> 32) */
    uint32_t off; /* file offset of the record; 0 = empty */
};

struct iam_sshk_line {
    struct iam_sshk_slot slot[IAM_SSHK_LINE_SLOTS];
    uint64_t hash; /* of slot[], keyed with seed and the line's index */
};

struct iam_sshk_record {
    uint64_t hash;      /* of the size - 8 bytes after this field, keyed with seed and offset */
    uint32_t size;      /* the whole record with its padding: a multiple of 8 */
    uint32_t uid;       /* the user's uid: the keys are for that account only */
    uint8_t name_len;   /* >= 1 */
    uint8_t n_keys;     /* 1 .. IAM_SSHK_MAX_KEYS */
    uint16_t reserved;  /* 0 */
    uint32_t reserved2; /* 0 */
};

/* Followed by id, NUL, fingerprint, NUL, body, NUL. */
struct iam_sshk_key {
    uint16_t id_len;          /* 1 .. IAM_SSHK_MAX_ID */
    uint16_t fingerprint_len; /* 1 .. IAM_SSHK_MAX_FINGERPRINT */
    uint32_t body_len;        /* 1 .. IAM_SSHK_MAX_BODY */
};

_Static_assert(sizeof(struct iam_sshk_header) == 72, "stable layout");
_Static_assert(sizeof(struct iam_sshk_line) == IAM_SSHK_LINE_SIZE, "one cache line");
_Static_assert(sizeof(struct iam_sshk_record) == 24, "stable layout");
_Static_assert(sizeof(struct iam_sshk_key) == 8, "stable layout");

static inline uint64_t iam_sshk_header_hash(const struct iam_sshk_header *h) {
    return iam_nssc_hash(h, offsetof(struct iam_sshk_header, header_hash), h->seed);
}

static inline uint64_t iam_sshk_line_hash(const struct iam_sshk_line *l, uint64_t seed,
                                          uint32_t index) {
    return iam_nssc_hash(l->slot, sizeof(l->slot), seed ^ ((uint64_t)index * IAM_NSSC_K3));
}

/* rec points at the record's first byte; size is the record's size field. */
static inline uint64_t iam_sshk_record_hash(const uint8_t *rec, uint32_t size, uint64_t seed,
                                            uint32_t offset) {
    return iam_nssc_hash(rec + sizeof(uint64_t), size - sizeof(uint64_t),
                         seed ^ ((uint64_t)offset * IAM_NSSC_K2));
}

static inline uint64_t iam_sshk_name_hash(const char *name, size_t len, uint64_t seed) {
    return iam_nssc_hash(name, len, seed ^ IAM_NSSC_K1);
}

/* First line of a probe. */
static inline uint32_t iam_sshk_start_line(uint64_t h, uint32_t n_lines) {
    return (uint32_t)(((uint64_t)(uint32_t)h * n_lines) >> 32);
}

/* Lines for n users: at most 2/3 of the slots used. */
static inline uint32_t iam_sshk_lines_for(uint32_t n) {
    uint64_t slots = (uint64_t)n + n / 2 + 1;

    return (uint32_t)((slots + IAM_SSHK_LINE_SLOTS - 1) / IAM_SSHK_LINE_SLOTS);
}
