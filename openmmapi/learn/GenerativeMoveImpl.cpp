#include "internal/GenerativeMoveImpl.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "ada/flow/FlowProposal.h"
#include "ada/flow/TorsionProposal.h"
#include "ada/io/SpecError.h"
#include "ada/models/TrainedModel.h"
#include "openmm/Integrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/System.h"
#include "openmm/internal/ContextImpl.h"

using namespace OpenMM;

namespace OpenMMADA {

namespace {

constexpr double kGasConstant = 0.00831446261815324;  // kJ/(mol K), OpenMM's BOLTZ

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

ada::TrainedModel GenerativeMoveImpl::loadModel(const std::string& bytes, const std::string& where) {
    // The model reader takes files: hand it the bytes through a private temporary file.
    std::string path = (std::filesystem::temp_directory_path() / "openmmada-model-XXXXXX").string();
    const int descriptor = mkstemp(path.data());
    if (descriptor < 0)
        throw OpenMMException("GenerativeMove: cannot create a temporary file to read the model " + where);
    close(descriptor);
    struct Remove {
        std::string path;
        ~Remove() { std::remove(path.c_str()); }
    } remove{path};
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out)
            throw OpenMMException("GenerativeMove: cannot write a temporary file to read the model " + where);
    }
    try {
        return ada::loadTrainedModel(path);
    } catch (const std::exception& e) {
        throw OpenMMException("GenerativeMove: " + replaceAll(e.what(), path, where));
    }
}

GenerativeMoveImpl::GenerativeMoveImpl(const GenerativeMove& owner) : owner_(owner) {}

GenerativeMoveImpl::~GenerativeMoveImpl() = default;

void GenerativeMoveImpl::initialize(ContextImpl& context) {
    const System& system = context.getSystem();
    torsionMoves_ = owner_.getNumTorsions() > 0;
    if (torsionMoves_) {
        movedAtoms_ = checkTorsions(system);
        atoms_.clear();
        for (int i = 0; i < system.getNumParticles(); ++i)
            atoms_.push_back(i);
    } else {
        atoms_ = movedAtoms_ = owner_.resolveAtoms(system.getNumParticles());
    }
    for (int atom : movedAtoms_) {
        if (system.isVirtualSite(atom))
            throw OpenMMException("GenerativeMove: particle " + std::to_string(atom) + " is a virtual site; virtual sites cannot be moved");
        if (system.getParticleMass(atom) <= 0)
            throw OpenMMException("GenerativeMove: particle " + std::to_string(atom) + " is massless (fixed); it cannot be moved");
    }
    if (!torsionMoves_) {
        const std::set<int> moved(movedAtoms_.begin(), movedAtoms_.end());
        for (int c = 0; c < system.getNumConstraints(); ++c) {
            int i, j;
            double distance;
            system.getConstraintParameters(c, i, j, distance);
            if (moved.count(i) || moved.count(j))
                throw OpenMMException("GenerativeMove: moved particle " + std::to_string(moved.count(i) ? i : j) + " is in constraint " +
                                      std::to_string(c) + " (" + std::to_string(i) + "-" + std::to_string(j) +
                                      "); proposals cannot satisfy constraints: remove constraints on the moved atoms");
        }
    }
    frequency_ = owner_.getFrequency();
    attemptsPerMove_ = owner_.getAttemptsPerMove();
    kT_ = kGasConstant * owner_.getTemperature();
    uint64_t seed = static_cast<uint64_t>(static_cast<unsigned int>(owner_.getRandomNumberSeed()));
    if (seed == 0)
        seed = (static_cast<uint64_t>(std::random_device()()) << 32) ^ std::random_device()();
    random_.seed(seed);

    ada::TrainedModel model = loadModel(owner_.getModelBytes(), "embedded in the GenerativeMove");
    ada::FlowProposalOptions options;
    options.batchSize(owner_.getBatchSize()).tolerance(owner_.getTolerance()).seed(random_());
    try {
        if (torsionMoves_) {
            std::vector<ada::MovedTorsion> torsions;
            for (const GenerativeMove::Torsion& t : owner_.torsions_)
                torsions.push_back({{t.p1, t.p2, t.p3, t.p4}, t.rotatedAtoms, t.windowStart});
            proposal_ = std::make_unique<ada::TorsionProposal>(model, torsions, system.getNumParticles(), options);
        } else {
            proposal_ = std::make_unique<ada::FlowProposal>(model, static_cast<int64_t>(atoms_.size()), options);
        }
    } catch (const ada::SpecError& e) {
        throw OpenMMException(std::string("GenerativeMove: ") + e.what());
    }
    current_.resize(3 * atoms_.size());
    numAttempted_ = numAccepted_ = 0;
    lastMoveStep_ = -1;
}

