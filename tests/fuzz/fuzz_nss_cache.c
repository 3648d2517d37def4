/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the NSS cache reader and the module's packing code. Each input is
 * tried twice: as it is (header checks, hashes) and with its hashes recomputed, so the
 * structural checks behind the hashes get fuzzed too (a forged cache from someone who can
 * write the file). Whatever the bytes, no lookup may read outside the image or crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nss_cache/format.h"
#include "nss_cache_read.h"
#include "nss_fixture.h"
#include "nss_iam_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const probe_names[] = {"alice",  "bob",   "carol",      "devs",
                                          "ops",    "mixed", "localadmin", "user1",
                                          "group1", "x",     "nosuchname"};

static void exercise(struct iam_nssc *c, const uint8_t *data, size_t size) {
    static char buf[1 << 16];
    size_t buflens[] = {1, 17, 200, sizeof(buf)};
    struct iam_nssc_pw pw;
    struct iam_nssc_gr gr;
    struct passwd pwd;
    struct group grp;
    const uint32_t *p;
    uint32_t n;
    char name[32];

    for (size_t i = 0; i < sizeof(probe_names) / sizeof(probe_names[0]); i++) {
        if (iam_nssc_user_by_name(c, probe_names[i], &pw) == 0)
            (void)iam_nss_pack_passwd(&pw, &pwd, buf, buflens[i % 4]);
        if (iam_nssc_group_by_name(c, probe_names[i], &gr) == 0)
            (void)iam_nss_pack_group(c, &gr, &grp, buf, buflens[i % 4]);
        if (iam_nssc_member_gids(c, probe_names[i], &p, &n) == 0) {
            volatile uint32_t sink = 0;

            for (uint32_t k = 0; k < n; k++)
                sink ^= p[k];
            (void)sink;
        }
    }
    /* Names and ids taken from the input itself, so they can hit. */
    for (size_t off = 0; off + 8 <= size && off < 4096; off += 97) {
        uint32_t id;
        size_t len = data[off] % 12 + 1;

        memcpy(&id, data + off, sizeof(id));
        (void)iam_nssc_user_by_uid(c, id, &pw);
        if (iam_nssc_group_by_gid(c, id, &gr) == 0)
            (void)iam_nss_pack_group(c, &gr, &grp, buf, sizeof(buf));
        if (off + len < size) {
            memcpy(name, data + off + 1, len);
            name[len] = '\0';
            (void)iam_nssc_user_by_name(c, name, &pw);
            (void)iam_nssc_member_gids(c, name, &p, &n);
        }
    }
    for (uint32_t i = 0; i < 64; i++) {
        if (iam_nssc_user_at(c, i, &pw) == 0)
            (void)iam_nss_pack_passwd(&pw, &pwd, buf, sizeof(buf));
        if (iam_nssc_group_at(c, i, &gr) == 0)
            (void)iam_nss_pack_group(c, &gr, &grp, buf, buflens[i % 4]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct iam_nssc *c = NULL;
    uint8_t *copy;

    if (size > (1u << 22))
        return 0;
    /* The module maps files page-aligned; keep the fuzzer's data at least 8-aligned. */
    copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (iam_nssc_open_memory(copy, size, &c) == 0) {
        exercise(c, data, size);
        iam_nssc_unref(c);
    }
    fx_rehash(copy, size);
    c = NULL;
    if (iam_nssc_open_memory(copy, size, &c) == 0) {
        exercise(c, data, size);
        iam_nssc_unref(c);
    }
    free(copy);
    return 0;
}
