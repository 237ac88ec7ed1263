# Install rules: headers, an exported CMake package with a version file, and pilotstats.pc.

include(CMakePackageConfigHelpers)

install(TARGETS pilotstats EXPORT pilotstatsTargets)
install(DIRECTORY include/pilotstats DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(PILOTSTATS_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/pilotstats) # header-only: arch-independent
install(EXPORT pilotstatsTargets NAMESPACE pilotstats:: DESTINATION ${PILOTSTATS_CMAKE_DIR})
configure_package_config_file(cmake/pilotstatsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/pilotstatsConfig.cmake INSTALL_DESTINATION ${PILOTSTATS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/pilotstatsConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/pilotstatsConfig.cmake
              ${PROJECT_BINARY_DIR}/pilotstatsConfigVersion.cmake
        DESTINATION ${PILOTSTATS_CMAKE_DIR})

configure_file(cmake/pilotstats.pc.in ${PROJECT_BINARY_DIR}/pilotstats.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pilotstats.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
