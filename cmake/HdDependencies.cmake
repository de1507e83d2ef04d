# Every third-party package the suite uses, found once. All come from Debian 12's apt
# (scripts/install-deps.sh). Imported targets' headers are SYSTEM includes, so the
# project's warnings never fire inside them.
find_package(tomlplusplus 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(SUNDIALS 6 REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C CXX)
find_package(Threads REQUIRED)

if(HD_WITH_MPI)
  set(MPI_CXX_SKIP_MPICXX ON)
  find_package(MPI COMPONENTS CXX)
  if(NOT MPI_FOUND)
    message(STATUS "MPI not found: gen_data runs as independent shards only")
    set(HD_WITH_MPI OFF)
  endif()
endif()

if(HD_WITH_TORCH)
  # Debian ships LibTorch 1.13 (CPU). A CUDA LibTorch is used by pointing Torch_DIR at it.
  find_package(Torch 1.13 REQUIRED)
endif()

if(HD_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(HD_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
