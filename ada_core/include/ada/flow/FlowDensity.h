#pragma once
// A trained flow-matching model (DESIGN.md §3.1) as a proposal density for Monte Carlo moves (§3.6): draws and
// exact log-densities, in float64, with every ODE solved by adaptive Dormand–Prince at one tolerance.
//
// The field models y = u / s, u the prepared data and s the model's scale (TrainedModel.h), so that
//   log p_u(u) = log p_y(u / s) − d·ln s,
// d the dimension of the model's support (D, or (N−1)·3 for zero-centre-of-mass particle fields). Samples
// y = Φ(y0), y0 ~ p0, come from the probability-flow ODE (OdeSampler.h); log p_y from the instantaneous change
// of variables with the exact trace (LogLikelihood.h). The density is that of the exact flow map; the sampler
// realises the map to the tolerance, which bounds the departure from exactness of a move built on it.
// Shared by the Cartesian (FlowProposal.h) and torsion (TorsionProposal.h) proposals.
#include <cstdint>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "ada/models/TrainedModel.h"

namespace ada {

/** Settings of the proposals drawn from a flow (FlowProposal, TorsionProposal). */
struct FlowProposalOptions {
    /** Candidates drawn per forward ODE solve and batched likelihood (>= 1). */
    TORCH_ARG(int64_t, batchSize) = 16;
    /** Relative and absolute tolerance of the Dormand–Prince solves (sampling and likelihoods). */
    TORCH_ARG(double, tolerance) = 1e-6;
    /** Seed of the noise y0 of the candidates. */
    TORCH_ARG(uint64_t, seed) = 0;
};

class FlowDensity {
public:
    /** One draw: model coordinates y (flattened, D values) and log p_y(y). */
    struct Draw {
        std::vector<double> y;
        double logDensity;
    };

    /**
     * The model's field, moved to float64 in place (the TrainedModel shares it) and put in evaluation mode;
     * `tolerance` (relative and absolute) for all solves. Throws SpecError for a model without a field or a
     * tolerance <= 0.
     */
    FlowDensity(const TrainedModel& model, double tolerance);

    /** `count` draws y ~ p_y with their log p_y, from one batched ODE solve and one batched likelihood solve. */
    std::vector<Draw> sample(int64_t count, at::Generator& generator);
    /** log p_y of model coordinates y [B, D] (float64, flattened) → [B]. */
    at::Tensor logDensity(const at::Tensor& y);

    const TrainedModel& model() const { return model_; }
    /** s, the scale of the prepared data (u = s·y). */
    double scale() const { return model_.data.scale; }
    /** −d·ln s: add to log p_y to get the density of u = s·y. */
    double logJacobian() const { return logJacobian_; }
    /** d, the dimension of the model's support. */
    int64_t dimension() const { return dimension_; }
    /** D, the number of values of one sample. */
    int64_t flatDimension() const { return model_.field->flatDimension(); }

private:
    TrainedModel model_;
    double tolerance_;
    int64_t dimension_;
    double logJacobian_;
};

}  // namespace ada
