# Installs the libraries as a CMake package: find_package(hall_diffusion) gives
# hall_diffusion::common, hall_diffusion::hallsim, ...
include(CMakePackageConfigHelpers)
set(HD_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/hall_diffusion")

install(EXPORT hall_diffusion_targets
  NAMESPACE hall_diffusion::
  FILE hall_diffusionTargets.cmake
  DESTINATION "${HD_PACKAGE_DIR}")

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/hall_diffusionConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/hall_diffusionConfig.cmake"
  INSTALL_DESTINATION "${HD_PACKAGE_DIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/hall_diffusionConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/hall_diffusionConfig.cmake"
  "${PROJECT_BINARY_DIR}/hall_diffusionConfigVersion.cmake"
  DESTINATION "${HD_PACKAGE_DIR}")
