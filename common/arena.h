/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The arena allocator of libiamcore: many small allocations that live and die together (the
 * nodes of a parsed JSON document, a compiled policy, the database's strings and tables) come
 * from large chunks and are freed at once. Private to libiamcore: nothing outside common/
 * includes this header.
 *
 *     struct iam_arena a = IAM_ARENA_INIT(64 * 1024);
 *     struct node *n = iam_arena_alloc(&a, sizeof(*n));   zeroed
 *     ...
 *     iam_arena_free(&a);                                  everything at once
 *
 * A long walk that allocates for each entry and needs nothing of it afterwards takes a mark
 * before each entry and releases it after: what was allocated since the mark is freed, what
 * came before stays valid.
 *
 * Not thread-safe: one arena belongs to one owner. Allocation never fails partway: a NULL
 * return (ENOMEM, or a size that overflows) leaves the arena as it was.
 */

#include <stddef.h>

#define IAM_ARENA_ALIGN 16u

struct iam_arena_chunk;

struct iam_arena {
    struct iam_arena_chunk *head; /* the chunk small allocations come from */
    size_t chunk_size;            /* size of a new chunk; 0 means IAM_ARENA_DEFAULT_CHUNK */
};

#define IAM_ARENA_DEFAULT_CHUNK 4096u
#define IAM_ARENA_INIT(size) ((struct iam_arena){.head = NULL, .chunk_size = (size)})

/* size bytes, zeroed, aligned to IAM_ARENA_ALIGN; NULL on ENOMEM. A size of 0 returns a
 * valid pointer to no bytes. */
void *iam_arena_alloc(struct iam_arena *a, size_t size);
/* The same, not zeroed: for callers that write every byte they read. */
void *iam_arena_alloc_uninit(struct iam_arena *a, size_t size);
/* A NUL-terminated copy of len bytes of s (no alignment); NULL on ENOMEM. */
char *iam_arena_strndup(struct iam_arena *a, const char *s, size_t len);
/* Where the arena stands: the head chunk, how much of it was used, and the chunk below it
 * (large allocations are linked right below the head). */
struct iam_arena_mark {
    struct iam_arena_chunk *chunk, *below;
    size_t used;
};
struct iam_arena_mark iam_arena_mark(const struct iam_arena *a);
/* Free everything allocated since mark was taken (a mark of this arena, taken after its last
 * iam_arena_free and before any later mark that was released). */
void iam_arena_release(struct iam_arena *a, struct iam_arena_mark mark);

/* Free every chunk; the arena is then empty and can be used again. NULL-safe. */
void iam_arena_free(struct iam_arena *a);
