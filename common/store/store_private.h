/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Internals of the identity store (common/store/): the handle, the statement cache, the
 * string arena, the record of what a transaction changed (for the cache refresh), and the
 * helpers every file of the area shares. Only common/store/ includes this header; the
 * schema (schema.c) is private to the area. */

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "iam/store.h"

/* "IAMH" in PRAGMA application_id: a SQLite file that is not ours is refused. */
#define ST_APPLICATION_ID 0x49414d48
#define ST_BUSY_TIMEOUT_MS 60000
#define ST_ARENA_CHUNK (64u * 1024u)
/* SQLite's page cache, in KiB: the usual one, and the one the compile's scans read with */
#define ST_CACHE_KIB "16384"
#define ST_SCAN_CACHE_KIB "2048"
#define ST_STMT_SLOTS 256 /* statement cache; a power of two, above the number of queries */

struct st_stmt_slot {
    const char *sql; /* the caller's static string: the cache is keyed by its address */
    sqlite3_stmt *stmt;
};

/* A set of rowids that also keeps them, once each, in a list (open addressing, 0 empty:
 * rowids are positive). */
struct st_set {
    struct iam_store_ids *list;
    int64_t *tab;
    size_t cap;
};

struct iam_store {
    sqlite3 *db;
    char *path;
    bool in_tx, write_tx;
    struct st_stmt_slot stmts[ST_STMT_SLOTS];
    struct iam_arena arena; /* ST_ARENA_CHUNK; strings handed out live until close */
    struct iam_error err;
    /* what the open write transaction changed; read by the cache refresh after commit */
    struct iam_store_changes changes;
    struct st_set users, groups, policies, nss_users, nss_groups;
    struct iam_store_ids touched_list;
    struct st_set touched; /* identities and policies whose digest this transaction cleared */
    /* a bulk load (bulk.c): on, and the definitions of the indexes it dropped */
#define ST_BULK_DEFERRED 1
    bool bulk;
    char *bulk_sql[ST_BULK_DEFERRED];
};

/* ---- errors ----------------------------------------------------------------------------- */

/* -errno for a SQLite result code (SQLITE_BUSY -EBUSY, CONSTRAINT -EEXIST, CORRUPT/NOTADB
 * -EBADMSG, NOMEM -ENOMEM, FULL -ENOSPC, READONLY/PERM/AUTH -EACCES, anything else -EIO). */
int st_errno(int rc);
/* Record the first error of this call in st->err and return r (always negative). */
int st_fail(struct iam_store *st, int r, const char *fmt, ...) IAM_PRINTF(3, 4);
/* st_fail with sqlite3_errmsg() for a failed SQLite call; returns st_errno(rc). */
int st_fail_sql(struct iam_store *st, int rc, const char *what);

/* End a bulk load with its transaction (rollback, close): what it dropped comes back with
 * the rollback. */
void st_bulk_reset(struct iam_store *st);

/* ---- statements --------------------------------------------------------------------------- */

/* The prepared statement for sql (a string with static storage: cached by address), reset
 * and with its bindings cleared; NULL on error (st->err set). */
sqlite3_stmt *st_stmt(struct iam_store *st, const char *sql);
/* Run SQL text with no results (schema, pragmas). */
int st_exec(struct iam_store *st, const char *sql);
/* Step a statement that returns no row (INSERT/UPDATE/DELETE): 0 or -errno. */
int st_step_done(struct iam_store *st, sqlite3_stmt *s, const char *what);
/* Step once: 1 a row, 0 done, -errno error. */
int st_step(struct iam_store *st, sqlite3_stmt *s, const char *what);
/* Binding helpers; text NULL binds NULL. They return the SQLite code (checked by step). */
int st_bind_text(sqlite3_stmt *s, int i, const char *text);
int st_bind_int(sqlite3_stmt *s, int i, int64_t v);
/* Column i as text or NULL (borrowed until the next step or reset). */
const char *st_col_text(sqlite3_stmt *s, int i);

/* ---- memory ----------------------------------------------------------------------------- */

/* Strings handed to callers live in the handle's arena until iam_store_close(). */
void *st_alloc(struct iam_store *st, size_t size);
char *st_strdup(struct iam_store *st, const char *s); /* NULL stays NULL */
/* A column copied into the arena: NULL when SQL NULL; sets *oom on allocation failure. */
char *st_col_dup(struct iam_store *st, sqlite3_stmt *s, int i, bool *oom);

int st_ids_add(struct iam_store_ids *ids, int64_t id);
void st_ids_free(struct iam_store_ids *ids);
/* Add id to the set (and its list): 1 added, 0 already there, -ENOMEM. */
int st_set_add(struct st_set *set, int64_t id);
void st_set_free(struct st_set *set);

/* ---- changes ---------------------------------------------------------------------------- */

/* Something changed in identity `id` of `kind`: its digest is cleared (the next import
 * writes it again) unless ST_NEW (a row just inserted with its digest); the caches it
 * reaches are noted: a user's auth record always, ST_NSS its passwd line, a group's
 * members' records (its policies). */
#define ST_NSS 1u
#define ST_NEW 2u
int st_touch(struct iam_store *st, enum iam_store_kind kind, int64_t id, unsigned flags);
/* A group's line (its members, or the group itself) may have changed. */
int st_touch_group_line(struct iam_store *st, int64_t group);
/* A managed policy changed (versions, default, tags, description). */
int st_touch_policy(struct iam_store *st, int64_t policy);

/* ---- schema ----------------------------------------------------------------------------- */

/* Run the forward migrations from schema version `from` to IAM_STORE_SCHEMA_VERSION. */
int st_migrate(struct iam_store *st, int from);
