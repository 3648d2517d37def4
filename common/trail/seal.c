/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seal-logs: hash the records written since the last seal, sign a digest with the current
 * key, move on to the next key. The order of writes makes a crash harmless:
 *   1. the new state (next key, new position, and the new digest as "pending") replaces the
 *      old one atomically: from here on the old secret key is gone from the state file;
 *   2. the digest file is written (atomically); a crash before this is repaired by the next
 *      run, which writes the pending digest first.
 * The state is a small binary file (no secret ever passes through jansson, whose memory we
 * cannot wipe), with a checksum so a damaged state is refused rather than misread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iam/fileio.h"
#include "trail_private.h"

#define STATE_NAME "state"
#define LOCK_NAME "seal.lock"
#define STATE_MAGIC "IAMSEAL1"
#define STATE_MAX (IAM_SEAL_MAX_DIGEST_SIZE + 4096)

enum {
    ST_HAS_POSITION = 1u << 0,
    ST_HAS_PREV = 1u << 1,
    ST_HAS_PENDING = 1u << 2,
};

struct state {
    uint32_t flags;
    uint64_t seq;     /* sequence of the next digest */
    uint64_t records; /* records sealed so far */
    uint64_t pos_dev, pos_ino, pos_off;
    uint8_t last_hash[IAM_TRAIL_HASH_BYTES];
    uint8_t anchor[IAM_SEAL_PUBLIC_KEY_BYTES];
    uint8_t pk[IAM_SEAL_PUBLIC_KEY_BYTES];
    uint8_t seed[crypto_sign_SEEDBYTES]; /* secret: the key of digest `seq` */
    uint8_t prev_hash[DIGEST_HASH_BYTES];
    uint8_t prev_sig[DIGEST_SIG_BYTES];
    char *pending_name; /* file name of the last digest, and its text */
    char *pending;
    size_t pending_len;
    char *log;          /* the audit log this state seals */
};

static void state_clear(struct state *s) {
    free(s->pending_name);
    free(s->pending);
    free(s->log);
    sodium_memzero(s, sizeof(*s));
}

/* ---- serialization ------------------------------------------------------------------------ */

struct wbuf {
    uint8_t *p;
    size_t n, cap;
};

static int put(struct wbuf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        size_t nc = (b->cap ? b->cap * 2 : 1024) + n;
        uint8_t *np = sodium_malloc(nc); /* guarded: the buffer holds the secret seed */

        if (!np)
            return -ENOMEM;
        if (b->p) {
            memcpy(np, b->p, b->n);
            sodium_free(b->p);
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    return 0;
}

static int put64(struct wbuf *b, uint64_t v) {
    uint8_t x[8];

    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    return put(b, x, 8);
}

static int put32(struct wbuf *b, uint32_t v) {
    uint8_t x[4];

    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    return put(b, x, 4);
}

struct rbuf {
    const uint8_t *p;
    size_t n, off;
};

static int get(struct rbuf *b, void *d, size_t n) {
    if (b->n - b->off < n)
        return -EBADMSG;
    memcpy(d, b->p + b->off, n);
    b->off += n;
    return 0;
}

static int get64(struct rbuf *b, uint64_t *v) {
    uint8_t x[8];

    if (get(b, x, 8) < 0)
        return -EBADMSG;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)x[i] << (8 * i);
    return 0;
}

static int get32(struct rbuf *b, uint32_t *v) {
    uint8_t x[4];

    if (get(b, x, 4) < 0)
        return -EBADMSG;
    *v = 0;
    for (int i = 0; i < 4; i++)
        *v |= (uint32_t)x[i] << (8 * i);
    return 0;
}

static int state_path(const char *dir, const char *name, char **ret) {
    if (asprintf(ret, "%s/%s", dir, name) < 0) {
        *ret = NULL;
        return -ENOMEM;
    }
    return 0;
}

