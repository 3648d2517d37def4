/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One login, in process: pam_start, pam_authenticate, pam_acct_mgmt, pam_end. pam_iam with an
 * access key at 10 and at 100,000 users, side by side with pam_unix checking a yescrypt
 * password. Prints medians and ratios. Refusals of a user who exists and of one who does not
 * are timed in pairs, interleaved in a new random order each round, and compared by the 95 %
 * bootstrap interval of their median difference and Mann-Whitney (bench_stats.c). Run by
 * bench_pam.sh (pam_wrapper, and a private mount namespace holding the local user's
 * /etc/shadow entry).
 *
 *   bench_pam FIXTURE_DIR [UNIX_USER UNIX_PASSWORD]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <security/pam_appl.h>

#include "bench_stats.h"
#include "iamtest.h"
#include "pam_fixture.h"

static int conv_fn(int n, const struct pam_message **msg, struct pam_response **resp,
                   void *data) {
    struct pam_response *r = calloc((size_t)n, sizeof(*r));

    if (!r)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++)
        if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
            r[i].resp = strdup(data);
    *resp = r;
    return PAM_SUCCESS;
}

static double now_us(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CPU time of this process (user + system), in microseconds: on a loaded machine the wall
 * clock counts the other processes' turns too, this does not. */
static double cpu_us(void) {
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The CPU-time median of the last bench_rv(), and the wall-clock median of its
 * pam_authenticate() + pam_acct_mgmt() alone: the modules' own work, without pam_start() and
 * pam_end(), which load and unload the modules of the service (and of "other") each time,
 * the part of a login that varies most with the load of the machine */
static double last_cpu, last_calls;

/* Median microseconds of one login (wall clock; its CPU time in last_cpu); -1 when a login
 * did not end with want_rv. */
static double bench_rv(const char *service, const char *user, const char *token, int n,
                       int want_rv) {
    double *t = calloc((size_t)n, sizeof(double)), *c = calloc((size_t)n, sizeof(double)), med;
    double *m = calloc((size_t)n, sizeof(double));
    struct pam_conv conv = {conv_fn, (void *)(uintptr_t)token};

    if (!t || !c || !m) {
        free(t);
        free(c);
        free(m);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        pam_handle_t *ph = NULL;
        double c0 = cpu_us(), t0 = now_us();
        int rv = pam_start(service, user, &conv, &ph);
        double m0 = now_us();

        if (rv == PAM_SUCCESS)
            rv = pam_authenticate(ph, 0);
        if (rv == PAM_SUCCESS)
            rv = pam_acct_mgmt(ph, 0);
        m[i] = now_us() - m0;
        pam_end(ph, rv);
        t[i] = now_us() - t0;
        c[i] = cpu_us() - c0;
        if (rv != want_rv) {
            fprintf(stderr, "%s/%s: login ended with %s\n", service, user,
                    pam_strerror(NULL, rv));
            free(t);
            free(c);
            free(m);
            return -1;
        }
    }
    qsort(t, (size_t)n, sizeof(double), cmp_double);
    qsort(c, (size_t)n, sizeof(double), cmp_double);
    qsort(m, (size_t)n, sizeof(double), cmp_double);
    med = t[n / 2];
    last_cpu = c[n / 2];
    last_calls = m[n / 2];
    free(t);
    free(c);
    free(m);
    return med;
}

static double bench(const char *service, const char *user, const char *token, int n) {
    return bench_rv(service, user, token, n, PAM_SUCCESS);
}

/* One timed login attempt (pam_start to pam_end) that must end with want_rv. */
struct attempt {
    const char *name, *service, *user, *token;
    int want_rv;
    double *t;
    size_t n;
};

static int attempt_once(struct attempt *a) {
    struct pam_conv conv = {conv_fn, (void *)(uintptr_t)a->token};
    pam_handle_t *ph = NULL;
    double t0 = now_us();
    int rv = pam_start(a->service, a->user, &conv, &ph);

    if (rv == PAM_SUCCESS)
        rv = pam_authenticate(ph, 0);
    if (rv == PAM_SUCCESS)
        rv = pam_acct_mgmt(ph, 0);
    pam_end(ph, rv);
    a->t[a->n++] = now_us() - t0;
    if (rv != a->want_rv) {
        fprintf(stderr, "%s: login ended with %s\n", a->name, pam_strerror(NULL, rv));
        return -1;
    }
    return 0;
}

static uint64_t xorshift(uint64_t *s) {
    uint64_t x = *s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* A refusal for a user who exists (x) against one for a user who does not (y): `rounds`
 * rounds, each running both once in a random order, so drift and noise hit both alike. */
static int refusal_pair(struct attempt *x, struct attempt *y, size_t rounds, uint64_t *rng,
                        struct bench_cmp *ret) {
    int r = -1;

    x->t = calloc(rounds + 1, sizeof(double));
    y->t = calloc(rounds + 1, sizeof(double));
    if (!x->t || !y->t)
        goto out;
    /* one each first, not counted: the path's first run pays for page faults */
    if (attempt_once(x) < 0 || attempt_once(y) < 0)
        goto out;
    x->n = y->n = 0;
    for (size_t i = 0; i < rounds; i++) {
        int first_y = (int)(xorshift(rng) & 1);

        if (attempt_once(first_y ? y : x) < 0 || attempt_once(first_y ? x : y) < 0)
            goto out;
    }
    r = bench_compare(x->t, x->n, y->t, y->n, 1, ret);
out:
    free(x->t);
    free(y->t);
    x->t = y->t = NULL;
    return r;
}

static void print_pair(const char *what, const struct bench_cmp *c) {
    printf("%-26s known %8.1f  unknown %8.1f  ratio %.3f  diff %+7.1f us  95%% [%+.1f, %+.1f]"
           "  p %.2g: %s\n",
           what, c->median_a, c->median_b, c->median_b / c->median_a, c->diff, c->ci_lo,
           c->ci_hi, c->p_mw, c->differ ? "DIFFERENT" : "no difference found");
}

int main(int argc, char **argv) {
    struct bench_cmp c_key, c_named, c_pw;
    uint64_t rng = UINT64_C(0x9e3779b97f4a7c15); /* fixed: the same order every run */
    char small[4096], large[4096], tok_small[128], tok_large[128], tok_wrong[128];
    double m_small, m_large, m_unix = -1, m_small_pw, m_permit;
    double c_small, c_large, c_permit, k_small, k_large, k_permit;

    char tokens[4096], alice_secret[128];
    FILE *tf;

    if (argc < 2) {
        fprintf(stderr, "usage: bench_pam FIXTURE_DIR --write | FIXTURE_DIR [UNIX_USER "
                        "UNIX_PASSWORD]\n");
        return 2;
    }
    snprintf(small, sizeof(small), "%s/small", argv[1]);
    snprintf(large, sizeof(large), "%s/large", argv[1]);
    snprintf(tokens, sizeof(tokens), "%s/tokens", argv[1]);
    if (argc == 3 && strcmp(argv[2], "--write") == 0) {
        /* Fixtures first, in their own process: the 100,000-user cache takes a while. */
        (void)mkdir(argv[1], 0700);
        (void)mkdir(small, 0700);
        (void)mkdir(large, 0700);
        if (pamfx_write(small, 10 - PAMFX_N_USERS) < 0)
            return 1;
        snprintf(tok_small, sizeof(tok_small), "%s:%s", pamfx_secrets[PAMFX_HEIDI].key_id,
                 pamfx_secrets[PAMFX_HEIDI].secret);
        if (pamfx_write(large, 100000 - PAMFX_N_USERS) < 0)
            return 1;
        tf = fopen(tokens, "we");
        if (!tf)
            return 1;
        (void)fchmod(fileno(tf), 0600);
        fprintf(tf, "%s\n%s:%s\n%s:%s\n%s\n", tok_small, pamfx_secrets[PAMFX_HEIDI].key_id,
                pamfx_secrets[PAMFX_HEIDI].secret, pamfx_secrets[PAMFX_HEIDI].key_id,
                pamfx_secrets[PAMFX_ALICE].secret, pamfx_secrets[PAMFX_ALICE].secret);
        return fclose(tf) == 0 ? 0 : 1;
    }
    if (argc != 2 && argc != 4 && !(argc == 4 && strcmp(argv[2], "--loop") == 0))
        return 2;
    tf = fopen(tokens, "re");
    if (!tf || fscanf(tf, "%127s %127s %127s %127s", tok_small, tok_large, tok_wrong,
                      alice_secret) != 4) {
        fprintf(stderr, "bench_pam: run with --write first\n");
        return 1;
    }
    fclose(tf);

    /* --loop N: only the access-key login at 100,000 users and the harness, N times each
     * (to run under perf or strace, or to see a change quickly) */
    if (strcmp(argv[2] ? argv[2] : "", "--loop") == 0) {
        char *end = NULL;
        long n = strtol(argv[3], &end, 10);

        if (!end || *end || n < 1 || n > 10000000 ||
            (m_large = bench("bench_large", "heidi", tok_large, (int)n)) < 0)
            return 1;
        c_large = last_cpu;
        k_large = last_calls;
        if ((m_permit = bench("bench_permit", "heidi", "x", (int)n)) < 0)
            return 1;
        printf("%ld logins each, medians: pam_iam access key, 100,000 users %.1f us (CPU %.1f, "
               "auth+account calls %.1f); harness only %.1f us (CPU %.1f, calls %.1f)\n",
               n, m_large, c_large, k_large, m_permit, last_cpu, last_calls);
        return 0;
    }

    /* Warm up (page cache, libsodium init, dlopen). */
    if (bench("bench_small", "heidi", tok_small, 20) < 0 ||
        bench("bench_large", "heidi", tok_large, 20) < 0)
        return 1;
    /* Interleave the two sizes so drift affects both alike. */
    m_small = bench("bench_small", "heidi", tok_small, 1000);
    c_small = last_cpu;
    k_small = last_calls;
    m_large = bench("bench_large", "heidi", tok_large, 1000);
    c_large = last_cpu;
    k_large = last_calls;
    m_small = (m_small + bench("bench_small", "heidi", tok_small, 1000)) / 2;
    c_small = (c_small + last_cpu) / 2;
    k_small = (k_small + last_calls) / 2;
    m_large = (m_large + bench("bench_large", "heidi", tok_large, 1000)) / 2;
    c_large = (c_large + last_cpu) / 2;
    k_large = (k_large + last_calls) / 2;
    m_permit = bench("bench_permit", "heidi", "x", 1000);
    c_permit = last_cpu;
    k_permit = last_calls;
    /* Equal work: a wrong secret for a user who exists vs. any secret for one who does not.
     * A bare secret that matches no key goes on to the (argon2id) password check, so these
     * cost a password check each; a named key (AKIA...:secret) never does. */
    {
        struct attempt kk = {"known user, wrong key secret", "bench_large", "heidi",
                             alice_secret, PAM_AUTH_ERR, NULL, 0};
        struct attempt uk = {"unknown user, key-shaped secret", "bench_large", "nosuchuser",
                             alice_secret, PAM_USER_UNKNOWN, NULL, 0};
        struct attempt kn = {"known user, AKIA..:wrong secret", "bench_large", "heidi",
                             tok_wrong, PAM_AUTH_ERR, NULL, 0};
        struct attempt un = {"unknown user, AKIA..:secret", "bench_large", "nosuchuser",
                             tok_large, PAM_USER_UNKNOWN, NULL, 0};
        struct attempt kp = {"known user, wrong password", "bench_large", "alice",
                             "wrong password", PAM_AUTH_ERR, NULL, 0};
        struct attempt up = {"unknown user, password", "bench_large", "nosuchuser",
                             "wrong password", PAM_USER_UNKNOWN, NULL, 0};

        if (refusal_pair(&kn, &un, 2000, &rng, &c_named) < 0 ||
            refusal_pair(&kk, &uk, 30, &rng, &c_key) < 0 ||
            refusal_pair(&kp, &up, 30, &rng, &c_pw) < 0)
            return 1;
    }
    m_small_pw = bench("bench_small", "alice", PAMFX_PASSWORD, 30);
    if (argc == 4)
        m_unix = bench("bench_unix", argv[2], argv[3], 30);
    if (m_small < 0 || m_large < 0 || m_small_pw < 0 || (argc == 4 && m_unix < 0))
        return 1;

    printf("login = pam_start + pam_authenticate + pam_acct_mgmt + pam_end, in process\n");
    printf("%-44s %12s %12s %12s\n", "case", "median (us)", "CPU (us)", "calls (us)");
    printf("%-44s %12.1f %12.1f %12.1f\n", "harness only (pam_permit)", m_permit, c_permit,
           k_permit);
    printf("%-44s %12.1f %12.1f %12.1f\n", "pam_iam access key, 10 users", m_small, c_small,
           k_small);
    printf("%-44s %12.1f %12.1f %12.1f\n", "pam_iam access key, 100,000 users", m_large, c_large,
           k_large);
    printf("%-44s %12.1f\n", "pam_iam login-profile password (argon2id)", m_small_pw);
    if (m_unix >= 0)
        printf("%-44s %12.1f\n", "pam_unix yescrypt password (local user)", m_unix);
    printf("ratio 100,000 / 10 users (access key):      %.2f (CPU %.2f)\n", m_large / m_small,
           c_large / c_small);
    printf("calls = pam_authenticate + pam_acct_mgmt alone (the modules' own work; pam_start and\n"
           "pam_end load and unload the service's modules each time, which is the harness)\n");
    printf("refusals, 100,000 users, medians in us, known user vs unknown user (%s):\n",
           bench_compare_rule);
    print_pair("AKIA..:secret (2000 each)", &c_named);
    print_pair("bare key secret (30 each)", &c_key);
    print_pair("password (30 each)", &c_pw);
    if (m_unix >= 0) {
        printf("ratio pam_unix yescrypt / pam_iam key (10):  %.1f\n", m_unix / m_small);
        printf("ratio pam_unix yescrypt / pam_iam key (100k): %.1f\n", m_unix / m_large);
    }
    return 0;
}
