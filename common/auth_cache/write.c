/* SPDX-License-Identifier: Apache-2.0 */
/* Writer of auth.cache (format in format.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "format.h"
#include "iam/auth_cache.h"
#include "iam/fileio.h"

struct buf {
    uint8_t *p;
    size_t len, cap;
    int err; /* sticky: first failure */
};

static void buf_reserve(struct buf *b, size_t more) {
    size_t cap;
    uint8_t *np;

    if (b->err)
        return;
    if (more > SIZE_MAX / 2 - b->len) {
        b->err = -E2BIG;
        return;
    }
    if (b->len + more <= b->cap)
        return;
    /* the first reservation is the caller's estimate as it is (the whole of it is
     * prefaulted: rounding it up to a power of two cost up to twice the memory); growth
     * beyond it doubles */
    cap = b->cap ? b->cap : b->len + more;
    while (cap < b->len + more)
        cap *= 2;
    /* not realloc: the old block holds secrets' hashes and is wiped before it is freed */
    np = malloc(cap);
    if (!np) {
        b->err = -ENOMEM;
        return;
    }
    iam_prefault(np, cap);
    if (b->p) {
        memcpy(np, b->p, b->len);
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    b->p = np;
    b->cap = cap;
}

static void buf_put(struct buf *b, const void *data, size_t len) {
    buf_reserve(b, len);
    if (b->err)
        return;
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
}

static void buf_u32(struct buf *b, uint32_t v) {
    buf_put(b, &v, sizeof(v));
}

static void buf_i64(struct buf *b, int64_t v) {
    buf_put(b, &v, sizeof(v));
}

/* A length-prefixed string; strings must be NUL-free and fit the record limit. */
static void buf_str(struct buf *b, const char *s, size_t len) {
    if (b->err)
        return;
    if (len > IAM_AUTH_MAX_RECORD) {
        b->err = -E2BIG;
        return;
    }
    if (len && memchr(s, '\0', len)) {
        b->err = -EINVAL;
        return;
    }
    buf_u32(b, (uint32_t)len);
    buf_put(b, s, len);
    buf_put(b, "", 1);
}

static void buf_cstr(struct buf *b, const char *s) {
    if (!s) {
        if (!b->err)
            b->err = -EINVAL;
        return;
    }
    buf_str(b, s, strlen(s));
}

static size_t user_count_ok(size_t n) {
    return n <= IAM_AUTH_MAX_ITEMS;
}

static int check_user(const struct iam_auth_user *u, size_t i, struct iam_error *reterr) {
    size_t nl;

    if (!u->name || !u->user_id || !u->arn) {
        iam_error_set(reterr, 0, 0, 0, "user %zu: name, user id and ARN are required", i);
        return -EINVAL;
    }
    nl = strlen(u->name);
    if (nl == 0 || nl > IAM_AUTH_MAX_NAME) {
        iam_error_set(reterr, 0, 0, 0, "user %zu: name must be 1..%d bytes", i,
                      IAM_AUTH_MAX_NAME);
        return -EINVAL;
    }
    if (!user_count_ok(u->n_keys) || !user_count_ok(u->n_tags) || !user_count_ok(u->n_groups) ||
        !user_count_ok(u->n_policies)) {
        iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": more than %d keys, tags, groups or "
                      "policies", u->name, IAM_AUTH_MAX_ITEMS);
        return -E2BIG;
    }
    if ((u->n_keys && !u->keys) || (u->n_tags && !u->tags) || (u->n_groups && !u->groups) ||
        (u->n_policies && !u->policies)) {
        iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": NULL array", u->name);
        return -EINVAL;
    }
    if (u->is_role && (u->password_hash || u->n_keys || u->n_mfa || u->n_groups ||
                       u->max_session_duration <= 0)) {
        iam_error_set(reterr, 0, 0, 0, "role \"%.64s\": a role has no password, key, MFA "
                      "device or group, and a maximum session duration", u->name);
        return -EINVAL;
    }
    for (size_t k = 0, trust = 0; k < u->n_policies; k++) {
        const struct iam_auth_policy *p = &u->policies[k];

        if (p->kind == IAM_AUTH_POLICY_TRUST && (!u->is_role || trust++)) {
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": a trust policy belongs to a role, "
                          "once", u->name);
            return -EINVAL;
        }
        if (p->kind != IAM_AUTH_POLICY_IDENTITY && p->kind != IAM_AUTH_POLICY_BOUNDARY &&
            p->kind != IAM_AUTH_POLICY_TRUST) {
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": policy %zu has an unknown kind",
                          u->name, k);
            return -EINVAL;
        }
        if (!p->text && p->text_len) {
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": policy %zu has no text", u->name,
                          k);
            return -EINVAL;
        }
    }
    return 0;
}

/* The documents a build stores, each once: keyed by the pointers of an iam_auth_policy (the
 * callers pass the same strings for a policy every user shares), so finding one costs no
 * hashing of its text. */
struct doc_slot {
    const struct iam_auth_policy *p; /* NULL = empty */
    uint64_t off;                    /* where the document starts in the image */
    uint32_t len;
};

