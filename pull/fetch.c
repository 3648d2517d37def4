/* SPDX-License-Identifier: Apache-2.0 */
/* One GET with libcurl, bounded in size and time, its scheme pinned. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "pull_private.h"

struct sink {
    char *data;
    size_t len, cap;
    uint64_t max;
    bool too_large;
    char etag[256];
};

static size_t on_data(char *p, size_t size, size_t n, void *user) {
    struct sink *s = user;
    size_t add = size * n;

    if (add > s->max || s->len > s->max - add) {
        s->too_large = true;
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    if (s->len + add + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        char *nd;
        while (cap < s->len + add + 1)
            cap *= 2;
        if (cap > s->max + 1)
            cap = (size_t)s->max + 1;
        if (!(nd = realloc(s->data, cap)))
            return 0;
        s->data = nd;
        s->cap = cap;
    }
    memcpy(s->data + s->len, p, add);
    s->len += add;
    s->data[s->len] = '\0';
    return add;
}

/* The ETag response header, kept as sent (printable ASCII, without the line end). */
static size_t on_header(char *p, size_t size, size_t n, void *user) {
    struct sink *s = user;
    size_t len = size * n, i, end;

    if (len > 5 && strncasecmp(p, "etag:", 5) == 0) {
        for (i = 5; i < len && (p[i] == ' ' || p[i] == '\t'); i++)
            ;
        for (end = len; end > i && (p[end - 1] == '\r' || p[end - 1] == '\n' || p[end - 1] == ' ');
             end--)
            ;
        s->etag[0] = '\0';
        if (end - i < sizeof(s->etag)) {
            bool ok = true;
            for (size_t k = i; k < end; k++)
                if ((unsigned char)p[k] < 0x21 || (unsigned char)p[k] >= 0x7f)
                    ok = false;
            if (ok) {
                memcpy(s->etag, p + i, end - i);
                s->etag[end - i] = '\0';
            }
        }
    }
    return len;
}

const char *pull_refusal_code(enum pull_refusal r) {
    static const char *const codes[] = {
        [PULL_OK] = "Success",
        [PULL_UNREACHABLE] = "OriginUnreachable",
        [PULL_TIMEOUT] = "OriginTimeout",
        [PULL_TLS] = "CertificateInvalid",
        [PULL_REDIRECT] = "RedirectRefused",
        [PULL_HTTP] = "OriginError",
        [PULL_MISSING] = "FileMissing",
        [PULL_TOO_LARGE] = "ResponseTooLarge",
        [PULL_SIGNATURE] = "SignatureInvalid",
        [PULL_MALFORMED] = "ManifestInvalid",
        [PULL_ACCOUNT] = "AccountMismatch",
        [PULL_ROLLBACK] = "Rollback",
        [PULL_EXPIRED] = "BundleExpired",
        [PULL_FLEET_KEY] = "FleetKeyMismatch",
        [PULL_HASH] = "FileAltered",
        [PULL_DAMAGED] = "BundleDamaged",
        [PULL_HOST_CHECK] = "HostConflict",
        [PULL_LOCAL] = "LocalError",
    };
    return (size_t)r < sizeof(codes) / sizeof(codes[0]) && codes[r] ? codes[r] : "Unknown";
}

int fetch_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

void fetch_global_cleanup(void) {
    curl_global_cleanup();
}

void fetch_result_free(struct fetch_result *r) {
    if (!r)
        return;
    free(r->data);
    r->data = NULL;
    r->len = 0;
}

