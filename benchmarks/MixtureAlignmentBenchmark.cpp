// The synthetic ADA benchmark (issue "ADA" §6, DESIGN.md §3.3): base = 8 Gaussians at the corners of a cube in
// 3-D (an exact GaussianMixtureField, so that only alignment is measured); target = the same corners with
// perturbed weights and variances; observables = the three pairwise coordinate projections (2-D each). Metric:
// the l1 residual between kernel density estimates of target and generated samples (2000 each) per projection.
// Rows: base, EA with K = 1, 2, 3 and ADA's tilt by its final critics (what the exported bias samples), each the
// exact tilt of one large fresh base sample (--eval-pool), resampled; the ADA generator; the noise floor (two
// independent target draws) beside them. ADA's critics are fitted on exact base samples (--pool, given by
// setPool, as EA's moments are), not on draws of the base's SDE, so that both tilt the same base. A sampler
// check compares the base field drawn by the generator's SDE with exact base draws (the generator's floor from
// its sampler alone); --oracle-generator trains the generator as ADA does but on the exact weights p_target/p_base
// of the pool (its floor from training alone). --generator-average keeps a weight average of the generator (the
// aligned model). Every residual
// is the mean over --repeats independent evaluations (fresh reference, resampling and generator draws): one
// evaluation of 2000 against 2000 samples varies by about 0.01, as much as the differences between the rows.
// Known answer: with well-separated corners the ideal alignment reweights the components so that every pairwise
// 2x2 weight table matches the target's (iterative proportional fitting); the aligned component weights are
// compared with it.
// --tilt-only makes only the critic updates of the same run (warm-up, then --rounds times 10) and leaves out the
// generator rows: the tilt depends on the critics alone, so β and the Lipschitz bound (--scale: each critic is
// 1/scale-Lipschitz) can be scanned in minutes. --fresh-pool (with --tilt-only) gives every critic update a
// new draw of --pool base samples instead of the one fixed pool, as MD with the bias supplies new frames every
// phase: the critics then cannot fit the particular pool samples. --references-only prints the rows that need no
// alignment (floor, base, sampler check, EA, and the oracle generator if asked) and stops: with --repeats 50 it
// measures the floor and EA-3 that ADA is judged against in about a minute (5 repeats leave them ~0.005 noisy).
// --critic-average δ makes the tilt that of the critics' weight average (ObservableCritics.h); the same
// training's last critics get a row of their own beside it, since the average does not change the training.
//   benchmarks/mixture_alignment_benchmark [--rounds 60] [--beta 20] [--scale 1] [--penalty 100] [--pool 8192]
//       [--eval-pool 65536] [--warmup 3000] [--critic-lr-final-fraction 0.1] [--repeats 5] [--seed 0] [--tilt-only]
//       [--fresh-pool] [--critic-average 0] [--generator-iterations 40] [--generator-lr 3e-3] [--generator-average 0] [--oracle-generator]
//       [--references-only] [--markdown out.md]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <CLI/CLI.hpp>
#include <torch/utils.h>

#include "ada/align/AdversarialAlignment.h"
#include "ada/align/ExpectationAlignment.h"
#include "ada/flow/FlowMatchingTrainer.h"
#include "ada/flow/MemorylessSDE.h"
#include "ada/metrics/IterativeProportionalFitting.h"
#include "ada/metrics/KernelDensityResidual.h"
#include "ada/models/GaussianMixtureField.h"
#include "ada/models/ResidualVectorField.h"
#include "ada/soc/AdjointMatchingTrainer.h"

namespace {

const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};