static int state_save(const char *dir, const struct state *s, struct iam_error *reterr) {
    struct wbuf b = {0};
    uint8_t sum[32];
    char *path = NULL;
    uint32_t nlen = s->pending_name ? (uint32_t)strlen(s->pending_name) : 0;
    int r;

    r = put(&b, STATE_MAGIC, 8);
    if (r == 0)
        r = put32(&b, s->flags);
    if (r == 0)
        r = put64(&b, s->seq);
    if (r == 0)
        r = put64(&b, s->records);
    if (r == 0)
        r = put64(&b, s->pos_dev);
    if (r == 0)
        r = put64(&b, s->pos_ino);
    if (r == 0)
        r = put64(&b, s->pos_off);
    if (r == 0)
        r = put(&b, s->last_hash, sizeof(s->last_hash));
    if (r == 0)
        r = put(&b, s->anchor, sizeof(s->anchor));
    if (r == 0)
        r = put(&b, s->pk, sizeof(s->pk));
    if (r == 0)
        r = put(&b, s->seed, sizeof(s->seed));
    if (r == 0)
        r = put(&b, s->prev_hash, sizeof(s->prev_hash));
    if (r == 0)
        r = put(&b, s->prev_sig, sizeof(s->prev_sig));
    if (r == 0)
        r = put32(&b, nlen);
    if (r == 0)
        r = put64(&b, s->pending_len);
    if (r == 0 && nlen)
        r = put(&b, s->pending_name, nlen);
    if (r == 0 && s->pending_len)
        r = put(&b, s->pending, s->pending_len);
    if (r == 0)
        r = put32(&b, s->log ? (uint32_t)strlen(s->log) : 0);
    if (r == 0 && s->log)
        r = put(&b, s->log, strlen(s->log));
    if (r == 0) {
        crypto_generichash(sum, sizeof(sum), b.p, b.n, NULL, 0);
        r = put(&b, sum, sizeof(sum));
    }
    if (r == 0)
        r = state_path(dir, STATE_NAME, &path);
    if (r == 0)
        r = iam_file_write_atomic(path, b.p, b.n, 0600, reterr);
    if (b.p)
        sodium_free(b.p); /* wipes */
    free(path);
    return r;
}

static int state_load(const char *dir, struct state *s, struct iam_error *reterr) {
    char *path = NULL, *text = NULL;
    size_t len = 0;
    struct rbuf b;
    uint8_t sum[32], want[32];
    char magic[8];
    uint32_t nlen = 0, llen = 0;
    uint64_t plen = 0;
    int r;

    memset(s, 0, sizeof(*s));
    r = state_path(dir, STATE_NAME, &path);
    if (r < 0)
        return r;
    r = iam_file_read_safe(path, STATE_MAX, &text, &len, reterr);
    if (r < 0)
        goto out;
    r = -EBADMSG;
    b = (struct rbuf){.p = (const uint8_t *)text, .n = len};
    if (len < 32)
        goto bad;
    crypto_generichash(want, sizeof(want), b.p, len - 32, NULL, 0);
    memcpy(sum, b.p + len - 32, 32);
    if (sodium_memcmp(sum, want, 32) != 0)
        goto bad;
    b.n = len - 32;
    if (get(&b, magic, 8) < 0 || memcmp(magic, STATE_MAGIC, 8) != 0 ||
        get32(&b, &s->flags) < 0 || get64(&b, &s->seq) < 0 || get64(&b, &s->records) < 0 ||
        get64(&b, &s->pos_dev) < 0 || get64(&b, &s->pos_ino) < 0 || get64(&b, &s->pos_off) < 0 ||
        get(&b, s->last_hash, sizeof(s->last_hash)) < 0 ||
        get(&b, s->anchor, sizeof(s->anchor)) < 0 || get(&b, s->pk, sizeof(s->pk)) < 0 ||
        get(&b, s->seed, sizeof(s->seed)) < 0 || get(&b, s->prev_hash, sizeof(s->prev_hash)) < 0 ||
        get(&b, s->prev_sig, sizeof(s->prev_sig)) < 0 || get32(&b, &nlen) < 0 ||
        get64(&b, &plen) < 0 || nlen > 255 || plen > IAM_SEAL_MAX_DIGEST_SIZE ||
        b.n - b.off < nlen + plen + 4)
        goto bad;
    if (nlen) {
        s->pending_name = calloc(1, nlen + 1);
        s->pending = malloc(plen + 1);
        if (!s->pending_name || !s->pending) {
            r = -ENOMEM;
            goto out;
        }
        (void)get(&b, s->pending_name, nlen);
        (void)get(&b, s->pending, plen);
        s->pending[plen] = '\0';
        s->pending_len = plen;
        if (strchr(s->pending_name, '/') || s->pending_name[0] == '.')
            goto bad;
    } else if (plen) {
        goto bad;
    }
    if (get32(&b, &llen) < 0 || llen > 4096 || b.n - b.off != llen)
        goto bad;
    s->log = calloc(1, (size_t)llen + 1);
    if (!s->log) {
        r = -ENOMEM;
        goto out;
    }
    (void)get(&b, s->log, llen);
    r = 0;
    goto out;
bad:
    iam_error_set(reterr, 0, 0, 0, "%s: damaged sealing state (not what seal-logs writes)", path);
out:
    if (text) {
        sodium_memzero(text, len);
        free(text);
    }
    free(path);
    if (r < 0)
        state_clear(s);
    return r;
}

