# The common ADAForce kernel, written once against OpenMM's ComputeContext, and its device code; each GPU
# platform plugin (platforms/opencl, platforms/cuda) include()s this file and calls
# ada_add_common_kernels(<its target>). The device code is embedded as the string OpenMMADA::adaForceKernelSource.
set(ADA_COMMON_KERNELS_DIR "${CMAKE_CURRENT_LIST_DIR}")

function(ada_add_common_kernels TARGET)
    set(device_code "${ADA_COMMON_KERNELS_DIR}/kernels/adaForce.cc")
    set(embedded "${CMAKE_CURRENT_BINARY_DIR}/ADAForceKernelSource.cpp")
    ada_embed_source("${embedded}" adaForceKernelSource "${device_code}")
    # The string is made at configure time: editing the device code must re-run configure.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${device_code}")
    target_sources(${TARGET} PRIVATE "${ADA_COMMON_KERNELS_DIR}/src/CommonADAKernels.cpp" "${embedded}")
    target_include_directories(${TARGET} PRIVATE "${ADA_COMMON_KERNELS_DIR}/include")
endfunction()
