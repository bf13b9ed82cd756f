#include "ada/align/AdversarialAlignment.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/optim/adam.h>

#include "ada/align/CriticReward.h"
#include "ada/flow/ExponentialMovingAverage.h"
#include "ada/flow/FlowMatchingLoss.h"
#include "ada/flow/GaussianBase.h"
#include "ada/io/Bundle.h"
#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/PathEffectiveSampleSize.h"
#include "ada/models/ModelBundle.h"
#include "ada/soc/ControlCost.h"
#include "ada/torch/TensorValues.h"
#include "ada/torch/TrainingState.h"

namespace ada {

namespace {

AdjointMatchingTrainerOptions generatorOptions(const AdversarialAlignmentOptions& o) {
    if (!(o.beta > 0) || !std::isfinite(o.beta) || o.rounds < 0 || o.samplesPerRound < 2 || o.poolSize < 2 || o.criticWarmup < 0 || o.generatorIterations < 1 ||
        o.checkpointEvery < 0 || (o.generator != "reweighted-flow-matching" && o.generator != "adjoint-matching") || o.flowBatch < 1 ||
        !(o.flowLearningRate > 0) || !(o.generatorAverage >= 0 && o.generatorAverage < 1))
        throw SpecError("ADA: expected beta > 0, rounds >= 0, samples per round >= 2, pool size >= 2, critic warm-up >= 0, generator iterations >= 1, "
                        "checkpoint every >= 0, generator \"reweighted-flow-matching\" or \"adjoint-matching\", flow batch >= 1, flow learning rate > 0, "
                        "generator average in [0, 1) (options " + o.toJson().dump() + ")");
    AdjointMatchingTrainerOptions a = o.adjoint;
    a.iterations(o.rounds * o.generatorIterations);
    a.seed(o.seed + 1);
    a.progressEvery(0);
    return a;
}

ObservableCriticsOptions criticOptions(const AdversarialAlignmentOptions& o) {
    ObservableCriticsOptions c = o.critics;
    c.seed = o.seed + 2;
    c.beta = o.beta;
    // The learning-rate decay spans every critic update of the alignment: the warm-up, then k per round.
    c.scheduleSteps = std::max<int64_t>(1, (o.criticWarmup + c.steps - 1) / c.steps * c.steps + o.rounds * c.steps);
    return c;
}

}  // namespace

nlohmann::json AdversarialAlignmentOptions::toJson() const {
    return {{"beta", beta},
            {"rounds", rounds},
            {"pool_size", poolSize},
            {"samples_per_round", samplesPerRound},
            {"critic_warmup", criticWarmup},
            {"generator_iterations", generatorIterations},
            {"generator", generator},
            {"flow_batch", flowBatch},
            {"flow_learning_rate", flowLearningRate},
            {"generator_average", generatorAverage},
            {"seed", seed},
            {"checkpoint_every", checkpointEvery},
            {"adjoint",
             {{"trajectories", adjoint.trajectories()},
              {"time_points", adjoint.timePoints()},
              {"updates_per_rollout", adjoint.updatesPerRollout()},
              {"learning_rate", adjoint.learningRate()},
              {"gradient_clip", adjoint.gradientClip()},
              {"sde_steps", adjoint.sdeSteps()},
              {"t_min", adjoint.tMin()},
              {"velocity_weighting", adjoint.velocityWeighting()}}},
            {"critics", critics.toJson()}};
}

AdversarialAlignmentOptions AdversarialAlignmentOptions::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    AdversarialAlignmentOptions o;
    o.beta = f.number("beta", o.beta);
    o.rounds = f.integer64("rounds", o.rounds);
    o.poolSize = f.integer64("pool_size", o.poolSize);
    o.samplesPerRound = f.integer64("samples_per_round", o.samplesPerRound);
    o.criticWarmup = f.integer64("critic_warmup", o.criticWarmup);
    o.generatorIterations = f.integer64("generator_iterations", o.generatorIterations);
    o.generator = f.string("generator", o.generator);
    o.flowBatch = f.integer64("flow_batch", o.flowBatch);
    o.flowLearningRate = f.number("flow_learning_rate", o.flowLearningRate);
    o.generatorAverage = f.number("generator_average", o.generatorAverage);
    o.seed = static_cast<uint64_t>(f.integer64("seed", static_cast<int64_t>(o.seed)));
    o.checkpointEvery = f.integer64("checkpoint_every", o.checkpointEvery);
    if (f.has("adjoint")) {
        const JsonFields a(f.require("adjoint"), f.path("adjoint"));
        o.adjoint.trajectories(a.integer64("trajectories", o.adjoint.trajectories()));
        o.adjoint.timePoints(a.integer64("time_points", o.adjoint.timePoints()));
        o.adjoint.updatesPerRollout(a.integer64("updates_per_rollout", o.adjoint.updatesPerRollout()));
        o.adjoint.learningRate(a.number("learning_rate", o.adjoint.learningRate()));
        o.adjoint.gradientClip(a.number("gradient_clip", o.adjoint.gradientClip()));
        o.adjoint.sdeSteps(a.integer64("sde_steps", o.adjoint.sdeSteps()));
        o.adjoint.tMin(a.number("t_min", o.adjoint.tMin()));
        o.adjoint.velocityWeighting(a.boolean("velocity_weighting", o.adjoint.velocityWeighting()));
    }
    if (f.has("critics"))
        o.critics = ObservableCriticsOptions::fromJson(f.require("critics"), f.path("critics"));
    return o;
}

