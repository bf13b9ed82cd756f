#include "ada/metrics/Histogram.h"

#include <algorithm>
#include <cmath>

#include "ada/io/SpecError.h"

namespace ada {

int HistogramAxis::bin(double x) const {
    const double width = (hi - lo) / bins;
    if (periodic) {
        const double period = hi - lo;
        x = lo + std::fmod(x - lo, period);
        if (x < lo)
            x += period;
    }
    // Clamp before the conversion: a far stray (x ~ 1e10) would overflow int.
    const double k = std::floor((x - lo) / width);
    return static_cast<int>(std::min(std::max(k, 0.0), static_cast<double>(bins - 1)));
}

Histogram::Histogram(std::vector<HistogramAxis> axes) : axes_(std::move(axes)) {
    size_t size = 1;
    if (axes_.empty())
        throw SpecError("histogram: needs at least one axis");
    for (const HistogramAxis& a : axes_) {
        if (a.bins <= 0 || !(a.hi > a.lo))
            throw SpecError("histogram: each axis needs bins > 0 and hi > lo");
        size *= static_cast<size_t>(a.bins);
    }
    counts_.assign(size, 0.0);
}

void Histogram::add(const double* samples, size_t n) {
    const size_t d = axes_.size();
    for (size_t i = 0; i < n; ++i) {
        size_t index = 0;
        bool finite = true;
        for (size_t k = 0; k < d; ++k) {
            const double x = samples[i * d + k];
            finite = finite && std::isfinite(x);
            index = index * axes_[k].bins + (finite ? axes_[k].bin(x) : 0);
        }
        if (!finite)
            throw SpecError("histogram: sample " + std::to_string(i) + " is NaN or infinite");
        counts_[index] += 1;
        total_ += 1;
    }
}

std::vector<double> Histogram::probabilities() const {
    std::vector<double> p(counts_.size(), 0.0);
    if (total_ > 0)
        for (size_t i = 0; i < p.size(); ++i)
            p[i] = counts_[i] / total_;
    return p;
}

std::vector<double> Histogram::densities() const {
    double volume = 1;
    for (const HistogramAxis& a : axes_)
        volume *= (a.hi - a.lo) / a.bins;
    std::vector<double> p = probabilities();
    for (double& v : p)
        v /= volume;
    return p;
}

double jensenShannonDivergence(const Histogram& p, const Histogram& q) {
    if (p.counts().size() != q.counts().size())
        throw SpecError("Jensen-Shannon divergence: the histograms have different bins");
    const std::vector<double> a = p.probabilities(), b = q.probabilities();
    double jsd = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double m = 0.5 * (a[i] + b[i]);
        if (a[i] > 0)
            jsd += 0.5 * a[i] * std::log(a[i] / m);
        if (b[i] > 0)
            jsd += 0.5 * b[i] * std::log(b[i] / m);
    }
    return jsd;
}

}  // namespace ada
