/* SPDX-License-Identifier: Apache-2.0 */
/* The login-session record (login_session.h): kernel ids, text format, the record files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iam/fileio.h"
#include "iam/login_session.h"

#define MAGIC "iam-login-session 1"

enum field_kind { F_STR, F_INT, F_U32, F_BOOT };

struct field {
    const char *name;
    enum field_kind kind;
    size_t offset;
    size_t size; /* for strings: the buffer */
    bool required;
};

#define STR(n, m, req) {n, F_STR, offsetof(struct iam_login_session, m), \
                        sizeof(((struct iam_login_session *)0)->m), req}
#define NUM(n, m, req) {n, F_INT, offsetof(struct iam_login_session, m), 0, req}

static const struct field fields[] = {
    STR("user", user, true),
    {"session", F_U32, offsetof(struct iam_login_session, id.audit_session), 0, true},
    {"loginuid", F_U32, offsetof(struct iam_login_session, id.login_uid), 0, true},
    {"boot", F_BOOT, offsetof(struct iam_login_session, id.boot_id),
     sizeof(((struct iam_login_session *)0)->id.boot_id), true},
    NUM("created", created, true),
    NUM("expires", expires, true),
    STR("service", service, false),
    STR("tty", tty, false),
    STR("rhost", remote_host, false),
    STR("source_ip", source_ip, false),
    STR("auth_method", auth_method, false),
    STR("access_key_id", access_key_id, false),
    STR("ssh_public_key_id", ssh_public_key_id, false),
    NUM("mfa_time", mfa_time, false),
    STR("role_arn", role_arn, false),
    STR("source_identity", source_identity, false),
    NUM("role_since", role_since, false),
    NUM("role_max_session", role_max_session, false),
};

#undef STR
#undef NUM

static bool value_byte_ok(unsigned char c) {
    return c > 0x20 && c < 0x7f;
}

/* ---- kernel ids ------------------------------------------------------------------------- */

static int read_small(const char *dir, const char *name, char *buf, size_t size) {
    char path[PATH_MAX];
    ssize_t n;
    int fd;

    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        return -E2BIG;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ENOENT ? -ENOENT : -errno;
    do
        n = read(fd, buf, size - 1);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0)
        return -EIO;
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return (int)n;
}

static int parse_u32(const char *s, uint32_t *ret) {
    unsigned long long v = 0;

    if (!*s || strlen(s) > 10)
        return -EBADMSG;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -EBADMSG;
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    if (v > UINT32_MAX || (s[0] == '0' && s[1]))
        return -EBADMSG;
    *ret = (uint32_t)v;
    return 0;
}

static bool boot_id_ok(const char *s) {
    if (strlen(s) != IAM_LOGIN_SESSION_BOOT_ID_LEN)
        return false;
    for (size_t i = 0; i < IAM_LOGIN_SESSION_BOOT_ID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return true;
}

int iam_login_session_id_read(const char *proc_dir, struct iam_login_session_id *ret_id) {
    struct iam_login_session_id id;
    char buf[64], path[PATH_MAX];
    int r;

    memset(&id, 0, sizeof(id));
    r = read_small(proc_dir, "self/sessionid", buf, sizeof(buf));
    if (r < 0)
        return r;
    if (parse_u32(buf, &id.audit_session) < 0)
        return -EBADMSG;
    r = read_small(proc_dir, "self/loginuid", buf, sizeof(buf));
    if (r < 0)
        return r;
    if (parse_u32(buf, &id.login_uid) < 0)
        return -EBADMSG;
    if (id.audit_session == UINT32_MAX || id.login_uid == UINT32_MAX)
        return -ENOENT;
    if (snprintf(path, sizeof(path), "%s/sys/kernel/random", proc_dir) >= (int)sizeof(path))
        return -E2BIG;
    r = read_small(path, "boot_id", buf, sizeof(buf));
    if (r < 0)
        return r;
    if (!boot_id_ok(buf))
        return -EBADMSG;
    memcpy(id.boot_id, buf, IAM_LOGIN_SESSION_BOOT_ID_LEN + 1);
    *ret_id = id;
    return 0;
}

/* ---- text ------------------------------------------------------------------------------- */

static bool str_ok(const char *s, size_t max) {
    size_t n = strnlen(s, max + 1);

    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!value_byte_ok((unsigned char)s[i]))
            return false;
    return true;
}

