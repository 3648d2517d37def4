/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NSS cache reader (libc only). See nss_cache_format.h for the layout and nss_cache_read.h
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

#include "nss_cache_format.h"
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
    if (h->data_offset != ((table_end + 7) & ~UINT64_C(7)) || h->data_offset > c->size)
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

    if (h->sections[IAM_NSSC_USERS].count != h->n_users ||
        h->sections[IAM_NSSC_GROUPS].count != h->n_groups)
        return -EBADMSG;
    for (unsigned s = 0; s < IAM_NSSC_N_SECTIONS; s++) {
        uint64_t off = h->sections[s].offset, n = h->sections[s].count;

        if (off % 8 != 0 || off < h->data_offset || off > c->size ||
            n * iam_nssc_elem_size(s) > c->size - off)
            return -EBADMSG;
        /* Hash tables have at least one slot (lookups stop after count probes, so even a
         * forged full table cannot make them loop). */
        if (iam_nssc_is_table(s) && n == 0)
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

    if (!data || !ret_cache)
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
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        r = errno == ELOOP ? -EACCES : -errno;
        goto out;
    }
    if (fstat(fd, &st) < 0) {
        r = -errno;
        goto out;
    }
    r = -EACCES;
    if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IWGRP | S_IWOTH)))
        goto out;
    if (st.st_uid != 0 && (extra_owner == (uid_t)-1 || st.st_uid != extra_owner))
        goto out;
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
    struct stat st;

    if (!c || !c->mapped || lstat(path, &st) < 0)
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

/* Verify blocks first..last against their hashes (each once per handle). Kept out of line:
 * once a block is verified, lookups only test its bit. */
