#include "ada/flow/FlowMatchingTrainer.h"

#include <cmath>
#include <iomanip>
#include <limits>
#include <numeric>
#include <ostream>
#include <sstream>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>

#include "ada/flow/ExponentialMovingAverage.h"
#include "ada/flow/FlowMatchingLoss.h"
#include "ada/io/Bundle.h"
#include "ada/torch/TrainingState.h"
#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"
#include "ada/models/ModelBundle.h"

namespace ada {

namespace {

constexpr uint64_t kValidationSeedOffset = 0x9E3779B97F4A7C15ull;

std::string dtypeName(at::ScalarType type) { return type == at::kFloat ? "float32" : "float64"; }

// A data tensor [n, event...] (or [n, D]) in the model's dtype, reshaped to the event shape and centred.
at::Tensor prepareData(const at::Tensor& data, const GaussianBase& base, const at::TensorOptions& options, const std::string& what) {
    if (!data.defined())
        return data;
    if (data.dim() < 2 || data.numel() != data.size(0) * base.flatDimension())
        throw SpecError("flow matching trainer: " + what + " data must be [n, ...] with " + std::to_string(base.flatDimension()) +
                        " coordinates per sample, found " + c10::str(data.sizes()));
    std::vector<int64_t> shape{data.size(0)};
    shape.insert(shape.end(), base.eventShape().begin(), base.eventShape().end());
    const at::Tensor prepared = base.project(data.detach().to(options).reshape(shape)).contiguous();
    if (!at::isfinite(prepared).all().item<bool>())
        throw SpecError("flow matching trainer: " + what + " data contain NaN or infinite values");
    return prepared;
}

void checkOptions(const FlowMatchingTrainerOptions& o, const std::string& where) {
    const auto fail = [&](const std::string& what) { throw SpecError(where + ": " + what + " (options " + o.toJson().dump() + ")"); };
    if (o.steps() < 0 || o.warmupSteps() < 0 || o.validationEvery() < 0 || o.progressEvery() < 0 || o.checkpointEvery() < 0)
        fail("step counts must not be negative");
    if (o.batchSize() < 1 || o.validationBatchSize() < 1)
        fail("batch sizes must be positive");
    if (!(o.learningRate() > 0) || !(o.finalLearningRateFraction() >= 0))
        fail("the learning rate must be positive and the final fraction non-negative");
    if (!(o.beta1() >= 0 && o.beta1() < 1) || !(o.beta2() >= 0 && o.beta2() < 1) || !(o.epsilon() > 0) || !(o.weightDecay() >= 0))
        fail("Adam needs 0 <= beta1, beta2 < 1, epsilon > 0, weight_decay >= 0");
    if (!(o.emaDecay() >= 0 && o.emaDecay() < 1))
        fail("ema_decay must be in [0, 1)");
    if (!(o.gradientClip() >= 0))
        fail("gradient_clip must not be negative");
}

}  // namespace

nlohmann::json FlowMatchingTrainerOptions::toJson() const {
    return {{"steps", steps_},
            {"batch_size", batchSize_},
            {"learning_rate", learningRate_},
            {"warmup_steps", warmupSteps_},
            {"final_learning_rate_fraction", finalLearningRateFraction_},
            {"beta1", beta1_},
            {"beta2", beta2_},
            {"epsilon", epsilon_},
            {"weight_decay", weightDecay_},
            {"gradient_clip", gradientClip_},
            {"ema_decay", emaDecay_},
            {"validation_every", validationEvery_},
            {"validation_batch_size", validationBatchSize_},
            {"progress_every", progressEvery_},
            {"checkpoint_every", checkpointEvery_},
            {"checkpoint_path", checkpointPath_},
            {"seed", seed_},
            {"threads", threads_}};
}

FlowMatchingTrainerOptions FlowMatchingTrainerOptions::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    FlowMatchingTrainerOptions o;
    o.steps(f.integer64("steps", o.steps()))
        .batchSize(f.integer64("batch_size", o.batchSize()))
        .learningRate(f.number("learning_rate", o.learningRate()))
        .warmupSteps(f.integer64("warmup_steps", o.warmupSteps()))
        .finalLearningRateFraction(f.number("final_learning_rate_fraction", o.finalLearningRateFraction()))
        .beta1(f.number("beta1", o.beta1()))
        .beta2(f.number("beta2", o.beta2()))
        .epsilon(f.number("epsilon", o.epsilon()))
        .weightDecay(f.number("weight_decay", o.weightDecay()))
        .gradientClip(f.number("gradient_clip", o.gradientClip()))
        .emaDecay(f.number("ema_decay", o.emaDecay()))
        .validationEvery(f.integer64("validation_every", o.validationEvery()))
        .validationBatchSize(f.integer64("validation_batch_size", o.validationBatchSize()))
        .progressEvery(f.integer64("progress_every", o.progressEvery()))
        .checkpointEvery(f.integer64("checkpoint_every", o.checkpointEvery()))
        .checkpointPath(f.string("checkpoint_path", o.checkpointPath()))
        .seed(f.unsignedInteger("seed", o.seed()))
        .threads(f.integer("threads", o.threads()));
    return o;
}