int iam_seal_anchor(const char *state_dir, uint8_t ret_pk[IAM_SEAL_PUBLIC_KEY_BYTES],
                    struct iam_error *reterr) {
    struct state s;
    int r;

    if (!state_dir || !ret_pk)
        return -EINVAL;
    r = state_load(state_dir, &s, reterr);
    if (r < 0)
        return r;
    memcpy(ret_pk, s.anchor, IAM_SEAL_PUBLIC_KEY_BYTES);
    state_clear(&s);
    return 0;
}

/* ---- directories ------------------------------------------------------------------------- */

/* Create dir 0700 when missing (and missing parents, 0700 too); refuse one that is not ours
 * or is writable by others. */
static int ensure_dir(const char *dir, struct iam_error *reterr) {
    struct stat st;

    if (mkdir(dir, 0700) < 0 && errno == ENOENT) {
        char *parent = strdup(dir), *slash;
        int r;

        if (!parent)
            return -ENOMEM;
        slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            r = ensure_dir(parent, reterr);
            free(parent);
            if (r < 0)
                return r;
        } else {
            free(parent);
        }
        (void)mkdir(dir, 0700);
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        int r = -errno;

        iam_error_set(reterr, 0, 0, 0, "cannot create %s: %s", dir, strerror(errno));
        return r;
    }
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
        (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 0022)) {
        iam_error_set(reterr, 0, 0, 0, "%s: unsafe (must be a directory owned by root, not "
                                       "writable by group or others)",
                      dir);
        return -EACCES;
    }
    return 0;
}

static int write_digest(const char *dir, const char *name, const char *text, size_t len,
                        struct iam_error *reterr) {
    char *path = NULL;
    int r;

    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return -ENOMEM;
    r = iam_file_write_atomic(path, text, len, 0600, reterr);
    free(path);
    return r;
}

/* The pending digest of the state is on disk, byte for byte (a crash may have left it out). */
static int flush_pending(const char *digest_dir, const struct state *s, struct iam_error *reterr) {
    char *path = NULL, *text = NULL;
    size_t len = 0;
    struct iam_error ignore;
    int r;

    if (!(s->flags & ST_HAS_PENDING))
        return 0;
    if (asprintf(&path, "%s/%s", digest_dir, s->pending_name) < 0)
        return -ENOMEM;
    iam_error_init(&ignore);
    r = iam_file_read_safe(path, IAM_SEAL_MAX_DIGEST_SIZE, &text, &len, &ignore);
    free(path);
    if (r == 0 && len == s->pending_len && memcmp(text, s->pending, len) == 0) {
        free(text);
        return 0;
    }
    free(text);
    return write_digest(digest_dir, s->pending_name, s->pending, s->pending_len, reterr);
}

