/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Timing side channel: how long pam_iam takes to say no, by reason.
 * Through the real module (pam_authenticate under pam_wrapper, fixture auth cache), for:
 *   - a wrong secret for an existing user (bare, and named with the user's own key id),
 *   - an unknown user (valid IAM name, not in the cache) offering a key-shaped secret, bare
 *     and named with a key id,
 *   - an inactive key with its right secret (named, and bare),
 *   - a wrong password for an existing user vs a password for an unknown user (argon2id),
 * and a right login for reference. Cases are interleaved, in a new random order each round,
 * so drift, noise and each case's after-effects hit all of them alike; a case stops taking
 * samples once it has ROUNDS of them or has used its time budget (BUDGET seconds, at least
 * 20 samples), so slow (argon2id) paths stay bounded. Prints percentiles per case and, per
 * comparison, the medians, their ratio, the 95 % bootstrap interval of their difference and
 * the Mann-Whitney p (bench_stats.c): two cases differ when that interval leaves out 0.
 * The PAM stack comes from SERVICE_DIR through pam_start_confdir() (no pam_wrapper, so no
 * shared /tmp state with tests running alongside). Run through the run_bench_timing target:
 *   bench_timing SERVICE_DIR FIXTURE_DIR [ROUNDS] [BUDGET_SECONDS]
 */
#include <math.h>
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

struct bcase {
    const char *name;
    const char *user;
    char token[256];
    int expect;
    double *t; /* microseconds */
    size_t n;
    double spent; /* microseconds */
};

static int conv_fn(int n, const struct pam_message **msg, struct pam_response **resp,
                   void *appdata) {
    const char *token = appdata;
    struct pam_response *r = calloc((size_t)n, sizeof(*r));

    if (!r)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++)
        if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
            r[i].resp = strdup(token);
    *resp = r;
    return PAM_SUCCESS;
}