struct doc_table {
    struct doc_slot *slots;
    size_t cap, n;
};

static uint64_t doc_key(const struct iam_auth_policy *p) {
    uint64_t h = (uint64_t)(uintptr_t)p->text * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uintptr_t)p->source_id * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)(uintptr_t)p->source_type + (uint64_t)p->kind + p->text_len;
    h ^= h >> 29;
    return h * 0x94D049BB133111EBull;
}

static bool doc_same(const struct iam_auth_policy *a, const struct iam_auth_policy *b) {
    return a->kind == b->kind && a->text == b->text && a->text_len == b->text_len &&
           a->source_id == b->source_id && a->source_type == b->source_type;
}

static struct doc_slot *doc_find(struct doc_table *t, const struct iam_auth_policy *p) {
    size_t i = (size_t)(doc_key(p) >> 32) & (t->cap - 1);

    while (t->slots[i].p && !doc_same(t->slots[i].p, p))
        i = (i + 1) & (t->cap - 1);
    return &t->slots[i];
}

/* Twice the room, every entry moved (the table holds distinct documents: it stays small). */
static int doc_grow(struct doc_table *t) {
    struct doc_table n = {.cap = t->cap ? t->cap * 2 : 1024, .n = t->n};

    n.slots = calloc(n.cap, sizeof(*n.slots));
    if (!n.slots)
        return -ENOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].p)
            *doc_find(&n, t->slots[i].p) = t->slots[i];
    free(t->slots);
    *t = n;
    return 0;
}

/* One document at the end of b (checksum first). */
static void put_doc(struct buf *b, const struct iam_auth_policy *p) {
    size_t start = b->len;
    uint8_t zero[AC_SUM_LEN] = {0};

    buf_put(b, zero, sizeof(zero));
    buf_u32(b, AC_DOC_MAGIC);
    buf_u32(b, (uint32_t)p->kind);
    buf_cstr(b, p->source_type ? p->source_type : "");
    buf_cstr(b, p->source_id ? p->source_id : "");
    buf_str(b, p->text ? p->text : "", p->text ? p->text_len : 0);
    if (b->err)
        return;
    if (b->len - start > IAM_AUTH_MAX_RECORD) {
        b->err = -E2BIG;
        return;
    }
    crypto_generichash(b->p + start, AC_SUM_LEN, b->p + start + AC_SUM_LEN,
                       b->len - start - AC_SUM_LEN, NULL, 0);
}

/* Every distinct document of every user, written at the end of b. */
static int put_docs(struct buf *b, struct doc_table *t, const struct iam_auth_user *users,
                    size_t n_users) {
    if (doc_grow(t) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < n_users; i++)
        for (size_t k = 0; k < users[i].n_policies; k++) {
            const struct iam_auth_policy *p = &users[i].policies[k];
            struct doc_slot *d = doc_find(t, p);
            if (d->p)
                continue;
            if ((t->n + 1) * 2 > t->cap) {
                if (doc_grow(t) < 0)
                    return -ENOMEM;
                d = doc_find(t, p);
            }
            d->p = p;
            d->off = b->len;
            put_doc(b, p);
            if (b->err)
                return b->err;
            d->len = (uint32_t)(b->len - d->off);
            t->n++;
        }
    return 0;
}

/* Where a record's policy document lies in the image. */
struct ac_ref {
    uint64_t off;
    uint32_t len;
};

/* Serialise one user's record (checksum first) at the end of b; refs[i] is where the
 * document of u->policies[i] lies. */
