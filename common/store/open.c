/* SPDX-License-Identifier: Apache-2.0 */
/* Opening, creating and checking a store; transactions; the statement cache and arena. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iam/db.h"
#include "store_private.h"

static const char sqlite_magic[16] = "SQLite format 3";

/* ---- errors -------------------------------------------------------------------------------- */

int st_errno(int rc) {
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_CONSTRAINT:
        return -EEXIST;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return -EBADMSG;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return -EACCES;
    case SQLITE_CANTOPEN:
        return -ENOENT;
    case SQLITE_TOOBIG:
        return -E2BIG;
    default:
        return -EIO;
    }
}

int st_fail(struct iam_store *st, int r, const char *fmt, ...) {
    va_list ap;

    va_start(ap, fmt);
    iam_error_setv(&st->err, 0, 0, 0, fmt, ap);
    va_end(ap);
    return r < 0 ? r : -EIO;
}

int st_fail_sql(struct iam_store *st, int rc, const char *what) {
    int r = st_errno(rc);

    if (r == -ENOMEM)
        return st_fail(st, r, "out of memory");
    if (r == -EBUSY)
        return st_fail(st, r,
                       "%s: the store is busy (another iamctl holds it for longer than %d s); "
                       "try again",
                       what, ST_BUSY_TIMEOUT_MS / 1000);
    return st_fail(st, r ? r : -EIO, "%s: %s", what, sqlite3_errmsg(st->db));
}

const struct iam_error *iam_store_error(const struct iam_store *st) {
    return &st->err;
}

void iam_store_clear_error(struct iam_store *st) {
    char source[IAM_ERROR_SOURCE_MAX];

    memcpy(source, st->err.source, sizeof(source));
    iam_error_init(&st->err);
    memcpy(st->err.source, source, sizeof(source));
}

/* ---- arena --------------------------------------------------------------------------------- */

void *st_alloc(struct iam_store *st, size_t size) {
    return iam_arena_alloc(&st->arena, size);
}

struct iam_store_mark iam_store_mark(struct iam_store *st) {
    struct iam_arena_mark a = iam_arena_mark(&st->arena);

    return (struct iam_store_mark){.chunk = a.chunk, .below = a.below, .used = a.used};
}

void iam_store_release(struct iam_store *st, struct iam_store_mark mark) {
    iam_arena_release(&st->arena, (struct iam_arena_mark){.chunk = mark.chunk,
                                                          .below = mark.below,
                                                          .used = mark.used});
}

char *st_strdup(struct iam_store *st, const char *s) {
    return s ? iam_arena_strndup(&st->arena, s, strlen(s)) : NULL;
}

char *st_col_dup(struct iam_store *st, sqlite3_stmt *s, int i, bool *oom) {
    const char *t = st_col_text(s, i);
    char *p;

    if (!t)
        return NULL;
    p = st_strdup(st, t);
    if (!p)
        *oom = true;
    return p;
}

int st_ids_add(struct iam_store_ids *ids, int64_t id) {
    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 16;
        int64_t *v = realloc(ids->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        ids->v = v;
        ids->cap = cap;
    }
    ids->v[ids->n++] = id;
    return 0;
}

void st_ids_free(struct iam_store_ids *ids) {
    free(ids->v);
    ids->v = NULL;
    ids->n = ids->cap = 0;
}

