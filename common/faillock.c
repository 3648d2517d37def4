/* SPDX-License-Identifier: Apache-2.0 */
/* Failed-login tallies and lockout (faillock.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/faillock.h"
#include "iam/fileio.h"

#define MAGIC "iam-faillock 1"
#define TALLY_MAX_BYTES (64u * 1024u)

bool iam_faillock_locked(const struct iam_faillock_state *s, int64_t now) {
    if (s->locked_until == IAM_FAILLOCK_FOREVER)
        return true;
    return s->locked_until > 0 && now < s->locked_until;
}

/* "AIDA" + letters and digits, as IAM makes unique ids: also a safe file name. */
static bool user_id_ok(const char *id) {
    size_t n = strnlen(id, 129);

    if (n < 5 || n > 128 || strncmp(id, "AIDA", 4) != 0)
        return false;
    for (size_t i = 4; i < n; i++)
        if (!((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '0' && id[i] <= '9')))
            return false;
    return true;
}

static bool token_byte_ok(unsigned char c) {
    return c > 0x20 && c < 0x7f;
}

/* A service or remote host as recorded: printable ASCII without spaces, capped; "-" for none. */
static void token_copy(char *dst, size_t size, const char *src) {
    size_t n = 0;

    for (; src && src[n] && n + 1 < size && n < IAM_FAILLOCK_MAX_TOKEN; n++)
        dst[n] = token_byte_ok((unsigned char)src[n]) ? src[n] : '_';
    dst[n] = '\0';
    if (n == 0)
        snprintf(dst, size, "-");
}

/* ---- text ------------------------------------------------------------------------------- */

int iam_faillock_format(const struct iam_faillock_state *s, char **ret_text, size_t *ret_len) {
    size_t cap = 512 + s->n_failures * (24 + 2 * (IAM_FAILLOCK_MAX_TOKEN + 1)), len = 0;
    char *buf = malloc(cap);
    int n;

    if (!buf)
        return -ENOMEM;
    n = snprintf(buf, cap, MAGIC "\nuser %s\nid %s\nlocked_since %" PRId64 "\nlocked_until %" PRId64
                 "\nrefused %u\n",
                 s->user_name[0] ? s->user_name : "-", s->user_id[0] ? s->user_id : "-",
                 s->locked_since, s->locked_until, s->refused);
    if (n < 0 || (size_t)n >= cap)
        goto toolong;
    len = (size_t)n;
    for (size_t i = 0; i < s->n_failures; i++) {
        const struct iam_faillock_failure *f = &s->failures[i];

        n = snprintf(buf + len, cap - len, "fail %" PRId64 " %s %s\n", f->when,
                     f->service[0] ? f->service : "-", f->source[0] ? f->source : "-");
        if (n < 0 || (size_t)n >= cap - len)
            goto toolong;
        len += (size_t)n;
    }
    *ret_text = buf;
    *ret_len = len;
    return 0;
toolong:
    free(buf);
    return -E2BIG;
}

static int bad(struct iam_error *e, unsigned line, const char *what) {
    iam_error_set(e, line, 1, 0, "damaged tally: %s", what);
    return -EBADMSG;
}

static int parse_int(const char *v, int64_t min, int64_t *ret) {
    char *end;
    long long x;

    if (!*v || (*v != '-' && (*v < '0' || *v > '9')))
        return -EINVAL;
    errno = 0;
    x = strtoll(v, &end, 10);
    if (errno || *end || x < min)
        return -EINVAL;
    *ret = (int64_t)x;
    return 0;
}

static int copy_word(char *dst, size_t size, const char *v) {
    size_t n = strlen(v);

    if (n == 0 || n >= size)
        return -EINVAL;
    memcpy(dst, v, n + 1);
    return 0;
}

