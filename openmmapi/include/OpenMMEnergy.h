#pragma once
// Any OpenMM System as a batched energy-and-force oracle for samplers trained from the energy alone
// (DESIGN.md §3.4, §5): E(x) = U(x) / kT in units of kT, grad E = -F / kT, for configurations x [B, N, 3]
// (nm), evaluated by a pool of Contexts, one per worker thread, each taking a share of the batch.
#include <memory>
#include <string>
#include <vector>

#include "ada/energy/Energy.h"
#include "openmm/Integrator.h"
#include "openmm/System.h"

namespace OpenMM {
class Context;
class Platform;
}  // namespace OpenMM

namespace OpenMMADA {

class OpenMMEnergy : public ada::Energy {
public:
    /**
     * system: copied; temperature in K sets kT = R T; workers: Contexts evaluated in parallel (>= 1);
     * platform: an OpenMM platform name ("Reference" suits small systems evaluated configuration by
     * configuration). Throws OpenMMException naming the problem.
     */
    OpenMMEnergy(const OpenMM::System& system, double temperature, int workers = 1, const std::string& platform = "Reference");
    /** A System serialized to XML (XmlSerializer), read from a file. */
    static std::unique_ptr<OpenMMEnergy> fromXmlFile(const std::string& path, double temperature, int workers = 1,
                                                     const std::string& platform = "Reference");
    ~OpenMMEnergy() override;

    std::string name() const override { return "openmm"; }
    int64_t particles() const override { return numParticles_; }
    int64_t spatialDimension() const override { return 3; }
    /** E(x) [B]; not differentiable by autograd (use energyAndGradient). */
    at::Tensor energy(const at::Tensor& x) const override;
    std::pair<at::Tensor, at::Tensor> energyAndGradient(const at::Tensor& x) const override;
    double kT() const { return kT_; }

private:
    void evaluate(const at::Tensor& x, at::Tensor* energies, at::Tensor* gradients) const;

    std::unique_ptr<OpenMM::System> system_;
    int64_t numParticles_;
    double kT_;
    std::vector<std::unique_ptr<OpenMM::Context>> contexts_;
    std::vector<std::unique_ptr<OpenMM::Integrator>> integrators_;
};

}  // namespace OpenMMADA
