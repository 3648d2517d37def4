/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packing into glibc's buffers: compute the size first and return -ERANGE before writing
 * anything, align gr_mem for char *, and never trust a length read twice from the mapping.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "nss_iam_private.h"

static char *put(char *p, const struct iam_nssc_str *s) {
    memcpy(p, s->ptr, s->len);
    p[s->len] = '\0';
    return p + s->len + 1;
}

int iam_nss_pack_passwd(const struct iam_nssc_pw *pw, struct passwd *ret, char *buf,
                        size_t buflen) {
    size_t need = pw->name.len + 1 + 2 + pw->gecos.len + 1 + pw->home.len + 1 + pw->shell.len + 1;
    struct passwd out;
    char *p = buf;

    if (!buf || need > buflen)
        return -ERANGE;
    out.pw_name = p;
    p = put(p, &pw->name);
    /* "*", not "x": IAM users have no shadow entry, and pam_unix's account phase refuses a
     * user whose "x" points at a shadow record it cannot find (as sssd, we say "*"). */
    out.pw_passwd = p;
    memcpy(p, "*", 2);
    p += 2;
    out.pw_gecos = p;
    p = put(p, &pw->gecos);
    out.pw_dir = p;
    p = put(p, &pw->home);
    out.pw_shell = p;
    (void)put(p, &pw->shell);
    out.pw_uid = pw->uid;
    out.pw_gid = pw->gid;
    *ret = out;
    return 0;
}

int iam_nss_pack_group(struct iam_nssc *c, const struct iam_nssc_gr *gr, struct group *ret,
                       char *buf, size_t buflen) {
    const uint8_t *lens = NULL;
    const char *names = NULL;
    size_t pad, need;
    struct group out;
    char **mem, *p, *end;
    int r;

    if (!buf)
        return -ERANGE;
    r = iam_nssc_group_members(c, gr, &lens, &names);
    if (r < 0)
        return r;
    pad = (alignof(char *) - ((uintptr_t)buf % alignof(char *))) % alignof(char *);
    need = pad + ((size_t)gr->n_members + 1) * sizeof(char *) + gr->name.len + 1 + 2 +
           (size_t)gr->members_size;
    if (need > buflen)
        return -ERANGE;

    mem = (char **)(void *)(buf + pad);
    p = (char *)(mem + gr->n_members + 1);
    out.gr_name = p;
    p = put(p, &gr->name);
    out.gr_passwd = p;
    memcpy(p, "x", 2);
    p += 2;
    /* One copy of all the names, then the pointers, placed by the lengths the writer
     * recorded; each is checked against our own copy (which the file cannot change under us):
     * inside it, and ending in a NUL. No scan of the names themselves. */
    memcpy(p, names, gr->members_size);
    end = p + gr->members_size;
    for (uint32_t i = 0; i < gr->n_members; i++) {
        size_t len = lens[i];

        if (len >= (size_t)(end - p) || p[len] != '\0')
            return -EBADMSG; /* fewer or other names than the record says */
        mem[i] = p;
        p += len + 1;
    }
    if (p != end)
        return -EBADMSG; /* more */
    mem[gr->n_members] = NULL;
    out.gr_mem = mem;
    out.gr_gid = gr->gid;
    *ret = out;
    return 0;
}
