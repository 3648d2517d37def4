/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NSS cache reader (libc only). See format.h for the layout and include/nss_cache_read.h
 * for what is guaranteed. Rules followed throughout: a value is read from the cache once,
 * into a local, and checked before it is used; a region is handed out only after its blocks
 * passed their hash; every loop over file data is bounded by a validated count.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "iam_cache_dir.h"
#include "nss_cache_read.h"

struct iam_nssc {
    unsigned refs;
    const uint8_t *base;
    size_t size;
    bool mapped; /* base is our anonymous mapping, filled from fd (else borrowed memory) */
    int fd;      /* the cache file, O_CLOEXEC, for loading blocks; -1 for memory images */
    bool damaged;
    struct iam_nssc_header hdr; /* validated copy: later changes to the file cannot move it */
    const uint64_t *blocksums;  /* validated copy, n_blocks entries (points into verified) */
    uint8_t *verified;          /* one bit per block */
    /* identity of the opened file, for iam_nssc_changed() */
    dev_t dev;
    ino_t ino;
    off_t st_size;
    struct timespec mtime, ctime;
};

static int validate_header(struct iam_nssc *c) {
    const struct iam_nssc_header *h = &c->hdr;
    uint64_t expect_blocks, table_end;
    uint64_t *sums;
    uint8_t *mem;

    if (c->size < sizeof(*h) || c->size > IAM_NSSC_MAX_FILE)
        return -EBADMSG;
    memcpy(&c->hdr, c->base, sizeof(c->hdr));
    if (memcmp(h->magic, IAM_NSSC_MAGIC, IAM_NSSC_MAGIC_LEN) != 0)
        return -EBADMSG;
    if (h->version != IAM_NSSC_VERSION)
        return -ENOTSUP;
    if (h->header_size != sizeof(*h) || h->file_size != c->size ||
        h->block_size != IAM_NSSC_BLOCK || h->blocksum_offset != sizeof(*h))
        return -EBADMSG;
    table_end = (uint64_t)h->blocksum_offset + (uint64_t)h->n_blocks * sizeof(uint64_t);
    if (h->data_offset != ((table_end + IAM_NSSC_SECTION_ALIGN - 1) &
                           ~(uint64_t)(IAM_NSSC_SECTION_ALIGN - 1)) ||
        h->data_offset > c->size)
        return -EBADMSG;
    /* The padding up to the data area is covered by no hash: it must be zero. */
    for (uint64_t i = table_end; i < h->data_offset; i++)
        if (c->base[i] != 0)
            return -EBADMSG;
    expect_blocks = (c->size - h->data_offset + IAM_NSSC_BLOCK - 1) / IAM_NSSC_BLOCK;
    if (h->n_blocks != expect_blocks)
        return -EBADMSG;

    /* Copy the block table out of the file, then check the header hash on the copies. */
    mem = calloc(1, (size_t)h->n_blocks * sizeof(uint64_t) + h->n_blocks / 8 + 1);
    if (!mem)
        return -ENOMEM;
    sums = (uint64_t *)(void *)mem;
    memcpy(sums, c->base + h->blocksum_offset, (size_t)h->n_blocks * sizeof(uint64_t));
    c->blocksums = sums;
    c->verified = mem + (size_t)h->n_blocks * sizeof(uint64_t);
    if (iam_nssc_header_hash(h, (const uint8_t *)sums, h->n_blocks) != h->header_hash)
        return -EBADMSG;

    if (h->sections[IAM_NSSC_USER_LINES].count !=
            h->sections[IAM_NSSC_USER_BY_NAME].count / IAM_NSSC_LINE_SLOTS ||
        h->sections[IAM_NSSC_GROUP_LINES].count !=
            h->sections[IAM_NSSC_GROUP_BY_NAME].count / IAM_NSSC_LINE_SLOTS ||
        h->sections[IAM_NSSC_USER_INDEX].count != h->n_users ||
        h->sections[IAM_NSSC_GROUP_INDEX].count != h->n_groups)
        return -EBADMSG;
    for (unsigned s = 0; s < IAM_NSSC_N_SECTIONS; s++) {
        uint64_t off = h->sections[s].offset, n = h->sections[s].count;

        if (off % 8 != 0 || off < h->data_offset || off > c->size ||
            n * iam_nssc_elem_size(s) > c->size - off)
            return -EBADMSG;
        /* Hash tables are whole lines of slots, at least one (lookups stop after count
         * probes, so even a forged full table cannot make them loop). */
        if (iam_nssc_is_table(s) && (n == 0 || n % IAM_NSSC_LINE_SLOTS != 0))
            return -EBADMSG;
    }
    return 0;
}