ProgressCallback printProgress(std::ostream& out) {
    return [&out](const TrainingProgress& p) {
        std::ostringstream line;
        line << "step " << p.step << "/" << p.totalSteps << "  loss " << std::fixed << std::setprecision(4) << p.loss;
        if (std::isfinite(p.validationLoss))
            line << "  val " << p.validationLoss;
        line << std::scientific << std::setprecision(2) << "  lr " << p.learningRate << std::fixed << std::setprecision(0) << "  "
             << p.samplesPerSecond << " samples/s  ETA " << p.etaSeconds << " s";
        out << line.str() << std::endl;
    };
}

FlowMatchingTrainer::FlowMatchingTrainer(std::shared_ptr<VectorField> model, const at::Tensor& training, const at::Tensor& validation,
                                         FlowMatchingTrainerOptions options)
    : model_(std::move(model)), base_(model_ ? GaussianBase::of(*model_) : GaussianBase({1}, false)), options_(std::move(options)) {
    if (!model_)
        throw SpecError("flow matching trainer: no model");
    const FlowMatchingTrainerOptions& o = options_;
    checkOptions(o, "flow matching trainer");
    const at::TensorOptions tensorOptions = model_->tensorOptions();
    training_ = prepareData(training, base_, tensorOptions, "training");
    validation_ = prepareData(validation, base_, tensorOptions, "validation");
    if (!training_.defined() || training_.size(0) < o.batchSize())
        throw SpecError("flow matching trainer: the training data (" + std::string(training_.defined() ? std::to_string(training_.size(0)) : "none") +
                        " samples) must hold at least one batch of " + std::to_string(o.batchSize()));
    if (o.validationEvery() > 0 && (!validation_.defined() || validation_.size(0) == 0))
        throw SpecError("flow matching trainer: validation_every > 0 needs validation data");

    ema_ = frozenCopy(*model_, "flow matching trainer");
    parameters_ = model_->parameters();
    emaParameters_ = ema_->parameters();
    optimizer_ = std::make_unique<torch::optim::Adam>(parameters_, torch::optim::AdamOptions(o.learningRate()));
    reseed();
}

FlowMatchingTrainer::~FlowMatchingTrainer() = default;

void FlowMatchingTrainer::reseed() {
    const FlowMatchingTrainerOptions& o = options_;
    schedule_ = WarmupCosineSchedule{o.learningRate(), o.warmupSteps(), o.steps(), o.finalLearningRateFraction()};
    auto& adam = static_cast<torch::optim::AdamOptions&>(optimizer_->param_groups().front().options());
    adam.lr(o.learningRate()).betas(std::make_tuple(o.beta1(), o.beta2())).eps(o.epsilon()).weight_decay(o.weightDecay());
    loop_ = FlowMatchingLoopState();
    loop_.shuffle.seed(o.seed());
    loop_.noise = at::make_generator<at::CPUGeneratorImpl>(o.seed());
    loop_.lastValidationLoss = std::numeric_limits<double>::quiet_NaN();
}

at::Tensor FlowMatchingTrainer::nextBatch() {
    const int64_t n = training_.size(0), b = options_.batchSize();
    if (!loop_.permutation.defined() || loop_.position + b > n) {
        std::vector<int64_t> order(n);
        std::iota(order.begin(), order.end(), int64_t(0));
        // Fisher–Yates with the raw 64-bit output, so the order is the same with every standard library.
        for (int64_t i = n - 1; i > 0; --i)
            std::swap(order[i], order[loop_.shuffle() % static_cast<uint64_t>(i + 1)]);
        loop_.permutation = at::tensor(order, at::kLong);
        loop_.position = 0;
        ++loop_.epoch;
    }
    const at::Tensor indices = loop_.permutation.narrow(0, loop_.position, b);
    loop_.position += b;
    return training_.index_select(0, indices.to(training_.device()));
}

