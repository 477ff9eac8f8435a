# zintrust_add_plugin(<target> SOURCES <files...> [OUTPUT_DIR <dir>])
#
# Builds a service plugin the way the host expects it:
#  - a MODULE library (dlopen-only), hidden visibility, only `zt_plugin_entry` exported
#    (version script), so two plugins never clash on symbols in one process;
#  - -Wl,-z,now so unresolved symbols fail at load time, not in the middle of a request, and
#    -z,relro so the relocations are read-only once resolved;
#  - -fstack-protector-strong, and -D_FORTIFY_SOURCE=2 when optimising (the host's own flags);
#  - -Wl,--no-undefined so they fail at link time first.
# Used in this tree and installed with the ZintrustPlugin CMake package for out-of-tree plugins.
set(_ZT_PLUGIN_HELPERS_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "folder of zintrust-plugin.map")

function(zintrust_add_plugin target)
  cmake_parse_arguments(ZTP "" "OUTPUT_DIR" "SOURCES" ${ARGN})
  if(NOT ZTP_SOURCES)
    message(FATAL_ERROR "zintrust_add_plugin(${target}): SOURCES is required")
  endif()
  add_library(${target} MODULE ${ZTP_SOURCES})
  if(TARGET zintrust_plugin_api)
    target_link_libraries(${target} PRIVATE zintrust_plugin_api)
  else()
    target_link_libraries(${target} PRIVATE Zintrust::PluginApi)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ZTP_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ZTP_OUTPUT_DIR}")
  endif()
  target_compile_options(${target} PRIVATE -fstack-protector-strong
    "$<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE>" "$<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>")
  target_link_options(${target} PRIVATE
    "LINKER:-z,relro"
    "LINKER:-z,now"
    "LINKER:--no-undefined"
    "LINKER:--version-script=${_ZT_PLUGIN_HELPERS_DIR}/zintrust-plugin.map")
endfunction()