static __attribute__((noinline)) bool verify_blocks(struct iam_nssc *c, uint64_t first,
                                                    uint64_t last) {
    for (uint64_t b = first; b <= last; b++) {
        uint64_t start = c->hdr.data_offset + b * IAM_NSSC_BLOCK, len;

        if (c->verified[b / 8] & (1u << (b % 8)))
            continue;
        len = c->size - start < IAM_NSSC_BLOCK ? c->size - start : IAM_NSSC_BLOCK;
        if (c->fd >= 0 && load(c, start, len) < 0) {
            c->damaged = true;
            return false;
        }
        if (iam_nssc_block_hash(c->base + start, (size_t)len, c->hdr.seed, (uint32_t)b) !=
            c->blocksums[b]) {
            c->damaged = true;
            return false;
        }
        c->verified[b / 8] |= (uint8_t)(1u << (b % 8));
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

int iam_nssc_string(struct iam_nssc *c, uint32_t offset, struct iam_nssc_str *ret) {
    const struct iam_nssc_section *sec = &c->hdr.sections[IAM_NSSC_STRINGS];
    const uint8_t *p;
    uint64_t rel, room;
    uint16_t len;

    if (offset < sec->offset)
        return -EBADMSG;
    rel = (uint64_t)offset - sec->offset;
    if (rel >= sec->count || sec->count - rel < 3)
        return -EBADMSG;
    room = sec->count - rel - 3; /* bytes left for the text */
    p = get(c, offset, 2);
    if (!p)
        return -EBADMSG;
    memcpy(&len, p, sizeof(len));
    if (len > room)
        return -EBADMSG;
    p = get(c, (uint64_t)offset + 2, (uint64_t)len + 1);
    if (!p || p[len] != '\0')
        return -EBADMSG;
    ret->ptr = (const char *)p;
    ret->len = len;
    return 0;
}

static bool str_eq(const struct iam_nssc_str *s, const char *name, size_t len) {
    return s->len == len && memcmp(s->ptr, name, len) == 0;
}

static int fill_user(struct iam_nssc *c, uint32_t index, struct iam_nssc_pw *ret) {
    const struct iam_nssc_user *p = elems(c, IAM_NSSC_USERS, index, 1);
    struct iam_nssc_user u;
    struct iam_nssc_pw pw;

    if (!p)
        return -EBADMSG;
    memcpy(&u, p, sizeof(u));
    if (iam_nssc_string(c, u.name, &pw.name) < 0 || iam_nssc_string(c, u.gecos, &pw.gecos) < 0 ||
        iam_nssc_string(c, u.home, &pw.home) < 0 || iam_nssc_string(c, u.shell, &pw.shell) < 0)
        return -EBADMSG;
    pw.uid = u.uid;
    pw.gid = u.gid;
    *ret = pw;
    return 0;
}

static int fill_group(struct iam_nssc *c, uint32_t index, struct iam_nssc_gr *ret) {
    const struct iam_nssc_group *p = elems(c, IAM_NSSC_GROUPS, index, 1);
    struct iam_nssc_group g;
    struct iam_nssc_gr gr;

    if (!p)
        return -EBADMSG;
    memcpy(&g, p, sizeof(g));
    if (iam_nssc_string(c, g.name, &gr.name) < 0)
        return -EBADMSG;
    /* The member names must lie inside MEMBER_NAMES, and n names need at least 2n bytes. */
    {
        const struct iam_nssc_section *sec = &c->hdr.sections[IAM_NSSC_MEMBER_NAMES];

        if (g.members < sec->offset || g.members - sec->offset > sec->count ||
            g.members_size > sec->count - (g.members - sec->offset) ||
            g.n_members > g.members_size / 2)
            return -EBADMSG;
    }
    gr.gid = g.gid;
    gr.members = g.members;
    gr.n_members = g.n_members;
    gr.members_size = g.members_size;
    *ret = gr;
    return 0;
}

/*
 * Probe table s for a name; on a key match, match(c, ref - 1, ...) decides. Returns the
 * element index, -ENOENT or -EBADMSG. At most count probes, whatever the file holds.
 */
typedef int (*name_match_fn)(struct iam_nssc *c, uint32_t index, const char *name, size_t len,
                             void *out);

static int find_name(struct iam_nssc *c, unsigned table, const char *name, name_match_fn match,
                     void *out) {
    uint32_t n = c->hdr.sections[table].count, key, j;
    size_t len;
    uint64_t h;

    if (!name)
        return -ENOENT;
    len = strnlen(name, IAM_NSSC_MAX_NAME_PROBE);
    if (len == 0 || len >= IAM_NSSC_MAX_NAME_PROBE)
        return -ENOENT;
    h = iam_nssc_hash(name, len, c->hdr.seed);
    key = iam_nssc_name_key(h);
    j = iam_nssc_name_bucket(h, n);
    for (uint32_t probe = 0; probe < n; probe++, j = j + 1 == n ? 0 : j + 1) {
        const struct iam_nssc_slot *p = elems(c, table, j, 1);
        struct iam_nssc_slot slot;
        int r;

        if (!p)
            return -EBADMSG;
        memcpy(&slot, p, sizeof(slot));
        if (slot.ref == 0)
            return -ENOENT;
        if (slot.key != key)
            continue;
        r = match(c, slot.ref - 1, name, len, out);
        if (r != -ENOENT)
            return r;
    }
    return -ENOENT;
}

static int find_id(struct iam_nssc *c, unsigned table, uint32_t id) {
    uint32_t n = c->hdr.sections[table].count;
    uint32_t j = iam_nssc_id_bucket(id, c->hdr.seed, n);

    for (uint32_t probe = 0; probe < n; probe++, j = j + 1 == n ? 0 : j + 1) {
        const struct iam_nssc_slot *p = elems(c, table, j, 1);
        struct iam_nssc_slot slot;

        if (!p)
            return -EBADMSG;
        memcpy(&slot, p, sizeof(slot));
        if (slot.ref == 0)
            return -ENOENT;
        if (slot.key == id)
            return slot.ref <= INT_MAX ? (int)(slot.ref - 1) : -EBADMSG;
    }
    return -ENOENT;
}

/* Compare the name; only when it matches read the other fields (into out, if given). */
static int match_user(struct iam_nssc *c, uint32_t index, const char *name, size_t len, void *out) {
    const struct iam_nssc_user *p = elems(c, IAM_NSSC_USERS, index, 1);
    struct iam_nssc_user u;
    struct iam_nssc_pw pw;

    if (!p || index > INT_MAX)
        return -EBADMSG;
    memcpy(&u, p, sizeof(u));
    if (iam_nssc_string(c, u.name, &pw.name) < 0)
        return -EBADMSG;
    if (!str_eq(&pw.name, name, len))
        return -ENOENT;
    if (out) {
        if (iam_nssc_string(c, u.gecos, &pw.gecos) < 0 ||
            iam_nssc_string(c, u.home, &pw.home) < 0 || iam_nssc_string(c, u.shell, &pw.shell) < 0)
            return -EBADMSG;
        pw.uid = u.uid;
        pw.gid = u.gid;
        *(struct iam_nssc_pw *)out = pw;
    }
    return (int)index;
}

static int match_group(struct iam_nssc *c, uint32_t index, const char *name, size_t len,
                       void *out) {
    const struct iam_nssc_group *p = elems(c, IAM_NSSC_GROUPS, index, 1);
    struct iam_nssc_str s;
    uint32_t off;

    (void)out;
    if (!p || index > INT_MAX)
        return -EBADMSG;
    memcpy(&off, &p->name, sizeof(off));
    if (iam_nssc_string(c, off, &s) < 0)
        return -EBADMSG;
    return str_eq(&s, name, len) ? (int)index : -ENOENT;
}

static int match_membership(struct iam_nssc *c, uint32_t index, const char *name, size_t len,
                            void *out) {
    const struct iam_nssc_membership *p = elems(c, IAM_NSSC_MEMBERSHIPS, index, 1);
    struct iam_nssc_membership m;
    struct iam_nssc_str s;

    (void)out;
    if (!p || index > INT_MAX)
        return -EBADMSG;
    memcpy(&m, p, sizeof(m));
    if (iam_nssc_string(c, m.name, &s) < 0)
        return -EBADMSG;
    return str_eq(&s, name, len) ? (int)index : -ENOENT;
}

int iam_nssc_user_by_name(struct iam_nssc *c, const char *name, struct iam_nssc_pw *ret) {
    struct iam_nssc_pw pw;
    int i = find_name(c, IAM_NSSC_USER_BY_NAME, name, match_user, &pw);

    if (i < 0)
        return i;
    *ret = pw;
    return 0;
}

int iam_nssc_user_by_uid(struct iam_nssc *c, uint32_t uid, struct iam_nssc_pw *ret) {
    int i = find_id(c, IAM_NSSC_USER_BY_UID, uid);
    int r;

    if (i < 0)
        return i;
    r = fill_user(c, (uint32_t)i, ret);
    if (r < 0)
        return r;
    /* The slot key said uid; the record must agree, or the file is inconsistent. */
    return ret->uid == uid ? 0 : -EBADMSG;
}

int iam_nssc_user_at(struct iam_nssc *c, uint32_t index, struct iam_nssc_pw *ret) {
    if (index >= c->hdr.n_users)
        return -ENOENT;
    return fill_user(c, index, ret);
}

int iam_nssc_group_by_name(struct iam_nssc *c, const char *name, struct iam_nssc_gr *ret) {
    int i = find_name(c, IAM_NSSC_GROUP_BY_NAME, name, match_group, NULL);

    return i < 0 ? i : fill_group(c, (uint32_t)i, ret);
}

int iam_nssc_group_by_gid(struct iam_nssc *c, uint32_t gid, struct iam_nssc_gr *ret) {
    int i = find_id(c, IAM_NSSC_GROUP_BY_GID, gid);
    int r;

    if (i < 0)
        return i;
    r = fill_group(c, (uint32_t)i, ret);
    if (r < 0)
        return r;
    return ret->gid == gid ? 0 : -EBADMSG;
}

int iam_nssc_group_at(struct iam_nssc *c, uint32_t index, struct iam_nssc_gr *ret) {
    if (index >= c->hdr.n_groups)
        return -ENOENT;
    return fill_group(c, index, ret);
}

int iam_nssc_group_member_names(struct iam_nssc *c, const struct iam_nssc_gr *gr,
                                const char **ret_names) {
    const uint8_t *p;

    /* fill_group() checked the range against MEMBER_NAMES; get() verifies the blocks. */
    p = get(c, gr->members, gr->members_size);
    if (!p || (gr->members_size > 0 && p[gr->members_size - 1] != '\0'))
        return -EBADMSG;
    *ret_names = (const char *)p;
    return 0;
}

/* A user's groups are in the user record; other names in the MEMBERSHIPS records. */
int iam_nssc_member_gids(struct iam_nssc *c, const char *name, const uint32_t **ret_gids,
                         uint32_t *ret_n) {
    const struct iam_nssc_membership *mp;
    const struct iam_nssc_user *up;
    uint32_t index, count;
    const uint32_t *gids;
    int i = find_name(c, IAM_NSSC_USER_BY_NAME, name, match_user, NULL);

    if (i >= 0) {
        struct iam_nssc_user u;

        up = elems(c, IAM_NSSC_USERS, (uint32_t)i, 1);
        if (!up)
            return -EBADMSG;
        memcpy(&u, up, sizeof(u));
        index = u.gids_index;
        count = u.n_gids;
    } else if (i == -ENOENT) {
        struct iam_nssc_membership m;

        i = find_name(c, IAM_NSSC_MEMBERSHIP_BY_NAME, name, match_membership, NULL);
        if (i < 0)
            return i;
        mp = elems(c, IAM_NSSC_MEMBERSHIPS, (uint32_t)i, 1);
        if (!mp)
            return -EBADMSG;
        memcpy(&m, mp, sizeof(m));
        index = m.gids_index;
        count = m.n_gids;
    } else {
        return i;
    }
    gids = elems(c, IAM_NSSC_MEMBERSHIP_GIDS, index, count);
    if (!gids)
        return -EBADMSG;
    *ret_gids = gids;
    *ret_n = count;
    return 0;
}
