#include "ada/metrics/PathEffectiveSampleSize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ada/io/SpecError.h"

namespace ada {

namespace {
double logSumExp(const std::vector<double>& values, double factor) {
    double top = -std::numeric_limits<double>::infinity();
    for (double v : values)
        top = std::max(top, factor * v);
    if (!std::isfinite(top))
        return top;
    double sum = 0;
    for (double v : values)
        sum += std::exp(factor * v - top);
    return top + std::log(sum);
}
}  // namespace

double pathEffectiveSampleSize(const std::vector<double>& logWeights) {
    if (logWeights.empty())
        throw SpecError("path ESS: no log-weights");
    for (double l : logWeights)
        if (std::isnan(l) || l == std::numeric_limits<double>::infinity())
            throw SpecError("path ESS: a log-weight is " + std::to_string(l));
    const double first = logSumExp(logWeights, 1.0);
    if (first == -std::numeric_limits<double>::infinity())
        throw SpecError("path ESS: every weight is zero");
    return std::exp(2 * first - logSumExp(logWeights, 2.0) - std::log(static_cast<double>(logWeights.size())));
}

}  // namespace ada
