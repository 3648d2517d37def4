/* SPDX-License-Identifier: Apache-2.0 */
/* A bulk load (iam/store.h: iam_store_bulk_begin): into a store with no identity yet, the
 * indexes that only readers use are built once at the end instead of row by row. At
 * 100,000 users the groups' members by group are 500,000 inserts at random places of an
 * index; one CREATE INDEX at the end sorts them instead: the import's writes take ~0.5 s
 * less, and the index ~0.25 s to build. (A larger page cache for the load was measured
 * too: no faster, with more page faults.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

/* Secondary indexes that enforce nothing (not UNIQUE) and that no upsert names: a reader's
 * shortcut only, which the load's own statements do without. The groups' members by group. */
static const char *const deferred[ST_BULK_DEFERRED] = {"memberships_group"};

static void bulk_forget(struct iam_store *st) {
    for (size_t i = 0; i < ST_BULK_DEFERRED; i++) {
        free(st->bulk_sql[i]);
        st->bulk_sql[i] = NULL;
    }
    st->bulk = false;
}

void st_bulk_reset(struct iam_store *st) {
    bulk_forget(st);
}

static int store_is_empty(struct iam_store *st, bool *ret) {
    static const char sql[] = "SELECT EXISTS (SELECT 1 FROM identities)";
    sqlite3_stmt *s = st_stmt(st, sql);
    int r;

    if (!s)
        return -EIO;
    r = st_step(st, s, "looking for identities");
    *ret = r > 0 && sqlite3_column_int(s, 0) == 0;
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

/* An index's definition as the schema holds it (what made it), malloc'd. */
static int index_sql(struct iam_store *st, const char *name, char **ret) {
    static const char sql[] = "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?";
    sqlite3_stmt *s = st_stmt(st, sql);
    const char *text;
    int r;

    *ret = NULL;
    if (!s)
        return -EIO;
    st_bind_text(s, 1, name);
    r = st_step(st, s, "reading the schema");
    text = r > 0 ? st_col_text(s, 0) : NULL;
    if (text && !(*ret = strdup(text)))
        r = st_fail(st, -ENOMEM, "out of memory");
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

int iam_store_bulk_begin(struct iam_store *st) {
    char drop[128];
    bool empty = false;
    int r;

    if (!st->in_tx || !st->write_tx || st->bulk)
        return st_fail(st, -EINVAL, "internal error: a bulk load needs a write transaction");
    if ((r = store_is_empty(st, &empty)) < 0)
        return r;
    st->bulk = true;
    if (!empty)
        return 0;
    for (size_t i = 0; i < ST_BULK_DEFERRED; i++) {
        if ((r = index_sql(st, deferred[i], &st->bulk_sql[i])) < 0)
            return r;
        if (!st->bulk_sql[i])
            continue; /* not in this schema */
        (void)snprintf(drop, sizeof(drop), "DROP INDEX \"%s\"", deferred[i]);
        if ((r = st_exec(st, drop)) < 0)
            return r;
    }
    return 0;
}

int iam_store_bulk_end(struct iam_store *st) {
    int r = 0;

    if (!st->bulk)
        return 0;
    for (size_t i = 0; r == 0 && i < ST_BULK_DEFERRED; i++)
        if (st->bulk_sql[i])
            r = st_exec(st, st->bulk_sql[i]);
    bulk_forget(st);
    return r;
}
