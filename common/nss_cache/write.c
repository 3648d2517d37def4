/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NSS cache writer: plain structs in, a validated cache image out (format.h), then
 * an atomic install. Nothing here trusts the database: every field that would end up in a
 * passwd or group line is checked, so a bad database can never produce a bad cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iam/nss_cache.h"
#include "iam/fileio.h"
#include "format.h"
#include "write_private.h"

#define ALIGN8(x) (((x) + UINT64_C(7)) & ~UINT64_C(7))
#define ALIGN64(x) (((x) + UINT64_C(63)) & ~UINT64_C(63))

/* ---- field validation ---- */

static bool all_digits(const char *s) {
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* 0 or -EINVAL; *why names the problem. */
int iam_nssc_check_name(const char *name, const char **why) {
    size_t len;

    if (!name || !*name) {
        *why = "empty name";
        return -EINVAL;
    }
    len = strlen(name);
    if (len > IAM_NSS_NAME_MAX) {
        *why = "name longer than 255 bytes";
        return -EINVAL;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x21 || *p == 0x7f) {
            *why = "name contains whitespace or a control character";
            return -EINVAL;
        }
        if (*p == ':' || *p == ',' || *p == '/') {
            *why = "name contains ':', ',' or '/'";
            return -EINVAL;
        }
    }
    if (name[0] == '-' || name[0] == '+') {
        *why = "name starts with '-' or '+'";
        return -EINVAL;
    }
    if (all_digits(name)) {
        *why = "name is all digits";
        return -EINVAL;
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        *why = "name is '.' or '..'";
        return -EINVAL;
    }
    return 0;
}

int iam_nss_name_valid(const char *name) {
    const char *why;

    return iam_nssc_check_name(name, &why);
}

int iam_nssc_check_field(const char *value, bool path, const char **why) {
    size_t len;

    if (!value || !*value)
        return 0;
    len = strlen(value);
    if (len > IAM_NSS_FIELD_MAX) {
        *why = "longer than 4095 bytes";
        return -EINVAL;
    }
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            *why = "contains a newline or control character";
            return -EINVAL;
        }
        if (*p == ':') {
            *why = "contains ':'";
            return -EINVAL;
        }
    }
    if (path && value[0] != '/') {
        *why = "is not an absolute path";
        return -EINVAL;
    }
    return 0;
}

bool iam_nssc_id_valid(uint64_t id) {
    return id != 0 && id != 65535 && id != UINT32_MAX && id <= UINT32_MAX;
}

static const char *str_or_empty(const char *s) {
    return s ? s : "";
}

/* ---- member names -> groups (for initgroups) ---- */

struct member_entry {
    const char *name;
    uint64_t hash;
    uint32_t count;    /* groups listing this name */
    uint32_t first;    /* mm: file offset of its gid list (in its user or membership record);
                        * um: the user's index */
    uint32_t fill;     /* gids written so far */
    size_t last_group; /* last group seen listing it, + 1 (duplicate detection) */
};

struct member_map {
    struct member_entry *entries; /* in first-seen order */
    size_t n, cap;
    uint32_t *slots; /* entry index + 1 */
    size_t n_slots;
    uint64_t seed;
};

static void member_map_done(struct member_map *m) {
    free(m->entries);
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

static int member_map_grow(struct member_map *m) {
    size_t n = m->n_slots ? m->n_slots * 2 : 1024;
    uint32_t *s = calloc(n, sizeof(*s));

    if (!s)
        return -ENOMEM;
    for (size_t i = 0; i < m->n; i++) {
        size_t j;

        for (j = m->entries[i].hash & (n - 1); s[j]; j = (j + 1) & (n - 1))
            ;
        s[j] = (uint32_t)i + 1;
    }
    free(m->slots);
    m->slots = s;
    m->n_slots = n;
    return 0;
}

/* Find name, adding it when add is set; NULL when absent (or on ENOMEM, with *r set). */
static struct member_entry *member_map_get(struct member_map *m, const char *name, bool add,
                                           int *r) {
    uint64_t h = iam_nssc_hash(name, strlen(name), m->seed);
    size_t j;

    *r = 0;
    if (add && (m->n + 1) * 2 > m->n_slots) {
        *r = member_map_grow(m);
        if (*r < 0)
            return NULL;
    }
    if (!m->n_slots)
        return NULL;
    for (j = h & (m->n_slots - 1); m->slots[j]; j = (j + 1) & (m->n_slots - 1)) {
        struct member_entry *e = &m->entries[m->slots[j] - 1];

        if (e->hash == h && strcmp(e->name, name) == 0)
            return e;
    }
    if (!add)
        return NULL;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        struct member_entry *e = reallocarray(m->entries, cap, sizeof(*e));

        if (!e) {
            *r = -ENOMEM;
            return NULL;
        }
        m->entries = e;
        m->cap = cap;
    }
    m->entries[m->n] = (struct member_entry){.name = name, .hash = h};
    m->slots[j] = (uint32_t)++m->n;
    return &m->entries[m->n - 1];
}

/* ---- hash tables inside the image ---- */

/*
 * Insert by name. idx (the writer's own, n_slots entries) remembers which entry each slot
 * holds, for the duplicate check and its message. Returns 0, or -EEXIST with *ret_other the
 * index already holding the name.
 */
