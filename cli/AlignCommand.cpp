// ada align: align a pre-trained model to distributions of experimental observables (DESIGN.md §3.3, §4).
//   ada align --model base.model --observables observables.json --out DIR [--beta 20] [--seed 0] [--rounds 200]
// observables.json: {"temperature": 300,
//                    "observables": [{"name": "j", "observable": {"type": "jcoupling", ...}, "data": "j.npy"}, ...]}
// with each data file an NPY of experimental samples, [m] or [m, d] (paths relative to the JSON file).
// Writes DIR/aligned.model (an `ada sample`-able model), DIR/bias.json (+ DIR/critic<i>.mlp for observables of
// dimension > 1: the ADAForce specification U_bias = kT β Σ_i f_i), DIR/report.json and DIR/report.png (per
// observable: base, aligned and experimental histograms; W1 and the logs over the rounds), and keeps
// DIR/checkpoint.bundle for --resume.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "ReportPlot.h"
#include "ada/align/AdversarialAlignment.h"
#include "ada/align/ObservableSpecification.h"
#include "ada/flow/ExponentialMovingAverage.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/Histogram.h"
#include "ada/metrics/Wasserstein1D.h"
#include "ada/models/ModelBundle.h"
#include "ada/models/ResidualVectorField.h"
#include "ada/models/TrainedModel.h"

