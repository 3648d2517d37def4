/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nsscachedump FILE: everything an NSS cache answers, as text, through the reader the module
 * links (nss_cache_read.h): every user and every group in enumeration order with all their
 * fields and members; for each of them the answer to the lookup by name and by id (the full
 * entry found, or "absent"); and for every user and every member name the groups initgroups
 * finds. Two caches that answer every lookup alike dump alike, whatever their bytes: the
 * refresh test compares a patched cache with a whole compile this way.
 * Exit 0, 1 when the cache cannot be read or a lookup fails other than "absent", 2 on usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nss_cache_read.h"

static int failed;

static void print_str(const struct iam_nssc_str *s) {
    fwrite(s->ptr, 1, s->len, stdout);
}

static void print_pw(const char *what, int r, const struct iam_nssc_pw *pw) {
    printf("%s ", what);
    if (r < 0) {
        printf("%s\n", r == -ENOENT ? "absent" : "ERROR");
        failed |= r != -ENOENT;
        return;
    }
    print_str(&pw->name);
    printf(":%u:%u:", pw->uid, pw->gid);
    print_str(&pw->gecos);
    putchar(':');
    print_str(&pw->home);
    putchar(':');
    print_str(&pw->shell);
    putchar('\n');
}

static void print_gr(struct iam_nssc *c, const char *what, int r, const struct iam_nssc_gr *gr) {
    const uint8_t *lens;
    const char *names;

    printf("%s ", what);
    if (r < 0) {
        printf("%s\n", r == -ENOENT ? "absent" : "ERROR");
        failed |= r != -ENOENT;
        return;
    }
    print_str(&gr->name);
    printf(":%u:", gr->gid);
    if (iam_nssc_group_members(c, gr, &lens, &names) < 0) {
        printf("ERROR\n");
        failed = 1;
        return;
    }
    for (uint32_t k = 0; k < gr->n_members; k++) {
        printf("%s%.*s", k ? "," : "", (int)lens[k], names);
        names += lens[k] + 1;
    }
    putchar('\n');
}

static void print_gids(struct iam_nssc *c, const char *name) {
    const uint32_t *gids;
    uint32_t n;
    int r = iam_nssc_member_gids(c, name, &gids, &n);

    printf("  initgroups %s:", name);
    if (r < 0) {
        printf(" %s\n", r == -ENOENT ? "absent" : "ERROR");
        failed |= r != -ENOENT;
        return;
    }
    for (uint32_t k = 0; k < n; k++)
        printf(" %u", gids[k]);
    putchar('\n');
}

int main(int argc, char **argv) {
    struct iam_nssc *c = NULL;
    FILE *f;
    void *img = NULL;
    long len;
    uint32_t nu, ng;

    if (argc != 2) {
        fprintf(stderr, "usage: nsscachedump FILE\n");
        return 2;
    }
    f = fopen(argv[1], "rbe");
    if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0 ||
        posix_memalign(&img, 64, (size_t)len) != 0 || fread(img, 1, (size_t)len, f) != (size_t)len ||
        iam_nssc_open_memory(img, (size_t)len, &c) < 0) {
        fprintf(stderr, "nsscachedump: %s: cannot read the cache\n", argv[1]);
        return 1;
    }
    fclose(f);
    nu = iam_nssc_n_users(c);
    ng = iam_nssc_n_groups(c);
    printf("users %u groups %u\n", nu, ng);
    for (uint32_t i = 0; i < nu; i++) {
        struct iam_nssc_pw pw, q;
        char name[256];
        int r = iam_nssc_user_at(c, i, &pw);

        print_pw("user", r, &pw);
        if (r < 0)
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)pw.name.len, pw.name.ptr);
        print_pw("  by name", iam_nssc_user_by_name(c, name, &q), &q);
        print_pw("  by uid", iam_nssc_user_by_uid(c, pw.uid, &q), &q);
        print_gids(c, name);
    }
    for (uint32_t i = 0; i < ng; i++) {
        struct iam_nssc_gr gr, q;
        char name[256];
        const uint8_t *lens;
        const char *names;
        int r = iam_nssc_group_at(c, i, &gr);

        print_gr(c, "group", r, &gr);
        if (r < 0)
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)gr.name.len, gr.name.ptr);
        print_gr(c, "  by name", iam_nssc_group_by_name(c, name, &q), &q);
        print_gr(c, "  by gid", iam_nssc_group_by_gid(c, gr.gid, &q), &q);
        /* every member's groups (local accounts listed in a group included) */
        if (iam_nssc_group_members(c, &gr, &lens, &names) == 0)
            for (uint32_t k = 0; k < gr.n_members; k++) {
                snprintf(name, sizeof(name), "%.*s", (int)lens[k], names);
                print_gids(c, name);
                names += lens[k] + 1;
            }
    }
    iam_nssc_unref(c);
    free(img);
    if (fflush(stdout) != 0)
        failed = 1;
    return failed;
}
