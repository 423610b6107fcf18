# Included by server/CMakeLists.txt once naxd_app exists: embeds the market
# page (this folder's .html, .js and .css) into naxd as a generated C file,
# rebuilt whenever one of them changes. app/h_page.c serves it.
set(_nax_page_dir ${CMAKE_CURRENT_LIST_DIR})
file(GLOB _nax_page_files CONFIGURE_DEPENDS
  ${_nax_page_dir}/*.html ${_nax_page_dir}/*.js ${_nax_page_dir}/*.css)
set(_nax_page_out ${CMAKE_CURRENT_BINARY_DIR}/page_assets.c)
add_custom_command(OUTPUT ${_nax_page_out}
  COMMAND ${CMAKE_COMMAND} -DPAGE_DIR=${_nax_page_dir} -DOUT=${_nax_page_out}
          -P ${_nax_page_dir}/embed.cmake
  DEPENDS ${_nax_page_files} ${_nax_page_dir}/embed.cmake
  COMMENT "Embedding the market page (server/app/page)"
  VERBATIM)
target_sources(naxd_app PRIVATE ${_nax_page_out})
