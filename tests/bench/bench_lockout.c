/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lockout: does a refusal of a locked user take the time of a refusal of one who is not
 * locked, and of a name IAM does not know? And what does the lockout add to a successful
 * login? pam_iam under pam_wrapper, in process (pam_start to pam_end), at 1,000 users, with a
 * wrong secret access key named by its key id (so that no argon2id check hides the
 * difference). The three refusals are timed in rounds, in a new random order each round, and
 * compared by the 95 % bootstrap interval of the median difference (bench_stats.c); the
 * success (auth only, a user without failures) is timed with lockout = yes against
 * lockout = no, alternating.
 *
 *   LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=DIR \
 *       bench_lockout FIXTURE_DIR [ROUNDS]
 * DIR holds the services lockout_on and lockout_off (pam_iam with FIXTURE_DIR/lockout.conf
 * and FIXTURE_DIR/iam.conf); FIXTURE_DIR is made by the run and must not exist.
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

/* One attempt, pam_start to pam_end: microseconds, or -1 when it did not end with want. */
static double attempt(const char *service, const char *user, const char *token, int want) {
    struct pam_conv conv = {conv_fn, (void *)(uintptr_t)token};
    pam_handle_t *ph = NULL;
    double t0 = now_us();
    int rv = pam_start(service, user, &conv, &ph);

    if (rv == PAM_SUCCESS)
        rv = pam_authenticate(ph, 0);
    pam_end(ph, rv);
    if (rv != want) {
        fprintf(stderr, "%s/%s: %s\n", service, user, pam_strerror(NULL, rv));
        return -1;
    }
    return now_us() - t0;
}

static uint64_t xorshift_next(uint64_t *s) {
    uint64_t x = *s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static int write_fixture(const char *dir) {
    char path[4096], *conf = NULL;
    size_t len = 0;
    FILE *f;

    if (mkdir(dir, 0700) < 0 || pamfx_write(dir, 1000) < 0)
        return -1;
    /* lockout.conf: iam.conf with the lockout on, 100 failures to lock (the refused known
     * user is reset between rounds); alice locked until reset, by her tally */
    snprintf(path, sizeof(path), "%s/iam.conf", dir);
    conf = iamtest_read_file(path, &len);
    if (!conf)
        return -1;
    snprintf(path, sizeof(path), "%s/lockout.conf", dir);
    f = fopen(path, "w");
    if (!f)
        return -1;
    for (char *save = NULL, *line = strtok_r(conf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (strcmp(line, "lockout = no") != 0)
            fprintf(f, "%s\n", line);
    fprintf(f, "lockout_failures = 100\nlockout_time_seconds = 0\n");
    free(conf);
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : NULL;
    long rounds_arg = argc > 2 ? strtol(argv[2], NULL, 10) : 400;
    int rounds = rounds_arg > 0 && rounds_arg < 1000000 ? (int)rounds_arg : 400, rc = 1;
    double *all = NULL, *locked, *unlocked, *unknown, *on, *off;
    char wrong_a[128], wrong_h[128], good[128], good_d[128];
    struct bench_cmp c;
    uint64_t rng = 0x9e3779b97f4a7c15ull;

    if (!dir) {
        fprintf(stderr, "usage: bench_lockout FIXTURE_DIR [ROUNDS]\n");
        return 2;
    }
    /* the fixture's secrets are made now and live in this process only */
    if (write_fixture(dir) < 0) {
        fprintf(stderr, "bench_lockout: cannot write the fixture in %s (must not exist)\n", dir);
        return 1;
    }
    snprintf(wrong_a, sizeof(wrong_a), "%s:%s", pamfx_secrets[PAMFX_ALICE].key_id,
             pamfx_secrets[PAMFX_HEIDI].secret);
    snprintf(wrong_h, sizeof(wrong_h), "%s:%s", pamfx_secrets[PAMFX_HEIDI].key_id,
             pamfx_secrets[PAMFX_ALICE].secret);
    snprintf(good, sizeof(good), "%s:%s", pamfx_secrets[PAMFX_HEIDI].key_id,
             pamfx_secrets[PAMFX_HEIDI].secret);
    snprintf(good_d, sizeof(good_d), "%s:%s", pamfx_secrets[PAMFX_DAVE].key_id,
             pamfx_secrets[PAMFX_DAVE].secret);
    all = calloc(5 * (size_t)rounds, sizeof(double));
    if (!all)
        return 1;
    locked = all;
    unlocked = locked + rounds;
    unknown = unlocked + rounds;
    on = unknown + rounds;
    off = on + rounds;
    /* lock alice: 100 wrong secrets under lockout.conf */
    for (int i = 0; i < 100; i++)
        if (attempt("lockout_on", "alice", wrong_a, PAM_AUTH_ERR) < 0)
            goto out;
    for (int i = 0; i < rounds; i++) {
        int order = (int)(xorshift_next(&rng) % 6);
        double *slot[3] = {locked + i, unlocked + i, unknown + i};
        const char *users[3] = {"alice", "heidi", "nosuchuser"};
        const char *toks[3] = {wrong_a, wrong_h, wrong_h};
        int want[3] = {PAM_AUTH_ERR, PAM_AUTH_ERR, PAM_USER_UNKNOWN};
        static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                       {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

        for (int k = 0; k < 3; k++) {
            int j = perm[order][k];

            if ((*slot[j] = attempt("lockout_on", users[j], toks[j], want[j])) < 0)
                goto out;
        }
        /* heidi must stay unlocked: a success clears her tally (not timed) */
        if (i % 50 == 49 && attempt("lockout_on", "heidi", good, PAM_SUCCESS) < 0)
            goto out;
        /* the usual success: dave has no failures (one failed open() with the lockout on) */
        if (i % 2) {
            on[i] = attempt("lockout_on", "dave", good_d, PAM_SUCCESS);
            off[i] = attempt("lockout_off", "dave", good_d, PAM_SUCCESS);
        } else {
            off[i] = attempt("lockout_off", "dave", good_d, PAM_SUCCESS);
            on[i] = attempt("lockout_on", "dave", good_d, PAM_SUCCESS);
        }
        if (on[i] < 0 || off[i] < 0)
            goto out;
    }
    printf("bench_lockout: %d rounds, 1,000 users, wrong key secrets named by key id\n", rounds);
    if (bench_compare(unlocked, (size_t)rounds, locked, (size_t)rounds, 1, &c) == 0)
        printf("  refusal, not locked %.0f us vs locked %.0f us: difference %+.1f us, 95%% CI "
               "[%+.1f, %+.1f]%s\n",
               c.median_a, c.median_b, c.diff, c.ci_lo, c.ci_hi,
               c.differ ? " (differ)" : " (no difference shown)");
    if (bench_compare(unlocked, (size_t)rounds, unknown, (size_t)rounds, 2, &c) == 0)
        printf("  refusal, known user %.0f us vs unknown name %.0f us: difference %+.1f us, "
               "95%% CI [%+.1f, %+.1f]%s\n",
               c.median_a, c.median_b, c.diff, c.ci_lo, c.ci_hi,
               c.differ ? " (differ)" : " (no difference shown)");
    if (bench_compare(off, (size_t)rounds, on, (size_t)rounds, 3, &c) == 0)
        printf("  success, lockout = no %.1f us vs lockout = yes %.1f us: difference %+.1f us, "
               "95%% CI [%+.1f, %+.1f], ratio %.3f\n",
               c.median_a, c.median_b, c.diff, c.ci_lo, c.ci_hi, c.median_b / c.median_a);
    printf("  (%s)\n", bench_compare_rule);
    rc = 0;
out:
    free(all);
    return rc;
}
