// `ada align --critics polynomial --moments K`: the expectation-alignment (EA) baseline of DESIGN.md §3.3 for a
// pre-trained model. The same tilt as ADA, restricted to polynomial critics of the first K moments:
//   w_b ∝ exp(−β Σ_i f_i(o_i(x_b))),   f_i(y) = Σ_{1 ≤ |k| ≤ K} λ_ik u^k,   u = (y − mean_data_i) / std_data_i,
// on a pool of n base samples x_b (the base model's memoryless SDE, as ADA's pool, or --pool-samples frames), with λ the minimiser of the
// convex dual (ada/align/ExpectationAlignment.h; Newton steps with backtracking), so that every moment of degree
// ≤ K of every observable under w equals the experiment's. Writes
//   DIR/bias.json          U_bias = kT · β Σ_i f_i(o_i(x)) with "polynomial" functions (an ADAForce specification),
//   DIR/weights.npy        w_b [n] (float64, summing to 1), beside DIR/pool_samples.npy (the pool, frames in nm),
//   DIR/tilted_samples.npy --samples frames drawn from the pool with probabilities w (the EA ensemble),
//   DIR/report.json/.png   per observable base, tilted and experimental histograms and W1 (ObservableReport.h),
//                          the moment gaps before and after, and the largest gap per update.
// If the experiment's moments lie outside what reweighting the pool can reach, λ diverges: the report says
// "converged": false and the command says so, but still writes what it has (the best λ so far).
#include <cmath>
#include <iomanip>
#include <iostream>
#include <filesystem>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include "AlignOptions.h"
#include "ObservableReport.h"
#include "ReportPlot.h"
#include "ada/align/AlignmentTarget.h"
#include "ada/align/ExpectationAlignment.h"
#include "ada/align/ObservableSpecification.h"
#include "ada/data/DatasetTensor.h"
#include "ada/flow/MemorylessSDE.h"
#include "ada/io/JsonFile.h"
#include "ada/io/Npy.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/PathEffectiveSampleSize.h"
#include "ada/models/TrainedModel.h"
#include "ada/soc/AdjointMatchingTrainer.h"
#include "ada/torch/TensorValues.h"

