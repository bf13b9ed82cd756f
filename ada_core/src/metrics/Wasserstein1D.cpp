#include "ada/metrics/Wasserstein1D.h"

#include <algorithm>
#include <cmath>

#include "ada/io/SpecError.h"

namespace ada {

double wasserstein1(std::vector<double> a, std::vector<double> b, bool periodic) {
    if (a.empty() || b.empty())
        throw SpecError("W1: both sample sets must be non-empty");
    for (const auto* set : {&a, &b})
        for (double x : *set)
            if (!std::isfinite(x))
                throw SpecError("W1: samples must be finite");
    if (periodic)
        for (auto* set : {&a, &b})
            for (double& x : *set)
                x = std::remainder(x, 2 * M_PI);  // into [-pi, pi]
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    // Walk the merged breakpoints; between consecutive ones F_a - F_b is constant.
    std::vector<double> gaps, lengths;
    const double na = a.size(), nb = b.size();
    size_t i = 0, j = 0;
    double previous = std::min(a[0], b[0]);
    if (periodic)
        previous = -M_PI;
    while (i < a.size() || j < b.size()) {
        const double next = (j >= b.size() || (i < a.size() && a[i] <= b[j])) ? a[i] : b[j];
        gaps.push_back(i / na - j / nb);
        lengths.push_back(next - previous);
        previous = next;
        while (i < a.size() && a[i] == next)
            ++i;
        while (j < b.size() && b[j] == next)
            ++j;
    }
    if (periodic) {
        gaps.push_back(0.0);  // F_a - F_b = 1 - 1 after the last sample
        lengths.push_back(M_PI - previous);
        // Circular W1: shift by the weighted median of G.
        std::vector<size_t> order(gaps.size());
        for (size_t k = 0; k < order.size(); ++k)
            order[k] = k;
        std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return gaps[x] < gaps[y]; });
        double half = 0, cumulative = 0, median = 0;
        for (double l : lengths)
            half += 0.5 * l;
        for (size_t k : order) {
            cumulative += lengths[k];
            if (cumulative >= half) {
                median = gaps[k];
                break;
            }
        }
        double total = 0;
        for (size_t k = 0; k < gaps.size(); ++k)
            total += std::abs(gaps[k] - median) * lengths[k];
        return total;
    }
    double total = 0;
    for (size_t k = 0; k < gaps.size(); ++k)
        total += std::abs(gaps[k]) * lengths[k];
    return total;
}

}  // namespace ada
