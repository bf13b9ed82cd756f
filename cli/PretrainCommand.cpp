// ada pretrain: fit a flow-matching model (DESIGN.md §3.1) to configurations from NPY or DCD.
//   ada pretrain --data frames.npy --out model.adab [--atoms 0,1,...] [--model mlp|egnn] [--align|--no-align]
//                [--steps 5000] [--batch 256] [--lr 1e-3] [--validation 0.1] [--seed 0] [--threads N]
//                [--checkpoint ckpt.adab --checkpoint-every 1000] [--resume ckpt.adab]
// Particle data are centred (zero centre of mass); for the MLP they are also superposed (Kabsch) on the first
// training frame unless --no-align, since an MLP is not rotation-invariant. The model written to --out is
// the moving average of the weights, with the preparation stored beside it (TrainedModel.h).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include "Commands.h"
#include "ada/data/DatasetTensor.h"
#include "ada/flow/FlowMatchingTrainer.h"
#include "ada/io/Dataset.h"
#include "ada/io/SpecError.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/MLPVectorField.h"
#include "ada/models/TrainedModel.h"

namespace {

struct PretrainOptions {
    std::string data, out, model = "mlp", checkpoint, resume, dtype = "float32";
    std::vector<int> atoms;
    bool align = true;
    int64_t steps = 5000, batch = 256, hidden = 256, layers = 4, checkpointEvery = 1000, progressEvery = 100;
    double learningRate = 1e-3, validation = 0.1, ema = 0.999;
    uint64_t seed = 0;
    int threads = 0;
};

void pretrain(const PretrainOptions& o) {
    if (o.model != "mlp" && o.model != "egnn")
        throw ada::SpecError("--model: expected mlp or egnn, found \"" + o.model + "\"");
    if (o.steps <= 0 || o.batch <= 0)
        throw ada::SpecError("--steps and --batch must be positive");
    if (!(o.validation >= 0 && o.validation < 1))
        throw ada::SpecError("--validation must be in [0, 1)");
    ada::Dataset data = ada::Dataset::load(o.data);
    ada::DataPreparation prep;
    prep.particles = data.layout() == ada::Dataset::Layout::Particles;
    if (prep.particles) {
        prep.numSystemAtoms = data.numAtoms();
        prep.atoms = o.atoms;
        prep.centred = true;
        if (o.model == "mlp" && o.align) {
            const ada::Dataset first = prep.apply(data.selectFrames({0}));  // the reference: frame 0, selected and centred
            prep.reference.assign(first.frame(0), first.frame(0) + first.frameSize());
            prep.aligned = true;
        }
        data = prep.apply(data);
    } else if (o.model == "egnn") {
        throw ada::SpecError(o.data + ": the egnn model needs particle data [frames, atoms, 3]");
    } else if (!o.atoms.empty()) {
        throw ada::SpecError("--atoms applies to particle data [frames, atoms, 3] only");
    }
    // One scale for all coordinates (TrainedModel.h): the RMS deviation from the mean (zero for centred particles).
    double sum = 0, sumSquares = 0;
    for (double v : data.values()) {
        sum += v;
        sumSquares += v * v;
    }
    const double n = static_cast<double>(data.values().size());
    prep.scale = prep.particles ? std::sqrt(sumSquares / n) : std::sqrt(std::max(sumSquares / n - (sum / n) * (sum / n), 0.0));
    if (!(prep.scale > 0))
        prep.scale = 1.0;
    const ada::DatasetSplit split = data.split(o.validation, o.seed);
    const auto dtype = o.dtype == "float64" ? at::kDouble : at::kFloat;
    const auto shape = o.model == "egnn" ? ada::TensorShape::Particles : ada::TensorShape::Flat;
    const at::Tensor training = ada::datasetTensor(split.training, shape, dtype) / prep.scale;
    const at::Tensor validation =
        split.validation.numFrames() > 0 ? ada::datasetTensor(split.validation, shape, dtype) / prep.scale : at::Tensor();
    std::cerr << "ada pretrain: " << split.training.numFrames() << " training and " << split.validation.numFrames()
              << " validation frames of " << data.frameSize() << " values from " << o.data << " (scale " << prep.scale << ")\n";

    ada::FlowMatchingTrainerOptions options;
    options.steps(o.steps).batchSize(std::min<int64_t>(o.batch, training.size(0))).learningRate(o.learningRate).emaDecay(o.ema)
        .seed(o.seed).threads(o.threads).progressEvery(o.progressEvery)
        .validationEvery(validation.defined() ? std::max<int64_t>(o.progressEvery, 1) : 0)
        .checkpointEvery(o.checkpoint.empty() ? 0 : o.checkpointEvery).checkpointPath(o.checkpoint)
        .warmupSteps(std::min<int64_t>(100, o.steps / 10));
    std::unique_ptr<ada::FlowMatchingTrainer> trainer;
    if (!o.resume.empty()) {
        trainer = ada::FlowMatchingTrainer::resume(o.resume, training, validation);
        std::cerr << "ada pretrain: resumed from " << o.resume << " at step " << trainer->state().step << "\n";
    } else {
        at::manual_seed(o.seed);  // the model's initial weights: one seed, one model
        std::shared_ptr<ada::VectorField> field;
        if (o.model == "mlp")
            field = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(data.frameSize()).hidden(o.hidden).layers(o.layers));
        else
            field = std::make_shared<ada::EGNNVectorFieldImpl>(ada::EGNNVectorFieldOptions(data.numAtoms(), 3).hidden(o.hidden).layers(o.layers));
        field->to(dtype);
        trainer = std::make_unique<ada::FlowMatchingTrainer>(field, training, validation, options);
    }
    trainer->setProgressCallback(ada::printProgress(std::cerr));
    trainer->train();
    ada::saveTrainedModel(*trainer->emaModel(), prep, o.out);
    std::cout << "wrote " << o.out << " (" << trainer->emaModel()->kind() << ", " << trainer->state().step << " steps";
    if (validation.defined())
        std::cout << ", validation loss " << trainer->validationLoss();
    std::cout << ")\n";
}

}  // namespace

