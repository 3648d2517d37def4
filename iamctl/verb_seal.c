/* SPDX-License-Identifier: Apache-2.0 */
/* seal-logs and validate-logs: tamper evidence for the trail (iam/seal.h, docs/trail.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "iam/seal.h"
#include "trail_common.h"

#define SEAL_LOCK_TIMEOUT_MS 30000

int verb_seal_logs(int argc, char *argv[]) {
    struct opt opts[] = {{"new-chain", OPT_FLAG}, {NULL}};
    struct iam_config *config = NULL;
    struct iam_seal_config sc;
    struct iam_seal_report rep;
    struct iam_error e;
    unsigned flags = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if (opt_get(opts, "new-chain")->set)
        flags |= IAM_SEAL_NEW_CHAIN;
    if ((r = trail_load_config(&config)))
        goto out;
    if (strcmp(config->audit_log, "none") == 0) {
        r = iamctl_fail("%s: audit_log = none: there is no trail to seal", arg_config);
        goto out;
    }
    sc = (struct iam_seal_config){.audit_log = config->audit_log,
                                  .digest_dir = config->trail_digest_dir,
                                  .state_dir = config->trail_state_dir,
                                  .host_arn = config->host_arn,
                                  .account_id = config->account_id};
    iam_error_init(&e);
    r = iam_seal_run(&sc, trail_now(), flags, SEAL_LOCK_TIMEOUT_MS, &rep, &e);
    if (r == -EAGAIN) {
        r = iamctl_fail("another seal-logs has held the lock for %d s (%s/seal.lock); try again",
                        SEAL_LOCK_TIMEOUT_MS / 1000, config->trail_state_dir);
        goto out;
    }
    if (r < 0) {
        r = r == -ENOMEM ? iamctl_fail("out of memory") : iamctl_fail_error(&e);
        goto out;
    }
    if (rep.initialized)
        fprintf(stderr,
                "iamctl: a new sealing chain starts. Keep its public key off this host (it "
                "proves the trail later):\n"
                "iamctl:   %s   (fingerprint %s)\n"
                "iamctl: validate-logs --public-key %s checks the trail against it; "
                "trail_public_key in iam.conf pins it.\n",
                rep.anchor, rep.fingerprint, rep.anchor);
    if (rep.archived[0])
        fprintf(stderr, "iamctl: the old chain's digests are kept in %s\n", rep.archived);
    if (rep.recovered)
        fprintf(stderr, "iamctl: warning: %s\n", rep.warning);
    r = print_json(json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:b}", "RecordsSealed",
                             (json_int_t)rep.sealed, "DigestsWritten", (json_int_t)rep.digests,
                             "TotalRecordsSealed", (json_int_t)rep.total, "NextDigestSequence",
                             (json_int_t)rep.next_sequence, "PublicKey", rep.anchor,
                             "PublicKeyFingerprint", rep.fingerprint, "NewChain",
                             rep.initialized));
    if (r == IAMCTL_EXIT_OK && rep.recovered)
        r = IAMCTL_EXIT_FAIL; /* sealed, but the trail lost sealed records: say so */
out:
    iam_config_free(config);
    opts_free(opts);
    return r;
}

/* ---- validate-logs ------------------------------------------------------------------------ */

static const char *anchor_words(const char *source) {
    if (!source)
        return "none";
    if (strcmp(source, "given") == 0)
        return "the key you gave";
    if (strcmp(source, "config") == 0)
        return "trail_public_key in iam.conf";
    if (strcmp(source, "state") == 0)
        return "this host's sealing state: compare the fingerprint with the one you kept";
    return "the first digest itself: compare the fingerprint with the one you kept";
}