static int table_put_name(struct iam_nssc_slot *t, uint32_t *idx, uint32_t n_slots, uint64_t seed,
                          const char *name, uint32_t off, uint32_t index,
                          const char *(*name_of)(const void *, uint32_t), const void *ctx,
                          uint32_t *ret_other) {
    uint64_t h = iam_nssc_hash(name, strlen(name), seed);
    uint32_t key = iam_nssc_name_key(h);

    for (uint32_t j = iam_nssc_name_start(h, n_slots);; j = j + 1 == n_slots ? 0 : j + 1) {
        if (!t[j].off) {
            t[j].key = key;
            t[j].off = off;
            idx[j] = index;
            return 0;
        }
        if (t[j].key == key && strcmp(name_of(ctx, idx[j]), name) == 0) {
            *ret_other = idx[j];
            return -EEXIST;
        }
    }
}

static int table_put_id(struct iam_nssc_slot *t, uint32_t *idx, uint32_t n_slots, uint64_t seed,
                        uint32_t id, uint32_t off, uint32_t index, uint32_t *ret_other) {
    for (uint32_t j = iam_nssc_id_start(id, seed, n_slots);; j = j + 1 == n_slots ? 0 : j + 1) {
        if (!t[j].off) {
            t[j].key = id;
            t[j].off = off;
            idx[j] = index;
            return 0;
        }
        if (t[j].key == id) {
            *ret_other = idx[j];
            return -EEXIST;
        }
    }
}

static const char *user_name_of(const void *ctx, uint32_t i) {
    return ((const struct iam_nss_user *)ctx)[i].name;
}

static const char *group_name_of(const void *ctx, uint32_t i) {
    return ((const struct iam_nss_group *)ctx)[i].name;
}

static const char *array_name_of(const void *ctx, uint32_t i) {
    return ((const char *const *)ctx)[i];
}

