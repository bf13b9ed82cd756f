// The `ada` command (DESIGN.md §4 "Command line"): batch work on bias specifications and generative models.
// Every verb exits non-zero with a one-line reason on bad input.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "Commands.h"

int main(int argc, char** argv) {
    CLI::App app{"ada: generative models inside molecular dynamics (openmm-ada)"};
    app.require_subcommand(1);
    addBiasCommands(app);
    addPretrainCommand(app);
    addSampleCommand(app);
    addEvaluateCommand(app);
    addAlignCommand(app);
    addAdjointSampleCommand(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::string message = e.what();
        const size_t newline = message.find('\n');  // LibTorch appends a backtrace
        std::cerr << "ada: " << message.substr(0, newline) << "\n";
        return 2;
    }
    return 0;
}