/* One `key value` line (already split) into s. seen: bit per header key. */
static int parse_line(char *key, char *value, struct iam_faillock_state *s, unsigned *seen) {
    static const char *const keys[] = {"user", "id", "locked_since", "locked_until", "refused"};
    int64_t x;
    unsigned k;

    if (strcmp(key, "fail") == 0) {
        struct iam_faillock_failure *f;
        char *svc = strchr(value, ' '), *src;

        if (s->n_failures >= IAM_FAILLOCK_MAX_FAILURES || !svc)
            return -EINVAL;
        *svc++ = '\0';
        src = strchr(svc, ' ');
        if (!src)
            return -EINVAL;
        *src++ = '\0';
        f = &s->failures[s->n_failures];
        if (parse_int(value, 0, &f->when) < 0 ||
            copy_word(f->service, sizeof(f->service), svc) < 0 ||
            copy_word(f->source, sizeof(f->source), src) < 0 || strchr(src, ' '))
            return -EINVAL;
        if (s->n_failures > 0 && f->when < s->failures[s->n_failures - 1].when)
            return -EINVAL;
        s->n_failures++;
        return 0;
    }
    for (k = 0; k < IAM_ELEMENTSOF(keys); k++)
        if (strcmp(key, keys[k]) == 0)
            break;
    if (k == IAM_ELEMENTSOF(keys) || (*seen & (1u << k)) || strchr(value, ' '))
        return -EINVAL;
    *seen |= 1u << k;
    switch (k) {
    case 0:
        return copy_word(s->user_name, sizeof(s->user_name), value);
    case 1:
        return copy_word(s->user_id, sizeof(s->user_id), value);
    case 2:
        if (parse_int(value, 0, &x) < 0)
            return -EINVAL;
        s->locked_since = x;
        return 0;
    case 3:
        if (parse_int(value, -1, &x) < 0)
            return -EINVAL;
        s->locked_until = x;
        return 0;
    default:
        if (parse_int(value, 0, &x) < 0 || x > UINT32_MAX)
            return -EINVAL;
        s->refused = (unsigned)x;
        return 0;
    }
}

int iam_faillock_parse(const char *text, size_t len, struct iam_faillock_state *ret,
                       struct iam_error *reterr) {
    struct iam_faillock_state *s = NULL;
    char *copy = NULL, *p, *nl;
    unsigned line = 1, seen = 0;
    int r = -EBADMSG;

    if (len > TALLY_MAX_BYTES)
        return bad(reterr, 0, "too large");
    for (size_t i = 0; i < len; i++)
        if (text[i] != '\n' && !token_byte_ok((unsigned char)text[i]) && text[i] != ' ')
            return bad(reterr, 0, "a byte outside printable ASCII");
    s = calloc(1, sizeof(*s));
    copy = malloc(len + 1);
    if (!s || !copy) {
        r = -ENOMEM;
        goto out;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (len == 0 || copy[len - 1] != '\n') {
        r = bad(reterr, 0, "not ending with a newline");
        goto out;
    }
    nl = strchr(copy, '\n');
    *nl = '\0';
    if (strcmp(copy, MAGIC) != 0) {
        r = bad(reterr, 1, "not a tally (first line)");
        goto out;
    }
    for (p = nl + 1; *p; p = nl + 1) {
        char *sp;

        line++;
        nl = strchr(p, '\n');
        *nl = '\0';
        sp = strchr(p, ' ');
        if (!sp || sp == p) {
            r = bad(reterr, line, "not a `key value` line");
            goto out;
        }
        *sp = '\0';
        if (parse_line(p, sp + 1, s, &seen) < 0) {
            r = bad(reterr, line, "bad or repeated field");
            goto out;
        }
    }
    if (seen != 0x1f) {
        r = bad(reterr, line, "a field is missing");
        goto out;
    }
    if (strcmp(s->user_name, "-") == 0)
        s->user_name[0] = '\0';
    if (strcmp(s->user_id, "-") == 0)
        s->user_id[0] = '\0';
    memcpy(ret, s, sizeof(*s));
    r = 0;
out:
    free(copy);
    free(s);
    return r;
}

/* ---- files ------------------------------------------------------------------------------ */

/* Read name in dfd into *ret: 0, -ENOENT, -EACCES, -EBADMSG. */
static int read_at(int dfd, const char *name, struct iam_faillock_state *ret,
                   struct iam_error *reterr) {
    char *buf = NULL;
    struct stat st;
    size_t len = 0;
    int fd, r = -EBADMSG;

    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ELOOP ? -EACCES : -errno;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 0077)) {
        iam_error_set(reterr, 0, 0, 0, "%s/%s: unsafe owner or mode (must be root's, 0600)",
                      IAM_FAILLOCK_DIR_NAME, name);
        r = -EACCES;
        goto out;
    }
    if (st.st_size <= 0 || (uint64_t)st.st_size > TALLY_MAX_BYTES) {
        iam_error_set(reterr, 0, 0, 0, "%s/%s: damaged tally (size)", IAM_FAILLOCK_DIR_NAME,
                      name);
        goto out;
    }
    buf = malloc((size_t)st.st_size);
    if (!buf) {
        r = -ENOMEM;
        goto out;
    }
    while (len < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    r = iam_faillock_parse(buf, len, ret, reterr);
    if (r < 0) {
        char src[200];

        snprintf(src, sizeof(src), "%s/%s", IAM_FAILLOCK_DIR_NAME, name);
        iam_error_set_source(reterr, src);
    }
out:
    free(buf);
    close(fd);
    return r;
}

