/*
 * libjpeg reports a fatal error by calling error_exit, which must not return. This shim
 * turns that into a return code: every entry point sets a jump buffer first, and error_exit
 * formats the message and longjmps back to it. The jump never crosses a Rust frame, since
 * libjpeg never calls back into Rust. After an error only ps_jpeg_free may be called.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "jpeglib.h"
#include "jerror.h"

typedef struct ps_jpeg {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr err;
    jmp_buf jump;
    int created;
    char message[JMSG_LENGTH_MAX];
} ps_jpeg;

typedef struct ps_jpeg_header {
    unsigned width;
    unsigned height;
    int components;
    /* libjpeg's J_COLOR_SPACE of the file: 1 grey, 2 RGB, 3 YCbCr, 4 CMYK, 5 YCCK */
    int color_space;
    int progressive;
    int adobe;
} ps_jpeg_header;

typedef struct ps_jpeg_output {
    unsigned width;
    unsigned height;
    int components;
} ps_jpeg_output;

static void on_error(j_common_ptr c) {
    ps_jpeg *p = (ps_jpeg *)c->client_data;
    c->err->format_message(c, p->message);
    longjmp(p->jump, 1);
}

/* Warnings (level -1) are counted and ignored, as libjpeg does, except the end of the data
 * coming before the image is complete: libjpeg would fill the rest with grey. */
static void on_message(j_common_ptr c, int level) {
    if (level < 0) {
        if (c->err->msg_code == JWRN_JPEG_EOF) {
            on_error(c);
        }
        c->err->num_warnings++;
    }
}

static void no_output(j_common_ptr c) {
    (void)c;
}

ps_jpeg *ps_jpeg_new(void) {
    return (ps_jpeg *)calloc(1, sizeof(ps_jpeg));
}

const char *ps_jpeg_message(const ps_jpeg *p) {
    return p->message;
}

int ps_jpeg_read_header(ps_jpeg *p, const unsigned char *data, unsigned long len, long max_memory,
                        ps_jpeg_header *out) {
    if (setjmp(p->jump)) {
        return -1;
    }
    p->cinfo.err = jpeg_std_error(&p->err);
    p->err.error_exit = on_error;
    p->err.emit_message = on_message;
    p->err.output_message = no_output;
    p->cinfo.client_data = p;
    jpeg_create_decompress(&p->cinfo);
    p->created = 1;
    /* what the decoder may allocate (a progressive image's coefficients, its buffers); past it
     * libjpeg fails with "backing store not supported" */
    p->cinfo.mem->max_memory_to_use = max_memory;
    jpeg_mem_src(&p->cinfo, data, len);
    jpeg_read_header(&p->cinfo, TRUE);
    out->width = p->cinfo.image_width;
    out->height = p->cinfo.image_height;
    out->components = p->cinfo.num_components;
    out->color_space = (int)p->cinfo.jpeg_color_space;
    out->progressive = p->cinfo.progressive_mode ? 1 : 0;
    out->adobe = p->cinfo.saw_Adobe_marker ? 1 : 0;
    return 0;
}

/* Starts decoding at 1/denom scale (1, 2, 4 or 8) to grey, RGB or CMYK. */
int ps_jpeg_start(ps_jpeg *p, unsigned denom, ps_jpeg_output *out) {
    if (setjmp(p->jump)) {
        return -1;
    }
    p->cinfo.scale_num = 1;
    p->cinfo.scale_denom = denom;
    switch (p->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        p->cinfo.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        p->cinfo.out_color_space = JCS_CMYK;
        break;
    default:
        p->cinfo.out_color_space = JCS_RGB;
        break;
    }
    jpeg_start_decompress(&p->cinfo);
    out->width = p->cinfo.output_width;
    out->height = p->cinfo.output_height;
    out->components = p->cinfo.output_components;
    return 0;
}

/* Decodes up to max_rows rows into buf, one every stride bytes; *rows is how many. */
int ps_jpeg_read_rows(ps_jpeg *p, unsigned char *buf, size_t stride, unsigned max_rows, unsigned *rows) {
    *rows = 0;
    if (setjmp(p->jump)) {
        return -1;
    }
    while (*rows < max_rows && p->cinfo.output_scanline < p->cinfo.output_height) {
        JSAMPROW row = buf + (size_t)*rows * stride;
        JDIMENSION read = jpeg_read_scanlines(&p->cinfo, &row, 1);
        if (read == 0) {
            break; /* a memory source never suspends; this is not expected */
        }
        *rows += read;
    }
    return 0;
}

void ps_jpeg_free(ps_jpeg *p) {
    if (p == NULL) {
        return;
    }
    if (p->created) {
        jpeg_destroy_decompress(&p->cinfo);
    }
    free(p);
}
