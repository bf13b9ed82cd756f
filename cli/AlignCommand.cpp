// ada align: align a pre-trained model to distributions of experimental observables (DESIGN.md §3.3, §4).
//   ada align --model base.model --observables observables.json --out DIR [--beta 20] [--seed 0] [--rounds 200]
// observables.json: {"temperature": 300,
//                    "observables": [{"name": "j", "observable": {"type": "jcoupling", ...}, "data": "j.npy"}, ...]}
// with each data file an NPY of experimental samples, [m] or [m, d] (paths relative to the JSON file).
// Writes DIR/aligned.model (an `ada sample`-able model), DIR/bias.json (+ DIR/critic<i>.mlp for observables of
// dimension > 1: the ADAForce specification U_bias = kT β Σ_i f_i), DIR/report.json and DIR/report.png (per
// observable: base, aligned and experimental histograms; W1 and the logs over the rounds), and keeps
// DIR/checkpoint.bundle for --resume.
// With --critics polynomial --moments K, the expectation-alignment baseline instead (ExpectationAlign.cpp): the
// tilt of the base model's samples with polynomial critics of the first K moments, written as DIR/bias.json,
// DIR/weights.npy and DIR/tilted_samples.npy, with the same report.
// Either way, --pool-samples FRAMES makes exact base samples (the base MD) the critics' pool.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "AlignOptions.h"
#include "Commands.h"
#include "ObservableReport.h"
#include "ReportPlot.h"
#include "ada/align/AdversarialAlignment.h"
#include "ada/align/ObservableSpecification.h"
#include "ada/flow/ExponentialMovingAverage.h"
#include "ada/io/Dataset.h"
#include "ada/io/JsonFile.h"
#include "ada/io/SpecError.h"
#include "ada/models/ModelBundle.h"
#include "ada/models/ResidualVectorField.h"
#include "ada/models/TrainedModel.h"

