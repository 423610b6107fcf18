# The addon: src/*.c against the source tree's include/, linked with the
# libnax.so.1 of the build tree in $NAX_BUILD_DIR (default ../../build), with
# an rpath to it. Built by `npm run build` (node-gyp --nodedir=/usr: the
# headers of the installed node, nothing downloaded).
{
  "variables": {
    "nax_build_dir%": "<!(node -p \"require('path').resolve(process.env.NAX_BUILD_DIR || '../../build')\")"
  },
  "targets": [
    {
      "target_name": "nax_node",
      "sources": [
        "src/addon.c",
        "src/args.c",
        "src/call.c",
        "src/client.c",
        "src/pool.c",
        "src/sign.c",
        "src/stream.c"
      ],
      "include_dirs": ["../../include"],
      "defines": ["NAPI_VERSION=8", "_POSIX_C_SOURCE=200809L"],
      "cflags": ["-Wall", "-Wextra", "-Wunused-parameter", "-Werror"],
      "cflags_c": ["-std=c11"],
      "libraries": [
        "-L<(nax_build_dir)",
        "-l:libnax.so.1",
        "-Wl,-rpath,<(nax_build_dir)"
      ]
    }
  ]
}
