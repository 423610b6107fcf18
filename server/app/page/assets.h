/* The market page's files, embedded at build time (page.cmake, embed.cmake). */
#ifndef NAXD_PAGE_ASSETS_H
#define NAXD_PAGE_ASSETS_H

#include <stddef.h>

typedef struct naxd_page_asset {
    const char *path;         /* "/" or "/assets/market.js" */
    const char *content_type; /* with charset */
    const unsigned char *data;
    size_t len;
    const char *etag; /* strong, quoted: "\"0123456789abcdef\"" */
} naxd_page_asset;

/* Ends with an entry whose path is NULL. */
extern const naxd_page_asset naxd_page_assets[];

#endif