namespace {

// Per observable: the comparison of ObservableReport.h and the critic gaps (lower bounds of W1).
nlohmann::json observableReport(ada::AdversarialAlignment& ada, const std::vector<at::Tensor>& base, const std::vector<at::Tensor>& aligned) {
    nlohmann::json out = nlohmann::json::array();
    const std::vector<double> gapBase = ada.critics().gaps(base), gapAligned = ada.critics().gaps(aligned);
    for (int i = 0; i < ada.critics().size(); ++i) {
        nlohmann::json o = observableComparison(ada.critics().target(i), base[i], aligned[i]);
        o["critic_gap_base"] = gapBase[i];
        o["critic_gap_aligned"] = gapAligned[i];
        out.push_back(o);
    }
    return out;
}

void align(const AlignOptions& o) {
    if (o.critics == "polynomial") {
        alignExpectations(o);
        return;
    }
    namespace fs = std::filesystem;
    const ada::TrainedModel base = ada::loadTrainedModel(o.model);
    ada::ObservableSpecification spec = ada::readObservableSpecification(o.observables, base.data, base.field->eventShape());
    const double temperature = spec.temperature;
    std::vector<ada::AlignmentTarget>& targets = spec.targets;

    ada::AdversarialAlignmentOptions options;
    options.beta = o.beta;
    options.rounds = o.rounds;
    options.poolSize = o.pool;
    options.samplesPerRound = o.roundSamples;
    options.criticWarmup = o.criticWarmup;
    options.generatorIterations = o.generatorIterations;
    options.generator = o.generator;
    options.flowLearningRate = o.flowLearningRate;
    options.generatorAverage = o.generatorAverage;
    options.critics.steps = o.criticSteps;
    options.critics.penalty = o.penalty;
    options.critics.learningRate = o.criticLearningRate;
    options.critics.finalLearningRateFraction = o.criticFinalFraction;
    options.critics.average = o.criticAverage;
    options.seed = o.seed;
    fs::create_directories(o.out);
    options.checkpointPath = o.out + "/checkpoint.bundle";
    options.checkpointEvery = o.checkpointEvery;

    // The aligned model starts as a copy of the base; a base without weights (an analytic field) gets a
    // trainable correction that starts at zero (ResidualVectorField).
    std::shared_ptr<ada::VectorField> model;
    at::manual_seed(o.seed);  // the correction's initial weights: one seed, one alignment
    if (base.field->parameters().empty()) {
        model = std::make_shared<ada::ResidualVectorField>(
            base.field, ada::MLPVectorFieldOptions(base.field->flatDimension()).hidden(64).layers(2).timeEmbedding(16).maxFrequency(10.0));
    } else {
        model = ada::buildVectorFieldLike(*base.field, o.model);
        ada::copyWeights(*base.field, *model);
    }
    for (at::Tensor& p : base.field->parameters())
        p.requires_grad_(false);
    ada::AdversarialAlignment ada(base.field, model, std::move(targets), options);
    const at::Tensor pool = givenPool(o, base);
    if (pool.defined())
        ada.setPool(pool);
    if (o.resume) {
        ada.restoreCheckpoint(options.checkpointPath);
        std::cerr << "ada align: resumed from " << options.checkpointPath << " after round " << ada.history().size() << "\n";
    }
    const std::vector<std::string> names = ada.names();
    ada.setProgressCallback([&](const ada::AlignmentRound& r) {
        if (r.round % 10 != 0 && r.round + 1 != o.rounds)
            return;
        const double rate = r.seconds > 0 ? static_cast<double>(r.round + 1) / r.seconds : 0;
        std::cerr << "round " << r.round + 1 << "/" << o.rounds << "  dual " << std::setprecision(4) << r.dual << "  KL " << r.kl << "  ESS "
                  << r.ess << "  gap";
        for (size_t i = 0; i < names.size(); ++i)
            std::cerr << " " << names[i] << "=" << r.w1[i];
        std::cerr << "  " << rate << " rounds/s  ETA " << static_cast<int64_t>(rate > 0 ? (o.rounds - r.round - 1) / rate : 0) << " s\n";
    });
    ada.train();

    // Outputs: the aligned model, the bias, the report.
    ada::saveTrainedModel(ada.aligned(), base.data, o.out + "/aligned.model");
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(o.seed + 7);
    const at::Tensor aligned = ada.sample(o.samples, g);
    const std::vector<at::Tensor> alignedObservables = ada.critics().observe(aligned);
    const nlohmann::json bias = {{"temperature", temperature}, {"terms", ada.critics().biasTerms(o.beta, alignedObservables, o.out)}};
    ada::writeJsonFile(o.out + "/bias.json", bias);
    nlohmann::json report = {{"kind", "alignment"},
                             {"model", o.model},
                             {"beta", o.beta},
                             {"options", options.toJson()},
                             {"observables", observableReport(ada, ada.pool(), alignedObservables)},
                             {"history", ada.historyJson()}};
    const std::string reportPath = o.out + "/report.json";
    ada::writeJsonFile(reportPath, report);
    std::cout << std::left << std::setw(16) << "observable" << std::setw(12) << "W1 base" << "W1 aligned\n";
    for (const auto& r : report["observables"])
        if (r.contains("w1_base"))
            std::cout << std::setw(16) << r["name"].get<std::string>() << std::setw(12) << r["w1_base"].get<double>() << r["w1_aligned"].get<double>() << "\n";
    if (o.png) {
        drawReport(reportPath, o.out + "/report.png", o.python);
        std::cout << "wrote " << o.out << "/report.png\n";
    }
    std::cout << "wrote " << o.out << "/aligned.model, " << o.out << "/bias.json, " << reportPath << "\n";
}

}  // namespace

