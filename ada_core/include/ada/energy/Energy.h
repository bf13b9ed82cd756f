#pragma once
// An energy function for samplers trained from the energy alone (DESIGN.md §3.4, §5): batched over
// configurations x [B, N, S] (or flattened [B, N*S]), returning E(x) [B] in units of kT (the temperature tau
// of the literature's conventions is folded in), with gradients by autograd or analytically.
#include <cstdint>
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>

namespace ada {

class Energy {
public:
    virtual ~Energy() = default;
    virtual std::string name() const = 0;
    /** N, the number of particles. */
    virtual int64_t particles() const = 0;
    /** S, the spatial dimension. */
    virtual int64_t spatialDimension() const = 0;
    /** E(x) [B] for x [B, N, S] or [B, N*S]; differentiable in x. */
    virtual at::Tensor energy(const at::Tensor& x) const = 0;
    /** E(x) and grad E(x) (x's shape), without building a graph the caller keeps. */
    virtual std::pair<at::Tensor, at::Tensor> energyAndGradient(const at::Tensor& x) const;
    /** Number of energy (and gradient) evaluations so far, counted per configuration. */
    int64_t evaluations() const { return evaluations_; }

protected:
    /** x as [B, N, S]; throws SpecError naming the energy if the shape does not fit. */
    at::Tensor particlesView(const at::Tensor& x) const;
    mutable int64_t evaluations_ = 0;
};

/** "dw4", "lj13", "lj55" or "muller-brown"; throws SpecError listing the known names otherwise. */
std::unique_ptr<Energy> makeEnergy(const std::string& name);

}  // namespace ada
