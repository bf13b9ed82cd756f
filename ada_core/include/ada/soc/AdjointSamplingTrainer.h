#pragma once
// Adjoint Sampling (DESIGN.md §3.4): a diffusion sampler trained from an energy E alone by reciprocal
// adjoint matching, the zero-base-drift case of the stochastic-optimal-control core (soc/).
//   Controlled process  dX = sigma(t) u_theta(X, t) dt + sigma(t) dB,  X_0 = 0   (GeometricNoiseSchedule.h)
//   Terminal cost       g(x) = E(x)/tau + log p_base,1(x),   grad g = grad E / tau - x / nu_1.
// With zero base drift the lean adjoint is constant, a(t) = grad g(X_1), and DESIGN's regression is
//   E_{t ~ U[0,1], (X_1, grad g(X_1)) ~ buffer, X_t ~ bridge(X_1)} || u_theta(X_t, t) + sigma(t) grad g(X_1) ||^2.
// The field f_theta the trainer fits is the control divided by the noise, u_theta = sigma(t) f_theta, and the
// loss is that regression weighted by 1 / sigma(t)^2, as the reference implementation trains it
// (facebookresearch/adjoint_sampling, use_AM_SDE):
//   L = E_{t ~ U[0,1], (X_1, grad g(X_1)) ~ buffer, X_t ~ bridge(X_1)} || f_theta(X_t, t) + grad g(X_1) ||^2,
// with the same minimiser (f* = u* / sigma, pointwise in t). Unweighted, sigma^2 spans a factor r^2 (4e6 for
// r = 2000) over [0, 1] and the loss sees little but t near 0; and f is O(|grad g|) at every t, a scale an EGNN
// output holds without growing unstable, where u reaches sigma(0) |grad g|. (Weighting by sigma^2 dt = dnu_t,
// i.e. the path KL, with times drawn evenly in nu_t, sampled DW-4 worse: energy W2 8.5 against 4.3 after 100
// iterations.)
// Times: t = u^(1/a), u ~ U[0, 1], i.e. t drawn with density a t^(a-1) (a = timeDensityPower; a = 1: uniform, as
// DESIGN writes the regression). The minimiser is unchanged pointwise in t; a > 1 spends more of the updates, and
// of a finite control's capacity, on late times (small sigma), where the regression target is nearly deterministic
// (X_t ~ X_1) and the control must reproduce the stiff forces about a minimum, and less on early times, whose
// target grad g(X_1) | X_t is broad and dominates the loss's variance.
// Measured on LJ-13 with a = 2: the starved early times let rollouts collide (docs/benchmarks/adjoint_sampling.md).
// Loop: roll out M samples of the current sampler without gradients, one energy gradient each (per-particle
// norms clipped), push them into a FIFO replay buffer, then take many gradient steps from the buffer: few
// energy evaluations, many updates. Particle systems use zero-centre-of-mass noise and fields
// (GaussianBase::project) and an equivariant field (EGNNVectorField).
// Sampling (rollouts, and the trained model afterwards) is AdjointSampler.h.
//
// Optimisation: Adam with a cosine decay of the learning rate over all updates and an exponential moving
// average of the weights for sampling, as flow matching trains (FlowMatchingTrainer.h): the regression target
// -grad g(X_1) is noisy, and with a constant rate the control keeps moving around its optimum.
//
// State, kept apart (STYLE.md): the control theta (the caller's field) and its moving average; Adam's moments and step counts; the
// replay buffer (X_1, grad g(X_1)), its fill count and write position; the loop: iteration, energy
// evaluations, gradient updates and the one torch CPU generator that draws rollout noise, buffer indices,
// times and bridge noise. A checkpoint is a bundle of kind "adjoint_sampling_checkpoint" (config: options,
// control kind/config/dtype, energy name and shape, counters; tensors "model.<p>", "ema.<p>" (with an average), "adam.<p>.*",
// "buffer.x", "buffer.gradient", "loop.generator"); a trainer resumed from it continues bitwise as the
// uninterrupted run.
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>
#include <torch/arg.h>

#include "ada/energy/Energy.h"
#include "ada/models/VectorField.h"
#include "ada/soc/AdjointSampler.h"
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
    /** The rollouts' SDE integrator, "euler" or "heun" (AdjointSampler.h); saved with the model. */
    TORCH_ARG(std::string, integrator) = "euler";
    /** Adam's learning rate, decayed by a cosine over all gradient updates to learningRate · finalLearningRateFraction
     *  (flow/LearningRateSchedule.h; 1, the default: constant). */
    TORCH_ARG(double, learningRate) = 1e-3;
    TORCH_ARG(double, finalLearningRateFraction) = 1.0;
    /** Decay δ of the exponential moving average of the control's weights (0: none). The average is the sampler
     *  that samplingControl() returns (the model to save); rollouts use the trained weights themselves. */
    TORCH_ARG(double, emaDecay) = 0.0;
    TORCH_ARG(double, temperature) = 1.0;
    /** Per-particle clip of grad g (0: none). */
    TORCH_ARG(double, gradientClip) = 100.0;
    TORCH_ARG(double, sigmaMin) = 1e-3;
    TORCH_ARG(double, sigmaMax) = 1.0;
    /** a > 0: regression times drawn with density a t^(a-1) on [0, 1] (1: uniform). */
    TORCH_ARG(double, timeDensityPower) = 1.0;
    TORCH_ARG(uint64_t, seed) = 0;
    /** Progress report every K iterations (0: never); also at the last iteration. */
    TORCH_ARG(int64_t, progressEvery) = 0;
    /** With a checkpointPath: write a checkpoint every K iterations (0: only at the end of train()). */
    TORCH_ARG(int64_t, checkpointEvery) = 0;
    TORCH_ARG(std::string, checkpointPath) = "";