/* ---- finding what is not sealed ------------------------------------------------------------ */

struct batch {
    uint8_t *hashes; /* IAM_SEAL_MAX_BATCH * IAM_TRAIL_HASH_BYTES */
    uint64_t n;
    int64_t oldest, newest;
    uint64_t end_dev, end_ino, end_off; /* just past the batch's last record */
    uint8_t last[IAM_TRAIL_HASH_BYTES];
};

struct sealer {
    const struct iam_seal_config *cfg;
    const char *digest_dir;
    int64_t now;
    struct state st;
    struct batch b;
    struct iam_seal_report *rep;
    /* recovery: hashes already sealed (sorted), when the resume point was lost */
    uint8_t *sealed_set;
    size_t n_sealed_set;
};

static int emit_digest(struct sealer *z, struct iam_error *reterr) {
    struct digest_input in;
    struct state next;
    uint8_t next_pk[crypto_sign_PUBLICKEYBYTES], next_sk[crypto_sign_SECRETKEYBYTES];
    uint8_t hash[DIGEST_HASH_BYTES], sig[DIGEST_SIG_BYTES];
    char when[20], *text = NULL, *name = NULL;
    size_t len = 0;
    int r;

    if (z->b.n == 0)
        return 0;
    in = (struct digest_input){.seq = z->st.seq,
                               .host_arn = z->cfg->host_arn,
                               .account_id = z->cfg->account_id,
                               .now = z->now,
                               .pk = z->st.pk,
                               .next_pk = next_pk,
                               .has_prev = (z->st.flags & ST_HAS_PREV) != 0,
                               .prev_hash = z->st.prev_hash,
                               .prev_sig = z->st.prev_sig,
                               .first = z->st.records,
                               .count = z->b.n,
                               .hashes = z->b.hashes,
                               .oldest = z->b.oldest,
                               .newest = z->b.newest};
    crypto_sign_keypair(next_pk, next_sk);
    r = iam_trail_digest_build(&in, z->st.seed, &text, &len, hash, sig);
    if (r < 0) {
        if (r == -EINVAL)
            iam_error_set(reterr, 0, 0, 0, "%s/%s: the sealing key does not match its public key",
                          z->cfg->state_dir, STATE_NAME);
        goto out;
    }
    iam_trail_compact_time(z->now, when);
    if (asprintf(&name, DIGEST_PREFIX "%010llu-%s.json", (unsigned long long)z->st.seq, when) <
        0) {
        name = NULL;
        r = -ENOMEM;
        goto out;
    }
    /* 1. the state moves on to the next key, announcing this digest */
    next = z->st;
    next.pending_name = name;
    next.pending = text;
    next.pending_len = len;
    next.flags |= ST_HAS_PREV | ST_HAS_PENDING | ST_HAS_POSITION;
    next.seq = z->st.seq + 1;
    next.records = z->st.records + z->b.n;
    next.pos_dev = z->b.end_dev;
    next.pos_ino = z->b.end_ino;
    next.pos_off = z->b.end_off;
    memcpy(next.last_hash, z->b.last, sizeof(next.last_hash));
    memcpy(next.pk, next_pk, sizeof(next.pk));
    memcpy(next.seed, next_sk, sizeof(next.seed)); /* libsodium's sk starts with its seed */
    memcpy(next.prev_hash, hash, sizeof(hash));
    memcpy(next.prev_sig, sig, sizeof(sig));
    r = state_save(z->cfg->state_dir, &next, reterr);
    sodium_memzero(next.seed, sizeof(next.seed));
    if (r < 0)
        goto out;
    /* the old key is gone from disk; now from memory */
    free(z->st.pending_name);
    free(z->st.pending);
    z->st = next;
    memcpy(z->st.seed, next_sk, sizeof(z->st.seed));
    name = NULL;
    text = NULL;
    /* 2. the digest itself */
    r = write_digest(z->digest_dir, z->st.pending_name, z->st.pending, z->st.pending_len,
                     reterr);
    if (r < 0)
        goto out;
    z->rep->sealed += z->b.n;
    z->rep->digests++;
    z->b.n = 0;
    z->b.oldest = z->b.newest = 0;
    r = 0;
out:
    sodium_memzero(next_sk, sizeof(next_sk));
    free(name);
    free(text);
    return r;
}

