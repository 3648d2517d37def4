/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A counting allocator for the whole process. glibc lets an executable replace malloc, free,
 * calloc and realloc (and the aligned variants) by defining them: every library, the C
 * library included, then calls these (glibc manual, "Replacing malloc"). Each one forwards to
 * glibc's own implementation through its exported __libc_* entry points, so memory from either
 * side may be freed by the other, and counts the call while counting is on, from any thread.
 */
#include "alloc_count.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t a, size_t b);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t n);
void *__libc_valloc(size_t n);
void *__libc_pvalloc(size_t n);

EXPORT void *malloc(size_t n);
EXPORT void *calloc(size_t a, size_t b);
EXPORT void *realloc(void *p, size_t n);
EXPORT void *reallocarray(void *p, size_t a, size_t b);
EXPORT void free(void *p);
EXPORT void *memalign(size_t align, size_t n);
EXPORT void *aligned_alloc(size_t align, size_t n);
EXPORT int posix_memalign(void **ret, size_t align, size_t n);
EXPORT void *valloc(size_t n);
EXPORT void *pvalloc(size_t n);

static int counting;
static unsigned long n_allocs, n_frees;
static int have_first;
static const char *first_fn;
static size_t first_size;
static const void *first_caller;

static void note(const char *fn, size_t size, const void *caller, int is_free) {
    if (!__atomic_load_n(&counting, __ATOMIC_ACQUIRE))
        return;
    __atomic_add_fetch(is_free ? &n_frees : &n_allocs, 1, __ATOMIC_RELAXED);
    if (!__atomic_exchange_n(&have_first, 1, __ATOMIC_ACQ_REL)) {
        first_fn = fn;
        first_size = size;
        first_caller = caller;
    }
}

#define CALLER __builtin_extract_return_addr(__builtin_return_address(0))

void *malloc(size_t n) {
    note("malloc", n, CALLER, 0);
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b) {
    note("calloc", a * b, CALLER, 0);
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n) {
    note("realloc", n, CALLER, 0);
    return __libc_realloc(p, n);
}

void *reallocarray(void *p, size_t a, size_t b) {
    note("reallocarray", a * b, CALLER, 0);
    if (b && a > SIZE_MAX / b) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, a * b);
}

void free(void *p) {
    if (p)
        note("free", 0, CALLER, 1);
    __libc_free(p);
}

void *memalign(size_t align, size_t n) {
    note("memalign", n, CALLER, 0);
    return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n) {
    note("aligned_alloc", n, CALLER, 0);
    return __libc_memalign(align, n);
}

int posix_memalign(void **ret, size_t align, size_t n) {
    void *p;

    note("posix_memalign", n, CALLER, 0);
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    p = __libc_memalign(align, n);
    if (!p)
        return ENOMEM;
    *ret = p;
    return 0;
}

void *valloc(size_t n) {
    note("valloc", n, CALLER, 0);
    return __libc_valloc(n);
}

void *pvalloc(size_t n) {
    note("pvalloc", n, CALLER, 0);
    return __libc_pvalloc(n);
}

void alloc_count_start(void) {
    __atomic_store_n(&n_allocs, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&n_frees, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&have_first, 0, __ATOMIC_RELAXED);
    first_fn = NULL;
    first_size = 0;
    first_caller = NULL;
    __atomic_store_n(&counting, 1, __ATOMIC_RELEASE);
}

struct alloc_count alloc_count_stop(void) {
    struct alloc_count c;

    __atomic_store_n(&counting, 0, __ATOMIC_RELEASE);
    c.allocs = __atomic_load_n(&n_allocs, __ATOMIC_ACQUIRE);
    c.frees = __atomic_load_n(&n_frees, __ATOMIC_ACQUIRE);
    c.first_fn = first_fn;
    c.first_size = first_size;
    c.first_caller = first_caller;
    return c;
}

const char *alloc_count_describe(const struct alloc_count *c, char *buf, size_t size) {
    Dl_info info;

    if (!c->first_fn) {
        snprintf(buf, size, "no allocator call");
        return buf;
    }
    memset(&info, 0, sizeof(info));
    if (dladdr(c->first_caller, &info) && info.dli_sname)
        snprintf(buf, size, "%s(%zu) called from %s+0x%tx in %s", c->first_fn, c->first_size,
                 info.dli_sname, (const char *)c->first_caller - (const char *)info.dli_saddr,
                 info.dli_fname ? info.dli_fname : "?");
    else
        snprintf(buf, size, "%s(%zu) called from %p in %s", c->first_fn, c->first_size,
                 c->first_caller, info.dli_fname ? info.dli_fname : "?");
    return buf;
}