double FlowMatchingTrainer::trainStep(const at::Tensor& batch) {
    // Only what a fixed, already prepared batch needs (no copies then): reshape and centre.
    std::vector<int64_t> shape{batch.size(0)};
    shape.insert(shape.end(), base_.eventShape().begin(), base_.eventShape().end());
    const at::Tensor x1 = base_.project(batch.to(model_->tensorOptions()).reshape(shape));
    const int64_t b = x1.size(0);
    const at::Tensor x0 = base_.sample(b, x1.options(), loop_.noise);
    const at::Tensor t = at::rand({b}, loop_.noise, x1.options());
    model_->zero_grad(/*set_to_none=*/true);
    const at::Tensor loss = flowMatchingLoss(*model_, x1, x0, t);
    loss.backward();
    if (options_.gradientClip() > 0)
        torch::nn::utils::clip_grad_norm_(parameters_, options_.gradientClip());
    static_cast<torch::optim::AdamOptions&>(optimizer_->param_groups().front().options()).lr(schedule_(loop_.step));
    optimizer_->step();
    updateExponentialMovingAverage(emaParameters_, parameters_, options_.emaDecay());
    ++loop_.step;
    return loss.item<double>();
}

double FlowMatchingTrainer::validationLoss() {
    if (!validation_.defined() || validation_.size(0) == 0)
        throw SpecError("flow matching trainer: no validation data");
    torch::NoGradGuard noGrad;
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options_.seed() + kValidationSeedOffset);
    const int64_t n = validation_.size(0);
    double sum = 0;
    for (int64_t start = 0; start < n; start += options_.validationBatchSize()) {
        const int64_t b = std::min(options_.validationBatchSize(), n - start);
        const at::Tensor x1 = validation_.narrow(0, start, b);
        const at::Tensor x0 = base_.sample(b, x1.options(), generator);
        const at::Tensor t = at::rand({b}, generator, x1.options());
        sum += flowMatchingLoss(*ema_, x1, x0, t).item<double>() * static_cast<double>(b);
    }
    return sum / static_cast<double>(n);
}

void FlowMatchingTrainer::report(double lossSum, int64_t lossCount, int64_t samples, std::chrono::steady_clock::time_point since) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
    TrainingProgress p;
    p.step = loop_.step;
    p.totalSteps = options_.steps();
    p.loss = lossCount > 0 ? lossSum / static_cast<double>(lossCount) : std::numeric_limits<double>::quiet_NaN();
    p.validationLoss = loop_.lastValidationLoss;
    p.learningRate = schedule_(std::max<int64_t>(0, loop_.step - 1));
    p.samplesPerSecond = seconds > 0 ? static_cast<double>(samples) / seconds : 0;
    const double stepsPerSecond = seconds > 0 ? static_cast<double>(lossCount) / seconds : 0;
    p.etaSeconds = stepsPerSecond > 0 ? static_cast<double>(options_.steps() - loop_.step) / stepsPerSecond : 0;
    progress_(p);
}

void FlowMatchingTrainer::train(int64_t maxSteps) {
    if (options_.threads() > 0)
        at::set_num_threads(options_.threads());
    auto since = std::chrono::steady_clock::now();
    double lossSum = 0;
    int64_t lossCount = 0, done = 0;
    while (loop_.step < options_.steps() && (maxSteps < 0 || done < maxSteps)) {
        lossSum += trainStep(nextBatch());
        ++lossCount;
        ++done;
        const int64_t step = loop_.step;
        if (options_.validationEvery() > 0 && step % options_.validationEvery() == 0)
            loop_.lastValidationLoss = validationLoss();
        if (progress_ && ((options_.progressEvery() > 0 && step % options_.progressEvery() == 0) || step == options_.steps())) {
            report(lossSum, lossCount, lossCount * options_.batchSize(), since);
            since = std::chrono::steady_clock::now();
            lossSum = 0;
            lossCount = 0;
        }
        if (options_.checkpointEvery() > 0 && !options_.checkpointPath().empty() && step % options_.checkpointEvery() == 0)
            saveCheckpoint(options_.checkpointPath());
    }
    if (done > 0 && !options_.checkpointPath().empty())
        saveCheckpoint(options_.checkpointPath());
}

void FlowMatchingTrainer::saveCheckpoint(const std::string& path) const {
    Bundle bundle;
    bundle.kind = checkpointKind;
    std::ostringstream shuffleState;
    shuffleState << loop_.shuffle;
    nlohmann::json loop = {{"step", loop_.step},
                           {"epoch", loop_.epoch},
                           {"position", loop_.position},
                           {"shuffle_state", shuffleState.str()},
                           {"training_samples", training_.size(0)}};
    if (std::isfinite(loop_.lastValidationLoss))
        loop["last_validation_loss"] = loop_.lastValidationLoss;
    bundle.config = {{"options", options_.toJson()},
                     {"model", {{"kind", model_->kind()}, {"config", model_->config()}, {"dtype", dtypeName(model_->tensorOptions().dtype().toScalarType())}}},
                     {"loop", loop}};
    storeVectorFieldTensors(*model_, bundle, "model.");
    storeVectorFieldTensors(*ema_, bundle, "ema.");
    storeAdamState(*optimizer_, *model_, bundle, "adam.");
    if (loop_.permutation.defined())
        bundle.tensors["loop.permutation"] = toBundleTensor(loop_.permutation);
    bundle.tensors["loop.noise_generator"] = generatorState(loop_.noise);
    bundle.write(path);
}

