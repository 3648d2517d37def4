/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NSS cache patched instead of rebuilt (iam_nss_cache_patch, iam/nss_cache.h): a write
 * that changes a few users and groups takes a copy of the previous image (a private writable
 * mapping of its file: only the pages the patch touches are copied), writes each changed or new
 * record into the spare room a whole build leaves at the end of its record section (or over
 * the old record when it still fits), points the record's slots and index entry at it, zeroes
 * the old record, inserts the new names and ids into the hash tables and the new entries into
 * the enumeration indexes, and recomputes the hashes of the blocks that changed and the
 * header's. The seed stays. What the reader relies on stays true (format.h): every slot points
 * at a whole record inside its section, every probe chain still ends at an empty slot (slots
 * are only ever added or re-pointed, never removed), the counts match the indexes. The line
 * hints (USER_LINES, GROUP_LINES) may point elsewhere than a moved record: they are hints.
 *
 * What it does not do, returning 1 so the caller builds the image whole (which makes new
 * room): a rename or a change of id, a deleted user or group, a member name that is not a
 * user (those live in MEMBERSHIPS records), a new user of a name that is such a member, a
 * duplicate name or id, a record section or index without the room, a table over 2/3 load.
 * Whatever the input, the result holds the same entries a whole build of the patched entry
 * lists would hold, in the same order (the iamctl_refresh test compares the two).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iam/nss_cache.h"
#include "format.h"
#include "write_private.h"

#define ALIGN8(x) (((x) + UINT64_C(7)) & ~UINT64_C(7))

/* ---- small maps: names and u32s ---- */

static uint64_t str_hash(const char *s) {
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * UINT64_C(1099511628211);
    return h;
}

/* name -> index + 1, open addressing, grown at half load. */
struct strmap {
    const char **keys;
    uint32_t *vals;
    size_t n, n_slots;
};

