/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* A QR code of text as a PNG image in memory, by libqrencode and libpng, both loaded with
 * dlopen() only when this is called (create-virtual-mfa-device --bootstrap-method QRCodePNG),
 * so that no other verb loads them. 0 and a malloc'd image, or an exit code (message
 * printed). The caller wipes and frees the image (it encodes a seed). */
#include <stddef.h>

int qr_png(const char *text, unsigned char **ret_png, size_t *ret_len);
