#include "ada/flow/FlowProposal.h"

#include <cmath>
#include <string>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/GaussianBase.h"
#include "ada/flow/LogLikelihood.h"
#include "ada/flow/OdeSampler.h"
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
    : model_(model), numAtoms_(numAtoms), options_(options), generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed())) {
    if (!model_.field)
        throw SpecError("flow proposal: the model has no vector field");
    if (options_.batchSize() < 1)
        throw SpecError("flow proposal: the batch size must be at least 1, found " + std::to_string(options_.batchSize()));
    if (!(options_.tolerance() > 0))
        throw SpecError("flow proposal: the ODE tolerance must be positive, found " + std::to_string(options_.tolerance()));
    const int64_t flat = model_.field->flatDimension();
    if (flat != 3 * numAtoms)
        throw SpecError("flow proposal: the model is a density on " + std::to_string(flat) + " coordinates, but " +
                        std::to_string(numAtoms) + " atoms have " + std::to_string(3 * numAtoms) + " coordinates");
    model_.field->to(at::kDouble);
    model_.field->eval();
    const GaussianBase base = GaussianBase::of(*model_.field);
    dimension_ = base.dimension();
    logScale_ = std::log(model_.data.scale);
    const DataPreparation& data = model_.data;
    if (data.aligned) {
        if (static_cast<int64_t>(data.reference.size()) != 3 * numAtoms)
            throw SpecError("flow proposal: the model's alignment reference has " + std::to_string(data.reference.size()) +
                            " coordinates, expected " + std::to_string(3 * numAtoms));
        reference_ = points(data.reference);
        referenceCentre_ = reference_.colwise().mean().transpose();
    }
    reverseDependsOnStateOnly_ = !data.aligned && (!data.centred || model_.field->zeroCentreOfMass());
}

FlowProposal::Frame FlowProposal::frameOf(const std::vector<double>& x) const {
    Frame frame;
    if (!model_.data.particles || !(model_.data.centred || model_.data.aligned))
        return frame;
    const auto p = points(x);
    const Eigen::Vector3d centre = p.colwise().mean().transpose();
    if (model_.data.aligned)
        frame.rotation = kabschRotation(reference_, p);
    frame.translation = centre - frame.rotation * referenceCentre_;
    return frame;
}

at::Tensor FlowProposal::modelLogDensity(const at::Tensor& y) {
    LikelihoodOptions options;
    options.ode = OdeOptions::dormandPrince(options_.tolerance(), options_.tolerance());
    std::vector<int64_t> shape{y.size(0)};
    const std::vector<int64_t> event = model_.field->eventShape();
    shape.insert(shape.end(), event.begin(), event.end());
    return logLikelihood(*model_.field, y.reshape(shape), options).logLikelihood;
}

void FlowProposal::drawCandidates() {
    const OdeOptions ode = OdeOptions::dormandPrince(options_.tolerance(), options_.tolerance());
    const int64_t count = options_.batchSize();
    const at::Tensor y = sampleByOde(*model_.field, count, ode, generator_).samples.reshape({count, -1}).contiguous();
    const at::Tensor logDensity = modelLogDensity(y).contiguous();
    const int64_t d = y.size(1);
    const double* values = y.data_ptr<double>();
    const double* densities = logDensity.data_ptr<double>();
    for (int64_t b = 0; b < count; ++b)
        candidates_.push_back({std::vector<double>(values + b * d, values + (b + 1) * d), densities[b], 0.0, false});
    candidatesDrawn_ += count;
}

double FlowProposal::logDensity(const std::vector<double>& to, const std::vector<double>& from) {
    if (static_cast<int64_t>(to.size()) != 3 * numAtoms_ || static_cast<int64_t>(from.size()) != 3 * numAtoms_)
        throw SpecError("flow proposal: expected positions of " + std::to_string(numAtoms_) + " atoms (" + std::to_string(3 * numAtoms_) +
                        " values)");
    const Frame frame = frameOf(from);
    const double inverseScale = 1.0 / model_.data.scale;
    at::Tensor y = at::empty({1, 3 * numAtoms_}, at::kDouble);
    Eigen::Map<Points> modelCoordinates(y.data_ptr<double>(), numAtoms_, 3);
    // F⁻¹(x)_i / s = Rᵀ (x_i − t) / s, written row-wise.
    modelCoordinates = ((points(to).rowwise() - frame.translation.transpose()) * frame.rotation) * inverseScale;
    return modelLogDensity(y).item<double>() - static_cast<double>(dimension_) * logScale_;
}

std::vector<double> FlowProposal::place(const Candidate& candidate, const Frame& frame) const {
    std::vector<double> x(3 * static_cast<size_t>(numAtoms_));
    Eigen::Map<Points> placed(x.data(), numAtoms_, 3);
    // F(s·y)_i = t + R (s y_i), written row-wise.
    placed = ((points(candidate.y) * model_.data.scale) * frame.rotation.transpose()).rowwise() + frame.translation.transpose();
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
        modelCoordinates = ((points(current).rowwise() - reverseFrame.translation.transpose()) * reverseFrame.rotation) / model_.data.scale;
    }
    const at::Tensor logDensity = modelLogDensity(y).contiguous();
    for (int64_t k = 0; k < count; ++k) {
        candidates_[k].reverse = logDensity[k].item<double>() - static_cast<double>(dimension_) * logScale_;
        candidates_[k].hasReverse = true;
    }
    for (size_t k = static_cast<size_t>(count); k < candidates_.size(); ++k)
        candidates_[k].hasReverse = false;
    reverseState_ = current;
    ++reverseSolves_;
}

FlowMove FlowProposal::propose(const std::vector<double>& current, int64_t lookahead) {
    if (static_cast<int64_t>(current.size()) != 3 * numAtoms_)
        throw SpecError("flow proposal: expected positions of " + std::to_string(numAtoms_) + " atoms (" + std::to_string(3 * numAtoms_) +
                        " values), found " + std::to_string(current.size()));
    while (candidates_.empty())
        drawCandidates();
    FlowMove move;
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
    move.logForward = candidate.logDensity - static_cast<double>(dimension_) * logScale_;
    return move;
}

}  // namespace ada
