#pragma once
// Sample-set distances of the energy-based sampler literature (DESIGN.md §5):
// - geometric W2 between sets of particle configurations A (n samples) and B (m samples), N particles in
//   S dimensions: for every pair (a, b), both centred, the best permutation pi of b's particles by the
//   Hungarian method on the squared particle distances, then the best orthogonal matrix R (Kabsch,
//   reflections allowed) between a and b_pi, giving c(a, b) = |a - R b_pi|^2; then
//   W2 = sqrt( OT(uniform, uniform; c) ) with exact optimal transport (OptimalTransport.h). With one particle
//   (N = 1, a particle in an external field) there is no permutation or rigid motion to remove, and
//   c(a, b) = |a - b|^2: the plain W2 of the coordinates;
// - energy W2 between two sets of energies on the line: sqrt( OT with cost (e - e')^2 ), exact in 1-D by
//   matching quantiles.
#include <cstdint>
#include <vector>

namespace ada {

/** a: [n][N*S], b: [m][N*S] row-major, particle-major coordinates. */
double geometricW2(const std::vector<double>& a, const std::vector<double>& b, int64_t particles, int64_t spatialDimension);
/** The aligned squared distance c(a, b) of one pair (a and b: N*S values). */
double alignedSquaredDistance(const double* a, const double* b, int64_t particles, int64_t spatialDimension);
double energyW2(std::vector<double> a, std::vector<double> b);

}  // namespace ada
