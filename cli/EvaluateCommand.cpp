// ada evaluate: compare generated configurations with reference data through observables.
//   ada evaluate --samples samples.npy --data heldout.npy --observables observables.json --report report.json
//                [--png report.png]
// observables.json: {"observables": [{"name": "phi", "type": "dihedral", "atoms": [4, 6, 8, 14]}, ...],
//                    "joint": [["phi", "psi"]], "bins": 60}
// Prints per observable the Jensen-Shannon divergence (nats) and W1, writes the report (histograms included)
// and, with --png, a picture of it drawn by the openmmada Python package next to this program.
//   ada evaluate --samples samples.npy --data reference.npy --energy dw4|lj13|lj55|openmm:system.xml
//                [--count 2000] [--seed 0] [--report report.json] [--png report.png]
// compares particle configurations as the energy-based sampler literature does (metrics/GeometricWasserstein.h):
// geometric W2 and energy W2, on --count frames drawn at random (by --seed) from each file, whose rows must
// hold the energy's N x S coordinates ([B, N*S] or [B, N, S]). The report also holds, as components that
// `python -m openmmada.plots` draws, histograms of the energy (kT) and of all interparticle distances of both
// sets (metrics/SampleComparison.h; bins over the reference's range and the model's central 98 %; for large
// systems the distances of as many frames as keep them under 10^7).
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "ada/io/JsonFile.h"
#include "ReportPlot.h"
#include <ATen/ATen.h>

#include "EnergyOption.h"
#include "ada/io/Dataset.h"
#include "ada/io/Npy.h"
#include "ada/io/SpecError.h"
#include "ada/torch/TensorValues.h"
#include "ada/metrics/GeometricWasserstein.h"
#include "ada/metrics/ObservableComparison.h"
#include "ada/metrics/SampleComparison.h"
#include "ada/energy/PairDistances.h"

