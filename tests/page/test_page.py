"""The live market page that naxd serves at / (server/app/page): its HTTP
answers, then Debian's chromium driven headless by playwright-core
(page_test.mjs): live from /v1/stream, the ladder equal to GET orderbook, a
trade placed over REST on the page within 1 s, the ladder and the ticker
following it, and the page healing itself after a seq gap, a bad checksum and
a closed connection (stream faults). The screenshot goes to $NAX_PAGE_SCREENSHOT (the build folder
under ctest). Run by ctest as `page`."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from streamcheck import PAIR, TAKE, prepare_market

HERE = Path(__file__).resolve().parent


def ensure_playwright():
    """npm install the pinned playwright-core beside this file unless it is there."""
    want = json.loads((HERE / "package.json").read_text())["dependencies"]["playwright-core"]
    have = HERE / "node_modules" / "playwright-core" / "package.json"
    if have.exists() and json.loads(have.read_text())["version"] == want:
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed once to install playwright-core into tests/page/node_modules"
    subprocess.run([npm, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund"],
                   cwd=HERE, check=True, capture_output=True, timeout=600)


def test_page_and_assets_are_served_with_sane_headers(naxd):
    page = naxd.api.get("/").expect(200)
    assert page.headers.get("content-type") == "text/html; charset=utf-8"
    assert page.headers.get("cache-control") == "no-cache"
    assert "default-src 'none'" in page.headers.get("content-security-policy")
    assert page.headers.get("x-content-type-options") == "nosniff"
    assert b'<table id="ladder">' in page.body and b'aria-live="polite"' in page.body
    for path, kind in (("/assets/market.js", "text/javascript"), ("/assets/market.css", "text/css")):
        r = naxd.api.get(path).expect(200)
        assert r.headers.get("content-type") == f"{kind}; charset=utf-8"
        etag = r.headers.get("etag")
        assert etag and etag.startswith('"')
        # Revalidation: the same bytes cost a 304 without a body.
        again = naxd.api.get(path, headers={"If-None-Match": etag}).expect(304)
        assert again.body == b"" and again.headers.get("etag") == etag
        naxd.api.get(path, headers={"If-None-Match": '"other"'}).expect(200)
    assert naxd.api.get("/assets/missing.js").expect(404).code == "not_found"


def test_trade_shows_on_the_page(naxd):
    node = shutil.which("node")
    assert node, "node is needed to drive the browser"
    assert Path("/usr/bin/chromium").exists(), "Debian's chromium (scripts/deps.sh) is needed"
    ensure_playwright()
    _, taker = prepare_market(naxd)
    shot = Path(os.environ.get("NAX_PAGE_SCREENSHOT", HERE / "market-page.png"))
    shot.parent.mkdir(parents=True, exist_ok=True)
    if shot.exists():
        shot.unlink()
    cfg = {"base_url": naxd.url, "pair": PAIR, "token": taker.token, "screenshot": str(shot),
           "operator_token": naxd.operator_token,
           "order": {"pair": PAIR, "type": "limit", **TAKE}}
    p = subprocess.run([node, str(HERE / "page_test.mjs"), json.dumps(cfg)], cwd=HERE,
                       capture_output=True, text=True, timeout=120)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    assert p.returncode == 0 and result.get("ok"), \
        f"page test failed ({p.returncode}): {result.get('error') or p.stdout}\n{p.stderr[-3000:]}"
    assert shot.exists() and shot.stat().st_size > 0
    assert result["resyncs"] == 2 and result["reconnects"] == 1, result
    print(f"trade on the page {result['shown_after_ms']} ms after the order was sent; "
          f"screenshot {shot}")
