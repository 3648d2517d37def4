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
    cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    /* not realloc: the old block holds secrets' hashes and is wiped before it is freed */
    np = malloc(cap);
    if (!np) {
        b->err = -ENOMEM;
        return;
    }
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

/* Serialise one user's record (checksum first) at the end of b. */
static void put_record(struct buf *b, const struct iam_auth_user *u, struct doc_table *docs) {
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
        const struct doc_slot *d = doc_find(docs, &u->policies[i]);
        buf_put(b, &d->off, sizeof(d->off));
        buf_u32(b, d->len);
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
        put_record(b, u, docs);
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

/* A first guess of the image's size, so the buffer is allocated once in the usual case. */
static size_t size_hint(const struct iam_auth_user *users, size_t n_users) {
    size_t n = 0;

    for (size_t i = 0; i < n_users && i < 64; i++)
        n += 256 + users[i].n_keys * 160 + users[i].n_tags * 64 + users[i].n_groups * 32 +
             users[i].n_policies * AC_REF_LEN;
    return n_users > 64 ? n / 64 * n_users : n;
}

int iam_auth_cache_build(const struct iam_auth_user *users, size_t n_users, uint64_t serial,
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
    while (n_slots < 2 * (uint64_t)n_users)
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
    h.docs_len = b.len - h.docs_off;
    h.records_off = b.len;
    if ((r = put_records(&b, &h, users, n_users, &docs, reterr)) < 0)
        goto out;
    slots = (struct ac_slot *)(b.p + h.index_off);
    for (uint64_t i = 0; i < n_slots; i++)
        if (slots[i].rec_off != 0)
            slot_seal(&slots[i], i, h.hash_key);
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
