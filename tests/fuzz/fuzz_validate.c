/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for iam_policy_validate(): any input, identity or resource policy (first
 * byte), must validate without failing, produce findings with sane locations that render to
 * JSON, and carry an ERROR whenever the engine refuses the document.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iam/policy.h"
#include "iam/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    enum iam_policy_type type = size > 0 && (data[0] & 1) ? IAM_POLICY_RESOURCE
                                                           : IAM_POLICY_IDENTITY;
    struct iam_findings *f = NULL;
    struct iam_policy *p = NULL;
    struct iam_error err;
    char *json = NULL;
    int engine;

    iam_error_init(&err);
    engine = iam_policy_compile((const char *)data, size, type, &p, &err);
    iam_policy_free(p);
    iam_error_init(&err);
    if (iam_policy_validate((const char *)data, size, type, &f, &err) < 0)
        abort(); /* only -ENOMEM is allowed, and libFuzzer's malloc does not fail */
    if (engine < 0 && !iam_findings_has_error(f))
        abort();
    for (size_t i = 0; i < iam_findings_count(f); i++) {
        const struct iam_finding *x = iam_findings_get(f, i);

        if (x->n_locations != 1 || x->locations[0].end.offset < x->locations[0].start.offset ||
            x->locations[0].end.offset > size || !x->details[0])
            abort();
    }
    if (iam_findings_to_json(f, 0, &json) < 0 || strncmp(json, "{\"findings\":[", 13) != 0)
        abort();
    free(json);
    iam_findings_free(f);
    return 0;
}