/* Replace name in dfd with s: a temp file, fsync, rename (the caller holds the lock). The
 * directory is not fsync'ed: a crash may lose the last update, which a tally can afford. */
static int write_at(int dfd, const char *name, const struct iam_faillock_state *s,
                    struct iam_error *reterr) {
    char tmp[200], *text = NULL;
    size_t len = 0, off = 0;
    int fd = -1, r;

    r = iam_faillock_format(s, &text, &len);
    if (r < 0)
        return r;
    snprintf(tmp, sizeof(tmp), ".%s.%08" PRIx32, name, randombytes_random());
    fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        r = -errno;
        iam_error_set(reterr, 0, 0, 0, "%s/%s: %s", IAM_FAILLOCK_DIR_NAME, tmp, strerror(errno));
        goto out;
    }
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r = -EIO;
            goto fail;
        }
        off += (size_t)n;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        fd = -1;
        r = -EIO;
        goto fail;
    }
    fd = -1;
    if (renameat(dfd, tmp, dfd, name) < 0) {
        r = -errno;
        goto fail;
    }
    r = 0;
    goto out;
fail:
    iam_error_set(reterr, 0, 0, 0, "%s/%s: %s", IAM_FAILLOCK_DIR_NAME, name, strerror(-r));
    (void)unlinkat(dfd, tmp, 0);
out:
    if (fd >= 0)
        close(fd);
    free(text);
    return r;
}

