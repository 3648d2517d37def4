/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * On-disk format of the NSS cache, shared by the writer (libiamcore) and the libc-only reader
 * linked into libnss_iam.so.2. Native little-endian, all integers naturally aligned.
 *
 *   [header][block checksum table: n_blocks x u64][pad to 8][data ............................]
 *
 * Version 2 is laid out for locality: a lookup touches one 64-byte line of a hash table and
 * then one record that holds everything the answer needs, so a hit costs two dependent cache
 * misses and a miss usually one, whatever the size of the account. The data area holds
 * sections, each at a 64-aligned offset:
 *
 *   USER_BY_NAME       struct iam_nssc_slot   open-addressing hash tables. The slot count is
 *   USER_BY_UID        struct iam_nssc_slot   a multiple of 8 (one 64-byte line holds 8 slots)
 *   GROUP_BY_NAME      struct iam_nssc_slot   and the load at most 2/3 (a whole build: 1/2,
 *                                             leaving room for patches); a probe starts at the
 *   GROUP_BY_GID       struct iam_nssc_slot   first slot of the line the hash picks (multiply-
 *   MEMBERSHIP_BY_NAME struct iam_nssc_slot   shift onto the number of lines) and goes on
 *                                             linearly, wrapping; an empty slot (off == 0)
 *                                             ends it. slot.key is the id itself, or the upper
 *                                             32 bits of the name's hash, so a miss is nearly
 *                                             always decided inside that one line; slot.off is
 *                                             the file offset of the record.
 *   USERS        (bytes) user records:        struct iam_nssc_user, then name, gecos, home and
 *                                             shell, each followed by a NUL, then (4-aligned)
 *                                             the u32 gids of the groups listing the user
 *                                             (initgroups reads the same record getpwnam does)
 *   GROUPS       (bytes) group records:       struct iam_nssc_group, then the name and a NUL,
 *                                             then n_members u8 lengths of the member names,
 *                                             then the member names back to back, each with
 *                                             its NUL (gr_mem is one memcpy and one pass over
 *                                             the lengths)
 *   MEMBERSHIPS  (bytes) records for member names that are not IAM users (a local account
 *                                             listed in an IAM group): struct
 *                                             iam_nssc_membership, name, NUL, (4-aligned) gids
 *   USER_INDEX   u32 file offsets of the user records, in the order given to the writer
 *   GROUP_INDEX  u32 file offsets of the group records (enumeration: getpwent, getgrent)
 *
 *   USER_LINES   u32 per line of USER_BY_NAME (GROUP_LINES: of GROUP_BY_NAME): the file
 *   GROUP_LINES  offset of the first record of the slots of that line. User and group
 *                records are stored in the order of their name-table slots (not in the
 *                writer's order), so a lookup by name can start loading the records of its
 *                line while it loads the line itself: the array is small (4 bytes per 8
 *                slots) and stays in cache, and the two dependent memory accesses of a lookup
 *                overlap. A hint only: nothing read through it is believed (the slot gives
 *                the record, which is checked as always). Measured at 100,000 users, random
 *                keys: getpwnam hits about 190 -> 100 ns here.
 *
 * Every record starts at an 8-aligned offset inside its section, and the reader checks that
 * the whole record (computed from its own lengths) lies inside the section before using it.
 *
 * Room for patches: a whole build leaves zero bytes at the end of USERS and GROUPS (inside
 * their counts) and after USER_INDEX and GROUP_INDEX (outside them, before the next section),
 * and sizes the tables at load 1/2. A patch of the image (patch.c, the refresh after a write)
 * writes changed and new records there or over their old ones, zeroes what they replace,
 * re-points and adds slots (up to load 2/3; never removes one), adds index entries and counts.
 * So in a patched image records are not all in slot order and a LINES hint may point at
 * another record than its line's first: nothing above relies on either.
 *
 * Integrity: the data area is cut into IAM_NSSC_BLOCK-byte blocks (the last may be short);
 * the table after the header holds a 64-bit keyed hash of each block, and the header ends
 * with a hash of itself plus that table. The reader checks the header hash when it opens
 * the cache and loads and checks each block the first time a lookup touches it. That keeps
 * opening a cache nearly O(1) in its size (every process that looks up one name opens it;
 * reading and hashing tens of MB up front would cost milliseconds per process at 100,000
 * users), while no byte is believed before its block has been verified. Independently of the
 * hashes, every offset, index and length is bounds-checked before it is followed, so even bytes
 * that pass the hashes (a cache forged by someone who can write the file) can only give wrong
 * answers, never an out-of-bounds read.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IAM_NSSC_MAGIC "IAMNSSC\n"
#define IAM_NSSC_MAGIC_LEN 8
#define IAM_NSSC_VERSION 2u
#define IAM_NSSC_BLOCK 4096u
/* Offsets are u32; keep clear of the top so offset + length never wraps in u64 math. */
#define IAM_NSSC_MAX_FILE ((uint64_t)1 << 31)
/* Names are at most 255 bytes (IAM_NSS_NAME_MAX); a longer query cannot match. */
#define IAM_NSSC_MAX_NAME_PROBE 256u
/* Slots per 64-byte line; table sizes are a multiple of it. */
#define IAM_NSSC_LINE_SLOTS 8u
#define IAM_NSSC_SECTION_ALIGN 64u

enum iam_nssc_section_id {
    IAM_NSSC_USER_BY_NAME,
    IAM_NSSC_USER_BY_UID,
    IAM_NSSC_GROUP_BY_NAME,
    IAM_NSSC_GROUP_BY_GID,
    IAM_NSSC_MEMBERSHIP_BY_NAME,
    IAM_NSSC_USER_LINES,
    IAM_NSSC_GROUP_LINES,
    IAM_NSSC_USERS,
    IAM_NSSC_GROUPS,
    IAM_NSSC_MEMBERSHIPS,
    IAM_NSSC_USER_INDEX,
    IAM_NSSC_GROUP_INDEX,
    IAM_NSSC_N_SECTIONS
};

struct iam_nssc_section {
    uint32_t offset; /* from the start of the file; 8-aligned; inside the data area */
    uint32_t count;  /* elements (bytes for USERS, GROUPS, MEMBERSHIPS) */
};

struct iam_nssc_header {
    uint8_t magic[IAM_NSSC_MAGIC_LEN];
    uint32_t version;
    uint32_t header_size; /* sizeof(struct iam_nssc_header) */
    uint64_t file_size;
    uint64_t seed;       /* key of every hash in this file (names, blocks); random per write */
    uint32_t block_size; /* IAM_NSSC_BLOCK */
    uint32_t n_blocks;
    uint32_t blocksum_offset; /* == header_size */
    uint32_t data_offset;     /* 8-aligned, == blocksum_offset + 8 * n_blocks rounded up */
    uint32_t n_users;         /* == USER_INDEX count */
    uint32_t n_groups;        /* == GROUP_INDEX count */
    struct iam_nssc_section sections[IAM_NSSC_N_SECTIONS];
    uint64_t header_hash; /* hash of the bytes above, then of the block checksum table */
};

/* Followed by name, gecos, home, shell (each + NUL), padding to 4, u32 gids[n_gids]. */
struct iam_nssc_user {
    uint32_t uid;
    uint32_t gid;
    uint32_t n_gids; /* groups listing this user */
    uint8_t name_len; /* >= 1 */
    uint8_t reserved; /* 0 */
    uint16_t gecos_len;
    uint16_t home_len;
    uint16_t shell_len;
};

/* Followed by name + NUL, u8 member name lengths[n_members], the member names (each + NUL,
 * members_size bytes in all). */
struct iam_nssc_group {
    uint32_t gid;
    uint32_t n_members;
    uint32_t members_size; /* bytes of the member names, each with its NUL */
    uint8_t name_len;      /* >= 1 */
    uint8_t reserved[3];   /* 0 */
};

/* Followed by name + NUL, padding to 4, u32 gids[n_gids]. */
struct iam_nssc_membership {
    uint32_t n_gids;
    uint8_t name_len;    /* >= 1 */
    uint8_t reserved[3]; /* 0 */
};

struct iam_nssc_slot {
    uint32_t key; /* id, or (uint32_t)(name hash >> 32) */
    uint32_t off; /* file offset of the record; 0 = empty */
};

_Static_assert(sizeof(struct iam_nssc_header) % 8 == 0, "header keeps the table aligned");
_Static_assert(sizeof(struct iam_nssc_user) == 20, "stable layout");
_Static_assert(sizeof(struct iam_nssc_group) == 16, "stable layout");
_Static_assert(sizeof(struct iam_nssc_membership) == 8, "stable layout");
_Static_assert(sizeof(struct iam_nssc_slot) == 8, "stable layout");

/* Size in bytes of one element of each section. */
static inline size_t iam_nssc_elem_size(unsigned section) {
    switch (section) {
    case IAM_NSSC_USER_BY_NAME:
    case IAM_NSSC_USER_BY_UID:
    case IAM_NSSC_GROUP_BY_NAME:
    case IAM_NSSC_GROUP_BY_GID:
    case IAM_NSSC_MEMBERSHIP_BY_NAME:
        return sizeof(struct iam_nssc_slot);
    case IAM_NSSC_USER_LINES:
    case IAM_NSSC_GROUP_LINES:
    case IAM_NSSC_USER_INDEX:
    case IAM_NSSC_GROUP_INDEX:
        return sizeof(uint32_t);
    default:
        return 1;
    }
}

static inline int iam_nssc_is_table(unsigned section) {
    return section <= IAM_NSSC_MEMBERSHIP_BY_NAME;
}

/* Record sizes from their lengths (u64: a forged record cannot wrap). Each returns the offset
 * of the gids (user, membership) or the whole size before padding. */
static inline uint64_t iam_nssc_user_strings_end(uint64_t name_len, uint64_t gecos_len,
                                                 uint64_t home_len, uint64_t shell_len) {
    return sizeof(struct iam_nssc_user) + name_len + gecos_len + home_len + shell_len + 4;
}

static inline uint64_t iam_nssc_align4(uint64_t x) {
    return (x + 3) & ~UINT64_C(3);
}

/*
 * A keyed 64-bit hash, used for the name tables and the block checksums. Two independent
 * multiply-fold lanes over 16-byte steps: one 64x64->128 multiply per 8 bytes, so it runs
 * at memory speed and a short name costs a handful of cycles. Not a MAC: it detects damage,
 * and keeps the table layout unpredictable without knowing the file's seed.
 */
#define IAM_NSSC_K0 UINT64_C(0x9e3779b97f4a7c15)
#define IAM_NSSC_K1 UINT64_C(0xc2b2ae3d27d4eb4f)
#define IAM_NSSC_K2 UINT64_C(0x165667b19e3779f9)
#define IAM_NSSC_K3 UINT64_C(0xd6e8feb86659fd93)

static inline uint64_t iam_nssc_fold(uint64_t a, uint64_t b) {
    unsigned __int128 r = (unsigned __int128)a * b;

    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t iam_nssc_load64(const uint8_t *p) {
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t iam_nssc_hash(const void *data, size_t len, uint64_t seed) {
    const uint8_t *p = data;
    size_t n = len;
    uint64_t a = seed ^ IAM_NSSC_K0, b = (seed + len) ^ IAM_NSSC_K1;

    while (n >= 32) {
        a = iam_nssc_fold(iam_nssc_load64(p) ^ IAM_NSSC_K2, iam_nssc_load64(p + 8) ^ a);
        b = iam_nssc_fold(iam_nssc_load64(p + 16) ^ IAM_NSSC_K3, iam_nssc_load64(p + 24) ^ b);
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        a = iam_nssc_fold(iam_nssc_load64(p) ^ IAM_NSSC_K2, a ^ IAM_NSSC_K1);
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        uint64_t t = 0;

        memcpy(&t, p, n);
        b = iam_nssc_fold(t ^ IAM_NSSC_K3, b ^ ((uint64_t)n << 56) ^ IAM_NSSC_K0);
    }
    a = iam_nssc_fold(a ^ IAM_NSSC_K1, b ^ IAM_NSSC_K2);
    return iam_nssc_fold(a ^ (uint64_t)len, IAM_NSSC_K0);
}

/* Header hash: the header up to (not including) header_hash, then the block table. */
static inline uint64_t iam_nssc_header_hash(const struct iam_nssc_header *h,
                                            const uint8_t *blocksums, size_t n_blocks) {
    uint64_t x = iam_nssc_hash(h, offsetof(struct iam_nssc_header, header_hash), h->seed);

    return iam_nssc_hash(blocksums, n_blocks * sizeof(uint64_t), x);
}

static inline uint64_t iam_nssc_block_hash(const uint8_t *block, size_t len, uint64_t seed,
                                           uint32_t index) {
    return iam_nssc_hash(block, len, seed ^ ((uint64_t)index * IAM_NSSC_K3));
}

static inline uint32_t iam_nssc_name_key(uint64_t h) {
    return (uint32_t)(h >> 32);
}

/* Slots of a table of n entries as a whole build makes it: load at most 1/2, whole 64-byte
 * lines. A patch of the image (patch.c) may insert into it up to IAM_NSSC_MAX_LOAD. */
static inline uint64_t iam_nssc_table_size(uint64_t n) {
    uint64_t s = 2 * n + IAM_NSSC_LINE_SLOTS;

    return s - s % IAM_NSSC_LINE_SLOTS;
}

/* Whether n entries fit a table of n_slots under the highest load a patch allows (2/3). */
static inline int iam_nssc_load_ok(uint64_t n, uint64_t n_slots) {
    return 3 * n <= 2 * n_slots;
}

/* Multiply-shift: a 32-bit hash onto [0, n) without a division. */
static inline uint32_t iam_nssc_bucket(uint32_t h, uint32_t n) {
    return (uint32_t)(((uint64_t)h * n) >> 32);
}

/* First slot of a probe: the start of the line the hash picks. */
static inline uint32_t iam_nssc_name_start(uint64_t h, uint32_t n_slots) {
    return iam_nssc_bucket((uint32_t)h, n_slots / IAM_NSSC_LINE_SLOTS) * IAM_NSSC_LINE_SLOTS;
}

static inline uint32_t iam_nssc_id_start(uint32_t id, uint64_t seed, uint32_t n_slots) {
    uint32_t h = (uint32_t)iam_nssc_fold((uint64_t)id ^ seed ^ IAM_NSSC_K2, IAM_NSSC_K0);

    return iam_nssc_bucket(h, n_slots / IAM_NSSC_LINE_SLOTS) * IAM_NSSC_LINE_SLOTS;
}