nlohmann::json AlignmentRound::toJson(const std::vector<std::string>& names) const {
    nlohmann::json w = nlohmann::json::object();
    for (size_t i = 0; i < w1.size() && i < names.size(); ++i)
        w[names[i]] = w1[i];
    return {{"round", round}, {"w1", w},   {"kl", kl}, {"dual", dual}, {"ess", ess}, {"loss", loss}, {"mean_reward", meanReward}, {"reward_gradient_evaluations", rewardGradientEvaluations},
            {"gradient_updates", gradientUpdates}, {"seconds", seconds}};
}

AdversarialAlignment::AdversarialAlignment(std::shared_ptr<VectorField> base, std::shared_ptr<VectorField> model,
                                           std::vector<AlignmentTarget> targets, AdversarialAlignmentOptions options)
    : base_(std::move(base)), model_(std::move(model)), options_(std::move(options)), generator_(at::make_generator<at::CPUGeneratorImpl>(options_.seed)) {
    const AdjointMatchingTrainerOptions adjoint = generatorOptions(options_);
    critics_ = std::make_shared<ObservableCritics>(std::move(targets), criticOptions(options_));
    reward_ = std::make_shared<CriticReward>(critics_, options_.beta);
    trainer_ = std::make_unique<AdjointMatchingTrainer>(base_, model_, reward_, adjoint);
    std::vector<at::Tensor> trainable;
    for (const at::Tensor& p : model_->parameters())
        if (p.requires_grad())
            trainable.push_back(p);
    flowOptimizer_ = std::make_unique<torch::optim::Adam>(trainable, torch::optim::AdamOptions(options_.flowLearningRate));
    if (options_.generatorAverage > 0) {
        average_ = frozenCopy(*model_, "ADA generator average");
        modelParameters_ = model_->parameters();
        averageParameters_ = average_->parameters();
    }
}

double AdversarialAlignment::flowStep(const at::Tensor& w) {
    const at::Tensor index = at::multinomial(w, options_.flowBatch, true, generator_);
    const at::Tensor x1 = poolSamples_.index_select(0, index);
    const GaussianBase noise(model_->eventShape(), model_->zeroCentreOfMass());
    const at::Tensor x0 = noise.sample(x1.size(0), x1.options(), generator_);
    const at::Tensor t = at::rand({x1.size(0)}, generator_, x1.scalar_type());
    flowOptimizer_->zero_grad();
    const at::Tensor loss = flowMatchingLoss(*model_, x1, x0, t);
    loss.backward();
    flowOptimizer_->step();
    return loss.item<double>();
}

AdversarialAlignment::~AdversarialAlignment() = default;

void AdversarialAlignment::setPool(const at::Tensor& samples) {
    if (round_ > 0 || !pool_.empty())
        throw SpecError("ADA: the base pool can only be given before the first round");
    std::vector<int64_t> event = model_->eventShape();
    const bool flat = samples.dim() == 2 && samples.size(1) == model_->flatDimension();
    const bool shaped = samples.dim() == static_cast<int64_t>(event.size()) + 1 &&
                        std::equal(event.begin(), event.end(), samples.sizes().begin() + 1);
    if (!samples.defined() || (!flat && !shaped) || samples.size(0) < 2)
        throw SpecError("ADA: a base pool must hold at least 2 samples of the model's shape " + c10::str(at::IntArrayRef(event)) + ", found " +
                        (samples.defined() ? c10::str(samples.sizes()) : std::string("none")));
    if (!at::isfinite(samples).all().item<bool>())
        throw SpecError("ADA: the base pool holds NaN or infinite values");
    std::vector<int64_t> shape = {samples.size(0)};
    shape.insert(shape.end(), event.begin(), event.end());
    givenPool_ = samples.reshape(shape).detach().clone();
    options_.poolSize = samples.size(0);  // recorded in checkpoints like a drawn pool
}

