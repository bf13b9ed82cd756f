#pragma once
// The ADA critic of one observable (DESIGN.md §3.3): an MLP f: R^d -> R on standardised inputs,
//   u = (y - shift) / scale,  h_l = act(W_l h_{l-1} + b_l)  (l = 1..L),  f(y) = W_out h_L + b_out,
// with a smooth activation (tanh, softplus, silu) so that the bias force J^T grad f is continuous. It is
// trained (CriticTrainer.h) as a Wasserstein-1 critic and exported, exactly, as an MLPFunction (so it becomes an
// ADAForce term, U_bias = kT beta f), or for d = 1 tabulated as a Spline.
// A critic of angles (options.periodic) reads each component through the embedding u = (cos y, sin y) in place
// of the standardisation: f is then 2π-periodic and smooth across the seam ±π, so the dual's Lipschitz bound
// holds on the circle (the chord |e^{iy} − e^{iy'}| ≤ the arc) rather than on the cut interval, where f could
// differ at −π and π and the exported periodic spline would take a jump there. Its export is the spline.
// A critic of an image observable (options.image = {H, W}, e.g. a contact map) is a small CNN ahead of the MLP:
//   u = (y − shift)/scale as an image [1, H, W] (one shift and scale for all pixels),
//   c_1 = act(K_1 * u + b_1)  (C channels, 3×3, stride 1, zero padding 1: [C, H, W]),
//   c_2 = act(K_2 * c_1 + b_2)  (C channels, 3×3, stride 2, padding 1: [C, ⌈H/2⌉, ⌈W/2⌉]),
// then the MLP above on the flattened c_2. The export is an MLPFunction whose first two layers are these
// convolutions (MLPFunction.h, Convolution2D.h), exact, at a cost linear in the image's size.
// Parameter names: "convolutions.<k>.weight|bias" (images), "layers.<l>.weight|bias", "output.weight|bias";
// buffers "input_shift", "input_scale".
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "ada/bias/MLPFunction.h"
#include "ada/bias/Spline.h"

namespace ada {

struct CriticOptions {
    explicit CriticOptions(int64_t dimension) : dimension_(dimension) {}
    /** d, the dimension of the observable. */
    TORCH_ARG(int64_t, dimension);
    /** Width of the hidden layers. */
    TORCH_ARG(int64_t, hidden) = 64;
    /** Number of hidden layers L (>= 1). */
    TORCH_ARG(int64_t, layers) = 2;
    /** "tanh", "softplus" or "silu" (names as in MLPFunction). */
    TORCH_ARG(std::string, activation) = "softplus";
    /** Seed of the weight initialisation (PyTorch's default: U(-1/sqrt(in), 1/sqrt(in))). */
    TORCH_ARG(uint64_t, seed) = 0;
    /** Every component is an angle (radians), read as (cos y, sin y): f is 2π-periodic. */
    TORCH_ARG(bool, periodic) = false;
    /** {height, width} of an image observable (height · width = dimension): a convolutional critic. Empty: none. */
    TORCH_ARG(std::vector<int64_t>, image) = {};
    /** Channels of each convolution of an image critic. */
    TORCH_ARG(int64_t, channels) = 8;

public:  // TORCH_ARG leaves the access private
    nlohmann::json toJson() const;
    /** Throws SpecError naming `where` and the field on a bad or missing value. */
    static CriticOptions fromJson(const nlohmann::json& config, const std::string& where);
};

class CriticImpl : public torch::nn::Module {
public:
    explicit CriticImpl(const CriticOptions& options);
    /** y [B, d] -> f(y) [B], in the dtype of the parameters (convert with ->to(at::kDouble) for exact export). */
    at::Tensor forward(const at::Tensor& y);
    const CriticOptions& options() const { return options_; }

    /** Sets shift and scale to the per-component mean and standard deviation of y [B, d] (scale 1 where the
     *  spread is zero). Only conditioning: f stays a function of y, and its Lipschitz constant is in y's units.
     *  A periodic critic keeps shift 0 and scale 1 (its embedding is already of order one); an image critic
     *  takes the mean and deviation over all pixels (the convolutions see every pixel alike). */
    void standardize(const at::Tensor& y);
    bool standardized() const { return standardized_; }
    /** Declares the current shift and scale buffers final (after restoring them from a checkpoint). */
    void markStandardized() { standardized_ = true; }
    at::Tensor inputShift() const { return shift_; }
    at::Tensor inputScale() const { return scale_; }

    /** factor * f as an MLPFunction (float64 weights; equal to factor * forward in float64 to rounding). With
     *  factor = beta this is the ADAForce term of the tilt exp(-beta f) at ada_lambda = 1. An image critic's
     *  convolutions become convolution layers of the function. */
    MLPFunction toBiasFunction(double factor = 1.0) const;
    /**
     * For d = 1: the cubic spline through factor * f at `points` equally spaced nodes of [lo, hi]. If periodic
     * (an angle: hi - lo = 2 pi), the last node takes the value at lo: exact for a periodic critic; an MLP of
     * the raw angle need not be periodic, so train it on wrapped angles where the seam carries little mass.
     * The only export of a periodic critic (toBiasFunction throws for it).
     */
    Spline toSpline(double lo, double hi, int points, bool periodic, double factor = 1.0) const;

private:
    /** factor * f as an MLPFunction of the network's input (y, or the embedding (cos y, sin y) if periodic). */
    MLPFunction networkFunction(double factor) const;

    CriticOptions options_;
    torch::nn::ModuleList convolutions_{nullptr};
    torch::nn::ModuleList layers_{nullptr};
    torch::nn::Linear output_{nullptr};
    at::Tensor shift_, scale_;
    bool standardized_ = false;
};
TORCH_MODULE(Critic);

}  // namespace ada
