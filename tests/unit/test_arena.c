/* SPDX-License-Identifier: Apache-2.0 */
/* The arena allocator of libiamcore (common/arena.c): alignment, zeroing, chunks of their
 * own for large requests, copies, sizes that cannot be met, and reuse after a free. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#ifdef __SANITIZE_ADDRESS__
/* the ASan runtime's count (its sanitizer/allocator_interface.h is not installed with GCC) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

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

/* Bytes the allocator holds for the program now (what a leak makes grow; resident size would
 * not do: ASan keeps freed memory in quarantine). */
static size_t in_use(void) {
#ifdef __SANITIZE_ADDRESS__
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd; /* small blocks in use, and mmap()ed large ones */
#endif
}

static void mark_and_release(void **state) {
    struct iam_arena a = IAM_ARENA_INIT(4096);
    struct iam_arena_mark m;
    char *keep, *first, *again;
    size_t before;
    (void)state;

    keep = iam_arena_strndup(&a, "kept", 4);
    assert_non_null(keep);
    /* space after the mark in the same chunk is handed out again after the release */
    m = iam_arena_mark(&a);
    first = iam_arena_alloc(&a, 64);
    assert_non_null(first);
    iam_arena_release(&a, m);
    again = iam_arena_alloc(&a, 64);
    assert_ptr_equal(first, again);
    iam_arena_release(&a, m);

    /* Each round allocates 256 KiB on its own chunk (linked below the head) and enough small
     * pieces to take new heads; the release must free both kinds, or 400 rounds hold more
     * than 100 MiB (1 MiB is allowed). What came before the mark stays. */
    before = in_use();
    for (int round = 0; round < 400; round++) {
        m = iam_arena_mark(&a);
        assert_non_null(iam_arena_alloc(&a, 256 * 1024)); /* zeroed: the pages are touched */
        for (int i = 0; i < 40; i++)
            assert_non_null(iam_arena_alloc(&a, 1000));
        iam_arena_release(&a, m);
    }
    assert_true(in_use() < before + 1024 * 1024);
    assert_string_equal(keep, "kept");

    /* a mark of an empty arena releases everything */
    iam_arena_free(&a);
    m = iam_arena_mark(&a);
    assert_non_null(iam_arena_alloc(&a, 100000));
    assert_non_null(iam_arena_alloc(&a, 10));
    iam_arena_release(&a, m);
    assert_null(a.head);
    iam_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_allocations),
        cmocka_unit_test(large_allocations),
        cmocka_unit_test(strings_and_limits),
        cmocka_unit_test(mark_and_release),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
