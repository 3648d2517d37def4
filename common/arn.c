/* SPDX-License-Identifier: Apache-2.0 */
/* ARNs: arn:partition:service:region:account-id:resource (IAM User Guide, "IAM ARNs"). */
#include <errno.h>
#include <string.h>

#include "iam/arn.h"

int iam_arn_parse(const char *s, struct iam_arn *ret_arn) {
    struct iam_strview seg[6];
    const char *p;

    if (!s || !ret_arn || strncmp(s, "arn:", 4) != 0)
        return -EINVAL;
    p = s;
    for (unsigned i = 0; i < 5; i++) {
        const char *colon = strchr(p, ':');

        if (!colon)
            return -EINVAL;
        seg[i].p = p;
        seg[i].len = (size_t)(colon - p);
        p = colon + 1;
    }
    seg[5].p = p;
    seg[5].len = strlen(p);
    /* seg[0] is "arn". */
    if (seg[1].len == 0 || seg[2].len == 0 || seg[5].len == 0)
        return -EINVAL;
    ret_arn->partition = seg[1];
    ret_arn->service = seg[2];
    ret_arn->region = seg[3];
    ret_arn->account = seg[4];
    ret_arn->resource = seg[5];
    return 0;
}

bool iam_account_id_valid(const char *s) {
    if (!s || strlen(s) != 12)
        return false;
    for (unsigned i = 0; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}