static json_t *issue_json(const struct iam_validate_issue *is) {
    json_t *o = json_pack("{s:s,s:s,s:s}", "Problem", iam_validate_kind_name(is->kind), "Where",
                          is->where, "Detail", is->detail);

    if (!o)
        return NULL;
    if (is->record != UINT64_MAX)
        json_object_set_new(o, "Record", json_integer((json_int_t)is->record));
    if (is->count)
        json_object_set_new(o, "Count", json_integer((json_int_t)is->count));
    if (is->digest != UINT64_MAX)
        json_object_set_new(o, "Digest", json_integer((json_int_t)is->digest));
    if (is->event_id[0])
        json_object_set_new(o, "EventId", json_string(is->event_id));
    if (is->event_time) {
        char t[32];

        trail_format_time_z(is->event_time, t);
        json_object_set_new(o, "EventTime", json_string(t));
    }
    return o;
}

static void print_issue(const struct iam_validate_issue *is) {
    const char *what;
    char t[32];

    switch (is->kind) {
    case IAM_VK_DIGEST_INVALID:
    case IAM_VK_DIGEST_MISSING:
    case IAM_VK_DIGESTS_TRUNCATED:
        what = "Digest";
        break;
    case IAM_VK_NO_DIGESTS:
        what = "Log";
        break;
    default:
        what = "Record";
        break;
    }
    printf("%s %s INVALID: %s", what, is->where, iam_validate_kind_name(is->kind));
    if (is->detail[0])
        printf(" (%s)", is->detail);
    if (is->event_id[0] || is->event_time) {
        trail_format_time_z(is->event_time, t);
        printf(" [eventID %s, %s]", is->event_id[0] ? is->event_id : "?",
               is->event_time ? t : "no time");
    }
    printf("\n");
}

static int print_report_json(const struct iam_validate_report *rep, const char *anchor_source,
                             bool bad) {
    json_t *root = json_object(), *logs = json_array();
    int r;

    for (size_t l = 0; l < rep->n_logs; l++) {
        const struct iam_validate_log *lg = &rep->logs[l];
        json_t *jl = json_object(), *iss = json_array();
        char t1[32], t2[32];

        json_object_set_new(jl, "Log", json_string(lg->log));
        json_object_set_new(jl, "DigestDirectory", json_string(lg->digest_dir));
        json_object_set_new(jl, "HostArn", json_string(lg->host_arn));
        json_object_set_new(jl, "PublicKeyFingerprint", json_string(lg->fingerprint));
        json_object_set_new(jl, "PublicKeySource",
                            json_string(anchor_source     ? anchor_source
                                        : lg->anchor_source ? lg->anchor_source
                                                            : "none"));
        json_object_set_new(jl, "Digests", json_integer((json_int_t)lg->digests));
        json_object_set_new(jl, "DigestsValid", json_integer((json_int_t)lg->digests_valid));
        json_object_set_new(jl, "Records", json_integer((json_int_t)lg->records));
        json_object_set_new(jl, "RecordsValid", json_integer((json_int_t)lg->records_valid));
        json_object_set_new(jl, "RecordsNotYetSealed", json_integer((json_int_t)lg->unsealed));
        if (lg->first_time) {
            trail_format_time_z(lg->first_time, t1);
            trail_format_time_z(lg->last_time, t2);
            json_object_set_new(jl, "ResultsFoundFrom", json_string(t1));
            json_object_set_new(jl, "ResultsFoundTo", json_string(t2));
        }
        for (size_t i = 0; i < rep->n_issues; i++)
            if (rep->issue_log[i] == l)
                json_array_append_new(iss, issue_json(&rep->issues[i]));
        json_object_set_new(jl, "Invalid", iss);
        json_array_append_new(logs, jl);
    }
    json_object_set_new(root, "Valid", json_boolean(!bad));
    json_object_set_new(root, "Logs", logs);
    r = print_json(root);
    return r == IAMCTL_EXIT_OK && bad ? IAMCTL_EXIT_FAIL : r;
}

static bool names_a_line(enum iam_validate_kind k) {
    return k == IAM_VK_RECORD_EDITED || k == IAM_VK_RECORD_DELETED ||
           k == IAM_VK_RECORD_INSERTED || k == IAM_VK_RECORD_REORDERED ||
           k == IAM_VK_RECORD_DUPLICATED || k == IAM_VK_RECORDS_TRUNCATED;
}