static enum pull_refusal classify(CURLcode cc, CURL *c, const char *url, const struct sink *s,
                                  const struct fetch_opts *o, const char *errbuf,
                                  struct iam_error *e) {
    char *redirect = NULL;

    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        iam_error_set(e, 0, 0, 0,
                      "%s: the server did not answer, or stalled, for %u s "
                      "(bundle_timeout)",
                      url, o->timeout);
        return PULL_TIMEOUT;
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:
        if (cc == CURLE_FILESIZE_EXCEEDED || s->too_large) {
            iam_error_set(e, 0, 0, 0,
                          "%s: the response is larger than %llu bytes "
                          "(bundle_max_size, or the manifest's Size)",
                          url, (unsigned long long)o->max_size);
            return PULL_TOO_LARGE;
        }
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        /* after a redirect curl reports the URL it was sent to as the effective one */
        if ((curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &redirect) == CURLE_OK && redirect &&
             strcmp(redirect, url) != 0) ||
            (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect)) {
            iam_error_set(e, 0, 0, 0, "%s: redirected to %.200s, another scheme: refused", url,
                          redirect);
            return PULL_REDIRECT;
        }
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        iam_error_set(e, 0, 0, 0, "%s: the server's certificate does not verify (%s)%s", url,
                      errbuf[0] ? errbuf : curl_easy_strerror(cc),
                      o->ca_file ? " against bundle_ca_file" : "");
        return PULL_TLS;
    case CURLE_FILE_COULDNT_READ_FILE:
        iam_error_set(e, 0, 0, 0, "%s: no such file", url);
        return PULL_MISSING;
    case CURLE_TOO_MANY_REDIRECTS:
        iam_error_set(e, 0, 0, 0, "%s: too many redirects", url);
        return PULL_HTTP;
    default:
        break;
    }
    iam_error_set(e, 0, 0, 0, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
    return PULL_UNREACHABLE;
}

enum pull_refusal fetch_url(const char *url, const struct fetch_opts *o, struct fetch_result *ret,
                            struct iam_error *reterr) {
    struct sink s = {.max = o->max_size};
    char errbuf[CURL_ERROR_SIZE] = "";
    const char *scheme = strncmp(url, "file://", 7) == 0 ? "file" : "https";
    struct curl_slist *hdr = NULL;
    char *inm = NULL;
    enum pull_refusal res = PULL_LOCAL;
    CURLcode cc;
    long status = 0;
    CURL *c = curl_easy_init();

    memset(ret, 0, sizeof(*ret));
    if (!c) {
        iam_error_set(reterr, 0, 0, 0, "libcurl failed to start");
        return PULL_LOCAL;
    }
    if (o->etag && o->etag[0]) {
        if (asprintf(&inm, "If-None-Match: %s", o->etag) < 0 ||
            !(hdr = curl_slist_append(NULL, inm))) {
            iam_error_set(reterr, 0, 0, 0, "out of memory");
            goto out;
        }
    }
    /* the URL's own scheme only, redirects included: no https:// to http:// or file:// */
    if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, scheme) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, scheme) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)o->timeout) != CURLE_OK ||
        /* a stall: less than one byte a second for bundle_timeout seconds */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)o->timeout) != CURLE_OK ||
        /* and a trickle cannot hold a pull for ever */
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout * 20) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_size) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
        (o->ca_file && curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file) != CURLE_OK) ||
        curl_easy_setopt(c, CURLOPT_USERAGENT, "iam-pull/" IAM_VERSION) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &s) != CURLE_OK ||
        (hdr && curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr) != CURLE_OK)) {
        iam_error_set(reterr, 0, 0, 0, "libcurl refused an option (is it older than 7.85?)");
        goto out;
    }
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        res = classify(cc, c, url, &s, o, errbuf, reterr);
        goto out;
    }
    if (strcmp(scheme, "file") == 0)
        status = 200;
    else if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
        status = 0;
    if (status == 404 || status == 410) {
        iam_error_set(reterr, 0, 0, 0, "%s: not found (HTTP %ld)", url, status);
        res = PULL_MISSING;
        goto out;
    }
    if (status != 200 && !(status == 304 && hdr)) {
        iam_error_set(reterr, 0, 0, 0, "%s: HTTP status %ld", url, status);
        res = PULL_HTTP;
        goto out;
    }
    ret->status = status;
    ret->len = s.len;
    memcpy(ret->etag, s.etag, sizeof(ret->etag));
    if (status == 200) {
        ret->data = s.data ? s.data : calloc(1, 1);
        s.data = NULL;
        if (!ret->data) {
            iam_error_set(reterr, 0, 0, 0, "out of memory");
            goto out;
        }
    }
    res = PULL_OK;
out:
    curl_slist_free_all(hdr);
    free(inm);
    free(s.data);
    curl_easy_cleanup(c);
    return res;
}
