/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Two statistics of whether two timing samples differ in location:
 *  - the 95 % bootstrap interval of the difference of medians (resample each set with
 *    replacement, take both medians, BENCH_BOOTSTRAP_RESAMPLES times; the 2.5th and 97.5th
 *    percentiles of the differences: Efron & Tibshirani, "An Introduction to the Bootstrap",
 *    ch. 13, percentile interval). The verdict is this interval: it leaves out 0 or not.
 *  - the Mann-Whitney U test (two-sided, normal approximation with the tie correction),
 *    printed with it: a shift at every quantile shows there even when medians are close.
 * Half an interquartile range, which this replaces, measures how spread single samples are,
 * not how well a median is known: with 2,000 samples a median moves far less than that.
 */
#include "bench_stats.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char bench_compare_rule[] =
    "DIFFERENT when the 95 % bootstrap interval of the median difference (b - a, "
    "2000 resamples) leaves out 0; p: Mann-Whitney U, two-sided";

static uint64_t next(uint64_t *s) {
    /* xorshift64* */
    uint64_t x = *s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

static int cmp_d(const void *pa, const void *pb) {
    double x = *(const double *)pa, y = *(const double *)pb;

    return x < y ? -1 : x > y;
}

/* The k-th smallest of v[0..n), v reordered so that everything before index k is <= it and
 * everything after is >= it (Wirth, "Algorithms + Data Structures = Programs", 2.3.4). */
static double select_k(double *v, size_t n, size_t k) {
    ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

    while (l < m) {
        double x = v[kk];
        ptrdiff_t i = l, j = m;

        do {
            while (v[i] < x)
                i++;
            while (x < v[j])
                j--;
            if (i <= j) {
                double t = v[i];

                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk)
            l = i;
        if (kk < i)
            m = j;
    }
    return v[kk];
}

/* Median of v[0..n) (reordered): the mean of the two middle values for even n. */
static double median_of(double *v, size_t n) {
    double hi = select_k(v, n, n / 2);

    if (n % 2)
        return hi;
    /* after selection, everything below index n/2 is <= hi: the largest of those */
    {
        double lo = v[0];

        for (size_t i = 1; i < n / 2; i++)
            if (v[i] > lo)
                lo = v[i];
        return (lo + hi) / 2;
    }
}

static double resampled_median(const double *v, size_t n, double *scratch, uint64_t *rng) {
    for (size_t i = 0; i < n; i++)
        scratch[i] = v[next(rng) % n];
    return median_of(scratch, n);
}

struct tagged {
    double t;
    int from_b;
};

static int cmp_tagged(const void *pa, const void *pb) {
    const struct tagged *x = pa, *y = pb;

    return x->t < y->t ? -1 : x->t > y->t;
}

/* Mann-Whitney U of b against a: U_b = R_b - n_b (n_b + 1) / 2 from the ranks of the pooled
 * samples (ties get their average rank); z from the normal approximation with the tie
 * correction and a continuity correction of 1/2. */
static int mann_whitney(const double *a, size_t n_a, const double *b, size_t n_b,
                        double *ret_p, double *ret_auc) {
    size_t n = n_a + n_b;
    struct tagged *all = malloc(n * sizeof(*all));
    double r_b = 0, ties = 0, u_b, mean, var, z;

    if (!all)
        return -1;
    for (size_t i = 0; i < n_a; i++)
        all[i] = (struct tagged){a[i], 0};
    for (size_t i = 0; i < n_b; i++)
        all[n_a + i] = (struct tagged){b[i], 1};
    qsort(all, n, sizeof(*all), cmp_tagged);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double rank, t;

        while (j + 1 < n && all[j + 1].t == all[i].t)
            j++;
        rank = ((double)i + (double)j) / 2 + 1; /* ranks start at 1 */
        for (size_t k = i; k <= j; k++)
            if (all[k].from_b)
                r_b += rank;
        t = (double)(j - i + 1);
        ties += t * t * t - t;
        i = j + 1;
    }
    free(all);
    u_b = r_b - (double)n_b * ((double)n_b + 1) / 2;
    mean = (double)n_a * (double)n_b / 2;
    var = (double)n_a * (double)n_b / 12 *
          (((double)n + 1) - ties / ((double)n * ((double)n - 1)));
    *ret_auc = u_b / ((double)n_a * (double)n_b);
    if (var <= 0) {
        *ret_p = 1;
        return 0;
    }
    z = (fabs(u_b - mean) - 0.5) / sqrt(var);
    if (z < 0)
        z = 0;
    *ret_p = erfc(z / sqrt(2.0));
    return 0;
}

int bench_compare(const double *a, size_t n_a, const double *b, size_t n_b, uint64_t seed,
                  struct bench_cmp *ret) {
    double *sa = NULL, *sb = NULL, *diffs = NULL;
    uint64_t rng = seed ? seed : UINT64_C(0x9e3779b97f4a7c15);
    int r = -1;

    memset(ret, 0, sizeof(*ret));
    if (n_a == 0 || n_b == 0)
        return -1;
    sa = malloc(n_a * sizeof(*sa));
    sb = malloc(n_b * sizeof(*sb));
    diffs = malloc(BENCH_BOOTSTRAP_RESAMPLES * sizeof(*diffs));
    if (!sa || !sb || !diffs)
        goto out;
    ret->n_a = n_a;
    ret->n_b = n_b;
    memcpy(sa, a, n_a * sizeof(*sa));
    memcpy(sb, b, n_b * sizeof(*sb));
    ret->median_a = median_of(sa, n_a);
    ret->median_b = median_of(sb, n_b);
    ret->diff = ret->median_b - ret->median_a;
    for (size_t i = 0; i < BENCH_BOOTSTRAP_RESAMPLES; i++)
        diffs[i] = resampled_median(b, n_b, sb, &rng) - resampled_median(a, n_a, sa, &rng);
    qsort(diffs, BENCH_BOOTSTRAP_RESAMPLES, sizeof(*diffs), cmp_d);
    ret->ci_lo = diffs[(size_t)(0.025 * BENCH_BOOTSTRAP_RESAMPLES)];
    ret->ci_hi = diffs[(size_t)(0.975 * BENCH_BOOTSTRAP_RESAMPLES) - 1];
    ret->differ = ret->ci_lo > 0 || ret->ci_hi < 0;
    if (mann_whitney(a, n_a, b, n_b, &ret->p_mw, &ret->p_b_slower) < 0)
        goto out;
    r = 0;
out:
    free(diffs);
    free(sb);
    free(sa);
    return r;
}
