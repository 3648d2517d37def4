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

/* The data files, by IAM_BUNDLE_NSS, _AUTH, _SSH: the cache each carries ("nss.cache"), and
 * the suffix of its name in the bundle (".gz"). */
extern const char *const bundle_file_key[];
extern const char *const bundle_file_suffix[];

/* The names of the data files: "nss.cache.<16 hex>.gz", "auth.cache.<16 hex>.sealed",
 * "ssh_keys.cache.<16 hex>.gz". */
bool bundle_path_ok(const char *name, size_t which);

/* Whether name is one of the data files' names, whichever. */
bool bundle_path_any(const char *name);
