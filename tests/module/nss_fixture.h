/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A small account shared by the nss tests, and helpers to forge damaged caches. */

#include <stdint.h>
#include <string.h>

#include "iam/nss_cache.h"
#include "nss_cache/format.h"

static const char *const fx_devs_members[] = {"alice", "bob", "carol"};
static const char *const fx_ops_members[] = {"bob"};
static const char *const fx_local_members[] = {"localadmin", "alice"};

static const struct iam_nss_user fx_users[] = {
    {"alice", 200001, 200001, "Alice Smith,,,", "/home/alice", "/bin/bash"},
    {"bob", 200002, 200002, "", "/home/bob", "/bin/sh"},
    {"carol", 200003, 200003, NULL, "/home/carol", NULL},
};

static const struct iam_nss_group fx_groups[] = {
    {"alice", 200001, NULL, 0},         {"bob", 200002, NULL, 0},
    {"carol", 200003, NULL, 0},         {"devs", 210000, fx_devs_members, 3},
    {"ops", 210001, fx_ops_members, 1}, {"mixed", 210002, fx_local_members, 2},
};

#define FX_N_USERS (sizeof(fx_users) / sizeof(fx_users[0]))
#define FX_N_GROUPS (sizeof(fx_groups) / sizeof(fx_groups[0]))

/* After editing an image, make its hashes right again, so the reader's structural checks
 * (not just the hashes) are what a forged cache meets. */
static inline void fx_rehash(uint8_t *img, size_t size) {
    struct iam_nssc_header h;
    uint8_t *sums;

    if (size < sizeof(h))
        return;
    memcpy(&h, img, sizeof(h));
    if (h.blocksum_offset != sizeof(h) || h.data_offset > size ||
        (uint64_t)h.blocksum_offset + (uint64_t)h.n_blocks * 8 > h.data_offset ||
        h.block_size != IAM_NSSC_BLOCK)
        return;
    sums = img + h.blocksum_offset;
    for (uint32_t b = 0; b < h.n_blocks; b++) {
        uint64_t start = h.data_offset + (uint64_t)b * IAM_NSSC_BLOCK, len, sum;

        if (start >= size)
            break;
        len = size - start < IAM_NSSC_BLOCK ? size - start : IAM_NSSC_BLOCK;
        sum = iam_nssc_block_hash(img + start, (size_t)len, h.seed, b);
        memcpy(sums + (size_t)b * 8, &sum, 8);
    }
    h.header_hash = iam_nssc_header_hash(&h, sums, h.n_blocks);
    memcpy(img, &h, sizeof(h));
}