static int cmp_hash(const void *a, const void *b) {
    return memcmp(a, b, IAM_TRAIL_HASH_BYTES);
}

static bool already_sealed(const struct sealer *z, const uint8_t h[IAM_TRAIL_HASH_BYTES]) {
    return z->sealed_set &&
           bsearch(h, z->sealed_set, z->n_sealed_set, IAM_TRAIL_HASH_BYTES, cmp_hash) != NULL;
}

static int add_record(struct sealer *z, const struct iam_trail_file *f, const char *line,
                      size_t n, uint64_t end_off, struct iam_error *reterr) {
    uint8_t h[IAM_TRAIL_HASH_BYTES];
    struct iam_trail_fields fields;
    int64_t t;

    iam_trail_record_hash(line, n, h);
    if (already_sealed(z, h))
        return 0;
    memcpy(z->b.hashes + z->b.n * IAM_TRAIL_HASH_BYTES, h, sizeof(h));
    z->b.n++;
    if (iam_trail_scan(line, n, &fields) == 0 &&
        iam_trail_parse_time(&fields.f[IAM_TF_EVENT_TIME], &t) == 0) {
        if (!z->b.oldest || t < z->b.oldest)
            z->b.oldest = t;
        if (!z->b.newest || t > z->b.newest)
            z->b.newest = t;
    }
    z->b.end_dev = (uint64_t)f->dev;
    z->b.end_ino = (uint64_t)f->ino;
    z->b.end_off = end_off;
    memcpy(z->b.last, h, sizeof(h));
    if (z->b.n == IAM_SEAL_MAX_BATCH)
        return emit_digest(z, reterr);
    return 0;
}

/* Seal the complete lines of file f from byte `from` on (a line still being written at the
 * end is left for the next run). */
static int seal_file(struct sealer *z, const struct iam_trail_file *f, uint64_t from,
                     struct iam_error *reterr) {
    struct iam_trail_reader *rd = NULL;
    const char *buf;
    size_t len;
    uint64_t off;
    bool partial;
    int r;

    r = iam_trail_open(f, &rd, reterr);
    if (r < 0)
        return r;
    while ((r = iam_trail_read_block(rd, &buf, &len, &off, NULL, &partial, reterr)) > 0) {
        const char *p = buf, *end = buf + len;

        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            uint64_t loff = off + (uint64_t)(p - buf);

            if (!nl)
                break; /* the partial tail */
            if (loff >= from) {
                r = add_record(z, f, p, (size_t)(nl - p), loff + (uint64_t)(nl - p) + 1, reterr);
                if (r < 0)
                    goto out;
            }
            p = nl + 1;
        }
    }
out:
    iam_trail_close(rd);
    return r;
}

/* Does the line that ends at `off` in file f (its '\n' at off-1) hash to h? */
static bool line_before_is(const struct iam_trail_file *f, uint64_t off,
                           const uint8_t h[IAM_TRAIL_HASH_BYTES]) {
    struct iam_trail_reader *rd = NULL;
    struct iam_error e;
    uint64_t start = off > IAM_TRAIL_MAX_LINE ? off - IAM_TRAIL_MAX_LINE : 0;
    size_t n = (size_t)(off - start);
    char *buf = NULL;
    const char *nl;
    uint8_t got[IAM_TRAIL_HASH_BYTES];
    bool ok = false;

    if (f->gzip || off == 0 || off > (uint64_t)f->size)
        return false;
    iam_error_init(&e);
    buf = malloc(n);
    if (!buf || iam_trail_open(f, &rd, &e) < 0 || iam_trail_pread(rd, start, buf, n, &e) < 0 ||
        buf[n - 1] != '\n')
        goto out;
    nl = n > 1 ? memrchr(buf, '\n', n - 1) : NULL;
    if (!nl && start > 0)
        goto out;
    {
        const char *ls = nl ? nl + 1 : buf;

        iam_trail_record_hash(ls, (size_t)(buf + n - 1 - ls), got);
        ok = sodium_memcmp(got, h, sizeof(got)) == 0;
    }
out:
    iam_trail_close(rd);
    free(buf);
    return ok;
}

