/* SPDX-License-Identifier: Apache-2.0 */
/* The SSH key cache reader (ssh_keys_read.h): libc only. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh_keys/format.h"
#include "ssh_keys_read.h"

_Static_assert(IAM_SSHK_READ_MAX_KEYS == IAM_SSHK_MAX_KEYS, "one limit");

struct iam_sshk {
    int fd;
    uint64_t size;
    struct iam_sshk_header h;
};

/* Exactly len bytes at off, or -EBADMSG (short: the file changed under us) / -errno. */
static int read_at(int fd, void *buf, size_t len, uint64_t off) {
    size_t done = 0;

    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EBADMSG;
        done += (size_t)n;
    }
    return 0;
}

static int check_header(const struct iam_sshk_header *h, uint64_t size) {
    if (memcmp(h->magic, IAM_SSHK_MAGIC, IAM_SSHK_MAGIC_LEN) != 0)
        return -EBADMSG;
    if (h->version != IAM_SSHK_VERSION)
        return -ENOTSUP;
    if (h->header_size != sizeof(*h) || h->file_size != size ||
        h->header_hash != iam_sshk_header_hash(h) || h->n_lines == 0 || h->reserved != 0 ||
        h->table_offset < sizeof(*h) || h->table_offset % 64 != 0 ||
        (uint64_t)h->table_offset + (uint64_t)h->n_lines * IAM_SSHK_LINE_SIZE !=
            h->records_offset ||
        h->records_offset > size)
        return -EBADMSG;
    return 0;
}

int iam_sshk_check_image(const void *data, size_t size) {
    struct iam_sshk_header h;

    if (!data || size < sizeof(h) || (uint64_t)size >= IAM_SSHK_MAX_FILE)
        return -EBADMSG;
    memcpy(&h, data, sizeof(h));
    return check_header(&h, size);
}

int iam_sshk_open(const char *path, uid_t extra_owner, struct iam_sshk **ret) {
    struct iam_sshk *c = NULL;
    struct stat st;
    int fd, r;

    if (!path || !ret)
        return -EINVAL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ELOOP ? -EACCES : -errno;
    if (fstat(fd, &st) < 0) {
        r = -errno;
        goto out;
    }
    r = -EACCES;
    if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IWGRP | S_IWOTH)) ||
        (st.st_uid != 0 && (extra_owner == (uid_t)-1 || st.st_uid != extra_owner)))
        goto out;
    r = -EBADMSG;
    if (st.st_size < (off_t)sizeof(struct iam_sshk_header) ||
        (uint64_t)st.st_size >= IAM_SSHK_MAX_FILE)
        goto out;
    c = calloc(1, sizeof(*c));
    if (!c) {
        r = -ENOMEM;
        goto out;
    }
    c->size = (uint64_t)st.st_size;
    if ((r = read_at(fd, &c->h, sizeof(c->h), 0)) < 0 || (r = check_header(&c->h, c->size)) < 0)
        goto out;
    c->fd = fd;
    fd = -1;
    *ret = c;
    c = NULL;
    r = 0;
out:
    free(c);
    if (fd >= 0)
        close(fd);
    return r;
}

void iam_sshk_close(struct iam_sshk *c) {
    if (!c)
        return;
    close(c->fd);
    free(c);
}

uint64_t iam_sshk_serial(const struct iam_sshk *c) {
    return c->h.serial;
}

uint32_t iam_sshk_n_users(const struct iam_sshk *c) {
    return c->h.n_users;
}

void iam_sshk_user_free(struct iam_sshk_user *u) {
    if (!u)
        return;
    free(u->record);
    memset(u, 0, sizeof(*u));
}

/* One string of len bytes at *pos, followed by its NUL, inside [.., end). */
static const char *take(const uint8_t *rec, size_t *pos, size_t end, size_t len, size_t max) {
    const char *s = (const char *)rec + *pos;

    if (len == 0 || len > max || len >= end - *pos || rec[*pos + len] != 0 ||
        memchr(s, 0, len) != NULL)
        return NULL;
    *pos += len + 1;
    return s;
}

