// ada adjoint-sample: train a diffusion sampler from an energy alone by Adjoint Sampling (DESIGN.md §3.4).
//   ada adjoint-sample --energy dw4|lj13|lj55|muller-brown|openmm:system.xml --out model.adab
//                      [--iterations 1000] [--samples-per-iteration 64] [--updates-per-iteration 50] [--batch 64]
//                      [--buffer 10000] [--lr 1e-3] [--lr-final-fraction 1] [--ema 0] [--sigma-max 2] [--sigma-min 1e-3] [--time-power 1] [--sde-steps 100] [--integrator euler|heun] [--clip 10]
//                      [--model egnn|mlp] [--hidden 64] [--layers 4] [--coordinate-range 0] [--layer-norm] [--radial-basis 0 --radial-cutoff 3] [--time-frequency 100] [--temperature 300 (openmm: only)]
//                      [--seed 0] [--threads N] [--checkpoint ckpt.adab --checkpoint-every 50] [--resume ckpt.adab]
// The model written to --out is sampled by `ada sample` with the controlled SDE from X_0 = 0
// (soc/AdjointSampler.h); `ada evaluate --energy` compares its samples with reference configurations.
#include <cmath>
#include <iostream>
#include <memory>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include "Commands.h"
#include "EnergyOption.h"
#include "ada/io/SpecError.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/MLPVectorField.h"
#include "ada/soc/AdjointSamplingTrainer.h"

namespace {

struct AdjointSampleCommandOptions {
    std::string energy, out, model, checkpoint, resume, dtype = "float32", integrator = "euler";
    int64_t iterations = 1000, samplesPerIteration = 64, updatesPerIteration = 50, batch = 64, buffer = 10000, sdeSteps = 100;
    int64_t hidden = 64, layers = 4, checkpointEvery = 50, progressEvery = 10, radialBasis = 0;
    double learningRate = 1e-3, finalLearningRateFraction = 1.0, emaDecay = 0.0, sigmaMax = 2.0, sigmaMin = 1e-3, clip = 10.0,
           temperature = 300.0, coordinateRange = 0.0, timeFrequency = 100.0,
           radialCutoff = 3.0, timePower = 1.0;
    uint64_t seed = 0;
    int threads = 0, workers = 1;
    bool temperatureGiven = false, layerNorm = false;
};

void adjointSample(const AdjointSampleCommandOptions& o) {
    if (o.iterations < 0 || o.samplesPerIteration < 1 || o.updatesPerIteration < 0 || o.batch < 1 || o.buffer < 1 || o.sdeSteps < 1)
        throw ada::SpecError("--iterations, --updates-per-iteration must be >= 0 and --samples-per-iteration, --batch, --buffer, "
                             "--sde-steps positive");
    if (!(o.sigmaMin > 0 && o.sigmaMax > o.sigmaMin))
        throw ada::SpecError("needs 0 < --sigma-min < --sigma-max, found " + std::to_string(o.sigmaMin) + " and " + std::to_string(o.sigmaMax));
    if (o.temperatureGiven && !isOpenMMEnergyName(o.energy))
        throw ada::SpecError("--temperature applies to openmm:<system.xml> energies; " + o.energy + " is in its own units (tau = 1)");
    if (!(o.temperature > 0))
        throw ada::SpecError("--temperature must be positive (K), found " + std::to_string(o.temperature));
    if (!(o.timeFrequency > 0) || !std::isfinite(o.timeFrequency))
        throw ada::SpecError("--time-frequency must be a positive angular frequency, found " + std::to_string(o.timeFrequency));
    if (o.threads > 0)
        at::set_num_threads(o.threads);
    const std::unique_ptr<ada::Energy> energy = energyFromOption(o.energy, o.temperature, o.workers);
    const int64_t N = energy->particles(), S = energy->spatialDimension();
    const std::string model = o.model.empty() ? (N >= 2 ? "egnn" : "mlp") : o.model;
    if (model != "egnn" && model != "mlp")
        throw ada::SpecError("--model: expected egnn or mlp, found \"" + model + "\"");
    if (model == "egnn" && N < 2)
        throw ada::SpecError("--model egnn needs at least 2 particles; the " + energy->name() + " energy has " + std::to_string(N));

    std::unique_ptr<ada::AdjointSamplingTrainer> trainer;
    if (!o.resume.empty()) {
        trainer = ada::AdjointSamplingTrainer::resume(o.resume, *energy, o.iterations);
        std::cerr << "ada adjoint-sample: resumed from " << o.resume << " at iteration " << trainer->iteration() << "\n";
    } else {
        ada::AdjointSamplingOptions options;
        options.iterations(o.iterations).samplesPerIteration(o.samplesPerIteration).updatesPerIteration(o.updatesPerIteration)
            .batchSize(o.batch).bufferSize(o.buffer).sdeSteps(o.sdeSteps).integrator(o.integrator).learningRate(o.learningRate).gradientClip(o.clip)
            .finalLearningRateFraction(o.finalLearningRateFraction).emaDecay(o.emaDecay)
            .sigmaMin(o.sigmaMin).sigmaMax(o.sigmaMax).timeDensityPower(o.timePower).seed(o.seed);
        at::manual_seed(o.seed);  // the control's initial weights
        std::shared_ptr<ada::VectorField> control;
        if (model == "egnn")
            control = std::make_shared<ada::EGNNVectorFieldImpl>(ada::EGNNVectorFieldOptions(N, S)
                                                                         .hidden(o.hidden)
                                                                         .layers(o.layers)
                                                                         .coordinateRange(o.coordinateRange)
                                                                         .layerNorm(o.layerNorm)
                                                                         .radialBasis(o.radialBasis)
                                                                         .radialCutoff(o.radialCutoff)
                                                                         .maxFrequency(o.timeFrequency));
        else
            control = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(N * S).hidden(o.hidden).layers(o.layers));
        control->to(o.dtype == "float64" ? at::kDouble : at::kFloat);
        trainer = std::make_unique<ada::AdjointSamplingTrainer>(control, *energy, options);
    }
    // Reporting and checkpointing follow the command line, also when resuming.
    trainer->setReporting(o.progressEvery, o.checkpoint, o.checkpoint.empty() ? 0 : o.checkpointEvery);
    const ada::AdjointSamplingOptions& t = trainer->options();
    std::cerr << "ada adjoint-sample: " << energy->name() << " (" << N << " particles in " << S << "-D), " << trainer->control()->kind() << ", "
              << t.iterations() << " iterations x (" << t.samplesPerIteration() << " samples, " << t.updatesPerIteration() << " updates of "
              << t.batchSize() << "), sigma " << t.sigmaMin() << ".." << t.sigmaMax() << "\n";
    trainer->setProgressCallback(ada::printAdjointSamplingProgress(std::cerr));
    trainer->train();
    trainer->sampler().save(*trainer->samplingControl(), *energy, t.temperature(), o.out);
    std::cout << "wrote " << o.out << " (adjoint sampling, " << trainer->iteration() << " iterations, " << trainer->energyEvaluations()
              << " energy evaluations, " << trainer->gradientUpdates() << " gradient updates)\n";
}

}  // namespace

