#pragma once
// The common interface of time-dependent vector fields v_θ(x, t) used by flow matching, its samplers and
// likelihoods (DESIGN.md §3.1) and by the memoryless SDE of adjoint matching (§3.2).
//
// A field acts on a batch x [B, event...] with event shape [D] (generic vectors) or [N, S] (N particles in
// S = 2 or 3 spatial dimensions) at times t [B] or a scalar t, and returns v with the shape of x. Fields of
// particle systems live in the zero-centre-of-mass subspace {x : Σ_i x_i = 0}: their output has zero mean
// over particles and their base distribution is the Gaussian on that subspace (see flow/GaussianBase.h).
// Trainers and samplers only see this interface; kind() and config() rebuild a field from a bundle
// (models/ModelBundle.h) without knowing its architecture in advance.
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>

namespace ada {

class VectorField : public torch::nn::Module {
public:
    /** v(x, t): x [B, event...] (or flattened [B, D]); t [B] or a 0-dim tensor; returns x's shape. */
    virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& t) = 0;
    /** The bundle kind naming the architecture, e.g. "mlp_vector_field". */
    virtual std::string kind() const = 0;
    /** The options as JSON: enough to rebuild the architecture (see ModelBundle). */
    virtual nlohmann::json config() const = 0;
    /** The shape of one sample: {D} or {N, S}. */
    virtual std::vector<int64_t> eventShape() const = 0;
    /** True for particle fields whose states and velocities live in the zero-centre-of-mass subspace. */
    virtual bool zeroCentreOfMass() const { return false; }

    /** The number of coordinates of one sample, D = Π eventShape (N·S for particles). */
    int64_t flatDimension() const;
    /** The dtype and device of the parameters, for tensors that must match them (float64 CPU without parameters). */
    at::TensorOptions tensorOptions() const;

protected:
    /** Times as a [B] tensor in x's dtype and device (B = x.size(0)); throws SpecError unless t has 1 or B values. */
    static at::Tensor batchTimes(const at::Tensor& t, const at::Tensor& x, const std::string& who);
};

}  // namespace ada
