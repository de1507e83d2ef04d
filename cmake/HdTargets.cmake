# Target helpers so that every library, app and test is declared the same way.
#
#   hd_add_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#       static library hd_<name>, alias and export name hall_diffusion::<name>,
#       public headers in libs/<name>/include/hd/<name>/
#   hd_add_app(<name> SOURCES ... DEPS ...)          installed executable <name>
#   hd_add_test(<name> SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s])
#       GoogleTest executable, each TEST registered with CTest under the labels, run in
#       the source root with HD_SOURCE_DIR set (a test that runs an app gets its path as a
#       compile definition, $<TARGET_FILE:app>)

set(HD_WARNING_FLAGS -Wall -Wextra -Wpedantic)

# Adds every subfolder of `folder` that has a CMakeLists.txt (apps, tests, benchmarks:
# one folder each, found rather than listed).
function(hd_add_subfolders folder)
  file(GLOB dirs LIST_DIRECTORIES true "${folder}/*")
  foreach(dir IN LISTS dirs)
    if(EXISTS "${dir}/CMakeLists.txt")
      add_subdirectory("${dir}")
    endif()
  endforeach()
endfunction()

function(hd_enable_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${HD_WARNING_FLAGS}>)
endfunction()

function(hd_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(hd_${name} STATIC ${ARG_SOURCES})
  add_library(hall_diffusion::${name} ALIAS hd_${name})
  set_target_properties(hd_${name} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(hd_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(hd_${name} PUBLIC cxx_std_20)
  target_link_libraries(hd_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  hd_enable_warnings(hd_${name})
  install(TARGETS hd_${name} EXPORT hall_diffusion_targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()

# hd_register_config_kind(<kind> LIBRARY <target> HEADER <include> CHECK <function>
#                         DESCRIPTION <text>)
#   A library declares a kind of config file it reads: `hd_config check FILE --kind <kind>`
#   (or FILE in configs/<kind>/) then validates FILE with `void <function>(const
#   hd::config::Document&)` from <include>, the reader the library's apps use. hd_config
#   learns every registered kind at configure time; its own code lists none.
function(hd_register_config_kind kind)
  cmake_parse_arguments(ARG "" "LIBRARY;HEADER;CHECK;DESCRIPTION" "" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY HD_CONFIG_KINDS "${kind}")
  foreach(field LIBRARY HEADER CHECK DESCRIPTION)
    set_property(GLOBAL PROPERTY HD_CONFIG_KIND_${kind}_${field} "${ARG_${field}}")
  endforeach()
endfunction()

function(hd_add_app name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  # Every app follows the suite's command-line convention (libs/app).
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} hall_diffusion::app)
  hd_enable_warnings(${name})
  # Apps land next to each other so tests and scripts find them in one place.
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin")
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()

function(hd_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(test_${name} ${ARG_SOURCES})
  target_link_libraries(test_${name} PRIVATE ${ARG_DEPS} hd_test_support GTest::gtest GTest::gmock)
  if(NOT "hall_diffusion::test_main" IN_LIST ARG_DEPS)
    target_link_libraries(test_${name} PRIVATE GTest::gtest_main)
  endif()
  hd_enable_warnings(test_${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(test_${name}
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
               ENVIRONMENT "HD_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# hd_expect_cli(<name> RC <status> [STDERR regex] [STDOUT regex] [ONE_LINE]
#               [PROTECT path...] [FIXTURES_REQUIRED fixture...] [FIXTURES_SETUP fixture...]
#               [RESOURCE_LOCK name...] COMMAND ...)
#   Test Cli.<name>: runs COMMAND in the source root as a user would (tests/cli/expect.cmake)
#   and checks the exit status and output. ONE_LINE: stderr is exactly one line (the
#   suite's error convention: no stack trace, no second message). PROTECT: files or folders
#   that must be byte-identical after the command (a failed run never damages earlier
#   output). A crash (a signal instead of an exit status) always fails. RESOURCE_LOCK keeps
#   tests that share an output folder from running at the same time.
function(hd_expect_cli name)
  cmake_parse_arguments(ARG "ONE_LINE" "RC;STDERR;STDOUT"
                        "COMMAND;PROTECT;FIXTURES_REQUIRED;FIXTURES_SETUP;RESOURCE_LOCK" ${ARGN})
  set(defs "-DEXPECT_RC=${ARG_RC}")
  if(DEFINED ARG_STDERR)
    list(APPEND defs "-DEXPECT_STDERR=${ARG_STDERR}")
  endif()
  if(DEFINED ARG_STDOUT)
    list(APPEND defs "-DEXPECT_STDOUT=${ARG_STDOUT}")
  endif()
  if(ARG_ONE_LINE)
    list(APPEND defs "-DONE_LINE=ON")
  endif()
  if(ARG_PROTECT)
    string(REPLACE ";" "|" protect "${ARG_PROTECT}")
    list(APPEND defs "-DPROTECT=${protect}")
  endif()
  string(REPLACE ";" "|" command "${ARG_COMMAND}")
  add_test(NAME Cli.${name}
    COMMAND "${CMAKE_COMMAND}" "-DCOMMAND=${command}" ${defs} -P "${PROJECT_SOURCE_DIR}/tests/cli/expect.cmake"
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
  set_tests_properties(Cli.${name} PROPERTIES LABELS "unit;cli")
  if(ARG_FIXTURES_REQUIRED)
    set_tests_properties(Cli.${name} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES_REQUIRED}")
  endif()
  foreach(property FIXTURES_SETUP RESOURCE_LOCK)
    if(ARG_${property})
      set_tests_properties(Cli.${name} PROPERTIES ${property} "${ARG_${property}}")
    endif()
  endforeach()
endfunction()