void alignExpectations(const AlignOptions& o) {
    namespace fs = std::filesystem;
    if (o.moments < 1)
        throw ada::SpecError("--moments: expected a degree >= 1, found " + std::to_string(o.moments));
    if (o.pool < 2 || o.samples < 1)
        throw ada::SpecError("--pool and --samples: expected at least 2 pool samples and 1 tilted sample, found " + std::to_string(o.pool) +
                             " and " + std::to_string(o.samples));
    const ada::TrainedModel base = ada::loadTrainedModel(o.model);
    if (base.modelKind != "flow_matching")
        throw ada::SpecError(o.model + ": ada align needs a model of ada pretrain (flow matching), this one is " + base.modelKind);
    const ada::ObservableSpecification spec = ada::readObservableSpecification(o.observables, base.data, base.field->eventShape());
    fs::create_directories(o.out);

    // The pool: the given frames, or base samples by the memoryless SDE with ADA's default grid.
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    at::Tensor pool = givenPool(o, base);
    if (!pool.defined()) {
        std::cerr << "ada align: drawing " << o.pool << " base samples\n";
        pool = ada::MemorylessSDE(ada::samplingSDEOptions(ada::AdjointMatchingTrainerOptions())).sample(*base.field, o.pool, generator).samples;
    }
    const std::vector<at::Tensor> poolObservables = ada::observeTargets(spec.targets, pool);
    std::vector<at::Tensor> data;
    for (const ada::AlignmentTarget& t : spec.targets)
        data.push_back(t.data);

    ada::ExpectationAlignment ea(poolObservables, data,
                                 ada::ExpectationAlignmentOptions().order(o.moments).beta(o.beta).maxIterations(std::max<int64_t>(o.rounds, 1)));
    std::vector<nlohmann::json> gapsBefore;
    for (int i = 0; i < ea.numObservables(); ++i)
        gapsBefore.push_back(ada::doubleValues(ea.momentGaps(i)));
    nlohmann::json history = nlohmann::json::array();
    history.push_back({{"iteration", 0}, {"max_gap", ea.maxGap()}});
    while (!ea.converged() && ea.iterations() < ea.options().maxIterations()) {
        ea.update();
        history.push_back({{"iteration", ea.iterations()}, {"max_gap", ea.maxGap()}});
    }
    const at::Tensor w = ea.weights();
    const double ess = ada::pathEffectiveSampleSize(ada::doubleValues(w.log()));  // ESS / n of the weights
    std::cerr << "ada align: expectation alignment of " << o.moments << " moment(s) " << (ea.converged() ? "converged" : "did NOT converge")
              << " after " << ea.iterations() << " updates; largest moment gap " << ea.maxGap() << " (standardised), pool ESS " << ess << "\n";

    // Outputs: the bias, the weights and pool, a tilted sample set, the report.
    nlohmann::json terms = nlohmann::json::array();
    for (int i = 0; i < ea.numObservables(); ++i) {
        const ada::AlignmentTarget& t = spec.targets[static_cast<size_t>(i)];
        if (t.observable.is_null())
            throw ada::SpecError("observable \"" + t.name + "\": no JSON form, so it cannot be exported as a bias term");
        terms.push_back({{"observable", t.observable}, {"function", ea.toScaledBiasFunction(i).toJson()}});
    }
    ada::writeJsonFile(o.out + "/bias.json", {{"temperature", spec.temperature}, {"terms", terms}});
    ada::writeNpy(o.out + "/weights.npy", ada::NpyArray{{w.size(0)}, ada::doubleValues(w), "<f8"});
    ada::datasetFromTensor(base.data.framesOf(pool), o.model + " pool").writeNpy(o.out + "/pool_samples.npy", "<f4");
    const at::Tensor picked = at::multinomial(w, o.samples, /*replacement=*/true, generator);
    const at::Tensor tilted = pool.index_select(0, picked);
    ada::datasetFromTensor(base.data.framesOf(tilted), o.model + " tilted samples").writeNpy(o.out + "/tilted_samples.npy", "<f4");

    const std::vector<at::Tensor> tiltedObservables = ada::observeTargets(spec.targets, tilted);
    nlohmann::json observables = nlohmann::json::array();
    for (int i = 0; i < ea.numObservables(); ++i) {
        nlohmann::json entry = observableComparison(spec.targets[static_cast<size_t>(i)], poolObservables[i], tiltedObservables[i]);
        entry["monomials"] = ea.monomials(i);
        entry["moment_gaps_base"] = gapsBefore[static_cast<size_t>(i)];
        entry["moment_gaps_aligned"] = ada::doubleValues(ea.momentGaps(i));
        observables.push_back(entry);
    }
    const nlohmann::json report = {{"kind", "alignment"},     {"method", "expectation"},   {"model", o.model},
                                   {"beta", o.beta},          {"moments", o.moments},      {"pool", pool.size(0)},
                                   {"pool_samples", o.poolSamples},
                                   {"converged", ea.converged()}, {"updates", ea.iterations()}, {"pool_ess", ess},
                                   {"observables", observables}, {"history", history}};
    const std::string reportPath = o.out + "/report.json";
    ada::writeJsonFile(reportPath, report);
    std::cout << std::left << std::setw(16) << "observable" << std::setw(12) << "W1 base" << "W1 tilted\n";
    for (const auto& r : observables)
        if (r.contains("w1_base"))
            std::cout << std::setw(16) << r["name"].get<std::string>() << std::setw(12) << r["w1_base"].get<double>() << r["w1_aligned"].get<double>() << "\n";
    if (o.png) {
        drawReport(reportPath, o.out + "/report.png", o.python);
        std::cout << "wrote " << o.out << "/report.png\n";
    }
    std::cout << "wrote " << o.out << "/bias.json, " << o.out << "/weights.npy, " << o.out << "/pool_samples.npy, " << o.out
              << "/tilted_samples.npy, " << reportPath << "\n";
}
