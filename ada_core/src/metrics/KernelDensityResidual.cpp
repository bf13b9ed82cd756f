#include "ada/metrics/KernelDensityResidual.h"

#include <algorithm>
#include <cmath>

#include "ada/io/SpecError.h"

namespace ada {

namespace {

// Density of a Gaussian-kernel KDE with diagonal bandwidth h on the grid points, one axis at a time: the
// kernel factorises, so each sample contributes an outer product of 1-D Gaussians over the grid.
std::vector<double> densityOnGrid(const std::vector<double>& x, int d, const std::vector<std::vector<double>>& axes,
                                  const std::vector<double>& h) {
    const size_t n = x.size() / d;
    const size_t G = axes[0].size();
    std::vector<double> density(d == 1 ? G : G * G, 0.0);
    std::vector<double> k0(G), k1(G);
    for (size_t i = 0; i < n; ++i) {
        for (size_t g = 0; g < G; ++g) {
            const double z = (axes[0][g] - x[i * d]) / h[0];
            k0[g] = std::exp(-0.5 * z * z) / (h[0] * std::sqrt(2 * M_PI));
        }
        if (d == 1) {
            for (size_t g = 0; g < G; ++g)
                density[g] += k0[g];
            continue;
        }
        for (size_t g = 0; g < G; ++g) {
            const double z = (axes[1][g] - x[i * d + 1]) / h[1];
            k1[g] = std::exp(-0.5 * z * z) / (h[1] * std::sqrt(2 * M_PI));
        }
        for (size_t g = 0; g < G; ++g)
            if (k0[g] > 1e-300)
                for (size_t f = 0; f < G; ++f)
                    density[g * G + f] += k0[g] * k1[f];
    }
    for (double& v : density)
        v /= static_cast<double>(n);
    return density;
}

}  // namespace

double kernelDensityResidual(const std::vector<double>& a, const std::vector<double>& b, int d, KernelDensityResidualOptions options) {
    if (d != 1 && d != 2)
        throw SpecError("kernel density residual: dimension must be 1 or 2, found " + std::to_string(d));
    if (a.empty() || b.empty() || a.size() % d != 0 || b.size() % d != 0)
        throw SpecError("kernel density residual: both sample sets must hold whole, non-empty [n][" + std::to_string(d) + "] arrays");
    for (const auto* set : {&a, &b})
        for (double v : *set)
            if (!std::isfinite(v))
                throw SpecError("kernel density residual: samples must be finite");
    const double na = a.size() / d, nb = b.size() / d;
    std::vector<double> h(d);
    std::vector<std::vector<double>> axes(d);
    double cell = 1;
    for (int k = 0; k < d; ++k) {
        double sum = 0, sumSquares = 0, lo = INFINITY, hi = -INFINITY;
        for (const auto* set : {&a, &b})
            for (size_t i = k; i < set->size(); i += d) {
                sum += (*set)[i];
                sumSquares += (*set)[i] * (*set)[i];
                lo = std::min(lo, (*set)[i]);
                hi = std::max(hi, (*set)[i]);
            }
        const double count = na + nb, mean = sum / count;
        const double sigma = std::sqrt(std::max(sumSquares / count - mean * mean, 1e-24));
        // Scott's rule for the smaller set: the coarser of the two bandwidths, so both are smoothed alike.
        h[k] = sigma * std::pow(std::min(na, nb), -1.0 / (d + 4));
        lo -= 4 * h[k];
        hi += 4 * h[k];
        const double step = (hi - lo) / options.gridPoints;
        for (int g = 0; g < options.gridPoints; ++g)
            axes[k].push_back(lo + (g + 0.5) * step);
        cell *= step;
    }
    const std::vector<double> p = densityOnGrid(a, d, axes, h), q = densityOnGrid(b, d, axes, h);
    double residual = 0;
    for (size_t i = 0; i < p.size(); ++i)
        residual += std::abs(p[i] - q[i]) * cell;
    return residual;
}

}  // namespace ada
