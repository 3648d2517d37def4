/* SPDX-License-Identifier: Apache-2.0 */
/* QR code PNGs through libqrencode and libpng, loaded on demand (qr.h). The headers give
 * the types and signatures; nothing links against the libraries. */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>
#include <sodium.h>

#include "iamctl.h"
#include "qr.h"

#define QR_LIB "libqrencode.so.4"
#define PNG_LIB "libpng16.so.16"
#define MODULE_PX 8 /* pixels per module */
#define QUIET 4     /* modules of white border, as the standard asks */

struct api {
    __typeof__(&QRcode_encodeString) encode;
    __typeof__(&QRcode_free) qr_free;
    __typeof__(&png_create_write_struct) create_write;
    __typeof__(&png_create_info_struct) create_info;
    __typeof__(&png_set_write_fn) set_write_fn;
    __typeof__(&png_set_IHDR) set_ihdr;
    __typeof__(&png_write_info) write_info;
    __typeof__(&png_write_row) write_row;
    __typeof__(&png_write_end) write_end;
    __typeof__(&png_destroy_write_struct) destroy_write;
};

struct membuf {
    unsigned char *p;
    size_t len, cap;
    int err;
};

/* iamctl is single-threaded: libpng's error jump and the image being written */
static jmp_buf png_jmp;
static struct membuf *qr_current;

static void on_png_error(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
    longjmp(png_jmp, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static void on_write(png_structp png, png_bytep data, size_t len) {
    struct membuf *b = qr_current;

    (void)png;
    if (b->err)
        return;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        unsigned char *n;

        while (cap < b->len + len)
            cap *= 2;
        n = malloc(cap);
        if (!n) {
            b->err = -ENOMEM;
            return;
        }
        if (b->p) {
            memcpy(n, b->p, b->len);
            sodium_memzero(b->p, b->cap);
            free(b->p);
        }
        b->p = n;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
}

static void on_flush(png_structp png) {
    (void)png;
}

static int load(struct api *a, void **hq, void **hp) {
    *hq = dlopen(QR_LIB, RTLD_NOW | RTLD_LOCAL);
    *hp = dlopen(PNG_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!*hq || !*hp) {
        iamctl_fail("QRCodePNG needs %s and %s (Debian packages libqrencode4 and libpng16-16): "
                    "%s; or use --bootstrap-method Base32StringSeed",
                    QR_LIB, PNG_LIB, dlerror());
        return IAMCTL_EXIT_FAIL;
    }
    *(void **)&a->encode = dlsym(*hq, "QRcode_encodeString");
    *(void **)&a->qr_free = dlsym(*hq, "QRcode_free");
    *(void **)&a->create_write = dlsym(*hp, "png_create_write_struct");
    *(void **)&a->create_info = dlsym(*hp, "png_create_info_struct");
    *(void **)&a->set_write_fn = dlsym(*hp, "png_set_write_fn");
    *(void **)&a->set_ihdr = dlsym(*hp, "png_set_IHDR");
    *(void **)&a->write_info = dlsym(*hp, "png_write_info");
    *(void **)&a->write_row = dlsym(*hp, "png_write_row");
    *(void **)&a->write_end = dlsym(*hp, "png_write_end");
    *(void **)&a->destroy_write = dlsym(*hp, "png_destroy_write_struct");
    if (!a->encode || !a->qr_free || !a->create_write || !a->create_info || !a->set_write_fn ||
        !a->set_ihdr || !a->write_info || !a->write_row || !a->write_end || !a->destroy_write) {
        iamctl_fail("%s or %s lacks a function it should have", QR_LIB, PNG_LIB);
        return IAMCTL_EXIT_FAIL;
    }
    return 0;
}

/* Rows of the image: 8-bit grayscale, dark modules black. */
static void fill_row(const QRcode *qr, unsigned y_px, unsigned char *row, unsigned width_px) {
    unsigned y = y_px / MODULE_PX;

    memset(row, 0xff, width_px);
    if (y < QUIET || y >= QUIET + (unsigned)qr->width)
        return;
    for (unsigned x = 0; x < (unsigned)qr->width; x++)
        if (qr->data[(y - QUIET) * (unsigned)qr->width + x] & 1)
            memset(row + (QUIET + x) * MODULE_PX, 0, MODULE_PX);
}

/* The image, rows written by libpng; 0, or -EIO when libpng failed (it jumps back here). */
static int write_image(const struct api *a, png_structp png, png_infop info, const QRcode *qr,
                       unsigned char *row, unsigned width_px) {
    if (setjmp(png_jmp))
        return -EIO;
    a->set_write_fn(png, NULL, on_write, on_flush);
    a->set_ihdr(png, info, width_px, width_px, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    a->write_info(png, info);
    for (unsigned y = 0; y < width_px; y++) {
        fill_row(qr, y, row, width_px);
        a->write_row(png, row);
    }
    a->write_end(png, NULL);
    return 0;
}

int qr_png(const char *text, unsigned char **ret_png, size_t *ret_len) {
    struct api a;
    void *hq = NULL, *hp = NULL;
    QRcode *qr = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    unsigned char *row = NULL;
    struct membuf buf = {0};
    unsigned width_px;
    int r;

    memset(&a, 0, sizeof(a));
    if ((r = load(&a, &hq, &hp)))
        goto out;
    qr = a.encode(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        r = iamctl_fail("cannot make a QR code: %s", strerror(errno));
        goto out;
    }
    width_px = ((unsigned)qr->width + 2 * QUIET) * MODULE_PX;
    row = malloc(width_px);
    png = a.create_write(PNG_LIBPNG_VER_STRING, NULL, on_png_error, on_png_warning);
    info = png ? a.create_info(png) : NULL;
    if (!row || !png || !info) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    qr_current = &buf;
    if (write_image(&a, png, info, qr, row, width_px) < 0) {
        r = iamctl_fail("cannot write the PNG image");
        goto out;
    }
    if (buf.err) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    *ret_png = buf.p;
    *ret_len = buf.len;
    buf.p = NULL;
    r = 0;
out:
    qr_current = NULL;
    if (png)
        a.destroy_write(&png, info ? &info : NULL);
    if (qr) {
        sodium_memzero(qr->data, (size_t)qr->width * (size_t)qr->width);
        a.qr_free(qr);
    }
    free(row);
    if (buf.p) {
        sodium_memzero(buf.p, buf.cap);
        free(buf.p);
    }
    /* the libraries stay loaded: iamctl exits soon after */
    return r;
}