std::vector<int> GenerativeMoveImpl::checkTorsions(const System& system) const {
    const int numTorsions = owner_.getNumTorsions();
    std::vector<std::set<int>> rotated(static_cast<size_t>(numTorsions));
    std::set<int> moved;
    for (int k = 0; k < numTorsions; ++k) {
        const GenerativeMove::Torsion& torsion = owner_.torsions_[static_cast<size_t>(k)];
        GenerativeMove::checkTorsion(torsion, k, system.getNumParticles());
        rotated[static_cast<size_t>(k)].insert(torsion.rotatedAtoms.begin(), torsion.rotatedAtoms.end());
        moved.insert(torsion.rotatedAtoms.begin(), torsion.rotatedAtoms.end());
    }
    // Constraint lengths and the angles between constraints that share an atom must be kept by every rotation
    // (TorsionProposal.h): a rigid rotation keeps distances within the rotated atoms, within the others, and from
    // a rotated atom to the axis atoms p2 and p3; at p2 and p3 it changes the angle between a rotated and an
    // unrotated partner (other than the axis atom).
    std::vector<std::vector<int>> partners(static_cast<size_t>(system.getNumParticles()));
    for (int c = 0; c < system.getNumConstraints(); ++c) {
        int i, j;
        double distance;
        system.getConstraintParameters(c, i, j, distance);
        partners[static_cast<size_t>(i)].push_back(j);
        partners[static_cast<size_t>(j)].push_back(i);
        for (int k = 0; k < numTorsions; ++k) {
            const GenerativeMove::Torsion& torsion = owner_.torsions_[static_cast<size_t>(k)];
            const bool ri = rotated[static_cast<size_t>(k)].count(i) > 0, rj = rotated[static_cast<size_t>(k)].count(j) > 0;
            const int fixed = ri ? j : i;
            if (ri != rj && fixed != torsion.p2 && fixed != torsion.p3)
                throw OpenMMException("GenerativeMove: constraint " + std::to_string(c) + " (" + std::to_string(i) + "-" + std::to_string(j) +
                                      ") would change length: torsion " + std::to_string(k) + " rotates atom " + std::to_string(ri ? i : j) +
                                      " but not atom " + std::to_string(fixed) + ", which is not on its axis (" + std::to_string(torsion.p2) +
                                      "-" + std::to_string(torsion.p3) + "); a constraint may join two rotated atoms, two unrotated atoms, or "
                                      "a rotated atom and an axis atom");
        }
    }
    for (int k = 0; k < numTorsions; ++k) {
        const GenerativeMove::Torsion& torsion = owner_.torsions_[static_cast<size_t>(k)];
        for (const int axis : {torsion.p2, torsion.p3}) {
            const int other = axis == torsion.p2 ? torsion.p3 : torsion.p2;
            int rotatedPartner = -1, fixedPartner = -1;
            for (int partner : partners[static_cast<size_t>(axis)])
                if (partner != other)
                    (rotated[static_cast<size_t>(k)].count(partner) ? rotatedPartner : fixedPartner) = partner;
            if (rotatedPartner >= 0 && fixedPartner >= 0)
                throw OpenMMException("GenerativeMove: axis atom " + std::to_string(axis) + " of torsion " + std::to_string(k) +
                                      " is constrained to rotated atom " + std::to_string(rotatedPartner) + " and to unrotated atom " +
                                      std::to_string(fixedPartner) + ": the rotation would change the angle between the two constraints");
        }
    }
    return std::vector<int>(moved.begin(), moved.end());
}

void GenerativeMoveImpl::updateContextState(ContextImpl& context, bool& forcesInvalid) {
    const long long step = context.getStepCount();
    if (step <= 0 || step % frequency_ != 0 || step == lastMoveStep_)
        return;
    lastMoveStep_ = step;
    // K attempts in a row, each a Metropolis–Hastings step: their composition leaves π invariant. (Stopping at
    // the first acceptance would not: the number of tries would then depend on the state.)
    context.getPositions(positions_);
    double energy = context.calcForcesAndEnergy(true, true);
    for (int k = 0; k < attemptsPerMove_; ++k)
        energy = attempt(context, energy, attemptsPerMove_ - k);
    // Energies were evaluated at trial positions: the Context's forces no longer belong to its positions.
    forcesInvalid = true;
}

double GenerativeMoveImpl::attempt(ContextImpl& context, double initialEnergy, int remainingAttempts) {
    for (size_t k = 0; k < atoms_.size(); ++k)
        for (int a = 0; a < 3; ++a)
            current_[3 * k + a] = positions_[static_cast<size_t>(atoms_[k])][a];
    ada::ProposedMove move;
    try {
        move = proposal_->propose(current_, remainingAttempts);
    } catch (const std::exception& e) {
        throw OpenMMException(std::string("GenerativeMove: ") + e.what());
    }
    initialPositions_ = positions_;
    for (size_t k = 0; k < atoms_.size(); ++k)
        positions_[static_cast<size_t>(atoms_[k])] = Vec3(move.positions[3 * k], move.positions[3 * k + 1], move.positions[3 * k + 2]);
    context.setPositions(positions_);
    const double finalEnergy = context.calcForcesAndEnergy(true, true);
    const double logAcceptance = -(finalEnergy - initialEnergy) / kT_ + move.logReverse - move.logForward;
    const double u = std::generate_canonical<double, 53>(random_);
    ++numAttempted_;
    // NaN energies or densities compare false: the move is rejected.
    if (std::log(u) < logAcceptance) {
        ++numAccepted_;
        redrawVelocities(context);
        return finalEnergy;
    }
    positions_.swap(initialPositions_);
    context.setPositions(positions_);
    return initialEnergy;
}

void GenerativeMoveImpl::redrawVelocities(ContextImpl& context) {
    context.getVelocities(velocities_);
    std::normal_distribution<double> normal;
    const System& system = context.getSystem();
    for (int atom : torsionMoves_ ? atoms_ : movedAtoms_) {
        const double mass = system.getParticleMass(atom);
        const double sigma = mass > 0 ? std::sqrt(kT_ / mass) : 0.0;
        velocities_[static_cast<size_t>(atom)] = Vec3(sigma * normal(random_), sigma * normal(random_), sigma * normal(random_));
    }
    context.setVelocities(velocities_);
    // With constraints, a draw for every particle projected onto the constraints' tangent space (mass-weighted)
    // is the Maxwell–Boltzmann distribution on that space at the new positions (GenerativeMove.h).
    if (torsionMoves_ && system.getNumConstraints() > 0)
        context.applyVelocityConstraints(context.getIntegrator().getConstraintTolerance());
}

}  // namespace OpenMMADA
