#pragma once
// An E(n)-equivariant graph network vector field for N identical particles in S = 2 or 3 dimensions
// (Satorras, Hoogeboom & Welling, "E(n) Equivariant Graph Neural Networks", ICML 2021; DESIGN.md §3.1).
// Fully connected graph; the flow time enters as the initial node feature h_i^0 = W_t e(t) + b_t (the same
// for every particle: the particles are identical). Layer l = 1..L, with j running over the N − 1 others:
//   m_ij      = φ_e(h_i, h_j, ‖x_i − x_j‖², ρ(‖x_i − x_j‖))                   (edge MLP, SiLU)
//   x_i      ← x_i + 1/(N−1) Σ_j (x_i − x_j)/(‖x_i − x_j‖ + c) · φ_x(m_ij)     (coordinate update, scalar φ_x;
//                                                                              with a range R > 0, φ_x → (R/L) tanh(φ_x))
//   h_i      ← h_i + φ_h(h_i, 1/(N−1) Σ_j m_ij)                              (node MLP; skipped in layer L,
//                                                                              whose h would not be used)
//   v_i(x, t) = x_i^L − x_i^0 − 1/N Σ_k (x_k^L − x_k^0)                      (projection to zero centre of mass)
// With layer normalisation (optional, as the EGNN of the public Adjoint Sampling code), every hidden
// pre-activation of φ_e (both), φ_x and φ_h is normalised over its features (LayerNorm with a learnt gain and
// shift) before SiLU: the squared distances enter the first edge layer unscaled, and the normalisation keeps the
// messages of order one whatever the distances' scale.
// Radial basis (optional, K > 0 functions up to a cutoff r_c): ρ_k(r) = exp(−((r − μ_k)/w)²), μ_k = k r_c/(K − 1),
// w = r_c/(K − 1) (K = 1: μ_0 = 0, w = r_c), k = 0..K−1, fed to the first edge layer beside d². A single d² makes
// the edge MLP build the radial dependence itself; stiff pair forces such as Lennard-Jones's (r^−13 near contact)
// are then hard to fit closely with a narrow network, and a smooth basis over the contact range gives it local
// handles on the distance (the Gaussian expansions of SchNet and PaiNN). K = 0 leaves the layer as before.
// Measured on LJ-13 (K = 24, r_c = 3): a lower training loss and a worse sampler (docs/benchmarks/adjoint_sampling.md).
// The coordinate update uses differences normalised by ‖x_i − x_j‖ + c (c = distanceOffset, as in E(n) flows)
// for numerical stability (‖·‖ evaluated as sqrt(d² + 1e-12), so that coinciding particles keep finite
// derivatives), and mean rather than sum aggregation so the scale does not grow with N.
// A range R bounds every particle's update by R/L per layer and |v_i| by R, as E(n) flows and DEM's EGNN do:
// a control trained on large regression targets (Adjoint Sampling's clipped forces) then cannot grow without
// bound, move particles far apart in a rollout, and feed the larger distances back into the network.
// Properties (tested): v(Rx + a, t) = R v(x, t) for rotations and reflections R and translations a, and
// v(Px, t) = P v(x, t) for permutations P of the particles; Σ_i v_i = 0.
#include <cstdint>

#include <nlohmann/json.hpp>
#include <torch/arg.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "ada/models/SinusoidalTimeEmbedding.h"
#include "ada/models/VectorField.h"

namespace ada {

struct EGNNVectorFieldOptions {
    EGNNVectorFieldOptions(int64_t particles, int64_t spatialDimension) : particles_(particles), spatialDimension_(spatialDimension) {}
    /** N, the number of particles (>= 2). */
    TORCH_ARG(int64_t, particles);
    /** S, the spatial dimension (2 or 3). */
    TORCH_ARG(int64_t, spatialDimension);
    /** Width of node features, messages and hidden layers. */
    TORCH_ARG(int64_t, hidden) = 64;
    /** Number of EGNN layers L (>= 1). */
    TORCH_ARG(int64_t, layers) = 4;
    /** Dimension of the time embedding e(t) (even). */
    TORCH_ARG(int64_t, timeEmbedding) = 32;
    /** Highest angular frequency ω_max of the time embedding. */
    TORCH_ARG(double, maxFrequency) = 100.0;
    /** c in (x_i − x_j)/(‖x_i − x_j‖ + c), in the units of x (> 0). */
    TORCH_ARG(double, distanceOffset) = 1.0;
    /** R, the bound of |v_i| through tanh-limited coordinate updates, in the units of x (0: unbounded). */
    TORCH_ARG(double, coordinateRange) = 0.0;
    /** Layer normalisation of the hidden pre-activations of every MLP. */
    TORCH_ARG(bool, layerNorm) = false;
    /** K, Gaussian radial basis functions of the pair distance fed to the edge MLP (0: none). */
    TORCH_ARG(int64_t, radialBasis) = 0;
    /** r_c, the largest centre of the radial basis, in the units of x (> 0). */
    TORCH_ARG(double, radialCutoff) = 3.0;

public:  // TORCH_ARG leaves the access private
    nlohmann::json toJson() const;
    /** Throws SpecError naming `where` and the field on a bad or missing value. */
    static EGNNVectorFieldOptions fromJson(const nlohmann::json& config, const std::string& where);
};

/** ρ(r) of the header, K = count functions up to cutoff: distance [..., 1] → [..., K]. */
at::Tensor gaussianRadialBasis(const at::Tensor& distance, int64_t count, double cutoff);

class EGNNVectorFieldImpl : public VectorField {
public:
    static constexpr const char* bundleKind = "egnn_vector_field";

    explicit EGNNVectorFieldImpl(const EGNNVectorFieldOptions& options);
    /** x [B, N, S] (or flattened [B, N·S]), t [B] or scalar → v of x's shape, zero centre of mass. */
    at::Tensor forward(const at::Tensor& x, const at::Tensor& t) override;
    std::string kind() const override { return bundleKind; }
    nlohmann::json config() const override { return options_.toJson(); }
    std::vector<int64_t> eventShape() const override { return {options_.particles(), options_.spatialDimension()}; }
    bool zeroCentreOfMass() const override { return true; }
    const EGNNVectorFieldOptions& options() const { return options_; }

private:
    EGNNVectorFieldOptions options_;
    SinusoidalTimeEmbedding timeEmbedding_{nullptr};
    torch::nn::Linear nodeEmbedding_{nullptr};
    torch::nn::ModuleList layers_{nullptr};
};
TORCH_MODULE(EGNNVectorField);

}  // namespace ada
