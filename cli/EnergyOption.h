#pragma once
// The --energy option of `ada adjoint-sample` and `ada evaluate`: an analytic energy by name (dw4, lj13, lj55,
// muller-brown; ada/energy/Energy.h, in the literature's units with tau = 1) or "openmm:<system.xml>", any
// OpenMM System serialized by XmlSerializer, as E = U / kT at the given temperature (K).
#include <memory>
#include <string>

#include "ada/energy/Energy.h"

/** True for "openmm:<file>" names. */
bool isOpenMMEnergyName(const std::string& name);
/** The energy named by --energy; throws (one line) on an unknown name or an unreadable System XML. */
std::unique_ptr<ada::Energy> energyFromOption(const std::string& name, double temperature, int workers);