namespace {

struct EvaluateOptions {
    std::string samples, data, observables, report, png, python, energy;
    int64_t count = 0;
    uint64_t seed = 0;
    double temperature = 300.0;
};

// `count` rows (all if count <= 0 or more than there are) of an NPY file of configurations of `energy`, chosen
// at random without replacement, as [count, N*S] float64.
at::Tensor configurations(const std::string& path, const ada::Energy& energy, int64_t count, uint64_t seed) {
    const ada::NpyArray array = ada::readNpy(path);
    const int64_t N = energy.particles(), S = energy.spatialDimension();
    const bool flat = array.shape.size() == 2 && array.shape[1] == N * S;
    const bool particles = array.shape.size() == 3 && array.shape[1] == N && array.shape[2] == S;
    if (!flat && !particles)
        throw ada::SpecError(path + " holds an array of shape " + ada::shapeText(array.shape) + ", but the " + energy.name() + " energy has " +
                             std::to_string(N) + " particles in " + std::to_string(S) + "-D (expected [frames, " + std::to_string(N * S) +
                             "] or [frames, " + std::to_string(N) + ", " + std::to_string(S) + "])");
    const int64_t frames = array.shape[0];
    if (frames == 0)
        throw ada::SpecError(path + " holds no frames");
    at::Tensor x = at::from_blob(const_cast<double*>(array.values.data()), {frames, N * S}, at::kDouble).clone();
    if (!at::isfinite(x).all().item<bool>())
        throw ada::SpecError(path + " holds non-finite coordinates");
    if (count > 0 && count < frames) {
        at::Generator generator = at::detail::createCPUGenerator(seed);
        x = x.index_select(0, at::randperm(frames, generator, at::kLong).narrow(0, 0, count));
    }
    return x;
}

// Writes the report to --report and, with --png, draws it.
void writeReport(const EvaluateOptions& o, const nlohmann::json& report) {
    ada::writeJsonFile(o.report, report);
    if (!o.png.empty()) {
        drawReport(o.report, o.png, o.python);
        std::cout << "wrote " << o.png << "\n";
    }
    std::cout << "wrote " << o.report << "\n";
}

// At most this many interparticle distances are histogrammed per set (frames are left out past it).
constexpr int64_t kMaxDistances = 10'000'000;

// The N (N - 1) / 2 interparticle distances of the first frames of x [B, N*S] (all B unless that would be more
// than kMaxDistances; at least one frame), flattened.
std::vector<double> pairDistances(const at::Tensor& x, int64_t N, int64_t S) {
    const int64_t frames = std::min(x.size(0), std::max<int64_t>(1, kMaxDistances / (N * (N - 1) / 2)));
    return ada::doubleValues(ada::squaredPairDistances(x.narrow(0, 0, frames).reshape({frames, N, S})).sqrt());
}

void evaluateSampler(const EvaluateOptions& o) {
    if (o.count < 0)
        throw ada::SpecError("--count must be >= 0 (0: all frames)");
    const std::unique_ptr<ada::Energy> energy = energyFromOption(o.energy, o.temperature, 1);
    const at::Tensor model = configurations(o.samples, *energy, o.count, o.seed);
    const at::Tensor reference = configurations(o.data, *energy, o.count, o.seed + 1);
    const double w2 = ada::geometricW2(ada::doubleValues(model), ada::doubleValues(reference), energy->particles(), energy->spatialDimension());
    const at::Tensor modelEnergy = energy->energy(model), referenceEnergy = energy->energy(reference);
    const double ew2 = ada::energyW2(ada::doubleValues(modelEnergy), ada::doubleValues(referenceEnergy));
    std::cout << "geometric W2 " << w2 << "\nenergy W2 " << ew2 << "\nmean energy " << modelEnergy.mean().item<double>() << " (reference "
              << referenceEnergy.mean().item<double>() << ")\nframes " << model.size(0) << " and " << reference.size(0) << "\n";
    if (o.report.empty())
        return;
    const std::vector<double> modelEnergies = ada::doubleValues(modelEnergy), referenceEnergies = ada::doubleValues(referenceEnergy);
    const int bins = 60;
    nlohmann::json components = nlohmann::json::array();
    components.push_back(ada::compareSamples("energy (kT)", "energy", ada::referenceAxis(modelEnergies, referenceEnergies, bins),
                                             modelEnergies, referenceEnergies));
    const int64_t N = energy->particles(), pairs = N * (N - 1) / 2;
    if (pairs > 0) {  // a one-particle energy (Mueller-Brown) has no distances
        const std::vector<double> modelDistances = pairDistances(model, N, energy->spatialDimension());
        const std::vector<double> referenceDistances = pairDistances(reference, N, energy->spatialDimension());
        components.push_back(ada::compareSamples("interparticle distance", "distance",
                                                 ada::referenceAxis(modelDistances, referenceDistances, bins), modelDistances, referenceDistances));
        components.back()["frames"] = {{"model", static_cast<int64_t>(modelDistances.size()) / pairs},
                                       {"reference", static_cast<int64_t>(referenceDistances.size()) / pairs}};
    }
    const nlohmann::json report = {{"energy", o.energy},
                                   {"geometric_w2", w2},
                                   {"energy_w2", ew2},
                                   {"mean_energy", {{"model", modelEnergy.mean().item<double>()}, {"reference", referenceEnergy.mean().item<double>()}}},
                                   {"frames", {{"model", model.size(0)}, {"reference", reference.size(0)}}},
                                   {"model_label", o.samples},
                                   {"reference_label", o.data},
                                   {"seed", o.seed},
                                   {"components", components}};
    writeReport(o, report);
}

void evaluate(const EvaluateOptions& o) {
    if (o.observables.empty() == o.energy.empty())
        throw ada::SpecError("give either --observables (compare observables) or --energy (geometric and energy W2)");
    if (!o.png.empty() && o.report.empty())
        throw ada::SpecError("--png draws the report: give --report too");
    if (!o.energy.empty()) {
        evaluateSampler(o);
        return;
    }
    if (o.report.empty())
        throw ada::SpecError("--report: a report file is needed with --observables");
    const nlohmann::json spec = ada::readJsonFile(o.observables, "observable specification");
    const ada::ObservableComparison comparison = ada::ObservableComparison::fromJson(spec, o.observables);
    const ada::Dataset model = ada::Dataset::load(o.samples, ada::Dataset::Expect::Particles);
    const ada::Dataset reference = ada::Dataset::load(o.data, ada::Dataset::Expect::Particles);
    if (model.numAtoms() != reference.numAtoms())
        throw ada::SpecError(o.samples + " has " + std::to_string(model.numAtoms()) + " atoms per frame but " + o.data + " has " +
                             std::to_string(reference.numAtoms()));
    nlohmann::json report = comparison.compare(model.values(), reference.values(), static_cast<int>(model.numAtoms()));
    report["model_label"] = o.samples;
    report["reference_label"] = o.data;
    report["frames"] = {{"model", model.numFrames()}, {"reference", reference.numFrames()}};
    std::cout << std::left << std::setw(16) << "observable" << std::setw(14) << "JSD (nats)" << "W1\n";
    for (const auto& c : report["components"])
        std::cout << std::setw(16) << c["name"].get<std::string>() << std::setw(14) << c["jsd"].get<double>() << c["w1"].get<double>() << "\n";
    for (const auto& j : report["joint"])
        std::cout << "joint (" << j["names"][0].get<std::string>() << ", " << j["names"][1].get<std::string>() << "): JSD "
                  << j["jsd"].get<double>() << " nats\n";
    writeReport(o, report);
}

}  // namespace

void addEvaluateCommand(CLI::App& app) {
    auto o = std::make_shared<EvaluateOptions>();
    auto* c = app.add_subcommand("evaluate", "Compare generated configurations with data through observables");
    c->add_option("--samples", o->samples, "generated configurations (.npy or .dcd)")->required();
    c->add_option("--data", o->data, "reference configurations (.npy or .dcd), e.g. held-out MD")->required();
    c->add_option("--observables", o->observables, "observables to compare (JSON)");
    c->add_option("--report", o->report, "report to write (JSON; needed with --observables)");
    c->add_option("--energy", o->energy, "instead of observables: geometric and energy W2 for dw4, lj13, lj55, muller-brown or "
                                         "openmm:<system.xml>");
    c->add_option("--count", o->count, "with --energy: frames drawn from each file (0: all)")->capture_default_str();
    c->add_option("--seed", o->seed, "with --energy: seed of the frame selection")->capture_default_str();
    c->add_option("--temperature", o->temperature, "K, for --energy openmm:<system.xml>")->capture_default_str();
    c->add_option("--png", o->png, "also draw the report to this PNG");
    c->add_option("--python", o->python, "Python with openmmada for --png (default: the one next to ada)");
    c->callback([o] { evaluate(*o); });
}
