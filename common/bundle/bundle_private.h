/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared by common/bundle/ only. */

#include <stdbool.h>
#include <stddef.h>

#include "iam/error.h"

/* A secret file written whole beside path, fsync'ed, then linked into place (refusing an
 * existing path) or renamed over it (replace); mode 0600. */
int bundle_write_secret_file(const char *path, const char *text, size_t len, bool replace,
                             struct iam_error *reterr);

/* gzip (zlib's deflate with a gzip header) of len bytes at level 1..9. malloc'd. */
int bundle_gzip(const void *in, size_t len, int level, void **ret, size_t *ret_len,
                struct iam_error *reterr);

/* The names of the data files: "nss.cache.<16 hex>.gz", "auth.cache.<16 hex>.sealed". */
bool bundle_path_ok(const char *name, size_t which);