int iam_login_session_format(const struct iam_login_session *s, char **ret_text, size_t *ret_len,
                             struct iam_error *reterr) {
    const char *base = (const char *)s;
    char *buf = NULL;
    size_t cap = IAM_LOGIN_SESSION_MAX_BYTES, len = 0;
    int n, r = -EINVAL;

    if (!s || !ret_text || !ret_len)
        goto out;
    r = -ENOMEM;
    buf = malloc(cap);
    if (!buf)
        goto out;
    n = snprintf(buf, cap, "%s\n", MAGIC);
    len = (size_t)n;
    for (size_t i = 0; i < IAM_ELEMENTSOF(fields); i++) {
        const struct field *f = &fields[i];
        const void *p = base + f->offset;

        switch (f->kind) {
        case F_STR:
        case F_BOOT: {
            const char *v = p;

            if (!*v) {
                if (f->required || f->kind == F_BOOT) {
                    r = -EINVAL;
                    iam_error_set(reterr, 0, 0, 0, "%s: required", f->name);
                    goto out;
                }
                continue;
            }
            if (!str_ok(v, f->size - 1) || (f->kind == F_BOOT && !boot_id_ok(v))) {
                r = strnlen(v, f->size) >= f->size ? -E2BIG : -EINVAL;
                iam_error_set(reterr, 0, 0, 0, "%s: not 1..%zu printable characters without "
                              "spaces", f->name, f->size - 1);
                goto out;
            }
            n = snprintf(buf + len, cap - len, "%s %s\n", f->name, v);
            break;
        }
        case F_INT: {
            int64_t v;

            memcpy(&v, p, sizeof(v));
            if (v < 0 || (v == 0 && !f->required))
                continue;
            n = snprintf(buf + len, cap - len, "%s %" PRId64 "\n", f->name, v);
            break;
        }
        case F_U32: {
            uint32_t v;

            memcpy(&v, p, sizeof(v));
            n = snprintf(buf + len, cap - len, "%s %" PRIu32 "\n", f->name, v);
            break;
        }
        default:
            r = -EINVAL;
            goto out;
        }
        if (n < 0 || (size_t)n >= cap - len) {
            r = -E2BIG;
            iam_error_set(reterr, 0, 0, 0, "record too long");
            goto out;
        }
        len += (size_t)n;
    }
    *ret_text = buf;
    *ret_len = len;
    buf = NULL;
    r = 0;
out:
    free(buf);
    return r;
}

static int parse_i64(const char *s, size_t n, int64_t *ret) {
    int64_t v = 0;

    if (n == 0 || n > 18 || (s[0] == '0' && n > 1))
        return -EBADMSG;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EBADMSG;
        v = v * 10 + (s[i] - '0');
    }
    *ret = v;
    return 0;
}

static int parse_field(struct iam_login_session *s, const struct field *f, const char *v,
                       size_t vn) {
    char *base = (char *)s;
    char tmp[16];

    switch (f->kind) {
    case F_STR:
    case F_BOOT:
        if (vn >= f->size)
            return -EBADMSG;
        memcpy(base + f->offset, v, vn);
        base[f->offset + vn] = '\0';
        if (f->kind == F_BOOT && !boot_id_ok(base + f->offset))
            return -EBADMSG;
        return 0;
    case F_INT: {
        int64_t x;

        if (parse_i64(v, vn, &x) < 0)
            return -EBADMSG;
        memcpy(base + f->offset, &x, sizeof(x));
        return 0;
    }
    case F_U32: {
        uint32_t x;

        if (vn >= sizeof(tmp))
            return -EBADMSG;
        memcpy(tmp, v, vn);
        tmp[vn] = '\0';
        if (parse_u32(tmp, &x) < 0 || x == UINT32_MAX)
            return -EBADMSG;
        memcpy(base + f->offset, &x, sizeof(x));
        return 0;
    }
    }
    return -EBADMSG;
}

