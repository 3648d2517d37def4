/* SPDX-License-Identifier: Apache-2.0 */
/* The arena allocator of libiamcore (common/arena.c): alignment, zeroing, chunks of their
 * own for large requests, copies, sizes that cannot be met, and reuse after a free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

static bool aligned(const void *p) {
    return ((uintptr_t)p % IAM_ARENA_ALIGN) == 0;
}

static void small_allocations(void **state) {
    struct iam_arena a = IAM_ARENA_INIT(256);
    unsigned char *prev = NULL;
    (void)state;

    /* Many more bytes than one chunk: every block aligned, zeroed and disjoint. */
    for (size_t i = 1; i <= 200; i++) {
        unsigned char *p = iam_arena_alloc(&a, i % 40 + 1);

        assert_non_null(p);
        assert_true(aligned(p));
        for (size_t k = 0; k < i % 40 + 1; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xA5, i % 40 + 1);
        if (prev)
            assert_int_equal(prev[0], 0xA5); /* the previous block was not overwritten */
        prev = p;
    }
    iam_arena_free(&a);
    assert_null(a.head);
}

static void large_allocations(void **state) {
    struct iam_arena a = IAM_ARENA_INIT(1024);
    char *small1, *big, *small2;
    (void)state;

    small1 = iam_arena_alloc(&a, 16);
    assert_non_null(small1);
    /* Over a quarter chunk: a chunk of its own, so the small ones still share the head. */
    big = iam_arena_alloc(&a, 5000);
    assert_non_null(big);
    assert_true(aligned(big));
    memset(big, 'x', 5000);
    small2 = iam_arena_alloc(&a, 16);
    assert_non_null(small2);
    assert_ptr_equal(small2, small1 + 16);
    /* A large request as the very first one works too. */
    iam_arena_free(&a);
    big = iam_arena_alloc(&a, 100000);
    assert_non_null(big);
    assert_non_null(iam_arena_alloc(&a, 8));
    iam_arena_free(&a);
}

static void strings_and_limits(void **state) {
    struct iam_arena a = {0}; /* chunk_size 0: the default */
    char *s;
    void *zero;
    (void)state;

    s = iam_arena_strndup(&a, "abcdef", 3);
    assert_non_null(s);
    assert_string_equal(s, "abc");
    s = iam_arena_strndup(&a, "", 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    zero = iam_arena_alloc(&a, 0);
    assert_non_null(zero);
    /* Sizes that cannot be met fail cleanly and leave the arena usable. */
    assert_null(iam_arena_alloc(&a, SIZE_MAX));
    assert_null(iam_arena_alloc(&a, SIZE_MAX - 8));
    assert_null(iam_arena_strndup(&a, "x", SIZE_MAX));
    s = iam_arena_strndup(&a, "still", 5);
    assert_string_equal(s, "still");
    iam_arena_free(&a);
    iam_arena_free(&a); /* twice is fine: the arena is empty */
    iam_arena_free(NULL);
    /* Uninitialised allocations are aligned too. */
    assert_true(aligned(iam_arena_alloc_uninit(&a, 24)));
    iam_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_allocations),
        cmocka_unit_test(large_allocations),
        cmocka_unit_test(strings_and_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
