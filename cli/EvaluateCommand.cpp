// ada evaluate: compare generated configurations with reference data through observables.
//   ada evaluate --samples samples.npy --data heldout.npy --observables observables.json --report report.json
//                [--png report.png]
// observables.json: {"observables": [{"name": "phi", "type": "dihedral", "atoms": [4, 6, 8, 14]}, ...],
//                    "joint": [["phi", "psi"]], "bins": 60}
// Prints per observable the Jensen-Shannon divergence (nats) and W1, writes the report (histograms included)
// and, with --png, a picture of it drawn by the openmmada Python package next to this program.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "ada/io/Dataset.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/ObservableComparison.h"

namespace {

struct EvaluateOptions {
    std::string samples, data, observables, report, png, python;
};

std::string folderOfThisProgram() {
    char buffer[4096];
    const ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
    if (n <= 0)
        return ".";
    std::string path(buffer, n);
    return path.substr(0, path.find_last_of('/'));
}

void evaluate(const EvaluateOptions& o) {
    std::ifstream in(o.observables);
    if (!in)
        throw ada::SpecError(o.observables + ": cannot open the observable specification");
    nlohmann::json spec;
    try {
        spec = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw ada::SpecError(o.observables + ": malformed JSON: " + e.what());
    }
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
    {
        std::ofstream out(o.report);
        out << report.dump(1) << "\n";
        if (!out)
            throw ada::SpecError(o.report + ": cannot write the report");
    }
    if (!o.png.empty()) {
        const std::string python = o.python.empty() ? folderOfThisProgram() + "/python" : o.python;
        const std::string command = "'" + python + "' -m openmmada.plots '" + o.report + "' '" + o.png + "'";
        if (std::system(command.c_str()) != 0)
            throw ada::SpecError("drawing " + o.png + " failed (" + command + ")");
        std::cout << "wrote " << o.png << "\n";
    }
    std::cout << "wrote " << o.report << "\n";
}

}  // namespace

void addEvaluateCommand(CLI::App& app) {
    auto o = std::make_shared<EvaluateOptions>();
    auto* c = app.add_subcommand("evaluate", "Compare generated configurations with data through observables");
    c->add_option("--samples", o->samples, "generated configurations (.npy or .dcd)")->required();
    c->add_option("--data", o->data, "reference configurations (.npy or .dcd), e.g. held-out MD")->required();
    c->add_option("--observables", o->observables, "observables to compare (JSON)")->required();
    c->add_option("--report", o->report, "report to write (JSON)")->required();
    c->add_option("--png", o->png, "also draw the report to this PNG");
    c->add_option("--python", o->python, "Python with openmmada for --png (default: the one next to ada)");
    c->callback([o] { evaluate(*o); });
}