/* Search the files (newest first) for the line that hashes to h; *ret_file/ret_off: the
 * file and the offset just past that line. -ENOENT when no file holds it. */
static int find_line(const struct iam_trail_files *files, const uint8_t h[IAM_TRAIL_HASH_BYTES],
                     size_t *ret_file, uint64_t *ret_off, struct iam_error *reterr) {
    for (size_t k = files->n; k-- > 0;) {
        struct iam_trail_reader *rd = NULL;
        const char *buf;
        size_t len;
        uint64_t off;
        int r;

        r = iam_trail_open(&files->v[k], &rd, reterr);
        if (r == -ENOENT)
            continue;
        if (r < 0)
            return r;
        while ((r = iam_trail_read_block(rd, &buf, &len, &off, NULL, NULL, reterr)) > 0) {
            const char *p = buf, *end = buf + len;

            while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                uint8_t got[IAM_TRAIL_HASH_BYTES];

                if (!nl)
                    break;
                iam_trail_record_hash(p, (size_t)(nl - p), got);
                if (memcmp(got, h, sizeof(got)) == 0) {
                    *ret_file = k;
                    *ret_off = off + (uint64_t)(nl - buf) + 1;
                    iam_trail_close(rd);
                    return 0;
                }
                p = nl + 1;
            }
        }
        iam_trail_close(rd);
        if (r < 0)
            return r;
    }
    return -ENOENT;
}

/* Recovery: every hash the chain's digests hold, sorted, for skipping what is sealed. */
static int load_sealed_set(struct sealer *z, struct iam_error *reterr) {
    struct digest_file *v = NULL;
    size_t n = 0, total = 0;
    int r;

    r = iam_trail_digest_load_dir(z->digest_dir, &v, &n, reterr);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++)
        if (v[i].parsed)
            total += v[i].d.count;
    z->sealed_set = malloc(total * IAM_TRAIL_HASH_BYTES + 1);
    if (!z->sealed_set) {
        iam_trail_digest_files_free(v, n);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (v[i].parsed) {
            memcpy(z->sealed_set + z->n_sealed_set * IAM_TRAIL_HASH_BYTES, v[i].d.hashes,
                   v[i].d.count * IAM_TRAIL_HASH_BYTES);
            z->n_sealed_set += v[i].d.count;
        }
    qsort(z->sealed_set, z->n_sealed_set, IAM_TRAIL_HASH_BYTES, cmp_hash);
    iam_trail_digest_files_free(v, n);
    return 0;
}

static int count_digests(const char *dir, size_t *ret) {
    struct digest_file *v = NULL;
    size_t n = 0;
    struct iam_error e;
    int r;

    iam_error_init(&e);
    r = iam_trail_digest_load_dir(dir, &v, &n, &e);
    if (r == -ENOENT) {
        *ret = 0;
        return 0;
    }
    if (r < 0)
        return r;
    iam_trail_digest_files_free(v, n);
    *ret = n;
    return 0;
}

