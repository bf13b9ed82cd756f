#include "GenerativeMove.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <set>

#include "ada/flow/TorsionProposal.h"
#include "ada/io/SpecError.h"
#include "ada/models/TrainedModel.h"
#include "internal/GenerativeMoveImpl.h"
#include "openmm/OpenMMException.h"

using namespace OpenMM;

namespace OpenMMADA {

GenerativeMove::GenerativeMove(const std::string& modelFile, const std::vector<int>& atoms, int frequency, double temperature) {
    setModelFile(modelFile);
    setAtoms(atoms);
    setFrequency(frequency);
    setTemperature(temperature);
    setName("GenerativeMove");
}

void GenerativeMove::setModelFile(const std::string& modelFile) {
    std::ifstream in(modelFile, std::ios::binary);
    if (!in)
        throw OpenMMException("GenerativeMove: cannot open the model file " + modelFile + " (missing or unreadable)");
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    adoptModel(bytes, modelFile);
}

void GenerativeMove::setModelBytes(const std::string& bytes) { adoptModel(bytes, "(model bytes)"); }

void GenerativeMove::adoptModel(const std::string& bytes, const std::string& where) {
    const ada::TrainedModel model = GenerativeMoveImpl::loadModel(bytes, where);
    const int64_t flat = model.field->flatDimension();
    if (!atoms_.empty() && static_cast<int64_t>(atoms_.size()) * 3 != flat)
        throw OpenMMException("GenerativeMove: the model " + where + " is a density on " + std::to_string(flat) + " numbers" +
                              (flat % 3 == 0 ? " (" + std::to_string(flat / 3) + " particles)" : std::string()) + ", but " +
                              std::to_string(atoms_.size()) + " atoms (" + std::to_string(3 * atoms_.size()) + " coordinates) are moved");
    modelBytes_ = bytes;
    modelDimension_ = static_cast<int>(flat);
    modelAtoms_ = model.data.atoms;
}

void GenerativeMove::checkAtomCount(size_t count, const std::string& what) const {
    if (modelDimension_ % 3 != 0)
        throw OpenMMException("GenerativeMove: the model is a density on " + std::to_string(modelDimension_) +
                              " numbers, not on the 3-D positions of particles, but " + std::to_string(count) + " atoms " + what +
                              "; a model of torsion angles needs torsions (addTorsion) and no atoms");
    if (static_cast<int>(count) != modelDimension_ / 3)
        throw OpenMMException("GenerativeMove: the model describes " + std::to_string(modelDimension_ / 3) + " particles (" +
                              std::to_string(modelDimension_) + " coordinates), but " + std::to_string(count) + " atoms " + what);
}

void GenerativeMove::setAtoms(const std::vector<int>& atoms) {
    std::set<int> seen;
    for (size_t k = 0; k < atoms.size(); ++k) {
        if (atoms[k] < 0)
            throw OpenMMException("GenerativeMove: atom index " + std::to_string(atoms[k]) + " (entry " + std::to_string(k) + ") is negative");
        if (!seen.insert(atoms[k]).second)
            throw OpenMMException("GenerativeMove: atom index " + std::to_string(atoms[k]) + " is listed twice");
    }
    if (!atoms.empty()) {
        if (!torsions_.empty())
            throw OpenMMException("GenerativeMove: atoms cannot be given for torsion moves (" + std::to_string(torsions_.size()) +
                                  " torsions): the rotated atoms of each torsion are moved");
        checkAtomCount(atoms.size(), "are moved");
    }
    atoms_ = atoms;
}

void GenerativeMove::checkTorsion(const Torsion& torsion, int index, int numParticles) {
    ada::MovedTorsion moved;
    moved.atoms = {torsion.p1, torsion.p2, torsion.p3, torsion.p4};
    moved.rotated = torsion.rotatedAtoms;
    moved.windowStart = torsion.windowStart;
    try {
        ada::checkMovedTorsion(moved, index, numParticles, "GenerativeMove: ");
    } catch (const ada::SpecError& e) {
        throw OpenMMException(e.what());
    }
}

void GenerativeMove::checkTorsionIndex(int index) const {
    if (index < 0 || index >= getNumTorsions())
        throw OpenMMException("GenerativeMove: torsion index " + std::to_string(index) + " is out of range: there are " +
                              std::to_string(getNumTorsions()) + " torsions");
}

int GenerativeMove::addTorsion(int p1, int p2, int p3, int p4, const std::vector<int>& rotatedAtoms, double windowStart) {
    if (!atoms_.empty())
        throw OpenMMException("GenerativeMove: torsions cannot be added to a move of " + std::to_string(atoms_.size()) +
                              " given atoms (Cartesian moves); create it with no atoms");
    const Torsion torsion{p1, p2, p3, p4, rotatedAtoms, windowStart};
    checkTorsion(torsion, getNumTorsions(), -1);
    torsions_.push_back(torsion);
    return getNumTorsions() - 1;
}

void GenerativeMove::getTorsionParameters(int index, int& p1, int& p2, int& p3, int& p4, std::vector<int>& rotated,
                                          double& windowStart) const {
    checkTorsionIndex(index);
    const Torsion& torsion = torsions_[static_cast<size_t>(index)];
    p1 = torsion.p1;
    p2 = torsion.p2;
    p3 = torsion.p3;
    p4 = torsion.p4;
    rotated = torsion.rotatedAtoms;
    windowStart = torsion.windowStart;
}

void GenerativeMove::setTorsionParameters(int index, int p1, int p2, int p3, int p4, const std::vector<int>& rotatedAtoms,
                                          double windowStart) {
    checkTorsionIndex(index);
    const Torsion torsion{p1, p2, p3, p4, rotatedAtoms, windowStart};
    checkTorsion(torsion, index, -1);
    torsions_[static_cast<size_t>(index)] = torsion;
}

void GenerativeMove::setFrequency(int frequency) {
    if (frequency <= 0)
        throw OpenMMException("GenerativeMove: the frequency must be a positive number of steps, found " + std::to_string(frequency));
    frequency_ = frequency;
}

void GenerativeMove::setTemperature(double temperature) {
    if (!(temperature > 0) || !std::isfinite(temperature))
        throw OpenMMException("GenerativeMove: the temperature must be positive (K), found " + std::to_string(temperature));
    temperature_ = temperature;
}

void GenerativeMove::setAttemptsPerMove(int attempts) {
    if (attempts < 1)
        throw OpenMMException("GenerativeMove: the attempts per move must be at least 1, found " + std::to_string(attempts));
    attemptsPerMove_ = attempts;
}

void GenerativeMove::setBatchSize(int batchSize) {
    if (batchSize < 1)
        throw OpenMMException("GenerativeMove: the batch size must be at least 1, found " + std::to_string(batchSize));
    batchSize_ = batchSize;
}

void GenerativeMove::setTolerance(double tolerance) {
    if (!(tolerance > 0) || !(tolerance < 1))
        throw OpenMMException("GenerativeMove: the ODE tolerance must be in (0, 1), found " + std::to_string(tolerance));
    tolerance_ = tolerance;
}

std::vector<int> GenerativeMove::resolveAtoms(int numParticles) const {
    std::vector<int> atoms = !atoms_.empty() ? atoms_ : modelAtoms_;
    const std::string source = !atoms_.empty() ? "atom index " : "atom index (from the model file) ";
    for (size_t k = 0; k < atoms.size(); ++k)
        if (atoms[k] < 0 || atoms[k] >= numParticles)
            throw OpenMMException("GenerativeMove: " + source + std::to_string(atoms[k]) + " (entry " + std::to_string(k) +
                                  ") is out of range: the System has " + std::to_string(numParticles) + " particles");
    if (atoms.empty())
        for (int i = 0; i < numParticles; ++i)
            atoms.push_back(i);
    checkAtomCount(atoms.size(), std::string("would be moved (") +
                                     (atoms_.empty() && modelAtoms_.empty() ? "all particles of the System" : "the atoms given") +
                                     "); give the atoms the model was trained on");
    return atoms;
}

long long GenerativeMove::getNumAttempted(const Context& context) const {
    return dynamic_cast<const GenerativeMoveImpl&>(getImplInContext(context)).getNumAttempted();
}

long long GenerativeMove::getNumAccepted(const Context& context) const {
    return dynamic_cast<const GenerativeMoveImpl&>(getImplInContext(context)).getNumAccepted();
}

ForceImpl* GenerativeMove::createImpl() const { return new GenerativeMoveImpl(*this); }

}  // namespace OpenMMADA
