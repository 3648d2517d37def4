/* SPDX-License-Identifier: Apache-2.0 */
/* One trail file as blocks of whole lines, plain or gzip (zlib's gzFile reader, which also
 * reads the multi-member files that concatenated or appended gzip produces). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "iam/trail.h"

#define BLOCK IAM_TRAIL_MAX_LINE

struct iam_trail_reader {
    char *path;
    int fd;
    gzFile gz;
    char *buf;        /* BLOCK bytes */
    size_t len;       /* valid bytes in buf */
    size_t handed;    /* bytes of buf handed out by the last call (dropped at the next) */
    uint64_t off;     /* stream offset of buf[0] */
    uint64_t lineno;  /* number of the line that starts at buf[0] */
    uint64_t overlong;
    bool eof;
    bool reverse;     /* plain file read from the end: blocks [.., rev_end) */
    uint64_t rev_end; /* where the next reverse block ends */
    uint64_t rev_size; /* the file's size when opened */
    uint64_t gz_pos;  /* for iam_trail_pread on gzip: decompressed position of gz */
};

static int set_io_error(struct iam_trail_reader *r, struct iam_error *reterr, int err) {
    if (r->gz && err == -EIO) {
        int zerr = Z_OK;
        const char *msg = gzerror(r->gz, &zerr);

        if (zerr == Z_ERRNO)
            iam_error_set(reterr, 0, 0, 0, "%s: %s", r->path, strerror(errno));
        else
            iam_error_set(reterr, 0, 0, 0, "%s: not a valid gzip file (%s)", r->path,
                          msg ? msg : "decompression failed");
        return zerr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
    }
    iam_error_set(reterr, 0, 0, 0, "%s: %s", r->path, strerror(-err));
    return err;
}

int iam_trail_open(const struct iam_trail_file *file, struct iam_trail_reader **ret,
                   struct iam_error *reterr) {
    struct iam_trail_reader *r = NULL;
    struct stat st;
    int rc = -ENOMEM;

    if (!file || !file->path || !ret)
        return -EINVAL;
    r = calloc(1, sizeof(*r));
    if (!r)
        goto fail;
    r->fd = -1;
    r->lineno = 1;
    r->path = strdup(file->path);
    r->buf = malloc(BLOCK);
    if (!r->path || !r->buf)
        goto fail;
    r->fd = open(file->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (r->fd < 0) {
        rc = errno == ELOOP ? -EACCES : -errno;
        iam_error_set(reterr, 0, 0, 0, "%s: %s", file->path,
                      rc == -EACCES && errno == ELOOP ? "a symbolic link, refused"
                      : rc == -EACCES                 ? "permission denied (run as root)"
                                                      : strerror(-rc));
        goto fail;
    }
    if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = -EACCES;
        iam_error_set(reterr, 0, 0, 0, "%s: not a regular file", file->path);
        goto fail;
    }
    /* O_NONBLOCK only kept open() from hanging on a FIFO swapped in for the file. */
    (void)fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) & ~O_NONBLOCK);
    if (file->gzip) {
        int dupfd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);

        if (dupfd < 0) {
            rc = -errno;
            goto fail;
        }
        r->gz = gzdopen(dupfd, "rb");
        if (!r->gz) {
            close(dupfd);
            goto fail;
        }
        (void)gzbuffer(r->gz, 256u * 1024u);
    }
    *ret = r;
    return 0;
fail:
    iam_trail_close(r);
    return rc;
}

int iam_trail_open_reverse(const struct iam_trail_file *file, struct iam_trail_reader **ret,
                           struct iam_error *reterr) {
    struct iam_trail_reader *r = NULL;
    struct stat st;
    int rc;

    if (!file || !ret)
        return -EINVAL;
    if (file->gzip)
        return -ENOTSUP;
    rc = iam_trail_open(file, &r, reterr);
    if (rc < 0 || !r)
        return rc < 0 ? rc : -ENOMEM;
    if (fstat(r->fd, &st) < 0) {
        rc = -errno;
        iam_trail_close(r);
        return rc;
    }
    r->reverse = true;
    r->rev_end = (uint64_t)st.st_size;
    r->rev_size = r->rev_end;
    r->lineno = 0;
    *ret = r;
    return 0;
}