static int new_chain(struct sealer *z, unsigned flags, struct iam_error *reterr) {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    size_t n = 0;
    int r;

    r = count_digests(z->digest_dir, &n);
    if (r < 0)
        return r;
    if (n > 0) {
        char when[20], *dst = NULL;

        if (!(flags & IAM_SEAL_NEW_CHAIN)) {
            iam_error_set(reterr, 0, 0, 0,
                          "%s holds %zu digests but there is no sealing state in %s: it was lost "
                          "or removed. Check the trail with validate-logs and your public key; "
                          "`seal-logs --new-chain` then starts a new chain (the old digests are "
                          "kept aside)",
                          z->digest_dir, n, z->cfg->state_dir);
            return -ENOENT;
        }
        iam_trail_compact_time(z->now, when);
        if (asprintf(&dst, "%s.%s", z->digest_dir, when) < 0)
            return -ENOMEM;
        if (rename(z->digest_dir, dst) < 0) {
            r = -errno;
            iam_error_set(reterr, 0, 0, 0, "cannot move %s aside: %s", z->digest_dir,
                          strerror(errno));
            free(dst);
            return r;
        }
        snprintf(z->rep->archived, sizeof(z->rep->archived), "%s", dst);
        free(dst);
        r = ensure_dir(z->digest_dir, reterr);
        if (r < 0)
            return r;
    }
    crypto_sign_keypair(pk, sk);
    memset(&z->st, 0, sizeof(z->st));
    z->st.log = strdup(z->cfg->audit_log);
    if (!z->st.log)
        return -ENOMEM;
    memcpy(z->st.anchor, pk, sizeof(pk));
    memcpy(z->st.pk, pk, sizeof(pk));
    memcpy(z->st.seed, sk, sizeof(z->st.seed));
    sodium_memzero(sk, sizeof(sk));
    r = state_save(z->cfg->state_dir, &z->st, reterr);
    if (r < 0)
        return r;
    z->rep->initialized = true;
    return 0;
}