std::vector<double> projection(const at::Tensor& x, int p) {
    const at::Tensor y = x.index_select(1, at::tensor({pairs[p][0], pairs[p][1]}, at::kLong)).to(at::kDouble).contiguous();
    return std::vector<double>(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
}

// Component of each sample: the corner in the sample's octant (corner k has bits (x > 0, y > 0, z > 0)).
at::Tensor octants(const at::Tensor& x) { return ((x > 0).to(at::kLong) * at::tensor({4, 2, 1}, at::kLong)).sum(1); }

std::vector<double> componentWeights(const at::Tensor& x, const at::Tensor& weights = at::Tensor()) {
    const at::Tensor counts = at::bincount(octants(x), weights.defined() ? weights.to(at::kDouble) : at::Tensor(), 8).to(at::kDouble);
    const at::Tensor w = counts / counts.sum();
    return std::vector<double>(w.data_ptr<double>(), w.data_ptr<double>() + 8);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("ADA on the 8-Gaussian cube: l1 residuals per pairwise projection");
    int64_t rounds = 60, samples = 2000, pool = 8192, evalPool = 65536, warmup = 3000, repeats = 5, dataSize = 8000, generatorIterations = 40;
    double beta = 20.0, criticFinalFraction = 0.1, scale = 1.0, penalty = 100.0, generatorLr = 3e-3, generatorAverage = 0.0, criticAverage = 0.0;
    bool oracleGenerator = false;
    uint64_t seed = 0;
    bool tiltOnly = false, freshPool = false, referencesOnly = false;
    std::string markdown;
    app.add_option("--rounds", rounds)->capture_default_str();
    app.add_option("--beta", beta)->capture_default_str();
    app.add_option("--scale", scale, "the observables' scale: each critic is 1/scale-Lipschitz")->capture_default_str();
    app.add_option("--penalty", penalty, "gradient-penalty weight")->capture_default_str();
    app.add_flag("--tilt-only", tiltOnly, "only the critic updates and the tilt's rows (no generator phases)");
    app.add_flag("--fresh-pool", freshPool, "with --tilt-only: a new base pool for every critic update");
    app.add_option("--pool", pool)->capture_default_str();
    app.add_option("--data", dataSize, "samples of the target (the experiment) the critics and EA are fitted to")->capture_default_str();
    app.add_option("--eval-pool", evalPool, "fresh base samples that each tilt is evaluated on")->capture_default_str();
    app.add_option("--warmup", warmup, "critic updates before the first generator phase")->capture_default_str();
    app.add_option("--critic-lr-final-fraction", criticFinalFraction, "cosine decay of the critics' learning rate")->capture_default_str();
    app.add_option("--generator-iterations", generatorIterations, "generator (reweighted flow matching) updates per round")->capture_default_str();
    app.add_option("--generator-lr", generatorLr, "Adam learning rate of the generator's flow-matching steps")->capture_default_str();
    app.add_option("--critic-average", criticAverage, "decay of the critics' weight average, which defines the tilt (0: none)")->capture_default_str();
    app.add_option("--generator-average", generatorAverage, "decay of the generator's weight average (the aligned model; 0: none)")->capture_default_str();
    app.add_flag("--oracle-generator", oracleGenerator, "also train the generator on the exact tilt weights p_target/p_base of the pool");
    app.add_flag("--references-only", referencesOnly, "only the rows that need no alignment (floor, base, sampler check, EA, oracle)");
    app.add_option("--repeats", repeats, "independent evaluations averaged per residual")->capture_default_str();
    app.add_option("--seed", seed)->capture_default_str();
    app.add_option("--markdown", markdown, "also write the table here");
    CLI11_PARSE(app, argc, argv);
    if (freshPool && !tiltOnly) {
        std::cerr << "--fresh-pool needs --tilt-only (the generator phases sample their own pool)\n";
        return 1;
    }
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
    const at::Tensor data = target->sample(dataSize, g);
    const at::Tensor basePool = base->sample(pool, g);
    const at::Tensor evaluationPool = base->sample(evalPool, g);

    // Mean over `repeats` evaluations of l1 residuals per projection; draw(r) gives the samples of evaluation r.
    at::Generator eg = at::make_generator<at::CPUGeneratorImpl>(seed + 300);
    std::vector<at::Tensor> references;
    for (int64_t r = 0; r < repeats; ++r)
        references.push_back(target->sample(samples, eg));
    std::vector<std::pair<std::string, std::vector<double>>> rows;
    const auto residualTable = [&] {
        std::ostringstream out;
        out << "| method | xy | xz | yz |\n|---|---|---|---|\n";
        char line[512];
        for (const auto& [name, r] : rows) {
            std::snprintf(line, sizeof(line), "| %s | %.3f | %.3f | %.3f |\n", name.c_str(), r[0], r[1], r[2]);
            out << line;
        }
        return out.str();
    };
    const auto emit = [&](const std::string& text) {
        std::cout << text;
        if (!markdown.empty()) {
            std::ofstream out(markdown);
            out << text;
        }
    };
    // Against the target's draws by default; `against` gives other reference draws (the sampler check below).
    const auto meanResiduals = [&](const std::function<at::Tensor(int64_t)>& draw, const std::vector<at::Tensor>& against = {}) {
        const std::vector<at::Tensor>& reference = against.empty() ? references : against;
        std::vector<double> mean(3, 0.0);
        for (int64_t r = 0; r < repeats; ++r) {
            const at::Tensor x = draw(r);
            for (int p = 0; p < 3; ++p)
                mean[p] += ada::kernelDensityResidual(projection(x, p), projection(reference[r], p), 2) / static_cast<double>(repeats);
        }
        return mean;
    };
    const auto resampled = [&](const at::Tensor& weights) {
        return [&, weights](int64_t) { return evaluationPool.index_select(0, at::multinomial(weights, samples, true, eg)); };
    };
    rows.emplace_back("noise floor (target vs target)", meanResiduals([&](int64_t) { return target->sample(samples, eg); }));
    rows.emplace_back("base", meanResiduals([&](int64_t) { return base->sample(samples, eg); }));
    // Sampler check: the generator is drawn by the memoryless SDE (Euler–Maruyama, the alignment's SDE steps);
    // the same sampler on the exact base field, against exact base draws, beside two exact base draws, is the
    // part of the generator's residual that no training can remove.
    ada::AdversarialAlignmentOptions o;  // the rest is set below; the SDE here, so the checks draw as ADA does
    o.adjoint.sdeSteps(100);
    // (its own random stream, so the other rows are drawn as without it)
    at::Generator cg = at::make_generator<at::CPUGeneratorImpl>(seed + 500);
    std::vector<at::Tensor> baseReferences;
    for (int64_t r = 0; r < repeats; ++r)
        baseReferences.push_back(base->sample(samples, cg));
    rows.emplace_back("sampler check: base vs base (exact draws)", meanResiduals([&](int64_t) { return base->sample(samples, cg); }, baseReferences));
    const ada::MemorylessSDE sampler(ada::samplingSDEOptions(o.adjoint));
    rows.emplace_back("sampler check: base by the generator's SDE vs base", meanResiduals([&](int64_t) { return sampler.sample(*base, samples, cg).samples; }, baseReferences));

    std::vector<at::Tensor> evalObs, dataObs;
    for (int p = 0; p < 3; ++p) {
        const at::Tensor idx = at::tensor({pairs[p][0], pairs[p][1]}, at::kLong);
        evalObs.push_back(evaluationPool.index_select(1, idx));
        dataObs.push_back(data.index_select(1, idx));
    }
    for (int k = 1; k <= 3; ++k) {
        ada::ExpectationAlignment ea(evalObs, dataObs, ada::ExpectationAlignmentOptions().order(k).maxIterations(500));
        ea.align();
        rows.emplace_back("EA-" + std::to_string(k) + (ea.converged() ? "" : " (not converged)"), meanResiduals(resampled(ea.weights())));
    }

    // The generator's floor from its training alone: the same reweighted flow matching (pool, batch, steps,
    // learning rate, weight average) on the exact weights w ∝ p_target/p_base of the pool, i.e. with perfect
    // critics (β → ∞), then drawn by the same SDE.
    const auto generatorField = [&] {
        return std::make_shared<ada::ResidualVectorField>(base, ada::MLPVectorFieldOptions(3).hidden(128).layers(3).timeEmbedding(16).maxFrequency(10.0));
    };
    if (oracleGenerator) {
        const at::Tensor logRatio = target->logDensity(basePool) - base->logDensity(basePool);
        const at::Tensor exactWeights = (logRatio - logRatio.max()).exp();
        at::Generator og = at::make_generator<at::CPUGeneratorImpl>(seed + 600);
        auto oracle = generatorField();
        ada::FlowMatchingTrainer trainer(oracle, basePool.to(oracle->tensorOptions()), at::Tensor(),
                                         ada::FlowMatchingTrainerOptions().steps(rounds * generatorIterations).batchSize(256).learningRate(generatorLr)
                                             .warmupSteps(0).finalLearningRateFraction(1.0).emaDecay(generatorAverage).progressEvery(0).seed(seed + 600));
        for (int64_t step = 0; step < rounds * generatorIterations; ++step)
            trainer.trainStep(basePool.index_select(0, at::multinomial(exactWeights, 256, true, og)).to(oracle->tensorOptions()));
        rows.emplace_back("generator on the exact weights (oracle critics)", meanResiduals([&](int64_t) { return sampler.sample(*trainer.emaModel(), samples, og).samples; }));
    }
    if (referencesOnly) {
        emit(residualTable() + "\n" + std::to_string(repeats) + " evaluations per residual (references only: no alignment).\n");
        return 0;
    }

    std::vector<ada::AlignmentTarget> targets;
    const char* names[3] = {"xy", "xz", "yz"};
    for (int p = 0; p < 3; ++p) {
        ada::AlignmentTarget t;
        t.name = names[p];
        const at::Tensor idx = at::tensor({pairs[p][0], pairs[p][1]}, at::kLong);
        t.observe = [idx](const at::Tensor& x) { return x.index_select(1, idx); };
        t.data = dataObs[p];
        t.lipschitz = 1.0 / scale;
        targets.push_back(t);
    }
    o.beta = beta;
    o.rounds = rounds;
    o.poolSize = pool;
    o.samplesPerRound = 1024;
    o.criticWarmup = warmup;
    o.generatorIterations = generatorIterations;
    o.flowLearningRate = generatorLr;
    o.generatorAverage = generatorAverage;
    o.critics.hidden = 64;
    o.critics.steps = 10;
    o.critics.penalty = penalty;
    o.critics.learningRate = 1e-2;
    o.critics.finalLearningRateFraction = criticFinalFraction;
    o.critics.average = criticAverage;
    o.seed = seed;
    auto model = generatorField();
    ada::AdversarialAlignment ada(base, model, targets, o);
    ada.setPool(basePool);
    ada.setProgressCallback([&](const ada::AlignmentRound& r) {
        if (r.round == 0 || (r.round + 1) % 5 == 0)
            std::cerr << "round " << r.round + 1 << "/" << rounds << " dual " << r.dual << " ESS " << r.ess << " KL " << r.kl << " gaps "
                      << r.w1[0] << " " << r.w1[1] << " " << r.w1[2] << " (" << r.seconds << " s)\n";
    });
    const auto start = std::chrono::steady_clock::now();
    if (tiltOnly) {
        std::vector<at::Tensor> poolObservables = ada.critics().observe(basePool);
        at::Generator pg = at::make_generator<at::CPUGeneratorImpl>(seed + 400);
        const int64_t updates = (warmup + o.critics.steps - 1) / o.critics.steps + rounds;
        for (int64_t u = 0; u < updates; ++u) {
            if (freshPool && u > 0)
                poolObservables = ada.critics().observe(base->sample(pool, pg));
            ada.critics().update(poolObservables);
        }
    } else {
        ada.train();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The tilt of the evaluation pool by the final critics: exp(−β F), what MD with the exported bias samples.
    const at::Tensor tiltWeights = ada.critics().weights(ada.critics().observe(evaluationPool));
    if (criticAverage > 0) {
        // The same training's last critics beside their average (the average does not change the training).
        rows.emplace_back("ADA tilt of the last critics (no average)",
                          meanResiduals(resampled(ada.critics().trainedWeights(ada.critics().observe(evaluationPool)))));
    }
    rows.emplace_back(criticAverage > 0 ? "ADA tilt of the averaged critics (= exported bias)" : "ADA tilt (= exported bias)",
                      meanResiduals(resampled(tiltWeights)));
    // Kish's effective sample size of the tilt, as a fraction of each pool: low on the critics' pool and lower
    // still on the fresh evaluation pool means exp(−β F) has fitted the particular pool samples.
    const auto essFraction = [](const at::Tensor& w) { return 1.0 / (w.pow(2).sum().item<double>() * static_cast<double>(w.size(0))); };
    const double essEvaluation = essFraction(tiltWeights);
    const double essPool = essFraction(ada.critics().weights(ada.critics().observe(basePool)));
    at::Generator sg = at::make_generator<at::CPUGeneratorImpl>(seed + 200);
    if (!tiltOnly)
        rows.emplace_back("ADA generator", meanResiduals([&](int64_t) { return ada.sample(samples, sg); }));
    const at::Tensor generated = tiltOnly ? at::Tensor() : ada.sample(5 * samples, sg);

    // Known answer: IPF of the base weights to the target's pairwise 2x2 tables.
    std::vector<double> tw(targetWeights.data_ptr<double>(), targetWeights.data_ptr<double>() + 8);
    std::vector<ada::MarginalConstraint> constraints;
    for (int p = 0; p < 3; ++p)
        constraints.push_back({{pairs[p][0], pairs[p][1]}, ada::marginalOf({2, 2, 2}, tw, {pairs[p][0], pairs[p][1]})});
    const ada::IterativeProportionalFittingResult ipf = ada::iterativeProportionalFitting({2, 2, 2}, std::vector<double>(8, 1.0 / 8), constraints);
    const std::vector<double> wTilt = componentWeights(evaluationPool, tiltWeights);
    const std::vector<double> wGen = tiltOnly ? std::vector<double>() : componentWeights(generated);
    // The exact part of the known answer: every pairwise 2x2 table of the aligned weights equals the target's
    // (IPF's weights are one such set; with the components' shapes changed too, the ideal tilt's may differ
    // from them by the one free three-way interaction).
    const auto tableError = [&](const std::vector<double>& w) {
        double worst = 0;
        for (int p = 0; p < 3; ++p) {
            const std::vector<double> a = ada::marginalOf({2, 2, 2}, w, {pairs[p][0], pairs[p][1]});
            const std::vector<double> b = ada::marginalOf({2, 2, 2}, tw, {pairs[p][0], pairs[p][1]});
            for (size_t c = 0; c < a.size(); ++c)
                worst = std::max(worst, std::abs(a[c] - b[c]));
        }
        return worst;
    };
    double maxTilt = 0, maxGen = 0;
    for (int k = 0; k < 8; ++k) {
        maxTilt = std::max(maxTilt, std::abs(wTilt[k] - ipf.weights[k]));
        if (!tiltOnly)
            maxGen = std::max(maxGen, std::abs(wGen[k] - ipf.weights[k]));
    }

    std::ostringstream table;
    table << residualTable();
    char line[512];
    table << "\nComponent weights (corner bits x>0, y>0, z>0 = 000..111):\n\n| | ";
    for (int k = 0; k < 8; ++k)
        table << k << " | ";
    table << "max abs diff to IPF | max abs diff of the pairwise 2x2 tables to the target's |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    const auto weightRow = [&](const std::string& name, const std::vector<double>& w, double diff) {
        table << "| " << name << " | ";
        for (double v : w) {
            std::snprintf(line, sizeof(line), "%.3f | ", v);
            table << line;
        }
        std::snprintf(line, sizeof(line), "%s | %.3f |\n", diff >= 0 ? std::to_string(diff).substr(0, 5).c_str() : "", tableError(w));
        table << line;
    };
    weightRow("target", tw, -1);
    weightRow("IPF (ideal ADA)", ipf.weights, -1);
    weightRow("ADA tilt", wTilt, maxTilt);
    if (!tiltOnly)
        weightRow("ADA generator", wGen, maxGen);
    std::ostringstream generatorKind;
    generatorKind << " of " << generatorIterations << " generator updates (lr " << generatorLr << ", weight average " << generatorAverage << ")";
    const std::string roundKind = tiltOnly ? " (critics only)" : generatorKind.str();
    std::snprintf(line, sizeof(line), "\nbeta %g, scale %g, penalty %g, %ld rounds%s, critic pool %ld, evaluation pool %ld, %ld evaluations per residual, "
                  "critic average %g, %.0f s of alignment on this machine%s. Tilt ESS (fraction): critic pool %.3f, evaluation pool %.3f.\n", beta, scale, penalty,
                  static_cast<long>(rounds), roundKind.c_str(), static_cast<long>(pool), static_cast<long>(evalPool),
                  static_cast<long>(repeats), criticAverage, seconds, freshPool ? " (a fresh pool every critic update)" : "", essPool, essEvaluation);
    table << line;
    emit(table.str());
    return 0;
}
