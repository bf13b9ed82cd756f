#include "ada/flow/TorsionProposal.h"

#include <set>
#include <sstream>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <Eigen/Geometry>

#include "ada/io/SpecError.h"
#include "ada/observables/Dihedral.h"

namespace ada {

namespace {

constexpr double kTwoPi = 2 * M_PI;
// Batches in a row with no candidate inside the windows before giving up: the model has (almost) no mass there.
constexpr int kMaxEmptyBatches = 100;

std::string describe(const MovedTorsion& torsion, int index) {
    std::ostringstream text;
    text << "torsion " << index << " (atoms " << torsion.atoms[0] << "-" << torsion.atoms[1] << "-" << torsion.atoms[2] << "-"
         << torsion.atoms[3] << ")";
    return text.str();
}

Eigen::Vector3d position(const std::vector<double>& x, int atom) {
    return Eigen::Vector3d(x[3 * static_cast<size_t>(atom)], x[3 * static_cast<size_t>(atom) + 1], x[3 * static_cast<size_t>(atom) + 2]);
}

}  // namespace

void checkMovedTorsion(const MovedTorsion& torsion, int index, int64_t numAtoms, const std::string& who) {
    const std::string name = who + describe(torsion, index);
    auto checkIndex = [&](int atom, const std::string& role) {
        if (atom < 0)
            throw SpecError(name + ": " + role + " " + std::to_string(atom) + " is negative");
        if (numAtoms >= 0 && atom >= numAtoms)
            throw SpecError(name + ": " + role + " " + std::to_string(atom) + " is out of range: there are " + std::to_string(numAtoms) +
                            " particles");
    };
    for (int atom : torsion.atoms)
        checkIndex(atom, "atom index");
    const std::set<int> four(torsion.atoms.begin(), torsion.atoms.end());
    if (four.size() != 4)
        throw SpecError(name + ": the four atoms must be distinct");
    if (torsion.rotated.empty())
        throw SpecError(name + ": no rotated atoms; give the atoms on d's side of the b-c bond, d included");
    std::set<int> rotated;
    for (int atom : torsion.rotated) {
        checkIndex(atom, "rotated atom");
        if (!rotated.insert(atom).second)
            throw SpecError(name + ": rotated atom " + std::to_string(atom) + " is listed twice");
    }
    if (!rotated.count(torsion.atoms[3]))
        throw SpecError(name + ": the rotated atoms must include d (atom " + std::to_string(torsion.atoms[3]) +
                        "): they are the atoms on d's side of the b-c bond");
    for (int k = 0; k < 3; ++k)
        if (rotated.count(torsion.atoms[k]))
            throw SpecError(name + ": rotated atom " + std::to_string(torsion.atoms[k]) + " is its " + "abc"[k] +
                            "; the rotated atoms are those on d's side of the b-c bond, without b and c");
    if (!std::isfinite(torsion.windowStart))
        throw SpecError(name + ": the window start must be finite (rad), found " + std::to_string(torsion.windowStart));
}

double wrapIntoWindow(double angle, double windowStart) {
    double wrapped = windowStart + (angle - windowStart - kTwoPi * std::floor((angle - windowStart) / kTwoPi));
    // Rounding can land exactly on the window's open end.
    if (wrapped >= windowStart + kTwoPi)
        wrapped = windowStart;
    return wrapped;
}

TorsionProposal::TorsionProposal(const TrainedModel& model, std::vector<MovedTorsion> torsions, int64_t numAtoms,
                                 const FlowProposalOptions& options)
    : density_(model, options.tolerance()), torsions_(std::move(torsions)), numAtoms_(numAtoms), options_(options),
      generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed())) {
    if (options_.batchSize() < 1)
        throw SpecError("torsion proposal: the batch size must be at least 1, found " + std::to_string(options_.batchSize()));
    const int64_t k = static_cast<int64_t>(torsions_.size());
    if (k == 0)
        throw SpecError("torsion proposal: no torsions");
    const DataPreparation& data = density_.model().data;
    if (data.centred || data.aligned || density_.dimension() != density_.flatDimension())
        throw SpecError("torsion proposal: the model was trained on particle positions (centred or aligned), not on torsion "
                        "angles; train it on a [frames, torsions] array of angles");
    if (density_.flatDimension() != k)
        throw SpecError("torsion proposal: the model is a density on " + std::to_string(density_.flatDimension()) + " numbers, but " +
                        std::to_string(k) + " torsions are moved (one angle each)");
    for (size_t t = 0; t < torsions_.size(); ++t)
        checkMovedTorsion(torsions_[t], static_cast<int>(t), numAtoms_, "torsion proposal: ");
}

