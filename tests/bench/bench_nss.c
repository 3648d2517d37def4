/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_nss: median ns per call of NSS lookups.
 *
 *   bench_nss glibc BACKEND N ITERS     through glibc (getpwnam_r, getpwuid_r, getgrnam_r,
 *                                       getgrgid_r, getgrouplist), hits and misses, with
 *                                       whatever nsswitch.conf says (the script sets it)
 *   bench_nss direct MODULE.so N ITERS  the same calls straight into _nss_iam_* (dlopen),
 *                                       plus initgroups of the 50-group user
 *
 * The account is the one bench_nss.sh generates: users user1..userN (uid 300000+i), groups
 * group1..group(N/10) (gid 400000+j), each user in 5 groups, and member50 in 50 groups.
 * Every call is timed on its own with CLOCK_MONOTONIC (vDSO, ~20 ns, included; the first line,
 * "timer none", is the median of the timer around nothing), and every answer is checked (a
 * wrong answer aborts the run: a fast wrong benchmark is worthless). Keys are drawn at random
 * over the whole account (every user, every group), in a random order, so a lookup finds its
 * slot and record in cache only as often as a real process would.
 * Output: one line per measurement, "BACKEND N OP CASE MEDIAN_NS".
 */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (1 << 20)

static char buf[BUF_SIZE];
static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* Wall time by default. BENCH_NSS_CPUTIME=1 measures the thread's CPU time instead (a
 * system call, ~1 us, so only for calls that take milliseconds): on a loaded machine a call
 * that long is cut into time slices, and its wall time says more about the load than the
 * call. */
static clockid_t clock_id = CLOCK_MONOTONIC;

