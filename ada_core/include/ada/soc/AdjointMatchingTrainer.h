#pragma once
// Adjoint Matching (DESIGN.md §3.2; Domingo-Enrich et al., "Adjoint Matching: Fine-tuning Flow and Diffusion
// Generative Models with Memoryless Stochastic Optimal Control", ICLR 2025, Algorithm 1): fine-tunes a flow
// model v_θ, initialised as a copy of the frozen base v_base, so that its memoryless SDE
//   dX = b_θ(X, t) dt + σ(t) dB,   b_θ(x, t) = 2 v_θ(x, t) − x/t,   σ(t) = sqrt(2(1 − t)/t)
// (flow/MemorylessSDE.h; run on a uniform grid over [t_min, 1] started from the noise marginal at t_min)
// samples the exponential tilt
//   p*(x) ∝ p_base(x) · exp(r(x))                                                         (soc/Reward.h).
// It is the stochastic optimal control problem with control u = (b_θ − b_base)/σ = 2(v_θ − v_base)/σ,
// running cost ½‖u‖² and terminal cost g = −r; the memoryless noise schedule makes X_1 independent of X_0, so
// the optimally controlled process has exactly the tilted terminal law.
//
// One iteration:
//   1. roll out M trajectories X_{t_0..t_K} of the CURRENT fine-tuned SDE, without gradients;
//   2. one reward gradient per trajectory: ã(1) = −∇r(X_1); integrate the lean adjoint backwards with the BASE
//      drift (soc/LeanAdjoint.h): dã/dt = −ãᵀ ∇_x b_base(X_t, t);
//   3. the adjoint-matching loss (a regression: its target σ(t)ã(t) does not depend on θ)
//        L(θ) = (1/(M|S|)) Σ_b Σ_{k∈S} ‖ (2/σ(t_k))·(v_θ(X_{t_k}, t_k) − v_base(X_{t_k}, t_k)) + σ(t_k)·ã(t_k) ‖²
//      over a set S of time indices: all of 0..K−1, or a random subset of timePoints of them drawn anew each
//      iteration. The end point t_K = 1 is left out: σ(1) = 0 there and u is undefined;
//   4. updatesPerRollout Adam steps on θ with this loss.
// Time weighting. Each time point is its own regression of v_θ − v_base onto −η_t ã(t) (η_t = σ²/2), so scaling
// the term at t_k by any positive weight leaves the optimum unchanged. The loss above weights the velocity error
// by (2/σ)² = 2t/(1 − t), which nearly ignores small t, where a multimodal tilt decides how much mass each mode
// gets; velocityWeighting regresses the velocity itself, Σ_k ‖v_θ − v_base + η_{t_k} ã(t_k)‖²,
// (an option; in a 1-D mode-reweighting test neither weighting reached the tilt's mode weight reliably within
// 2000 iterations, see AdversarialAlignment.h).
// At the optimum u* = −σ ã, i.e. v_θ − v_base = −η_t ã (η_t = σ²/2 = (1 − t)/t): a reward increasing along
// +x gives ã(1) = −∇r pointing along −x and shifts the velocity along +x, as it should.
//
// Counters: reward-gradient evaluations (per sample: M per rollout) and gradient updates (Adam steps).
// State kept apart (STYLE.md): the models (caller's), the reward (caller's), the optimiser, and the loop
// (iteration, counters, the torch generator that draws the SDE noise and the time subsets).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "ada/flow/MemorylessSDE.h"
#include "ada/models/VectorField.h"
#include "ada/soc/Reward.h"

namespace torch {
namespace optim {
class Adam;
}
}  // namespace torch