static int lock_dir(int dfd) {
    while (flock(dfd, LOCK_EX) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

int iam_faillock_read(const char *cache_dir, const char *user_id, struct iam_faillock_state *ret,
                      struct iam_error *reterr) {
    int dfd, r;

    if (!user_id || !user_id_ok(user_id))
        return -EINVAL;
    dfd = iam_state_dir_open(cache_dir, IAM_FAILLOCK_DIR_NAME, false, 0077, reterr);
    if (dfd < 0)
        return dfd;
    r = read_at(dfd, user_id, ret, reterr);
    close(dfd);
    return r;
}

/* Drop failures that fell out of the window (and, past the cap, the oldest ones). */
static void prune(struct iam_faillock_state *s, const struct iam_faillock_policy *p, int64_t now) {
    size_t keep_from = 0;

    while (keep_from < s->n_failures && s->failures[keep_from].when <= now - (int64_t)p->window)
        keep_from++;
    if (s->n_failures - keep_from >= IAM_FAILLOCK_MAX_FAILURES)
        keep_from = s->n_failures - IAM_FAILLOCK_MAX_FAILURES + 1;
    if (keep_from > 0) {
        memmove(s->failures, s->failures + keep_from,
                (s->n_failures - keep_from) * sizeof(s->failures[0]));
        s->n_failures -= keep_from;
    }
}

int iam_faillock_fail(const char *cache_dir, const char *user_id, const char *user_name,
                      const struct iam_faillock_policy *policy, int64_t now, const char *service,
                      const char *source, struct iam_faillock_state *ret_state,
                      struct iam_error *reterr) {
    struct iam_faillock_state *s = NULL;
    const char *name = user_id ? user_id : IAM_FAILLOCK_DUMMY;
    int dfd = -1, r, outcome = IAM_FAILLOCK_COUNTED;

    if ((user_id && !user_id_ok(user_id)) || !policy || policy->failures < 1 ||
        policy->failures > IAM_FAILLOCK_MAX_FAILURES)
        return -EINVAL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    dfd = iam_state_dir_open(cache_dir, IAM_FAILLOCK_DIR_NAME, true, 0077, reterr);
    if (dfd < 0) {
        r = dfd;
        goto out;
    }
    r = lock_dir(dfd);
    if (r < 0)
        goto out;
    r = read_at(dfd, name, s, reterr);
    if (r == -ENOENT)
        memset(s, 0, sizeof(*s));
    else if (r < 0)
        goto out; /* unsafe or damaged: left for the administrator */
    if (user_id) {
        snprintf(s->user_id, sizeof(s->user_id), "%s", user_id);
        if (user_name)
            token_copy(s->user_name, sizeof(s->user_name), user_name);
    }
    if (s->locked_until != 0 && !iam_faillock_locked(s, now)) {
        /* a lock that ran out: counting starts again */
        s->locked_since = s->locked_until = 0;
        s->refused = 0;
        s->n_failures = 0;
    }
    if (iam_faillock_locked(s, now)) {
        outcome = IAM_FAILLOCK_WHILE_LOCKED;
        if (s->refused < UINT32_MAX)
            s->refused++;
    } else {
        struct iam_faillock_failure *f;

        prune(s, policy, now);
        f = &s->failures[s->n_failures++];
        f->when = now;
        token_copy(f->service, sizeof(f->service), service);
        token_copy(f->source, sizeof(f->source), source);
        if (user_id && s->n_failures >= policy->failures) {
            s->locked_since = now;
            s->locked_until = policy->lock_time ? now + (int64_t)policy->lock_time
                                                : IAM_FAILLOCK_FOREVER;
            outcome = IAM_FAILLOCK_LOCK_STARTED;
        }
    }
    r = write_at(dfd, name, s, reterr);
    if (r < 0)
        goto out;
    if (ret_state)
        memcpy(ret_state, s, sizeof(*s));
    r = outcome;
out:
    if (dfd >= 0)
        close(dfd); /* releases the lock */
    free(s);
    return r;
}

int iam_faillock_reset(const char *cache_dir, const char *user_id, struct iam_error *reterr) {
    int dfd, r;

    if (!user_id || !user_id_ok(user_id))
        return -EINVAL;
    dfd = iam_state_dir_open(cache_dir, IAM_FAILLOCK_DIR_NAME, false, 0077, reterr);
    if (dfd < 0)
        return dfd;
    r = lock_dir(dfd);
    if (r == 0 && unlinkat(dfd, user_id, 0) < 0) {
        r = -errno;
        if (r != -ENOENT)
            iam_error_set(reterr, 0, 0, 0, "%s/%s: %s", IAM_FAILLOCK_DIR_NAME, user_id,
                          strerror(errno));
    }
    close(dfd);
    return r;
}

int iam_faillock_list(const char *cache_dir, struct iam_faillock_state **ret, size_t *ret_n,
                      struct iam_error *reterr) {
    struct iam_faillock_state *all = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    DIR *d = NULL;
    int dfd, r = 0;

    *ret = NULL;
    *ret_n = 0;
    dfd = iam_state_dir_open(cache_dir, IAM_FAILLOCK_DIR_NAME, false, 0077, reterr);
    if (dfd == -ENOENT)
        return 0;
    if (dfd < 0)
        return dfd;
    d = fdopendir(dfd);
    if (!d) {
        r = -errno;
        close(dfd);
        return r;
    }
    while ((de = readdir(d))) {
        if (!user_id_ok(de->d_name))
            continue; /* ".", "..", temp files, the dummy tally */
        if (n == cap) {
            struct iam_faillock_state *na;

            cap = cap ? cap * 2 : 8;
            na = realloc(all, cap * sizeof(*all));
            if (!na) {
                r = -ENOMEM;
                goto out;
            }
            all = na;
        }
        r = read_at(dirfd(d), de->d_name, &all[n], reterr);
        if (r == -ENOENT)
            continue; /* reset meanwhile */
        if (r < 0)
            goto out;
        n++;
    }
    *ret = all;
    *ret_n = n;
    all = NULL;
    r = 0;
out:
    free(all);
    closedir(d);
    return r;
}
