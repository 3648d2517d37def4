/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Error convention (docs/style.md, "Errors"): functions return int, >= 0 on success, -errno
 * on failure.
 * Each code has one meaning:
 *   -ENOENT   not found
 *   -EINVAL   bad input (parse or validation error; details in struct iam_error)
 *   -EBADMSG  corrupt database or cache
 *   -EACCES   unsafe owner or mode (or a symlink where a file was expected)
 *   -ERANGE   caller's buffer too small
 *   -E2BIG    over a limit (size, depth, count, quota)
 *   -ENOTSUP  unknown hash format, operator or version
 *   -ENOMEM   out of memory
 * A policy decision is never an error: it comes back through an out-parameter.
 *
 * Parse and validation diagnostics go in struct iam_error; the first error wins.
 */

#include <stdarg.h>
#include <stddef.h>

#include "iam/macros.h"

#define IAM_ERROR_SOURCE_MAX 256
#define IAM_ERROR_TEXT_MAX 320

struct iam_error {
    char source[IAM_ERROR_SOURCE_MAX]; /* file name or "PolicyInputList.1"; may be empty */
    unsigned line;                     /* 1-based; 0 when not known */
    unsigned column;                   /* 1-based, in characters (UTF-8 code points) */
    size_t offset;                     /* byte offset in the input */
    char text[IAM_ERROR_TEXT_MAX];
    int set;                           /* non-zero once an error was recorded */
};

/* Start empty. NULL-safe. */
void iam_error_init(struct iam_error *e);

/* Record an error unless one is already there (first error wins). NULL-safe. */
void iam_error_set(struct iam_error *e, unsigned line, unsigned column, size_t offset,
                   const char *fmt, ...) IAM_PRINTF(5, 6);
void iam_error_setv(struct iam_error *e, unsigned line, unsigned column, size_t offset,
                    const char *fmt, va_list ap) IAM_PRINTF(5, 0);

/* Set the source name (file, input name) if not set yet. NULL-safe. */
void iam_error_set_source(struct iam_error *e, const char *source);

/* "source:line:column: text" (parts that are unknown are left out) into buf. */
const char *iam_error_format(const struct iam_error *e, char *buf, size_t size);