std::vector<std::string> AdversarialAlignment::names() const {
    std::vector<std::string> out;
    for (int i = 0; i < critics_->size(); ++i)
        out.push_back(critics_->target(i).name);
    return out;
}

const AlignmentRound& AdversarialAlignment::round() {
    if (finished())
        throw SpecError("ADA: all " + std::to_string(options_.rounds) + " rounds are done");
    const auto start = std::chrono::steady_clock::now();
    AlignmentRound r;
    r.round = round_;
    if (pool_.empty() && givenPool_.defined()) {
        poolSamples_ = givenPool_.to(model_->tensorOptions());
        pool_ = critics_->observe(poolSamples_);
    } else if (pool_.empty()) {
        poolSamples_ = MemorylessSDE(samplingSDEOptions(options_.adjoint)).sample(*base_, options_.poolSize, generator_).samples.to(model_->tensorOptions());
        pool_ = critics_->observe(poolSamples_);
    }
    if (round_ == 0)
        for (int64_t done = 0; done < options_.criticWarmup; done += options_.critics.steps)
            critics_->update(pool_);
    r.dual = critics_->update(pool_);
    const at::Tensor w = critics_->weights(pool_);  // fixed during the generator phase: the critics do not move
    r.ess = pathEffectiveSampleSize(doubleValues(w.log()));

    double loss = 0;
    for (int64_t i = 0; i < options_.generatorIterations; ++i) {
        loss += options_.generator == "adjoint-matching" ? trainer_->iterate() : flowStep(w);
        if (average_)
            updateExponentialMovingAverage(averageParameters_, modelParameters_, options_.generatorAverage);
    }
    r.loss = loss / static_cast<double>(options_.generatorIterations);

    const SDESample samples = trainer_->sde().sample(aligned(), options_.samplesPerRound, generator_);
    r.kl = controlCost(*base_, aligned(), samples.trajectory, samples.times).mean().item<double>();
    r.w1 = critics_->gaps(critics_->observe(samples.samples));
    {
        torch::NoGradGuard noGrad;
        r.meanReward = reward_->value(samples.samples).mean().item<double>();
    }
    r.rewardGradientEvaluations = trainer_->rewardGradientEvaluations();
    r.gradientUpdates = trainer_->gradientUpdates();
    secondsBefore_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.seconds = secondsBefore_;
    ++round_;
    history_.push_back(r);
    if (progress_)
        progress_(history_.back());
    if (!options_.checkpointPath.empty() && options_.checkpointEvery > 0 && round_ % options_.checkpointEvery == 0)
        saveCheckpoint(options_.checkpointPath);
    return history_.back();
}

void AdversarialAlignment::train(int64_t maxRounds) {
    int64_t done = 0;
    while (!finished() && (maxRounds < 0 || done < maxRounds)) {
        round();
        ++done;
    }
    if (done > 0 && !options_.checkpointPath.empty())
        saveCheckpoint(options_.checkpointPath);
}

at::Tensor AdversarialAlignment::sample(int64_t count, at::Generator& generator) {
    return MemorylessSDE(samplingSDEOptions(options_.adjoint)).sample(aligned(), count, generator).samples;
}

nlohmann::json AdversarialAlignment::historyJson() const {
    nlohmann::json out = nlohmann::json::array();
    const std::vector<std::string> n = names();
    for (const AlignmentRound& r : history_)
        out.push_back(r.toJson(n));
    return out;
}

void AdversarialAlignment::saveCheckpoint(const std::string& path) const {
    Bundle bundle;
    bundle.kind = checkpointKind;
    bundle.config = {{"options", options_.toJson()},
                     {"observables", names()},
                     {"model", {{"kind", model_->kind()}, {"config", model_->config()}}},
                     {"round", round_},
                     {"seconds", secondsBefore_},
                     {"history", historyJson()}};
    trainer_->store(bundle, "adjoint.");
    critics_->store(bundle, "critics.");
    bundle.tensors["generator"] = generatorState(generator_);
    for (size_t i = 0; i < pool_.size(); ++i)
        bundle.tensors["pool." + std::to_string(i)] = toBundleTensor(pool_[i]);
    if (poolSamples_.defined())
        bundle.tensors["pool.samples"] = toBundleTensor(poolSamples_);
    storeAdamState(*flowOptimizer_, *model_, bundle, "flow.adam.");
    if (average_)
        storeVectorFieldTensors(*average_, bundle, "generator_average.");
    bundle.write(path);
}