static void put_record(struct buf *b, const struct iam_auth_user *u, const struct ac_ref *refs) {
    size_t start = b->len;
    uint32_t flags = 0;
    uint8_t zero[AC_SUM_LEN] = {0};

    if (u->password_hash)
        flags |= AC_REC_FLAG_LOGIN_PROFILE;
    if (u->password_reset_required)
        flags |= AC_REC_FLAG_RESET_REQUIRED;
    if (u->password_hash && u->password_expires > 0)
        flags |= AC_REC_FLAG_EXPIRES | (u->password_hard_expiry ? AC_REC_FLAG_HARD_EXPIRY : 0);
    if (u->n_mfa > 0)
        flags |= AC_REC_FLAG_MFA;
    if (u->is_role)
        flags |= AC_REC_FLAG_ROLE;

    buf_put(b, zero, sizeof(zero));
    buf_u32(b, AC_RECORD_MAGIC);
    buf_u32(b, flags);
    buf_u32(b, (uint32_t)u->n_keys);
    buf_u32(b, (uint32_t)u->n_tags);
    buf_u32(b, (uint32_t)u->n_groups);
    buf_u32(b, (uint32_t)u->n_policies);
    buf_cstr(b, u->name);
    buf_cstr(b, u->user_id);
    buf_cstr(b, u->arn);
    buf_cstr(b, u->password_hash ? u->password_hash : "");
    for (size_t i = 0; i < u->n_keys; i++) {
        buf_cstr(b, u->keys[i].id);
        buf_cstr(b, u->keys[i].active ? "Active" : "Inactive");
        buf_i64(b, u->keys[i].create_date);
        buf_cstr(b, u->keys[i].secret_hash);
    }
    for (size_t i = 0; i < u->n_tags; i++) {
        buf_cstr(b, u->tags[i].key);
        buf_cstr(b, u->tags[i].value);
    }
    for (size_t i = 0; i < u->n_groups; i++)
        buf_cstr(b, u->groups[i]);
    for (size_t i = 0; i < u->n_policies; i++) {
        buf_put(b, &refs[i].off, sizeof(refs[i].off));
        buf_u32(b, refs[i].len);
    }
    if (flags & AC_REC_FLAG_EXPIRES)
        buf_i64(b, u->password_expires);
    if (flags & AC_REC_FLAG_MFA) {
        buf_u32(b, (uint32_t)u->n_mfa);
        for (size_t i = 0; i < u->n_mfa; i++) {
            buf_cstr(b, u->mfa[i].serial);
            buf_cstr(b, u->mfa[i].seed_hex);
            buf_i64(b, u->mfa[i].not_before);
            buf_i64(b, u->mfa[i].drift);
        }
    }
    if (flags & AC_REC_FLAG_ROLE)
        buf_i64(b, u->max_session_duration);
    if (b->err)
        return;
    if (b->len - start > IAM_AUTH_MAX_RECORD) {
        b->err = -E2BIG;
        return;
    }
    crypto_generichash(b->p + start, AC_SUM_LEN, b->p + start + AC_SUM_LEN,
                       b->len - start - AC_SUM_LEN, NULL, 0);
}

static uint64_t name_hash(const uint8_t key[crypto_shorthash_KEYBYTES], const char *name) {
    uint8_t out[crypto_shorthash_BYTES];
    uint64_t h;

    crypto_shorthash(out, (const unsigned char *)name, strlen(name), key);
    memcpy(&h, out, sizeof(h));
    return h;
}

static void slot_seal(struct ac_slot *s, uint64_t slot_no,
                      const uint8_t key[crypto_shorthash_KEYBYTES]) {
    uint8_t in[24 + 8];

    memcpy(in, s, 24);
    memcpy(in + 24, &slot_no, 8);
    crypto_shorthash(s->check, in, sizeof(in), key);
}

static void slot_insert(struct ac_slot *slots, uint64_t n_slots, uint64_t hash, uint64_t rec_off,
                        uint32_t rec_len) {
    uint64_t pos = hash & (n_slots - 1);

    while (slots[pos].rec_off != 0)
        pos = (pos + 1) & (n_slots - 1);
    slots[pos].name_hash = hash;
    slots[pos].rec_off = rec_off;
    slots[pos].rec_len = rec_len;
    slots[pos].reserved = 0;
}

/* The records, after the documents; each user's slot filled in. Names are unique: a
 * duplicate is found by probing for the same hash and comparing the name in the record. */
static int put_records(struct buf *b, const struct ac_header2 *h, const struct iam_auth_user *users,
                       size_t n_users, struct doc_table *docs, struct iam_error *reterr) {
    struct ac_ref refs[IAM_AUTH_MAX_ITEMS]; /* check_user() bounds n_policies */

    for (size_t i = 0; i < n_users; i++) {
        const struct iam_auth_user *u = &users[i];
        uint64_t hash = name_hash(h->hash_key, u->name), rec_off = b->len;
        const struct ac_slot *slots = (const struct ac_slot *)(b->p + h->index_off);

        for (uint64_t pos = hash & (h->n_slots - 1); slots[pos].rec_off;
             pos = (pos + 1) & (h->n_slots - 1)) {
            const uint8_t *rec = b->p + slots[pos].rec_off + AC_REC_FIXED;
            uint32_t len;
            if (slots[pos].name_hash != hash)
                continue;
            memcpy(&len, rec, sizeof(len));
            if (len == strlen(u->name) && memcmp(rec + 4, u->name, len) == 0) {
                iam_error_set(reterr, 0, 0, 0, "duplicate user name \"%.64s\"", u->name);
                return -EINVAL;
            }
        }
        for (size_t k = 0; k < u->n_policies; k++) {
            const struct doc_slot *d = doc_find(docs, &u->policies[k]);
            refs[k] = (struct ac_ref){.off = d->off, .len = d->len};
        }
        put_record(b, u, refs);
        if (b->err) {
            if (b->err == -E2BIG)
                iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": record over %u bytes", u->name,
                              IAM_AUTH_MAX_RECORD);
            else if (b->err == -EINVAL)
                iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": missing field or NUL in a "
                              "string", u->name);
            return b->err;
        }
        slot_insert((struct ac_slot *)(b->p + h->index_off), h->n_slots, hash, rec_off,
                    (uint32_t)(b->len - rec_off));
    }
    return 0;
}

/* The room a whole build leaves for later patches (iam_auth_cache_patch): an eighth more
 * users in the index (at load <= 1/2 still), an eighth more bytes of documents and of records
 * and a little (512 bytes: a small cache takes a patch or two too, and the fuzzer's seeds
 * stay small). A patch that finds no room left
 * declines and the caller builds whole, which makes new room. */