static size_t set_slot(int64_t id, size_t cap) {
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

static int set_grow(struct st_set *set) {
    size_t cap = set->cap ? set->cap * 2 : 64;
    int64_t *tab = calloc(cap, sizeof(*tab));

    if (!tab)
        return -ENOMEM;
    for (size_t i = 0; i < set->cap; i++)
        if (set->tab[i]) {
            size_t j = set_slot(set->tab[i], cap);
            while (tab[j])
                j = (j + 1) & (cap - 1);
            tab[j] = set->tab[i];
        }
    free(set->tab);
    set->tab = tab;
    set->cap = cap;
    return 0;
}

int st_set_add(struct st_set *set, int64_t id) {
    size_t j;

    if ((set->list->n + 1) * 2 > set->cap && set_grow(set) < 0)
        return -ENOMEM;
    for (j = set_slot(id, set->cap); set->tab[j]; j = (j + 1) & (set->cap - 1))
        if (set->tab[j] == id)
            return 0;
    if (st_ids_add(set->list, id) < 0)
        return -ENOMEM;
    set->tab[j] = id;
    return 1;
}

void st_set_free(struct st_set *set) {
    free(set->tab);
    set->tab = NULL;
    set->cap = 0;
    if (set->list)
        st_ids_free(set->list);
}

/* ---- statements ------------------------------------------------------------------------------ */

sqlite3_stmt *st_stmt(struct iam_store *st, const char *sql) {
    size_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15ull >> 56; /* 0..255 */
    struct st_stmt_slot *slot = NULL;
    int rc;

    for (size_t i = 0; i < ST_STMT_SLOTS; i++) {
        struct st_stmt_slot *s = &st->stmts[(h + i) & (ST_STMT_SLOTS - 1)];
        if (s->sql == sql || !s->sql) {
            slot = s;
            break;
        }
    }
    if (!slot) {
        st_fail(st, -E2BIG, "internal error: the statement cache is full");
        return NULL;
    }
    if (slot->stmt) {
        sqlite3_reset(slot->stmt);
        sqlite3_clear_bindings(slot->stmt);
        return slot->stmt;
    }
    rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt, NULL);
    if (rc != SQLITE_OK) {
        st_fail_sql(st, rc, "preparing a query");
        sqlite3_finalize(slot->stmt);
        slot->stmt = NULL;
        return NULL;
    }
    slot->sql = sql;
    return slot->stmt;
}

int st_exec(struct iam_store *st, const char *sql) {
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : st_fail_sql(st, rc, "store");
}

int st_step(struct iam_store *st, sqlite3_stmt *s, const char *what) {
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return st_fail_sql(st, rc, what);
}

int st_step_done(struct iam_store *st, sqlite3_stmt *s, const char *what) {
    int r = st_step(st, s, what);

    return r > 0 ? st_fail(st, -EIO, "%s: unexpected result row", what) : r;
}

int st_bind_text(sqlite3_stmt *s, int i, const char *text) {
    return text ? sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

int st_bind_int(sqlite3_stmt *s, int i, int64_t v) {
    return sqlite3_bind_int64(s, i, v);
}

const char *st_col_text(sqlite3_stmt *s, int i) {
    return (const char *)sqlite3_column_text(s, i);
}

/* ---- file checks ----------------------------------------------------------------------------- */

static int set_err(struct iam_error *e, const char *path, int r, const char *fmt, ...)
    IAM_PRINTF(4, 5);
static int set_err(struct iam_error *e, const char *path, int r, const char *fmt, ...) {
    va_list ap;

    iam_error_set_source(e, path);
    va_start(ap, fmt);
    iam_error_setv(e, 0, 0, 0, fmt, ap);
    va_end(ap);
    return r;
}

/* The owner and mode rules of the store and of its -wal and -shm files: a regular file (never
 * a symlink), owned by root or the caller, with no permission for group or others (it holds
 * password hashes and secrets' hashes). */
static int check_file(const char *path, const struct stat *st, struct iam_error *reterr) {
    if (S_ISLNK(st->st_mode))
        return set_err(reterr, path, -EACCES, "refusing a store that is a symbolic link");
    if (!S_ISREG(st->st_mode))
        return set_err(reterr, path, -EACCES, "refusing a store that is not a regular file");
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return set_err(reterr, path, -EACCES,
                       "refusing a store owned by uid %u (must be owned by root)",
                       (unsigned)st->st_uid);
    if (st->st_mode & (S_IWGRP | S_IWOTH))
        return set_err(reterr, path, -EACCES,
                       "refusing a store writable by group or others (mode %04o; chmod 0600)",
                       (unsigned)(st->st_mode & 07777));
    if (st->st_mode & (S_IRGRP | S_IROTH | S_IXGRP | S_IXOTH))
        return set_err(reterr, path, -EACCES,
                       "refusing a store readable by group or others (mode %04o; it holds "
                       "password hashes: chmod 0600)",
                       (unsigned)(st->st_mode & 07777));
    return 0;
}

/* The directory of the store must not let anyone but root plant files beside it (a -wal
 * file that SQLite would replay). */
static int check_dir(const char *path, struct iam_error *reterr) {
    char *dir = strdup(path), *slash;
    struct stat st;
    int r = 0;

    if (!dir)
        return set_err(reterr, path, -ENOMEM, "out of memory");
    slash = strrchr(dir, '/');
    if (!slash)
        memcpy(dir, ".", 2); /* dir holds at least the store's name: 2 bytes fit */
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (stat(dir, &st) < 0)
        r = set_err(reterr, path, -errno, "cannot stat the store's directory %s: %s", dir,
                    strerror(errno));
    else if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH)))
        r = set_err(reterr, path, -EACCES,
                    "refusing a store in %s: the directory must be owned by root and not "
                    "writable by group or others",
                    dir);
    free(dir);
    return r;
}