void AdversarialAlignment::restoreCheckpoint(const std::string& path) {
    const Bundle bundle = Bundle::read(path);
    if (bundle.kind != checkpointKind)
        throw SpecError(path + ": bundle kind \"" + bundle.kind + "\" is not an " + checkpointKind);
    const JsonFields config(bundle.config, path + ": config");
    if (config.require("observables") != nlohmann::json(names()))
        throw SpecError(path + ": the checkpoint aligns observables " + config.require("observables").dump() + ", this run " +
                        nlohmann::json(names()).dump());
    const JsonFields model(config.require("model"), config.path("model"));
    if (model.string("kind") != model_->kind() || model.require("config") != model_->config())
        throw SpecError(path + ": the checkpoint holds a " + model.string("kind") + " model with another configuration than this run's");
    nlohmann::json mine = options_.toJson(), theirs = config.require("options");
    mine.erase("rounds");
    theirs.erase("rounds");
    mine.erase("checkpoint_every");
    theirs.erase("checkpoint_every");
    if (mine != theirs)
        throw SpecError(path + ": the checkpoint was made with options " + theirs.dump() + ", this run has " + mine.dump() +
                        " (only rounds and checkpoint_every may change)");
    const int64_t round = config.integer64("round", -1);
    if (round < 0 || round > options_.rounds)
        throw SpecError(path + ": round " + std::to_string(round) + " is outside 0.." + std::to_string(options_.rounds));
    at::Generator generator = generatorFromState(bundle, "generator", path);
    std::vector<AlignmentRound> history;
    for (const nlohmann::json& h : config.require("history")) {
        const JsonFields f(h, config.path("history"));
        AlignmentRound r;
        r.round = f.integer64("round", 0);
        for (const std::string& n : names())
            r.w1.push_back(JsonFields(f.require("w1"), f.path("w1")).number(n));
        r.kl = f.number("kl");
        r.dual = f.number("dual");
        r.ess = f.number("ess");
        r.loss = f.number("loss");
        r.meanReward = f.number("mean_reward");
        r.rewardGradientEvaluations = f.integer64("reward_gradient_evaluations", 0);
        r.gradientUpdates = f.integer64("gradient_updates", 0);
        r.seconds = f.number("seconds");
        history.push_back(r);
    }
    std::vector<at::Tensor> pool;
    if (bundle.tensors.count("pool.0"))
        for (int i = 0; i < critics_->size(); ++i) {
            pool.push_back(fromBundleTensor(bundle.tensor("pool." + std::to_string(i), path)));
            if (pool.back().dim() != 2 || pool.back().size(1) != critics_->target(i).dimension() || pool.back().size(0) != options_.poolSize)
                throw SpecError(path + ": tensor \"pool." + std::to_string(i) + "\" is not [" + std::to_string(options_.poolSize) + ", " +
                                std::to_string(critics_->target(i).dimension()) + "]");
        }
    at::Tensor poolSamples;
    if (!pool.empty()) {
        poolSamples = fromBundleTensor(bundle.tensor("pool.samples", path)).to(model_->tensorOptions());
        if (poolSamples.size(0) != options_.poolSize || poolSamples[0].numel() != model_->flatDimension())
            throw SpecError(path + ": tensor \"pool.samples\" does not hold " + std::to_string(options_.poolSize) + " model samples");
        poolSamples = poolSamples.reshape(poolSamples_.defined() ? poolSamples_.sizes() : poolSamples.sizes());
    }
    StagedAdamState flowAdam(bundle, *model_, path, "flow.adam.");
    std::shared_ptr<VectorField> average;
    if (average_) {  // staged in a copy, so that a bad checkpoint changes nothing
        average = frozenCopy(*average_, path);
        restoreVectorFieldTensors(*average, bundle, path, "generator_average.");
    }
    critics_->restore(bundle, path, "critics.");
    trainer_->restore(bundle, path, "adjoint.");
    generator_ = generator;
    pool_ = std::move(pool);
    poolSamples_ = poolSamples;
    flowAdam.apply(*flowOptimizer_);
    if (average_)
        copyWeights(*average, *average_);
    round_ = round;
    secondsBefore_ = config.number("seconds", 0.0);
    history_ = std::move(history);
}

}  // namespace ada