namespace ada {

struct Bundle;

struct AdjointMatchingTrainerOptions {
    /** Number of iterations (rollouts). */
    TORCH_ARG(int64_t, iterations) = 1000;
    /** M, trajectories per rollout (one reward gradient each). */
    TORCH_ARG(int64_t, trajectories) = 64;
    /** |S|, time points per trajectory in the loss; 0 or >= K: all of t_0..t_{K−1}. */
    TORCH_ARG(int64_t, timePoints) = 0;
    /** Adam steps per rollout, each on the same trajectories (and a fresh time subset). */
    TORCH_ARG(int64_t, updatesPerRollout) = 1;
    TORCH_ARG(double, learningRate) = 1e-4;
    /** Maximum global gradient norm; 0 disables clipping. */
    TORCH_ARG(double, gradientClip) = 0.0;
    /** K, Euler–Maruyama steps of the uniform SDE grid over [tMin, 1]. */
    TORCH_ARG(int64_t, sdeSteps) = 100;
    TORCH_ARG(double, tMin) = 1e-2;
    /** Regress v_θ − v_base onto −η ã (true) rather than the control u onto −σ ã (the paper's weighting). */
    TORCH_ARG(bool, velocityWeighting) = false;
    /** Seeds the generator of the SDE noise and of the time subsets. */
    TORCH_ARG(uint64_t, seed) = 0;
    /** Progress report every K iterations (0: never); also at the last iteration. */
    TORCH_ARG(int64_t, progressEvery) = 0;
};

/** The memoryless SDE of these options' grid (sdeSteps over [tMin, 1]) without recorded trajectories: how the
 *  base and the fine-tuned model are sampled outside the trainer (pools, reports). Validates the options. */
MemorylessSDEOptions samplingSDEOptions(const AdjointMatchingTrainerOptions& options);

/** The trajectories of one rollout and their lean adjoints. */
struct AdjointMatchingRollout {
    std::vector<double> times;  // t_0 = t_min .. t_K = 1
    at::Tensor trajectory;      // X_{t_k}   [K + 1, M, event...]
    at::Tensor adjoint;         // ã(t_k)    [K + 1, M, event...]
    at::Tensor reward;          // r(X_1)    [M]
};

struct AdjointMatchingProgress {
    int64_t iteration = 0, totalIterations = 0;
    double loss = 0;        // mean loss of the updates since the previous report
    double meanReward = 0;  // mean r(X_1) of the rollouts since the previous report
    int64_t rewardGradientEvaluations = 0, gradientUpdates = 0;
    double iterationsPerSecond = 0, etaSeconds = 0;
};
using AdjointMatchingProgressCallback = std::function<void(const AdjointMatchingProgress&)>;

class AdjointMatchingTrainer {
public:
    /** base: the frozen v_base (never modified; its parameters are not trained). model: v_θ, same event shape,
     *  which the caller initialises equal to the base (copyWeights of ExponentialMovingAverage.h for the same
     *  architecture, or base + a correction that starts at zero); its dtype is used throughout.
     *  Throws SpecError on bad options or mismatched event shapes. */
    AdjointMatchingTrainer(std::shared_ptr<VectorField> base, std::shared_ptr<VectorField> model, std::shared_ptr<Reward> reward,
                           AdjointMatchingTrainerOptions options);
    ~AdjointMatchingTrainer();

    /** Runs until options().iterations() are done, or at most maxIterations more when maxIterations >= 0. */
    void train(int64_t maxIterations = -1);
    /** One iteration (rollout, then updatesPerRollout Adam steps); returns the mean loss before the steps. */
    double iterate();
    /** Steps 1–2: M trajectories of the current model without gradients, their rewards and lean adjoints. */
    AdjointMatchingRollout rollout();
    /** Step 3: the loss on the time indices `steps` (int64, values in 0..K−1), differentiable in θ. */
    at::Tensor loss(const AdjointMatchingRollout& rollout, const at::Tensor& steps);
    /** The loss on all time points 0..K−1. */
    at::Tensor loss(const AdjointMatchingRollout& rollout);

    /** The SDE of the fine-tuned model (sample the result with it: sde().sample(model(), n, generator)). */
    const MemorylessSDE& sde() const { return sde_; }
    VectorField& model() { return *model_; }
    VectorField& base() { return *base_; }
    int64_t iteration() const { return iteration_; }
    int64_t rewardGradientEvaluations() const { return rewardGradientEvaluations_; }
    int64_t gradientUpdates() const { return gradientUpdates_; }
    const AdjointMatchingTrainerOptions& options() const { return options_; }
    void setProgressCallback(AdjointMatchingProgressCallback callback) { progress_ = std::move(callback); }

    /** The model's tensors, the Adam state, the noise generator and the counters under `prefix`: all a resumed
     *  run needs to continue bitwise (with the same base, reward and options). */
    void store(Bundle& bundle, const std::string& prefix) const;
    /** Restores what store() wrote; checks everything first, so a bad bundle leaves the trainer unchanged. */
    void restore(const Bundle& bundle, const std::string& where, const std::string& prefix);

private:
    at::Tensor timeSubset();

    std::shared_ptr<VectorField> base_, model_;
    std::shared_ptr<Reward> reward_;
    AdjointMatchingTrainerOptions options_;
    MemorylessSDE sde_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
    std::vector<at::Tensor> parameters_;
    at::Generator generator_;
    int64_t iteration_ = 0, rewardGradientEvaluations_ = 0, gradientUpdates_ = 0;
    AdjointMatchingProgressCallback progress_;
    // Accumulated since the last progress report.
    double lossSum_ = 0, rewardSum_ = 0;
    int64_t lossCount_ = 0, rewardCount_ = 0;
    std::chrono::steady_clock::time_point lastReport_;
    int64_t lastReportIteration_ = 0;
};

}  // namespace ada