static int check_side_file(const char *path, const char *suffix, struct iam_error *reterr) {
    char *p = NULL;
    struct stat st;
    int r = 0;

    if (asprintf(&p, "%s%s", path, suffix) < 0)
        return set_err(reterr, path, -ENOMEM, "out of memory");
    if (lstat(p, &st) == 0)
        r = check_file(p, &st, reterr);
    else if (errno != ENOENT)
        r = set_err(reterr, p, -errno, "cannot stat: %s", strerror(errno));
    free(p);
    return r;
}

int iam_store_probe(const char *path, enum iam_store_file *ret, struct iam_error *reterr) {
    unsigned char head[100];
    struct stat st;
    ssize_t n;
    int fd, r;

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) {
            *ret = IAM_STORE_FILE_MISSING;
            return 0;
        }
        return set_err(reterr, path, -errno, "cannot stat: %s", strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
        return set_err(reterr, path, -EACCES, "refusing a store that is a symbolic link");
    if (!S_ISREG(st.st_mode))
        return set_err(reterr, path, -EACCES, "refusing a store that is not a regular file");
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return set_err(reterr, path, -errno, "cannot open: %s", strerror(errno));
    n = read(fd, head, sizeof(head));
    r = n < 0 ? -errno : 0;
    close(fd);
    if (r < 0)
        return set_err(reterr, path, r, "cannot read: %s", strerror(-r));
    if (n >= 16 && memcmp(head, sqlite_magic, 16) == 0) {
        *ret = IAM_STORE_FILE_STORE;
        return 0;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')
            continue;
        *ret = head[i] == '{' ? IAM_STORE_FILE_JSON : IAM_STORE_FILE_OTHER;
        return 0;
    }
    *ret = IAM_STORE_FILE_OTHER; /* empty or blank */
    return 0;
}

/* ---- open ------------------------------------------------------------------------------------ */

