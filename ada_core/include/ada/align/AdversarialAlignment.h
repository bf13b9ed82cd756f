#pragma once
// ADA, adversarial distribution alignment of a generative model (DESIGN.md §3.3):
//   min_θ  max_{f_i 1-Lipschitz}  KL(μ_θ ‖ μ_base) + β Σ_i ( E_{x~μ_θ} f_i(o_i(x)) − E_{y~ν_i} f_i(y) ).
// For fixed critics the minimiser over μ is the tilt μ_f ∝ μ_base exp(−β Σ_i f_i(o_i)), so each round
//   1. makes k critic updates on the concave dual of the saddle (ObservableCritics.h), estimated on a pool of
//      base samples drawn once, or given (setPool) (round 0 first makes criticWarmup updates; the critics'
//      learning rate decays by a cosine over all their updates when critics.finalLearningRateFraction < 1);
//   2. runs a generator phase toward the tilt of the current critics, with v_θ initialised to v_base, by either
//      - adjoint matching (soc/AdjointMatchingTrainer.h, DESIGN §3.2) with r = −β Σ_i f_i(o_i) (CriticReward.h), or
//      - reweighted flow matching: flow-matching steps (flow/FlowMatchingLoss.h) on pool configurations drawn
//        with the tilt's weights w_b ∝ exp(−β F(x_b)), i.e. on the exact tilt of the empirical base pool that
//        the critics were fitted to (the default: in the 1-D mixture test adjoint matching's mode weights stayed
//        noisy and biased toward the base after 1200 iterations, see docs/ada.md);
//   3. draws samples of the aligned generator (its memoryless SDE, §3.2; the generator's weight average when
//      options.generatorAverage > 0) and logs, per observable, the critic gap
//      E_θ f_i − E_ν f_i (a lower bound of W1((o_i)#μ_θ, ν_i)), the KL(μ_θ ‖ μ_base) estimate from the control
//      cost of their paths (soc/ControlCost.h, an upper bound), and the effective sample size of the pool's
//      tilt weights (1/Σ w², the reliability of step 1).
// Critics of the dual never chase a lagging generator (the plain alternating saddle oscillates: a generator
// that overshoots flips the sign of the optimal critic), and the generator phases always have a fixed target.
// Every round is recorded; a checkpoint holds the model, the adjoint-matching and critic states, the pool's
// observables, the sampling generator and the history, and a resumed run continues bitwise.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "ada/align/AlignmentTarget.h"
#include "ada/align/ObservableCritics.h"
#include "ada/soc/AdjointMatchingTrainer.h"

namespace torch::optim {
class Adam;
}

namespace ada {

class CriticReward;

struct AdversarialAlignmentOptions {
    /** β of the tilt (the weight of the observables against the KL tie to the base). */
    double beta = 1.0;
    int64_t rounds = 100;
    /** Base samples in the critics' pool (drawn once). */
    int64_t poolSize = 4096;
    /** Generator samples drawn each round for the logged gaps and KL estimate. */
    int64_t samplesPerRound = 1024;
    /** Critic updates before the first generator phase. */
    int64_t criticWarmup = 200;
    /** Generator updates per round (adjoint-matching iterations or flow-matching steps). */
    int64_t generatorIterations = 5;
    /** "reweighted-flow-matching" or "adjoint-matching". */
    std::string generator = "reweighted-flow-matching";
    /** Minibatch and Adam learning rate of reweighted flow matching. */
    int64_t flowBatch = 256;
    double flowLearningRate = 1e-3;
    /** Decay δ of an exponential moving average of the generator's weights, updated after every generator
     *  update (flow/ExponentialMovingAverage.h); 0: none. The average is the aligned model (aligned(): the
     *  rounds' samples, sample(), the exported model): the last iterate of a stochastic optimiser carries its
     *  noise into the samples, and fine-tuning starts from a base that was itself an average. */
    double generatorAverage = 0.0;
    /** The generator phase (its iterations are set to rounds × generatorIterations; its seed to seed + 1). */
    AdjointMatchingTrainerOptions adjoint;
    /** The critics (their seeds derive from seed + 2). */
    ObservableCriticsOptions critics;
    uint64_t seed = 0;
    /** Write checkpointPath every K rounds (0: only when train() returns); empty path: never. */
    std::string checkpointPath;
    int64_t checkpointEvery = 0;

