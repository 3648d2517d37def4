/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Counts every heap allocation the process makes between alloc_count_start() and
 * alloc_count_stop(), whoever makes it: our code, jansson, libsodium or the C library itself
 * (strdup, asprintf, getline, qsort's scratch ...). Linking alloc_count.c into an executable
 * replaces the C library's allocator for the whole process (glibc's "Replacing malloc"
 * interface) with one that forwards to glibc's own and counts. Not for sanitizer builds, which
 * bring their own allocator. */

#include <stddef.h>

struct alloc_count {
    unsigned long allocs;    /* malloc, calloc, realloc, reallocarray, memalign & co */
    unsigned long frees;     /* free of a non-NULL pointer */
    const char *first_fn;    /* the first counted call: "malloc", "free", ... */
    size_t first_size;       /* its size argument (0 for free) */
    const void *first_caller; /* its return address */
};

void alloc_count_start(void);
struct alloc_count alloc_count_stop(void);
/* "malloc(17) called from strdup+0x1a in /lib/x86_64-linux-gnu/libc.so.6" into buf. */
const char *alloc_count_describe(const struct alloc_count *c, char *buf, size_t size);
