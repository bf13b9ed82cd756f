#pragma once
// Training a vector field by flow matching (DESIGN.md §3.1): each step draws a minibatch x1 of the training
// tensor, noise x0 ~ p0 (GaussianBase: N(0, I), or for particle fields N(0, I) with each sample's mean over
// particles subtracted) and times t ~ U[0, 1], and takes one Adam step on
//   L = (1/B) Σ_b ‖v_θ(t_b x1_b + (1 − t_b) x0_b, t_b) − (x1_b − x0_b)‖²          (FlowMatchingLoss.h)
// with the learning rate of a linear warm-up + cosine decay (LearningRateSchedule.h), then updates an
// exponential moving average of the weights (ExponentialMovingAverage.h), which is the model used for
// validation and sampling. Particle training data are centred (zero centre of mass) when given.
//
// State is kept in four separate parts (STYLE.md); a checkpoint is the options plus all parts but the data:
//   model      the field θ and its average θ̄                      (the caller's VectorField, and emaModel())
//   data       the training tensor [n, event...] and an optional validation tensor (not in checkpoints)
//   optimiser  Adam's exp_avg, exp_avg_sq and step count per parameter
//   loop       step, epoch, position in the epoch's permutation, the permutation, the shuffle RNG
//              (std::mt19937_64) and the torch CPU generator that draws x0 and t
// Minibatches: each epoch is a permutation of the n samples drawn with the shuffle RNG; consecutive
// batches take the next batchSize indices; a remainder smaller than a batch is skipped (new epoch).
// A checkpoint is a bundle of kind "flow_matching_checkpoint" (config: options, model kind/config, loop
// counters and shuffle RNG state; tensors "model.<p>", "ema.<p>", "adam.<p>.exp_avg|exp_avg_sq|step",
// "loop.permutation", "loop.noise_generator"); resuming from it continues exactly as the uninterrupted run.
// Validation draws its own noise from a generator re-seeded identically at every evaluation, so validation
// losses are comparable between evaluations and do not disturb the training stream.
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>
#include <torch/arg.h>

#include "ada/flow/GaussianBase.h"
#include "ada/flow/LearningRateSchedule.h"
#include "ada/models/VectorField.h"

namespace torch {
namespace optim {
class Adam;
}
}  // namespace torch

namespace ada {

struct FlowMatchingTrainerOptions {
    /** Total number of optimiser steps T (the length of the learning-rate schedule). */
    TORCH_ARG(int64_t, steps) = 10000;
    TORCH_ARG(int64_t, batchSize) = 256;
    /** Peak learning rate of the schedule. */
    TORCH_ARG(double, learningRate) = 1e-3;
    TORCH_ARG(int64_t, warmupSteps) = 100;
    /** The cosine decays to learningRate · finalLearningRateFraction at step T. */
    TORCH_ARG(double, finalLearningRateFraction) = 0.0;
    TORCH_ARG(double, beta1) = 0.9;
    TORCH_ARG(double, beta2) = 0.999;
    TORCH_ARG(double, epsilon) = 1e-8;
    TORCH_ARG(double, weightDecay) = 0.0;
    /** Maximum global gradient norm; 0 disables clipping. */
    TORCH_ARG(double, gradientClip) = 0.0;
    /** δ of the moving average θ̄ ← δ θ̄ + (1 − δ) θ. */
    TORCH_ARG(double, emaDecay) = 0.999;
    /** Validation loss every K steps (0: never); needs validation data. */
    TORCH_ARG(int64_t, validationEvery) = 0;
    /** Samples per forward pass during validation. */
    TORCH_ARG(int64_t, validationBatchSize) = 4096;
    /** Progress report every K steps (0: never); also at the last step. */
    TORCH_ARG(int64_t, progressEvery) = 100;
    /** With a checkpointPath: write a checkpoint every K steps (0: only at the end of train()). */
    TORCH_ARG(int64_t, checkpointEvery) = 0;
    TORCH_ARG(std::string, checkpointPath) = "";
    /** Seeds the shuffle RNG and the noise generator. */
    TORCH_ARG(uint64_t, seed) = 0;
    /** If > 0, at::set_num_threads(threads) when training starts. */
    TORCH_ARG(int, threads) = 0;

public:  // TORCH_ARG leaves the access private
    nlohmann::json toJson() const;
    /** Throws SpecError naming `where` and the field on a bad value. */
    static FlowMatchingTrainerOptions fromJson(const nlohmann::json& config, const std::string& where);
};

/** One progress report. Rates and the ETA are measured over the interval since the previous report. */
struct TrainingProgress {
    int64_t step = 0, totalSteps = 0;
    double loss = 0;              // mean training loss since the previous report
    double validationLoss = 0;    // the latest validation loss of the average model (NaN if none yet)
    double learningRate = 0;      // of the last step
    double samplesPerSecond = 0;
    double etaSeconds = 0;
};
using ProgressCallback = std::function<void(const TrainingProgress&)>;
/** A callback writing one line per report, e.g. "step 200/1000  loss 1.2345  val 1.3000  lr 9.8e-04  51234 samples/s  ETA 12 s". */
ProgressCallback printProgress(std::ostream& out);

/** The loop part of the training state (see the header comment). */
struct FlowMatchingLoopState {
    int64_t step = 0;
    int64_t epoch = 0;
    int64_t position = 0;       // next index into permutation
    at::Tensor permutation;     // int64 [n], the current epoch's order (undefined before the first batch)
    std::mt19937_64 shuffle;
    at::Generator noise;        // torch CPU generator for x0 and t
    double lastValidationLoss = 0;
};

class FlowMatchingTrainer {
public:
    static constexpr const char* checkpointKind = "flow_matching_checkpoint";