static uint64_t make_seed(void) {
    uint64_t seed = 0;
    struct timespec ts;

    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
        return seed;
    /* No entropy yet (early boot): the seed only spreads hash buckets, it guards nothing. */
    clock_gettime(CLOCK_REALTIME, &ts);
    return iam_nssc_fold((uint64_t)ts.tv_sec ^ IAM_NSSC_K1,
                         (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ IAM_NSSC_K2);
}

static void *section_ptr(uint8_t *img, const struct iam_nssc_header *h, unsigned s) {
    return img + h->sections[s].offset;
}

/* Record sizes (before the padding to 8). */
static uint64_t user_record_size(const struct iam_nss_user *u, uint32_t n_gids) {
    uint64_t strs = iam_nssc_user_strings_end(strlen(u->name), strlen(str_or_empty(u->gecos)),
                                              strlen(str_or_empty(u->home)),
                                              strlen(str_or_empty(u->shell)));

    return iam_nssc_align4(strs) + (uint64_t)n_gids * sizeof(uint32_t);
}

static uint64_t membership_record_size(const char *name, uint32_t n_gids) {
    return iam_nssc_align4(sizeof(struct iam_nssc_membership) + strlen(name) + 1) +
           (uint64_t)n_gids * sizeof(uint32_t);
}

static uint64_t group_record_size(const struct iam_nss_group *g) {
    uint64_t n = sizeof(struct iam_nssc_group) + strlen(g->name) + 1 + g->n_members;

    for (size_t k = 0; k < g->n_members; k++)
        n += strlen(g->members[k]) + 1;
    return n;
}

static uint8_t *put_str(uint8_t *p, const char *s, size_t len) {
    memcpy(p, s, len);
    p[len] = '\0';
    return p + len + 1;
}

/* ---- building the image ---- */

/* Everything one build works on, so that each of its steps can be a function of its own. */
struct nss_build {
    const struct iam_nss_user *users;
    size_t n_users;
    const struct iam_nss_group *groups;
    size_t n_groups;
    struct member_map mm;           /* member names -> the groups listing them */
    struct member_map um;           /* user names -> user index (duplicate check) */
    uint32_t *user_off, *group_off; /* file offset of each user's and group's record */
    uint32_t *ms_off;               /* file offset of each MEMBERSHIPS record */
    uint32_t *ms_of_entry;          /* mm entry -> MEMBERSHIPS index, UINT32_MAX for users */
    const char **ms_names;          /* MEMBERSHIPS index -> name */
    uint32_t n_ms;
    /* each name looked up in mm once: user index -> its entry + 1 (0: in no group), and the
     * k-th member of all groups in order -> its entry */
    uint32_t *user_ent, *member_ent;
    uint32_t *slot_idx;                  /* table slot -> entry index, for duplicate messages */
    uint64_t bytes[IAM_NSSC_N_SECTIONS]; /* bytes of record sections, elements of the others */
    uint64_t max_slots;
    struct iam_nssc_header hdr;
    size_t n_blocks, file_size;
    uint8_t *img;
};

static void nss_build_done(struct nss_build *b) {
    free(b->img);
    free(b->slot_idx);
    free(b->user_off);
    free(b->group_off);
    free(b->ms_off);
    free(b->ms_of_entry);
    free(b->ms_names);
    free(b->user_ent);
    free(b->member_ent);
    member_map_done(&b->mm);
    member_map_done(&b->um);
}

static int too_big(struct iam_error *reterr) {
    iam_error_set(reterr, 0, 0, 0, "cache would exceed 2 GiB");
    return -E2BIG;
}

/* 1a. Every field of every user, and no two users of one name. */
static int check_users(struct nss_build *b, struct iam_error *reterr) {
    const char *why = NULL;
    int r;

    for (size_t i = 0; i < b->n_users; i++) {
        const struct iam_nss_user *u = &b->users[i];
        struct member_entry *e;

        if (iam_nssc_check_name(u->name, &why) < 0) {
            iam_error_set(reterr, 0, 0, 0, "user %zu (\"%.64s\"): %s", i, str_or_empty(u->name),
                          why);
            return -EINVAL;
        }
        if (!iam_nssc_id_valid(u->uid) || !iam_nssc_id_valid(u->gid)) {
            iam_error_set(reterr, 0, 0, 0, "user \"%s\": uid %u / gid %u not allowed", u->name,
                          (unsigned)u->uid, (unsigned)u->gid);
            return -EINVAL;
        }
        if (iam_nssc_check_field(u->gecos, false, &why) < 0) {
            iam_error_set(reterr, 0, 0, 0, "user \"%s\": gecos %s", u->name, why);
            return -EINVAL;
        }
        if (iam_nssc_check_field(u->home, true, &why) < 0) {
            iam_error_set(reterr, 0, 0, 0, "user \"%s\": home %s", u->name, why);
            return -EINVAL;
        }
        if (iam_nssc_check_field(u->shell, true, &why) < 0) {
            iam_error_set(reterr, 0, 0, 0, "user \"%s\": shell %s", u->name, why);
            return -EINVAL;
        }
        /* Name -> index (um.entries[k].first = user index); a repeat is a duplicate. */
        e = member_map_get(&b->um, u->name, true, &r);
        if (!e) {
            iam_error_set(reterr, 0, 0, 0, "out of memory");
            return r < 0 ? r : -ENOMEM;
        }
        if (e->count++) {
            iam_error_set(reterr, 0, 0, 0, "users %u and %zu are both named \"%s\"", e->first, i,
                          u->name);
            return -EINVAL;
        }
        e->first = (uint32_t)i;
    }
    return 0;
}

/* 1b. One group's name, gid and members (each listed once); *ret_bytes gets the size of its
 * member names. */
static int check_group(struct nss_build *b, size_t i, uint32_t *ent, uint64_t *ret_bytes,
                       struct iam_error *reterr) {
    const struct iam_nss_group *g = &b->groups[i];
    const char *why = NULL;
    uint64_t gbytes = 0;
    int r;

    if (iam_nssc_check_name(g->name, &why) < 0) {
        iam_error_set(reterr, 0, 0, 0, "group %zu (\"%.64s\"): %s", i, str_or_empty(g->name), why);
        return -EINVAL;
    }
    if (!iam_nssc_id_valid(g->gid)) {
        iam_error_set(reterr, 0, 0, 0, "group \"%s\": gid %u not allowed", g->name,
                      (unsigned)g->gid);
        return -EINVAL;
    }
    if (g->n_members && !g->members) {
        iam_error_set(reterr, 0, 0, 0, "group \"%s\": members missing", g->name);
        return -EINVAL;
    }
    for (size_t k = 0; k < g->n_members; k++) {
        struct member_entry *e;

        if (iam_nssc_check_name(g->members[k], &why) < 0) {
            iam_error_set(reterr, 0, 0, 0, "group \"%s\": member %zu (\"%.64s\"): %s", g->name, k,
                          str_or_empty(g->members[k]), why);
            return -EINVAL;
        }
        e = member_map_get(&b->mm, g->members[k], true, &r);
        if (!e) {
            iam_error_set(reterr, 0, 0, 0, "out of memory");
            return r < 0 ? r : -ENOMEM;
        }
        if (e->last_group == i + 1) {
            iam_error_set(reterr, 0, 0, 0, "group \"%s\": member \"%s\" listed twice", g->name,
                          g->members[k]);
            return -EINVAL;
        }
        e->last_group = i + 1;
        e->count++;
        ent[k] = (uint32_t)(e - b->mm.entries);
        gbytes += strlen(g->members[k]) + 1;
    }
    if (gbytes > UINT32_MAX) {
        iam_error_set(reterr, 0, 0, 0, "group \"%s\": member list too long", g->name);
        return -E2BIG;
    }
    *ret_bytes = gbytes;
    return 0;
}

/* 1c. Every group, and the members of all groups together within the format's limits. */
static int check_groups(struct nss_build *b, struct iam_error *reterr) {
    uint64_t total_members = 0, member_bytes = 0;

    for (size_t i = 0; i < b->n_groups; i++) {
        total_members += b->groups[i].n_members;
        if (total_members > IAM_NSSC_MAX_FILE / 8) {
            iam_error_set(reterr, 0, 0, 0, "too many group members");
            return -E2BIG;
        }
    }
    b->member_ent = malloc((size_t)(total_members ? total_members : 1) * sizeof(*b->member_ent));
    if (!b->member_ent) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    total_members = 0;
    for (size_t i = 0; i < b->n_groups; i++) {
        uint64_t gbytes = 0;
        int r = check_group(b, i, b->member_ent + total_members, &gbytes, reterr);

        if (r < 0)
            return r;
        total_members += b->groups[i].n_members;
        member_bytes += gbytes;
    }
    if (total_members > IAM_NSSC_MAX_FILE / 8 || member_bytes > IAM_NSSC_MAX_FILE) {
        iam_error_set(reterr, 0, 0, 0, "too many group members");
        return -E2BIG;
    }
    return 0;
}

/* 2. Sizes of the record sections. Members that are users keep their group list in the user
 * record; the other member names get a MEMBERSHIPS record. Sizes add up in u64 and are
 * checked against the file limit as they grow (each record is far below it, so no sum can
 * wrap). */
static int size_records(struct nss_build *b, struct iam_error *reterr) {
    uint64_t *bytes = b->bytes;
    int r;

    b->user_off = calloc(b->n_users + 1, sizeof(*b->user_off));
    b->group_off = calloc(b->n_groups + 1, sizeof(*b->group_off));
    b->ms_off = calloc(b->mm.n + 1, sizeof(*b->ms_off));
    b->ms_of_entry = calloc(b->mm.n + 1, sizeof(*b->ms_of_entry));
    b->ms_names = calloc(b->mm.n + 1, sizeof(*b->ms_names));
    b->user_ent = calloc(b->n_users + 1, sizeof(*b->user_ent));
    if (!b->user_off || !b->group_off || !b->ms_off || !b->ms_of_entry || !b->ms_names ||
        !b->user_ent) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < b->n_users; i++) {
        struct member_entry *e = member_map_get(&b->mm, b->users[i].name, false, &r);

        b->user_ent[i] = e ? (uint32_t)(e - b->mm.entries) + 1 : 0;
        bytes[IAM_NSSC_USERS] += ALIGN8(user_record_size(&b->users[i], e ? e->count : 0));
        if (bytes[IAM_NSSC_USERS] > IAM_NSSC_MAX_FILE)
            return too_big(reterr);
    }
    for (size_t i = 0; i < b->n_groups; i++) {
        bytes[IAM_NSSC_GROUPS] += ALIGN8(group_record_size(&b->groups[i]));
        if (bytes[IAM_NSSC_GROUPS] > IAM_NSSC_MAX_FILE)
            return too_big(reterr);
    }
    for (size_t i = 0; i < b->mm.n; i++) {
        const struct member_entry *e = &b->mm.entries[i];

        if (member_map_get(&b->um, e->name, false, &r)) {
            b->ms_of_entry[i] = UINT32_MAX; /* a user */
            continue;
        }
        b->ms_of_entry[i] = b->n_ms;
        b->ms_names[b->n_ms++] = e->name;
        bytes[IAM_NSSC_MEMBERSHIPS] += ALIGN8(membership_record_size(e->name, e->count));
        if (bytes[IAM_NSSC_MEMBERSHIPS] > IAM_NSSC_MAX_FILE)
            return too_big(reterr);
    }
    return 0;
}