void FlowMatchingTrainer::restoreCheckpoint(const std::string& path) {
    const Bundle bundle = Bundle::read(path);
    if (bundle.kind != checkpointKind)
        throw SpecError(path + ": bundle kind \"" + bundle.kind + "\" is not a " + checkpointKind);
    const JsonFields config(bundle.config, path + ": config");
    const JsonFields model(config.require("model"), config.path("model"));
    if (model.string("kind") != model_->kind() || model.require("config") != model_->config())
        throw SpecError(path + ": the checkpoint holds a " + model.string("kind") + " " + model.require("config").dump() +
                        ", this trainer trains a " + model_->kind() + " " + model_->config().dump());
    const FlowMatchingTrainerOptions options = FlowMatchingTrainerOptions::fromJson(config.require("options"), config.path("options"));
    checkOptions(options, config.path("options"));
    if (options.validationEvery() > 0 && !validation_.defined())
        throw SpecError(config.path("options") + ": validation_every > 0 needs validation data");
    const JsonFields loop(config.require("loop"), config.path("loop"));
    const int64_t samples = loop.integer64("training_samples", -1);
    if (samples != training_.size(0))
        throw SpecError(path + ": the checkpoint was made with " + std::to_string(samples) + " training samples, this trainer has " +
                        std::to_string(training_.size(0)));
    FlowMatchingLoopState restored;
    restored.step = loop.integer64("step", 0);
    restored.epoch = loop.integer64("epoch", 0);
    restored.position = loop.integer64("position", 0);
    restored.lastValidationLoss = loop.number("last_validation_loss", std::numeric_limits<double>::quiet_NaN());
    std::istringstream shuffleState(loop.string("shuffle_state"));
    shuffleState >> restored.shuffle;
    if (shuffleState.fail())
        throw SpecError(loop.path("shuffle_state") + ": not a std::mt19937_64 state");
    if (bundle.tensors.count("loop.permutation")) {
        restored.permutation = fromBundleTensor(bundle.tensors.at("loop.permutation")).to(at::kLong);
        if (restored.permutation.dim() != 1 || restored.permutation.size(0) != samples || restored.position < 0 ||
            restored.position > samples)
            throw SpecError(path + ": tensor \"loop.permutation\" does not match " + std::to_string(samples) + " training samples");
    }
    restored.noise = generatorFromState(bundle, "loop.noise_generator", path);

    // Read into fresh modules first: a bad checkpoint leaves this trainer unchanged.
    std::shared_ptr<VectorField> modelCopy = buildVectorFieldLike(*model_, path), emaCopy = buildVectorFieldLike(*model_, path);
    restoreVectorFieldTensors(*modelCopy, bundle, path, "model.");
    restoreVectorFieldTensors(*emaCopy, bundle, path, "ema.");
    StagedAdamState adamState(bundle, *model_, path, "adam.");

    copyWeights(*modelCopy, *model_);
    copyWeights(*emaCopy, *ema_);
    adamState.apply(*optimizer_);
    options_ = options;
    reseed();
    loop_ = std::move(restored);
}

std::unique_ptr<FlowMatchingTrainer> FlowMatchingTrainer::resume(const std::string& checkpointPath, const at::Tensor& training,
                                                                 const at::Tensor& validation) {
    const Bundle bundle = Bundle::read(checkpointPath);
    if (bundle.kind != checkpointKind)
        throw SpecError(checkpointPath + ": bundle kind \"" + bundle.kind + "\" is not a " + checkpointKind);
    const JsonFields config(bundle.config, checkpointPath + ": config");
    const JsonFields model(config.require("model"), config.path("model"));
    std::shared_ptr<VectorField> field = buildVectorField(model.string("kind"), model.require("config"), checkpointPath);
    field->to(model.string("dtype", "float64") == "float32" ? at::kFloat : at::kDouble);
    const FlowMatchingTrainerOptions options = FlowMatchingTrainerOptions::fromJson(config.require("options"), config.path("options"));
    auto trainer = std::make_unique<FlowMatchingTrainer>(field, training, validation, options);
    trainer->restoreCheckpoint(checkpointPath);
    return trainer;
}

}  // namespace ada