static uint64_t ac_spare_users(size_t n_users) {
    return n_users / 8 + 16;
}

static uint32_t ac_room(size_t section_len) {
    size_t room = section_len / 8 + 512;

    return room > (size_t)UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)room;
}

/* A first guess of the image's size, so the buffer is allocated once in the usual case. */
static size_t size_hint(const struct iam_auth_user *users, size_t n_users) {
    size_t n = 0;

    for (size_t i = 0; i < n_users && i < 64; i++)
        n += 256 + users[i].n_keys * 160 + users[i].n_tags * 64 + users[i].n_groups * 32 +
             users[i].n_policies * AC_REF_LEN;
    n = n_users > 64 ? n / 64 * n_users : n;
    return n + n / 8 + 2 * 512; /* and the room for patches */
}

int iam_auth_cache_build(const struct iam_auth_user *users, size_t n_users, uint64_t serial,
                         void **ret_buf, size_t *ret_len, struct iam_error *reterr) {
    return iam_auth_cache_build_keyed(users, n_users, serial, NULL, ret_buf, ret_len, reterr);
}

int iam_auth_cache_build_keyed(const struct iam_auth_user *users, size_t n_users,
                               uint64_t serial, const uint8_t key[IAM_AUTH_CACHE_KEY_LEN],
                               void **ret_buf, size_t *ret_len, struct iam_error *reterr) {
    struct buf b = {0};
    struct ac_header2 h;
    struct doc_table docs = {0};
    struct ac_slot *slots;
    uint64_t n_slots = 8;
    int r = -EINVAL;

    if (!ret_buf || !ret_len || (n_users && !users))
        goto out;
    if (n_users > IAM_AUTH_MAX_USERS) {
        iam_error_set(reterr, 0, 0, 0, "%zu users: over the limit of %u", n_users,
                      IAM_AUTH_MAX_USERS);
        r = -E2BIG;
        goto out;
    }
    if (sodium_init() < 0) {
        r = -ENOTSUP;
        goto out;
    }
    for (size_t i = 0; i < n_users; i++)
        if ((r = check_user(&users[i], i, reterr)) < 0)
            goto out;
    while (n_slots < 2 * (uint64_t)(n_users + ac_spare_users(n_users)))
        n_slots *= 2;
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, AC_MAGIC, AC_MAGIC_LEN);
    h.byte_order = AC_BYTE_ORDER_MARK;
    h.version = IAM_AUTH_CACHE_VERSION;
    h.header_size = sizeof(struct ac_header2);
    h.slot_size = sizeof(struct ac_slot);
    h.serial = serial;
    h.n_users = n_users;
    h.n_slots = n_slots;
    h.index_off = sizeof(struct ac_header2);
    h.docs_off = h.index_off + n_slots * sizeof(struct ac_slot);
    if (key)
        memcpy(h.hash_key, key, sizeof(h.hash_key));
    else
        crypto_shorthash_keygen(h.hash_key);

    /* header and index are filled in at the end; reserve their room now */
    buf_reserve(&b, h.docs_off + size_hint(users, n_users));
    if (b.err || !b.p) {
        r = b.err ? b.err : -ENOMEM;
        goto out;
    }
    memset(b.p, 0, h.docs_off);
    b.len = h.docs_off;
    if ((r = put_docs(&b, &docs, users, n_users)) < 0) {
        if (r == -E2BIG)
            iam_error_set(reterr, 0, 0, 0, "a policy document over %u bytes", IAM_AUTH_MAX_RECORD);
        goto out;
    }
    /* room for a patch's documents, at the end of theirs */
    h.doc_room = ac_room(b.len - h.docs_off);
    buf_reserve(&b, h.doc_room);
    if (b.err) {
        r = b.err;
        goto out;
    }
    memset(b.p + b.len, 0, h.doc_room);
    b.len += h.doc_room;
    h.docs_len = b.len - h.docs_off;
    h.records_off = b.len;
    if ((r = put_records(&b, &h, users, n_users, &docs, reterr)) < 0)
        goto out;
    /* room for a patch's records, before them (the last record ends the file, which
     * iam_auth_cache_verify checks; with no user the records are empty) */
    h.rec_room = n_users ? ac_room(b.len - h.records_off) : 0;
    buf_reserve(&b, h.rec_room);
    if (b.err) {
        r = b.err;
        goto out;
    }
    memmove(b.p + h.records_off + h.rec_room, b.p + h.records_off, b.len - h.records_off);
    memset(b.p + h.records_off, 0, h.rec_room);
    b.len += h.rec_room;
    slots = (struct ac_slot *)(b.p + h.index_off);
    for (uint64_t i = 0; i < n_slots; i++)
        if (slots[i].rec_off != 0) {
            slots[i].rec_off += h.rec_room;
            slot_seal(&slots[i], i, h.hash_key);
        }
    h.file_size = b.len;
    crypto_generichash(h.index_sum, AC_SUM_LEN, b.p + h.index_off,
                       n_slots * sizeof(struct ac_slot), NULL, 0);
    crypto_generichash(h.header_sum, AC_SUM_LEN, (const uint8_t *)&h,
                       offsetof(struct ac_header2, header_sum), NULL, 0);
    memcpy(b.p, &h, sizeof(h));

    *ret_buf = b.p;
    *ret_len = b.len;
    b.p = NULL;
    r = 0;