static ssize_t pread_full(int fd, char *buf, size_t n, uint64_t off) {
    size_t done = 0;

    while (done < n) {
        ssize_t got = pread(fd, buf + done, n - done, (off_t)(off + done));

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -errno;
        if (got == 0)
            break;
        done += (size_t)got;
    }
    return (ssize_t)done;
}

/* Blocks from the end of a plain file. A block starts after the first '\n' of what was read
 * (the bytes before it end a line that started earlier, and come with the next block). */
static int read_block_reverse(struct iam_trail_reader *r, const char **ret_buf, size_t *ret_len,
                              uint64_t *ret_offset, bool *ret_partial_tail,
                              struct iam_error *reterr) {
    for (;;) {
        uint64_t start, end = r->rev_end;
        ssize_t got;
        const char *nl;
        size_t skip = 0;

        if (end == 0)
            return 0;
        start = end > BLOCK ? end - BLOCK : 0;
        got = pread_full(r->fd, r->buf, (size_t)(end - start), start);
        if (got < 0)
            return set_io_error(r, reterr, (int)got);
        if ((uint64_t)got != end - start) {
            iam_error_set(reterr, 0, 0, 0, "%s: shrank while it was read", r->path);
            return -EIO;
        }
        if (start > 0) {
            nl = memchr(r->buf, '\n', (size_t)got);
            if (!nl || (size_t)(nl - r->buf) + 1 == (size_t)got) {
                /* BLOCK bytes inside one line: not a record. Find where it starts. */
                uint64_t back = start;

                r->overlong++;
                for (;;) {
                    uint64_t s2 = back > BLOCK ? back - BLOCK : 0;
                    const char *lnl;

                    got = pread_full(r->fd, r->buf, (size_t)(back - s2), s2);
                    if (got < 0)
                        return set_io_error(r, reterr, (int)got);
                    lnl = got > 0 ? memrchr(r->buf, '\n', (size_t)got) : NULL;
                    if (lnl) {
                        r->rev_end = s2 + (uint64_t)(lnl - r->buf) + 1;
                        break;
                    }
                    if (s2 == 0) {
                        r->rev_end = 0;
                        break;
                    }
                    back = s2;
                }
                continue;
            }
            skip = (size_t)(nl - r->buf) + 1;
        }
        r->rev_end = start + skip;
        r->off = start + skip;
        r->len = (size_t)got;
        *ret_buf = r->buf + skip;
        *ret_len = (size_t)got - skip;
        if (ret_offset)
            *ret_offset = r->off;
        if (ret_partial_tail)
            *ret_partial_tail = (*ret_buf)[*ret_len - 1] != '\n';
        return 1;
    }
}

void iam_trail_close(struct iam_trail_reader *r) {
    if (!r)
        return;
    if (r->gz)
        (void)gzclose_r(r->gz);
    if (r->fd >= 0)
        close(r->fd);
    free(r->buf);
    free(r->path);
    free(r);
}

uint64_t iam_trail_reader_overlong(const struct iam_trail_reader *r) {
    return r ? r->overlong : 0;
}

uint64_t iam_trail_reader_consumed(const struct iam_trail_reader *r) {
    if (!r)
        return 0;
    if (r->gz) {
        z_off_t o = gzoffset(r->gz);

        return o > 0 ? (uint64_t)o : 0;
    }
    if (r->reverse)
        return r->rev_size - r->rev_end;
    return r->off + r->len;
}

/* Read up to n bytes at the stream's current position. 0 at the end. */
static ssize_t raw_read(struct iam_trail_reader *r, char *p, size_t n) {
    if (r->gz) {
        int got;

        if (n > INT_MAX)
            n = INT_MAX;
        got = gzread(r->gz, p, (unsigned)n);
        if (got < 0)
            return -EIO;
        return got;
    }
    for (;;) {
        ssize_t got = read(r->fd, p, n);

        if (got < 0 && errno == EINTR)
            continue;
        return got < 0 ? -errno : got;
    }
}

