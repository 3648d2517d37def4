/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Reading the trail: the audit log as files (the live log, its rotated and gzip-compressed
 * predecessors, or trails collected from many hosts), each read as a stream of record lines,
 * and a scanner that finds the fields of one record without building a tree.
 *
 * Part of libiamtrail (iamctl and tests only): it links zlib, which the modules never need.
 * Nothing here trusts the files: every line may be hostile (trails copied from other hosts),
 * so lengths are bounded and a line the scanner cannot make sense of is reported, not guessed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iam/error.h"
#include "iam/macros.h"

/* The reader's block size, and so the longest line it hands out: a line without a '\n'
 * within this many bytes is not a record (the writer caps records at IAM_AUDIT_MAX_LINE) and
 * is skipped and counted. */
#define IAM_TRAIL_MAX_LINE (4u * 1024u * 1024u)
/* Directory recursion limit for --audit-log DIR. */
#define IAM_TRAIL_MAX_DEPTH 8
/* BLAKE2b-128 of a record line, as digests list them. */
#define IAM_TRAIL_HASH_BYTES 16

/* ---- files ------------------------------------------------------------------------------ */

struct iam_trail_file {
    char *path;
    bool gzip;    /* by content (the gzip magic), not by name */
    dev_t dev;
    ino_t ino;
    off_t size;   /* on disk */
    int64_t mtime;
    unsigned rank; /* order within its log: 0 = the live log, n = rotated n times */
    size_t group;  /* files of one log (a live log and its rotations) share a group */
};

struct iam_trail_files {
    struct iam_trail_file *v;
    size_t n;
    size_t n_groups;
};

/* A log and its rotations: `path` itself (may be missing) and the files beside it named
 * path.N, path.N.gz, path-SUFFIX, path-SUFFIX.gz (logrotate's numbered and dateext
 * schemes). Added as one group. */
int iam_trail_files_add_log(struct iam_trail_files *files, const char *path,
                            struct iam_error *reterr) IAM_WUR;
/* --audit-log PATH: a file is one log of its own (its rotations are not added: name them);
 * a directory adds every regular file below it whose name contains ".jsonl" (digest files
 * are .json, never .jsonl), grouped by log name. -ENOENT when PATH does not exist. */
int iam_trail_files_add_path(struct iam_trail_files *files, const char *path,
                             struct iam_error *reterr) IAM_WUR;
/* Sort oldest first: by group, then rotation rank descending (path.3.gz, path.2, path.1,
 * path), then modification time. */
void iam_trail_files_sort(struct iam_trail_files *files);
void iam_trail_files_free(struct iam_trail_files *files); /* NULL-safe; leaves it empty */

/* ---- reading ---------------------------------------------------------------------------- */

struct iam_trail_reader;

/* Open one file (plain or gzip). The file must be a regular file, not a symlink, and may be
 * read by anyone who can open it (collected trails belong to whoever collected them). */
int iam_trail_open(const struct iam_trail_file *file, struct iam_trail_reader **ret,
                   struct iam_error *reterr) IAM_WUR;
/* The same for a plain file read from its end: each block is still whole lines in file order,
 * but the blocks come last one first (newest records first). Line numbers are not counted
 * (*ret_lineno is 0). -ENOTSUP for a gzip file, which can only be read forward. */
int iam_trail_open_reverse(const struct iam_trail_file *file, struct iam_trail_reader **ret,
                           struct iam_error *reterr) IAM_WUR;
/* The next block of whole lines: *ret_buf holds *ret_len bytes, every line ending in '\n'
 * except possibly the file's very last one (a record still being written, or a truncated
 * file: *ret_partial_tail is then true and the block's last line has no '\n').
 * *ret_offset is the offset of the block's first byte in the (decompressed) stream and
 * *ret_lineno the 1-based number of its first line. The buffer stays valid until the next
 * call. Lines over IAM_TRAIL_MAX_LINE are dropped and counted (iam_trail_reader_overlong).
 * Returns 1 with a block, 0 at the end, -errno on a read or decompression error (reterr). */
int iam_trail_read_block(struct iam_trail_reader *r, const char **ret_buf, size_t *ret_len,
                         uint64_t *ret_offset, uint64_t *ret_lineno, bool *ret_partial_tail,
                         struct iam_error *reterr) IAM_WUR;
uint64_t iam_trail_reader_overlong(const struct iam_trail_reader *r);
/* Bytes of the file on disk consumed so far (compressed bytes for gzip), for progress. */
uint64_t iam_trail_reader_consumed(const struct iam_trail_reader *r);
/* Read len bytes at offset of the (decompressed) stream into buf (for a gzip file this
 * decompresses up to there: read in ascending offsets). -EIO when the file no longer holds
 * them. A reader serves either iam_trail_read_block or this, not both. */
int iam_trail_pread(struct iam_trail_reader *r, uint64_t offset, char *buf, size_t len,
                    struct iam_error *reterr) IAM_WUR;
void iam_trail_close(struct iam_trail_reader *r); /* NULL-safe */

/* ---- one record ------------------------------------------------------------------------- */

/* A field of a record line: the raw bytes between the quotes of a JSON string (escaped is
 * true when they hold a backslash escape and must be decoded before comparing), or the raw
 * bytes of another value (number, true, false, null; is_string false). p == NULL: absent. */
struct iam_trail_span {
    const char *p;
    size_t n;
    bool is_string;
    bool escaped;
};

