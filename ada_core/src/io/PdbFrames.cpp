#include "ada/io/PdbFrames.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "ada/io/SpecError.h"

namespace ada {

void writePdbFrames(const std::string& templatePath, const std::vector<double>& positions, int64_t numAtoms, const std::string& path) {
    std::ifstream in(templatePath);
    if (!in)
        throw SpecError(templatePath + ": cannot open the template PDB file");
    std::vector<std::string> atomLines;
    for (std::string line; std::getline(in, line);)
        if (line.rfind("ATOM", 0) == 0 || line.rfind("HETATM", 0) == 0) {
            line.resize(std::max<size_t>(line.size(), 54), ' ');
            atomLines.push_back(line);
        }
    if (static_cast<int64_t>(atomLines.size()) != numAtoms)
        throw SpecError(templatePath + ": the template has " + std::to_string(atomLines.size()) + " atoms but the frames have " +
                        std::to_string(numAtoms));
    const int64_t frames = static_cast<int64_t>(positions.size()) / (3 * numAtoms);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out)
            throw SpecError(path + ": cannot write");
        char coords[32];
        for (int64_t f = 0; f < frames; ++f) {
            out << "MODEL     " << (f + 1) << "\n";
            for (int64_t a = 0; a < numAtoms; ++a) {
                const double* x = positions.data() + (f * numAtoms + a) * 3;
                std::snprintf(coords, sizeof(coords), "%8.3f%8.3f%8.3f", 10 * x[0], 10 * x[1], 10 * x[2]);
                std::string line = atomLines[a];
                line.replace(30, 24, coords);
                out << line << "\n";
            }
            out << "ENDMDL\n";
        }
        out << "END\n";
        if (!out)
            throw SpecError(path + ": write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw SpecError(path + ": cannot move the written file into place");
}

}  // namespace ada