/* Fill buf up to BLOCK bytes or the end of the stream. */
static int fill(struct iam_trail_reader *r) {
    while (!r->eof && r->len < BLOCK) {
        ssize_t got = raw_read(r, r->buf + r->len, BLOCK - r->len);

        if (got < 0)
            return (int)got;
        if (got == 0)
            r->eof = true;
        r->len += (size_t)got;
    }
    return 0;
}

static uint64_t count_lines(const char *p, size_t n) {
    uint64_t c = 0;
    const char *end = p + n;

    while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
        c++;
        p++;
    }
    return c;
}

int iam_trail_read_block(struct iam_trail_reader *r, const char **ret_buf, size_t *ret_len,
                         uint64_t *ret_offset, uint64_t *ret_lineno, bool *ret_partial_tail,
                         struct iam_error *reterr) {
    const char *nl;
    int rc;

    if (!r || !ret_buf || !ret_len)
        return -EINVAL;
    if (r->reverse) {
        if (ret_lineno)
            *ret_lineno = 0;
        return read_block_reverse(r, ret_buf, ret_len, ret_offset, ret_partial_tail, reterr);
    }
    /* Drop what the last call handed out. */
    if (r->handed) {
        r->lineno += count_lines(r->buf, r->handed);
        memmove(r->buf, r->buf + r->handed, r->len - r->handed);
        r->off += r->handed;
        r->len -= r->handed;
        r->handed = 0;
    }
    for (;;) {
        rc = fill(r);
        if (rc < 0)
            return set_io_error(r, reterr, rc);
        if (r->len == 0)
            return 0;
        nl = r->len ? memrchr(r->buf, '\n', r->len) : NULL;
        if (nl) {
            r->handed = (size_t)(nl - r->buf) + 1;
            break;
        }
        if (r->eof) {
            r->handed = r->len; /* the last line, without its '\n' */
            break;
        }
        /* BLOCK bytes without a line end: not a record. Skip to the next '\n'. */
        r->overlong++;
        for (;;) {
            r->off += r->len;
            r->len = 0;
            rc = fill(r);
            if (rc < 0)
                return set_io_error(r, reterr, rc);
            if (r->len == 0)
                return 0;
            nl = memchr(r->buf, '\n', r->len);
            if (nl) {
                size_t skip = (size_t)(nl - r->buf) + 1;

                memmove(r->buf, r->buf + skip, r->len - skip);
                r->off += skip;
                r->len -= skip;
                r->lineno++;
                break;
            }
        }
    }
    *ret_buf = r->buf;
    *ret_len = r->handed;
    if (ret_offset)
        *ret_offset = r->off;
    if (ret_lineno)
        *ret_lineno = r->lineno;
    if (ret_partial_tail)
        *ret_partial_tail = r->buf[r->handed - 1] != '\n';
    return 1;
}

int iam_trail_pread(struct iam_trail_reader *r, uint64_t offset, char *buf, size_t len,
                    struct iam_error *reterr) {
    size_t done = 0;

    if (!r || (!buf && len))
        return -EINVAL;
    if (r->gz) {
        /* Forward seeks decompress up to the offset; a backward one starts over. */
        if (offset != r->gz_pos) {
            z_off_t want = (z_off_t)offset;

            if ((uint64_t)want != offset || gzseek(r->gz, want, SEEK_SET) != want)
                return set_io_error(r, reterr, -EIO);
            r->gz_pos = offset;
        }
        while (done < len) {
            ssize_t got = raw_read(r, buf + done, len - done);

            if (got < 0)
                return set_io_error(r, reterr, (int)got);
            if (got == 0)
                break;
            done += (size_t)got;
        }
        r->gz_pos += done;
    } else {
        while (done < len) {
            ssize_t got = pread(r->fd, buf + done, len - done, (off_t)(offset + done));

            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                return set_io_error(r, reterr, -errno);
            if (got == 0)
                break;
            done += (size_t)got;
        }
    }
    if (done != len) {
        iam_error_set(reterr, 0, 0, 0, "%s: changed while it was read (a record moved)",
                      r->path);
        return -EIO;
    }
    return 0;
}