namespace {

struct AlignOptions {
    std::string model, observables, out, generator = "reweighted-flow-matching", python;
    double beta = 20.0, penalty = 100.0, criticLearningRate = 1e-2, criticFinalFraction = 1.0, flowLearningRate = 1e-3;
    int64_t rounds = 200, criticSteps = 10, criticWarmup = 2000, generatorIterations = 20, pool = 4096, samples = 2000, checkpointEvery = 20,
            roundSamples = 256;
    uint64_t seed = 0;
    bool resume = false, png = true;
};

std::vector<double> column(const at::Tensor& y) {
    const at::Tensor c = y.reshape({-1}).to(at::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Per observable: W1 (exact for 1-D, the critic gap otherwise) and, for 1-D, histograms on common bins.
nlohmann::json observableReport(ada::AdversarialAlignment& ada, const std::vector<at::Tensor>& base, const std::vector<at::Tensor>& aligned) {
    nlohmann::json out = nlohmann::json::array();
    const std::vector<double> gapBase = ada.critics().gaps(base), gapAligned = ada.critics().gaps(aligned);
    for (int i = 0; i < ada.critics().size(); ++i) {
        const ada::AlignmentTarget& t = ada.critics().target(i);
        nlohmann::json o = {{"name", t.name}, {"dimension", t.dimension()}, {"angle", t.angle}, {"observable", t.observable},
                            {"critic_gap_base", gapBase[i]}, {"critic_gap_aligned", gapAligned[i]}};
        if (t.dimension() == 1) {
            const std::vector<double> b = column(base[i]), a = column(aligned[i]), e = column(t.data);
            o["w1_base"] = ada::wasserstein1(b, e, t.angle);
            o["w1_aligned"] = ada::wasserstein1(a, e, t.angle);
            double lo = t.angle ? -M_PI : std::min({*std::min_element(b.begin(), b.end()), *std::min_element(a.begin(), a.end()), *std::min_element(e.begin(), e.end())});
            double hi = t.angle ? M_PI : std::max({*std::max_element(b.begin(), b.end()), *std::max_element(a.begin(), a.end()), *std::max_element(e.begin(), e.end())});
            const int bins = 60;
            std::vector<double> edges;
            for (int k = 0; k <= bins; ++k)
                edges.push_back(lo + (hi - lo) * k / bins);
            const auto histogram = [&](const std::vector<double>& v) {
                std::vector<double> p(bins, 0.0);
                for (double x : v)
                    p[std::min(bins - 1, std::max(0, static_cast<int>((x - lo) / (hi - lo) * bins)))] += 1.0 / static_cast<double>(v.size());
                return p;
            };
            o["edges"] = edges;
            o["p_base"] = histogram(b);
            o["p_aligned"] = histogram(a);
            o["p_experiment"] = histogram(e);
        }
        out.push_back(o);
    }
    return out;
}

void align(const AlignOptions& o) {
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
    options.critics.steps = o.criticSteps;
    options.critics.penalty = o.penalty;
    options.critics.learningRate = o.criticLearningRate;
    options.critics.finalLearningRateFraction = o.criticFinalFraction;
    options.seed = o.seed;
    fs::create_directories(o.out);
    options.checkpointPath = o.out + "/checkpoint.bundle";
    options.checkpointEvery = o.checkpointEvery;

    // The aligned model starts as a copy of the base; a base without weights (an analytic field) gets a
    // trainable correction that starts at zero (ResidualVectorField).
    std::shared_ptr<ada::VectorField> model;
    if (base.field->parameters().empty()) {
        model = std::make_shared<ada::ResidualVectorField>(
            base.field, ada::MLPVectorFieldOptions(base.field->flatDimension()).hidden(64).layers(2).timeEmbedding(16).maxFrequency(10.0));
    } else {
        model = ada::buildVectorField(base.field->kind(), base.field->config(), o.model);
        model->to(base.field->tensorOptions().dtype().toScalarType());
        ada::copyWeights(*base.field, *model);
    }
    for (at::Tensor& p : base.field->parameters())
        p.requires_grad_(false);
    ada::AdversarialAlignment ada(base.field, model, std::move(targets), options);
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
    ada::saveTrainedModel(ada.model(), base.data, o.out + "/aligned.model");
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(o.seed + 7);
    const at::Tensor aligned = ada.sample(o.samples, g);
    const std::vector<at::Tensor> alignedObservables = ada.critics().observe(aligned);
    const nlohmann::json bias = {{"temperature", temperature}, {"terms", ada.critics().biasTerms(o.beta, alignedObservables, o.out)}};
    {
        std::ofstream out(o.out + "/bias.json");
        out << bias.dump(1) << "\n";
        if (!out)
            throw ada::SpecError(o.out + "/bias.json: cannot write");
    }
    nlohmann::json report = {{"kind", "alignment"},
                             {"model", o.model},
                             {"beta", o.beta},
                             {"options", options.toJson()},
                             {"observables", observableReport(ada, ada.pool(), alignedObservables)},
                             {"history", ada.historyJson()}};
    const std::string reportPath = o.out + "/report.json";
    {
        std::ofstream out(reportPath);
        out << report.dump(1) << "\n";
        if (!out)
            throw ada::SpecError(reportPath + ": cannot write");
    }
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

void addAlignCommand(CLI::App& app) {
    auto o = std::make_shared<AlignOptions>();
    auto* c = app.add_subcommand("align", "Align a pre-trained model to distributions of experimental observables (ADA)");
    c->add_option("--model", o->model, "base model written by ada pretrain")->required();
    c->add_option("--observables", o->observables, "observables and their experimental sample files (JSON)")->required();
    c->add_option("--out", o->out, "output folder")->required();
    c->add_option("--beta", o->beta, "weight of the observables against the KL tie to the base")->capture_default_str();
    c->add_option("--seed", o->seed, "random seed")->capture_default_str();
    c->add_option("--rounds", o->rounds, "alignment rounds")->capture_default_str();
    c->add_option("--critic-steps", o->criticSteps, "critic updates per round")->capture_default_str();
    c->add_option("--critic-warmup", o->criticWarmup, "critic updates before the first generator phase")->capture_default_str();
    c->add_option("--critic-lr", o->criticLearningRate, "critic learning rate")->capture_default_str();
    c->add_option("--critic-lr-final-fraction", o->criticFinalFraction,
                  "cosine decay of the critic learning rate over all critic updates to this fraction (1: constant)")->capture_default_str();
    c->add_option("--penalty", o->penalty, "gradient-penalty weight (Lipschitz bound)")->capture_default_str();
    c->add_option("--generator", o->generator, "reweighted-flow-matching or adjoint-matching")
        ->capture_default_str()->check(CLI::IsMember({"reweighted-flow-matching", "adjoint-matching"}));
    c->add_option("--generator-iterations", o->generatorIterations, "generator updates per round")->capture_default_str();
    c->add_option("--generator-lr", o->flowLearningRate, "learning rate of reweighted flow matching")->capture_default_str();
    c->add_option("--pool", o->pool, "base samples the critics are fitted on")->capture_default_str();
    c->add_option("--round-samples", o->roundSamples, "generator samples per round for the logged gaps and KL")->capture_default_str();
    c->add_option("--samples", o->samples, "aligned samples drawn for the report and the bias range")->capture_default_str();
    c->add_option("--checkpoint-every", o->checkpointEvery, "rounds between checkpoints")->capture_default_str();
    c->add_flag("--resume", o->resume, "continue from DIR/checkpoint.bundle");
    c->add_flag("--png,!--no-png", o->png, "draw DIR/report.png (default on)");
    c->add_option("--python", o->python, "Python with openmmada for the PNG (default: the one next to ada)");
    c->callback([o] { align(*o); });
}