public:  // TORCH_ARG leaves the access private
    nlohmann::json toJson() const;
    /** Throws SpecError naming `where` and the field on a missing or bad value. */
    static AdjointSamplingOptions fromJson(const nlohmann::json& config, const std::string& where);
};

/** One progress report; the rate and ETA are measured over the interval since the previous report. */
struct AdjointSamplingProgress {
    int64_t iteration = 0, totalIterations = 0, energyEvaluations = 0, gradientUpdates = 0;
    double loss = 0, meanEnergy = 0;
    double iterationsPerSecond = 0, etaSeconds = 0;
};
/** A callback writing one line per report, e.g.
 *  "iteration 20/200  loss 12.3  mean energy -21.7  5120 energy evaluations  1000 updates  1.9 it/s  ETA 95 s". */
std::function<void(const AdjointSamplingProgress&)> printAdjointSamplingProgress(std::ostream& out);

class AdjointSamplingTrainer {
public:
    static constexpr const char* checkpointKind = "adjoint_sampling_checkpoint";

    /** control: f_theta = u_theta / sigma on the energy's configuration space (flattened [B, N*S] or [B, N, S] fields). */
    AdjointSamplingTrainer(std::shared_ptr<VectorField> control, const Energy& energy, AdjointSamplingOptions options);
    /** A trainer rebuilt from a checkpoint (control, options, all state) for the same energy; iterations >= 0
     *  replaces the stored total (to train on). Throws SpecError naming the file and what does not fit. */
    static std::unique_ptr<AdjointSamplingTrainer> resume(const std::string& checkpointPath, const Energy& energy,
                                                          int64_t iterations = -1);
    ~AdjointSamplingTrainer();

    /** count regression times with density power · t^(power − 1) on [0, 1], clamped to [1e-4, 1 − 1e-4]. */
    static at::Tensor regressionTimes(int64_t count, double power, at::Generator& generator, const at::TensorOptions& options);

    /** Runs until options().iterations() are done, or at most maxIterations more when maxIterations >= 0;
     *  reports progress and writes checkpoints as the options say. */
    void train(int64_t maxIterations = -1);
    /** One rollout, buffer update and updatesPerIteration gradient steps; returns the mean loss. Throws SpecError
     *  (before the step) when the loss is not finite, e.g. a control grown unstable under a loose gradient clip. */
    double iterate();
    /** count samples of the current sampler (no gradients), shaped like the control's events. */
    at::Tensor sample(int64_t count);

    int64_t energyEvaluations() const { return energyEvaluations_; }
    int64_t gradientUpdates() const { return gradientUpdates_; }
    int64_t iteration() const { return iteration_; }
    const GeometricNoiseSchedule& schedule() const { return sampler_.schedule(); }
    const AdjointSampler& sampler() const { return sampler_; }
    const AdjointSamplingOptions& options() const { return options_; }
    std::shared_ptr<VectorField> control() const { return control_; }
    /** The weights to sample with after training: the moving average if emaDecay > 0, else the control. */
    std::shared_ptr<VectorField> samplingControl() const { return ema_ ? ema_ : control_; }
    /** The learning rate of the next gradient update. */
    double learningRate() const;
    void setProgressCallback(std::function<void(const AdjointSamplingProgress&)> callback) { progress_ = std::move(callback); }
    /** Where and how often to report and checkpoint (these do not change the training; e.g. after resume()). */
    void setReporting(int64_t progressEvery, const std::string& checkpointPath, int64_t checkpointEvery) {
        options_.progressEvery(progressEvery).checkpointPath(checkpointPath).checkpointEvery(checkpointEvery);
    }

    void saveCheckpoint(const std::string& path) const;
    /** Restores control, optimiser, buffer, generator and counters from a checkpoint of a trainer with the same
     *  control architecture, energy and buffer shape; a bad checkpoint leaves this trainer unchanged. */
    void restoreCheckpoint(const std::string& path);

private:
    at::Tensor terminalCostGradient(const at::Tensor& x1, double* meanEnergy);
    at::Tensor project(const at::Tensor& x) const;

    void buildAverage();

    std::shared_ptr<VectorField> control_;
    std::shared_ptr<VectorField> ema_;  // null without an average
    std::vector<at::Tensor> controlParameters_, emaParameters_;
    const Energy& energy_;
    AdjointSamplingOptions options_;
    AdjointSampler sampler_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
    at::Generator generator_;
    at::Tensor bufferX_, bufferGrad_;
    int64_t bufferCount_ = 0, bufferNext_ = 0;
    int64_t iteration_ = 0, energyEvaluations_ = 0, gradientUpdates_ = 0;
    std::function<void(const AdjointSamplingProgress&)> progress_;
    double lastLoss_ = 0, lastMeanEnergy_ = 0;
};

}  // namespace ada
