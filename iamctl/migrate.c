/* SPDX-License-Identifier: Apache-2.0 */
/* The upgrade of a JSON identity database (iam-host 0.1) to the store, in place.
 *
 * When the `database` of iam.conf is a JSON database, the first iamctl command that runs
 * (or `iamctl migrate`) converts it, under the writers' lock:
 *   1. the JSON database is read and validated whole; if anything is wrong it stays in use,
 *      untouched, and the command fails saying why;
 *   2. a store is built beside it in <store>.migrating (a self-contained file), with every
 *      user, group, role, policy, credential hash, POSIX id, the high-water mark and the
 *      Serial, and checked (PRAGMA integrity_check);
 *   3. it is renamed to <store> (iam.json -> iam.db; any other name gets ".db" added), and
 *      `database` in iam.conf is changed to name it (rewritten atomically; only that line);
 *   4. the caches are compiled from the store.
 * The JSON file is never written: it stays as the backup. A crash before step 3 leaves the
 * JSON database in use (the next command starts again); between the rename and the iam.conf
 * change, the next command converts again and replaces the store it made, unless that store
 * was written since (its Serial is higher), which it refuses to overwrite.
 * A configuration without a `database` line names the default store, IAM_SYSCONFDIR/iam.db;
 * when that is missing and the old default IAM_SYSCONFDIR/iam.json is a JSON database, it is
 * converted into it the same way (iam.conf needs no change). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "iam/fileio.h"
#include "iam/store_compile.h"
#include "migrate.h"

#define DEFAULT_STORE IAM_SYSCONFDIR "/iam.db"
#define LEGACY_JSON IAM_SYSCONFDIR "/iam.json"

/* <dir>/<name>.json -> <dir>/<name>.db; any other name gets ".db" appended. */
static char *store_path_for(const char *json) {
    size_t n = strlen(json);
    char *p = NULL;

    if (n > 5 && strcmp(json + n - 5, ".json") == 0) {
        if (asprintf(&p, "%.*s.db", (int)(n - 5), json) < 0)
            return NULL;
    } else if (asprintf(&p, "%s.db", json) < 0) {
        return NULL;
    }
    return p;
}

/* Replace the value of the `database` line of the configuration file (atomically, same
 * mode); 0 when there is no such line. */
static int rewrite_config(const char *conf, const char *store) {
    struct iam_error e;
    struct stat sb;
    char *text = NULL, *out = NULL;
    size_t len = 0;
    int r;

    iam_error_init(&e);
    if (iam_file_read_safe(conf, 1024 * 1024, &text, &len, &e) < 0)
        return iamctl_fail_error(&e);
    if (stat(conf, &sb) < 0) {
        r = iamctl_fail("%s: %s", conf, strerror(errno));
        goto out;
    }
    for (char *line = text; line && *line;) {
        char *eol = strchr(line, '\n'), *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "database", 8) == 0 && (p[8] == ' ' || p[8] == '\t' || p[8] == '=')) {
            size_t before = (size_t)(line - text);
            if (asprintf(&out, "%.*sdatabase = %s\n%s", (int)before, text, store,
                         eol ? eol + 1 : "") < 0) {
                out = NULL;
                r = iamctl_fail("out of memory");
                goto out;
            }
            iam_error_init(&e);
            r = iam_file_write_atomic(conf, out, strlen(out), sb.st_mode & 07777, &e);
            r = r < 0 ? iamctl_fail_error(&e) : 0;
            goto out;
        }
        line = eol ? eol + 1 : NULL;
    }
    r = 0;
out:
    free(text);
    free(out);
    return r;
}

static void remove_store_files(const char *path) {
    static const char *const sfx[] = {"", "-journal", "-wal", "-shm"};

    for (size_t i = 0; i < IAM_ELEMENTSOF(sfx); i++) {
        char *p = NULL;
        if (asprintf(&p, "%s%s", path, sfx[i]) >= 0) {
            (void)unlink(p);
            free(p);
        }
    }
}

/* A store already at dst: replace it only when it is ours and not newer than the JSON
 * database (a store left by a migration that did not get to change iam.conf). */