out:
    free(docs.slots);
    if (b.p) {
        sodium_memzero(b.p, b.len);
        free(b.p);
    }
    return r;
}

/* Temp file in the same directory, fsync, rename, fsync the directory. */
int iam_auth_cache_write(const char *path, const struct iam_auth_user *users, size_t n_users,
                         uint64_t serial, struct iam_error *reterr) {
    void *data = NULL;
    size_t len = 0;
    int r;

    if (!path || !*path) {
        iam_error_set(reterr, 0, 0, 0, "no cache path");
        return -EINVAL;
    }
    iam_error_set_source(reterr, path);
    r = iam_auth_cache_build(users, n_users, serial, &data, &len, reterr);
    if (r < 0)
        return r;
    r = iam_file_write_atomic(path, data, len, 0600, reterr);
    sodium_memzero(data, len);
    free(data);
    return r;
}

/* ---- the image of a few changed users, from the previous image ---------------------------- */

_Static_assert(IAM_AUTH_CACHE_KEY_LEN == crypto_shorthash_KEYBYTES, "one key size");

/* A document of the old image: where it lies and what it holds (pointers into the image). */
struct old_doc {
    uint64_t off;
    uint32_t len;
    enum iam_auth_policy_kind kind;
    const char *type, *id, *text;
    size_t type_len, id_len, text_len;
};

/* A patch in progress: the old image (read only), its copy being changed (a private writable
 * mapping: only the pages written are copied), the header of the new image, the old
 * documents, and the documents this patch wrote (views of the changed users' policies). */
struct patch {
    const uint8_t *img;
    uint8_t *out;
    size_t len;
    struct ac_header2 h;
    struct old_doc *docs;
    size_t n_docs;
    const struct iam_auth_policy **fresh;
    uint64_t *fresh_off;
    uint32_t *fresh_len;
    size_t n_fresh, cap_fresh;
};

static void patch_free(struct patch *p) {
    free(p->docs);
    free(p->fresh);
    free(p->fresh_off);
    free(p->fresh_len);
}

/* A cursor over a bounded piece of the image. */
struct rd {
    const uint8_t *p, *end;
    bool bad;
};

static uint32_t rd_u32(struct rd *r) {
    uint32_t v = 0;

    if (r->bad || r->end - r->p < 4) {
        r->bad = true;
        return 0;
    }
    memcpy(&v, r->p, 4);
    r->p += 4;
    return v;
}

static void rd_skip(struct rd *r, size_t n) {
    if (r->bad || (size_t)(r->end - r->p) < n)
        r->bad = true;
    else
        r->p += n;
}

/* A string as put by buf_str: its bytes (NUL-terminated in the image) and length. */
static const char *rd_str(struct rd *r, size_t *ret_len) {
    uint32_t n = rd_u32(r);
    const char *s = (const char *)r->p;

    if (r->bad || (size_t)(r->end - r->p) <= n || r->p[n] != '\0') {
        r->bad = true;
        return NULL;
    }
    r->p += n + 1;
    if (ret_len)
        *ret_len = n;
    return s;
}

static int patch_bad(struct iam_error *reterr, const char *what) {
    iam_error_set(reterr, 0, 0, 0, "the previous auth.cache cannot be patched: %s", what);
    return -EBADMSG;
}