int iam_seal_run(const struct iam_seal_config *cfg, int64_t now, unsigned flags,
                 unsigned lock_timeout_ms, struct iam_seal_report *ret,
                 struct iam_error *reterr) {
    struct sealer z = {.cfg = cfg, .now = now, .rep = ret};
    struct iam_trail_files files = {0};
    char *digest_dir = NULL, *lock = NULL;
    size_t from_file = 0;
    uint64_t from_off = 0;
    int lock_fd = -1, r = -EINVAL;

    if (!cfg || !cfg->audit_log || !cfg->state_dir || !ret)
        return -EINVAL;
    memset(ret, 0, sizeof(*ret));
    if (sodium_init() < 0)
        return -ENOTSUP;
    digest_dir = cfg->digest_dir ? strdup(cfg->digest_dir)
                                 : iam_trail_digest_dir_for(cfg->audit_log);
    if (!digest_dir)
        return -ENOMEM;
    z.digest_dir = digest_dir;
    if ((r = ensure_dir(cfg->state_dir, reterr)) < 0 || (r = ensure_dir(digest_dir, reterr)) < 0)
        goto out;
    if ((r = state_path(cfg->state_dir, LOCK_NAME, &lock)) < 0)
        goto out;
    lock_fd = iam_lock_acquire(lock, lock_timeout_ms, reterr);
    if (lock_fd < 0) {
        r = lock_fd;
        goto out;
    }
    z.b.hashes = malloc((size_t)IAM_SEAL_MAX_BATCH * IAM_TRAIL_HASH_BYTES);
    if (!z.b.hashes) {
        r = -ENOMEM;
        goto out;
    }

    r = state_load(cfg->state_dir, &z.st, reterr);
    if (r == -ENOENT) {
        iam_error_init(reterr);
        r = new_chain(&z, flags, reterr);
    } else if (r == 0 && (flags & IAM_SEAL_NEW_CHAIN)) {
        iam_error_set(reterr, 0, 0, 0, "--new-chain: a sealing state exists in %s; the chain "
                                       "goes on (remove the state first if you mean it)",
                      cfg->state_dir);
        r = -EEXIST;
    }
    if (r < 0)
        goto out;
    if (strcmp(z.st.log, cfg->audit_log) != 0) {
        iam_error_set(reterr, 0, 0, 0,
                      "the sealing state in %s seals %s, not %s: give this configuration its "
                      "own trail_state_dir",
                      cfg->state_dir, z.st.log, cfg->audit_log);
        r = -EINVAL;
        goto out;
    }
    if ((r = flush_pending(digest_dir, &z.st, reterr)) < 0)
        goto out;

    r = iam_trail_files_add_log(&files, cfg->audit_log, reterr);
    if (r < 0 && r != -ENOENT)
        goto out;
    iam_trail_files_sort(&files);

    /* Where did the last seal stop? */
    if (z.st.records > 0) {
        bool found = false;

        for (size_t i = 0; i < files.n && !found; i++)
            if ((uint64_t)files.v[i].dev == z.st.pos_dev &&
                (uint64_t)files.v[i].ino == z.st.pos_ino &&
                line_before_is(&files.v[i], z.st.pos_off, z.st.last_hash)) {
                from_file = i;
                from_off = z.st.pos_off;
                found = true;
            }
        if (!found) {
            size_t fi;
            uint64_t fo;

            r = find_line(&files, z.st.last_hash, &fi, &fo, reterr);
            if (r == 0) {
                from_file = fi;
                from_off = fo;
                found = true;
            } else if (r != -ENOENT) {
                goto out;
            }
        }
        if (!found) {
            /* The last sealed record is gone: seal whatever no digest holds. */
            r = load_sealed_set(&z, reterr);
            if (r < 0)
                goto out;
            from_file = 0;
            from_off = 0;
            ret->recovered = true;
            snprintf(ret->warning, sizeof(ret->warning),
                     "the last sealed record (#%llu) is no longer in the trail: sealed records "
                     "were removed or changed. Sealing every record no digest holds; run "
                     "validate-logs to see what is missing",
                     (unsigned long long)(z.st.records - 1));
        }
    }
    for (size_t i = from_file; i < files.n; i++) {
        r = seal_file(&z, &files.v[i], i == from_file ? from_off : 0, reterr);
        if (r == -ENOENT)
            continue;
        if (r < 0)
            goto out;
    }
    r = emit_digest(&z, reterr);
    if (r < 0)
        goto out;
    ret->total = z.st.records;
    ret->next_sequence = z.st.seq;
    {
        size_t len = sizeof(ret->anchor);

        sodium_bin2base64(ret->anchor, len, z.st.anchor, sizeof(z.st.anchor),
                          sodium_base64_VARIANT_ORIGINAL);
        iam_seal_fingerprint(z.st.anchor, ret->fingerprint);
    }
    r = 0;
out:
    state_clear(&z.st);
    free(z.b.hashes);
    free(z.sealed_set);
    iam_trail_files_free(&files);
    if (lock_fd >= 0)
        iam_lock_release(lock_fd);
    free(lock);
    free(digest_dir);
    return r;
}

int iam_trail_seal_state_view(const char *state_dir, struct iam_trail_seal_state_view *ret,
                    struct iam_error *reterr) {
    struct state s;
    int r;

    memset(ret, 0, sizeof(*ret));
    r = state_load(state_dir, &s, reterr);
    if (r < 0)
        return r;
    ret->seq = s.seq;
    ret->records = s.records;
    ret->log = s.log;
    s.log = NULL;
    memcpy(ret->anchor, s.anchor, sizeof(ret->anchor));
    memcpy(ret->pk, s.pk, sizeof(ret->pk));
    if (s.flags & ST_HAS_PENDING) {
        ret->pending_name = s.pending_name;
        ret->pending = s.pending;
        ret->pending_len = s.pending_len;
        s.pending_name = NULL;
        s.pending = NULL;
    }
    state_clear(&s);
    return 0;
}

void iam_trail_seal_state_view_free(struct iam_trail_seal_state_view *v) {
    if (!v)
        return;
    free(v->pending_name);
    free(v->pending);
    free(v->log);
    memset(v, 0, sizeof(*v));
}
