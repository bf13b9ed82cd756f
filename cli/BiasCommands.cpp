// ada bias-info FILE [--particles N]   validate a bias specification and list its terms
// ada embed-bias IN OUT                write IN as self-contained JSON (model files embedded)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "ada/bias/BiasSpecification.h"
#include "ada/io/JsonFile.h"
#include "ada/io/SpecError.h"

namespace {

void biasInfo(const std::string& file, int particles) {
    const ada::BiasSpecification spec = ada::BiasSpecification::fromFile(file);
    if (particles > 0)
        spec.checkAtoms(particles);
    std::cout << file << ": " << spec.numTerms() << " term(s) at " << spec.temperature() << " K (kT = " << spec.kT()
              << " kJ/mol), touching " << spec.atoms().size() << " atom(s)\n";
    for (int i = 0; i < spec.numTerms(); ++i) {
        const auto& term = spec.term(i);
        std::cout << "  term " << i << ": " << term.function->type() << " of " << term.observable->type() << " (dimension "
                  << term.observable->dimension() << ") on atoms";
        for (int a : term.observable->atoms())
            std::cout << " " << a;
        std::cout << "\n";
    }
}

void embedBias(const std::string& in, const std::string& out) {
    const ada::BiasSpecification spec = ada::BiasSpecification::fromFile(in);
    ada::writeJsonFile(out, nlohmann::json::parse(spec.toJsonText()), 2);
    std::cout << "wrote " << out << " (" << spec.numTerms() << " term(s), self-contained)\n";
}

}  // namespace

void addBiasCommands(CLI::App& app) {
    auto info = std::make_shared<std::pair<std::string, int>>("", 0);
    auto* infoCommand = app.add_subcommand("bias-info", "Validate a bias specification and list its terms");
    infoCommand->add_option("file", info->first, "bias specification (JSON)")->required();
    infoCommand->add_option("--particles", info->second, "check atom indices against a system of this many particles");
    infoCommand->callback([info] { biasInfo(info->first, info->second); });

    auto paths = std::make_shared<std::pair<std::string, std::string>>();
    auto* embedCommand = app.add_subcommand("embed-bias", "Write a bias specification with every model file embedded");
    embedCommand->add_option("input", paths->first, "bias specification (JSON)")->required();
    embedCommand->add_option("output", paths->second, "self-contained JSON to write")->required();
    embedCommand->callback([paths] { embedBias(paths->first, paths->second); });
}
