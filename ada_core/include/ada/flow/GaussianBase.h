#pragma once
// The base (noise) distribution p0 of flow matching (DESIGN.md §3.1).
//
// Generic vectors, event shape [D]: p0 = N(0, I_D),  log p0(x) = −D/2 ln(2π) − ‖x‖²/2.
//
// Particles, event shape [N, S], zeroCentreOfMass: p0 is the standard Gaussian on the (N−1)S-dimensional
// subspace U = {x : Σ_i x_i = 0}. Sampling: z ~ N(0, I_{NS}), x = Pz with P the orthogonal projection
// x_i ↦ x_i − (1/N) Σ_k x_k. In orthonormal coordinates on U this is N(0, I_{(N−1)S}), so with respect to the
// Lebesgue measure of U
//   log p0(x) = −(N−1)S/2 · ln(2π) − ‖x‖²/2   for x ∈ U.
// logDensity() projects its argument onto U first: the density is that of the centred configuration.
// The matching divergence is discussed in LogLikelihood.h: for fields whose output lies in U (or that are
// translation invariant) the full-space trace of the Jacobian equals the divergence on U.
#include <cstdint>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

namespace ada {

class VectorField;

class GaussianBase {
public:
    GaussianBase(std::vector<int64_t> eventShape, bool zeroCentreOfMass);
    /** The base distribution matching a field's event shape and subspace. */
    static GaussianBase of(const VectorField& field);

    /** count samples [count, event...] of dtype/device `options`, drawn with `generator`. */
    at::Tensor sample(int64_t count, const at::TensorOptions& options, at::Generator& generator) const;
    /** log p0(x) for x [B, event...] (or flattened [B, D]) → [B]. */
    at::Tensor logDensity(const at::Tensor& x) const;
    /** Removes the centre of mass of each sample (identity without zeroCentreOfMass); accepts flattened x. */
    at::Tensor project(const at::Tensor& x) const;

    /** The dimension of the support: D, or (N−1)S in the zero-centre-of-mass subspace. */
    int64_t dimension() const;
    /** Π eventShape (N·S for particles). */
    int64_t flatDimension() const;
    const std::vector<int64_t>& eventShape() const { return eventShape_; }
    bool zeroCentreOfMass() const { return zeroCentreOfMass_; }

private:
    std::vector<int64_t> eventShape_;
    bool zeroCentreOfMass_;
};

}  // namespace ada