    nlohmann::json toJson() const;
    static AdversarialAlignmentOptions fromJson(const nlohmann::json& config, const std::string& where);
};

struct AlignmentRound {
    int64_t round = 0;
    std::vector<double> w1;  // per observable, critic gap E_θ f_i − E_ν f_i after this round's generator phase
    double kl = 0;           // control-cost estimate of KL(μ_θ ‖ μ_base) after this round's generator phase
    double dual = 0;         // the critics' dual J on the pool after this round's critic updates
    double ess = 0;          // effective sample size of the pool's tilt weights, as a fraction of the pool
    double loss = 0;         // mean adjoint-matching loss of this round's generator phase
    double meanReward = 0;   // mean r(X_1) of that phase's rollouts
    int64_t rewardGradientEvaluations = 0, gradientUpdates = 0;
    double seconds = 0;      // wall time since the start of training (cumulative over resumes)

    nlohmann::json toJson(const std::vector<std::string>& names) const;
};

class AdversarialAlignment {
public:
    static constexpr const char* checkpointKind = "ada_alignment_checkpoint";

    /** base: the frozen v_base; model: v_θ equal to it at the start (a copy, or a ResidualVectorField). */
    AdversarialAlignment(std::shared_ptr<VectorField> base, std::shared_ptr<VectorField> model, std::vector<AlignmentTarget> targets,
                         AdversarialAlignmentOptions options);
    ~AdversarialAlignment();

    /** Runs the remaining rounds (at most maxRounds more when >= 0). */
    void train(int64_t maxRounds = -1);
    /** One round (steps 1-3). */
    const AlignmentRound& round();
    bool finished() const { return round_ >= options_.rounds; }

    /**
     * Use these base samples [n, event...] (or flattened) as the critics' pool instead of drawing
     * options.poolSize samples of the base by its memoryless SDE in round 0: exact samples of μ_base where they
     * exist (the MD frames the base model was trained on, or an analytic base), free of the sampler's
     * discretization error. Only before the first round; throws SpecError on a shape mismatch or NaN.
     */
    void setPool(const at::Tensor& samples);
    /** The base pool's observables (drawn in round 0). */
    const std::vector<at::Tensor>& pool() const { return pool_; }
    /** Samples [count, event...] of the aligned model by its memoryless SDE, drawn with `generator`. */
    at::Tensor sample(int64_t count, at::Generator& generator);
    const std::vector<AlignmentRound>& history() const { return history_; }
    nlohmann::json historyJson() const;
    ObservableCritics& critics() { return *critics_; }
    AdjointMatchingTrainer& trainer() { return *trainer_; }
    /** The trained weights v_θ. */
    VectorField& model() { return *model_; }
    /** The aligned model: the weight average when options.generatorAverage > 0, else model(). */
    VectorField& aligned() { return average_ ? *average_ : *model_; }
    const AdversarialAlignmentOptions& options() const { return options_; }
    std::vector<std::string> names() const;

    void setProgressCallback(std::function<void(const AlignmentRound&)> callback) { progress_ = std::move(callback); }

    void saveCheckpoint(const std::string& path) const;
    /** Restores a checkpoint of an alignment with the same model architecture, observables and options. */
    void restoreCheckpoint(const std::string& path);

private:
    std::shared_ptr<VectorField> base_, model_;
    std::shared_ptr<VectorField> average_;                          // when options.generatorAverage > 0
    std::vector<at::Tensor> modelParameters_, averageParameters_;  // cached, for the average's update
    AdversarialAlignmentOptions options_;
    std::shared_ptr<ObservableCritics> critics_;
    std::shared_ptr<CriticReward> reward_;
    std::unique_ptr<AdjointMatchingTrainer> trainer_;
    at::Generator generator_;
    std::vector<at::Tensor> pool_;  // o_i of the base pool [poolSize, d_i]
    at::Tensor poolSamples_;        // the base pool's configurations [poolSize, event...]
    at::Tensor givenPool_;          // setPool's samples, used in round 0
    std::unique_ptr<torch::optim::Adam> flowOptimizer_;
    /** One reweighted flow-matching step on pool configurations drawn with the tilt's weights w [poolSize]. */
    double flowStep(const at::Tensor& w);
    int64_t round_ = 0;
    double secondsBefore_ = 0;  // training time of earlier runs (resume)
    std::vector<AlignmentRound> history_;
    std::function<void(const AlignmentRound&)> progress_;
};

}  // namespace ada
