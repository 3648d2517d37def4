/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* ARNs: arn:partition:service:region:account-id:resource, where resource may itself hold
 * ':' and '/'. Parsing returns views into the caller's string. */

#include <stdbool.h>
#include <stddef.h>

#include "iam/macros.h"

struct iam_strview {
    const char *p;
    size_t len;
};

struct iam_arn {
    struct iam_strview partition, service, region, account, resource;
};

/* -EINVAL when s is not arn:<p>:<s>:<r>:<a>:<resource> with non-empty partition, service
 * and resource. */
int iam_arn_parse(const char *s, struct iam_arn *ret_arn) IAM_WUR;

/* A 12-digit AWS account id? */
bool iam_account_id_valid(const char *s);
