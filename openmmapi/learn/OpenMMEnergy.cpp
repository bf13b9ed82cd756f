#include "OpenMMEnergy.h"

#include <fstream>
#include <thread>

#include <ATen/ATen.h>

#include "ada/io/SpecError.h"
#include "openmm/Context.h"
#include "openmm/OpenMMException.h"
#include "openmm/Platform.h"
#include "openmm/State.h"
#include "openmm/VerletIntegrator.h"
#include "openmm/serialization/XmlSerializer.h"

using namespace OpenMM;

namespace OpenMMADA {

namespace {
constexpr double kGasConstant = 0.00831446261815324;  // kJ/(mol K), OpenMM's BOLTZ
}

OpenMMEnergy::OpenMMEnergy(const System& system, double temperature, int workers, const std::string& platformName)
    : system_(XmlSerializer::clone(system)), numParticles_(system.getNumParticles()), kT_(kGasConstant * temperature) {
    if (!(temperature > 0))
        throw OpenMMException("OpenMMEnergy: the temperature must be positive (K), found " + std::to_string(temperature));
    if (workers < 1)
        throw OpenMMException("OpenMMEnergy: needs at least one worker, found " + std::to_string(workers));
    if (numParticles_ == 0)
        throw OpenMMException("OpenMMEnergy: the System has no particles");
    Platform& platform = Platform::getPlatformByName(platformName);
    for (int w = 0; w < workers; ++w) {
        integrators_.push_back(std::make_unique<VerletIntegrator>(0.001));
        contexts_.push_back(std::make_unique<Context>(*system_, *integrators_.back(), platform));
    }
}

std::unique_ptr<OpenMMEnergy> OpenMMEnergy::fromXmlFile(const std::string& path, double temperature, int workers, const std::string& platform) {
    std::ifstream in(path);
    if (!in)
        throw OpenMMException("OpenMMEnergy: cannot open System XML " + path);
    std::unique_ptr<System> system;
    try {
        system.reset(XmlSerializer::deserialize<System>(in));
    } catch (const std::exception& e) {
        throw OpenMMException("OpenMMEnergy: " + path + " is not a readable System XML: " + e.what());
    }
    if (!system)
        throw OpenMMException("OpenMMEnergy: " + path + " is not a readable System XML");
    return std::make_unique<OpenMMEnergy>(*system, temperature, workers, platform);
}

OpenMMEnergy::~OpenMMEnergy() = default;

void OpenMMEnergy::evaluate(const at::Tensor& x, at::Tensor* energies, at::Tensor* gradients) const {
    const at::Tensor p = particlesView(x).to(at::kDouble).contiguous();
    const int64_t B = p.size(0);
    evaluations_ += B;
    at::Tensor e = at::empty({B}, p.options()), g = gradients ? at::empty({B, numParticles_, 3}, p.options()) : at::Tensor();
    const double* xp = p.data_ptr<double>();
    double* ep = e.data_ptr<double>();
    double* gp = gradients ? g.data_ptr<double>() : nullptr;
    const int workers = static_cast<int>(std::min<int64_t>(contexts_.size(), B));
    std::vector<std::string> errors(workers);
    auto work = [&](int w) {
        try {
            std::vector<Vec3> positions(numParticles_);
            for (int64_t b = w; b < B; b += workers) {
                for (int64_t i = 0; i < numParticles_; ++i) {
                    const double* q = xp + (b * numParticles_ + i) * 3;
                    positions[i] = Vec3(q[0], q[1], q[2]);
                }
                contexts_[w]->setPositions(positions);
                const State state = contexts_[w]->getState(State::Energy | (gp ? State::Forces : 0));
                ep[b] = state.getPotentialEnergy() / kT_;
                if (gp) {
                    const std::vector<Vec3>& f = state.getForces();
                    for (int64_t i = 0; i < numParticles_; ++i)
                        for (int k = 0; k < 3; ++k)
                            gp[(b * numParticles_ + i) * 3 + k] = -f[i][k] / kT_;
                }
            }
        } catch (const std::exception& ex) {
            errors[w] = ex.what();
        }
    };
    std::vector<std::thread> threads;
    for (int w = 1; w < workers; ++w)
        threads.emplace_back(work, w);
    work(0);
    for (auto& t : threads)
        t.join();
    for (const std::string& error : errors)
        if (!error.empty())
            throw OpenMMException("OpenMMEnergy: " + error);
    *energies = e.to(x.scalar_type());
    if (gradients)
        *gradients = g.reshape(x.sizes()).to(x.scalar_type());
}

at::Tensor OpenMMEnergy::energy(const at::Tensor& x) const {
    at::Tensor e;
    evaluate(x.detach(), &e, nullptr);
    return e;
}

std::pair<at::Tensor, at::Tensor> OpenMMEnergy::energyAndGradient(const at::Tensor& x) const {
    at::Tensor e, g;
    evaluate(x.detach(), &e, &g);
    return {e, g};
}

}  // namespace OpenMMADA
