/* SPDX-License-Identifier: Apache-2.0 */
/* Crash safety of the store: run an iamctl verb, or an import of an export of 200 users, and
 * SIGKILL it at a moment swept across its whole run, hundreds of times. After every kill:
 *   - the store opens and passes PRAGMA integrity_check and foreign_key_check;
 *   - it holds all of the command or none of it: the Serial is the old one and every row is
 *     as before (a hash of every table), or the Serial is one higher and the command's
 *     effect is there whole (the new user, all 200 imported users, ...);
 *   - each cache matches a committed state: auth.cache's Serial is one the store had (never
 *     ahead of it, never going back) and holds that state's users; nss.cache holds the users
 *     of a committed state.
 * The first round of verbs is killed at once (nothing done) and the last is not killed (all
 * done), so both outcomes are seen for every verb whatever the load does to the timing.
 * At the end one clean write must leave no temporary file behind.
 *
 * usage: test_store_crash IAMCTL [ITERATIONS] */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iam/auth_cache.h"
#include "iam/caches.h"
#include "iam/ssh_keys.h"
#include "iam_cache_dir.h"
#include "iam/store.h"
#include "iamtest.h"
#include "nss_cache_read.h"

#define MAX_SERIALS 4096
#define IMPORT_USERS 200

static const char *iamctl;
static unsigned iterations = 450;
static char *dir, *conf, *dbpath, *cache_dir, *export_path;
/* users in the store at each committed Serial (what the caches may hold) */
static long users_at[MAX_SERIALS];

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static pid_t spawn(const char *const argv[]) {
    pid_t pid = fork();

    if (pid == 0) {
        char *a[32];
        size_t i;
        int null = open("/dev/null", O_RDWR);

        /* execv's prototype wants char *const[]: copy the pointers, no cast needed */
        for (i = 0; i < 31 && argv[i]; i++)
            memcpy(&a[i], &argv[i], sizeof(a[i]));
        a[i] = NULL;
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        if (a[0])
            execv(a[0], a);
        _exit(127);
    }
    return pid;
}

static int run_wait(const char *const argv[]) {
    int status;
    pid_t pid = spawn(argv);

    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* BLAKE2b over every row of every table, in rowid order: the store's logical content. */
static void store_digest(sqlite3 *db, unsigned char out[16]) {
    crypto_generichash_state h;
    sqlite3_stmt *tables = NULL;

    crypto_generichash_init(&h, NULL, 0, 16);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                        "ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char *sql = NULL;
        sqlite3_stmt *rows = NULL;
        assert_true(asprintf(&sql, "SELECT * FROM \"%s\" ORDER BY rowid",
                             (const char *)sqlite3_column_text(tables, 0)) > 0);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(rows); c++) {
                const unsigned char *v = sqlite3_column_blob(rows, c);
                int n = sqlite3_column_bytes(rows, c), type = sqlite3_column_type(rows, c);
                crypto_generichash_update(&h, (const unsigned char *)&type, sizeof(type));
                crypto_generichash_update(&h, (const unsigned char *)&n, sizeof(n));
                if (v && n > 0)
                    crypto_generichash_update(&h, v, (size_t)n);
            }
        sqlite3_finalize(rows);
        free(sql);
    }
    sqlite3_finalize(tables);
    crypto_generichash_final(&h, out, 16);
}