at::Tensor givenPool(const AlignOptions& o, const ada::TrainedModel& base) {
    if (o.poolSamples.empty())
        return at::Tensor();
    const at::Tensor pool = base.data.modelSamplesOf(ada::Dataset::load(o.poolSamples), base.field->eventShape(),
                                                     base.field->tensorOptions().dtype().toScalarType());
    if (pool.size(0) < 2)
        throw ada::SpecError(o.poolSamples + ": the pool needs at least 2 frames, found " + std::to_string(pool.size(0)));
    std::cerr << "ada align: the pool is the " << pool.size(0) << " frames of " << o.poolSamples << "\n";
    return pool;
}

void addAlignCommand(CLI::App& app) {
    auto o = std::make_shared<AlignOptions>();
    auto* c = app.add_subcommand("align", "Align a pre-trained model to distributions of experimental observables (ADA)");
    c->add_option("--model", o->model, "base model written by ada pretrain")->required();
    c->add_option("--observables", o->observables, "observables and their experimental sample files (JSON)")->required();
    c->add_option("--out", o->out, "output folder")->required();
    c->add_option("--critics", o->critics, "mlp (ADA) or polynomial (expectation alignment of the first --moments moments, the EA baseline)")
        ->capture_default_str()->check(CLI::IsMember({"mlp", "polynomial"}));
    c->add_option("--moments", o->moments, "EA: highest total degree of the matched moments (cross moments included)")
        ->capture_default_str();
    c->add_option("--beta", o->beta, "weight of the observables against the KL tie to the base")->capture_default_str();
    c->add_option("--seed", o->seed, "random seed")->capture_default_str();
    c->add_option("--rounds", o->rounds, "alignment rounds")->capture_default_str();
    c->add_option("--critic-steps", o->criticSteps, "critic updates per round")->capture_default_str();
    c->add_option("--critic-warmup", o->criticWarmup, "critic updates before the first generator phase")->capture_default_str();
    c->add_option("--critic-lr", o->criticLearningRate, "critic learning rate")->capture_default_str();
    c->add_option("--critic-lr-final-fraction", o->criticFinalFraction,
                  "cosine decay of the critic learning rate over all critic updates to this fraction (1: constant)")->capture_default_str();
    c->add_option("--critic-average", o->criticAverage,
                  "decay of the critics' weight average, which defines the tilt and the exported bias (0: none)")
        ->capture_default_str();
    c->add_option("--penalty", o->penalty, "gradient-penalty weight (Lipschitz bound)")->capture_default_str();
    c->add_option("--generator", o->generator, "reweighted-flow-matching or adjoint-matching")
        ->capture_default_str()->check(CLI::IsMember({"reweighted-flow-matching", "adjoint-matching"}));
    c->add_option("--generator-iterations", o->generatorIterations, "generator updates per round")->capture_default_str();
    c->add_option("--generator-lr", o->flowLearningRate, "learning rate of reweighted flow matching")->capture_default_str();
    c->add_option("--generator-average", o->generatorAverage,
                  "decay of the moving average of the generator's weights, which is the aligned model (0: the last weights)")
        ->capture_default_str();
    c->add_option("--pool", o->pool, "base samples the critics are fitted on")->capture_default_str();
    c->add_option("--pool-samples", o->poolSamples, "frames of the base ensemble (NPY/DCD, e.g. the base model's MD data) as the pool "
                  "instead of --pool model samples: exact base samples, so MD with the exported bias samples the tilt they define");
    c->add_option("--round-samples", o->roundSamples, "generator samples per round for the logged gaps and KL")->capture_default_str();
    c->add_option("--samples", o->samples, "aligned samples drawn for the report and the bias range")->capture_default_str();
    c->add_option("--checkpoint-every", o->checkpointEvery, "rounds between checkpoints")->capture_default_str();
    c->add_flag("--resume", o->resume, "continue from DIR/checkpoint.bundle");
    c->add_flag("--png,!--no-png", o->png, "draw DIR/report.png (default on)");
    c->add_option("--python", o->python, "Python with openmmada for the PNG (default: the one next to ada)");
    c->callback([o] { align(*o); });
}
