// The synthetic ADA benchmark (issue "ADA" §6, DESIGN.md §3.3): base = 8 Gaussians at the corners of a cube in
// 3-D (an exact GaussianMixtureField, so that only alignment is measured); target = the same corners with
// perturbed weights and variances; observables = the three pairwise coordinate projections (2-D each). Metric:
// the l1 residual between kernel density estimates of target and generated samples (2000 each) per projection.
// Rows: base, EA with K = 1, 2, 3 (exact tilts of a base pool, resampled), ADA's tilt of the same pool (what the
// exported bias samples) and the ADA generator; the noise floor (two independent target draws) beside them.
// Known answer: with well-separated corners the ideal alignment reweights the components so that every pairwise
// 2x2 weight table matches the target's (iterative proportional fitting); the aligned component weights are
// compared with it.
//   benchmarks/mixture_alignment_benchmark [--rounds 60] [--beta 20] [--pool 8192] [--warmup 3000] [--seed 0] [--markdown out.md]
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <CLI/CLI.hpp>
#include <torch/utils.h>

#include "ada/align/AdversarialAlignment.h"
#include "ada/align/ExpectationAlignment.h"
#include "ada/metrics/IterativeProportionalFitting.h"
#include "ada/metrics/KernelDensityResidual.h"
#include "ada/models/GaussianMixtureField.h"
#include "ada/models/ResidualVectorField.h"

namespace {

const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};