static int pragma_int(struct iam_store *st, const char *sql, int64_t *ret) {
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            *ret = sqlite3_column_int64(s, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? 0 : st_fail_sql(st, rc, "reading the store's header");
}

static void store_free(struct iam_store *st) {
    if (!st)
        return;
    for (size_t i = 0; i < ST_STMT_SLOTS; i++)
        sqlite3_finalize(st->stmts[i].stmt);
    if (st->db)
        sqlite3_close_v2(st->db);
    iam_arena_free(&st->arena);
    st_set_free(&st->users);
    st_set_free(&st->groups);
    st_set_free(&st->policies);
    st_set_free(&st->nss_users);
    st_set_free(&st->nss_groups);
    st_set_free(&st->touched);
    st_bulk_reset(st);
    free(st->path);
    free(st);
}

/* Connection settings every handle uses. secure_delete overwrites deleted content (a removed
 * password hash does not linger in free pages); defensive mode refuses the pragmas that could
 * corrupt the file; synchronous FULL makes a commit durable before iamctl reports it. */
static int configure(struct iam_store *st) {
    int rc = sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(st->db, ST_BUSY_TIMEOUT_MS);
    if (rc != SQLITE_OK)
        return st_fail_sql(st, rc, "configuring the store");
    return st_exec(st, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
                       "PRAGMA secure_delete = ON; PRAGMA cache_size = -" ST_CACHE_KIB ";");
}

static int connect(const char *path, struct iam_store **ret, struct iam_error *reterr) {
    struct iam_store *st = calloc(1, sizeof(*st));
    int rc;

    if (!st || !(st->path = strdup(path))) {
        free(st);
        return set_err(reterr, path, -ENOMEM, "out of memory");
    }
    st->arena = IAM_ARENA_INIT(ST_ARENA_CHUNK);
    iam_error_init(&st->err);
    iam_error_set_source(&st->err, path);
    st->users.list = &st->changes.users;
    st->groups.list = &st->changes.groups;
    st->policies.list = &st->changes.policies;
    st->nss_users.list = &st->changes.nss_users;
    st->nss_groups.list = &st->changes.nss_groups;
    st->touched.list = &st->touched_list;
    rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        set_err(reterr, path, st_errno(rc), "cannot open the store: %s",
                st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        store_free(st);
        return st_errno(rc) ? st_errno(rc) : -EIO;
    }
    sqlite3_extended_result_codes(st->db, 1);
    if (configure(st) < 0) {
        *reterr = st->err;
        rc = -EIO;
        store_free(st);
        return rc;
    }
    *ret = st;
    return 0;
}

/* The header checks of an opened store: ours, a schema this version can read (migrated
 * forward when older and `write`), WAL mode. */
static int check_header(struct iam_store *st, bool write) {
    int64_t app = 0, version = 0;
    int r;

    if ((r = pragma_int(st, "PRAGMA application_id", &app)) < 0)
        return st_errno(SQLITE_NOTADB) == r
                   ? st_fail(st, -EBADMSG, "not an iam-host store (not a SQLite database)")
                   : r;
    if ((r = pragma_int(st, "PRAGMA user_version", &version)) < 0)
        return r;
    if (app != ST_APPLICATION_ID)
        return st_fail(st, -EBADMSG,
                       "not an iam-host store (a SQLite database of another application)");
    if (version > IAM_STORE_SCHEMA_VERSION)
        return st_fail(st, -ENOTSUP,
                       "the store's schema version %lld is newer than this iamctl knows (%d): "
                       "it was written by a newer iam-host; upgrade iamctl",
                       (long long)version, IAM_STORE_SCHEMA_VERSION);
    if (version < IAM_STORE_SCHEMA_VERSION) {
        if (!write)
            return st_fail(st, -ENOTSUP,
                           "the store's schema version %lld is older than this iamctl's (%d); a "
                           "command that writes (e.g. iamctl compile) upgrades it",
                           (long long)version, IAM_STORE_SCHEMA_VERSION);
        if ((r = st_exec(st, "BEGIN IMMEDIATE")) < 0)
            return r;
        r = st_migrate(st, (int)version);
        if (r < 0) {
            (void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return r;
        }
        if ((r = st_exec(st, "COMMIT")) < 0)
            return r;
    }
    return 0;
}

int iam_store_open(const char *path, bool write, struct iam_store **ret,
                   struct iam_error *reterr) {
    struct iam_store *st = NULL;
    enum iam_store_file kind = IAM_STORE_FILE_OTHER;
    struct stat sb;
    int r;

    if ((r = iam_store_probe(path, &kind, reterr)) < 0)
        return r;
    if (kind == IAM_STORE_FILE_MISSING)
        return set_err(reterr, path, -ENOENT,
                       "no store here (iamctl init creates one; see database in iam.conf)");
    if (kind == IAM_STORE_FILE_JSON)
        return set_err(reterr, path, -EMEDIUMTYPE,
                       "this is a JSON identity database of an earlier iam-host, not a store "
                       "(iamctl migrate converts it)");
    if (kind != IAM_STORE_FILE_STORE)
        return set_err(reterr, path, -EBADMSG,
                       "not an iam-host store (not a SQLite database); refusing to touch it");
    if (lstat(path, &sb) < 0)
        return set_err(reterr, path, -errno, "cannot stat: %s", strerror(errno));
    if ((r = check_file(path, &sb, reterr)) < 0 || (r = check_dir(path, reterr)) < 0 ||
        (r = check_side_file(path, "-wal", reterr)) < 0 ||
        (r = check_side_file(path, "-shm", reterr)) < 0)
        return r;
    if ((r = connect(path, &st, reterr)) < 0 || !st)
        return r < 0 ? r : -EIO;
    r = check_header(st, write);
    if (r == 0)
        r = st_exec(st, "PRAGMA journal_mode = WAL");
    if (r < 0) {
        *reterr = st->err;
        store_free(st);
        return r;
    }
    *ret = st;
    return 0;
}

void iam_store_close(struct iam_store *st) {
    if (st && st->in_tx)
        iam_store_rollback(st);
    store_free(st);
}

/* ---- create ---------------------------------------------------------------------------------- */

static void unlink_store(const char *path) {
    static const char *const sfx[] = {"-wal", "-shm", "-journal"};
    char *p = NULL;

    (void)unlink(path);
    for (size_t i = 0; i < IAM_ELEMENTSOF(sfx); i++)
        if (asprintf(&p, "%s%s", path, sfx[i]) >= 0) {
            (void)unlink(p);
            free(p);
            p = NULL;
        }
}

static int fill_new(struct iam_store *st, const char *account_id, uint32_t next_id) {
    static const char sql[] =
        "INSERT INTO account (id, account_id, serial, next_id, created) VALUES (1, ?, 0, ?, ?)";
    char pragma[64], now[32];
    sqlite3_stmt *s;
    int r;

    snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d", ST_APPLICATION_ID);
    if ((r = st_exec(st, pragma)) < 0 || (r = st_exec(st, "BEGIN IMMEDIATE")) < 0)
        return r;
    if ((r = st_migrate(st, 0)) < 0)
        return r;
    iam_db_format_time((int64_t)time(NULL), now, sizeof(now));
    if (!(s = st_stmt(st, sql)))
        return -EIO;
    st_bind_text(s, 1, account_id);
    st_bind_int(s, 2, next_id);
    st_bind_text(s, 3, now);
    if ((r = st_step_done(st, s, "creating the account")) < 0)
        return r;
    return st_exec(st, "COMMIT");
}

int iam_store_create(const char *path, const char *account_id, uint32_t next_id, bool wal,
                     struct iam_store **ret, struct iam_error *reterr) {
    struct iam_store *st = NULL;
    int fd, r;

    if ((r = check_dir(path, reterr)) < 0)
        return r;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return set_err(reterr, path, -errno, "%s",
                       errno == EEXIST ? "already exists; refusing to overwrite it"
                                       : strerror(errno));
    r = fchmod(fd, 0600) < 0 ? -errno : 0;
    close(fd);
    if (r < 0) {
        unlink_store(path);
        return set_err(reterr, path, r, "cannot set the mode: %s", strerror(-r));
    }
    if ((r = connect(path, &st, reterr)) < 0 || !st) {
        unlink_store(path);
        return r < 0 ? r : -EIO;
    }
    r = st_exec(st, wal ? "PRAGMA journal_mode = WAL" : "PRAGMA journal_mode = DELETE");
    if (r == 0)
        r = fill_new(st, account_id, next_id);
    if (r < 0) {
        *reterr = st->err;
        store_free(st);
        unlink_store(path);
        return r;
    }
    *ret = st;
    return 0;
}

/* ---- transactions ------------------------------------------------------------------------------ */

/* Freed, not cleared: after a large write (an import) they are megabytes that the cache
 * refresh, which runs next, can use. */
static void changes_reset(struct iam_store *st) {
    st->changes.any = st->changes.all = false;
    st_set_free(&st->users);
    st_set_free(&st->groups);
    st_set_free(&st->policies);
    st_set_free(&st->nss_users);
    st_set_free(&st->nss_groups);
    st_set_free(&st->touched);
}

int iam_store_begin(struct iam_store *st, bool write) {
    int r;

    if (st->in_tx)
        return st_fail(st, -EINVAL, "internal error: a transaction is already open");
    r = st_exec(st, write ? "BEGIN IMMEDIATE" : "BEGIN");
    if (r < 0)
        return r;
    st->in_tx = true;
    st->write_tx = write;
    changes_reset(st);
    return 0;
}

int iam_store_commit(struct iam_store *st, uint64_t *ret_serial) {
    static const char bump[] = "UPDATE account SET serial = serial + 1 WHERE id = 1";
    static const char get[] = "SELECT serial FROM account WHERE id = 1";
    sqlite3_stmt *s;
    int r;

    if (!st->in_tx)
        return st_fail(st, -EINVAL, "internal error: no transaction to commit");
    /* never a store without the indexes a bulk load dropped */
    if (st->bulk && (r = iam_store_bulk_end(st)) < 0)
        return r;
    if (st->write_tx && st->changes.any) {
        if (!(s = st_stmt(st, bump)))
            return -EIO;
        if ((r = st_step_done(st, s, "bumping the Serial")) < 0)
            return r;
    }
    if (ret_serial) {
        if (!(s = st_stmt(st, get)))
            return -EIO;
        if ((r = st_step(st, s, "reading the Serial")) <= 0)
            return r < 0 ? r : st_fail(st, -EBADMSG, "the store has no account row");
        *ret_serial = (uint64_t)sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    }
    for (size_t i = 0; i < ST_STMT_SLOTS; i++)
        if (st->stmts[i].stmt)
            sqlite3_reset(st->stmts[i].stmt);
    if ((r = st_exec(st, "COMMIT")) < 0)
        return r;
    st->in_tx = false;
    return 0;
}

void iam_store_rollback(struct iam_store *st) {
    if (!st->in_tx)
        return;
    for (size_t i = 0; i < ST_STMT_SLOTS; i++)
        if (st->stmts[i].stmt)
            sqlite3_reset(st->stmts[i].stmt);
    (void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->in_tx = false;
    changes_reset(st);
    st_bulk_reset(st);
}

const struct iam_store_changes *iam_store_changes(const struct iam_store *st) {
    return &st->changes;
}

int iam_store_integrity_check(struct iam_store *st) {
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL), r = 0;

    if (rc != SQLITE_OK)
        return st_fail_sql(st, rc, "integrity check");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        if (t && strcmp(t, "ok") != 0 && r == 0)
            r = st_fail(st, -EBADMSG, "integrity check: %.200s", t);
    }
    if (rc != SQLITE_DONE && r == 0)
        r = st_fail_sql(st, rc, "integrity check");
    sqlite3_finalize(s);
    if (r == 0) {
        rc = sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
            r = st_fail(st, -EBADMSG, "integrity check: a reference in table %s is broken",
                        (const char *)sqlite3_column_text(s, 0));
        else if (rc != SQLITE_DONE && rc != SQLITE_OK)
            r = st_fail_sql(st, rc, "foreign key check");
        sqlite3_finalize(s);
    }
    return r;
}

/* ---- changes ---------------------------------------------------------------------------------- */

static int clear_digest(struct iam_store *st, const char *sql, int64_t id) {
    sqlite3_stmt *s = st_stmt(st, sql);

    if (!s)
        return -EIO;
    st_bind_int(s, 1, id);
    return st_step_done(st, s, "updating");
}

static int note(struct iam_store *st, struct st_set *set, int64_t id) {
    int r = st_set_add(set, id);

    return r < 0 ? st_fail(st, r, "out of memory") : r;
}

int st_touch(struct iam_store *st, enum iam_store_kind kind, int64_t id, unsigned flags) {
    static const char clear[] =
        "UPDATE identities SET digest = NULL WHERE id = ? AND digest IS NOT NULL";
    int r;

    st->changes.any = true;
    /* a role's change is not listed: the refresh after the write compiles the whole account
     * (a role is a user on the host, a passwd line and an auth record of its own,
     * and its record carries its trust policy and policies: all made current so) */
    if (kind != IAM_STORE_USER && kind != IAM_STORE_GROUP)
        st->changes.all = true;
    if (kind == IAM_STORE_USER && (r = note(st, &st->users, id)) < 0)
        return r;
    if (kind == IAM_STORE_GROUP && (r = note(st, &st->groups, id)) < 0)
        return r;
    if ((flags & ST_NSS) &&
        (r = note(st, kind == IAM_STORE_GROUP ? &st->nss_groups : &st->nss_users, id)) < 0)
        return r;
    if ((r = note(st, &st->touched, id)) <= 0 || (flags & ST_NEW))
        return r < 0 ? r : 0;
    return clear_digest(st, clear, id);
}

int st_touch_group_line(struct iam_store *st, int64_t group) {
    int r = note(st, &st->nss_groups, group);

    st->changes.any = true;
    return r < 0 ? r : 0;
}

int st_touch_policy(struct iam_store *st, int64_t policy) {
    static const char clear[] =
        "UPDATE policies SET digest = NULL WHERE id = ? AND digest IS NOT NULL";
    int r;

    st->changes.any = true;
    if ((r = note(st, &st->policies, policy)) <= 0)
        return r;
    return clear_digest(st, clear, policy);
}

void iam_store_keep_serial(struct iam_store *st) {
    st->changes.any = false;
}

void iam_store_mark_all_changed(struct iam_store *st) {
    st->changes.any = st->changes.all = true;
}
