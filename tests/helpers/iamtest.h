/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared helpers for cmocka tests. Include after <setjmp.h>, <stdarg.h>, <stddef.h>. */

#include <stddef.h>

/* Make a fresh private directory under $TMPDIR (or /tmp); returns a malloc'd path. */
char *iamtest_mkdtemp(void);
/* Remove a directory tree made by iamtest_mkdtemp (best effort). */
void iamtest_rmtree(const char *path);
/* Write len bytes to dir/name with the given mode; returns a malloc'd full path. */
char *iamtest_write_file(const char *dir, const char *name, const void *data, size_t len,
                         unsigned mode);
/* Read a whole file into a malloc'd NUL-terminated buffer (NULL on error). */
char *iamtest_read_file(const char *path, size_t *ret_len);