int iam_login_session_parse(const char *text, size_t len, struct iam_login_session *ret,
                            struct iam_error *reterr) {
    struct iam_login_session s;
    bool seen[IAM_ELEMENTSOF(fields)] = {false};
    size_t pos, line = 1;
    const size_t magic_len = sizeof(MAGIC) - 1;

    memset(&s, 0, sizeof(s));
    if (!text || !ret)
        return -EINVAL;
    if (len > IAM_LOGIN_SESSION_MAX_BYTES) {
        iam_error_set(reterr, 0, 0, 0, "record too long");
        return -EBADMSG;
    }
    if (len < magic_len + 1 || memcmp(text, MAGIC, magic_len) != 0 || text[magic_len] != '\n') {
        iam_error_set(reterr, 1, 1, 0, "not a login-session record (expected \"%s\")", MAGIC);
        return -EBADMSG;
    }
    pos = magic_len + 1;
    while (pos < len) {
        const char *l = text + pos, *nl = memchr(l, '\n', len - pos), *sp;
        size_t ln, kn, i;

        line++;
        if (!nl) {
            iam_error_set(reterr, (unsigned)line, 1, pos, "line does not end in a newline");
            return -EBADMSG;
        }
        ln = (size_t)(nl - l);
        sp = memchr(l, ' ', ln);
        if (!sp) {
            iam_error_set(reterr, (unsigned)line, 1, pos, "expected \"key value\"");
            return -EBADMSG;
        }
        kn = (size_t)(sp - l);
        for (i = kn + 1; i < ln; i++) {
            if (!value_byte_ok((unsigned char)l[i])) {
                iam_error_set(reterr, (unsigned)line, (unsigned)(i + 1), pos + i,
                              "value holds a byte that is not printable ASCII or a space");
                return -EBADMSG;
            }
        }
        for (i = 0; i < IAM_ELEMENTSOF(fields); i++)
            if (strlen(fields[i].name) == kn && memcmp(fields[i].name, l, kn) == 0)
                break;
        if (i == IAM_ELEMENTSOF(fields)) {
            iam_error_set(reterr, (unsigned)line, 1, pos, "unknown key");
            return -EBADMSG;
        }
        if (seen[i]) {
            iam_error_set(reterr, (unsigned)line, 1, pos, "%s: repeated", fields[i].name);
            return -EBADMSG;
        }
        seen[i] = true;
        if (ln == kn + 1 || parse_field(&s, &fields[i], sp + 1, ln - kn - 1) < 0) {
            iam_error_set(reterr, (unsigned)line, (unsigned)(kn + 2), pos + kn + 1,
                          "%s: bad value", fields[i].name);
            return -EBADMSG;
        }
        pos += ln + 1;
    }
    for (size_t i = 0; i < IAM_ELEMENTSOF(fields); i++) {
        if (fields[i].required && !seen[i]) {
            iam_error_set(reterr, (unsigned)line, 1, len, "%s: missing", fields[i].name);
            return -EBADMSG;
        }
    }
    if (s.expires < s.created) {
        iam_error_set(reterr, 0, 0, 0, "expires before it was created");
        return -EBADMSG;
    }
    *ret = s;
    return 0;
}

/* ---- files ------------------------------------------------------------------------------ */

/* Open dir (creating it 0700 when create is set), and refuse it unless it is a directory owned
 * by root or the caller's euid with no group or other permission bits. Returns the fd. */
static int open_dir(const char *dir, bool create, struct iam_error *reterr) {
    struct stat st;
    int fd;

    if (!dir || dir[0] != '/') {
        iam_error_set(reterr, 0, 0, 0, "the session directory must be an absolute path");
        return -EINVAL;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            int r = -errno;

            iam_error_set_source(reterr, dir);
            iam_error_set(reterr, 0, 0, 0, "cannot create: %s", strerror(-r));
            return r;
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
        int r = errno == ELOOP || errno == ENOTDIR ? -EACCES : -errno;

        iam_error_set_source(reterr, dir);
        iam_error_set(reterr, 0, 0, 0, "%s", strerror(errno));
        return r;
    }
    if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) ||
        (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 0077)) {
        close(fd);
        iam_error_set_source(reterr, dir);
        iam_error_set(reterr, 0, 0, 0, "unsafe session directory (must be owned by root, mode "
                      "0700)");
        return -EACCES;
    }
    return fd;
}

static int record_path(const char *dir, uint32_t session, char *buf, size_t size) {
    if (snprintf(buf, size, "%s/%" PRIu32, dir, session) >= (int)size)
        return -E2BIG;
    return 0;
}

/* Read dir/name into s, checking the file as iam_file_read_safe does (and 0600). */
static int load(const char *dir, const char *name, struct iam_login_session *s,
                struct iam_error *reterr) {
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    int r;

    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        return -E2BIG;
    r = iam_file_read_safe(path, IAM_LOGIN_SESSION_MAX_BYTES, &text, &len, reterr);
    if (r < 0)
        return r;
    iam_error_set_source(reterr, path);
    r = iam_login_session_parse(text, len, s, reterr);
    free(text);
    return r;
}

/* Remove records of other boots and expired ones; problems are skipped, never fatal: a stale
 * record can never be used anyway (the reader checks boot and expiry itself). */
static void prune(int dfd, const char *dir, const char *boot_id, int64_t now) {
    struct iam_login_session s;
    struct dirent *de;
    DIR *d;
    int fd = dup(dfd);

    if (fd < 0)
        return;
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        uint32_t id;
        struct iam_error e;

        if (parse_u32(de->d_name, &id) < 0)
            continue;
        iam_error_init(&e);
        if (load(dir, de->d_name, &s, &e) == 0 &&
            (strcmp(s.id.boot_id, boot_id) != 0 || s.expires <= now))
            (void)unlinkat(dfd, de->d_name, 0);
    }
    closedir(d);
}