/* 3. Layout: the hash tables first (the hottest bytes), then the records, then the
 * enumeration indexes; every section on a 64-byte line. Fills in the header (all but its
 * hash) and allocates the image. */
static int lay_out(struct nss_build *b, struct iam_error *reterr) {
    struct iam_nssc_header *hdr = &b->hdr;
    uint64_t *bytes = b->bytes, data_size = 0, off;

    bytes[IAM_NSSC_USER_BY_NAME] = iam_nssc_table_size((uint32_t)b->n_users);
    bytes[IAM_NSSC_USER_BY_UID] = iam_nssc_table_size((uint32_t)b->n_users);
    bytes[IAM_NSSC_GROUP_BY_NAME] = iam_nssc_table_size((uint32_t)b->n_groups);
    bytes[IAM_NSSC_GROUP_BY_GID] = iam_nssc_table_size((uint32_t)b->n_groups);
    bytes[IAM_NSSC_MEMBERSHIP_BY_NAME] = iam_nssc_table_size(b->n_ms);
    bytes[IAM_NSSC_USER_LINES] = bytes[IAM_NSSC_USER_BY_NAME] / IAM_NSSC_LINE_SLOTS;
    bytes[IAM_NSSC_GROUP_LINES] = bytes[IAM_NSSC_GROUP_BY_NAME] / IAM_NSSC_LINE_SLOTS;
    bytes[IAM_NSSC_USER_INDEX] = b->n_users;
    bytes[IAM_NSSC_GROUP_INDEX] = b->n_groups;
    /* room for patches (patch.c): spare bytes at the end of the user and group records, and
     * spare entries after each enumeration index (outside its count) */
    bytes[IAM_NSSC_USERS] += iam_nssc_record_slack(bytes[IAM_NSSC_USERS]);
    bytes[IAM_NSSC_GROUPS] += iam_nssc_record_slack(bytes[IAM_NSSC_GROUPS]);
    for (unsigned s = 0; s < IAM_NSSC_N_SECTIONS; s++) {
        if (iam_nssc_is_table(s) && bytes[s] > b->max_slots)
            b->max_slots = bytes[s];
        data_size += ALIGN64(bytes[s] * iam_nssc_elem_size(s));
        if (s == IAM_NSSC_USER_INDEX || s == IAM_NSSC_GROUP_INDEX)
            data_size += ALIGN64(iam_nssc_index_slack(bytes[s]) * sizeof(uint32_t));
    }
    b->n_blocks = (size_t)((data_size + IAM_NSSC_BLOCK - 1) / IAM_NSSC_BLOCK);
    memset(hdr, 0, sizeof(*hdr));
    memcpy(hdr->magic, IAM_NSSC_MAGIC, IAM_NSSC_MAGIC_LEN);
    hdr->version = IAM_NSSC_VERSION;
    hdr->header_size = sizeof(*hdr);
    hdr->seed = b->mm.seed;
    hdr->block_size = IAM_NSSC_BLOCK;
    hdr->n_blocks = (uint32_t)b->n_blocks;
    hdr->blocksum_offset = sizeof(*hdr);
    off = ALIGN64(sizeof(*hdr) + b->n_blocks * sizeof(uint64_t));
    hdr->data_offset = (uint32_t)off;
    if (off + data_size > IAM_NSSC_MAX_FILE)
        return too_big(reterr);
    for (unsigned s = 0; s < IAM_NSSC_N_SECTIONS; s++) {
        hdr->sections[s].offset = (uint32_t)off;
        hdr->sections[s].count = (uint32_t)bytes[s];
        off += ALIGN64(bytes[s] * iam_nssc_elem_size(s));
        if (s == IAM_NSSC_USER_INDEX || s == IAM_NSSC_GROUP_INDEX)
            off += ALIGN64(iam_nssc_index_slack(bytes[s]) * sizeof(uint32_t));
    }
    b->file_size = (size_t)off;
    hdr->file_size = off;
    hdr->n_users = (uint32_t)b->n_users;
    hdr->n_groups = (uint32_t)b->n_groups;

    b->img = calloc(1, b->file_size);
    iam_prefault(b->img, b->file_size);
    b->slot_idx = calloc((size_t)b->max_slots, sizeof(*b->slot_idx));
    if (!b->img || !b->slot_idx) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

/* The member map's entry of user i (NULL: the user is in no group), found in step 2. */
static struct member_entry *user_entry(const struct nss_build *b, size_t i) {
    return b->user_ent[i] ? &b->mm.entries[b->user_ent[i] - 1] : NULL;
}

/* 4a. The user name table first (slots marked with a placeholder offset), then the user
 * records laid out in slot order, each line's first record noted in USER_LINES. */
static int place_users(struct nss_build *b, struct iam_error *reterr) {
    struct iam_nssc_slot *t = section_ptr(b->img, &b->hdr, IAM_NSSC_USER_BY_NAME);
    uint32_t *lines = section_ptr(b->img, &b->hdr, IAM_NSSC_USER_LINES);
    uint32_t n = b->hdr.sections[IAM_NSSC_USER_BY_NAME].count;
    uint32_t roff = b->hdr.sections[IAM_NSSC_USERS].offset, other;

    for (uint32_t i = 0; i < b->n_users; i++)
        if (table_put_name(t, b->slot_idx, n, b->hdr.seed, b->users[i].name, UINT32_MAX, i,
                           user_name_of, b->users, &other) < 0) {
            iam_error_set(reterr, 0, 0, 0, "users %u and %u are both named \"%s\"", other, i,
                          b->users[i].name);
            return -EINVAL;
        }
    for (uint32_t j = 0; j < n; j++) {
        const struct iam_nss_user *u;
        const struct member_entry *e;

        if (j % IAM_NSSC_LINE_SLOTS == 0)
            lines[j / IAM_NSSC_LINE_SLOTS] = roff;
        if (!t[j].off)
            continue;
        u = &b->users[b->slot_idx[j]];
        e = user_entry(b, b->slot_idx[j]);
        t[j].off = roff;
        b->user_off[b->slot_idx[j]] = roff;
        roff += (uint32_t)ALIGN8(user_record_size(u, e ? e->count : 0));
    }
    return 0;
}

/* 4b. The user records and USER_INDEX. Each user's gid list is left for the groups to fill:
 * its mm entry's first becomes the list's offset. */
static void write_users(struct nss_build *b) {
    uint32_t *uix = section_ptr(b->img, &b->hdr, IAM_NSSC_USER_INDEX);

    for (size_t i = 0; i < b->n_users; i++) {
        const struct iam_nss_user *u = &b->users[i];
        struct member_entry *e = user_entry(b, i);
        const char *f[4] = {u->name, str_or_empty(u->gecos), str_or_empty(u->home),
                            str_or_empty(u->shell)};
        uint32_t roff = b->user_off[i];
        uint8_t *p = b->img + roff;
        struct iam_nssc_user rec;
        size_t len[4];

        for (size_t k = 0; k < 4; k++)
            len[k] = strlen(f[k]);
        rec = (struct iam_nssc_user){
            .uid = (uint32_t)u->uid,
            .gid = (uint32_t)u->gid,
            .n_gids = e ? e->count : 0,
            .name_len = (uint8_t)len[0],
            .gecos_len = (uint16_t)len[1],
            .home_len = (uint16_t)len[2],
            .shell_len = (uint16_t)len[3],
        };
        memcpy(p, &rec, sizeof(rec));
        p += sizeof(rec);
        for (size_t k = 0; k < 4; k++)
            p = put_str(p, f[k], len[k]);
        if (e) {
            e->first = roff + (uint32_t)iam_nssc_align4((uint64_t)(p - (b->img + roff)));
            e->fill = 0;
        }
        uix[i] = roff;
    }
}

/* 4c. The MEMBERSHIPS records of member names that are not users, gid lists left to fill. */
static void write_memberships(struct nss_build *b) {
    uint32_t roff = b->hdr.sections[IAM_NSSC_MEMBERSHIPS].offset;

    for (size_t i = 0; i < b->mm.n; i++) {
        struct member_entry *e = &b->mm.entries[i];
        struct iam_nssc_membership rec;
        size_t len = strlen(e->name);
        uint8_t *p = b->img + roff;

        if (b->ms_of_entry[i] == UINT32_MAX)
            continue;
        rec = (struct iam_nssc_membership){.n_gids = e->count, .name_len = (uint8_t)len};
        memcpy(p, &rec, sizeof(rec));
        p = put_str(p + sizeof(rec), e->name, len);
        e->first = roff + (uint32_t)iam_nssc_align4((uint64_t)(p - (b->img + roff)));
        e->fill = 0;
        b->ms_off[b->ms_of_entry[i]] = roff;
        roff += (uint32_t)ALIGN8(membership_record_size(e->name, e->count));
    }
}

/* 4d. Groups as users: the name table, then the records in its slot order (GROUP_LINES). */
static int place_groups(struct nss_build *b, struct iam_error *reterr) {
    struct iam_nssc_slot *t = section_ptr(b->img, &b->hdr, IAM_NSSC_GROUP_BY_NAME);
    uint32_t *lines = section_ptr(b->img, &b->hdr, IAM_NSSC_GROUP_LINES);
    uint32_t n = b->hdr.sections[IAM_NSSC_GROUP_BY_NAME].count;
    uint32_t roff = b->hdr.sections[IAM_NSSC_GROUPS].offset, other;

    for (uint32_t i = 0; i < b->n_groups; i++)
        if (table_put_name(t, b->slot_idx, n, b->hdr.seed, b->groups[i].name, UINT32_MAX, i,
                           group_name_of, b->groups, &other) < 0) {
            iam_error_set(reterr, 0, 0, 0, "groups %u and %u are both named \"%s\"", other, i,
                          b->groups[i].name);
            return -EINVAL;
        }
    for (uint32_t j = 0; j < n; j++) {
        if (j % IAM_NSSC_LINE_SLOTS == 0)
            lines[j / IAM_NSSC_LINE_SLOTS] = roff;
        if (!t[j].off)
            continue;
        t[j].off = roff;
        b->group_off[b->slot_idx[j]] = roff;
        roff += (uint32_t)ALIGN8(group_record_size(&b->groups[b->slot_idx[j]]));
    }
    return 0;
}

/* 4e. The group records and GROUP_INDEX; each member's gid list (in its user or membership
 * record) gets this group's gid. */
static void write_groups(struct nss_build *b) {
    uint32_t *gix = section_ptr(b->img, &b->hdr, IAM_NSSC_GROUP_INDEX);
    const uint32_t *ent = b->member_ent;

    for (size_t i = 0; i < b->n_groups; i++) {
        const struct iam_nss_group *g = &b->groups[i];
        size_t nlen = strlen(g->name);
        uint8_t *p = b->img + b->group_off[i], *lens, *names;
        struct iam_nssc_group rec;

        lens = p + sizeof(rec) + nlen + 1;
        names = lens + g->n_members;
        for (size_t k = 0; k < g->n_members; k++) {
            /* found (or added) in step 1 */
            struct member_entry *e = &b->mm.entries[*ent++];
            size_t len = strlen(g->members[k]);
            uint32_t gid = (uint32_t)g->gid;

            lens[k] = (uint8_t)len;
            names = put_str(names, g->members[k], len);
            memcpy(b->img + e->first + (size_t)e->fill++ * sizeof(gid), &gid, sizeof(gid));
        }
        rec = (struct iam_nssc_group){
            .gid = (uint32_t)g->gid,
            .n_members = (uint32_t)g->n_members,
            .members_size = (uint32_t)(names - (lens + g->n_members)),
            .name_len = (uint8_t)nlen,
        };
        memcpy(p, &rec, sizeof(rec));
        (void)put_str(p + sizeof(rec), g->name, nlen);
        gix[i] = b->group_off[i];
    }
}

/* 5. The other hash tables (the name tables were built with the records). */
static int fill_tables(struct nss_build *b, struct iam_error *reterr) {
    const struct iam_nss_user *users = b->users;
    const struct iam_nss_group *groups = b->groups;
    struct iam_nssc_slot *t;
    uint32_t n, other;

    t = section_ptr(b->img, &b->hdr, IAM_NSSC_USER_BY_UID);
    n = b->hdr.sections[IAM_NSSC_USER_BY_UID].count;
    for (uint32_t i = 0; i < b->n_users; i++)
        if (table_put_id(t, b->slot_idx, n, b->hdr.seed, (uint32_t)users[i].uid, b->user_off[i], i,
                         &other) < 0) {
            iam_error_set(reterr, 0, 0, 0, "users \"%s\" and \"%s\" share uid %u",
                          users[other].name, users[i].name, (unsigned)users[i].uid);
            return -EINVAL;
        }
    t = section_ptr(b->img, &b->hdr, IAM_NSSC_GROUP_BY_GID);
    n = b->hdr.sections[IAM_NSSC_GROUP_BY_GID].count;
    for (uint32_t i = 0; i < b->n_groups; i++)
        if (table_put_id(t, b->slot_idx, n, b->hdr.seed, (uint32_t)groups[i].gid, b->group_off[i],
                         i, &other) < 0) {
            iam_error_set(reterr, 0, 0, 0, "groups \"%s\" and \"%s\" share gid %u",
                          groups[other].name, groups[i].name, (unsigned)groups[i].gid);
            return -EINVAL;
        }
    t = section_ptr(b->img, &b->hdr, IAM_NSSC_MEMBERSHIP_BY_NAME);
    n = b->hdr.sections[IAM_NSSC_MEMBERSHIP_BY_NAME].count;
    for (uint32_t i = 0; i < b->n_ms; i++)
        if (table_put_name(t, b->slot_idx, n, b->hdr.seed, b->ms_names[i], b->ms_off[i], i,
                           array_name_of, b->ms_names, &other) < 0) {
            iam_error_set(reterr, 0, 0, 0, "internal error: member \"%s\" twice", b->ms_names[i]);
            return -EINVAL;
        }
    return 0;
}

/* 6. Integrity: block hashes, then the header hash over header and block table. */
static void seal(struct nss_build *b) {
    uint8_t *sums = b->img + b->hdr.blocksum_offset;

    for (uint32_t i = 0; i < b->n_blocks; i++) {
        uint64_t start = b->hdr.data_offset + (uint64_t)i * IAM_NSSC_BLOCK;
        uint64_t len =
            b->file_size - start < IAM_NSSC_BLOCK ? b->file_size - start : IAM_NSSC_BLOCK;
        uint64_t sum = iam_nssc_block_hash(b->img + start, (size_t)len, b->hdr.seed, i);

        memcpy(sums + (size_t)i * sizeof(sum), &sum, sizeof(sum));
    }
    b->hdr.header_hash = iam_nssc_header_hash(&b->hdr, sums, b->n_blocks);
    memcpy(b->img, &b->hdr, sizeof(b->hdr));
}

int iam_nss_cache_build(const struct iam_nss_user *users, size_t n_users,
                        const struct iam_nss_group *groups, size_t n_groups, void **ret_data,
                        size_t *ret_size, struct iam_error *reterr) {
    return iam_nss_cache_build_seeded(users, n_users, groups, n_groups, make_seed(), ret_data,
                                      ret_size, reterr);
}

int iam_nss_cache_build_seeded(const struct iam_nss_user *users, size_t n_users,
                               const struct iam_nss_group *groups, size_t n_groups,
                               uint64_t seed, void **ret_data, size_t *ret_size,
                               struct iam_error *reterr) {
    struct nss_build b = {
        .users = users, .n_users = n_users, .groups = groups, .n_groups = n_groups};
    int r;

    if ((n_users && !users) || (n_groups && !groups) || !ret_data || !ret_size) {
        iam_error_set(reterr, 0, 0, 0, "invalid arguments");
        return -EINVAL;
    }
    if (n_users > IAM_NSS_MAX_ENTRIES || n_groups > IAM_NSS_MAX_ENTRIES) {
        iam_error_set(reterr, 0, 0, 0, "more than %u users or groups", IAM_NSS_MAX_ENTRIES);
        return -E2BIG;
    }
    b.mm.seed = seed;
    b.um.seed = seed;
    /* 1. Every field, before anything is built; 2. sizes; 3. layout. */
    if ((r = check_users(&b, reterr)) < 0 || (r = check_groups(&b, reterr)) < 0 ||
        (r = size_records(&b, reterr)) < 0 || (r = lay_out(&b, reterr)) < 0)
        goto out;
    /* 4. Records (users, memberships, then groups, which fill in every gid list). */
    r = place_users(&b, reterr);
    if (r < 0)
        goto out;
    write_users(&b);
    write_memberships(&b);
    if ((r = place_groups(&b, reterr)) < 0)
        goto out;
    write_groups(&b);
    /* 5. The id and membership tables; 6. hashes. */
    r = fill_tables(&b, reterr);
    if (r < 0)
        goto out;
    seal(&b);
    *ret_data = b.img;
    b.img = NULL;
    *ret_size = b.file_size;
    r = 0;
out:
    nss_build_done(&b);
    return r;
}

/* ---- reading an image back (the incremental refresh) ---- */

static int bad_image(struct iam_error *reterr, const char *what) {
    iam_error_set(reterr, 0, 0, 0, "the previous nss.cache is damaged: %s", what);
    return -EBADMSG;
}

/* The header of img, checked: magic, version, sizes, every section inside the file, the
 * header hash and every block's. */
int iam_nssc_decode_header(const uint8_t *img, size_t len, struct iam_nssc_header *h,
                           struct iam_error *reterr) {
    if (len < sizeof(*h))
        return bad_image(reterr, "too short");
    memcpy(h, img, sizeof(*h));
    if (memcmp(h->magic, IAM_NSSC_MAGIC, IAM_NSSC_MAGIC_LEN) != 0 ||
        h->version != IAM_NSSC_VERSION || h->header_size != sizeof(*h) || h->file_size != len ||
        h->block_size != IAM_NSSC_BLOCK || h->blocksum_offset != sizeof(*h) ||
        (uint64_t)h->blocksum_offset + (uint64_t)h->n_blocks * 8 > h->data_offset ||
        h->data_offset > len ||
        (uint64_t)h->n_blocks * IAM_NSSC_BLOCK < len - h->data_offset ||
        h->sections[IAM_NSSC_USER_INDEX].count != h->n_users ||
        h->sections[IAM_NSSC_GROUP_INDEX].count != h->n_groups)
        return bad_image(reterr, "header");
    for (unsigned s = 0; s < IAM_NSSC_N_SECTIONS; s++)
        if (h->sections[s].offset < h->data_offset ||
            (uint64_t)h->sections[s].offset +
                    (uint64_t)h->sections[s].count * iam_nssc_elem_size(s) > len)
            return bad_image(reterr, "a section outside the file");
    if (iam_nssc_header_hash(h, img + h->blocksum_offset, h->n_blocks) != h->header_hash)
        return bad_image(reterr, "header hash");
    for (uint32_t i = 0; i < h->n_blocks; i++) {
        uint64_t start = h->data_offset + (uint64_t)i * IAM_NSSC_BLOCK, sum;
        size_t n = len - start < IAM_NSSC_BLOCK ? (size_t)(len - start) : IAM_NSSC_BLOCK;

        memcpy(&sum, img + h->blocksum_offset + (size_t)i * 8, sizeof(sum));
        if (iam_nssc_block_hash(img + start, n, h->seed, i) != sum)
            return bad_image(reterr, "block hash");
    }
    return 0;
}

/* A NUL-terminated string of exactly len bytes at p, inside end. */
static const char *take_str(const uint8_t **p, const uint8_t *end, size_t len) {
    const char *s = (const char *)*p;

    if ((size_t)(end - *p) <= len || (*p)[len] != '\0' || memchr(*p, '\0', len))
        return NULL;
    *p += len + 1;
    return s;
}

static int decode_users(const uint8_t *img, size_t len, const struct iam_nssc_header *h,
                        struct iam_nss_user *users, struct iam_error *reterr) {
    const uint8_t *end = img + len;

    for (uint32_t i = 0; i < h->n_users; i++) {
        uint32_t off;
        struct iam_nssc_user rec;
        const uint8_t *p;

        memcpy(&off, img + h->sections[IAM_NSSC_USER_INDEX].offset + (size_t)i * 4, 4);
        if (off < h->data_offset || (uint64_t)off + sizeof(rec) > len)
            return bad_image(reterr, "a user record outside the file");
        memcpy(&rec, img + off, sizeof(rec));
        p = img + off + sizeof(rec);
        users[i] = (struct iam_nss_user){.uid = rec.uid, .gid = rec.gid};
        if (!(users[i].name = take_str(&p, end, rec.name_len)) ||
            !(users[i].gecos = take_str(&p, end, rec.gecos_len)) ||
            !(users[i].home = take_str(&p, end, rec.home_len)) ||
            !(users[i].shell = take_str(&p, end, rec.shell_len)))
            return bad_image(reterr, "a user record");
    }
    return 0;
}

static int decode_groups(const uint8_t *img, size_t len, const struct iam_nssc_header *h,
                         struct iam_nss_group *groups, const char **members, size_t n_members,
                         struct iam_error *reterr) {
    const uint8_t *end = img + len;
    size_t m = 0;

    for (uint32_t i = 0; i < h->n_groups; i++) {
        uint32_t off;
        struct iam_nssc_group rec;
        const uint8_t *p, *lens;

        memcpy(&off, img + h->sections[IAM_NSSC_GROUP_INDEX].offset + (size_t)i * 4, 4);
        if (off < h->data_offset || (uint64_t)off + sizeof(rec) > len)
            return bad_image(reterr, "a group record outside the file");
        memcpy(&rec, img + off, sizeof(rec));
        p = img + off + sizeof(rec);
        groups[i] = (struct iam_nss_group){.gid = rec.gid, .n_members = rec.n_members};
        if (!(groups[i].name = take_str(&p, end, rec.name_len)) ||
            (size_t)(end - p) < rec.n_members || rec.n_members > n_members - m)
            return bad_image(reterr, "a group record");
        lens = p;
        p += rec.n_members;
        groups[i].members = members + m;
        for (uint32_t k = 0; k < rec.n_members; k++)
            if (!(members[m++] = take_str(&p, end, lens[k])))
                return bad_image(reterr, "a group's members");
    }
    return 0;
}

int iam_nss_cache_decode(const void *img, size_t len, struct iam_nss_decoded *ret,
                         struct iam_error *reterr) {
    const uint8_t *b = img;
    struct iam_nssc_header h;
    size_t n_members = 0;
    int r;

    memset(ret, 0, sizeof(*ret));
    if ((r = iam_nssc_decode_header(b, len, &h, reterr)) < 0)
        return r;
    /* every member name takes at least two bytes (a character and its NUL) of GROUPS */
    n_members = h.sections[IAM_NSSC_GROUPS].count / 2;
    ret->users = calloc((size_t)h.n_users + 1, sizeof(*ret->users));
    ret->groups = calloc((size_t)h.n_groups + 1, sizeof(*ret->groups));
    ret->members = calloc(n_members + 1, sizeof(*ret->members));
    if (!ret->users || !ret->groups || !ret->members) {
        iam_nss_decoded_free(ret);
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    if ((r = decode_users(b, len, &h, ret->users, reterr)) < 0 ||
        (r = decode_groups(b, len, &h, ret->groups, ret->members, n_members, reterr)) < 0) {
        iam_nss_decoded_free(ret);
        return r;
    }
    ret->n_users = h.n_users;
    ret->n_groups = h.n_groups;
    ret->seed = h.seed;
    return 0;
}

int iam_nss_cache_check(const void *img, size_t len, struct iam_error *reterr) {
    struct iam_nssc_header h;

    return iam_nssc_decode_header(img, len, &h, reterr);
}

/* img's header when it is one of this version (its hashes unchecked: for the fields a
 * writer carries over, not for reading the image). */
static int peek_header(const void *img, size_t len, struct iam_nssc_header *h) {
    if (!img || len < sizeof(*h))
        return -EBADMSG;
    memcpy(h, img, sizeof(*h));
    if (memcmp(h->magic, IAM_NSSC_MAGIC, IAM_NSSC_MAGIC_LEN) != 0 ||
        h->version != IAM_NSSC_VERSION)
        return -EBADMSG;
    return 0;
}

int iam_nss_cache_seed_of(const void *img, size_t len, uint64_t *ret_seed) {
    struct iam_nssc_header h;
    int r = peek_header(img, len, &h);

    if (r == 0)
        *ret_seed = h.seed;
    return r;
}

int iam_nss_cache_counts(const void *img, size_t len, size_t *ret_users, size_t *ret_groups) {
    struct iam_nssc_header h;
    int r = peek_header(img, len, &h);

    if (r == 0) {
        *ret_users = h.n_users;
        *ret_groups = h.n_groups;
    }
    return r;
}

void iam_nss_decoded_free(struct iam_nss_decoded *d) {
    if (!d)
        return;
    free(d->users);
    free(d->groups);
    free(d->members);
    memset(d, 0, sizeof(*d));
}

/* ---- atomic install ---- */

int iam_nss_cache_write(const char *path, const struct iam_nss_user *users, size_t n_users,
                        const struct iam_nss_group *groups, size_t n_groups,
                        struct iam_error *reterr) {
    void *data = NULL;
    size_t size = 0;
    int r;

    if (!path || !*path) {
        iam_error_set(reterr, 0, 0, 0, "no cache path");
        return -EINVAL;
    }
    iam_error_set_source(reterr, path);
    r = iam_nss_cache_build(users, n_users, groups, n_groups, &data, &size, reterr);
    if (r < 0)
        goto out;

    /* temp file in the same directory, 0644 whatever the umask, fsync, rename, fsync dir */
    r = iam_file_write_atomic(path, data, size, 0644, reterr);
out:
    free(data);
    return r;
}