enum iam_trail_field {
    IAM_TF_EVENT_TIME,
    IAM_TF_EVENT_ID,
    IAM_TF_EVENT_NAME,
    IAM_TF_EVENT_SOURCE,
    IAM_TF_READ_ONLY,
    IAM_TF_SOURCE_IP,
    IAM_TF_USER_AGENT,
    IAM_TF_ERROR_CODE,
    IAM_TF_RECIPIENT_ACCOUNT,
    IAM_TF_USER_TYPE,       /* userIdentity.type */
    IAM_TF_USER_NAME,       /* userIdentity.userName */
    IAM_TF_USER_ARN,        /* userIdentity.arn */
    IAM_TF_PRINCIPAL_ID,    /* userIdentity.principalId */
    IAM_TF_ACCESS_KEY_ID,   /* userIdentity.accessKeyId */
    IAM_TF_ISSUER_ARN,      /* userIdentity.sessionContext.sessionIssuer.arn */
    IAM_TF_HOST_ARN,        /* requestParameters.hostArn */
    IAM_TF_ACTION,          /* requestParameters.action */
    IAM_TF_ROLE_ARN,        /* requestParameters.roleArn */
    IAM_TF_AUTH_METHOD,     /* additionalEventData.authMethod */
    IAM_TF_DECISION,        /* additionalEventData.decision */
    IAM_TF_ENFORCED,        /* additionalEventData.enforced */
    IAM_TF__MAX,
};

struct iam_trail_fields {
    struct iam_trail_span f[IAM_TF__MAX];
};

/* Find the fields of one record line without building a tree: a single pass that skips
 * every value it is not asked about. Returns 0, or -EBADMSG when the line is not one
 * well-formed JSON object (a truncated or damaged record). Duplicate keys: the last wins,
 * as in jansson. */
int iam_trail_scan(const char *line, size_t len, struct iam_trail_fields *ret) IAM_WUR;

/* Copy a field's value as a C string: decoded when escaped (through jansson), "" when
 * absent. -E2BIG when it does not fit, -EBADMSG when it does not decode, -EINVAL when the
 * field is not a string. */
int iam_trail_span_str(const struct iam_trail_span *s, char *buf, size_t size) IAM_WUR;
/* Does the field equal the C string value exactly (decoding escapes when needed)? */
bool iam_trail_span_eq(const struct iam_trail_span *s, const char *value);

/* "YYYY-MM-DDTHH:MM:SSZ" (or any ISO 8601 form iam_db_parse_time takes) to epoch seconds.
 * -EINVAL when it is not a time. */
int iam_trail_parse_time(const struct iam_trail_span *s, int64_t *ret) IAM_WUR;

/* BLAKE2b-128 of a record line (without its '\n'). */
void iam_trail_record_hash(const char *line, size_t len, uint8_t out[IAM_TRAIL_HASH_BYTES]);

/* ---- lookup (CloudTrail's LookupEvents over the files) ----------------------------------- */

enum iam_lookup_attr {
    IAM_LOOKUP_ANY,           /* no attribute: every event (time range only) */
    IAM_LOOKUP_EVENT_NAME,    /* eventName */
    IAM_LOOKUP_USERNAME,      /* userIdentity.userName */
    IAM_LOOKUP_RESOURCE_NAME, /* a resource's ARN (requestParameters.hostArn or roleArn), or
                               * the resource id at its end (i-0123...) */
    IAM_LOOKUP_ACCESS_KEY_ID, /* userIdentity.accessKeyId */
    IAM_LOOKUP_EVENT_ID,      /* eventID */
    IAM_LOOKUP_EVENT_SOURCE,  /* eventSource */
    IAM_LOOKUP_READ_ONLY,     /* "true" or "false": readOnly, false when the record has none */
};

/* Name as the API spells it ("EventName"...) to the enum; -EINVAL when unknown. */
int iam_lookup_attr_from_name(const char *name, enum iam_lookup_attr *ret) IAM_WUR;

/* Newest first means by (eventTime, eventID), both descending. */
struct iam_lookup_key {
    int64_t time;
    char event_id[64];
};

struct iam_lookup_query {
    enum iam_lookup_attr attr;
    const char *value;       /* the attribute's value (not used for IAM_LOOKUP_ANY) */
    bool has_start, has_end; /* inclusive bounds, as LookupEvents' StartTime and EndTime */
    int64_t start, end;
    size_t max_results;      /* >= 1 */
    bool has_after;          /* continue after this key (the NextToken) */
    struct iam_lookup_key after;
    /* Called now and then with bytes read so far and the total (files' sizes on disk; for
     * gzip files the compressed size is counted as it is consumed). May be NULL. */
    void (*progress)(uint64_t done, uint64_t total, void *userdata);
    void *userdata;
};

struct iam_lookup_hit {
    struct iam_lookup_key key;
    size_t file;     /* index in the files */
    uint64_t offset; /* of the line in its (decompressed) file */
    uint32_t len;
    char *line;      /* the record line, NUL-terminated, without '\n' */
};

struct iam_lookup_result {
    struct iam_lookup_hit *hits; /* newest first */
    size_t n;
    bool more;           /* more events match after the last hit (NextToken) */
    uint64_t lines;      /* lines read */
    uint64_t malformed;  /* lines that are not a record (not JSON, no eventTime, too long) */
};

/* Read every file once; keep the max_results newest matching records. */
int iam_trail_lookup(const struct iam_trail_files *files, const struct iam_lookup_query *q,
                     struct iam_lookup_result *ret, struct iam_error *reterr) IAM_WUR;
void iam_lookup_result_free(struct iam_lookup_result *res); /* NULL-safe */