void addPretrainCommand(CLI::App& app) {
    auto o = std::make_shared<PretrainOptions>();
    auto* c = app.add_subcommand("pretrain", "Train a flow-matching model of configurations (NPY or DCD)");
    c->add_option("--data", o->data, "configurations: .npy [frames, atoms, 3] (nm) or [frames, D], or .dcd")->required();
    c->add_option("--out", o->out, "model file to write")->required();
    c->add_option("--atoms", o->atoms, "atoms to model (default: all)")->delimiter(',');
    c->add_option("--model", o->model, "mlp or egnn")->capture_default_str();
    c->add_flag("--align,!--no-align", o->align, "superpose frames on the first (MLP only; default on)");
    c->add_option("--steps", o->steps, "optimiser steps")->capture_default_str();
    c->add_option("--batch", o->batch, "minibatch size")->capture_default_str();
    c->add_option("--hidden", o->hidden, "hidden width")->capture_default_str();
    c->add_option("--layers", o->layers, "hidden layers")->capture_default_str();
    c->add_option("--lr", o->learningRate, "peak learning rate")->capture_default_str();
    c->add_option("--ema", o->ema, "decay of the weight average")->capture_default_str();
    c->add_option("--validation", o->validation, "fraction of frames held out")->capture_default_str();
    c->add_option("--dtype", o->dtype, "float32 or float64")->capture_default_str()->check(CLI::IsMember({"float32", "float64"}));
    c->add_option("--seed", o->seed, "random seed (initial weights, validation split, batches, noise)")->capture_default_str();
    c->add_option("--threads", o->threads, "LibTorch threads (0: default)");
    c->add_option("--progress-every", o->progressEvery, "steps between progress lines")->capture_default_str();
    c->add_option("--checkpoint", o->checkpoint, "checkpoint file to write");
    c->add_option("--checkpoint-every", o->checkpointEvery, "steps between checkpoints")->capture_default_str();
    c->add_option("--resume", o->resume, "continue from this checkpoint");
    c->callback([o] { pretrain(*o); });
}
