/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "iam/error.h"

void iam_error_init(struct iam_error *e) {
    if (e)
        memset(e, 0, sizeof(*e));
}

void iam_error_setv(struct iam_error *e, unsigned line, unsigned column, size_t offset,
                    const char *fmt, va_list ap) {
    if (!e || e->set)
        return;
    e->line = line;
    e->column = column;
    e->offset = offset;
    vsnprintf(e->text, sizeof(e->text), fmt, ap);
    e->set = 1;
}

void iam_error_set(struct iam_error *e, unsigned line, unsigned column, size_t offset,
                   const char *fmt, ...) {
    va_list ap;

    va_start(ap, fmt);
    iam_error_setv(e, line, column, offset, fmt, ap);
    va_end(ap);
}

void iam_error_set_source(struct iam_error *e, const char *source) {
    if (!e || !source || e->source[0])
        return;
    snprintf(e->source, sizeof(e->source), "%s", source);
}

const char *iam_error_format(const struct iam_error *e, char *buf, size_t size) {
    if (!buf || size == 0)
        return "";
    if (!e || !e->set) {
        snprintf(buf, size, "unknown error");
        return buf;
    }
    if (e->source[0] && e->line > 0)
        snprintf(buf, size, "%s:%u:%u: %s", e->source, e->line, e->column, e->text);
    else if (e->source[0])
        snprintf(buf, size, "%s: %s", e->source, e->text);
    else if (e->line > 0)
        snprintf(buf, size, "%u:%u: %s", e->line, e->column, e->text);
    else
        snprintf(buf, size, "%s", e->text);
    return buf;
}
