/* SPDX-License-Identifier: Apache-2.0 */
/*
 * 8 threads look users and groups up through libnss_iam.so.2 while the main thread
 * recompiles the cache 100 times (two alternating contents). Every answer must be whole and
 * belong to one of the two versions; nothing may crash, leak or deadlock; children forked
 * meanwhile can look up; and after the last compile the readers see it.
 * Bounded by work, not by the clock: between two compiles every reader finishes a round of
 * lookups, and after the last one the test waits until every reader has answered from it
 * (the module re-checks the file once a second), then requires 50 more rounds each with no
 * answer from the old version. The waits only fail after WAIT_MARGIN_S, against a hang.
 */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "iamtest.h"
#include "iam/nss_cache.h"

#define N_USERS 2000
#define N_GROUPS 200
#define N_THREADS 8
#define N_COMPILES 100
#define WAIT_MARGIN_S 60

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getpwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getgrnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgroups_fn)(const char *, gid_t, long int *, long int *, gid_t **,
                                         long int, int *);

static getpwnam_fn p_getpwnam;
static getpwuid_fn p_getpwuid;
static getgrnam_fn p_getgrnam;
static initgroups_fn p_initgroups;
static atomic_int stop;
static atomic_long lookups, seen_v[2], errors;
/* per reader: rounds finished, and the version of its latest answer (-1: none yet) */
static atomic_long rounds[N_THREADS];
static atomic_int last_v[N_THREADS];
static char cache_path[512];
static char names[N_USERS][16], gnames[N_GROUPS][16];

/* Version v: gecos "vV", group i has members user[i*10 .. i*10 + 9 + v] (10 or 11). */
static void compile(int v) {
    static struct iam_nss_user u[N_USERS];
    static struct iam_nss_group g[N_GROUPS];
    static const char *mem[N_GROUPS][11];
    struct iam_error err;

    for (int i = 0; i < N_USERS; i++)
        u[i] = (struct iam_nss_user){names[i],        300000 + i, 300000 + i,
                                     v ? "v1" : "v0", "/home/u",  "/bin/sh"};
    for (int i = 0; i < N_GROUPS; i++) {
        for (int k = 0; k < 10 + v; k++)
            mem[i][k] = names[(i * 10 + k) % N_USERS];
        g[i] = (struct iam_nss_group){gnames[i], 400000 + i, mem[i], (size_t)(10 + v)};
    }
    iam_error_init(&err);
    if (iam_nss_cache_write(cache_path, u, N_USERS, g, N_GROUPS, &err) < 0)
        fail_msg("compile: %s", err.text);
}

static void *reader(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    int self = (int)(uintptr_t)arg - 1;
    char buf[4096];

    for (; !atomic_load(&stop); atomic_fetch_add(&rounds[self], 1)) {
        int i = (int)(rand_r(&seed) % N_USERS), gi = i % N_GROUPS, err = 0;
        struct passwd pw;
        struct group gr;
        enum nss_status st;

        st = (i & 1) ? p_getpwnam(names[i], &pw, buf, sizeof(buf), &err)
                     : p_getpwuid(300000 + i, &pw, buf, sizeof(buf), &err);
        if (st != NSS_STATUS_SUCCESS || strcmp(pw.pw_name, names[i]) != 0 ||
            pw.pw_uid != (uid_t)(300000 + i) || strcmp(pw.pw_dir, "/home/u") != 0 ||
            (strcmp(pw.pw_gecos, "v0") != 0 && strcmp(pw.pw_gecos, "v1") != 0)) {
            atomic_fetch_add(&errors, 1);
            continue;
        }
        atomic_fetch_add(&seen_v[pw.pw_gecos[1] - '0'], 1);
        atomic_store(&last_v[self], pw.pw_gecos[1] - '0');
        st = p_getgrnam(gnames[gi], &gr, buf, sizeof(buf), &err);
        if (st != NSS_STATUS_SUCCESS || gr.gr_gid != (gid_t)(400000 + gi)) {
            atomic_fetch_add(&errors, 1);
            continue;
        }
        {
            int n = 0;

            while (gr.gr_mem[n])
                n++;
            if (n != 10 && n != 11)
                atomic_fetch_add(&errors, 1);
            for (int k = 0; k < n; k++)
                if (strcmp(gr.gr_mem[k], names[(gi * 10 + k) % N_USERS]) != 0)
                    atomic_fetch_add(&errors, 1);
        }
        {
            long int start = 0, size = 1;
            gid_t *groups = malloc(sizeof(gid_t));

            if (!groups ||
                p_initgroups(names[i], 1, &start, &size, &groups, 0, &err) != NSS_STATUS_SUCCESS ||
                start < 1)
                atomic_fetch_add(&errors, 1);
            free(groups);
        }
        atomic_fetch_add(&lookups, 3);
    }
    return NULL;
}