static void strmap_done(struct strmap *m) {
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static uint32_t strmap_get(const struct strmap *m, const char *k) {
    if (!m->n_slots)
        return 0;
    for (size_t j = str_hash(k) & (m->n_slots - 1); m->keys[j]; j = (j + 1) & (m->n_slots - 1))
        if (strcmp(m->keys[j], k) == 0)
            return m->vals[j];
    return 0;
}

/* 0 added, 1 already there, -ENOMEM. */
static int strmap_put(struct strmap *m, const char *k, uint32_t v) {
    size_t j;

    if ((m->n + 1) * 2 > m->n_slots) {
        size_t n = m->n_slots ? m->n_slots * 2 : 64;
        const char **keys = calloc(n, sizeof(*keys));
        uint32_t *vals = calloc(n, sizeof(*vals));

        if (!keys || !vals) {
            free(keys);
            free(vals);
            return -ENOMEM;
        }
        for (size_t i = 0; i < m->n_slots; i++) {
            if (!m->keys[i])
                continue;
            for (j = str_hash(m->keys[i]) & (n - 1); keys[j]; j = (j + 1) & (n - 1))
                ;
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = keys;
        m->vals = vals;
        m->n_slots = n;
    }
    for (j = str_hash(k) & (m->n_slots - 1); m->keys[j]; j = (j + 1) & (m->n_slots - 1))
        if (strcmp(m->keys[j], k) == 0)
            return 1;
    m->keys[j] = k;
    m->vals[j] = v;
    m->n++;
    return 0;
}

/* u32 key (never 0) -> u32 value, open addressing, sized once. */
struct u32map {
    uint32_t *keys, *vals;
    size_t n_slots;
};

static int u32map_init(struct u32map *m, size_t n) {
    m->n_slots = 16;
    while (m->n_slots < 2 * n)
        m->n_slots *= 2;
    m->keys = calloc(m->n_slots, sizeof(*m->keys));
    m->vals = calloc(m->n_slots, sizeof(*m->vals));
    return m->keys && m->vals ? 0 : -ENOMEM;
}

static void u32map_done(struct u32map *m) {
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static size_t u32_slot(uint32_t k, size_t n_slots) {
    return (size_t)(((uint64_t)k * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & (n_slots - 1);
}

static void u32map_put(struct u32map *m, uint32_t k, uint32_t v) {
    size_t j = u32_slot(k, m->n_slots);

    while (m->keys[j] && m->keys[j] != k)
        j = (j + 1) & (m->n_slots - 1);
    m->keys[j] = k;
    m->vals[j] = v;
}

static bool u32map_get(const struct u32map *m, uint32_t k, uint32_t *v) {
    if (!m->n_slots)
        return false;
    for (size_t j = u32_slot(k, m->n_slots); m->keys[j]; j = (j + 1) & (m->n_slots - 1))
        if (m->keys[j] == k) {
            *v = m->vals[j];
            return true;
        }
    return false;
}

/* ---- the work ---- */

/* A user record to write: a changed or new user of the patch, or an unchanged user whose
 * groups changed. */
struct pend_user {
    const char *name, *gecos, *home, *shell;
    uint32_t uid, gid;
    int64_t name_slot; /* USER_BY_NAME slot, -1 for a new user */
    uint32_t old_off;  /* 0 for a new user */
    uint32_t *joined;  /* patched groups (indexes into the patch) that list it now */
    size_t n_joined, cap_joined;
    uint32_t *gids; /* its groups' gids as the record will list them */
    size_t n_gids;
};

struct pend_group {
    const struct iam_nss_group *g;
    int64_t name_slot;
    uint32_t old_off;
    uint32_t final; /* index in the new GROUP_INDEX (new groups) */
};

struct patch {
    const uint8_t *old;
    uint8_t *img;
    size_t len;
    struct iam_nssc_header h;
    struct pend_user *pu;
    size_t n_pu, cap_pu;
    struct strmap users; /* name -> pu index + 1 */
    struct pend_group *pg;
    size_t n_pg;
    size_t n_new_users, n_new_groups;
    uint32_t *patched_gids; /* sorted gids of the patch's groups */
    struct u32map group_index; /* old group record offset -> old GROUP_INDEX position */
    bool have_group_index;
    uint32_t group_at_last; /* the position of the last new group so far */
};

static const struct iam_nssc_section *sec(const struct patch *p, unsigned s) {
    return &p->h.sections[s];
}

/* The record of section s at off, from the previous image: its name (NUL-terminated where its
 * length says) and its size before the padding to 8; false when it does not lie inside its
 * section. */
static bool old_record(const struct patch *p, unsigned s, uint32_t off, const char **ret_name,
                       uint64_t *ret_size) {
    const struct iam_nssc_section *x = sec(p, s);
    uint64_t room, size;
    const uint8_t *r = p->old + off;
    size_t head;
    uint8_t name_len;

    if (off % 8 != 0 || off < x->offset || off - x->offset > x->count)
        return false;
    room = x->count - (off - x->offset);
    head = s == IAM_NSSC_USERS ? sizeof(struct iam_nssc_user) : sizeof(struct iam_nssc_group);
    if (room < head)
        return false;
    if (s == IAM_NSSC_USERS) {
        struct iam_nssc_user u;

        memcpy(&u, r, sizeof(u));
        name_len = u.name_len;
        size = iam_nssc_align4(
                   iam_nssc_user_strings_end(u.name_len, u.gecos_len, u.home_len, u.shell_len)) +
               (uint64_t)u.n_gids * sizeof(uint32_t);
    } else {
        struct iam_nssc_group g;

        memcpy(&g, r, sizeof(g));
        name_len = g.name_len;
        size = sizeof(g) + (uint64_t)g.name_len + 1 + g.n_members + g.members_size;
    }
    if (name_len == 0 || size > room || (uint64_t)head + name_len + 1 > size ||
        r[head + name_len] != '\0' || memchr(r + head, '\0', name_len))
        return false;
    if (ret_name)
        *ret_name = (const char *)r + head;
    if (ret_size)
        *ret_size = size;
    return true;
}

/* The USER_BY_NAME / GROUP_BY_NAME slot of name: its index, -1 when absent, -2 when the
 * table leads outside its records. */
static int64_t find_name(const struct patch *p, unsigned t, unsigned records, const char *name) {
    const struct iam_nssc_slot *slots = (const void *)(p->img + sec(p, t)->offset);
    uint32_t n = sec(p, t)->count;
    uint64_t h = iam_nssc_hash(name, strlen(name), p->h.seed);
    uint32_t key = iam_nssc_name_key(h), j = iam_nssc_name_start(h, n);

    for (uint32_t done = 0; done < n; done++, j = j + 1 == n ? 0 : j + 1) {
        struct iam_nssc_slot s;
        const char *other;

        memcpy(&s, &slots[j], sizeof(s));
        if (!s.off)
            return -1;
        if (s.key != key)
            continue;
        if (records == IAM_NSSC_MEMBERSHIPS) {
            /* struct iam_nssc_membership, name, NUL: only compared */
            const struct iam_nssc_section *x = sec(p, records);
            struct iam_nssc_membership m;

            if (s.off < x->offset || s.off - x->offset > x->count ||
                x->count - (s.off - x->offset) < sizeof(m))
                return -2;
            memcpy(&m, p->img + s.off, sizeof(m));
            if (x->count - (s.off - x->offset) < sizeof(m) + (uint64_t)m.name_len + 1)
                return -2;
            if (m.name_len == strlen(name) &&
                memcmp(p->img + s.off + sizeof(m), name, m.name_len) == 0)
                return j;
            continue;
        }
        if (!old_record(p, records, s.off, &other, NULL))
            return -2;
        if (strcmp(other, name) == 0)
            return j;
    }
    return -1;
}

static int64_t find_id(const struct patch *p, unsigned t, uint32_t id) {
    const struct iam_nssc_slot *slots = (const void *)(p->img + sec(p, t)->offset);
    uint32_t n = sec(p, t)->count, j = iam_nssc_id_start(id, p->h.seed, n);

    for (uint32_t done = 0; done < n; done++, j = j + 1 == n ? 0 : j + 1) {
        struct iam_nssc_slot s;

        memcpy(&s, &slots[j], sizeof(s));
        if (!s.off)
            return -1;
        if (s.key == id)
            return j;
    }
    return -1;
}

static void slot_set(struct patch *p, unsigned t, uint32_t j, uint32_t key, uint32_t off) {
    struct iam_nssc_slot s = {.key = key, .off = off};

    memcpy(p->img + sec(p, t)->offset + (size_t)j * sizeof(s), &s, sizeof(s));
}

static uint32_t slot_off(const struct patch *p, unsigned t, uint32_t j) {
    struct iam_nssc_slot s;

    memcpy(&s, p->img + sec(p, t)->offset + (size_t)j * sizeof(s), sizeof(s));
    return s.off;
}

/* Insert into a table whose load was checked (an empty slot exists). */
static void slot_insert(struct patch *p, unsigned t, uint32_t start, uint32_t key, uint32_t off) {
    uint32_t n = sec(p, t)->count, j = start;

    for (uint32_t done = 0; done < n; done++, j = j + 1 == n ? 0 : j + 1)
        if (!slot_off(p, t, j)) {
            slot_set(p, t, j, key, off);
            return;
        }
}

static struct pend_user *pend_new(struct patch *p) {
    if (p->n_pu == p->cap_pu) {
        size_t cap = p->cap_pu ? p->cap_pu * 2 : 64;
        struct pend_user *n = reallocarray(p->pu, cap, sizeof(*n));

        if (!n)
            return NULL;
        p->pu = n;
        p->cap_pu = cap;
    }
    memset(&p->pu[p->n_pu], 0, sizeof(p->pu[0]));
    return &p->pu[p->n_pu++];
}

/* The pending record of an existing user named name, made from its old record when it is not
 * pending yet. 0, 1 (no such user: a member that is not a user), or -errno. */
static int pend_existing(struct patch *p, const char *name, struct pend_user **ret) {
    uint32_t k = strmap_get(&p->users, name);
    struct pend_user *u;
    struct iam_nssc_user rec;
    const char *rname;
    const uint8_t *s;
    int64_t j;
    int r;

    if (k) {
        *ret = &p->pu[k - 1];
        return 0;
    }
    j = find_name(p, IAM_NSSC_USER_BY_NAME, IAM_NSSC_USERS, name);
    if (j < 0)
        return 1;
    if (!(u = pend_new(p)))
        return -ENOMEM;
    u->name_slot = j;
    u->old_off = slot_off(p, IAM_NSSC_USER_BY_NAME, (uint32_t)j);
    if (!old_record(p, IAM_NSSC_USERS, u->old_off, &rname, NULL))
        return 1;
    memcpy(&rec, p->old + u->old_off, sizeof(rec));
    s = (const uint8_t *)rname;
    u->name = rname;
    u->gecos = (const char *)(s += rec.name_len + 1);
    u->home = (const char *)(s += rec.gecos_len + 1);
    u->shell = (const char *)(s + rec.home_len + 1);
    /* each string ends where its length says (inside the record old_record() measured) */
    if (strnlen(u->gecos, rec.gecos_len + 1) != rec.gecos_len ||
        strnlen(u->home, rec.home_len + 1) != rec.home_len ||
        strnlen(u->shell, rec.shell_len + 1) != rec.shell_len)
        return 1;
    u->uid = rec.uid;
    u->gid = rec.gid;
    r = strmap_put(&p->users, u->name, (uint32_t)p->n_pu);
    if (r < 0)
        return r;
    *ret = u;
    return 0;
}

/* 1. The patch's users: checked as a build checks them, each matched with its old record
 * (or, new, with none). */
static int take_users(struct patch *p, const struct iam_nss_patch *in) {
    for (size_t i = 0; i < in->n_users; i++) {
        const struct iam_nss_user *e = &in->users[i];
        bool is_new = in->user_is_new[i];
        const char *why;
        struct pend_user *u;
        int64_t j;
        int r;

        if (iam_nssc_check_name(e->name, &why) < 0 || !iam_nssc_id_valid(e->uid) ||
            !iam_nssc_id_valid(e->gid) || iam_nssc_check_field(e->gecos, false, &why) < 0 ||
            iam_nssc_check_field(e->home, true, &why) < 0 ||
            iam_nssc_check_field(e->shell, true, &why) < 0)
            return 1; /* the build says what is wrong */
        j = find_name(p, IAM_NSSC_USER_BY_NAME, IAM_NSSC_USERS, e->name);
        if (j == -2 || (j >= 0) == is_new)
            return 1; /* damaged, a rename, or a new user of an old name */
        if (is_new && (find_id(p, IAM_NSSC_USER_BY_UID, (uint32_t)e->uid) >= 0 ||
                       find_name(p, IAM_NSSC_MEMBERSHIP_BY_NAME, IAM_NSSC_MEMBERSHIPS,
                                 e->name) != -1))
            return 1; /* uid taken, or a member name that becomes a user */
        if (!(u = pend_new(p)))
            return -ENOMEM;
        *u = (struct pend_user){.name = e->name,
                                .gecos = e->gecos ? e->gecos : "",
                                .home = e->home ? e->home : "",
                                .shell = e->shell ? e->shell : "",
                                .uid = (uint32_t)e->uid,
                                .gid = (uint32_t)e->gid,
                                .name_slot = j};
        if (j >= 0) {
            struct iam_nssc_user rec;

            u->old_off = slot_off(p, IAM_NSSC_USER_BY_NAME, (uint32_t)j);
            if (!old_record(p, IAM_NSSC_USERS, u->old_off, NULL, NULL))
                return 1;
            memcpy(&rec, p->old + u->old_off, sizeof(rec));
            if (rec.uid != u->uid)
                return 1; /* the uid table would change */
        } else {
            p->n_new_users++;
        }
        r = strmap_put(&p->users, u->name, (uint32_t)p->n_pu);
        if (r != 0)
            return r < 0 ? r : 1; /* twice in the patch */
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* The member names of an old group record, into names (n_members of them). */
static bool old_members(const struct patch *p, uint32_t off, const char ***ret, size_t *ret_n) {
    struct iam_nssc_group g;
    const uint8_t *lens, *s, *end;
    const char **names;

    memcpy(&g, p->old + off, sizeof(g));
    lens = p->old + off + sizeof(g) + g.name_len + 1;
    s = lens + g.n_members;
    end = s + g.members_size;
    names = calloc((size_t)g.n_members + 1, sizeof(*names));
    if (!names)
        return false;
    for (uint32_t k = 0; k < g.n_members; k++) {
        if ((size_t)(end - s) <= lens[k] || s[lens[k]] != '\0') {
            free(names);
            return false;
        }
        names[k] = (const char *)s;
        s += lens[k] + 1;
    }
    *ret = names;
    *ret_n = g.n_members;
    return true;
}

/* 2. The patch's groups, checked and matched like the users; each user whose list of groups
 * changes (a member added or removed) becomes pending too. */
static int take_groups(struct patch *p, const struct iam_nss_patch *in) {
    size_t n_new = 0;

    p->pg = calloc(in->n_groups + 1, sizeof(*p->pg));
    p->patched_gids = calloc(in->n_groups + 1, sizeof(*p->patched_gids));
    if (!p->pg || !p->patched_gids)
        return -ENOMEM;
    for (size_t i = 0; i < in->n_groups; i++) {
        const struct iam_nss_group *g = &in->groups[i];
        struct pend_group *pg = &p->pg[p->n_pg++];
        struct strmap now = {0}, before = {0};
        const char **old = NULL, *why;
        size_t n_old = 0;
        int64_t j;
        int r = 0;

        pg->g = g;
        if (iam_nssc_check_name(g->name, &why) < 0 || !iam_nssc_id_valid(g->gid) ||
            (g->n_members && !g->members))
            return 1;
        j = find_name(p, IAM_NSSC_GROUP_BY_NAME, IAM_NSSC_GROUPS, g->name);
        if (j == -2 || (j >= 0) == in->group_is_new[i])
            return 1;
        pg->name_slot = j;
        if (j >= 0) {
            struct iam_nssc_group rec;

            pg->old_off = slot_off(p, IAM_NSSC_GROUP_BY_NAME, (uint32_t)j);
            if (!old_record(p, IAM_NSSC_GROUPS, pg->old_off, NULL, NULL))
                return 1;
            memcpy(&rec, p->old + pg->old_off, sizeof(rec));
            if (rec.gid != g->gid)
                return 1;
            if (!old_members(p, pg->old_off, &old, &n_old))
                return -ENOMEM;
        } else {
            uint32_t at = in->group_at ? in->group_at[i] : p->h.n_groups;

            if (find_id(p, IAM_NSSC_GROUP_BY_GID, (uint32_t)g->gid) >= 0 || at > p->h.n_groups ||
                (n_new > 0 && at < p->group_at_last))
                return 1;
            p->group_at_last = at;
            pg->final = at + (uint32_t)n_new++;
            p->n_new_groups++;
        }
        p->patched_gids[i] = (uint32_t)g->gid;
        /* members now and before; each one that is in only one of them changes */
        for (size_t k = 0; r == 0 && k < g->n_members; k++) {
            if (iam_nssc_check_name(g->members[k], &why) < 0)
                r = 1;
            else
                r = strmap_put(&now, g->members[k], 1); /* 1: listed twice */
        }
        for (size_t k = 0; r == 0 && k < n_old; k++)
            r = strmap_put(&before, old[k], 1);
        for (size_t k = 0; r == 0 && k < g->n_members; k++) {
            struct pend_user *u;

            if (!strmap_get(&before, g->members[k]))
                r = pend_existing(p, g->members[k], &u);
        }
        for (size_t k = 0; r == 0 && k < n_old; k++) {
            struct pend_user *u;

            if (!strmap_get(&now, old[k]))
                r = pend_existing(p, old[k], &u);
        }
        free(old);
        strmap_done(&now);
        strmap_done(&before);
        if (r != 0)
            return r;
    }
    qsort(p->patched_gids, in->n_groups, sizeof(*p->patched_gids), cmp_u32);
    for (size_t i = 1; i < in->n_groups; i++)
        if (p->patched_gids[i] == p->patched_gids[i - 1])
            return 1;
    return 0;
}

/* 3. Which pending users each patched group lists now. */
static int note_joins(struct patch *p, const struct iam_nss_patch *in) {
    for (size_t i = 0; i < in->n_groups; i++) {
        const struct iam_nss_group *g = &in->groups[i];

        for (size_t k = 0; k < g->n_members; k++) {
            uint32_t v = strmap_get(&p->users, g->members[k]);
            struct pend_user *u;

            if (!v)
                continue; /* a member before and now, whose record stays */
            u = &p->pu[v - 1];
            if (u->n_joined == u->cap_joined) {
                size_t cap = u->cap_joined ? u->cap_joined * 2 : 4;
                uint32_t *n = reallocarray(u->joined, cap, sizeof(*n));

                if (!n)
                    return -ENOMEM;
                u->joined = n;
                u->cap_joined = cap;
            }
            u->joined[u->n_joined++] = (uint32_t)i;
        }
    }
    return 0;
}

/* The position in the new GROUP_INDEX of the old group at position i: after the new groups
 * inserted before it. */
static uint32_t final_of_old(const struct patch *p, uint32_t i) {
    uint32_t before = 0;

    /* new groups are in the order of their positions: pg.final - (new ones before it) */
    for (size_t k = 0; k < p->n_pg; k++) {
        if (p->pg[k].name_slot >= 0)
            continue;
        if (p->pg[k].final - before > i)
            break;
        before++;
    }
    return i + before;
}

/* The old GROUP_INDEX position of the group record at off (the map made on first use). */
static int old_group_pos(struct patch *p, uint32_t off, uint32_t *ret) {
    if (!p->have_group_index) {
        const uint8_t *ix = p->old + sec(p, IAM_NSSC_GROUP_INDEX)->offset;
        int r = u32map_init(&p->group_index, p->h.n_groups);

        if (r < 0)
            return r;
        for (uint32_t i = 0; i < p->h.n_groups; i++) {
            uint32_t o;

            memcpy(&o, ix + (size_t)i * sizeof(o), sizeof(o));
            if (o)
                u32map_put(&p->group_index, o, i);
        }
        p->have_group_index = true;
    }
    return u32map_get(&p->group_index, off, ret) ? 0 : 1;
}

struct ranked {
    uint32_t rank, gid;
};

static int cmp_ranked(const void *a, const void *b) {
    uint32_t x = ((const struct ranked *)a)->rank, y = ((const struct ranked *)b)->rank;

    return x < y ? -1 : x > y;
}

/* 4. Each pending user's gids: its old ones but those of the patched groups, and the patched
 * groups listing it, in the order of the groups in the new GROUP_INDEX (as a build lists
 * them). */
static int user_gids(struct patch *p, const struct iam_nss_patch *in, struct pend_user *u) {
    const uint8_t *old_gids = NULL;
    struct ranked *rk;
    uint32_t n_old = 0;
    size_t n = 0, n_kept = 0;
    int r = 0;

    if (u->old_off) {
        struct iam_nssc_user rec;

        memcpy(&rec, p->old + u->old_off, sizeof(rec));
        n_old = rec.n_gids;
        old_gids = p->old + u->old_off +
                   iam_nssc_align4(iam_nssc_user_strings_end(rec.name_len, rec.gecos_len,
                                                             rec.home_len, rec.shell_len));
    }
    rk = calloc((size_t)n_old + u->n_joined + 1, sizeof(*rk));
    u->gids = calloc((size_t)n_old + u->n_joined + 1, sizeof(*u->gids));
    if (!rk || !u->gids) {
        free(rk);
        return -ENOMEM;
    }
    for (uint32_t k = 0; k < n_old; k++) {
        uint32_t gid;

        memcpy(&gid, old_gids + (size_t)k * sizeof(gid), sizeof(gid));
        if (!bsearch(&gid, p->patched_gids, in->n_groups, sizeof(gid), cmp_u32)) {
            rk[n] = (struct ranked){.rank = (uint32_t)n, .gid = gid};
            n++;
        }
    }
    n_kept = n;
    for (size_t k = 0; k < u->n_joined; k++)
        rk[n++] = (struct ranked){.gid = (uint32_t)in->groups[u->joined[k]].gid};
    if (u->n_joined > 1 || (u->n_joined && n_kept)) {
        /* rank every gid by its group's place in the new GROUP_INDEX */
        for (size_t k = 0; r == 0 && k < n; k++) {
            const struct pend_group *pg = k >= n_kept ? &p->pg[u->joined[k - n_kept]] : NULL;
            uint32_t off, pos;
            int64_t j;

            if (pg && pg->name_slot < 0) {
                rk[k].rank = pg->final;
                continue;
            }
            if (pg) {
                off = pg->old_off;
            } else {
                j = find_id(p, IAM_NSSC_GROUP_BY_GID, rk[k].gid);
                if (j < 0) {
                    r = 1;
                    break;
                }
                off = slot_off(p, IAM_NSSC_GROUP_BY_GID, (uint32_t)j);
            }
            r = old_group_pos(p, off, &pos);
            if (r == 0)
                rk[k].rank = final_of_old(p, pos);
        }
        if (r == 0)
            qsort(rk, n, sizeof(*rk), cmp_ranked);
    }
    for (size_t k = 0; k < n; k++)
        u->gids[k] = rk[k].gid;
    u->n_gids = n;
    free(rk);
    return r;
}

/* Where the records of a section end: past the last non-zero byte, plus the zeros a record
 * can end with (a user record at most 11: four NULs of empty strings, padding to 4, then to
 * 8; a group record at most 8). Zeroed old records count as free; the room after is zero. */
static uint64_t records_end(const struct patch *p, unsigned s) {
    const struct iam_nssc_section *x = sec(p, s);
    uint64_t end = (uint64_t)x->offset + x->count, at = end;

    while (at > x->offset && p->img[at - 1] == 0)
        at--;
    if (at == x->offset)
        return at;
    at = ALIGN8(at + 16);
    return at < end ? at : end;
}

/* Room for a record of size bytes: over its old record (old_size bytes) when it fits, else at
 * *end; the old record zeroed either way. 0 with *ret_off, or 1 when the section is full. */
static int place(struct patch *p, unsigned s, uint32_t old_off, uint64_t old_size, uint64_t size,
                 uint64_t *end, uint32_t *ret_off) {
    const struct iam_nssc_section *x = sec(p, s);

    if (old_off && ALIGN8(size) <= ALIGN8(old_size)) {
        memset(p->img + old_off, 0, (size_t)ALIGN8(old_size));
        *ret_off = old_off;
        return 0;
    }
    if (ALIGN8(size) > (uint64_t)x->offset + x->count - *end)
        return 1;
    if (old_off)
        memset(p->img + old_off, 0, (size_t)ALIGN8(old_size));
    *ret_off = (uint32_t)*end;
    *end += ALIGN8(size);
    return 0;
}

static uint8_t *put_str(uint8_t *p, const char *s, size_t len) {
    memcpy(p, s, len);
    p[len] = '\0';
    return p + len + 1;
}

/* 5a. The pending users' records, slots and new USER_BY_* entries; old -> new offsets in
 * moved. */
static int write_users(struct patch *p, struct u32map *moved, uint32_t *new_offs) {
    uint64_t end = records_end(p, IAM_NSSC_USERS);
    uint32_t n_uslots = sec(p, IAM_NSSC_USER_BY_NAME)->count;
    size_t n_new = 0;

    for (size_t i = 0; i < p->n_pu; i++) {
        struct pend_user *u = &p->pu[i];
        const char *f[4] = {u->name, u->gecos, u->home, u->shell};
        size_t len[4];
        uint64_t size, old_size = 0;
        struct iam_nssc_user rec;
        uint32_t off;
        uint8_t *w;

        for (size_t k = 0; k < 4; k++)
            len[k] = strlen(f[k]);
        size = iam_nssc_align4(iam_nssc_user_strings_end(len[0], len[1], len[2], len[3])) +
               (uint64_t)u->n_gids * sizeof(uint32_t);
        if (u->old_off && !old_record(p, IAM_NSSC_USERS, u->old_off, NULL, &old_size))
            return 1;
        if (place(p, IAM_NSSC_USERS, u->old_off, old_size, size, &end, &off) != 0)
            return 1;
        rec = (struct iam_nssc_user){.uid = u->uid,
                                     .gid = u->gid,
                                     .n_gids = (uint32_t)u->n_gids,
                                     .name_len = (uint8_t)len[0],
                                     .gecos_len = (uint16_t)len[1],
                                     .home_len = (uint16_t)len[2],
                                     .shell_len = (uint16_t)len[3]};
        w = p->img + off;
        memcpy(w, &rec, sizeof(rec));
        w += sizeof(rec);
        for (size_t k = 0; k < 4; k++)
            w = put_str(w, f[k], len[k]);
        w = p->img + off + iam_nssc_align4((uint64_t)(w - (p->img + off)));
        memcpy(w, u->gids, u->n_gids * sizeof(uint32_t));
        if (u->old_off) {
            int64_t j = find_id(p, IAM_NSSC_USER_BY_UID, u->uid);

            if (j < 0 || slot_off(p, IAM_NSSC_USER_BY_UID, (uint32_t)j) != u->old_off)
                return 1;
            slot_set(p, IAM_NSSC_USER_BY_UID, (uint32_t)j, u->uid, off);
            slot_set(p, IAM_NSSC_USER_BY_NAME, (uint32_t)u->name_slot,
                     iam_nssc_name_key(iam_nssc_hash(u->name, len[0], p->h.seed)), off);
            if (off != u->old_off)
                u32map_put(moved, u->old_off, off);
        } else {
            uint64_t h = iam_nssc_hash(u->name, len[0], p->h.seed);

            if (find_id(p, IAM_NSSC_USER_BY_UID, u->uid) >= 0)
                return 1; /* two new users of one uid */
            slot_insert(p, IAM_NSSC_USER_BY_NAME, iam_nssc_name_start(h, n_uslots),
                        iam_nssc_name_key(h), off);
            slot_insert(p, IAM_NSSC_USER_BY_UID,
                        iam_nssc_id_start(u->uid, p->h.seed,
                                          sec(p, IAM_NSSC_USER_BY_UID)->count),
                        u->uid, off);
            new_offs[n_new++] = off;
        }
    }
    return 0;
}

/* 5b. The patched groups' records and slots likewise. */
static int write_groups(struct patch *p, struct u32map *moved, uint32_t *new_offs) {
    uint64_t end = records_end(p, IAM_NSSC_GROUPS);
    uint32_t n_gslots = sec(p, IAM_NSSC_GROUP_BY_NAME)->count;
    size_t n_new = 0;

    for (size_t i = 0; i < p->n_pg; i++) {
        struct pend_group *pg = &p->pg[i];
        const struct iam_nss_group *g = pg->g;
        size_t nlen;
        uint64_t size, old_size = 0, h;
        struct iam_nssc_group rec;
        uint8_t *w, *lens;
        uint32_t off;

        if (!g)
            return 1;
        nlen = strlen(g->name);
        size = sizeof(struct iam_nssc_group) + nlen + 1 + g->n_members;
        h = iam_nssc_hash(g->name, nlen, p->h.seed);

        for (size_t k = 0; k < g->n_members; k++)
            size += strlen(g->members[k]) + 1;
        if (size - sizeof(rec) - nlen - 1 - g->n_members > UINT32_MAX || g->n_members > UINT32_MAX)
            return 1;
        if (pg->old_off && !old_record(p, IAM_NSSC_GROUPS, pg->old_off, NULL, &old_size))
            return 1;
        if (place(p, IAM_NSSC_GROUPS, pg->old_off, old_size, size, &end, &off) != 0)
            return 1;
        rec = (struct iam_nssc_group){
            .gid = (uint32_t)g->gid,
            .n_members = (uint32_t)g->n_members,
            .members_size = (uint32_t)(size - sizeof(rec) - nlen - 1 - g->n_members),
            .name_len = (uint8_t)nlen};
        w = p->img + off;
        memcpy(w, &rec, sizeof(rec));
        lens = put_str(w + sizeof(rec), g->name, nlen);
        w = lens + g->n_members;
        for (size_t k = 0; k < g->n_members; k++) {
            size_t len = strlen(g->members[k]);

            lens[k] = (uint8_t)len;
            w = put_str(w, g->members[k], len);
        }
        if (pg->old_off) {
            int64_t j = find_id(p, IAM_NSSC_GROUP_BY_GID, (uint32_t)g->gid);

            if (j < 0 || slot_off(p, IAM_NSSC_GROUP_BY_GID, (uint32_t)j) != pg->old_off)
                return 1;
            slot_set(p, IAM_NSSC_GROUP_BY_GID, (uint32_t)j, (uint32_t)g->gid, off);
            slot_set(p, IAM_NSSC_GROUP_BY_NAME, (uint32_t)pg->name_slot, iam_nssc_name_key(h),
                     off);
            if (off != pg->old_off)
                u32map_put(moved, pg->old_off, off);
        } else {
            if (find_id(p, IAM_NSSC_GROUP_BY_GID, (uint32_t)g->gid) >= 0)
                return 1;
            slot_insert(p, IAM_NSSC_GROUP_BY_NAME, iam_nssc_name_start(h, n_gslots),
                        iam_nssc_name_key(h), off);
            slot_insert(p, IAM_NSSC_GROUP_BY_GID,
                        iam_nssc_id_start((uint32_t)g->gid, p->h.seed,
                                          sec(p, IAM_NSSC_GROUP_BY_GID)->count),
                        (uint32_t)g->gid, off);
            new_offs[n_new++] = off;
        }
    }
    return 0;
}

/* Bytes free after section s's elements, up to the next section (sections lie in the order
 * of their ids) or the end of the file. */
static uint64_t room_after(const struct patch *p, unsigned s) {
    const struct iam_nssc_section *x = sec(p, s);
    uint64_t end = (uint64_t)x->offset + (uint64_t)x->count * iam_nssc_elem_size(s);
    uint64_t limit = p->len;

    for (unsigned t = 0; t < IAM_NSSC_N_SECTIONS; t++)
        if (t != s && (sec(p, t)->offset > x->offset || (sec(p, t)->offset == x->offset && t > s)) &&
            sec(p, t)->offset < limit)
            limit = sec(p, t)->offset;
    return limit > end ? limit - end : 0;
}

/* 6. The enumeration indexes: moved records re-pointed, new users appended, new groups put
 * at their places. */
static int update_indexes(struct patch *p, const struct u32map *moved, const uint32_t *new_u,
                          const uint32_t *new_g) {
    uint8_t *ux = p->img + sec(p, IAM_NSSC_USER_INDEX)->offset;
    uint8_t *gx = p->img + sec(p, IAM_NSSC_GROUP_INDEX)->offset;
    uint32_t nu = p->h.n_users, ng = p->h.n_groups, *merged;
    size_t k = 0, o = 0;

    if (room_after(p, IAM_NSSC_USER_INDEX) < p->n_new_users * sizeof(uint32_t) ||
        room_after(p, IAM_NSSC_GROUP_INDEX) < p->n_new_groups * sizeof(uint32_t))
        return 1;
    for (uint32_t i = 0; i < nu + ng; i++) {
        uint8_t *at = i < nu ? ux + (size_t)i * 4 : gx + (size_t)(i - nu) * 4;
        uint32_t off, to;

        memcpy(&off, at, sizeof(off));
        if (u32map_get(moved, off, &to))
            memcpy(at, &to, sizeof(to));
    }
    memcpy(ux + (size_t)nu * 4, new_u, p->n_new_users * sizeof(uint32_t));
    merged = calloc((size_t)ng + p->n_new_groups + 1, sizeof(*merged));
    if (!merged)
        return -ENOMEM;
    for (uint32_t i = 0; i <= ng; i++) {
        for (; k < p->n_pg; k++) {
            const struct pend_group *pg = &p->pg[k];

            if (pg->name_slot >= 0)
                continue;
            if (pg->final - o > i) /* its old position (final minus the new ones before) */
                break;
            merged[i + o] = new_g[o];
            o++;
        }
        if (i < ng)
            memcpy(&merged[i + o], gx + (size_t)i * 4, sizeof(uint32_t));
    }
    memcpy(gx, merged, ((size_t)ng + p->n_new_groups) * sizeof(uint32_t));
    free(merged);
    p->h.n_users += (uint32_t)p->n_new_users;
    p->h.n_groups += (uint32_t)p->n_new_groups;
    p->h.sections[IAM_NSSC_USER_INDEX].count = p->h.n_users;
    p->h.sections[IAM_NSSC_GROUP_INDEX].count = p->h.n_groups;
    return 0;
}

/* 7. The hashes of the blocks that changed, then the header's. */
static void seal(struct patch *p) {
    uint8_t *sums = p->img + p->h.blocksum_offset;

    for (uint32_t i = 0; i < p->h.n_blocks; i++) {
        uint64_t start = p->h.data_offset + (uint64_t)i * IAM_NSSC_BLOCK;
        size_t len = p->len - start < IAM_NSSC_BLOCK ? (size_t)(p->len - start) : IAM_NSSC_BLOCK;
        uint64_t sum;

        if (memcmp(p->img + start, p->old + start, len) == 0)
            continue;
        sum = iam_nssc_block_hash(p->img + start, len, p->h.seed, i);
        memcpy(sums + (size_t)i * sizeof(sum), &sum, sizeof(sum));
    }
    p->h.header_hash = iam_nssc_header_hash(&p->h, sums, p->h.n_blocks);
    memcpy(p->img, &p->h, sizeof(p->h));
}

static void patch_done(struct patch *p) {
    for (size_t i = 0; i < p->n_pu; i++) {
        free(p->pu[i].joined);
        free(p->pu[i].gids);
    }
    free(p->pu);
    free(p->pg);
    free(p->patched_gids);
    strmap_done(&p->users);
    u32map_done(&p->group_index);
}

int iam_nss_cache_patch(const void *prev, size_t prev_len, void *img,
                        const struct iam_nss_patch *patch, struct iam_error *reterr) {
    const struct iam_nss_patch *in = patch;
    struct patch p = {.old = prev, .img = img, .len = prev_len};
    struct u32map moved = {0};
    uint32_t *new_u = NULL, *new_g = NULL;
    int r;

    if (!prev || !img || img == prev || !in || (in->n_users && (!in->users || !in->user_is_new)) ||
        (in->n_groups && (!in->groups || !in->group_is_new))) {
        iam_error_set(reterr, 0, 0, 0, "invalid arguments");
        return -EINVAL;
    }
    /* the previous image as the reader checks it, every block's hash included */
    r = iam_nssc_decode_header(prev, prev_len, &p.h, reterr);
    if (r < 0)
        return r;
    if ((r = take_users(&p, in)) != 0 || (r = take_groups(&p, in)) != 0 ||
        (r = note_joins(&p, in)) != 0)
        goto out;
    r = 1;
    if (!iam_nssc_load_ok((uint64_t)p.h.n_users + p.n_new_users,
                          p.h.sections[IAM_NSSC_USER_BY_NAME].count) ||
        !iam_nssc_load_ok((uint64_t)p.h.n_users + p.n_new_users,
                          p.h.sections[IAM_NSSC_USER_BY_UID].count) ||
        !iam_nssc_load_ok((uint64_t)p.h.n_groups + p.n_new_groups,
                          p.h.sections[IAM_NSSC_GROUP_BY_NAME].count) ||
        !iam_nssc_load_ok((uint64_t)p.h.n_groups + p.n_new_groups,
                          p.h.sections[IAM_NSSC_GROUP_BY_GID].count) ||
        (uint64_t)p.h.n_users + p.n_new_users > IAM_NSS_MAX_ENTRIES ||
        (uint64_t)p.h.n_groups + p.n_new_groups > IAM_NSS_MAX_ENTRIES)
        goto out;
    for (size_t i = 0; i < p.n_pu; i++)
        if ((r = user_gids(&p, in, &p.pu[i])) != 0)
            goto out;
    r = -ENOMEM;
    new_u = calloc(p.n_new_users + 1, sizeof(*new_u));
    new_g = calloc(p.n_new_groups + 1, sizeof(*new_g));
    if (!new_u || !new_g || u32map_init(&moved, p.n_pu + p.n_pg) < 0)
        goto out;
    if ((r = write_users(&p, &moved, new_u)) != 0 || (r = write_groups(&p, &moved, new_g)) != 0 ||
        (r = update_indexes(&p, &moved, new_u, new_g)) != 0)
        goto out;
    seal(&p);
    r = 0;
out:
    if (r == -ENOMEM)
        iam_error_set(reterr, 0, 0, 0, "out of memory");
    free(new_u);
    free(new_g);
    u32map_done(&moved);
    patch_done(&p);
    return r;
}