static int64_t now(void) {
    struct timespec ts;

    clock_gettime(clock_id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static int64_t median(int64_t *v, long n) {
    qsort(v, (size_t)n, sizeof(*v), cmp64);
    return v[n / 2];
}

static void die(const char *what, long i) {
    fprintf(stderr, "bench_nss: wrong answer: %s (iteration %ld)\n", what, i);
    exit(1);
}

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getpwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getgrnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*getgrgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgroups_fn)(const char *, gid_t, long int *, long int *, gid_t **,
                                         long int, int *);

static struct {
    getpwnam_fn getpwnam;
    getpwuid_fn getpwuid;
    getgrnam_fn getgrnam;
    getgrgid_fn getgrgid;
    initgroups_fn initgroups;
} m;

enum op { PWNAM, PWUID, GRNAM, GRGID, GROUPLIST, N_OPS };
static const char *const op_names[] = {"getpwnam_r", "getpwuid_r", "getgrnam_r", "getgrgid_r",
                                       "getgrouplist"};

/* One call; returns 1 if found. */
static int call_glibc(enum op op, const char *name, uint32_t id) {
    struct passwd pw, *pwr = NULL;
    struct group gr, *grr = NULL;
    gid_t groups[128];
    int ng = 128;

    switch (op) {
    case PWNAM:
        getpwnam_r(name, &pw, buf, BUF_SIZE, &pwr);
        return pwr != NULL;
    case PWUID:
        getpwuid_r(id, &pw, buf, BUF_SIZE, &pwr);
        return pwr != NULL;
    case GRNAM:
        getgrnam_r(name, &gr, buf, BUF_SIZE, &grr);
        return grr != NULL;
    case GRGID:
        getgrgid_r(id, &gr, buf, BUF_SIZE, &grr);
        return grr != NULL;
    default:
        if (getgrouplist(name, 100, groups, &ng) < 0)
            return -1;
        return ng; /* 1 = only the primary group given */
    }
}

static int call_direct(enum op op, const char *name, uint32_t id) {
    struct passwd pw;
    struct group gr;
    int err;

    switch (op) {
    case PWNAM:
        return m.getpwnam(name, &pw, buf, BUF_SIZE, &err) == NSS_STATUS_SUCCESS;
    case PWUID:
        return m.getpwuid(id, &pw, buf, BUF_SIZE, &err) == NSS_STATUS_SUCCESS;
    case GRNAM:
        return m.getgrnam(name, &gr, buf, BUF_SIZE, &err) == NSS_STATUS_SUCCESS;
    case GRGID:
        return m.getgrgid(id, &gr, buf, BUF_SIZE, &err) == NSS_STATUS_SUCCESS;
    default: {
        static gid_t *groups;
        static long int size;
        long int start = 1;

        if (!groups) {
            size = 64;
            groups = malloc((size_t)size * sizeof(gid_t));
            if (!groups)
                exit(2);
        }
        groups[0] = 100;
        if (m.initgroups(name, 100, &start, &size, &groups, 0, &err) != NSS_STATUS_SUCCESS)
            return 1;
        return (int)start;
    }
    }
}

int main(int argc, char **argv) {
    int direct;
    const char *backend;
    long n, iters, n_groups;
    int64_t *t;
    char(*names)[24];

    if (argc != 5) {
        fprintf(stderr, "usage: bench_nss glibc BACKEND N ITERS | direct MODULE.so N ITERS\n");
        return 2;
    }
    if (getenv("BENCH_NSS_CPUTIME"))
        clock_id = CLOCK_THREAD_CPUTIME_ID;
    direct = strcmp(argv[1], "direct") == 0;
    backend = argv[2];
    n = atol(argv[3]);
    iters = atol(argv[4]);
    n_groups = n / 10;
    if (n < 100 || iters < 1)
        return 2;
    if (direct) {
        void *dl = dlopen(argv[2], RTLD_NOW);

        if (!dl) {
            fprintf(stderr, "%s\n", dlerror());
            return 2;
        }
        m.getpwnam = (getpwnam_fn)dlsym(dl, "_nss_iam_getpwnam_r");
        m.getpwuid = (getpwuid_fn)dlsym(dl, "_nss_iam_getpwuid_r");
        m.getgrnam = (getgrnam_fn)dlsym(dl, "_nss_iam_getgrnam_r");
        m.getgrgid = (getgrgid_fn)dlsym(dl, "_nss_iam_getgrgid_r");
        m.initgroups = (initgroups_fn)dlsym(dl, "_nss_iam_initgroups_dyn");
        if (!m.getpwnam || !m.getpwuid || !m.getgrnam || !m.getgrgid || !m.initgroups)
            return 2;
        backend = "direct";
    }
    t = calloc((size_t)iters, sizeof(*t));
    names = calloc((size_t)iters, sizeof(*names));
    if (!t || !names)
        return 2;

    /* What the timer itself adds to every figure below (two clock reads around nothing). */
    for (long i = 0; i < iters; i++) {
        int64_t t0 = now();

        t[i] = now() - t0;
    }
    printf("%s %ld timer none %lld\n", backend, n, (long long)median(t, iters));

    for (int op = 0; op < N_OPS; op++) {
        for (int hit = 1; hit >= 0; hit--) {
            uint32_t *ids = calloc((size_t)iters, sizeof(uint32_t));

            if (!ids)
                return 2;
            /* Inputs prepared outside the timed region. */
            for (long i = 0; i < iters; i++) {
                long k =
                    (long)(next_rand() % (uint32_t)((op == GRNAM || op == GRGID) ? n_groups : n)) +
                    1;

                if (op == GRNAM || op == GRGID) {
                    snprintf(names[i], sizeof(names[i]), hit ? "group%ld" : "nogroup%ld", k);
                    ids[i] = (uint32_t)(hit ? 400000 + k : 900000 + k);
                } else {
                    snprintf(names[i], sizeof(names[i]), hit ? "user%ld" : "nouser%ld", k);
                    ids[i] = (uint32_t)(hit ? 300000 + k : 900000 + k);
                }
            }
            /* Warm up: map the cache, load the module, fault the pages in. */
            for (long i = 0; i < 3 && i < iters; i++)
                (void)(direct ? call_direct((enum op)op, names[i], ids[i])
                              : call_glibc((enum op)op, names[i], ids[i]));
            for (long i = 0; i < iters; i++) {
                int64_t t0 = now();
                int r = direct ? call_direct((enum op)op, names[i], ids[i])
                               : call_glibc((enum op)op, names[i], ids[i]);

                t[i] = now() - t0;
                if (strcmp(backend, "nop") == 0)
                    continue; /* finds nothing by design */
                if (op == GROUPLIST) {
                    if (hit ? r != 6 : r != 1)
                        die(op_names[op], i);
                } else if (r != hit) {
                    die(op_names[op], i);
                }
            }
            printf("%s %ld %s %s %lld\n", backend, n, op_names[op], hit ? "hit" : "miss",
                   (long long)median(t, iters));
            fflush(stdout);
            free(ids);
        }
    }
    /* initgroups of the 50-group user. */
    {
        for (long i = 0; i < iters; i++) {
            int64_t t0 = now();
            int r = direct ? call_direct(GROUPLIST, "member50", 0)
                           : call_glibc(GROUPLIST, "member50", 0);

            t[i] = now() - t0;
            if (strcmp(backend, "nop") != 0 && r != 51)
                die("groups of member50", i);
        }
        printf("%s %ld %s %s %lld\n", backend, n, direct ? "initgroups_dyn" : "getgrouplist",
               "50groups", (long long)median(t, iters));
    }
    free(t);
    free(names);
    return 0;
}