    /** model: the field to train (its dtype/device are used for everything); training [n, event...] or
     *  flattened [n, D]; validation likewise or undefined. Throws SpecError on mismatched shapes. */
    FlowMatchingTrainer(std::shared_ptr<VectorField> model, const at::Tensor& training, const at::Tensor& validation,
                        FlowMatchingTrainerOptions options);
    /** A trainer rebuilt from a checkpoint (model architecture, options and all state), on the CPU in the
     *  dtype it was saved from, continuing on the given data (which must be the same as before). */
    static std::unique_ptr<FlowMatchingTrainer> resume(const std::string& checkpointPath, const at::Tensor& training,
                                                       const at::Tensor& validation);
    ~FlowMatchingTrainer();

    /** Runs until options().steps() steps are done, or at most maxSteps more when maxSteps >= 0. */
    void train(int64_t maxSteps = -1);
    /** One optimiser step on the minibatch x1 [B, event...] (noise and times from the loop's generator);
     *  returns the loss before the step. Public so that the step can be timed on a fixed batch. */
    double trainStep(const at::Tensor& batch);
    /** The next minibatch of the training data in the shuffled order (advances the loop state). */
    at::Tensor nextBatch();
    /** Flow-matching loss of the average model on the validation data (fixed noise; no gradients). */
    double validationLoss();

    void saveCheckpoint(const std::string& path) const;
    /** Restores model, average, optimiser, loop state and options from a checkpoint made by a trainer of
     *  the same architecture on the same data; throws SpecError naming the file and what differs. */
    void restoreCheckpoint(const std::string& path);

    void setProgressCallback(ProgressCallback callback) { progress_ = std::move(callback); }
    VectorField& model() { return *model_; }
    std::shared_ptr<VectorField> modelPointer() const { return model_; }
    /** The moving average of the weights: use it for sampling. */
    std::shared_ptr<VectorField> emaModel() const { return ema_; }
    const FlowMatchingLoopState& state() const { return loop_; }
    const FlowMatchingTrainerOptions& options() const { return options_; }
    /** The learning rate of step s (0-based). */
    double learningRate(int64_t step) const { return schedule_(step); }

private:
    void reseed();
    void report(double lossSum, int64_t lossCount, int64_t samples, std::chrono::steady_clock::time_point since);

    std::shared_ptr<VectorField> model_, ema_;
    GaussianBase base_;
    at::Tensor training_, validation_;
    FlowMatchingTrainerOptions options_;
    WarmupCosineSchedule schedule_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
    std::vector<at::Tensor> parameters_, emaParameters_;
    FlowMatchingLoopState loop_;
    ProgressCallback progress_;
};

}  // namespace ada
