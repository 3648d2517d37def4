/* SPDX-License-Identifier: Apache-2.0 */
/*
 * authcachedump FILE: everything an auth cache answers, as text, through the reader pam_iam
 * links: its serial and user count, then every user in name order with every field of the
 * record iam_auth_cache_find() gives for its name (keys, tags, groups, each policy's kind,
 * source and text, MFA devices, role fields). The names are taken from the index; each is
 * then looked up as a login would, and the whole cache must pass iam_auth_cache_verify().
 * Two caches that answer every lookup alike dump alike, whatever their bytes: the refresh
 * test compares a patched cache with a whole compile this way.
 * Exit 0, 1 when the cache cannot be read, fails its check or a lookup fails, 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_cache/format.h"
#include "iam/auth_cache.h"

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *str(const char *s) {
    return s ? s : "(null)";
}

static void dump_user(const struct iam_auth_user *u) {
    printf("user %s\n id %s\n arn %s\n password %s reset %d expires %" PRId64 " hard %d\n",
           u->name, str(u->user_id), str(u->arn), str(u->password_hash),
           u->password_reset_required, u->password_expires, u->password_hard_expiry);
    printf(" role %d max_session %" PRId64 "\n", u->is_role, u->max_session_duration);
    for (size_t i = 0; i < u->n_mfa; i++)
        printf(" mfa %s %s %" PRId64 " %" PRId64 "\n", str(u->mfa[i].serial),
               str(u->mfa[i].seed_hex), u->mfa[i].not_before, u->mfa[i].drift);
    for (size_t i = 0; i < u->n_keys; i++)
        printf(" key %s %d %" PRId64 " %s\n", str(u->keys[i].id), u->keys[i].active,
               u->keys[i].create_date, str(u->keys[i].secret_hash));
    for (size_t i = 0; i < u->n_tags; i++)
        printf(" tag %s=%s\n", str(u->tags[i].key), str(u->tags[i].value));
    for (size_t i = 0; i < u->n_groups; i++)
        printf(" group %s\n", str(u->groups[i]));
    for (size_t i = 0; i < u->n_policies; i++) {
        const struct iam_auth_policy *p = &u->policies[i];
        printf(" policy %d %s %s %zu ", (int)p->kind, str(p->source_type), str(p->source_id),
               p->text_len);
        fwrite(p->text ? p->text : "", 1, p->text ? p->text_len : 0, stdout);
        putchar('\n');
    }
}

int main(int argc, char *argv[]) {
    struct iam_auth_cache *c = NULL;
    struct iam_error e;
    struct ac_header2 h = {0};
    char **names = NULL;
    size_t n = 0;
    int fd = -1, r, rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: authcachedump FILE\n");
        return 2;
    }
    iam_error_init(&e);
    if ((r = iam_auth_cache_open(argv[1], &c, &e)) < 0 || (r = iam_auth_cache_verify(c, &e)) < 0) {
        fprintf(stderr, "authcachedump: %s: %s\n", argv[1], e.text[0] ? e.text : strerror(-r));
        goto out;
    }
    fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
        h.version != IAM_AUTH_CACHE_VERSION) {
        fprintf(stderr, "authcachedump: %s: cannot read its header again\n", argv[1]);
        goto out;
    }
    names = calloc(h.n_slots, sizeof(*names));
    if (!names)
        goto out;
    for (uint64_t i = 0; i < h.n_slots; i++) {
        struct ac_slot s;
        uint32_t len;

        if (pread(fd, &s, sizeof(s), (off_t)(h.index_off + i * sizeof(s))) != (ssize_t)sizeof(s))
            goto out;
        if (s.rec_off == 0)
            continue;
        /* verified above: the slot's record is whole and its name fits in it */
        if (pread(fd, &len, sizeof(len), (off_t)(s.rec_off + AC_REC_FIXED)) != sizeof(len) ||
            len == 0 || len > IAM_AUTH_MAX_NAME || !(names[n] = calloc(1, len + 1)) ||
            pread(fd, names[n], len, (off_t)(s.rec_off + AC_REC_FIXED + 4)) != (ssize_t)len)
            goto out;
        n++;
    }
    qsort(names, n, sizeof(*names), by_name);
    printf("serial %" PRIu64 " users %" PRIu64 " named %zu\n", iam_auth_cache_serial(c),
           iam_auth_cache_n_users(c), n);
    for (size_t i = 0; i < n; i++) {
        struct iam_auth_record *rec = NULL;

        if ((r = iam_auth_cache_find(c, names[i], &rec, &e)) < 0) {
            fprintf(stderr, "authcachedump: %s: %s: %s\n", argv[1], names[i],
                    e.text[0] ? e.text : strerror(-r));
            goto out;
        }
        dump_user(iam_auth_record_user(rec));
        iam_auth_record_free(rec);
    }
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    for (uint64_t i = 0; names && i < h.n_slots; i++)
        free(names[i]);
    free(names);
    if (fd >= 0)
        close(fd);
    iam_auth_cache_close(c);
    return rc;
}
