# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE), before anything is installed.
#
# The host chooses its installed defaults (/usr/lib/zintrust/plugins, /etc/zintrust/services) when
# its executable sits in the bin folder it was compiled for (CMAKE_INSTALL_FULL_BINDIR). A tree
# configured for another prefix would package a binary that falls back to the build tree's folders.
if(NOT CPACK_ZT_HOST_BINDIR STREQUAL "${CPACK_PACKAGING_INSTALL_PREFIX}/bin")
  message(FATAL_ERROR
    "zintrust-host was compiled for ${CPACK_ZT_HOST_BINDIR}, the package installs it in "
    "${CPACK_PACKAGING_INSTALL_PREFIX}/bin: reconfigure the build with "
    "-DCMAKE_INSTALL_PREFIX=${CPACK_PACKAGING_INSTALL_PREFIX} (scripts/package does) and rebuild.")
endif()
