#pragma once
// CHARMM/NAMD DCD trajectories (DESIGN.md §4 "Files"), as OpenMM's DCDFile and mdtraj write them. The file
// is a sequence of Fortran unformatted records, each framed by a 32-bit byte count before and after:
//   [84]  "CORD", int32 icntrl[20]: [0] NSET frames, [1] ISTART first step, [2] NSAVC steps between frames,
//         [3] NSTEP last step, [8] NAMNF fixed atoms, [9] DELTA time step (float32, AKMA units of 48.88821 fs),
//         [10] 1 if frames carry a unit cell, [11] 1 for 4-D coordinates, [19] CHARMM version (24)
//   [4+80n] int32 n, then n title lines of 80 characters
//   [4]   int32 number of atoms N
// and per frame:
//   [48]  (only if icntrl[10]) float64 A, cos γ, B, cos β, cos α, C   (lengths in Å; older CHARMM files store
//         the angles in degrees, recognised because some |value| > 1)
//   [4N]  float32 X (Å)  [4N] float32 Y (Å)  [4N] float32 Z (Å)
// Byte order is detected from the first marker (84 little- or big-endian). The API is in nm (1 nm = 10 Å),
// degrees for cell angles, and ps for the time step. Files with 64-bit record markers, fixed atoms or 4-D
// coordinates are refused with an error naming the file.
#include <cstdint>
#include <string>
#include <vector>

namespace ada {

/** A periodic cell by its lengths a, b, c (nm) and angles α (b,c), β (a,c), γ (a,b) in degrees. */
struct DcdUnitCell {
    double a = 0, b = 0, c = 0;
    double alpha = 90, beta = 90, gamma = 90;
};

struct DcdTrajectory {
    int64_t numAtoms = 0;
    /** Row-major [frames, numAtoms, 3] in nm. */
    std::vector<double> positions;
    /** One cell per frame, or empty when the file has no unit-cell records. */
    std::vector<DcdUnitCell> cells;
    /** The step of the first frame, the steps between frames, and the time step (ps). */
    int64_t firstStep = 0, interval = 1;
    double timestep = 0;
    std::string title;

    int64_t numFrames() const { return numAtoms == 0 ? 0 : static_cast<int64_t>(positions.size()) / (3 * numAtoms); }
};

/**
 * Read a whole DCD file. Throws SpecError naming the file when it is missing, not a DCD file, has a record
 * marker that does not match (corrupt), or ends inside a frame or before the number of frames its header
 * declares (truncated). A header that declares 0 frames (a writer that never updated it) is read by size.
 */
DcdTrajectory readDcd(const std::string& path);

/**
 * Write a DCD file (little-endian, CHARMM version 24, as OpenMM's DCDFile). The file is written beside `path`
 * and renamed over it, so a failed write leaves an existing file intact. Throws SpecError if positions are
 * not [frames, numAtoms, 3], if cells are neither empty nor one per frame, or the file cannot be written.
 */
void writeDcd(const std::string& path, const DcdTrajectory& trajectory);

}  // namespace ada
