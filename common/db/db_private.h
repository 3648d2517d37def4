/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Internals shared by db.c (loader, validator) and util.c (rules, lookups). */

#include <stdint.h>

#include "arena.h"
#include "iam/db.h"

/* The database's arena chunk: a loaded database holds many strings and tables. */
#define DB_ARENA_CHUNK (1024u * 1024u)

struct strslot {
    const char *key; /* NULL = empty */
    uint32_t hash;
    uint32_t idx;
};

struct strtab {
    struct strslot *slots;
    size_t mask;
    size_t n;
    bool ci;
};

struct u32slot {
    uint32_t key;
    uint32_t idx; /* idx + 1; 0 = empty */
};

struct u32tab {
    struct u32slot *slots;
    size_t mask;
    size_t n;
};

struct iam_db_index {
    struct iam_arena arena;
    struct strtab users, groups, roles, policies_by_arn, policy_names, ids, keys;
    struct u32tab uids, gids;
    /* documents the policy engine accepted, by exact text; [0] identity, [1] resource */
    struct strtab checked[2];
    /* compiled on demand (iam_db_policy_compiled), by exact text; [0] identity, [1] resource */
    struct strtab compiled[2];
    struct iam_policy **compiled_list;
    size_t n_compiled, cap_compiled;
    /* access keys: owner of keys table entry idx = key_owner[idx] */
    const struct iam_db_access_key **key_list;
    const struct iam_db_user **key_owner;
    size_t n_keys, cap_keys;
};

/* Index of the first byte of a policy document IAM does not allow (anything but tab, LF, CR
 * and U+0020..U+00FF: in UTF-8, bytes below 0x20 but those three, 0x7f, and lead bytes from
 * 0xc4), or len when there is none. */
size_t db_doc_bad_char(const char *text, size_t len);

void *db_arena_alloc(struct iam_db_index *ix, size_t size);
char *db_arena_strndup(struct iam_db_index *ix, const char *s, size_t n);

uint32_t db_hash(const char *s, bool ci);
int db_strtab_init(struct strtab *t, size_t expected, bool ci);
void db_strtab_free(struct strtab *t);
/* Insert; returns the existing idx (>= 0) when the key is already there (nothing inserted),
 * -1 when inserted, -ENOMEM on failure. */
long db_strtab_insert(struct strtab *t, const char *key, uint32_t idx);
long db_strtab_find(const struct strtab *t, const char *key);
int db_u32tab_init(struct u32tab *t, size_t expected);
void db_u32tab_free(struct u32tab *t);
long db_u32tab_insert(struct u32tab *t, uint32_t key, uint32_t idx);
long db_u32tab_find(const struct u32tab *t, uint32_t key);
