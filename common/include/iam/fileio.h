/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Safe file I/O: every file the product reads is opened O_NOFOLLOW|O_CLOEXEC, checked with
 * fstat (regular file, owned by root or the caller's euid, not group/other writable), and
 * size-limited. Every writer is atomic: temp file in the same directory, fsync, rename,
 * fsync of the directory, under an exclusive lock. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "iam/error.h"

/* Read a whole file safely. *ret_buf is NUL-terminated (not counted in *ret_len).
 * -ENOENT missing, -EACCES unsafe (symlink, not regular, bad owner or mode), -E2BIG over
 * max_size, -errno on I/O errors. */
int iam_file_read_safe(const char *path, size_t max_size, char **ret_buf, size_t *ret_len,
                       struct iam_error *reterr) IAM_WUR;

/* The same, and *ret_st (when not NULL) gets the fstat of the file read, made before
 * reading it: a file changed since then has another mtime, ctime or size. */
int iam_file_read_safe_stat(const char *path, size_t max_size, char **ret_buf, size_t *ret_len,
                            struct stat *ret_st, struct iam_error *reterr) IAM_WUR;

/* Check an already-open fd the same way (used by mmap readers). */
int iam_file_check_fd(int fd, const char *path, struct iam_error *reterr) IAM_WUR;

/* Fault in the pages of a large buffer just allocated, in one call instead of one fault
 * per page as it is first written (madvise MADV_POPULATE_WRITE; a kernel without it leaves
 * the buffer as it was). Only ever a speed-up: the buffer is the same either way. */
void iam_prefault(void *p, size_t len);

/* Atomically replace path with data: path.XXXXXX in the same dir, created with mode (and
 * owner unchanged = caller), written, fsync'ed, renamed over path, directory fsync'ed. */
int iam_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                          struct iam_error *reterr) IAM_WUR;

/* <parent>/<name>, a directory of state that only root (or the caller, when not root) keeps:
 * opened (O_DIRECTORY, O_NOFOLLOW), and with create made 0700 when missing. Refused
 * (-EACCES) when a symlink, not a directory, owned by someone else, or with any of the mode
 * bits in forbidden (0022: writable by others; 0077: readable too). The fd, or -ENOENT
 * (missing, without create: reterr left unset), -E2BIG, -EINVAL, -errno with reterr. */
int iam_state_dir_open(const char *parent, const char *name, bool create, mode_t forbidden,
                       struct iam_error *reterr) IAM_WUR;

/* Take an exclusive lock on lock_path (created 0600 if missing), waiting at most
 * timeout_ms (0 = do not wait). Returns the lock fd (>= 0) or -errno (-EAGAIN on timeout). */
int iam_lock_acquire(const char *lock_path, unsigned timeout_ms, struct iam_error *reterr) IAM_WUR;
void iam_lock_release(int fd);