static int check_target(const char *dst, const struct iam_db *db) {
    enum iam_store_file kind;
    struct iam_store *st = NULL;
    struct iam_store_account acct = {0};
    struct iam_error e;
    int r;

    iam_error_init(&e);
    if (iam_store_probe(dst, &kind, &e) < 0)
        return iamctl_fail_error(&e);
    if (kind == IAM_STORE_FILE_MISSING)
        return 0;
    if (kind != IAM_STORE_FILE_STORE)
        return iamctl_fail("%s exists and is not an iam-host store; move it away so the JSON "
                           "database can be converted there",
                           dst);
    if (iam_store_open(dst, false, &st, &e) < 0)
        return iamctl_fail_error(&e);
    r = iam_store_begin(st, false);
    if (r == 0)
        r = iam_store_get_account(st, &acct);
    if (r < 0) {
        r = iamctl_fail_error(iam_store_error(st));
    } else if (acct.serial > db->serial) {
        r = iamctl_fail("%s is a store written since the JSON database was converted (Serial "
                        "%llu > %llu): set database = %s in the configuration instead of "
                        "converting again",
                        dst, (unsigned long long)acct.serial, (unsigned long long)db->serial, dst);
    }
    iam_store_close(st);
    return r;
}

static void sync_dir_of(const char *path) {
    char *dir = path ? strdup(path) : NULL, *slash;
    int fd;

    if (!dir)
        return;
    slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

static int sync_file(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r = 0;

    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        r = -errno;
    close(fd);
    return r;
}

/* Build the store for db at tmp (a new file), checked and closed. */
static int build_store(struct sth *h, const struct iam_db *db, const char *src, const char *tmp) {
    struct apply a = {.config = h->config,
                      .db = db,
                      .file = src,
                      .source = IAM_STORE_SOURCE_LOCAL,
                      .host_data = true,
                      .progress = isatty(STDERR_FILENO) != 0};
    struct iam_store *st = NULL;
    struct iam_error e;
    int r;

    iam_error_init(&e);
    remove_store_files(tmp);
    if (iam_store_create(tmp, db->account_id, db->next_uid, false, &st, &e) < 0)
        return iamctl_fail_error(&e);
    a.st = st;
    if (iam_store_begin(st, true) < 0) {
        r = iamctl_fail_error(iam_store_error(st));
        goto out;
    }
    if ((r = apply_model(&a)))
        goto out;
    if (iam_store_set_serial(st, db->serial) < 0 || iam_store_integrity_check(st) < 0) {
        r = iamctl_fail_error(iam_store_error(st));
        goto out;
    }
    iam_store_keep_serial(st); /* the content is the database's: so is its Serial */
    if ((r = iam_store_commit(st, NULL)) < 0)
        r = iamctl_fail_error(iam_store_error(st));
out:
    apply_free(&a);
    iam_store_close(st);
    if (r == 0 && (r = sync_file(tmp)) < 0)
        r = iamctl_fail("%s: %s", tmp, strerror(-r));
    if (r)
        remove_store_files(tmp);
    return r;
}

/* Convert src into the store dst (see the top of the file). 0 or an exit code. */
static int migrate(struct sth *h, const char *src, const char *dst, bool rewrite) {
    struct iam_db *db = NULL;
    struct iam_error e;
    char *tmp = NULL;
    int r;

    iam_error_init(&e);
    if (iam_db_load(src, 0, &db, &e) < 0) {
        char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
        return iamctl_fail("cannot convert the JSON database to a store: %s; it stays in use, "
                           "unchanged (fix it, or restore a backup, and run iamctl migrate)",
                           iam_error_format(&e, buf, sizeof(buf)));
    }
    if (strcmp(db->account_id, h->config->account_id) != 0) {
        r = iamctl_fail("%s: AccountId %s is not account_id %s of %s", src, db->account_id,
                        h->config->account_id, arg_config);
        goto out;
    }
    if ((r = check_target(dst, db)))
        goto out;
    if (asprintf(&tmp, "%s.migrating", dst) < 0) {
        tmp = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    if ((r = build_store(h, db, src, tmp)))
        goto out;
    if (rename(tmp, dst) < 0) {
        r = iamctl_fail("%s: cannot rename into place: %s", dst, strerror(errno));
        remove_store_files(tmp);
        goto out;
    }
    sync_dir_of(dst);
    if (rewrite && (r = rewrite_config(arg_config, dst)))
        goto out;
    fprintf(stderr,
            "iamctl: converted the JSON database %s to the store %s (Serial %llu); %s is kept "
            "as it was, as a backup%s\n",
            src, dst, (unsigned long long)db->serial, src,
            rewrite ? "; iam.conf now names the store" : "");
    r = 0;
out:
    free(tmp);
    iam_db_free(db);
    return r;
}

/* After a conversion, or when another iamctl converted while we waited: follow the
 * configuration to the store, and hold the store's lock instead of the old file's. */
static int follow(struct sth *h, bool locked) {
    struct iam_config *c = NULL;
    struct iam_error e;
    int r;

    iam_error_init(&e);
    if (iam_config_load(arg_config, &c, &e) < 0)
        return iamctl_fail_error(&e);
    iam_config_free(h->config);
    h->config = c;
    if (locked) {
        iam_lock_release(h->lock_fd);
        h->lock_fd = -1;
        if ((r = sth_lock(h)))
            return r;
    }
    return 0;
}

/* What to convert: 1 with src, dst and rewrite set, 0 nothing, or an exit code < 0. */
static int needs_migration(struct sth *h, char **src, char **dst, bool *rewrite) {
    enum iam_store_file kind, legacy;
    struct iam_error e;

    iam_error_init(&e);
    *src = *dst = NULL;
    if (iam_store_probe(h->config->database, &kind, &e) < 0)
        return -iamctl_fail_error(&e);
    if (kind == IAM_STORE_FILE_JSON) {
        *rewrite = true;
        *src = strdup(h->config->database);
        *dst = store_path_for(h->config->database);
    } else if (kind == IAM_STORE_FILE_MISSING && strcmp(h->config->database, DEFAULT_STORE) == 0 &&
               iam_store_probe(LEGACY_JSON, &legacy, &e) == 0 && legacy == IAM_STORE_FILE_JSON) {
        *rewrite = false;
        *src = strdup(LEGACY_JSON);
        *dst = strdup(DEFAULT_STORE);
    } else {
        return 0;
    }
    if (!*src || !*dst) {
        free(*src);
        free(*dst);
        *src = *dst = NULL;
        return -iamctl_fail("out of memory");
    }
    return 1;
}

int migrate_if_needed(struct sth *h) {
    bool had_lock = h->lock_fd >= 0, rewrite = false;
    char *src = NULL, *dst = NULL;
    int r = needs_migration(h, &src, &dst, &rewrite);

    if (r <= 0)
        return -r;
    free(src);
    free(dst);
    src = dst = NULL;
    /* under the writers' lock, looking again: another iamctl may have converted meanwhile */
    if (!had_lock && (r = sth_lock(h)))
        return r;
    if ((r = follow(h, true)))
        goto out;
    r = needs_migration(h, &src, &dst, &rewrite);
    if (r < 0) {
        r = -r;
        goto out;
    }
    if (r == 0)
        goto out;
    if ((r = migrate(h, src, dst, rewrite)) || (r = follow(h, true)))
        goto out;
    r = migrate_compile(h);
out:
    free(src);
    free(dst);
    if (!had_lock && h->lock_fd >= 0) {
        iam_lock_release(h->lock_fd);
        h->lock_fd = -1;
    }
    return r;
}

/* The caches from the new store (the same account, perhaps in a newer cache format). */
int migrate_compile(struct sth *h) {
    struct iam_store *st = NULL;
    struct iam_error e;
    int r = 0;

    iam_error_init(&e);
    if (iam_store_open(h->config->database, true, &st, &e) < 0)
        return iamctl_fail_error(&e);
    if (iam_store_begin(st, false) < 0) {
        r = iamctl_fail_error(iam_store_error(st));
    } else if (iam_store_compile(st, h->config, &e) != 0) {
        char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
        iamctl_fail("warning: the store is in place, but compiling the host caches failed (run "
                    "iamctl compile): %s",
                    iam_error_format(&e, buf, sizeof(buf)));
    }
    iam_store_close(st);
    return r;
}

int verb_migrate(int argc, char *argv[]) {
    struct opt opts[] = {{NULL}};
    struct sth h = STH_INIT;
    bool converted;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        return r;
    /* sth_open converts a JSON database; a store is left as it is */
    {
        struct iam_config *c = NULL;
        struct iam_error e;
        enum iam_store_file kind = IAM_STORE_FILE_MISSING;
        iam_error_init(&e);
        if (iam_config_load(arg_config, &c, &e) < 0)
            return iamctl_fail_error(&e);
        converted = iam_store_probe(c->database, &kind, &e) == 0 && kind != IAM_STORE_FILE_STORE;
        iam_config_free(c);
    }
    if ((r = sth_open(&h, true)))
        return sth_close(&h, r);
    r = print_json(json_pack("{s:b,s:s,s:I}", "Converted", converted, "Database",
                             h.config->database, "Serial", (json_int_t)h.account.serial));
    return sth_close(&h, r);
}
