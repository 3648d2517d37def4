/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Comparing two sets of timings by what the medians' uncertainty allows one to say, not by
 * their spread: the benchmarks' "are these two cases the same?" (bench_timing, bench_pam). */

#include <stddef.h>
#include <stdint.h>

struct bench_cmp {
    size_t n_a, n_b;
    double median_a, median_b;
    double diff;           /* median_b - median_a */
    double ci_lo, ci_hi;   /* 95 % bootstrap interval of diff (percentile method) */
    double p_mw;           /* Mann-Whitney U, two-sided p (normal approximation, ties) */
    double p_b_slower;     /* P(a sample of b > one of a) + P(tie) / 2: 0.5 = no shift */
    int differ;            /* the interval leaves out 0 */
};

#define BENCH_BOOTSTRAP_RESAMPLES 2000

/* Compare a[0..n_a) with b[0..n_b) (any order; not modified). seed makes the bootstrap
 * repeatable. Returns 0, or -1 when a set is empty or memory runs out. */
int bench_compare(const double *a, size_t n_a, const double *b, size_t n_b, uint64_t seed,
                  struct bench_cmp *ret);

/* The rule bench_compare applies, for printing next to its results. */
extern const char bench_compare_rule[];