/* One log, in the manner of aws cloudtrail validate-logs. */
static void print_log_text(const struct iam_validate_report *rep, size_t l,
                           const struct iam_validate_opts *vo, const char *anchor_source,
                           bool verbose) {
    const struct iam_validate_log *lg = &rep->logs[l];
    uint64_t dinv = lg->digests - lg->digests_valid, rinv = lg->records - lg->records_valid;
    const struct iam_validate_issue *first = NULL;
    char t1[32], t2[32];
    bool any = false;

    printf("Validating the trail %s%s%s", lg->log, lg->host_arn[0] ? " of " : "", lg->host_arn);
    if (vo->has_start || vo->has_end) {
        trail_format_time_z(vo->has_start ? vo->start : 0, t1);
        trail_format_time_z(vo->has_end ? vo->end : trail_now(), t2);
        printf(" between %s and %s", t1, t2);
    }
    printf("\n");
    if (lg->fingerprint[0])
        printf("Public key fingerprint %s, from %s\n", lg->fingerprint,
               anchor_words(anchor_source ? anchor_source : lg->anchor_source));
    if (lg->first_time) {
        trail_format_time_z(lg->first_time, t1);
        trail_format_time_z(lg->last_time, t2);
        printf("Results found for %s to %s:\n", t1, t2);
    }
    printf("\n%llu/%llu digests valid", (unsigned long long)lg->digests_valid,
           (unsigned long long)lg->digests);
    if (dinv)
        printf(", %llu/%llu digests INVALID", (unsigned long long)dinv,
               (unsigned long long)lg->digests);
    printf("\n%llu/%llu records valid", (unsigned long long)lg->records_valid,
           (unsigned long long)lg->records);
    if (rinv)
        printf(", %llu/%llu records INVALID", (unsigned long long)rinv,
               (unsigned long long)lg->records);
    printf("\n");
    if (lg->unsealed) {
        trail_format_time_z(lg->newest_digest_time, t1);
        printf("%llu records written after the newest digest%s%s%s are not sealed yet\n",
               (unsigned long long)lg->unsealed, lg->newest_digest_time ? " (" : "",
               lg->newest_digest_time ? t1 : "", lg->newest_digest_time ? ")" : "");
    }
    for (size_t i = 0; i < rep->n_issues && !first; i++)
        if (rep->issue_log[i] == l && names_a_line(rep->issues[i].kind))
            first = &rep->issues[i];
    if (first) {
        char num[32] = "not sealed";

        if (first->record != UINT64_MAX)
            snprintf(num, sizeof(num), "#%llu", (unsigned long long)first->record);
        printf("\nFirst invalid record: %s, %s: %s", num, first->where,
               iam_validate_kind_name(first->kind));
        if (first->event_id[0])
            printf(" (eventID %s)", first->event_id);
        printf("\n");
    }
    for (size_t i = 0; i < rep->n_issues; i++) {
        if (rep->issue_log[i] != l)
            continue;
        if (!any)
            printf("\n");
        any = true;
        print_issue(&rep->issues[i]);
    }
    if (verbose && lg->digests_valid)
        printf("\n%s: %llu digests chained to the public key\n", lg->digest_dir,
               (unsigned long long)lg->digests_valid);
}

/* The key validate-logs trusts: --public-key, else trail_public_key. Exit code. */
static int given_anchor(const char *arg, const struct iam_config *config, uint8_t *anchor,
                        const uint8_t **ret, const char **ret_source) {
    if (arg) {
        if (iam_seal_parse_public_key(arg, anchor) < 0)
            return iamctl_usage("validate-logs: --public-key is the chain's public key as "
                                "seal-logs printed it (base64, 44 characters, or 64 hex "
                                "digits)");
        *ret = anchor;
        *ret_source = "given";
    } else if (config && config->trail_public_key) {
        if (iam_seal_parse_public_key(config->trail_public_key, anchor) < 0)
            return iamctl_fail("%s: trail_public_key is not a public key", arg_config);
        *ret = anchor;
        *ret_source = "config";
    }
    return 0;
}

