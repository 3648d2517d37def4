/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mknsscache PASSWD GROUP OUT: build an NSS cache from passwd- and group-format text files
 * through the real writer (iam_nss_cache_write). For tests and for the benchmark's
 * "same content" comparison with glibc's files backend. Passwd fields: name:pw:uid:gid:
 * gecos:home:shell (pw ignored); group: name:pw:gid:member,member,...
 * Exit 0 on success, 1 on a writer error, 2 on bad input or usage.
 *
 * mknsscache --patch BASE PASSWD GROUP OUT: OUT is BASE patched (iam_nss_cache_patch) with the
 * users and groups of PASSWD and GROUP, each a change of BASE's entry of its name or, when
 * BASE has none, a new one (new groups after the others). Exit 3 when the patch declines
 * (the change needs a whole build).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/error.h"
#include "iam/fileio.h"
#include "iam/nss_cache.h"

struct lines {
    char *text;
    char **line;
    size_t n;
};

static int slurp(const char *path, struct lines *ret) {
    FILE *f = fopen(path, "re");
    size_t cap = 0, len = 0, lcap = 0;
    char *p;

    memset(ret, 0, sizeof(*ret));
    if (!f)
        return -errno;
    for (;;) {
        size_t n;

        if (cap - len < 65536) {
            char *nt = realloc(ret->text, cap + (cap ? cap : 1 << 20) + 1);

            if (!nt) {
                fclose(f);
                return -ENOMEM;
            }
            ret->text = nt;
            cap += cap ? cap : 1 << 20;
        }
        n = fread(ret->text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    ret->text[len] = '\0';
    for (p = ret->text; *p;) {
        char *nl = strchr(p, '\n');

        if (nl)
            *nl = '\0';
        if (*p && *p != '#') {
            if (ret->n == lcap) {
                char **nl2 = reallocarray(ret->line, lcap ? lcap * 2 : 1024, sizeof(char *));

                if (!nl2)
                    return -ENOMEM;
                ret->line = nl2;
                lcap = lcap ? lcap * 2 : 1024;
            }
            ret->line[ret->n++] = p;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

/* Split s at ':' into exactly n fields (in place). */
static int split(char *s, char **f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char *c = strchr(s, ':');

        f[i] = s;
        if (i + 1 < n) {
            if (!c)
                return -1;
            *c = '\0';
            s = c + 1;
        } else if (c) {
            return -1;
        }
    }
    return 0;
}

static int parse_id(const char *s, unsigned long *ret) {
    char *end;

    errno = 0;
    *ret = strtoul(s, &end, 10);
    return (errno || end == s || *end) ? -1 : 0;
}

/* OUT = BASE patched with users and groups (each new unless BASE has its name). */
static int patch(const char *base, const struct iam_nss_user *users, size_t n_users,
                 const struct iam_nss_group *groups, size_t n_groups, const char *out) {
    struct iam_nss_decoded d;
    struct iam_nss_patch p = {.users = users, .n_users = n_users, .groups = groups,
                              .n_groups = n_groups};
    bool *unew = calloc(n_users + 1, sizeof(bool)), *gnew = calloc(n_groups + 1, sizeof(bool));
    struct iam_error err;
    char msg[600];
    void *prev = NULL, *img = NULL;
    long len = 0;
    FILE *f = fopen(base, "rbe");
    int r = 2;

    iam_error_init(&err);
    if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0 ||
        !(prev = malloc((size_t)len)) || !(img = malloc((size_t)len)) || !unew || !gnew ||
        fread(prev, 1, (size_t)len, f) != (size_t)len) {
        fprintf(stderr, "mknsscache: %s: cannot read\n", base);
        goto out;
    }
    if (iam_nss_cache_decode(prev, (size_t)len, &d, &err) < 0) {
        fprintf(stderr, "mknsscache: %s\n", iam_error_format(&err, msg, sizeof(msg)));
        goto out;
    }
    for (size_t i = 0; i < n_users; i++) {
        unew[i] = true;
        for (size_t k = 0; k < d.n_users; k++)
            if (strcmp(d.users[k].name, users[i].name) == 0)
                unew[i] = false;
    }
    for (size_t i = 0; i < n_groups; i++) {
        gnew[i] = true;
        for (size_t k = 0; k < d.n_groups; k++)
            if (strcmp(d.groups[k].name, groups[i].name) == 0)
                gnew[i] = false;
    }
    iam_nss_decoded_free(&d);
    p.user_is_new = unew;
    p.group_is_new = gnew;
    memcpy(img, prev, (size_t)len);
    r = iam_nss_cache_patch(prev, (size_t)len, img, &p, &err);
    if (r == 1) {
        fprintf(stderr, "mknsscache: the patch declines: a whole build is needed\n");
        r = 3;
        goto out;
    }
    if (r < 0) {
        fprintf(stderr, "mknsscache: %s\n", iam_error_format(&err, msg, sizeof(msg)));
        r = 1;
        goto out;
    }
    r = iam_file_write_atomic(out, img, (size_t)len, 0644, &err) < 0 ? 1 : 0;
    if (r)
        fprintf(stderr, "mknsscache: %s\n", iam_error_format(&err, msg, sizeof(msg)));
out:
    if (f)
        fclose(f);
    free(prev);
    free(img);
    free(unew);
    free(gnew);
    return r;
}

int main(int argc, char **argv) {
    struct lines pl, gl;
    struct iam_nss_user *users = NULL;
    struct iam_nss_group *groups = NULL;
    struct iam_error err;
    char msg[600];
    const char *base = NULL;
    int r;

    if (argc == 6 && strcmp(argv[1], "--patch") == 0) {
        base = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: mknsscache [--patch BASE] PASSWD GROUP OUT\n");
        return 2;
    }
    if (slurp(argv[1], &pl) < 0 || slurp(argv[2], &gl) < 0) {
        fprintf(stderr, "mknsscache: cannot read input: %s\n", strerror(errno));
        return 2;
    }
    users = calloc(pl.n + 1, sizeof(*users));
    groups = calloc(gl.n + 1, sizeof(*groups));
    if (!users || !groups) {
        free(users);
        free(groups);
        return 2;
    }
    for (size_t i = 0; i < pl.n; i++) {
        char *f[7];
        unsigned long uid, gid;

        if (split(pl.line[i], f, 7) < 0 || parse_id(f[2], &uid) < 0 || parse_id(f[3], &gid) < 0) {
            fprintf(stderr, "mknsscache: %s: entry %zu: bad passwd line\n", argv[1], i + 1);
            r = 2;
            goto out;
        }
        users[i] = (struct iam_nss_user){.name = f[0],
                                         .uid = (uid_t)uid,
                                         .gid = (gid_t)gid,
                                         .gecos = f[4],
                                         .home = f[5],
                                         .shell = f[6]};
    }
    for (size_t i = 0; i < gl.n; i++) {
        char *f[4], **mem = NULL;
        size_t n = 0;
        unsigned long gid;

        if (split(gl.line[i], f, 4) < 0 || parse_id(f[2], &gid) < 0) {
            fprintf(stderr, "mknsscache: %s: entry %zu: bad group line\n", argv[2], i + 1);
            r = 2;
            goto out;
        }
        if (*f[3]) {
            size_t cap = 1;

            for (const char *c = f[3]; *c; c++)
                cap += *c == ',';
            mem = calloc(cap, sizeof(char *));
            if (!mem) {
                r = 2;
                goto out;
            }
            for (char *tok = strtok(f[3], ","); tok; tok = strtok(NULL, ","))
                mem[n++] = tok;
        }
        groups[i] = (struct iam_nss_group){
            .name = f[0], .gid = (gid_t)gid, .members = (const char *const *)mem, .n_members = n};
    }
    iam_error_init(&err);
    if (base) {
        r = patch(base, users, pl.n, groups, gl.n, argv[3]);
    } else {
        r = iam_nss_cache_write(argv[3], users, pl.n, groups, gl.n, &err);
        if (r < 0) {
            fprintf(stderr, "mknsscache: %s\n", iam_error_format(&err, msg, sizeof(msg)));
            r = 1;
        }
    }
out:
    for (size_t i = 0; i < gl.n; i++)
        free((void *)(uintptr_t)groups[i].members);
    free(users);
    free(groups);
    free(pl.text);
    free(pl.line);
    free(gl.text);
    free(gl.line);
    return r;
}