static double elapsed_s(const struct timespec *t0) {
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Until every reader has finished `more` rounds after this call. */
static void await_rounds(long more, const char *what) {
    const struct timespec nap = {0, 1000 * 1000};
    long from[N_THREADS];
    struct timespec t0;

    for (int i = 0; i < N_THREADS; i++)
        from[i] = atomic_load(&rounds[i]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N_THREADS; i++)
        while (atomic_load(&rounds[i]) - from[i] < more) {
            if (elapsed_s(&t0) > WAIT_MARGIN_S)
                fail_msg("%s: reader %d finished %ld of %ld rounds in %d s", what, i,
                         atomic_load(&rounds[i]) - from[i], more, WAIT_MARGIN_S);
            nanosleep(&nap, NULL);
        }
}

static void test_hammer(void **state) {
    char *dir = iamtest_mkdtemp();
    pthread_t th[N_THREADS];
    void *dl = dlopen(NSS_IAM_SO, RTLD_NOW);
    const struct timespec nap = {0, 1000 * 1000};
    struct timespec t0;

    (void)state;
    assert_non_null(dir);
    assert_non_null(dl);
    p_getpwnam = (getpwnam_fn)dlsym(dl, "_nss_iam_getpwnam_r");
    p_getpwuid = (getpwuid_fn)dlsym(dl, "_nss_iam_getpwuid_r");
    p_getgrnam = (getgrnam_fn)dlsym(dl, "_nss_iam_getgrnam_r");
    p_initgroups = (initgroups_fn)dlsym(dl, "_nss_iam_initgroups_dyn");
    assert_non_null(p_getpwnam);
    assert_non_null(p_initgroups);
    for (int i = 0; i < N_USERS; i++)
        snprintf(names[i], sizeof(names[i]), "user%d", i);
    for (int i = 0; i < N_GROUPS; i++)
        snprintf(gnames[i], sizeof(gnames[i]), "group%d", i);
    snprintf(cache_path, sizeof(cache_path), "%s/nss.cache", dir);
    setenv("IAM_NSS_CACHE", cache_path, 1);
    compile(0);

    for (int i = 0; i < N_THREADS; i++)
        atomic_store(&last_v[i], -1);
    for (long i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reader, (void *)(i + 1)), 0);
    /* every reader at work across every compile */
    for (int c = 1; c <= N_COMPILES; c++) {
        compile(c % 2);
        await_rounds(1, "between compiles");
    }
    /* fork() while the readers hold the module's lock: every child must be able to look up
     * (a lock copied in its held state would hang it; alarm() turns a hang into a failure). */
    for (int i = 0; i < 200; i++) {
        pid_t pid = fork();
        int status = 0;

        assert_true(pid >= 0);
        if (pid == 0) {
            struct passwd pw;
            char buf[1024];
            int err;

            alarm(10);
            _exit(p_getpwnam("user7", &pw, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS &&
                          pw.pw_uid == 300007
                      ? 0
                      : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("child %d after fork: status 0x%x", i, status);
    }
    /* The last compile was version 0 (N_COMPILES is even). Once a reader has answered from it,
     * the module (one cache for the process) has taken it up: from then on no answer may
     * come from version 1. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N_THREADS; i++)
        while (atomic_load(&last_v[i]) != 0) {
            if (elapsed_s(&t0) > WAIT_MARGIN_S)
                fail_msg("reader %d still answers from version %d %d s after the last compile",
                         i, atomic_load(&last_v[i]), WAIT_MARGIN_S);
            nanosleep(&nap, NULL);
        }
    atomic_store(&seen_v[0], 0);
    atomic_store(&seen_v[1], 0);
    await_rounds(50, "after the last compile");
    atomic_store(&stop, 1);
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);

    fprintf(stderr, "# %ld lookups in %d threads across %d compiles, %ld errors\n",
            atomic_load(&lookups), N_THREADS, N_COMPILES, atomic_load(&errors));
    assert_int_equal(atomic_load(&errors), 0);
    assert_true(atomic_load(&lookups) > 1000);
    assert_true(atomic_load(&seen_v[0]) > 0);
    assert_int_equal(atomic_load(&seen_v[1]), 0);
    iamtest_rmtree(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_hammer)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
