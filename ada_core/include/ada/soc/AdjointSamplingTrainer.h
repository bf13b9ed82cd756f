#pragma once
// Adjoint Sampling (DESIGN.md §3.4): a diffusion sampler trained from an energy E alone by reciprocal
// adjoint matching, the zero-base-drift case of the stochastic-optimal-control core (soc/).
//   Controlled process  dX = sigma(t) u_theta(X, t) dt + sigma(t) dB,  X_0 = 0   (GeometricNoiseSchedule.h)
//   Terminal cost       g(x) = E(x)/tau + log p_base,1(x),   grad g = grad E / tau - x / nu_1.
// With zero base drift the lean adjoint is constant, a(t) = grad g(X_1), and the loss is the regression
//   L = E_{t ~ U[0,1], (X_1, grad g(X_1)) ~ buffer, X_t ~ bridge(X_1)} || u_theta(X_t, t) + sigma(t) grad g(X_1) ||^2.
// Loop: roll out M samples of the current sampler without gradients (Euler-Maruyama on a uniform grid), one
// energy gradient each (per-particle norms clipped), push them into a FIFO replay buffer, then take many
// gradient steps from the buffer: few energy evaluations, many updates. Particle systems use zero-centre-of-
// mass noise and controls (GaussianBase::project) and an equivariant control (EGNNVectorField).
#include <cstdint>
#include <functional>
#include <memory>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "ada/energy/Energy.h"
#include "ada/models/VectorField.h"
#include "ada/soc/GeometricNoiseSchedule.h"

namespace torch {
namespace optim {
class Adam;
}
}  // namespace torch

namespace ada {

struct AdjointSamplingOptions {
    TORCH_ARG(int64_t, iterations) = 200;
    /** M, samples rolled out (and energy gradients) per iteration. */
    TORCH_ARG(int64_t, samplesPerIteration) = 256;
    /** Gradient steps per iteration, each on a minibatch drawn from the buffer. */
    TORCH_ARG(int64_t, updatesPerIteration) = 50;
    TORCH_ARG(int64_t, batchSize) = 256;
    TORCH_ARG(int64_t, bufferSize) = 10000;
    TORCH_ARG(int64_t, sdeSteps) = 100;
    TORCH_ARG(double, learningRate) = 1e-3;
    TORCH_ARG(double, temperature) = 1.0;
    /** Per-particle clip of grad g (0: none). */
    TORCH_ARG(double, gradientClip) = 100.0;
    TORCH_ARG(double, sigmaMin) = 1e-3;
    TORCH_ARG(double, sigmaMax) = 1.0;
    TORCH_ARG(uint64_t, seed) = 0;
    TORCH_ARG(int64_t, progressEvery) = 0;
};

struct AdjointSamplingProgress {
    int64_t iteration = 0, totalIterations = 0, energyEvaluations = 0, gradientUpdates = 0;
    double loss = 0, meanEnergy = 0;
};

class AdjointSamplingTrainer {
public:
    /** control: u_theta on the energy's configuration space (flattened [B, N*S] or [B, N, S] fields). */
    AdjointSamplingTrainer(std::shared_ptr<VectorField> control, const Energy& energy, AdjointSamplingOptions options);
    ~AdjointSamplingTrainer();

    void train(int64_t maxIterations = -1);
    /** One rollout, buffer update and updatesPerIteration gradient steps; returns the mean loss. */
    double iterate();
    /** count samples of the current sampler (no gradients), shaped like the control's events. */
    at::Tensor sample(int64_t count);

    int64_t energyEvaluations() const { return energyEvaluations_; }
    int64_t gradientUpdates() const { return gradientUpdates_; }
    int64_t iteration() const { return iteration_; }
    const GeometricNoiseSchedule& schedule() const { return schedule_; }
    void setProgressCallback(std::function<void(const AdjointSamplingProgress&)> callback) { progress_ = std::move(callback); }

private:
    at::Tensor terminalCostGradient(const at::Tensor& x1, double* meanEnergy);
    at::Tensor project(const at::Tensor& x) const;

    std::shared_ptr<VectorField> control_;
    const Energy& energy_;
    AdjointSamplingOptions options_;
    GeometricNoiseSchedule schedule_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
    at::Generator generator_;
    at::Tensor bufferX_, bufferGrad_;
    int64_t bufferCount_ = 0, bufferNext_ = 0;
    int64_t iteration_ = 0, energyEvaluations_ = 0, gradientUpdates_ = 0;
    std::function<void(const AdjointSamplingProgress&)> progress_;
};

}  // namespace ada