static double now_us(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static const char *confdir;

static uint64_t xorshift(uint64_t *state) {
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static int run_one(struct bcase *c) {
    struct pam_conv conv = {conv_fn, c->token};
    pam_handle_t *ph = NULL;
    double t0, t1;
    int rv;

    if (pam_start_confdir("iam", c->user, &conv, confdir, &ph) != PAM_SUCCESS)
        return -1;
    t0 = now_us();
    rv = pam_authenticate(ph, 0);
    t1 = now_us();
    pam_end(ph, rv);
    if (rv != c->expect) {
        fprintf(stderr, "bench_timing: %s: got %d (%s), expected %d\n", c->name, rv,
                pam_strerror(NULL, rv), c->expect);
        return -1;
    }
    c->t[c->n++] = t1 - t0;
    c->spent += t1 - t0;
    return 0;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double pct(const double *s, size_t n, double p) {
    double idx = p * (double)(n - 1);
    size_t lo = (size_t)idx;
    double f = idx - (double)lo;

    return lo + 1 < n ? s[lo] * (1 - f) + s[lo + 1] * f : s[lo];
}

static void print_row(struct bcase *c) {
    qsort(c->t, c->n, sizeof(double), cmp_d);
    printf("%-46s %6zu %10.1f %10.1f %10.1f %10.1f %10.1f\n", c->name, c->n, pct(c->t, c->n, 0.10),
           pct(c->t, c->n, 0.25), pct(c->t, c->n, 0.50), pct(c->t, c->n, 0.75),
           pct(c->t, c->n, 0.99));
}

/* b against a: medians, ratio, the interval of their difference, Mann-Whitney. */
static int compare(const struct bcase *a, const struct bcase *b) {
    struct bench_cmp c;

    if (bench_compare(a->t, a->n, b->t, b->n, 1, &c) < 0)
        return -1;
    printf("  %s vs %s:\n"
           "    medians %.1f / %.1f us, ratio %.3f, difference %+.1f us, 95%% interval "
           "[%+.1f, %+.1f] us, Mann-Whitney p %.2g, P(slower) %.3f: %s\n",
           a->name, b->name, c.median_a, c.median_b, c.median_b / c.median_a, c.diff, c.ci_lo,
           c.ci_hi, c.p_mw, c.p_b_slower, c.differ ? "DIFFERENT" : "no difference found");
    return 0;
}

int main(int argc, char *argv[]) {
    const char *dir;
    size_t rounds;
    double budget;
    struct bcase cs[9];
    enum { RIGHT, WRONG_BARE, WRONG_NAMED, UNKNOWN_KEY, UNKNOWN_NAMED, INACTIVE_NAMED,
           INACTIVE_BARE, WRONG_PW, UNKNOWN_PW, N_CASES };
    const struct pamfx_user_secrets *al = &pamfx_secrets[PAMFX_ALICE];
    const struct pamfx_user_secrets *bo = &pamfx_secrets[PAMFX_BOB];
    uint64_t rng = UINT64_C(0x9e3779b97f4a7c15); /* fixed: the same order every run */
    int ret = 1;

    if (argc < 3) {
        fprintf(stderr, "usage: bench_timing SERVICE_DIR FIXTURE_DIR [ROUNDS] [BUDGET_SECONDS]\n");
        return 2;
    }
    confdir = argv[1];
    dir = argv[2];
    rounds = argc > 3 ? strtoul(argv[3], NULL, 10) : 2000;
    budget = (argc > 4 ? strtod(argv[4], NULL) : 20.0) * 1e6;
    if (rounds < 20)
        rounds = 20;
    iamtest_rmtree(dir);
    if (mkdir(dir, 0700) < 0 || pamfx_write(dir, 1000) < 0) {
        fprintf(stderr, "bench_timing: cannot write the fixture in %s\n", dir);
        return 1;
    }
    memset(cs, 0, sizeof(cs));
    cs[RIGHT] = (struct bcase){.name = "right key (reference)", .user = "alice",
                               .expect = PAM_SUCCESS};
    snprintf(cs[RIGHT].token, sizeof(cs[RIGHT].token), "%s:%s", al->key_id, al->secret);
    cs[WRONG_BARE] = (struct bcase){.name = "existing user, wrong secret (bare)",
                                    .user = "alice", .expect = PAM_AUTH_ERR};
    snprintf(cs[WRONG_BARE].token, sizeof(cs[0].token), "%s", bo->secret);
    cs[WRONG_NAMED] = (struct bcase){.name = "existing user, wrong secret (own key id)",
                                     .user = "alice", .expect = PAM_AUTH_ERR};
    snprintf(cs[WRONG_NAMED].token, sizeof(cs[0].token), "%s:%s", al->key_id, bo->secret);
    cs[UNKNOWN_KEY] = (struct bcase){.name = "unknown user, key-shaped secret",
                                     .user = "mallory", .expect = PAM_USER_UNKNOWN};
    snprintf(cs[UNKNOWN_KEY].token, sizeof(cs[0].token), "%s", bo->secret);
    cs[UNKNOWN_NAMED] = (struct bcase){.name = "unknown user, key id and secret",
                                       .user = "mallory", .expect = PAM_USER_UNKNOWN};
    snprintf(cs[UNKNOWN_NAMED].token, sizeof(cs[0].token), "%s:%s", al->key_id, bo->secret);
    cs[INACTIVE_NAMED] = (struct bcase){.name = "inactive key, right secret (named)",
                                        .user = "alice", .expect = PAM_AUTH_ERR};
    snprintf(cs[INACTIVE_NAMED].token, sizeof(cs[0].token), "%s:%s", al->key2_id, al->secret2);
    cs[INACTIVE_BARE] = (struct bcase){.name = "inactive key, right secret (bare)",
                                       .user = "alice", .expect = PAM_AUTH_ERR};
    snprintf(cs[INACTIVE_BARE].token, sizeof(cs[0].token), "%s", al->secret2);
    cs[WRONG_PW] = (struct bcase){.name = "existing user, wrong password", .user = "alice",
                                  .expect = PAM_AUTH_ERR};
    snprintf(cs[WRONG_PW].token, sizeof(cs[0].token), "not the password");
    cs[UNKNOWN_PW] = (struct bcase){.name = "unknown user, password", .user = "mallory",
                                    .expect = PAM_USER_UNKNOWN};
    snprintf(cs[UNKNOWN_PW].token, sizeof(cs[0].token), "not the password");
    for (int i = 0; i < N_CASES; i++) {
        cs[i].t = calloc(rounds, sizeof(double));
        if (!cs[i].t)
            goto out;
    }
    /* Warm up: page cache, lazy binding, the module's first load. */
    for (int i = 0; i < N_CASES; i++) {
        if (run_one(&cs[i]) < 0)
            goto out;
        cs[i].n = 0;
        cs[i].spent = 0;
    }
    /* Each round runs the cases in a new random order: a case that always followed the same
     * one would carry that one's after-effects (the right login's last-use and audit
     * writes cost the next attempt about 8 us in a fixed order). */
    for (size_t r = 0; r < rounds; r++) {
        int order[N_CASES];

        for (int i = 0; i < N_CASES; i++)
            order[i] = i;
        for (int i = N_CASES - 1; i > 0; i--) {
            int j = (int)(xorshift(&rng) % (uint64_t)(i + 1)), t = order[i];

            order[i] = order[j];
            order[j] = t;
        }
        for (int k = 0; k < N_CASES; k++) {
            int i = order[k];

            if ((cs[i].n < 20 || cs[i].spent < budget) && run_one(&cs[i]) < 0)
                goto out;
        }
    }
    printf("pam_authenticate() time by outcome, microseconds (auth cache: %d users)\n",
           PAMFX_N_USERS + 1000);
    printf("%-46s %6s %10s %10s %10s %10s %10s\n", "case", "n", "p10", "p25", "median", "p75",
           "p99");
    for (int i = 0; i < N_CASES; i++)
        print_row(&cs[i]);
    printf("comparisons (%s):\n", bench_compare_rule);
    if (compare(&cs[WRONG_BARE], &cs[UNKNOWN_KEY]) < 0 ||
        compare(&cs[WRONG_BARE], &cs[INACTIVE_BARE]) < 0 ||
        compare(&cs[WRONG_NAMED], &cs[INACTIVE_NAMED]) < 0 ||
        compare(&cs[WRONG_NAMED], &cs[UNKNOWN_NAMED]) < 0 ||
        compare(&cs[WRONG_BARE], &cs[WRONG_NAMED]) < 0 ||
        compare(&cs[WRONG_BARE], &cs[RIGHT]) < 0 || compare(&cs[WRONG_PW], &cs[UNKNOWN_PW]) < 0)
        goto out;
    ret = 0;
out:
    for (int i = 0; i < N_CASES; i++)
        free(cs[i].t);
    iamtest_rmtree(dir);
    return ret;
}
