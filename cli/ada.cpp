// The `ada` command (DESIGN.md §4 "Command line"). Verbs so far work on bias specifications:
//   ada bias-info FILE [--particles N]   validate a specification and list its terms
//   ada embed-bias IN OUT                write IN as self-contained JSON (model files embedded)
// Bad input exits non-zero with a one-line reason.
#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ada/bias/BiasSpecification.h"
#include "ada/io/SpecError.h"

namespace {

int biasInfo(const std::string& file, int particles) {
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
    return 0;
}

int embedBias(const std::string& in, const std::string& out) {
    const ada::BiasSpecification spec = ada::BiasSpecification::fromFile(in);
    const std::string tmp = out + ".tmp";
    {
        std::ofstream file(tmp);
        file << nlohmann::json::parse(spec.toJsonText()).dump(2) << "\n";
        if (!file)
            throw ada::SpecError(out + ": cannot write");
    }
    if (std::rename(tmp.c_str(), out.c_str()) != 0)
        throw ada::SpecError(out + ": cannot move the written file into place");
    std::cout << "wrote " << out << " (" << spec.numTerms() << " term(s), self-contained)\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ada: generative models inside molecular dynamics (openmm-ada)"};
    app.require_subcommand(1);
    std::string file, in, out;
    int particles = 0;
    auto* info = app.add_subcommand("bias-info", "Validate a bias specification and list its terms");
    info->add_option("file", file, "bias specification (JSON)")->required();
    info->add_option("--particles", particles, "check atom indices against a system of this many particles");
    auto* embed = app.add_subcommand("embed-bias", "Write a bias specification with every model file embedded");
    embed->add_option("input", in, "bias specification (JSON)")->required();
    embed->add_option("output", out, "self-contained JSON to write")->required();
    CLI11_PARSE(app, argc, argv);
    try {
        if (*info)
            return biasInfo(file, particles);
        if (*embed)
            return embedBias(in, out);
    } catch (const ada::SpecError& e) {
        std::cerr << "ada: " << e.what() << "\n";
        return 2;
    }
    return 1;
}
