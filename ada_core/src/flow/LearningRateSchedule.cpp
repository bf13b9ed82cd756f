#include "ada/flow/LearningRateSchedule.h"

#include <algorithm>
#include <cmath>

namespace ada {

double WarmupCosineSchedule::operator()(int64_t step) const {
    if (step < warmupSteps)
        return peak * static_cast<double>(step + 1) / static_cast<double>(warmupSteps);
    const double final = peak * finalFraction;
    const double span = static_cast<double>(std::max<int64_t>(1, totalSteps - warmupSteps));
    const double progress = std::min(1.0, static_cast<double>(step - warmupSteps) / span);
    return final + (peak - final) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

}  // namespace ada