int iam_login_session_write(const char *dir, const struct iam_login_session *s,
                            struct iam_error *reterr) {
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    int dfd = -1, r;

    r = iam_login_session_format(s, &text, &len, reterr);
    if (r < 0)
        goto out;
    dfd = open_dir(dir, true, reterr);
    if (dfd < 0) {
        r = dfd;
        goto out;
    }
    prune(dfd, dir, s->id.boot_id, s->created);
    r = record_path(dir, s->id.audit_session, path, sizeof(path));
    if (r < 0)
        goto out;
    r = iam_file_write_atomic(path, text, len, 0600, reterr);
out:
    if (dfd >= 0)
        close(dfd);
    free(text);
    return r;
}

static bool belongs(const struct iam_login_session *s, const struct iam_login_session_id *id,
                    const char *user) {
    return s->id.audit_session == id->audit_session && s->id.login_uid == id->login_uid &&
           strcmp(s->id.boot_id, id->boot_id) == 0 && user && strcmp(s->user, user) == 0;
}

int iam_login_session_read(const char *dir, const struct iam_login_session_id *id,
                           const char *user, int64_t now, struct iam_login_session *ret,
                           struct iam_error *reterr) {
    struct iam_login_session s;
    char name[16];
    int dfd, r;

    if (!id || !ret)
        return -EINVAL;
    dfd = open_dir(dir, false, reterr);
    if (dfd < 0)
        return dfd;
    close(dfd);
    snprintf(name, sizeof(name), "%" PRIu32, id->audit_session);
    r = load(dir, name, &s, reterr);
    if (r < 0)
        return r;
    if (!belongs(&s, id, user) || now < s.created || now >= s.expires)
        return -ENOENT;
    *ret = s;
    return 0;
}

int iam_login_session_read_role(const char *dir, const struct iam_login_session_id *id,
                                const char *role_arn, int64_t now,
                                struct iam_login_session *ret, struct iam_error *reterr) {
    struct iam_login_session s;
    char name[16];
    int dfd, r;

    if (!id || !ret || !role_arn || !*role_arn)
        return -EINVAL;
    dfd = open_dir(dir, false, reterr);
    if (dfd < 0)
        return dfd;
    close(dfd);
    snprintf(name, sizeof(name), "%" PRIu32, id->audit_session);
    r = load(dir, name, &s, reterr);
    if (r < 0)
        return r;
    if (!belongs(&s, id, s.user) || now < s.created || now >= s.expires ||
        strcmp(s.role_arn, role_arn) != 0 || !s.source_identity[0] || s.role_since <= 0)
        return -ENOENT;
    *ret = s;
    return 0;
}

int iam_login_session_note_role(const char *dir, const struct iam_login_session_id *id,
                                const char *user, const char *role_arn, int64_t since,
                                int64_t max_session, struct iam_error *reterr) {
    struct iam_login_session s;
    int r;

    if (!user || since <= 0 ||
        (role_arn && (strlen(role_arn) >= sizeof(s.role_arn) || max_session <= 0 ||
                      strlen(user) >= sizeof(s.source_identity))))
        return -EINVAL;
    r = iam_login_session_read(dir, id, user, since, &s, reterr);
    if (r < 0)
        return r;
    memset(s.role_arn, 0, sizeof(s.role_arn));
    memset(s.source_identity, 0, sizeof(s.source_identity));
    s.role_since = s.role_max_session = 0;
    if (role_arn) {
        memcpy(s.role_arn, role_arn, strlen(role_arn) + 1);
        memcpy(s.source_identity, user, strlen(user) + 1);
        s.role_since = since;
        s.role_max_session = max_session;
    }
    return iam_login_session_write(dir, &s, reterr);
}

int iam_login_session_remove(const char *dir, const struct iam_login_session_id *id,
                             const char *user, struct iam_error *reterr) {
    struct iam_login_session s;
    char name[16];
    int dfd, r;

    if (!id)
        return -EINVAL;
    dfd = open_dir(dir, false, reterr);
    if (dfd < 0)
        return dfd;
    snprintf(name, sizeof(name), "%" PRIu32, id->audit_session);
    r = load(dir, name, &s, reterr);
    if (r == 0 && !belongs(&s, id, user))
        r = -ENOENT;
    if (r == 0 && unlinkat(dfd, name, 0) < 0)
        r = -errno;
    close(dfd);
    return r;
}
