/* SPDX-License-Identifier: Apache-2.0 */
/* Crash safety: run `iamctl create-user` and SIGKILL it at a random moment, hundreds of
 * times. After every kill the database must load (iam_db_load validates everything) and be
 * exactly the old database (byte for byte) or exactly the new one: Serial one higher, the
 * new user present, every old user unchanged. At the end, one clean write must leave no
 * temporary file behind.
 *
 * usage: test_db_crash IAMCTL [ITERATIONS] */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iam/db.h"
#include "iamtest.h"

static const char *iamctl;
static unsigned iterations = 400;
static char *dir, *conf, *dbpath;

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

        /* execv's prototype wants char *const[]: copy the pointers, no cast needed */
        for (i = 0; argv[i] && i < 31; i++)
            memcpy(&a[i], &argv[i], sizeof(a[i]));
        a[i] = NULL;
        int null = open("/dev/null", 1);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
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

static void test_kill_loop(void **state) {
    const char *init[] = {iamctl,
                          "--config",
                          conf,
                          "init",
                          "--account-id",
                          "123456789012",
                          "--host-arn",
                          "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
                          "--database",
                          dbpath,
                          "--cache-dir",
                          NULL,
                          "--audit-log",
                          "none",
                          "--uid-min",
                          "100000",
                          "--uid-max",
                          "199999",
                          NULL};
    char *cache = NULL, name[32];
    const char *argv[] = {iamctl, "--config", conf, "create-user", "--user-name", name, NULL};
    long long t0, median_us;
    unsigned kept_old = 0, got_new = 0;

    (void)state;
    assert_true(asprintf(&cache, "%s/cache", dir) > 0);
    init[11] = cache;
    assert_int_equal(run_wait(init), 0);
    /* how long a write takes here, to spread the kills over its whole run */
    t0 = now_us();
    snprintf(name, sizeof(name), "warmup");
    assert_int_equal(run_wait(argv), 0);
    median_us = now_us() - t0;
    srand((unsigned)getpid());
    for (unsigned i = 0; i < iterations; i++) {
        struct iam_db *old = NULL, *cur = NULL;
        struct iam_error e;
        char *before, *after;
        size_t blen, alen;
        pid_t pid;
        int status;

        before = iamtest_read_file(dbpath, &blen);
        assert_non_null(before);
        iam_error_init(&e);
        assert_int_equal(iam_db_parse(before, blen, dbpath, 0, &old, &e), 0);
        snprintf(name, sizeof(name), "user%u", i);
        pid = spawn(argv);
        assert_true(pid > 0);
        usleep((useconds_t)(rand() % (median_us * 12 / 10 + 1)));
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);

        iam_error_init(&e);
        if (iam_db_load(dbpath, 0, &cur, &e) != 0)
            fail_msg("iteration %u: the database does not load after SIGKILL: %s:%u:%u: %s", i,
                     e.source, e.line, e.column, e.text);
        after = iamtest_read_file(dbpath, &alen);
        assert_non_null(after);
        if (alen == blen && memcmp(before, after, blen) == 0) {
            kept_old++;
        } else {
            const struct iam_db_user *nu = iam_db_find_user(cur, name);
            if (cur->serial != old->serial + 1 || cur->n_users != old->n_users + 1 || !nu)
                fail_msg("iteration %u: neither the old nor the new database (serial %llu -> "
                         "%llu, users %zu -> %zu)",
                         i, (unsigned long long)old->serial, (unsigned long long)cur->serial,
                         old->n_users, cur->n_users);
            for (size_t u = 0; u < old->n_users; u++) {
                const struct iam_db_user *ou = &old->users[u], *cu = &cur->users[u];
                if (strcmp(ou->name, cu->name) != 0 || ou->uid != cu->uid ||
                    strcmp(ou->id, cu->id) != 0)
                    fail_msg("iteration %u: user %s changed", i, ou->name);
            }
            got_new++;
        }
        iam_db_free(old);
        iam_db_free(cur);
        free(before);
        free(after);
    }
    print_message("%u kills: %u left the old database, %u the new one (write takes ~%lld us)\n",
                  iterations, kept_old, got_new, median_us);
    /* both outcomes must have happened, or the kills missed the write entirely */
    assert_true(kept_old > 0);
    assert_true(got_new > 0);
    /* a clean write removes what the killed writers left behind */
    snprintf(name, sizeof(name), "final");
    assert_int_equal(run_wait(argv), 0);
    {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t stray = 0;
        assert_non_null(d);
        while ((de = readdir(d)))
            if (strncmp(de->d_name, "iam.json.", 9) == 0 &&
                strcmp(de->d_name, "iam.json.lock") != 0)
                stray++;
        closedir(d);
        assert_int_equal(stray, 0);
    }
    free(cache);
}

int main(int argc, char *argv[]) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_kill_loop)};
    int r;

    if (argc < 2) {
        fprintf(stderr, "usage: %s IAMCTL [ITERATIONS]\n", argv[0]);
        return 2;
    }
    iamctl = argv[1];
    if (argc > 2)
        iterations = (unsigned)atoi(argv[2]);
    dir = iamtest_mkdtemp();
    if (!dir || asprintf(&conf, "%s/iam.conf", dir) < 0 ||
        asprintf(&dbpath, "%s/iam.json", dir) < 0)
        return 1;
    {
        char *p = NULL, *g = NULL;
        if (asprintf(&p, "%s/passwd", dir) < 0 || asprintf(&g, "%s/group", dir) < 0)
            return 1;
        free(iamtest_write_file(dir, "passwd", "root:x:0:0::/root:/bin/sh\n", 26, 0644));
        free(iamtest_write_file(dir, "group", "root:x:0:\n", 10, 0644));
        setenv("IAMCTL_PASSWD_FILE", p, 1);
        setenv("IAMCTL_GROUP_FILE", g, 1);
        free(p);
        free(g);
    }
    r = cmocka_run_group_tests(tests, NULL, NULL);
    iamtest_rmtree(dir);
    free(dir);
    free(conf);
    free(dbpath);
    return r;
}
