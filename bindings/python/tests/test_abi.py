"""The ctypes mirrors of nax/_lib.py and nax/_structs.py against the C
headers: a small C program prints sizeof and offsetof of every mirrored
struct, and the enum numbers the struct readers map, compiled here."""

import ctypes
import os
import shutil
import subprocess

import pytest

from conftest import REPO

from nax import _lib, _structs

STRUCTS = {
    "nax_error": (_lib.Error, "nax/error.h"),
    "nax_buf": (_lib.Buf, "nax/common.h"),
    "nax_retry_policy": (_lib.RetryPolicy, "nax/client.h"),
    "nax_breaker_policy": (_lib.BreakerPolicy, "nax/client.h"),
    "nax_limiter_policy": (_lib.LimiterPolicy, "nax/client.h"),
    "nax_client_options": (_lib.ClientOptions, "nax/client.h"),
    "nax_list_query": (_lib.ListQuery, "nax/api.h"),
    "nax_breaker_status": (_lib.BreakerStatus, "nax/client.h"),
    "nax_decimal": (_lib.Decimal_, "nax/decimal.h"),
    "nax_book_level": (_lib.BookLevel, "nax/types.h"),
    "nax_stream_event": (_lib.StreamEvent, "nax/stream.h"),
    "nax_stream_book": (_lib.StreamBook, "nax/stream.h"),
    "nax_stream_callbacks": (_lib.StreamCallbacks, "nax/stream.h"),
    "nax_stream_options": (_lib.StreamOptions, "nax/stream.h"),
    "nax_stream_stats": (_lib.StreamStats, "nax/stream.h"),
    "nax_book_top": (_lib.BookTop, "nax/stream.h"),
}
STRUCTS.update({name: (st, "nax/types.h") for name, st in _structs.MIRRORS.items()})

# enum constant name -> the number nax._structs maps to a member
ENUM_NUMBERS = {prefix + member.name: number
                for prefix, table in _structs.ENUMS.values()
                for number, member in table.items()}


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    cc = shutil.which(os.environ.get("CC", "cc"))
    if not cc:
        pytest.skip("no C compiler")
    lines = ['#include <nax.h>', '#include <stdio.h>', '#include <stddef.h>', 'int main(void) {']
    for name, (st, _) in STRUCTS.items():
        lines.append(f'printf("{name} size %zu\\n", sizeof({name}));')
        for field, _t in st._fields_:
            lines.append(f'printf("{name} {field} %zu\\n", offsetof({name}, {field}));')
    for const in ENUM_NUMBERS:
        lines.append(f'printf("enum {const} %zu\\n", (size_t){const});')
    lines += ['return 0;', '}']
    d = tmp_path_factory.mktemp("abi")
    (d / "layout.c").write_text("\n".join(lines))
    subprocess.run([cc, "-std=c11", "-I", str(REPO / "include"), "-o", str(d / "layout"),
                    str(d / "layout.c")], check=True)
    out = subprocess.run([str(d / "layout")], check=True, capture_output=True, text=True)
    got = {}
    for line in out.stdout.splitlines():
        name, field, value = line.split()
        got[(name, field)] = int(value)
    return got


@pytest.mark.parametrize("name", list(STRUCTS))
def test_struct_layout_matches_the_header(layout, name):
    st = STRUCTS[name][0]
    assert ctypes.sizeof(st) == layout[(name, "size")], name
    for field, _t in st._fields_:
        assert getattr(st, field).offset == layout[(name, field)], f"{name}.{field}"


def test_enum_numbers_match_the_header(layout):
    for const, number in ENUM_NUMBERS.items():
        assert layout[("enum", const)] == number, const


def test_enum_tables_cover_every_member():
    for cls, (_prefix, table) in _structs.ENUMS.items():
        assert set(table.values()) == set(cls), cls.__name__
        assert 0 not in table  # 0 is "absent" in C


def test_options_versions_match_the_headers():
    import re
    text = (REPO / "include" / "nax" / "client.h").read_text()
    assert int(re.search(r"#define NAX_CLIENT_OPTIONS_VERSION (\d+)", text).group(1)) == \
        _lib.CLIENT_OPTIONS_VERSION
    text = (REPO / "include" / "nax" / "stream.h").read_text()
    assert int(re.search(r"#define NAX_STREAM_OPTIONS_VERSION (\d+)", text).group(1)) == \
        _lib.STREAM_OPTIONS_VERSION


def test_type_numbers_match_the_header():
    import re
    from nax import _core
    text = (REPO / "include" / "nax" / "types.h").read_text()
    numbers = {m.group(1): int(m.group(2))
               for m in re.finditer(r"NAX_TYPE_(\w+) = (\d+)", text)}
    for name in dir(_core):
        if name.startswith("T_"):
            assert numbers[name[2:]] == getattr(_core, name), name