std::vector<double> projection(const at::Tensor& x, int p) {
    const at::Tensor y = x.index_select(1, at::tensor({pairs[p][0], pairs[p][1]}, at::kLong)).to(at::kDouble).contiguous();
    return std::vector<double>(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
}

// Component of each sample: the corner in the sample's octant (corner k has bits (x > 0, y > 0, z > 0)).
at::Tensor octants(const at::Tensor& x) { return ((x > 0).to(at::kLong) * at::tensor({4, 2, 1}, at::kLong)).sum(1); }

std::vector<double> componentWeights(const at::Tensor& x) {
    const at::Tensor counts = at::bincount(octants(x), {}, 8).to(at::kDouble);
    const at::Tensor w = counts / counts.sum();
    return std::vector<double>(w.data_ptr<double>(), w.data_ptr<double>() + 8);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("ADA on the 8-Gaussian cube: l1 residuals per pairwise projection");
    int64_t rounds = 60, samples = 2000, pool = 8192, warmup = 3000;
    double beta = 20.0;
    uint64_t seed = 0;
    std::string markdown;
    app.add_option("--rounds", rounds)->capture_default_str();
    app.add_option("--beta", beta)->capture_default_str();
    app.add_option("--pool", pool)->capture_default_str();
    app.add_option("--warmup", warmup, "critic updates before the first generator phase")->capture_default_str();
    app.add_option("--seed", seed)->capture_default_str();
    app.add_option("--markdown", markdown, "also write the table here");
    CLI11_PARSE(app, argc, argv);
    torch::manual_seed(seed);

    // Corners (±1)^3 ordered by bits (x > 0, y > 0, z > 0); base: equal weights, sd 0.25.
    at::Tensor means = at::empty({8, 3}, at::kDouble);
    for (int k = 0; k < 8; ++k)
        for (int a = 0; a < 3; ++a)
            means[k][a] = ((k >> (2 - a)) & 1) ? 1.0 : -1.0;
    auto base = std::make_shared<ada::GaussianMixtureField>(at::full({8}, 1.0 / 8, at::kDouble), means, at::full({8, 3}, 0.0625, at::kDouble));
    const at::Tensor targetWeights = at::tensor({0.05, 0.10, 0.20, 0.05, 0.15, 0.10, 0.05, 0.30}, at::kDouble);
    const at::Tensor targetSd = at::tensor({0.20, 0.30, 0.25, 0.35, 0.20, 0.30, 0.25, 0.20}, at::kDouble);
    auto target = std::make_shared<ada::GaussianMixtureField>(targetWeights, means, targetSd.pow(2).unsqueeze(1).expand({8, 3}).contiguous());

    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed + 100);
    const at::Tensor data = target->sample(8000, g);
    const at::Tensor reference = target->sample(samples, g);
    const at::Tensor basePool = base->sample(pool, g);

    std::vector<std::pair<std::string, std::vector<double>>> rows;
    const auto residuals = [&](const at::Tensor& x) {
        std::vector<double> r;
        for (int p = 0; p < 3; ++p)
            r.push_back(ada::kernelDensityResidual(projection(x, p), projection(reference, p), 2));
        return r;
    };
    rows.emplace_back("noise floor (target vs target)", residuals(target->sample(samples, g)));
    rows.emplace_back("base", residuals(base->sample(samples, g)));

    std::vector<at::Tensor> poolObs, dataObs;
    for (int p = 0; p < 3; ++p) {
        const at::Tensor idx = at::tensor({pairs[p][0], pairs[p][1]}, at::kLong);
        poolObs.push_back(basePool.index_select(1, idx));
        dataObs.push_back(data.index_select(1, idx));
    }
    for (int k = 1; k <= 3; ++k) {
        ada::ExpectationAlignment ea(poolObs, dataObs, ada::ExpectationAlignmentOptions().order(k).maxIterations(500));
        ea.align();
        const at::Tensor x = basePool.index_select(0, at::multinomial(ea.weights(), samples, true, g));
        rows.emplace_back("EA-" + std::to_string(k) + (ea.converged() ? "" : " (not converged)"), residuals(x));
    }

    std::vector<ada::AlignmentTarget> targets;
    const char* names[3] = {"xy", "xz", "yz"};
    for (int p = 0; p < 3; ++p) {
        ada::AlignmentTarget t;
        t.name = names[p];
        const at::Tensor idx = at::tensor({pairs[p][0], pairs[p][1]}, at::kLong);
        t.observe = [idx](const at::Tensor& x) { return x.index_select(1, idx); };
        t.data = dataObs[p];
        targets.push_back(t);
    }
    ada::AdversarialAlignmentOptions o;
    o.beta = beta;
    o.rounds = rounds;
    o.poolSize = pool;
    o.samplesPerRound = 1024;
    o.criticWarmup = warmup;
    o.generatorIterations = 40;
    o.flowLearningRate = 3e-3;
    o.critics.hidden = 64;
    o.critics.steps = 10;
    o.critics.penalty = 100.0;
    o.critics.learningRate = 1e-2;
    o.adjoint.sdeSteps(100);
    o.seed = seed;
    auto model = std::make_shared<ada::ResidualVectorField>(base, ada::MLPVectorFieldOptions(3).hidden(128).layers(3).timeEmbedding(16).maxFrequency(10.0));
    ada::AdversarialAlignment ada(base, model, targets, o);
    ada.setProgressCallback([&](const ada::AlignmentRound& r) {
        if (r.round == 0 || (r.round + 1) % 5 == 0)
            std::cerr << "round " << r.round + 1 << "/" << rounds << " dual " << r.dual << " ESS " << r.ess << " KL " << r.kl << " gaps "
                      << r.w1[0] << " " << r.w1[1] << " " << r.w1[2] << " (" << r.seconds << " s)\n";
    });
    ada.train();
    // The tilt of ADA's own base pool by the final critics; its configurations are (x, y) and z of the
    // observables (xy, xz).
    const at::Tensor tiltWeights = ada.critics().weights(ada.pool());
    const at::Tensor adaPool = at::cat({ada.pool()[0], ada.pool()[1].narrow(1, 1, 1)}, 1);
    const at::Tensor tilted = adaPool.index_select(0, at::multinomial(tiltWeights, samples, true, g));
    rows.emplace_back("ADA tilt of the base pool (= exported bias)", residuals(tilted));
    at::Generator sg = at::make_generator<at::CPUGeneratorImpl>(seed + 200);
    const at::Tensor generated = ada.sample(samples, sg);
    rows.emplace_back("ADA generator", residuals(generated));

    // Known answer: IPF of the base weights to the target's pairwise 2x2 tables.
    std::vector<double> tw(targetWeights.data_ptr<double>(), targetWeights.data_ptr<double>() + 8);
    std::vector<ada::MarginalConstraint> constraints;
    for (int p = 0; p < 3; ++p)
        constraints.push_back({{pairs[p][0], pairs[p][1]}, ada::marginalOf({2, 2, 2}, tw, {pairs[p][0], pairs[p][1]})});
    const ada::IterativeProportionalFittingResult ipf = ada::iterativeProportionalFitting({2, 2, 2}, std::vector<double>(8, 1.0 / 8), constraints);
    const std::vector<double> wTilt = componentWeights(tilted), wGen = componentWeights(generated);
    double maxTilt = 0, maxGen = 0;
    for (int k = 0; k < 8; ++k) {
        maxTilt = std::max(maxTilt, std::abs(wTilt[k] - ipf.weights[k]));
        maxGen = std::max(maxGen, std::abs(wGen[k] - ipf.weights[k]));
    }

    std::ostringstream table;
    table << "| method | xy | xz | yz |\n|---|---|---|---|\n";
    char line[256];
    for (const auto& [name, r] : rows) {
        std::snprintf(line, sizeof(line), "| %s | %.3f | %.3f | %.3f |\n", name.c_str(), r[0], r[1], r[2]);
        table << line;
    }
    table << "\nComponent weights (corner bits x>0, y>0, z>0 = 000..111):\n\n| | ";
    for (int k = 0; k < 8; ++k)
        table << k << " | ";
    table << "max abs diff to IPF |\n|---|---|---|---|---|---|---|---|---|---|\n";
    const auto weightRow = [&](const std::string& name, const std::vector<double>& w, double diff) {
        table << "| " << name << " | ";
        for (double v : w) {
            std::snprintf(line, sizeof(line), "%.3f | ", v);
            table << line;
        }
        std::snprintf(line, sizeof(line), "%s |\n", diff >= 0 ? std::to_string(diff).substr(0, 5).c_str() : "");
        table << line;
    };
    weightRow("target", tw, -1);
    weightRow("IPF (ideal ADA)", ipf.weights, -1);
    weightRow("ADA tilt", wTilt, maxTilt);
    weightRow("ADA generator", wGen, maxGen);
    std::snprintf(line, sizeof(line), "\nbeta %.0f, %ld rounds, pool %ld, %.0f s of alignment on this machine.\n", beta, static_cast<long>(rounds),
                  static_cast<long>(pool), ada.history().back().seconds);
    table << line;
    std::cout << table.str();
    if (!markdown.empty()) {
        std::ofstream out(markdown);
        out << table.str();
    }
    return 0;
}
