#pragma once
// Symbol visibility for the plugin's public classes (the same role as OpenMM's windowsExport.h).
#if defined(_MSC_VER)
#if defined(OPENMM_ADA_BUILDING_SHARED_LIBRARY)
#define OPENMM_EXPORT_ADA __declspec(dllexport)
#else
#define OPENMM_EXPORT_ADA __declspec(dllimport)
#endif
#else
#define OPENMM_EXPORT_ADA __attribute__((visibility("default")))
#endif
