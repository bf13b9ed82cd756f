#pragma once
// Writes configurations as a multi-model PDB file using a template PDB for everything but the coordinates:
// the template's ATOM/HETATM records (in order) get each frame's positions (nm -> Angstrom, columns 31-54),
// one MODEL ... ENDMDL block per frame. The template must have as many atom records as a frame has atoms.
#include <cstdint>
#include <string>
#include <vector>

namespace ada {

void writePdbFrames(const std::string& templatePath, const std::vector<double>& positions, int64_t numAtoms, const std::string& path);

}  // namespace ada