static bool all_zero(const uint8_t *p, size_t n) {
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* The old header, checked as the reader does and more: its checksum, and that the room it
 * claims is zero bytes inside its sections (a patch writes only there and over the records
 * and documents it replaces). */
static int patch_header(struct patch *p, struct iam_error *reterr) {
    struct ac_header2 *h = &p->h;
    uint8_t sum[AC_SUM_LEN];

    if (p->len < sizeof(*h))
        return patch_bad(reterr, "too short");
    memcpy(h, p->img, sizeof(*h));
    if (memcmp(h->magic, AC_MAGIC, AC_MAGIC_LEN) != 0 || h->byte_order != AC_BYTE_ORDER_MARK ||
        h->version != IAM_AUTH_CACHE_VERSION || h->header_size != sizeof(*h) ||
        h->slot_size != sizeof(struct ac_slot) || h->file_size != p->len ||
        h->n_slots < 8 || (h->n_slots & (h->n_slots - 1)) ||
        h->n_slots > 4 * (uint64_t)IAM_AUTH_MAX_USERS || h->n_users > IAM_AUTH_MAX_USERS ||
        h->n_slots < 2 * h->n_users || h->index_off != sizeof(*h) ||
        h->docs_off != h->index_off + h->n_slots * sizeof(struct ac_slot) ||
        h->docs_len > p->len || h->docs_off > p->len - h->docs_len ||
        h->records_off != h->docs_off + h->docs_len || h->doc_room > h->docs_len ||
        h->rec_room > p->len - h->records_off ||
        (h->n_users > 0 && h->rec_room == p->len - h->records_off))
        return patch_bad(reterr, "header");
    crypto_generichash(sum, sizeof(sum), p->img, offsetof(struct ac_header2, header_sum), NULL, 0);
    if (sodium_memcmp(sum, h->header_sum, sizeof(sum)) != 0)
        return patch_bad(reterr, "header checksum");
    if (!all_zero(p->img + h->records_off - h->doc_room, h->doc_room) ||
        !all_zero(p->img + h->records_off, h->rec_room))
        return patch_bad(reterr, "its room is not empty");
    return 0;
}

/* Every document before the room, in file order. */
static int patch_docs(struct patch *p, struct iam_error *reterr) {
    struct rd r = {.p = p->img + p->h.docs_off, .end = p->img + p->h.records_off - p->h.doc_room};
    size_t cap = 0;

    while (r.p < r.end) {
        struct old_doc *d;
        const uint8_t *start = r.p;

        if (p->n_docs == cap) {
            struct old_doc *nd = reallocarray(p->docs, cap = cap ? cap * 2 : 256, sizeof(*nd));
            if (!nd) {
                iam_error_set(reterr, 0, 0, 0, "out of memory");
                return -ENOMEM;
            }
            p->docs = nd;
        }
        d = &p->docs[p->n_docs];
        rd_skip(&r, AC_SUM_LEN);
        if (rd_u32(&r) != AC_DOC_MAGIC)
            r.bad = true;
        d->kind = (enum iam_auth_policy_kind)rd_u32(&r);
        d->type = rd_str(&r, &d->type_len);
        d->id = rd_str(&r, &d->id_len);
        d->text = rd_str(&r, &d->text_len);
        if (r.bad)
            return patch_bad(reterr, "a policy document");
        d->off = (uint64_t)(start - p->img);
        d->len = (uint32_t)(r.p - start);
        p->n_docs++;
    }
    return 0;
}

/* The name of the record at rec, len bytes: parsed through to its end, which must be len.
 * NULL when it is not a record. */
static const char *patch_record_name(const uint8_t *rec, size_t len, size_t *ret_name_len) {
    struct rd r = {.p = rec, .end = rec + len};
    uint32_t flags, n_keys, n_tags, n_groups, n_pol;
    const char *name;

    rd_skip(&r, AC_SUM_LEN);
    if (rd_u32(&r) != AC_RECORD_MAGIC)
        r.bad = true;
    flags = rd_u32(&r);
    n_keys = rd_u32(&r);
    n_tags = rd_u32(&r);
    n_groups = rd_u32(&r);
    n_pol = rd_u32(&r);
    name = rd_str(&r, ret_name_len);
    (void)rd_str(&r, NULL); /* user id */
    (void)rd_str(&r, NULL); /* ARN */
    (void)rd_str(&r, NULL); /* password hash */
    for (uint32_t k = 0; k < n_keys && !r.bad; k++) {
        (void)rd_str(&r, NULL);
        (void)rd_str(&r, NULL);
        rd_skip(&r, 8);
        (void)rd_str(&r, NULL);
    }
    for (uint64_t k = 0; k < 2 * (uint64_t)n_tags + n_groups && !r.bad; k++)
        (void)rd_str(&r, NULL);
    if (n_pol > IAM_AUTH_MAX_ITEMS)
        r.bad = true;
    rd_skip(&r, (size_t)n_pol * AC_REF_LEN);
    if (flags & AC_REC_FLAG_EXPIRES)
        rd_skip(&r, 8);
    if (flags & AC_REC_FLAG_MFA) {
        uint32_t n = rd_u32(&r);
        for (uint32_t k = 0; k < n && !r.bad; k++) {
            (void)rd_str(&r, NULL);
            (void)rd_str(&r, NULL);
            rd_skip(&r, 16);
        }
    }
    if (flags & AC_REC_FLAG_ROLE)
        rd_skip(&r, 8); /* max_session_duration */
    return r.bad || r.p != r.end ? NULL : name;
}

/* The slot of the user named name in the image being patched (p->out), or the empty slot
 * where it goes (*ret_found false). -EBADMSG when a slot on the way is damaged or the table
 * has no empty slot. Each slot whose hash matches is checked (its keyed check, that it points
 * into the records and past the room, that a whole record lies there) before its record's name
 * is compared. */
static int patch_find(const struct patch *p, const char *name, uint64_t *ret_pos,
                      bool *ret_found, struct iam_error *reterr) {
    const struct ac_slot *slots = (const struct ac_slot *)(p->out + p->h.index_off);
    uint64_t hash = name_hash(p->h.hash_key, name), n = p->h.n_slots;
    uint64_t lo = p->h.records_off + p->h.rec_room;
    size_t len = strlen(name);

    for (uint64_t pos = hash & (n - 1), k = 0; k < n; pos = (pos + 1) & (n - 1), k++) {
        struct ac_slot s = slots[pos];
        uint8_t check[AC_SLOT_CHECK_LEN];
        const char *rname;
        size_t rlen = 0;

        if (s.rec_off == 0) {
            *ret_pos = pos;
            *ret_found = false;
            return 0;
        }
        if (s.name_hash != hash)
            continue;
        memcpy(check, s.check, sizeof(check));
        slot_seal(&s, pos, p->h.hash_key);
        if (sodium_memcmp(check, s.check, sizeof(check)) != 0 || s.reserved != 0 ||
            s.rec_off < lo || s.rec_off > p->len || s.rec_len > p->len - s.rec_off ||
            s.rec_len < AC_REC_FIXED || s.rec_len > IAM_AUTH_MAX_RECORD)
            return patch_bad(reterr, "an index slot");
        rname = patch_record_name(p->out + s.rec_off, s.rec_len, &rlen);
        if (!rname)
            return patch_bad(reterr, "a record");
        if (rlen == len && memcmp(rname, name, len) == 0) {
            *ret_pos = pos;
            *ret_found = true;
            return 0;
        }
    }
    return patch_bad(reterr, "the index has no empty slot");
}

static bool same_str(const char *a, size_t a_len, const char *b) {
    b = b ? b : "";
    return strlen(b) == a_len && memcmp(a, b, a_len) == 0;
}

static bool same_policy(const struct iam_auth_policy *f, const struct iam_auth_policy *pol) {
    size_t text_len = pol->text ? pol->text_len : 0;

    return f->kind == pol->kind && (f->text ? f->text_len : 0) == text_len &&
           (text_len == 0 || memcmp(f->text, pol->text, text_len) == 0) &&
           strcmp(f->source_id ? f->source_id : "", pol->source_id ? pol->source_id : "") == 0 &&
           strcmp(f->source_type ? f->source_type : "",
                  pol->source_type ? pol->source_type : "") == 0;
}

/* Where the document holding what pol says lies: an old one (the same kind, source type,
 * source id and text), one this patch wrote, or one written now into the documents' room.
 * A linear search of the old documents: the changed users are few. 0, 1 when the room is
 * short (the caller builds whole), or -errno. */
static int patch_doc(struct patch *p, const struct iam_auth_policy *pol, struct ac_ref *ret,
                     struct iam_error *reterr) {
    const char *text = pol->text ? pol->text : "";
    size_t text_len = pol->text ? pol->text_len : 0;
    struct buf b = {0};
    uint64_t at;

    for (size_t i = 0; i < p->n_docs; i++) {
        const struct old_doc *d = &p->docs[i];
        if (d->kind == pol->kind && d->text_len == text_len &&
            memcmp(d->text, text, text_len) == 0 && same_str(d->id, d->id_len, pol->source_id) &&
            same_str(d->type, d->type_len, pol->source_type)) {
            *ret = (struct ac_ref){.off = d->off, .len = d->len};
            return 0;
        }
    }
    for (size_t i = 0; i < p->n_fresh; i++)
        if (same_policy(p->fresh[i], pol)) {
            *ret = (struct ac_ref){.off = p->fresh_off[i], .len = p->fresh_len[i]};
            return 0;
        }
    if (p->n_fresh == p->cap_fresh) {
        size_t cap = p->cap_fresh ? p->cap_fresh * 2 : 16;
        const struct iam_auth_policy **nf =
            reallocarray(p->fresh, cap, sizeof(const struct iam_auth_policy *));
        uint64_t *no;
        uint32_t *nl;

        if (nf)
            p->fresh = nf;
        no = nf ? reallocarray(p->fresh_off, cap, sizeof(*no)) : NULL;
        if (no)
            p->fresh_off = no;
        nl = no ? reallocarray(p->fresh_len, cap, sizeof(*nl)) : NULL;
        if (!nl) {
            iam_error_set(reterr, 0, 0, 0, "out of memory");
            return -ENOMEM;
        }
        p->fresh_len = nl;
        p->cap_fresh = cap;
    }
    put_doc(&b, pol);
    if (b.err) {
        if (b.err == -E2BIG)
            iam_error_set(reterr, 0, 0, 0, "a policy document over %u bytes",
                          IAM_AUTH_MAX_RECORD);
        else if (b.err == -ENOMEM)
            iam_error_set(reterr, 0, 0, 0, "out of memory");
        free(b.p);
        return b.err;
    }
    if (b.len > p->h.doc_room) {
        free(b.p);
        return 1;
    }
    at = p->h.records_off - p->h.doc_room;
    memcpy(p->out + at, b.p, b.len);
    p->h.doc_room -= (uint32_t)b.len;
    p->fresh[p->n_fresh] = pol;
    p->fresh_off[p->n_fresh] = at;
    p->fresh_len[p->n_fresh] = (uint32_t)b.len;
    p->n_fresh++;
    *ret = (struct ac_ref){.off = at, .len = (uint32_t)b.len};
    free(b.p);
    return 0;
}

/* Changed user u written into the image: its documents found or written, its record over
 * its old one (ending where the old one ended, the bytes before it zeroed) when it fits,
 * else into the records' room (the old one zeroed); its slot re-pointed, or a slot taken
 * when it is new. 0, 1 when something does not fit (the caller builds whole), or -errno. */
static int patch_user(struct patch *p, const struct iam_auth_user *u, size_t *n_appended,
                      struct iam_error *reterr) {
    struct ac_ref refs[IAM_AUTH_MAX_ITEMS]; /* check_user() bounds n_policies */
    struct ac_slot *slots = (struct ac_slot *)(p->out + p->h.index_off), *s;
    struct buf b = {0};
    uint64_t pos = 0, at;
    bool found = false;
    int r;

    if ((r = patch_find(p, u->name, &pos, &found, reterr)) < 0)
        return r;
    if (!found && (2 * (p->h.n_users + 1) > p->h.n_slots || p->h.n_users >= IAM_AUTH_MAX_USERS))
        return 1; /* the index is full (at load 1/2) */
    for (size_t k = 0; k < u->n_policies; k++)
        if ((r = patch_doc(p, &u->policies[k], &refs[k], reterr)) != 0)
            return r;
    put_record(&b, u, refs);
    if (b.err) {
        r = b.err;
        if (r == -E2BIG)
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": record over %u bytes", u->name,
                          IAM_AUTH_MAX_RECORD);
        else if (r == -EINVAL)
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": missing field or NUL in a string",
                          u->name);
        else
            iam_error_set(reterr, 0, 0, 0, "out of memory");
        goto out;
    }
    s = &slots[pos];
    if (found && b.len <= s->rec_len) {
        at = s->rec_off + s->rec_len - b.len;
        sodium_memzero(p->out + s->rec_off, s->rec_len - b.len);
    } else if (b.len <= p->h.rec_room && !(found && s->rec_off + s->rec_len == p->len)) {
        /* (the record that ends the file cannot leave its place: the last record ends it) */
        p->h.rec_room -= (uint32_t)b.len;
        at = p->h.records_off + p->h.rec_room;
        if (found)
            sodium_memzero(p->out + s->rec_off, s->rec_len);
    } else {
        r = 1;
        goto out;
    }
    memcpy(p->out + at, b.p, b.len);
    if (!found) {
        s->name_hash = name_hash(p->h.hash_key, u->name);
        p->h.n_users++;
        ++*n_appended;
    }
    s->rec_off = at;
    s->rec_len = (uint32_t)b.len;
    s->reserved = 0;
    slot_seal(s, pos, p->h.hash_key);
    r = 0;
