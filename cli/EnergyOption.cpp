#include "EnergyOption.h"

#include "OpenMMEnergy.h"
#include "ada/io/SpecError.h"

namespace {
const std::string openmmPrefix = "openmm:";
}

bool isOpenMMEnergyName(const std::string& name) { return name.compare(0, openmmPrefix.size(), openmmPrefix) == 0; }

std::unique_ptr<ada::Energy> energyFromOption(const std::string& name, double temperature, int workers) {
    if (!isOpenMMEnergyName(name))
        return ada::makeEnergy(name);
    const std::string path = name.substr(openmmPrefix.size());
    if (path.empty())
        throw ada::SpecError("--energy openmm:<system.xml>: no file given");
    return OpenMMADA::OpenMMEnergy::fromXmlFile(path, temperature, workers);
}
