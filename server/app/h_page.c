/* The live market page: GET / and GET /assets/{file}, served from the bytes
 * embedded at build time (app/page/). Browsers revalidate with the ETag, so a
 * new naxd's page is seen at once and an unchanged one costs a 304. */
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "app/page/assets.h"

/* The page talks only to its own origin; nothing else may load or frame it. */
#define PAGE_CSP                                                                                   \
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "                \
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static const naxd_page_asset *asset_for(const char *path)
{
    for (const naxd_page_asset *a = naxd_page_assets; a->path; a++)
        if (strcmp(a->path, path) == 0)
            return a;
    return NULL;
}

/* Does an If-None-Match list (`"a", W/"b"` or `*`) name etag? Weak
 * comparison, as RFC 9110 asks for If-None-Match. */
static int etag_listed(const char *list, const char *etag)
{
    size_t len = strlen(etag);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, len) == 0 && (p[len] == '\0' || p[len] == ',' || p[len] == ' '))
            return 1;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

NAXD_HANDLER(h_page)
{
    (void)app;
    const naxd_page_asset *asset = asset_for(naxd_req_path(req));
    if (!asset) {
        naxd_fail(req, 404, "not_found", NULL, "no such resource");
        return;
    }
    /* no-cache: keep a copy but ask each time; the ETag makes asking cheap. */
    naxd_req_add_header(req, "Cache-Control", "no-cache");
    naxd_req_add_header(req, "ETag", asset->etag);
    naxd_req_add_header(req, "X-Content-Type-Options", "nosniff");
    naxd_req_add_header(req, "Referrer-Policy", "no-referrer");
    if (strncmp(asset->content_type, "text/html", 9) == 0)
        naxd_req_add_header(req, "Content-Security-Policy", PAGE_CSP);
    const char *inm = naxd_req_header(req, "if-none-match");
    if (inm && etag_listed(inm, asset->etag))
        naxd_reply(req, 304, asset->content_type, NULL, 0);
    else
        naxd_reply(req, 200, asset->content_type, asset->data, asset->len);
    naxd__ctx_release(req);
}