/* The record's keys into u; -EBADMSG when anything is out of place. */
static int parse_keys(const uint8_t *rec, uint32_t size, struct iam_sshk_user *u) {
    struct iam_sshk_record rh;
    size_t pos = sizeof(rh);

    memcpy(&rh, rec, sizeof(rh));
    if (rh.n_keys == 0 || rh.n_keys > IAM_SSHK_MAX_KEYS || rh.reserved != 0 || rh.reserved2 != 0 ||
        rh.uid == 0)
        return -EBADMSG;
    u->uid = rh.uid;
    pos += (size_t)rh.name_len + 1;
    for (unsigned k = 0; k < rh.n_keys; k++) {
        struct iam_sshk_key_view *v = &u->keys[k];
        struct iam_sshk_key kh;

        if (size - pos < sizeof(kh))
            return -EBADMSG;
        memcpy(&kh, rec + pos, sizeof(kh));
        pos += sizeof(kh);
        v->id = take(rec, &pos, size, kh.id_len, IAM_SSHK_MAX_ID);
        v->fingerprint =
            v->id ? take(rec, &pos, size, kh.fingerprint_len, IAM_SSHK_MAX_FINGERPRINT) : NULL;
        v->body = v->fingerprint ? take(rec, &pos, size, kh.body_len, IAM_SSHK_MAX_BODY) : NULL;
        if (!v->body)
            return -EBADMSG;
        v->id_len = kh.id_len;
        v->fingerprint_len = kh.fingerprint_len;
        v->body_len = kh.body_len;
    }
    u->n_keys = rh.n_keys;
    return 0;
}

/* The record at off if it is name's: 1 found, 0 another user's, <0 damaged. */
static int load_record(struct iam_sshk *c, uint32_t off, const char *name, size_t len,
                       struct iam_sshk_user *u) {
    struct iam_sshk_record rh;
    uint8_t *rec;
    int r;

    if (off < c->h.records_offset || off % 8 != 0 || (uint64_t)off + sizeof(rh) > c->size)
        return -EBADMSG;
    if ((r = read_at(c->fd, &rh, sizeof(rh), off)) < 0)
        return r;
    if (rh.size < sizeof(rh) + 2 || rh.size % 8 != 0 || rh.size > IAM_SSHK_MAX_RECORD ||
        (uint64_t)off + rh.size > c->size || rh.name_len == 0 ||
        (size_t)rh.name_len + 1 > rh.size - sizeof(rh))
        return -EBADMSG;
    rec = malloc(rh.size);
    if (!rec)
        return -ENOMEM;
    if ((r = read_at(c->fd, rec, rh.size, off)) < 0)
        goto out;
    r = -EBADMSG;
    if (memcmp(rec, &rh, sizeof(rh)) != 0 ||
        rh.hash != iam_sshk_record_hash(rec, rh.size, c->h.seed, off) ||
        rec[sizeof(rh) + rh.name_len] != 0)
        goto out;
    if (rh.name_len != len || memcmp(rec + sizeof(rh), name, len) != 0) {
        r = 0;
        goto out;
    }
    memset(u, 0, sizeof(*u));
    if ((r = parse_keys(rec, rh.size, u)) < 0)
        goto out;
    u->record = rec;
    rec = NULL;
    r = 1;
out:
    free(rec);
    return r;
}

int iam_sshk_find(struct iam_sshk *c, const char *name, size_t len, struct iam_sshk_user *ret) {
    uint64_t h;
    uint32_t key, line;

    memset(ret, 0, sizeof(*ret));
    if (len == 0 || len > IAM_SSHK_MAX_NAME || memchr(name, 0, len))
        return -ENOENT;
    h = iam_sshk_name_hash(name, len, c->h.seed);
    key = (uint32_t)(h >> 32);
    line = iam_sshk_start_line(h, c->h.n_lines);
    /* at most every line once: a forged table full of foreign slots ends too */
    for (uint32_t seen = 0; seen < c->h.n_lines; seen++) {
        struct iam_sshk_line l;
        int r = read_at(c->fd, &l, sizeof(l),
                        (uint64_t)c->h.table_offset + (uint64_t)line * IAM_SSHK_LINE_SIZE);

        if (r < 0)
            return r;
        if (l.hash != iam_sshk_line_hash(&l, c->h.seed, line))
            return -EBADMSG;
        for (unsigned s = 0; s < IAM_SSHK_LINE_SLOTS; s++) {
            if (l.slot[s].off == 0)
                return -ENOENT;
            if (l.slot[s].key != key)
                continue;
            r = load_record(c, l.slot[s].off, name, len, ret);
            if (r != 0)
                return r < 0 ? r : 0;
        }
        line = line + 1 == c->h.n_lines ? 0 : line + 1;
    }
    return -ENOENT;
}