static void nssc_free(struct iam_nssc *c) {
    if (!c)
        return;
    if (c->mapped && c->base)
        (void)munmap((void *)(uintptr_t)c->base, c->size);
    if (c->fd >= 0)
        close(c->fd);
    free((void *)(uintptr_t)c->blocksums);
    free(c);
}

int iam_nssc_open_memory(const void *data, size_t size, struct iam_nssc **ret_cache) {
    struct iam_nssc *c;
    int r;

    if (!data || !ret_cache || (uintptr_t)data % 8 != 0)
        return -EINVAL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->refs = 1;
    c->fd = -1;
    c->base = data;
    c->size = size;
    r = validate_header(c);
    if (r < 0) {
        nssc_free(c);
        return r;
    }
    *ret_cache = c;
    return 0;
}

/* Copy [off, off + len) of the file into our memory. 0, or -EBADMSG when the file is shorter
 * than it was (truncated in place) or no longer the file we opened, or -errno. */
static int load(struct iam_nssc *c, uint64_t off, uint64_t len) {
    uint8_t *dst = (uint8_t *)(uintptr_t)c->base + off;

    if (off > c->size || len > c->size - off)
        return -EBADMSG;
    while (len > 0) {
        ssize_t n = pread(c->fd, dst, (size_t)len, (off_t)off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == ESPIPE || errno == EBADF ? -EBADMSG : -errno;
        if (n == 0)
            return -EBADMSG; /* shorter than at open: truncated under us */
        dst += n;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

/*
 * The file is never mapped. A shared or private file mapping dies of SIGBUS when the file is
 * truncated in place (the kernel unmaps even copied-on-write private pages past the new end),
 * and a library in every process must not install a signal handler. Instead the cache lives
 * in an anonymous mapping of the file's size, filled block by block with pread() the first
 * time a lookup needs the block (verify_blocks), from a descriptor kept open (O_CLOEXEC).
 * Untouched blocks cost no memory; a touched block costs one pread once per process. A file
 * truncated or replaced under us gives short reads or hash mismatches: -EBADMSG, never a
 * signal. If the program closes our descriptor (or reuses its number), pread fails or reads
 * other bytes, which the block hash refuses; the module then re-opens the cache.
 */
int iam_nssc_open(const char *path, uid_t extra_owner, struct iam_nssc **ret_cache) {
    struct iam_nssc *c = NULL;
    struct iam_nssc_header h;
    struct stat st;
    void *map;
    int fd = -1, r;

    if (!path || !ret_cache)
        return -EINVAL;
    /* through <dir>/current when the directory has generations (iam_cache_dir.h); the file
     * is opened O_NOFOLLOW and must be a regular file owned by root (or extra_owner), not
     * writable by group or others */
    r = iam_cache_open(path, extra_owner, &fd, &st);
    if (r < 0) {
        fd = -1;
        goto out;
    }
    r = -EBADMSG;
    if (st.st_size < (off_t)sizeof(struct iam_nssc_header) ||
        (uint64_t)st.st_size > IAM_NSSC_MAX_FILE)
        goto out;
    map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED) {
        r = -errno;
        goto out;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        (void)munmap(map, (size_t)st.st_size);
        r = -ENOMEM;
        goto out;
    }
    c->refs = 1;
    c->base = map;
    c->size = (size_t)st.st_size;
    c->mapped = true;
    c->fd = fd;
    fd = -1;
    c->dev = st.st_dev;
    c->ino = st.st_ino;
    c->st_size = st.st_size;
    c->mtime = st.st_mtim;
    c->ctime = st.st_ctim;
    /* The header, then the block table it describes (validate_header checks both). */
    r = load(c, 0, sizeof(h));
    if (r < 0)
        goto out;
    memcpy(&h, c->base, sizeof(h));
    if (h.data_offset > sizeof(h) && h.data_offset <= c->size) {
        r = load(c, sizeof(h), h.data_offset - sizeof(h));
        if (r < 0)
            goto out;
    }
    r = validate_header(c);
    if (r < 0)
        goto out;
    *ret_cache = c;
    c = NULL;
    r = 0;
out:
    nssc_free(c);
    if (fd >= 0)
        close(fd);
    return r;
}

struct iam_nssc *iam_nssc_ref(struct iam_nssc *c) {
    if (c)
        c->refs++;
    return c;
}

struct iam_nssc *iam_nssc_unref(struct iam_nssc *c) {
    if (c && --c->refs == 0)
        nssc_free(c);
    return NULL;
}

int iam_nssc_changed(const struct iam_nssc *c, const char *path) {
    char now[PATH_MAX];
    struct stat st;

    /* the file path names now (through `current`), then its identity */
    if (!c || !c->mapped || iam_cache_current_path(path, now, sizeof(now)) < 0 ||
        lstat(now, &st) < 0)
        return 1;
    return st.st_dev != c->dev || st.st_ino != c->ino || st.st_size != c->st_size ||
           st.st_mtim.tv_sec != c->mtime.tv_sec || st.st_mtim.tv_nsec != c->mtime.tv_nsec ||
           st.st_ctim.tv_sec != c->ctime.tv_sec || st.st_ctim.tv_nsec != c->ctime.tv_nsec;
}

bool iam_nssc_is_damaged(const struct iam_nssc *c) {
    return !c || c->damaged;
}

uint32_t iam_nssc_n_users(const struct iam_nssc *c) {
    return c->hdr.n_users;
}

uint32_t iam_nssc_n_groups(const struct iam_nssc *c) {
    return c->hdr.n_groups;
}

static bool is_verified(const struct iam_nssc *c, uint64_t b) {
    return c->verified[b / 8] & (1u << (b % 8));
}

/* Verify blocks first..last against their hashes (each once per handle). Each run of blocks
 * not yet loaded comes in with one pread (a record spanning two blocks costs one system call,
 * not two). Kept out of line: once a block is verified, lookups only test its bit. */
static __attribute__((noinline)) bool verify_blocks(struct iam_nssc *c, uint64_t first,
                                                    uint64_t last) {
    for (uint64_t b = first; b <= last; b++) {
        uint64_t start = c->hdr.data_offset + b * IAM_NSSC_BLOCK, end = b;

        if (is_verified(c, b))
            continue;
        while (end < last && !is_verified(c, end + 1))
            end++;
        if (c->fd >= 0) {
            uint64_t stop = c->hdr.data_offset + (end + 1) * IAM_NSSC_BLOCK;

            if (load(c, start, (stop < c->size ? stop : c->size) - start) < 0) {
                c->damaged = true;
                return false;
            }
        }
        for (; b <= end; b++) {
            uint64_t at = c->hdr.data_offset + b * IAM_NSSC_BLOCK;
            uint64_t len = c->size - at < IAM_NSSC_BLOCK ? c->size - at : IAM_NSSC_BLOCK;

            if (iam_nssc_block_hash(c->base + at, (size_t)len, c->hdr.seed, (uint32_t)b) !=
                c->blocksums[b]) {
                c->damaged = true;
                return false;
            }
            c->verified[b / 8] |= (uint8_t)(1u << (b % 8));
        }
        b = end;
    }
    return true;
}

/* [off, off + len) inside the data area with every block verified, or NULL. */
static inline const uint8_t *get(struct iam_nssc *c, uint64_t off, uint64_t len) {
    uint64_t first, last;

    if (c->damaged || off < c->hdr.data_offset || off > c->size || len > c->size - off)
        return NULL;
    if (len == 0)
        return c->base + off;
    first = (off - c->hdr.data_offset) / IAM_NSSC_BLOCK;
    last = (off + len - 1 - c->hdr.data_offset) / IAM_NSSC_BLOCK;
    if (first == last && (c->verified[first / 8] & (1u << (first % 8))))
        return c->base + off;
    return verify_blocks(c, first, last) ? c->base + off : NULL;
}

/* count elements of a section from index, or NULL. */
static inline const void *elems(struct iam_nssc *c, unsigned s, uint64_t index, uint64_t count) {
    const struct iam_nssc_section *sec = &c->hdr.sections[s];
    size_t es = iam_nssc_elem_size(s);

    if (index > sec->count || count > sec->count - index)
        return NULL;
    return get(c, sec->offset + index * es, count * es);
}

/* [off, off + len) of section s, as a pointer into verified memory, or NULL. */
static inline const uint8_t *in_section(struct iam_nssc *c, unsigned s, uint64_t off,
                                        uint64_t len) {
    const struct iam_nssc_section *sec = &c->hdr.sections[s];

    if (off < sec->offset || off - sec->offset > sec->count ||
        len > sec->count - (off - sec->offset))
        return NULL;
    return get(c, off, len);
}

static bool str_eq(const struct iam_nssc_str *s, const char *name, size_t len) {
    return s->len == len && memcmp(s->ptr, name, len) == 0;
}

/*
 * A user record at file offset off: its fixed part and strings checked and verified (each
 * string ends in a NUL where its length says), the whole record including its gids inside
 * USERS. *ret_gids is the file offset of the gids.
 */
static int read_user(struct iam_nssc *c, uint64_t off, struct iam_nssc_pw *ret, uint64_t *ret_gids,
                     uint32_t *ret_n_gids) {
    const struct iam_nssc_section *sec = &c->hdr.sections[IAM_NSSC_USERS];
    struct iam_nssc_user u;
    const uint8_t *p;
    uint64_t strs, gids, room;
    size_t at;

    if (off % 8 != 0 || off < sec->offset || off - sec->offset > sec->count)
        return -EBADMSG;
    room = sec->count - (off - sec->offset);
    if (room < sizeof(u))
        return -EBADMSG;
    p = get(c, off, sizeof(u));
    if (!p)
        return -EBADMSG;
    memcpy(&u, p, sizeof(u));
    strs = iam_nssc_user_strings_end(u.name_len, u.gecos_len, u.home_len, u.shell_len);
    gids = iam_nssc_align4(strs);
    if (u.name_len == 0 || gids > room || (uint64_t)u.n_gids > (room - gids) / sizeof(uint32_t))
        return -EBADMSG;
    p = get(c, off, strs);
    if (!p)
        return -EBADMSG;
    at = sizeof(u);
    ret->name = (struct iam_nssc_str){(const char *)p + at, u.name_len};
    at += (size_t)u.name_len + 1;
    ret->gecos = (struct iam_nssc_str){(const char *)p + at, u.gecos_len};
    at += (size_t)u.gecos_len + 1;
    ret->home = (struct iam_nssc_str){(const char *)p + at, u.home_len};
    at += (size_t)u.home_len + 1;
    ret->shell = (struct iam_nssc_str){(const char *)p + at, u.shell_len};
    if (ret->name.ptr[u.name_len] != '\0' || ret->gecos.ptr[u.gecos_len] != '\0' ||
        ret->home.ptr[u.home_len] != '\0' || ret->shell.ptr[u.shell_len] != '\0')
        return -EBADMSG;
    ret->uid = u.uid;
    ret->gid = u.gid;
    *ret_gids = off + gids;
    *ret_n_gids = u.n_gids;
    return 0;
}

/* A group record at file offset off, checked as read_user() checks a user. */
static int read_group(struct iam_nssc *c, uint64_t off, struct iam_nssc_gr *ret) {
    const struct iam_nssc_section *sec = &c->hdr.sections[IAM_NSSC_GROUPS];
    struct iam_nssc_group g;
    const uint8_t *p;
    uint64_t room, head;

    if (off % 8 != 0 || off < sec->offset || off - sec->offset > sec->count)
        return -EBADMSG;
    room = sec->count - (off - sec->offset);
    if (room < sizeof(g))
        return -EBADMSG;
    p = get(c, off, sizeof(g));
    if (!p)
        return -EBADMSG;
    memcpy(&g, p, sizeof(g));
    head = sizeof(g) + (uint64_t)g.name_len + 1;
    /* Each member name takes at least 2 bytes (one character and its NUL). */
    if (g.name_len == 0 || head > room || g.n_members > room - head ||
        g.members_size > room - head - g.n_members || g.n_members > g.members_size / 2)
        return -EBADMSG;
    p = get(c, off, head);
    if (!p || p[head - 1] != '\0')
        return -EBADMSG;
    ret->name = (struct iam_nssc_str){(const char *)p + sizeof(g), g.name_len};
    ret->gid = g.gid;
    ret->lens = (uint32_t)(off + head);
    ret->members = (uint32_t)(off + head + g.n_members);
    ret->n_members = g.n_members;
    ret->members_size = g.members_size;
    return 0;
}

/* A membership record: its name and the file offset and count of its gids. */
static int read_membership(struct iam_nssc *c, uint64_t off, struct iam_nssc_str *ret_name,
                           uint64_t *ret_gids, uint32_t *ret_n_gids) {
    const struct iam_nssc_section *sec = &c->hdr.sections[IAM_NSSC_MEMBERSHIPS];
    struct iam_nssc_membership m;
    const uint8_t *p;
    uint64_t room, head, gids;

    if (off % 8 != 0 || off < sec->offset || off - sec->offset > sec->count)
        return -EBADMSG;
    room = sec->count - (off - sec->offset);
    if (room < sizeof(m))
        return -EBADMSG;
    p = get(c, off, sizeof(m));
    if (!p)
        return -EBADMSG;
    memcpy(&m, p, sizeof(m));
    head = sizeof(m) + (uint64_t)m.name_len + 1;
    gids = iam_nssc_align4(head);
    if (m.name_len == 0 || gids > room || (uint64_t)m.n_gids > (room - gids) / sizeof(uint32_t))
        return -EBADMSG;
    p = get(c, off, head);
    if (!p || p[head - 1] != '\0')
        return -EBADMSG;
    *ret_name = (struct iam_nssc_str){(const char *)p + sizeof(m), m.name_len};
    *ret_gids = off + gids;
    *ret_n_gids = m.n_gids;
    return 0;
}

/*
 * Probe table s for a key: the line the hash picks, then the next ones, wrapping, at most
 * count slots whatever the file holds. For each slot whose key matches, match(c, off, ctx)
 * decides: a value other than -ENOENT ends the search. Returns that, or -ENOENT, -EBADMSG.
 */
typedef int (*slot_match_fn)(struct iam_nssc *c, uint32_t off, void *ctx);

static int probe(struct iam_nssc *c, unsigned table, uint32_t start, uint32_t key,
                 slot_match_fn match, void *ctx) {
    uint32_t n = c->hdr.sections[table].count, j = start;

    for (uint32_t done = 0; done < n; done += IAM_NSSC_LINE_SLOTS) {
        const struct iam_nssc_slot *line = elems(c, table, j, IAM_NSSC_LINE_SLOTS);

        if (!line)
            return -EBADMSG;
        for (unsigned k = 0; k < IAM_NSSC_LINE_SLOTS; k++) {
            struct iam_nssc_slot slot;
            int r;

            memcpy(&slot, &line[k], sizeof(slot));
            if (slot.off == 0)
                return -ENOENT;
            if (slot.key != key)
                continue;
            r = match(c, slot.off, ctx);
            if (r != -ENOENT)
                return r;
        }
        j += IAM_NSSC_LINE_SLOTS;
        if (j >= n)
            j = 0;
    }
    return -ENOENT;
}

struct name_query {
    const char *name;
    size_t len;
    struct iam_nssc_pw *pw;
    struct iam_nssc_gr *gr;
    uint64_t gids;
    uint32_t n_gids;
};

static int name_query_init(struct iam_nssc *c, const char *name, struct name_query *q,
                           uint64_t *ret_hash) {
    if (!name)
        return -ENOENT;
    q->name = name;
    q->len = strnlen(name, IAM_NSSC_MAX_NAME_PROBE);
    if (q->len == 0 || q->len >= IAM_NSSC_MAX_NAME_PROBE)
        return -ENOENT;
    *ret_hash = iam_nssc_hash(name, q->len, c->hdr.seed);
    return 0;
}

static int match_user_name(struct iam_nssc *c, uint32_t off, void *ctx) {
    struct name_query *q = ctx;
    int r = read_user(c, off, q->pw, &q->gids, &q->n_gids);

    if (r < 0)
        return r;
    return str_eq(&q->pw->name, q->name, q->len) ? 0 : -ENOENT;
}

static int match_group_name(struct iam_nssc *c, uint32_t off, void *ctx) {
    struct name_query *q = ctx;
    int r = read_group(c, off, q->gr);

    if (r < 0)
        return r;
    return str_eq(&q->gr->name, q->name, q->len) ? 0 : -ENOENT;
}

static int match_membership_name(struct iam_nssc *c, uint32_t off, void *ctx) {
    struct name_query *q = ctx;
    struct iam_nssc_str s;
    int r = read_membership(c, off, &s, &q->gids, &q->n_gids);

    if (r < 0)
        return r;
    return str_eq(&s, q->name, q->len) ? 0 : -ENOENT;
}

/*
 * Start loading the records of the slots of one line of a name table (their first
 * IAM_NSSC_PREFETCH_LINES cache lines), so they are on their way while probe() waits for the
 * line itself. Only a hint: the address is kept inside the record section, and nothing is
 * read through it (probe() and the record readers check everything as always).
 */
#ifndef IAM_NSSC_PREFETCH_LINES
#define IAM_NSSC_PREFETCH_LINES 4u
#endif

static inline void prefetch_line_records(struct iam_nssc *c, unsigned lines, unsigned records,
                                         uint32_t line) {
    const struct iam_nssc_section *sec = &c->hdr.sections[records];
    const uint32_t *p = elems(c, lines, line, 1);
    uint32_t off;

    if (!p)
        return;
    memcpy(&off, p, sizeof(off));
    for (uint32_t i = 0; i < IAM_NSSC_PREFETCH_LINES; i++) {
        uint64_t at = (uint64_t)off + (uint64_t)i * 64;

        if (at < sec->offset || at - sec->offset >= sec->count)
            break;
        __builtin_prefetch(c->base + at);
    }
}

static int find_user_by_name(struct iam_nssc *c, const char *name, struct iam_nssc_pw *pw,
                             struct name_query *q) {
    unsigned t = IAM_NSSC_USER_BY_NAME;
    uint32_t start;
    uint64_t h;
    int r = name_query_init(c, name, q, &h);

    if (r < 0)
        return r;
    q->pw = pw;
    start = iam_nssc_name_start(h, c->hdr.sections[t].count);
    prefetch_line_records(c, IAM_NSSC_USER_LINES, IAM_NSSC_USERS, start / IAM_NSSC_LINE_SLOTS);
    return probe(c, t, start, iam_nssc_name_key(h), match_user_name, q);
}

int iam_nssc_user_by_name(struct iam_nssc *c, const char *name, struct iam_nssc_pw *ret) {
    struct iam_nssc_pw pw;
    struct name_query q;
    int r = find_user_by_name(c, name, &pw, &q);

    if (r < 0)
        return r;
    *ret = pw;
    return 0;
}

struct id_query {
    uint32_t id;
    struct iam_nssc_pw *pw;
    struct iam_nssc_gr *gr;
};

/* The slot said id; the record must agree, or the file is inconsistent. */
static int match_uid(struct iam_nssc *c, uint32_t off, void *ctx) {
    struct id_query *q = ctx;
    uint64_t gids;
    uint32_t n;
    int r = read_user(c, off, q->pw, &gids, &n);

    if (r < 0)
        return r;
    return q->pw->uid == q->id ? 0 : -EBADMSG;
}

static int match_gid(struct iam_nssc *c, uint32_t off, void *ctx) {
    struct id_query *q = ctx;
    int r = read_group(c, off, q->gr);

    if (r < 0)
        return r;
    return q->gr->gid == q->id ? 0 : -EBADMSG;
}

int iam_nssc_user_by_uid(struct iam_nssc *c, uint32_t uid, struct iam_nssc_pw *ret) {
    unsigned t = IAM_NSSC_USER_BY_UID;
    struct iam_nssc_pw pw = {0}; /* filled by match_uid() through q */
    struct id_query q = {.id = uid, .pw = &pw};
    int r = probe(c, t, iam_nssc_id_start(uid, c->hdr.seed, c->hdr.sections[t].count), uid,
                  match_uid, &q);

    if (r < 0)
        return r;
    *ret = pw;
    return 0;
}

int iam_nssc_user_at(struct iam_nssc *c, uint32_t index, struct iam_nssc_pw *ret) {
    const uint32_t *p;
    struct iam_nssc_pw pw;
    uint64_t gids;
    uint32_t off, n;
    int r;

    if (index >= c->hdr.n_users)
        return -ENOENT;
    p = elems(c, IAM_NSSC_USER_INDEX, index, 1);
    if (!p)
        return -EBADMSG;
    memcpy(&off, p, sizeof(off));
    r = read_user(c, off, &pw, &gids, &n);
    if (r < 0)
        return r;
    *ret = pw;
    return 0;
}

int iam_nssc_group_by_name(struct iam_nssc *c, const char *name, struct iam_nssc_gr *ret) {
    unsigned t = IAM_NSSC_GROUP_BY_NAME;
    struct iam_nssc_gr gr;
    struct name_query q;
    uint32_t start;
    uint64_t h;
    int r = name_query_init(c, name, &q, &h);

    if (r < 0)
        return r;
    q.gr = &gr;
    start = iam_nssc_name_start(h, c->hdr.sections[t].count);
    prefetch_line_records(c, IAM_NSSC_GROUP_LINES, IAM_NSSC_GROUPS, start / IAM_NSSC_LINE_SLOTS);
    r = probe(c, t, start, iam_nssc_name_key(h), match_group_name, &q);
    if (r < 0)
        return r;
    *ret = gr;
    return 0;
}

int iam_nssc_group_by_gid(struct iam_nssc *c, uint32_t gid, struct iam_nssc_gr *ret) {
    unsigned t = IAM_NSSC_GROUP_BY_GID;
    struct iam_nssc_gr gr = {0}; /* filled by match_gid() through q */
    struct id_query q = {.id = gid, .gr = &gr};
    int r = probe(c, t, iam_nssc_id_start(gid, c->hdr.seed, c->hdr.sections[t].count), gid,
                  match_gid, &q);

    if (r < 0)
        return r;
    *ret = gr;
    return 0;
}

int iam_nssc_group_at(struct iam_nssc *c, uint32_t index, struct iam_nssc_gr *ret) {
    const uint32_t *p;
    struct iam_nssc_gr gr;
    uint32_t off;
    int r;

    if (index >= c->hdr.n_groups)
        return -ENOENT;
    p = elems(c, IAM_NSSC_GROUP_INDEX, index, 1);
    if (!p)
        return -EBADMSG;
    memcpy(&off, p, sizeof(off));
    r = read_group(c, off, &gr);
    if (r < 0)
        return r;
    *ret = gr;
    return 0;
}

int iam_nssc_group_members(struct iam_nssc *c, const struct iam_nssc_gr *gr,
                           const uint8_t **ret_lens, const char **ret_names) {
    const uint8_t *p;

    /* The lengths and the names are contiguous, inside GROUPS (read_group() checked the
     * record; checked again here, for a gr that did not come from it). */
    if ((uint64_t)gr->lens + gr->n_members != gr->members)
        return -EBADMSG;
    p = in_section(c, IAM_NSSC_GROUPS, gr->lens, (uint64_t)gr->n_members + gr->members_size);
    if (!p || (gr->members_size > 0 && p[gr->n_members + gr->members_size - 1] != '\0'))
        return -EBADMSG;
    *ret_lens = p;
    *ret_names = (const char *)p + gr->n_members;
    return 0;
}

int iam_nssc_group_member_names(struct iam_nssc *c, const struct iam_nssc_gr *gr,
                                const char **ret_names) {
    const uint8_t *lens;

    return iam_nssc_group_members(c, gr, &lens, ret_names);
}

/* A user's groups are in the user record; other names in the MEMBERSHIPS records. */
int iam_nssc_member_gids(struct iam_nssc *c, const char *name, const uint32_t **ret_gids,
                         uint32_t *ret_n) {
    struct iam_nssc_pw pw;
    struct name_query q;
    const void *gids;
    int r = find_user_by_name(c, name, &pw, &q);

    if (r == -ENOENT) {
        unsigned t = IAM_NSSC_MEMBERSHIP_BY_NAME;
        uint64_t h;

        r = name_query_init(c, name, &q, &h);
        if (r < 0)
            return r;
        r = probe(c, t, iam_nssc_name_start(h, c->hdr.sections[t].count), iam_nssc_name_key(h),
                  match_membership_name, &q);
    }
    if (r < 0)
        return r;
    /* Inside the record the reader checked; 4-aligned (records are 8-aligned, so are the
     * mapping and every image iam_nssc_open_memory() accepts). */
    gids = get(c, q.gids, (uint64_t)q.n_gids * sizeof(uint32_t));
    if (!gids)
        return -EBADMSG;
    *ret_gids = gids;
    *ret_n = q.n_gids;
    return 0;
}