int verb_validate_logs(int argc, char *argv[]) {
    struct opt opts[] = {{"start-time", OPT_VALUE}, {"end-time", OPT_VALUE},
                         {"audit-log", OPT_LIST},   {"public-key", OPT_VALUE},
                         {"verbose", OPT_FLAG},     {"output", OPT_VALUE},
                         {NULL}};
    struct iam_config *config = NULL;
    struct iam_trail_files files = {0};
    struct iam_validate_opts vo = {0};
    struct iam_validate_report rep = {0};
    struct trail_progress prog;
    uint8_t anchor[IAM_SEAL_PUBLIC_KEY_BYTES];
    const char *anchor_source = NULL, *out_fmt;
    struct iam_error e;
    bool collected;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    out_fmt = opt_get(opts, "output")->value ? opt_get(opts, "output")->value : "text";
    if (strcmp(out_fmt, "json") != 0 && strcmp(out_fmt, "text") != 0) {
        r = iamctl_usage("validate-logs: --output is text or json");
        goto out;
    }
    if ((opt_get(opts, "start-time")->value &&
         (r = trail_time_arg("start-time", opt_get(opts, "start-time")->value, &vo.start))) ||
        (opt_get(opts, "end-time")->value &&
         (r = trail_time_arg("end-time", opt_get(opts, "end-time")->value, &vo.end))))
        goto out;
    vo.has_start = opt_get(opts, "start-time")->value != NULL;
    vo.has_end = opt_get(opts, "end-time")->value != NULL;
    if (vo.has_start && vo.has_end && vo.start > vo.end) {
        r = iamctl_usage("validate-logs: --start-time is after --end-time");
        goto out;
    }
    collected = opt_get(opts, "audit-log")->n_list > 0;
    if (collected) {
        struct iam_error ce;

        iam_error_init(&ce);
        if (iam_config_load(arg_config, &config, &ce) < 0)
            config = NULL; /* collected trails need no iam.conf */
    } else if ((r = trail_load_config(&config))) {
        goto out;
    }
    if ((r = given_anchor(opt_get(opts, "public-key")->value, config, anchor, &vo.anchor,
                          &anchor_source)) ||
        (r = trail_files(opt_get(opts, "audit-log"), &config, &files)))
        goto out;
    if (!collected) {
        vo.host_log = config->audit_log;
        vo.host_digest_dir = config->trail_digest_dir;
        vo.state_dir = config->trail_state_dir;
    }
    vo.files = &files;
    trail_progress_init(&prog, "validating the trail");
    vo.progress = trail_progress_cb;
    vo.userdata = &prog;
    iam_error_init(&e);
    r = iam_validate_trail(&vo, &rep, &e);
    trail_progress_done(&prog);
    if (r < 0) {
        r = r == -ENOMEM ? iamctl_fail("out of memory") : iamctl_fail_error(&e);
        goto out;
    }
    /* every issue is a failure; lines not sealed yet are not issues */
    if (strcmp(out_fmt, "json") == 0) {
        r = print_report_json(&rep, anchor_source, rep.n_issues > 0);
        goto out;
    }
    for (size_t l = 0; l < rep.n_logs; l++) {
        if (l > 0)
            printf("\n");
        print_log_text(&rep, l, &vo, anchor_source, opt_get(opts, "verbose")->set);
    }
    if (fflush(stdout) != 0)
        r = iamctl_fail("cannot write the output");
    else
        r = rep.n_issues > 0 ? IAMCTL_EXIT_FAIL : IAMCTL_EXIT_OK;
out:
    iam_validate_report_free(&rep);
    iam_trail_files_free(&files);
    iam_config_free(config);
    opts_free(opts);
    return r;
}
