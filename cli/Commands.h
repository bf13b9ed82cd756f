#pragma once
// The verbs of the `ada` command, one file each; each adds its subcommand and callback to the app.
// Callbacks throw ada::SpecError (or std::exception) on bad input; main prints it as one line and exits 2.
namespace CLI {
class App;
}

void addBiasCommands(CLI::App& app);
void addPretrainCommand(CLI::App& app);
void addSampleCommand(CLI::App& app);
void addEvaluateCommand(CLI::App& app);
void addAdjointSampleCommand(CLI::App& app);
void addAlignCommand(CLI::App& app);
