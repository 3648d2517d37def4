/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arena allocator (arena.h). Allocations come from the head chunk while it has room; a
 * new head is taken when it has not. A request larger than a quarter of a chunk gets a chunk
 * of its own, linked below the head, so the head keeps serving the small requests that
 * follow and little room is wasted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct iam_arena_chunk {
    struct iam_arena_chunk *next;
    size_t used, size;
    _Alignas(IAM_ARENA_ALIGN) unsigned char data[];
};

static void *take(struct iam_arena *a, size_t size, size_t align) {
    struct iam_arena_chunk *c = a->head, *n;
    size_t chunk = a->chunk_size ? a->chunk_size : IAM_ARENA_DEFAULT_CHUNK;

    if (c) {
        size_t off = (c->used + align - 1) & ~(align - 1);

        if (off <= c->size && c->size - off >= size) {
            c->used = off + size;
            return c->data + off;
        }
    }
    if (size > SIZE_MAX - sizeof(*n) - IAM_ARENA_ALIGN)
        return NULL;
    if (size > chunk / 4) {
        n = malloc(sizeof(*n) + size);
        if (!n)
            return NULL;
        n->size = n->used = size;
        if (c) {
            n->next = c->next;
            c->next = n;
        } else {
            n->next = NULL;
            a->head = n;
        }
        return n->data;
    }
    n = malloc(sizeof(*n) + chunk);
    if (!n)
        return NULL;
    n->size = chunk;
    n->used = size;
    n->next = c;
    a->head = n;
    return n->data;
}

void *iam_arena_alloc_uninit(struct iam_arena *a, size_t size) {
    return take(a, size, IAM_ARENA_ALIGN);
}

void *iam_arena_alloc(struct iam_arena *a, size_t size) {
    void *p = take(a, size, IAM_ARENA_ALIGN);

    if (p)
        memset(p, 0, size);
    return p;
}

char *iam_arena_strndup(struct iam_arena *a, const char *s, size_t len) {
    char *p;

    if (len == SIZE_MAX)
        return NULL;
    p = take(a, len + 1, 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

struct iam_arena_mark iam_arena_mark(const struct iam_arena *a) {
    struct iam_arena_mark m = {a->head, a->head ? a->head->next : NULL,
                               a->head ? a->head->used : 0};
    return m;
}

void iam_arena_release(struct iam_arena *a, struct iam_arena_mark mark) {
    struct iam_arena_chunk *c;

    /* chunks that became the head since the mark, with the large ones linked below them */
    while (a->head && a->head != mark.chunk) {
        c = a->head->next;
        free(a->head);
        a->head = c;
    }
    if (!a->head)
        return;
    /* large allocations linked right below the marked chunk since */
    while (a->head->next != mark.below) {
        c = a->head->next;
        a->head->next = c->next;
        free(c);
    }
    a->head->used = mark.used;
}

void iam_arena_free(struct iam_arena *a) {
    struct iam_arena_chunk *c;

    if (!a)
        return;
    c = a->head;
    while (c) {
        struct iam_arena_chunk *next = c->next;

        free(c);
        c = next;
    }
    a->head = NULL;
}