void addAdjointSampleCommand(CLI::App& app) {
    auto o = std::make_shared<AdjointSampleCommandOptions>();
    auto* c = app.add_subcommand("adjoint-sample", "Train a sampler of exp(-E) from the energy alone (Adjoint Sampling)");
    c->add_option("--energy", o->energy, "dw4, lj13, lj55, muller-brown or openmm:<system.xml>")->required();
    c->add_option("--out", o->out, "model file to write")->required();
    c->add_option("--iterations", o->iterations, "rollout + update rounds")->capture_default_str();
    c->add_option("--samples-per-iteration", o->samplesPerIteration, "rollouts (energy evaluations) per iteration")->capture_default_str();
    c->add_option("--updates-per-iteration", o->updatesPerIteration, "gradient steps per iteration")->capture_default_str();
    c->add_option("--batch", o->batch, "minibatch of the gradient steps")->capture_default_str();
    c->add_option("--buffer", o->buffer, "replay buffer size")->capture_default_str();
    c->add_option("--lr", o->learningRate, "Adam learning rate")->capture_default_str();
    c->add_option("--lr-final-fraction", o->finalLearningRateFraction, "cosine decay of the learning rate to this fraction (1: constant)")
        ->capture_default_str();
    c->add_option("--ema", o->emaDecay, "decay of the moving average of the weights saved as the sampler (0: none)")->capture_default_str();
    c->add_option("--sigma-max", o->sigmaMax, "largest noise of the geometric schedule")->capture_default_str();
    c->add_option("--sigma-min", o->sigmaMin, "smallest noise of the geometric schedule")->capture_default_str();
    c->add_option("--time-power", o->timePower, "a: the regression's times are drawn with density a t^(a-1) (1: uniform; > 1: more "
                  "updates at late times)")->capture_default_str();
    c->add_option("--sde-steps", o->sdeSteps, "SDE steps of the rollouts")->capture_default_str();
    c->add_option("--integrator", o->integrator, "SDE integrator of the rollouts, saved with the model: euler or heun (two field "
                  "evaluations per step, second order)")->capture_default_str()->check(CLI::IsMember({"euler", "heun"}));
    c->add_option("--clip", o->clip, "per-particle clip of the terminal-cost gradient (0: none)")->capture_default_str();
    c->add_option("--model", o->model, "egnn (default for particles) or mlp");
    c->add_option("--hidden", o->hidden, "hidden width")->capture_default_str();
    c->add_option("--layers", o->layers, "layers")->capture_default_str();
    c->add_option("--coordinate-range", o->coordinateRange, "egnn: bound of each particle's update, tanh-limited (0: unbounded)")
        ->capture_default_str();
    c->add_flag("--layer-norm", o->layerNorm, "egnn: layer normalisation of every hidden pre-activation");
    c->add_option("--radial-basis", o->radialBasis, "egnn: Gaussian radial basis functions of the pair distance fed to the edge MLP (0: none)")
        ->capture_default_str();
    c->add_option("--radial-cutoff", o->radialCutoff, "egnn: the radial basis's largest centre (spacing cutoff/(K-1))")->capture_default_str();
    c->add_option("--time-frequency", o->timeFrequency, "egnn: highest angular frequency of the sinusoidal time embedding")
        ->capture_default_str();
    c->add_option("--dtype", o->dtype, "float32 or float64")->capture_default_str()->check(CLI::IsMember({"float32", "float64"}));
    auto* temperature = c->add_option("--temperature", o->temperature, "K, for openmm: energies")->capture_default_str();
    c->add_option("--workers", o->workers, "OpenMM Contexts evaluating energies in parallel (openmm: energies)")->capture_default_str();
    c->add_option("--seed", o->seed, "random seed")->capture_default_str();
    c->add_option("--threads", o->threads, "LibTorch threads (0: default)");
    c->add_option("--progress-every", o->progressEvery, "iterations between progress lines")->capture_default_str();
    c->add_option("--checkpoint", o->checkpoint, "checkpoint file to write");
    c->add_option("--checkpoint-every", o->checkpointEvery, "iterations between checkpoints")->capture_default_str();
    c->add_option("--resume", o->resume, "continue from this checkpoint (--iterations sets the new total)");
    c->callback([o, temperature] {
        o->temperatureGiven = temperature->count() > 0;
        adjointSample(*o);
    });
}
