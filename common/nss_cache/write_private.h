/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared by the two NSS cache writers inside libiamcore: the whole build (write.c) and the
 * patch of a previous image (patch.c). Not part of the reader. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "format.h"

/* The rules of iam/nss_cache.h: 0 or -EINVAL with *why naming the problem. */
int iam_nssc_check_name(const char *name, const char **why);
int iam_nssc_check_field(const char *value, bool path, const char **why);
bool iam_nssc_id_valid(uint64_t id);

/* The header of img checked as the reader checks it, then every block's hash: 0, or
 * -EBADMSG ("the previous nss.cache is damaged: ..." in reterr). */
int iam_nssc_decode_header(const uint8_t *img, size_t len, struct iam_nssc_header *h,
                           struct iam_error *reterr);

/* Spare room a whole build leaves for later patches (patch.c): bytes at the end of the user
 * and group record sections, entries after the two enumeration indexes. An eighth: at 100,000
 * users a thousand or so patched writes before a rebuild makes new room; small caches stay
 * small (a rebuild costs little there). */
static inline uint64_t iam_nssc_record_slack(uint64_t bytes) {
    return (bytes / 8 + 256) & ~UINT64_C(7);
}

static inline uint64_t iam_nssc_index_slack(uint64_t n) {
    return n / 8 + 16;
}