static long query_long(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s = NULL;
    long v = -1;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Through the product's own open (which refuses a damaged or unsafe store), then checked. */
static void check_store_healthy(unsigned i) {
    struct iam_store *st = NULL;
    struct iam_error e;

    iam_error_init(&e);
    if (iam_store_open(dbpath, false, &st, &e) < 0)
        fail_msg("iteration %u: the store does not open after SIGKILL: %s", i, e.text);
    if (iam_store_integrity_check(st) < 0)
        fail_msg("iteration %u: %s", i, iam_store_error(st)->text);
    iam_store_close(st);
}

struct state {
    long serial, users;
    unsigned char digest[16];
};

static void read_state(struct state *s) {
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    s->serial = query_long(db, "SELECT serial FROM account");
    s->users = query_long(db, "SELECT count(*) FROM identities WHERE kind = 1");
    store_digest(db, s->digest);
    sqlite3_close(db);
}

static long cache_serial_seen = -1;

static char *cache_file(const char *name) {
    static char *paths[2];
    int i = strcmp(name, "nss.cache") == 0;

    if (!paths[i])
        assert_true(asprintf(&paths[i], "%s/%s", cache_dir, name) > 0);
    return paths[i];
}
#define cache_dir_auth() cache_file(IAM_AUTH_CACHE_NAME)
#define cache_dir_nss() cache_file("nss.cache")

/* Each cache holds a committed state: auth.cache a Serial the store had, never ahead of it
 * and never going back, with that state's users; nss.cache the users of a committed state. */
static void check_caches(unsigned i, const struct state *now) {
    struct iam_auth_cache *ac = NULL;
    struct iam_nssc *nc = NULL;
    struct iam_error e;
    long serial;
    uint32_t nss_users;
    bool nss_ok = false;

    iam_error_init(&e);
    if (iam_auth_cache_open(cache_dir_auth(), &ac, &e) < 0)
        fail_msg("iteration %u: auth.cache does not open: %s", i, e.text);
    serial = (long)iam_auth_cache_serial(ac);
    if (serial > now->serial || serial < cache_serial_seen || serial >= MAX_SERIALS)
        fail_msg("iteration %u: auth.cache has Serial %ld (store %ld, caches were at %ld)", i,
                 serial, now->serial, cache_serial_seen);
    if ((long)iam_auth_cache_n_users(ac) != users_at[serial])
        fail_msg("iteration %u: auth.cache of Serial %ld has %llu users, that state had %ld", i,
                 serial, (unsigned long long)iam_auth_cache_n_users(ac), users_at[serial]);
    cache_serial_seen = serial;
    iam_auth_cache_close(ac);
    if (iam_nssc_open(cache_dir_nss(), getuid(), &nc) < 0)
        fail_msg("iteration %u: nss.cache does not open", i);
    nss_users = iam_nssc_n_users(nc);
    for (long s = 0; s <= now->serial && s < MAX_SERIALS; s++)
        if (users_at[s] == (long)nss_users)
            nss_ok = true;
    if (!nss_ok)
        fail_msg("iteration %u: nss.cache has %u users, no committed state had", i, nss_users);
    iam_nssc_unref(nc);
}

/* ---- the commands killed -------------------------------------------------------------------- */

enum verb { V_CREATE_USER, V_CREATE_GROUP, V_ADD_TO_GROUP, V_PUT_POLICY, V_ACCESS_KEY,
            V_DELETE_USER, V_IMPORT, V_N };
static const char *const verb_names[V_N] = {"create-user",       "create-group",
                                            "add-user-to-group", "put-user-policy",
                                            "create-access-key", "delete-user",
                                            "import"};

struct cmd {
    const char *argv[16];
    char a[V_N][64]; /* names and values this iteration uses */
};

static void record(const struct state *s) {
    assert_true(s->serial >= 0 && s->serial < MAX_SERIALS);
    users_at[s->serial] = s->users;
}

/* Something the killed command needs that is not under test: done to the end. */
static void setup_step(const char *verb, const char *opt, const char *value) {
    const char *argv[] = {iamctl, "--config", conf, verb, opt, value, NULL};
    struct state s;

    assert_int_equal(run_wait(argv), 0);
    read_state(&s);
    record(&s);
}

/* The export the import iterations apply: IMPORT_USERS users tagged with the iteration, so
 * every import rewrites all of them. */
static void write_export(unsigned i) {
    FILE *f = fopen(export_path, "we");

    assert_non_null(f);
    fprintf(f, "{\"UserDetailList\": [");
    for (unsigned u = 0; u < IMPORT_USERS; u++)
        fprintf(f,
                "%s{\"Path\": \"/\", \"UserName\": \"imp%u\", \"UserId\": \"AIDAIMPORT%011u\","
                " \"Arn\": \"arn:aws:iam::123456789012:user/imp%u\","
                " \"CreateDate\": \"2024-01-02T03:04:05Z\", \"UserPolicyList\": [],"
                " \"GroupList\": [\"impg\"], \"AttachedManagedPolicies\": [],"
                " \"Tags\": [{\"Key\": \"it\", \"Value\": \"it%u\"}]}",
                u ? ", " : "", u, u, u, i);
    fprintf(f, "], \"GroupDetailList\": [{\"Path\": \"/\", \"GroupName\": \"impg\","
               " \"GroupId\": \"AGPAIMPORTGROUP000001\","
               " \"Arn\": \"arn:aws:iam::123456789012:group/impg\","
               " \"GroupPolicyList\": [], \"AttachedManagedPolicies\": []}],"
               " \"RoleDetailList\": [], \"Policies\": []}\n");
    assert_int_equal(fclose(f), 0);
}

/* The command of iteration i (and what it needs done first). */
static void prepare(struct cmd *c, enum verb v, unsigned i) {
    const char **a = c->argv;
    size_t n = 0;

    memset(c, 0, sizeof(*c));
    a[n++] = iamctl;
    a[n++] = "--config";
    a[n++] = conf;
    a[n++] = verb_names[v];
    switch (v) {
    case V_CREATE_USER:
    case V_CREATE_GROUP:
        snprintf(c->a[0], 64, "%s%u", v == V_CREATE_USER ? "u" : "g", i);
        a[n++] = v == V_CREATE_USER ? "--user-name" : "--group-name";
        a[n++] = c->a[0];
        break;
    case V_ADD_TO_GROUP:
    case V_ACCESS_KEY:
    case V_DELETE_USER:
        snprintf(c->a[0], 64, "p%u", i);
        setup_step("create-user", "--user-name", c->a[0]);
        a[n++] = "--user-name";
        a[n++] = c->a[0];
        if (v == V_ADD_TO_GROUP) {
            a[n++] = "--group-name";
            a[n++] = "crew";
        }
        break;
    case V_PUT_POLICY:
        /* a user of its own: one user's inline policies are limited to 2,048 characters,
         * which a few dozen of these would pass */
        snprintf(c->a[0], 64, "pol%u", i);
        snprintf(c->a[1], 64, "q%u", i);
        setup_step("create-user", "--user-name", c->a[1]);
        a[n++] = "--user-name";
        a[n++] = c->a[1];
        a[n++] = "--policy-name";
        a[n++] = c->a[0];
        a[n++] = "--policy-document";
        a[n++] = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                 "\"Action\":\"host:Login\",\"Resource\":\"*\"}}";
        break;
    case V_IMPORT:
        write_export(i);
        snprintf(c->a[0], 64, "file://%s", export_path);
        snprintf(c->a[1], 64, "it%u", i);
        a[n++] = "--authorization-details";
        a[n++] = c->a[0];
        break;
    default:
        fail();
    }
    a[n] = NULL;
}

/* The whole effect of a command that committed. */
static void check_effect(enum verb v, const struct cmd *c, unsigned i) {
    sqlite3 *db = NULL;
    char *sql = NULL;
    long want = 1, got;

    assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    switch (v) {
    case V_CREATE_USER:
    case V_CREATE_GROUP:
        assert_true(asprintf(&sql, "SELECT count(*) FROM identities WHERE name = '%s'", c->a[0]) > 0);
        break;
    case V_ADD_TO_GROUP:
        assert_true(asprintf(&sql, "SELECT count(*) FROM memberships m JOIN identities u ON "
                                   "u.id = m.user WHERE u.name = '%s'", c->a[0]) > 0);
        break;
    case V_PUT_POLICY:
        assert_true(asprintf(&sql, "SELECT count(*) FROM inline_policies WHERE name = '%s'",
                             c->a[0]) > 0);
        break;
    case V_ACCESS_KEY:
        assert_true(asprintf(&sql, "SELECT count(*) FROM access_keys k JOIN identities u ON "
                                   "u.id = k.user WHERE u.name = '%s'", c->a[0]) > 0);
        break;
    case V_DELETE_USER:
        want = 0;
        assert_true(asprintf(&sql, "SELECT count(*) FROM identities WHERE name = '%s'", c->a[0]) > 0);
        break;
    case V_IMPORT:
        want = IMPORT_USERS;
        assert_true(asprintf(&sql, "SELECT count(*) FROM tags WHERE key = 'it' AND value = '%s'",
                             c->a[1]) > 0);
        break;
    default:
        fail();
    }
    got = query_long(db, sql);
    if (got != want)
        fail_msg("iteration %u (%s): the Serial moved but the command's effect is not whole: "
                 "%s gives %ld, want %ld", i, verb_names[v], sql, got, want);
    free(sql);
    sqlite3_close(db);
}

static void test_kill_loop(void **state) {
    const char *init[] = {iamctl, "--config", conf, "init", "--account-id", "123456789012",
                    "--host-arn", "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
                    "--database", dbpath, "--cache-dir", cache_dir, "--audit-log", "none",
                    "--uid-min", "100000", "--uid-max", "199999", NULL};
    long long dur[V_N];
    unsigned kept_old = 0, got_new = 0, per_verb[V_N][2] = {{0}}, last_round;
    struct state st;
    struct cmd c;

    (void)state;
    assert_int_equal(run_wait(init), 0);
    read_state(&st);
    record(&st);
    setup_step("create-user", "--user-name", "base");
    setup_step("create-group", "--group-name", "crew");
    /* how long each command takes here, to sweep the kills over its whole run */
    for (int v = 0; v < V_N; v++) {
        long long t0;
        prepare(&c, (enum verb)v, 100000 + (unsigned)v);
        t0 = now_us();
        assert_int_equal(run_wait(c.argv), 0);
        dur[v] = now_us() - t0;
        read_state(&st);
        record(&st);
    }
    assert_true(iterations >= 2 * V_N);
    last_round = iterations / V_N - 1; /* rounds 0..last_round are whole rounds of V_N */
    for (unsigned i = 0; i < iterations; i++) {
        enum verb v = (enum verb)(i % V_N);
        struct state before, after;
        long long at;
        pid_t pid;
        int status;

        prepare(&c, v, i);
        read_state(&before);
        /* kill moments swept from the start to 1.5 times the command's usual run, so some
         * land before it commits, some after it ends, most in between */
        at = (long long)((i / V_N) * 7919 % (iterations / V_N + 1)) * dur[v] * 3 / 2 /
             (long long)(iterations / V_N + 1);
        pid = spawn(c.argv);
        assert_true(pid > 0);
        if (i / V_N == last_round) {
            /* the last round is not killed: each verb is seen whole at least once, whatever
             * the load did to the timing of the others */
            assert_int_equal(waitpid(pid, &status, 0), pid);
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        } else {
            usleep((useconds_t)at);
            kill(pid, SIGKILL);
            assert_int_equal(waitpid(pid, &status, 0), pid);
        }

        check_store_healthy(i);
        read_state(&after);
        if (after.serial == before.serial) {
            if (memcmp(after.digest, before.digest, 16) != 0)
                fail_msg("iteration %u (%s): the Serial did not move but rows changed", i,
                         verb_names[v]);
            kept_old++;
            per_verb[v][0]++;
        } else if (after.serial == before.serial + 1) {
            check_effect(v, &c, i);
            record(&after);
            got_new++;
            per_verb[v][1]++;
        } else {
            fail_msg("iteration %u (%s): Serial %ld -> %ld", i, verb_names[v], before.serial,
                     after.serial);
        }
        check_caches(i, &after);
    }
    print_message("%u runs (the last round not killed): %u left the store as it was, %u found "
                  "the command whole\n",
                  iterations, kept_old, got_new);
    for (int v = 0; v < V_N; v++)
        print_message("  %-18s %3u none, %3u all (a run takes ~%lld us)\n", verb_names[v],
                      per_verb[v][0], per_verb[v][1], dur[v]);
    /* round 0 is killed at once, before the command can start (nothing done); the last
     * round runs to its end (all done): both outcomes are seen for every verb */
    for (int v = 0; v < V_N; v++) {
        assert_true(per_verb[v][0] > 0);
        assert_true(per_verb[v][1] > 0);
    }
    assert_true(kept_old > 0);
    assert_true(got_new > 0);
    /* a clean write removes what killed writers left behind, and brings the caches up */
    setup_step("create-user", "--user-name", "final");
    read_state(&st);
    check_caches(iterations, &st);
    assert_int_equal(cache_serial_seen, st.serial);
    {
        DIR *d = opendir(cache_dir);
        struct dirent *de;
        size_t stray = 0, gens = 0;
        uint64_t g;
        assert_non_null(d);
        /* the installer's layout (iam/caches.h): `current`, its lock, the current generation
         * and the one before it, and the plain names linked to the current files */
        while ((de = readdir(d))) {
            if (iam_cache_gen_parse(de->d_name, strlen(de->d_name), &g))
                gens++;
            else if (de->d_name[0] != '.' && strcmp(de->d_name, "nss.cache") != 0 &&
                     strcmp(de->d_name, IAM_AUTH_CACHE_NAME) != 0 &&
                     strcmp(de->d_name, IAM_SSH_KEYS_CACHE_NAME) != 0 &&
                     strcmp(de->d_name, "sshd-keys") != 0 &&
                     strcmp(de->d_name, "lastused") != 0 &&
                     strcmp(de->d_name, IAM_CACHE_CURRENT) != 0 &&
                     strcmp(de->d_name, IAM_CACHES_LOCK) != 0)
                stray++;
        }
        closedir(d);
        assert_int_equal(stray, 0);
        assert_true(gens >= 1 && gens <= 2);
    }
}

int main(int argc, char *argv[]) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_kill_loop)};
    char *p = NULL, *g = NULL;
    int r;

    if (argc < 2) {
        fprintf(stderr, "usage: %s IAMCTL [ITERATIONS]\n", argv[0]);
        return 2;
    }
    iamctl = argv[1];
    if (argc > 2)
        iterations = (unsigned)strtoul(argv[2], NULL, 10);
    if (sodium_init() < 0)
        return 1;
    dir = iamtest_mkdtemp();
    if (!dir || asprintf(&conf, "%s/iam.conf", dir) < 0 ||
        asprintf(&dbpath, "%s/iam.db", dir) < 0 || asprintf(&cache_dir, "%s/cache", dir) < 0 ||
        asprintf(&export_path, "%s/export.json", dir) < 0 ||
        asprintf(&p, "%s/passwd", dir) < 0 || asprintf(&g, "%s/group", dir) < 0)
        return 1;
    free(iamtest_write_file(dir, "passwd", "root:x:0:0::/root:/bin/sh\n", 26, 0644));
    free(iamtest_write_file(dir, "group", "root:x:0:\n", 10, 0644));
    setenv("IAMCTL_PASSWD_FILE", p, 1);
    setenv("IAMCTL_GROUP_FILE", g, 1);
    r = cmocka_run_group_tests(tests, NULL, NULL);
    iamtest_rmtree(dir);
    free(dir);
    free(conf);
    free(dbpath);
    free(cache_dir);
    free(export_path);
    free(p);
    free(g);
    return r;
}
