# SPDX-License-Identifier: Apache-2.0
# The installed API (the twinlane-dev package): the public headers, the static libraries of the
# server (fcgi/ and pool/), and a CMake package, so that a service built outside this tree writes
#   find_package(twinlane 0.4 CONFIG REQUIRED)
#   target_link_libraries(my_service PRIVATE twinlane::server)
# Everything here is in the "dev" install component; the programs are in the default one.
include(CMakePackageConfigHelpers)

set(TWINLANE_PUBLIC_HEADERS
  fcgi/http_error.h
  fcgi/query.h
  fcgi/quote.h
  fcgi/request.h
  fcgi/response.h
  fcgi/router.h
  fcgi/service.h
  pool/config_section.h
  pool/lane.h
  pool/serve.h
  pool/service_spec.h
)
foreach(header IN LISTS TWINLANE_PUBLIC_HEADERS)
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${header} DESTINATION ${TWINLANE_INSTALL_INCLUDEDIR}/${dir} COMPONENT dev)
endforeach()
install(FILES pool/twinlane.h ${PROJECT_BINARY_DIR}/generated/twinlane/version.h
  DESTINATION ${TWINLANE_INSTALL_INCLUDEDIR} COMPONENT dev)

# twinlane::server is the one target a service links: the pool and, through it, fcgi.
add_library(twinlane_server INTERFACE)
target_link_libraries(twinlane_server INTERFACE twinlane_pool)
set_target_properties(twinlane_fcgi PROPERTIES EXPORT_NAME fcgi)
set_target_properties(twinlane_pool PROPERTIES EXPORT_NAME pool)
set_target_properties(twinlane_server PROPERTIES EXPORT_NAME server)
install(TARGETS twinlane_fcgi twinlane_pool twinlane_server EXPORT twinlaneTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)

set(TWINLANE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/twinlane)
install(EXPORT twinlaneTargets NAMESPACE twinlane:: DESTINATION ${TWINLANE_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(cmake/twinlaneConfig.cmake.in ${PROJECT_BINARY_DIR}/twinlaneConfig.cmake
  INSTALL_DESTINATION ${TWINLANE_CMAKE_DIR})
# 0.x: a minor release may change the API (semantic versioning's rule for 0.y.z), so a
# service asking for 0.4 accepts only 0.4.*; from 1.0 on, any later 1.x.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(TWINLANE_COMPATIBILITY SameMinorVersion)
else()
  set(TWINLANE_COMPATIBILITY SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/twinlaneConfigVersion.cmake
  COMPATIBILITY ${TWINLANE_COMPATIBILITY})
install(FILES ${PROJECT_BINARY_DIR}/twinlaneConfig.cmake ${PROJECT_BINARY_DIR}/twinlaneConfigVersion.cmake
  DESTINATION ${TWINLANE_CMAKE_DIR} COMPONENT dev)