out:
    if (b.p) {
        sodium_memzero(b.p, b.cap);
        free(b.p);
    }
    return r;
}

int iam_auth_cache_key_of(const void *img, size_t len, uint8_t key[IAM_AUTH_CACHE_KEY_LEN]) {
    struct ac_header2 h;

    if (!img || len < sizeof(h))
        return -EBADMSG;
    memcpy(&h, img, sizeof(h));
    if (memcmp(h.magic, AC_MAGIC, AC_MAGIC_LEN) != 0 || h.byte_order != AC_BYTE_ORDER_MARK ||
        h.version != IAM_AUTH_CACHE_VERSION)
        return -EBADMSG;
    memcpy(key, h.hash_key, IAM_AUTH_CACHE_KEY_LEN);
    return 0;
}

int iam_auth_cache_patch(const void *old, void *copy, size_t len,
                         const struct iam_auth_user *changed, size_t n_changed, uint64_t serial,
                         size_t *ret_n_appended, struct iam_error *reterr) {
    struct patch p = {.img = old, .out = copy, .len = len};
    size_t n_appended = 0;
    int r;

    if (!old || !copy || !ret_n_appended || (n_changed && !changed))
        return -EINVAL;
    if (sodium_init() < 0)
        return -ENOTSUP;
    for (size_t i = 0; i < n_changed; i++) {
        if ((r = check_user(&changed[i], i, reterr)) < 0)
            return r;
        for (size_t j = 0; j < i; j++)
            if (strcmp(changed[j].name, changed[i].name) == 0) {
                iam_error_set(reterr, 0, 0, 0, "duplicate user name \"%.64s\"", changed[i].name);
                return -EINVAL;
            }
    }
    if ((r = patch_header(&p, reterr)) < 0 || (r = patch_docs(&p, reterr)) < 0)
        goto out;
    for (size_t i = 0; i < n_changed; i++)
        if ((r = patch_user(&p, &changed[i], &n_appended, reterr)) != 0)
            goto out;
    p.h.serial = serial;
    crypto_generichash(p.h.index_sum, AC_SUM_LEN, p.out + p.h.index_off,
                       p.h.n_slots * sizeof(struct ac_slot), NULL, 0);
    crypto_generichash(p.h.header_sum, AC_SUM_LEN, (const uint8_t *)&p.h,
                       offsetof(struct ac_header2, header_sum), NULL, 0);
    memcpy(p.out, &p.h, sizeof(p.h));
    *ret_n_appended = n_appended;
    r = 0;
out:
    patch_free(&p);
    return r;
}
