#include "ada/flow/FlowProposal.h"

#include <cmath>
#include <string>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "ada/io/Kabsch.h"
#include "ada/io/SpecError.h"

namespace ada {

namespace {

using Points = Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>;

Eigen::Map<const Points> points(const std::vector<double>& x) {
    return Eigen::Map<const Points>(x.data(), static_cast<Eigen::Index>(x.size() / 3), 3);
}

}  // namespace

FlowProposal::FlowProposal(const TrainedModel& model, int64_t numAtoms, const FlowProposalOptions& options)
    : density_(model, options.tolerance()), numAtoms_(numAtoms), options_(options),
      generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed())) {
    if (options_.batchSize() < 1)
        throw SpecError("flow proposal: the batch size must be at least 1, found " + std::to_string(options_.batchSize()));
    const int64_t flat = density_.flatDimension();
    if (flat != 3 * numAtoms)
        throw SpecError("flow proposal: the model is a density on " + std::to_string(flat) + " coordinates, but " +
                        std::to_string(numAtoms) + " atoms have " + std::to_string(3 * numAtoms) + " coordinates");
    if (data().aligned) {
        if (static_cast<int64_t>(data().reference.size()) != 3 * numAtoms)
            throw SpecError("flow proposal: the model's alignment reference has " + std::to_string(data().reference.size()) +
                            " coordinates, expected " + std::to_string(3 * numAtoms));
        reference_ = points(data().reference);
        referenceCentre_ = reference_.colwise().mean().transpose();
    }
    reverseDependsOnStateOnly_ = !data().aligned && (!data().centred || density_.model().field->zeroCentreOfMass());
}

FlowProposal::Frame FlowProposal::frameOf(const std::vector<double>& x) const {
    Frame frame;
    if (!data().particles || !(data().centred || data().aligned))
        return frame;
    const auto p = points(x);
    const Eigen::Vector3d centre = p.colwise().mean().transpose();
    if (data().aligned)
        frame.rotation = kabschRotation(reference_, p);
    frame.translation = centre - frame.rotation * referenceCentre_;
    return frame;
}

void FlowProposal::drawCandidates() {
    for (FlowDensity::Draw& draw : density_.sample(options_.batchSize(), generator_))
        candidates_.push_back({std::move(draw.y), draw.logDensity, 0.0, false});
    candidatesDrawn_ += options_.batchSize();
}

double FlowProposal::logDensity(const std::vector<double>& to, const std::vector<double>& from) {
    if (static_cast<int64_t>(to.size()) != 3 * numAtoms_ || static_cast<int64_t>(from.size()) != 3 * numAtoms_)
        throw SpecError("flow proposal: expected positions of " + std::to_string(numAtoms_) + " atoms (" + std::to_string(3 * numAtoms_) +
                        " values)");
    const Frame frame = frameOf(from);
    const double inverseScale = 1.0 / density_.scale();
    at::Tensor y = at::empty({1, 3 * numAtoms_}, at::kDouble);
    Eigen::Map<Points> modelCoordinates(y.data_ptr<double>(), numAtoms_, 3);
    // F⁻¹(x)_i / s = Rᵀ (x_i − t) / s, written row-wise.
    modelCoordinates = ((points(to).rowwise() - frame.translation.transpose()) * frame.rotation) * inverseScale;
    return density_.logDensity(y).item<double>() + density_.logJacobian();
}

std::vector<double> FlowProposal::place(const Candidate& candidate, const Frame& frame) const {
    std::vector<double> x(3 * static_cast<size_t>(numAtoms_));
    Eigen::Map<Points> placed(x.data(), numAtoms_, 3);
    // F(s·y)_i = t + R (s y_i), written row-wise.
    placed = ((points(candidate.y) * density_.scale()) * frame.rotation.transpose()).rowwise() + frame.translation.transpose();
    return x;
}

void FlowProposal::computeReverse(const std::vector<double>& current, int64_t count) {
    while (static_cast<int64_t>(candidates_.size()) < count)
        drawCandidates();
    // log p_y(F_{x'_k}⁻¹(x) / s) for the next `count` candidates x'_k, in one batched solve.
    const Frame frame = frameOf(current);
    at::Tensor y = at::empty({count, 3 * numAtoms_}, at::kDouble);
    for (int64_t k = 0; k < count; ++k) {
        const Frame reverseFrame = frameOf(place(candidates_[k], frame));
        Eigen::Map<Points> modelCoordinates(y.data_ptr<double>() + k * 3 * numAtoms_, numAtoms_, 3);
        modelCoordinates = ((points(current).rowwise() - reverseFrame.translation.transpose()) * reverseFrame.rotation) / density_.scale();
    }
    const at::Tensor logDensity = density_.logDensity(y).contiguous();
    for (int64_t k = 0; k < count; ++k) {
        candidates_[k].reverse = logDensity[k].item<double>() + density_.logJacobian();
        candidates_[k].hasReverse = true;
    }
    for (size_t k = static_cast<size_t>(count); k < candidates_.size(); ++k)
        candidates_[k].hasReverse = false;
    reverseState_ = current;
    ++reverseSolves_;
}

ProposedMove FlowProposal::propose(const std::vector<double>& current, int64_t lookahead) {
    if (static_cast<int64_t>(current.size()) != 3 * numAtoms_)
        throw SpecError("flow proposal: expected positions of " + std::to_string(numAtoms_) + " atoms (" + std::to_string(3 * numAtoms_) +
                        " values), found " + std::to_string(current.size()));
    while (candidates_.empty())
        drawCandidates();
    ProposedMove move;
    if (reverseDependsOnStateOnly_) {
        if (reverseState_ == current) {
            ++reverseCacheHits_;
        } else {
            cachedReverse_ = logDensity(current, current);
            reverseState_ = current;
            ++reverseSolves_;
        }
        move.logReverse = cachedReverse_;
    } else {
        if (reverseState_ == current && candidates_.front().hasReverse)
            ++reverseCacheHits_;
        else
            computeReverse(current, std::max<int64_t>(lookahead, 1));
        move.logReverse = candidates_.front().reverse;
    }
    const Candidate candidate = std::move(candidates_.front());
    candidates_.pop_front();
    move.positions = place(candidate, frameOf(current));
    move.logForward = candidate.logDensity + density_.logJacobian();
    return move;
}

}  // namespace ada