std::vector<double> TorsionProposal::angles(const std::vector<double>& x) const {
    std::vector<double> theta;
    theta.reserve(torsions_.size());
    for (const MovedTorsion& torsion : torsions_)
        theta.push_back(wrapIntoWindow(dihedralAngle(x.data(), torsion.atoms.data(), PeriodicBox::none(), nullptr), torsion.windowStart));
    return theta;
}

double TorsionProposal::logDensity(const std::vector<double>& theta) {
    at::Tensor y = at::tensor(theta, at::kDouble).reshape({1, -1}) / density_.scale();
    return density_.logDensity(y).item<double>() + density_.logJacobian();
}

std::vector<double> TorsionProposal::rotateTo(const std::vector<double>& x, const std::vector<double>& theta) const {
    const std::vector<double> initial = angles(x);
    std::vector<double> rotated = x;
    for (size_t k = 0; k < torsions_.size(); ++k) {
        const MovedTorsion& torsion = torsions_[k];
        const Eigen::Vector3d b = position(rotated, torsion.atoms[1]), c = position(rotated, torsion.atoms[2]);
        const Eigen::Matrix3d rotation = Eigen::AngleAxisd(theta[k] - initial[k], (c - b).normalized()).toRotationMatrix();
        for (int atom : torsion.rotated) {
            const Eigen::Vector3d r = c + rotation * (position(rotated, atom) - c);
            for (int a = 0; a < 3; ++a)
                rotated[3 * static_cast<size_t>(atom) + a] = r[a];
        }
    }
    for (size_t k = 0; k < torsions_.size(); ++k) {
        const double realised = dihedralAngle(rotated.data(), torsions_[k].atoms.data(), PeriodicBox::none(), nullptr);
        const double error = std::remainder(realised - theta[k], kTwoPi);
        if (!(std::abs(error) <= 1e-6)) {
            std::ostringstream text;
            text << "torsion proposal: after the rotations " << describe(torsions_[k], static_cast<int>(k)) << " is " << realised
                 << " rad instead of " << std::remainder(theta[k], kTwoPi)
                 << ": the rotated sets are inconsistent (a rotation changes another moved torsion); each rotated set must be "
                    "the atoms on d's side of its b-c bond, and every other moved torsion must lie wholly inside or wholly "
                    "outside it (or on its axis)";
            throw SpecError(text.str());
        }
    }
    return rotated;
}

FlowDensity::Draw TorsionProposal::nextCandidate() {
    int emptyBatches = 0;
    while (true) {
        if (candidates_.empty()) {
            if (emptyBatches++ == kMaxEmptyBatches)
                throw SpecError("torsion proposal: none of " + std::to_string(kMaxEmptyBatches * options_.batchSize()) +
                                " candidates from the model fell inside the torsion windows; choose window starts where the "
                                "training angles have a gap, and train the model on angles in those windows");
            for (FlowDensity::Draw& draw : density_.sample(options_.batchSize(), generator_)) {
                for (double& value : draw.y)
                    value *= density_.scale();
                draw.logDensity += density_.logJacobian();
                candidates_.push_back(std::move(draw));
            }
            candidatesDrawn_ += options_.batchSize();
        }
        FlowDensity::Draw candidate = std::move(candidates_.front());
        candidates_.pop_front();
        bool inside = true;
        for (size_t k = 0; k < torsions_.size(); ++k)
            inside = inside && candidate.y[k] >= torsions_[k].windowStart && candidate.y[k] < torsions_[k].windowStart + kTwoPi;
        if (inside)
            return candidate;
        ++candidatesOutsideWindows_;
    }
}

ProposedMove TorsionProposal::propose(const std::vector<double>& current, int64_t) {
    if (static_cast<int64_t>(current.size()) != 3 * numAtoms_)
        throw SpecError("torsion proposal: expected positions of " + std::to_string(numAtoms_) + " atoms (" + std::to_string(3 * numAtoms_) +
                        " values), found " + std::to_string(current.size()));
    ProposedMove move;
    if (reverseState_ == current) {
        ++reverseCacheHits_;
    } else if (lastProposal_ == current) {
        cachedReverse_ = lastForward_;
        reverseState_ = current;
        ++reverseCacheHits_;
    } else {
        cachedReverse_ = logDensity(angles(current));
        reverseState_ = current;
        ++reverseSolves_;
    }
    move.logReverse = cachedReverse_;
    const FlowDensity::Draw candidate = nextCandidate();
    move.positions = rotateTo(current, candidate.y);
    move.logForward = candidate.logDensity;
    lastProposal_ = move.positions;
    lastForward_ = move.logForward;
    return move;
}

}  // namespace ada
